/* SPDX-License-Identifier: Apache-2.0 */
/* MMIO back-end on a memory-mapped device file: the chip's AXI4-Lite window as a CPU on the same
 * FPGA (or a PCIe/UIO host) sees it, e.g. /dev/uio0 or /dev/mem at the window's physical address.
 * A bus error on such a mapping is a SIGBUS, not a return value: this back-end cannot report
 * SLVERR/DECERR (docs/fpga-bringup.md). */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "aimc.h"

typedef struct devmem_ctx {
	volatile uint32_t *base;
	size_t size;
} devmem_ctx;

static int dm_read32(void *ctx, uint32_t addr, uint32_t *val)
{
	devmem_ctx *d = ctx;

	if ((size_t)addr + 4u > d->size)
		return AIMC_ERANGE;
	*val = d->base[addr / 4u];
	return AIMC_OK;
}

static int dm_write32(void *ctx, uint32_t addr, uint32_t val)
{
	devmem_ctx *d = ctx;

	if ((size_t)addr + 4u > d->size)
		return AIMC_ERANGE;
	d->base[addr / 4u] = val;
	return AIMC_OK;
}

static void dm_close(void *ctx)
{
	devmem_ctx *d = ctx;

	if (d == NULL)
		return;
	munmap((void *)d->base, d->size);
	free(d);
}

static const aimc_mmio_ops devmem_ops = {
	"devmem", dm_read32, dm_write32, NULL, dm_close, NULL,
};

int aimc_mmio_open_devmem(aimc_mmio *m, const char *path, uint64_t offset, uint32_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	devmem_ctx *d;
	void *p;
	int fd;

	if (m == NULL)
		return AIMC_EINVAL;
	m->ops = NULL;
	m->ctx = NULL;
	if (path == NULL || size == 0 || (size & 3u) != 0 || page <= 0 ||
	    offset % (uint64_t)page != 0 || offset > (uint64_t)INT64_MAX)
		return AIMC_EINVAL;
	fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0)
		return AIMC_EIO;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)offset);
	close(fd);
	if (p == MAP_FAILED)
		return AIMC_EIO;
	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		munmap(p, size);
		return AIMC_ENOMEM;
	}
	d->base = p;
	d->size = size;
	m->ops = &devmem_ops;
	m->ctx = d;
	return AIMC_OK;
}
