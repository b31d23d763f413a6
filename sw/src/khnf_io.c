/* SPDX-License-Identifier: Apache-2.0 */
/* Byte-level helpers of the network-file loaders and writers (khnf_io.h): CRC-32, whole-file
 * read, and the write through a temporary renamed into place. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aimc.h"
#include "aimc_priv.h"
#include "khnf_io.h"

static uint32_t crc_table[256];
static int crc_table_ready;

uint32_t aimc_khnf_crc32(const uint8_t *buf, size_t len)
{
	uint32_t c = 0xFFFFFFFFu;
	size_t i;

	if (!crc_table_ready) {
		uint32_t v, j, r;

		for (v = 0; v < 256; v++) {
			r = v;
			for (j = 0; j < 8; j++)
				r = (r & 1u) ? (0xEDB88320u ^ (r >> 1)) : (r >> 1);
			crc_table[v] = r;
		}
		crc_table_ready = 1;
	}
	for (i = 0; i < len; i++)
		c = crc_table[(c ^ buf[i]) & 0xFFu] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}

int aimc_khnf_read_file(const char *path, uint64_t max_bytes, uint8_t **out, size_t *len,
			char *err, size_t errlen)
{
	FILE *f;
	uint8_t *buf = NULL;
	long sz;
	size_t got;
	int rc = AIMC_OK;

	*out = NULL;
	*len = 0;
	f = fopen(path, "rb");
	if (f == NULL)
		return aimc_set_err(err, errlen, AIMC_EIO, "%s: cannot open: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		rc = aimc_set_err(err, errlen, AIMC_EIO, "%s: cannot determine the size: %s", path,
			     strerror(errno));
		goto out;
	}
	if ((unsigned long long)sz >= max_bytes) {
		rc = aimc_set_err(err, errlen, AIMC_EFORMAT,
			     "%s: %ld bytes is too large for a network file", path, sz);
		goto out;
	}
	buf = malloc(sz > 0 ? (size_t)sz : 1u);
	if (buf == NULL) {
		rc = aimc_set_err(err, errlen, AIMC_ENOMEM, "%s: out of memory for %ld bytes", path, sz);
		goto out;
	}
	got = fread(buf, 1, (size_t)sz, f);
	if (got != (size_t)sz || ferror(f)) {
		rc = aimc_set_err(err, errlen, AIMC_EIO, "%s: read %zu of %ld bytes", path, got, sz);
		goto out;
	}
	*out = buf;
	*len = (size_t)sz;
	buf = NULL;
out:
	free(buf);
	fclose(f);
	return rc;
}

void aimc_khnf_prefix_path(const char *path, char *err, size_t errlen)
{
	char tmp[512];

	if (err == NULL || errlen == 0)
		return;
	snprintf(tmp, sizeof(tmp), "%s", err);
	snprintf(err, errlen, "%s: %s", path, tmp);
}

static int write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

int aimc_khnf_write_file(const char *path, const uint8_t *buf, size_t len, char *err,
			 size_t errlen)
{
	static unsigned serial;
	const char *slash = strrchr(path, '/');
	char tmp[4096];
	struct stat st;
	int fd = -1, n, e;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		/* a device or FIFO (/dev/null): written, never replaced */
		fd = open(path, O_WRONLY);
		if (fd < 0 || write_all(fd, buf, len) != 0) {
			e = errno;
			if (fd >= 0)
				close(fd);
			return aimc_set_err(err, errlen, AIMC_EIO, "%s: cannot write: %s", path,
				       strerror(e));
		}
		close(fd);
		return AIMC_OK;
	}
	for (n = 0; n < 100 && fd < 0; n++) {
		int w = slash ? snprintf(tmp, sizeof(tmp), "%.*s/.%s.tmp.%ld.%u", (int)(slash - path),
					 path, slash + 1, (long)getpid(), serial++)
			      : snprintf(tmp, sizeof(tmp), ".%s.tmp.%ld.%u", path, (long)getpid(),
					 serial++);

		if (w < 0 || (size_t)w >= sizeof(tmp))
			return aimc_set_err(err, errlen, AIMC_EIO, "%s: path too long", path);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0)
		return aimc_set_err(err, errlen, AIMC_EIO, "%s: cannot create a temporary beside it: %s",
			       path, strerror(errno));
	if (write_all(fd, buf, len) != 0 || fsync(fd) != 0) {
		e = errno;
		close(fd);
		unlink(tmp);
		return aimc_set_err(err, errlen, AIMC_EIO, "%s: write failed: %s (the file is unchanged)",
			       path, strerror(e));
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		e = errno;
		unlink(tmp);
		return aimc_set_err(err, errlen, AIMC_EIO, "%s: write failed: %s (the file is unchanged)",
			       path, strerror(e));
	}
	return AIMC_OK;
}
