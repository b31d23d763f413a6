/* SPDX-License-Identifier: Apache-2.0 */
/* Back-ends without a chip behind them: the mmap back-end on a plain file (offset, range, the
 * bytes land where the map says), its argument checks, and the serial back-end's argument checks
 * and CRC-8 (the bridge protocol's check value). */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aimc.h"

static int failures;

static void check(const char *name, long long exp, long long got)
{
	if (exp == got) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: expected %lld, got %lld (seed none)\n", name, exp, got);
		failures++;
	}
}

int main(void)
{
	char path[] = "/tmp/aimc-devmem-XXXXXX";
	unsigned char file[8192];
	aimc_mmio m;
	uint32_t v = 0;
	int fd = mkstemp(path), sv[2];
	FILE *f;

	memset(file, 0, sizeof(file));
	if (fd < 0 || write(fd, file, sizeof(file)) != (ssize_t)sizeof(file)) {
		printf("FAIL cannot create %s\n", path);
		return 1;
	}
	close(fd);

	/* Map the second page: word 1 of the window is file byte 4096 + 4. */
	check("devmem: open", AIMC_OK, aimc_mmio_open_devmem(&m, path, 4096, 4096));
	check("devmem: write", AIMC_OK, aimc_mmio_write32(&m, 4, 0xA1B2C3D4u));
	check("devmem: read back", AIMC_OK, aimc_mmio_read32(&m, 4, &v));
	check("devmem: value", 0xA1B2C3D4u, v);
	check("devmem: last word", AIMC_OK, aimc_mmio_write32(&m, 4092, 0x01020304u));
	check("devmem: past the window", AIMC_ERANGE, aimc_mmio_write32(&m, 4096, 1));
	check("devmem: read past the window", AIMC_ERANGE, aimc_mmio_read32(&m, 8192, &v));
	check("devmem: misaligned", AIMC_EINVAL, aimc_mmio_read32(&m, 6, &v));
	aimc_mmio_close(&m);
	f = fopen(path, "rb");
	check("devmem: file readable", 1, f != NULL);
	if (f != NULL) {
		check("devmem: file size", (long long)sizeof(file),
		      (long long)fread(file, 1, sizeof(file), f));
		fclose(f);
	}
	/* Little-endian word at byte 4096 + 4, nothing at the start of the file. */
	check("devmem: bytes at the offset", 0xA1B2C3D4u,
	      file[4100] | file[4101] << 8 | file[4102] << 16 | (long long)file[4103] << 24);
	check("devmem: last word in file", 0x01020304u,
	      file[8188] | file[8189] << 8 | file[8190] << 16 | (long long)file[8191] << 24);
	check("devmem: first page untouched", 0, file[4]);

	check("devmem: unaligned offset", AIMC_EINVAL, aimc_mmio_open_devmem(&m, path, 100, 4096));
	check("devmem: size 0", AIMC_EINVAL, aimc_mmio_open_devmem(&m, path, 0, 0));
	check("devmem: size not words", AIMC_EINVAL, aimc_mmio_open_devmem(&m, path, 0, 6));
	check("devmem: NULL path", AIMC_EINVAL, aimc_mmio_open_devmem(&m, NULL, 0, 4096));
	check("devmem: missing file", AIMC_EIO,
	      aimc_mmio_open_devmem(&m, "/nonexistent/aimc-devmem", 0, 4096));
	unlink(path);

	/* Serial: argument checks, and a silent peer times out instead of hanging. */
	check("serial: bad baud", AIMC_EINVAL, aimc_mmio_open_serial(&m, "/dev/null", 12345, 100));
	check("serial: missing device", AIMC_EIO,
	      aimc_mmio_open_serial(&m, "/nonexistent/ttyUSB9", 115200, 100));
	check("serial: bad fd", AIMC_EINVAL, aimc_mmio_open_serial_fd(&m, -1, 100));
	check("serial: timeout 0", AIMC_EINVAL, aimc_mmio_open_serial_fd(&m, 0, 0));
	check("serial: crc8 check value", 0xF4,
	      aimc_serial_crc8(0, (const unsigned char *)"123456789", 9));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0) {
		uint32_t w = 0;

		check("serial: open on a socket", AIMC_OK, aimc_mmio_open_serial_fd(&m, sv[0], 50));
		check("serial: no answer times out", AIMC_ETIMEOUT, aimc_mmio_read32(&m, 0, &v));
		check("serial: xfer len 0", AIMC_EINVAL, aimc_serial_xfer(&m, 0, 0, &w, 0, NULL, NULL));
		check("serial: xfer len 256", AIMC_EINVAL,
		      aimc_serial_xfer(&m, 0, 0, &w, 256, NULL, NULL));
		/* A garbled answer (sync, then an ack for another command, then its CRC byte). */
		{
			const unsigned char bad[3] = { 0x5A, 0x81, 0x00 };

			check("serial: peer write", 3, (long long)write(sv[1], bad, 3));
			check("serial: rejected frame is EIO", AIMC_EIO, aimc_mmio_read32(&m, 0, &v));
		}
		aimc_mmio_close(&m);
		close(sv[1]);
	}
	{
		aimc_mmio mock;

		aimc_mmio_open_mock(&mock);
		check("serial: xfer on another back-end", AIMC_EINVAL,
		      aimc_serial_xfer(&mock, 0, 0, &v, 1, NULL, NULL));
		check("serial: uart-sim absent in plain builds", AIMC_EUNSUPPORTED,
		      aimc_mmio_open_uart_sim(&m, NULL, 1, NULL));
		aimc_mmio_close(&mock);
	}
	printf("%s\n", failures ? "FAILED" : "OK");
	return failures ? 1 : 0;
}
