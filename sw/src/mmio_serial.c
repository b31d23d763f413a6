/* SPDX-License-Identifier: Apache-2.0 */
/* MMIO back-end over the UART bridge (docs/uart-bridge.md): frames on a file descriptor, a tty on
 * a board or one end of a socket pair to the simulated board (tb/uart). */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "aimc.h"

#define SER_SYNC_REQ 0xA5u
#define SER_SYNC_RSP 0x5Au
#define SER_CMD_WRITE 0x01u
#define SER_CMD_READ 0x02u
#define SER_HDR_BYTES 8u /* sync, cmd, 4 address bytes, len, header CRC */

typedef struct ser_ctx {
	int fd;
	uint32_t timeout_ms;
	uint8_t last_status, last_ack;
} ser_ctx;

uint8_t aimc_serial_crc8(uint8_t crc, const uint8_t *p, size_t n)
{
	size_t i;
	int b;

	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (b = 0; b < 8; b++)
			crc = (uint8_t)((crc & 0x80u) ? ((unsigned)crc << 1) ^ 0x07u : (unsigned)crc << 1);
	}
	return crc;
}

static int ser_write_all(ser_ctx *s, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(s->fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return AIMC_EIO;
		p += w;
		n -= (size_t)w;
	}
	return AIMC_OK;
}

