/* SPDX-License-Identifier: Apache-2.0 */
/* The contract every libaimc function keeps: the export macro, the error table, the version
 * (docs/programming-guide.md "The C library contract"). Here, beside aimc_config.h, because the
 * analog model's headers include it and its simulator shims build with -Ianalog_models/c alone;
 * sw/include/aimc.h includes it, so the model, the driver and the tools share one error enum. */
#ifndef AIMC_API_H
#define AIMC_API_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library is compiled with -fvisibility=hidden: only functions declared with AIMC_API are
 * exported from a shared object built from libaimc.a; every other global symbol still carries the
 * aimc_ prefix (tests/system/lib_symbols.sh checks the archive). */
#if defined(__GNUC__) || defined(__clang__)
#define AIMC_API __attribute__((visibility("default")))
#else
#define AIMC_API
#endif

/* ---- errors ------------------------------------------------------------------------------ */
/* Every library function returns an aimc_err (0 = AIMC_OK, negative on error) or a value its
 * comment documents; a message, where there is one, goes to a caller's buffer. */
#define AIMC_ERRORS(X)                                                            \
	X(OK, 0, "success")                                                       \
	X(EINVAL, -1, "invalid argument")                                         \
	X(ENOMEM, -2, "out of memory")                                            \
	X(EIO, -3, "file I/O error")                                              \
	X(EBUS, -4, "bus error response (SLVERR or DECERR)")                      \
	X(ETIMEOUT, -5, "timed out waiting for the chip")                         \
	X(EFORMAT, -6, "malformed network file")                                  \
	X(ERANGE, -7, "value out of range")                                       \
	X(ECHIP, -8, "the chip stopped with an error (see err_code, err_pc)")     \
	X(EFIT, -9, "the network does not fit the chip")                          \
	X(EUNSUPPORTED, -10, "not supported by this back-end or build")           \
	X(EMISMATCH, -11, "trace or config mismatch")                             \
	X(ECONFIG, -12, "invalid chip configuration")

typedef enum aimc_err {
#define AIMC_ERR_ENUM(name, val, text) AIMC_##name = (val),
	AIMC_ERRORS(AIMC_ERR_ENUM)
#undef AIMC_ERR_ENUM
} aimc_err;

/* Text of an error code; never NULL ("unknown error" for a value not in the table). */
AIMC_API const char *aimc_strerror(int err);

/* ---- version ------------------------------------------------------------------------------ */
/* The version of the chip this library drives, as its VERSION register reads it (one source: the
 * register map rtl/csr/aimc_csr.rdl and the ISA rtl/pkg/aimc_isa.json, through aimc_regs.h and
 * aimc_isa.h): (isa << 16) | (major << 8) | minor; `aimc --version` prints it as
 * "<major>.<minor> (ISA <isa>)". */
AIMC_API uint32_t aimc_version(void);

#ifdef __cplusplus
}
#endif
#endif /* AIMC_API_H */
