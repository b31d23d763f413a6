/* SPDX-License-Identifier: Apache-2.0 */
/* Mock MMIO back-end for unit tests: a plain 2 MiB word array with an in-memory access log. */
#include <stdlib.h>

#include "aimc.h"
#include "aimc_regs.h"

#define MOCK_WORDS (sizeof(aimc_map_t) / sizeof(uint32_t))
#define MOCK_MAX_FAIL 16u

typedef struct mock {
	uint32_t *mem;            /* MOCK_WORDS words */
	aimc_mock_op *log;
	size_t n_log, cap_log;
	uint32_t fail[MOCK_MAX_FAIL];
	uint32_t n_fail;
} mock;

static int mock_addr_ok(uint32_t addr)
{
	return (addr & 3u) == 0 && addr / sizeof(uint32_t) < MOCK_WORDS;
}

static int mock_fails(const mock *k, uint32_t addr)
{
	uint32_t i;

	for (i = 0; i < k->n_fail; i++)
		if (k->fail[i] == addr)
			return 1;
	return 0;
}

static int mock_log_add(mock *k, char kind, uint32_t addr, uint32_t data, int rc)
{
	aimc_mock_op *op;

	if (k->n_log == k->cap_log) {
		size_t cap = k->cap_log ? 2 * k->cap_log : 256;
		aimc_mock_op *p = realloc(k->log, cap * sizeof(*p));

		if (p == NULL)
			return AIMC_ENOMEM;
		k->log = p;
		k->cap_log = cap;
	}
	op = &k->log[k->n_log++];
	op->kind = kind;
	op->addr = addr;
	op->data = data;
	op->rc = rc;
	return AIMC_OK;
}

static int mock_read32(void *ctx, uint32_t addr, uint32_t *val)
{
	mock *k = ctx;
	int rc = AIMC_OK;
	int lr;

	*val = 0;
	if (!mock_addr_ok(addr) || mock_fails(k, addr))
		rc = AIMC_EBUS;
	else
		*val = k->mem[addr / sizeof(uint32_t)];
	lr = mock_log_add(k, 'R', addr, *val, rc);
	return lr != AIMC_OK ? lr : rc;
}

static int mock_write32(void *ctx, uint32_t addr, uint32_t val)
{
	mock *k = ctx;
	int rc = AIMC_OK;
	int lr;

	if (!mock_addr_ok(addr) || mock_fails(k, addr))
		rc = AIMC_EBUS;
	else
		k->mem[addr / sizeof(uint32_t)] = val;
	lr = mock_log_add(k, 'W', addr, val, rc);
	return lr != AIMC_OK ? lr : rc;
}

static void mock_close(void *ctx)
{
	mock *k = ctx;

	if (k == NULL)
		return;
	free(k->log);
	free(k->mem);
	free(k);
}

static const aimc_mmio_ops mock_ops = {
	.name = "mock",
	.read32 = mock_read32,
	.write32 = mock_write32,
	.poll32 = NULL,
	.close = mock_close,
};

static mock *mock_of(const aimc_mmio *m)
{
	if (m == NULL || m->ops != &mock_ops)
		return NULL;
	return m->ctx;
}

int aimc_mmio_open_mock(aimc_mmio *m)
{
	mock *k;

	if (m == NULL)
		return AIMC_EINVAL;
	m->ops = NULL;
	m->ctx = NULL;
	k = calloc(1, sizeof(*k));
	if (k == NULL)
		goto err_nomem;
	k->mem = calloc(MOCK_WORDS, sizeof(uint32_t));
	if (k->mem == NULL)
		goto err_free;
	m->ops = &mock_ops;
	m->ctx = k;
	return AIMC_OK;

err_free:
	free(k);
err_nomem:
	return AIMC_ENOMEM;
}

size_t aimc_mmio_mock_log(const aimc_mmio *m, const aimc_mock_op **ops)
{
	const mock *k = mock_of(m);

	if (ops != NULL)
		*ops = k != NULL ? k->log : NULL;
	return k != NULL ? k->n_log : 0;
}

void aimc_mmio_mock_log_clear(aimc_mmio *m)
{
	mock *k = mock_of(m);

	if (k != NULL)
		k->n_log = 0;
}

int aimc_mmio_mock_poke(aimc_mmio *m, uint32_t addr, uint32_t val)
{
	mock *k = mock_of(m);

	if (k == NULL || !mock_addr_ok(addr))
		return AIMC_EINVAL;
	k->mem[addr / sizeof(uint32_t)] = val;
	return AIMC_OK;
}

int aimc_mmio_mock_peek(const aimc_mmio *m, uint32_t addr, uint32_t *val)
{
	const mock *k = mock_of(m);

	if (k == NULL || val == NULL || !mock_addr_ok(addr))
		return AIMC_EINVAL;
	*val = k->mem[addr / sizeof(uint32_t)];
	return AIMC_OK;
}

int aimc_mmio_mock_fail(aimc_mmio *m, uint32_t addr)
{
	mock *k = mock_of(m);

	if (k == NULL || (addr & 3u) != 0)
		return AIMC_EINVAL;
	if (k->n_fail == MOCK_MAX_FAIL)
		return AIMC_ERANGE;
	k->fail[k->n_fail++] = addr;
	return AIMC_OK;
}