/* Read exactly n bytes, each within the timeout. */
static int ser_read_all(ser_ctx *s, uint8_t *p, size_t n)
{
	while (n > 0) {
		struct pollfd pfd = { s->fd, POLLIN, 0 };
		int r = poll(&pfd, 1, (int)s->timeout_ms);
		ssize_t got;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return AIMC_EIO;
		if (r == 0)
			return AIMC_ETIMEOUT;
		got = read(s->fd, p, n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return AIMC_EIO;
		p += got;
		n -= (size_t)got;
	}
	return AIMC_OK;
}

/* After a link error: drop whatever is still arriving, until the line is quiet. */
static void ser_drain(ser_ctx *s)
{
	uint8_t junk[256];

	for (;;) {
		struct pollfd pfd = { s->fd, POLLIN, 0 };

		if (poll(&pfd, 1, 50) <= 0 || read(s->fd, junk, sizeof(junk)) <= 0)
			return;
	}
}

/* Response: the sync byte (bytes before it are skipped), then the ack byte. */
static int ser_rsp_head(ser_ctx *s, uint8_t *ack)
{
	uint8_t b = 0;
	int rc, skipped = 0;

	do {
		rc = ser_read_all(s, &b, 1);
		if (rc != AIMC_OK)
			return rc;
	} while (b != SER_SYNC_RSP && ++skipped < 64);
	if (b != SER_SYNC_RSP)
		return AIMC_EIO;
	return ser_read_all(s, ack, 1);
}

/* One frame of n words (1..255) at addr; see aimc_serial_xfer. */
static int ser_xfer(ser_ctx *s, int is_write, uint32_t addr, uint32_t *words, uint32_t n,
		    uint32_t *n_ok, uint8_t *status)
{
	uint8_t buf[SER_HDR_BYTES + 255u * 5u];
	uint8_t tail[3], ack, crc;
	size_t len = 0;
	uint32_t i;
	int rc;

	if (n_ok != NULL)
		*n_ok = 0;
	buf[len++] = SER_SYNC_REQ;
	buf[len++] = (uint8_t)(is_write ? SER_CMD_WRITE : SER_CMD_READ);
	for (i = 0; i < 4; i++)
		buf[len++] = (uint8_t)(addr >> (8u * i));
	buf[len++] = (uint8_t)n;
	buf[len] = aimc_serial_crc8(0, buf + 1, len - 1);
	len++;
	if (is_write)
		for (i = 0; i < n; i++) {
			uint8_t *w = buf + len;

			w[0] = (uint8_t)words[i];
			w[1] = (uint8_t)(words[i] >> 8);
			w[2] = (uint8_t)(words[i] >> 16);
			w[3] = (uint8_t)(words[i] >> 24);
			w[4] = aimc_serial_crc8(0, w, 4);
			len += 5;
		}
	rc = ser_write_all(s, buf, len);
	if (rc == AIMC_OK)
		rc = ser_rsp_head(s, &ack);
	if (rc != AIMC_OK)
		goto link_err;
	s->last_ack = ack;
	crc = aimc_serial_crc8(0, &ack, 1);
	if (ack != buf[1]) {
		/* Frame rejected: only the CRC follows. */
		rc = ser_read_all(s, tail, 1);
		if (rc == AIMC_OK)
			rc = AIMC_EIO;
		goto link_err;
	}
	if (!is_write) {
		uint8_t *d = buf;

		rc = ser_read_all(s, d, (size_t)n * 4u);
		if (rc != AIMC_OK)
			goto link_err;
		crc = aimc_serial_crc8(crc, d, (size_t)n * 4u);
		for (i = 0; i < n; i++)
			words[i] = (uint32_t)d[4 * i] | (uint32_t)d[4 * i + 1] << 8 |
				   (uint32_t)d[4 * i + 2] << 16 | (uint32_t)d[4 * i + 3] << 24;
	}
	rc = ser_read_all(s, tail, 3);
	if (rc != AIMC_OK)
		goto link_err;
	if (aimc_serial_crc8(crc, tail, 2) != tail[2]) {
		rc = AIMC_EIO;
		goto link_err;
	}
	s->last_status = tail[0];
	if (status != NULL)
		*status = tail[0];
	if (n_ok != NULL)
		*n_ok = tail[1];
	if (tail[0] == 0x00u)
		return tail[1] == n ? AIMC_OK : AIMC_EIO;
	if (tail[0] == 0x02u || tail[0] == 0x03u)
		return AIMC_EBUS;
	return AIMC_EIO;
link_err:
	ser_drain(s);
	return rc;
}

static int ser_read32(void *ctx, uint32_t addr, uint32_t *val)
{
	return ser_xfer(ctx, 0, addr, val, 1, NULL, NULL);
}

static int ser_write32(void *ctx, uint32_t addr, uint32_t val)
{
	return ser_xfer(ctx, 1, addr, &val, 1, NULL, NULL);
}

static void ser_close(void *ctx)
{
	ser_ctx *s = ctx;

	if (s == NULL)
		return;
	close(s->fd);
	free(s);
}

static const aimc_mmio_ops serial_ops = {
	"serial", ser_read32, ser_write32, NULL, ser_close, NULL,
};

int aimc_serial_xfer(aimc_mmio *m, int is_write, uint32_t addr, uint32_t *words, uint32_t n,
		     uint32_t *n_ok, uint8_t *status)
{
	if (m == NULL || m->ops != &serial_ops || words == NULL || n == 0 || n > 255u ||
	    (addr & 3u) != 0)
		return AIMC_EINVAL;
	return ser_xfer(m->ctx, is_write, addr, words, n, n_ok, status);
}

int aimc_serial_raw(aimc_mmio *m, const uint8_t *tx, size_t ntx, uint8_t *rx, size_t nrx)
{
	ser_ctx *s;
	int rc;

	if (m == NULL || m->ops != &serial_ops ||
	    (tx == NULL && ntx > 0) || (rx == NULL && nrx > 0))
		return AIMC_EINVAL;
	s = m->ctx;
	rc = ser_write_all(s, tx, ntx);
	if (rc == AIMC_OK)
		rc = ser_read_all(s, rx, nrx);
	return rc;
}

int aimc_mmio_open_serial_fd(aimc_mmio *m, int fd, uint32_t timeout_ms)
{
	ser_ctx *s;

	if (m == NULL)
		return AIMC_EINVAL;
	m->ops = NULL;
	m->ctx = NULL;
	if (fd < 0 || timeout_ms == 0 || timeout_ms > 600000u)
		return AIMC_EINVAL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return AIMC_ENOMEM;
	s->fd = fd;
	s->timeout_ms = timeout_ms;
	m->ops = &serial_ops;
	m->ctx = s;
	return AIMC_OK;
}

static int ser_speed(uint32_t baud, speed_t *sp)
{
	static const struct {
		uint32_t baud;
		speed_t sp;
	} rates[] = {
		{ 9600, B9600 },     { 19200, B19200 },     { 38400, B38400 },
		{ 57600, B57600 },   { 115200, B115200 },   { 230400, B230400 },
		{ 460800, B460800 }, { 921600, B921600 },   { 1000000, B1000000 },
		{ 2000000, B2000000 }, { 3000000, B3000000 },
	};
	size_t i;

	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
		if (rates[i].baud == baud) {
			*sp = rates[i].sp;
			return AIMC_OK;
		}
	return AIMC_EINVAL;
}

int aimc_mmio_open_serial(aimc_mmio *m, const char *dev, uint32_t baud, uint32_t timeout_ms)
{
	struct termios t;
	speed_t sp;
	int fd, rc;

	if (m == NULL)
		return AIMC_EINVAL;
	m->ops = NULL;
	m->ctx = NULL;
	if (dev == NULL || ser_speed(baud, &sp) != AIMC_OK)
		return AIMC_EINVAL;
	fd = open(dev, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return AIMC_EIO;
	if (isatty(fd)) {
		/* Raw 8N1, no flow control, no echo, reads return what is there. */
		if (tcgetattr(fd, &t) != 0)
			goto io_err;
		cfmakeraw(&t);
		t.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CRTSCTS);
		t.c_cflag |= CLOCAL | CREAD | CS8;
		t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		if (cfsetispeed(&t, sp) != 0 || cfsetospeed(&t, sp) != 0 ||
		    tcsetattr(fd, TCSANOW, &t) != 0)
			goto io_err;
		tcflush(fd, TCIOFLUSH);
	}
	rc = aimc_mmio_open_serial_fd(m, fd, timeout_ms);
	if (rc != AIMC_OK)
		close(fd);
	return rc;
io_err:
	close(fd);
	return AIMC_EIO;
}
