/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the network-file loader tests (test_netfile.c: versions 1 and 2,
 * test_graph.c: version 3): the test's own CRC-32, little-endian fields, the file_size and CRC
 * refresh after a mutation, and the message check. Each test program includes this once. */
#ifndef AIMC_KHNF_TEST_H
#define AIMC_KHNF_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Bitwise CRC-32 (IEEE 802.3, reflected), deliberately not table-driven like the loader's. */
static inline uint32_t ref_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	size_t i;
	int b;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (b = 0; b < 8; b++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
	}
	return ~c;
}

static inline void le_put32(uint8_t *b, size_t off, uint32_t v)
{
	b[off] = (uint8_t)v;
	b[off + 1] = (uint8_t)(v >> 8);
	b[off + 2] = (uint8_t)(v >> 16);
	b[off + 3] = (uint8_t)(v >> 24);
}

static inline uint32_t le_get32(const uint8_t *b, size_t off)
{
	return (uint32_t)b[off] | ((uint32_t)b[off + 1] << 8) | ((uint32_t)b[off + 2] << 16) |
	       ((uint32_t)b[off + 3] << 24);
}

/* After a mutation: file_size (header byte 28) for len, and the CRC of the first len - 4 bytes. */
static inline void khnf_refresh(uint8_t *b, size_t len)
{
	le_put32(b, 28, (uint32_t)len);
	le_put32(b, len - 4, ref_crc32(b, len - 4));
}

/* The first of the NULL-terminated strings want that the loader's message err lacks, or NULL. */
static inline const char *khnf_missing(const char *err, const char **want)
{
	int i;

	for (i = 0; want[i] != NULL; i++)
		if (strstr(err, want[i]) == NULL)
			return want[i];
	return NULL;
}

#endif /* AIMC_KHNF_TEST_H */
