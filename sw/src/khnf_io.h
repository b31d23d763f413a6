/* SPDX-License-Identifier: Apache-2.0 */
/* Byte-level helpers shared by the network-file loaders and writers (netfile.c: versions 1 and
 * 2, graph_file.c: version 3); not part of the API. */
#ifndef AIMC_KHNF_IO_H
#define AIMC_KHNF_IO_H

#include <stddef.h>
#include <stdint.h>

/* Little-endian fields of the format (docs/network-format.md); static inline, so each loader
 * has its own copy without a link-time name. */
static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* CRC-32 of IEEE 802.3 (reflected polynomial 0xEDB88320, init and final xor 0xFFFFFFFF), the
 * same value as zlib's crc32(0, buf, len). */
uint32_t aimc_khnf_crc32(const uint8_t *buf, size_t len);

/* Read the whole file path (fewer than max_bytes bytes) into a malloc'd *out of *len bytes.
 * AIMC_EIO (cannot open / size / read, with the OS reason), AIMC_EFORMAT (too large), AIMC_ENOMEM;
 * the message names the path. */
int aimc_khnf_read_file(const char *path, uint64_t max_bytes, uint8_t **out, size_t *len,
			char *err, size_t errlen);

/* Prefix "path: " to the message in err, so that a loader's message names the file. */
void aimc_khnf_prefix_path(const char *path, char *err, size_t errlen);

/* Write len bytes to path whole or not at all: a temporary ".<name>.tmp.<pid>.<n>" in the same
 * folder (created O_EXCL, mode 0666 less the umask), written, fsync'ed, renamed over path; on any
 * failure it is removed and path is as it was. A device or FIFO is written directly. AIMC_EIO
 * with the OS reason and the path. */
int aimc_khnf_write_file(const char *path, const uint8_t *buf, size_t len, char *err,
			 size_t errlen);

#endif
