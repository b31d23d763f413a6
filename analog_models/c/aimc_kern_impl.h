/* SPDX-License-Identifier: Apache-2.0 */
/* The vector kernels of the C model, included by aimc_kern.c once per instruction set (no include
 * guard on purpose): KERN(name) gives each copy its suffix and the including file sets the target
 * ISA. Every copy performs the same IEEE-754 operations in the same order per element (no FMA: the
 * build has -ffp-contract=off), so every copy gives the same bits; tests/unit/analog/test_simd.c
 * checks that. The GCC vector types are 64 bytes wide whatever the ISA (the compiler splits
 * them); loads and stores go through memcpy (no alignment assumed). */

/* Read noise on: the binary32 sums of every column (decisions 0005, 0008). Each column adds its
 * active rows one by one in ascending order, one multiply and one add per term, exactly as
 * column_current_f32 in aimc_analog.c. */

/* Several array reads at once (decision 0008): for read k < nk and column c in [c0, c1), sum[k ss + c - c0]
 * and var[k ss + c - c0] are bit for bit column_current_f32's sums for that read: each column adds the active
 * rows act[k as + i], i < nact[k], in ascending order, s = s + v x and q = q + v2 x from +0. With v NULL
 * every voltage is 1 and the terms are added as they are (the 1-bit DAC: the read arrays hold the
 * products, 1 x = x exactly). The columns go in blocks of four vectors, and each block serves every read
 * before the next block: the block's rows (8 bytes per weight) are fetched from memory once per call
 * and from the caches for the other reads. */
#define BATCH_STEP(s, q, off)                                                                             \
	do {                                                                                               \
		LDV(x, g + (off));                                                                         \
		LDV(y, rr + (off));                                                                        \
		(s) = (s) + av * x;                                                                        \
		(q) = (q) + bv * y;                                                                        \
	} while (0)
#define BATCH_STEP1(s, q, off)                                                                            \
	do {                                                                                               \
		LDV(x, g + (off));                                                                         \
		LDV(y, rr + (off));                                                                        \
		(s) = (s) + x;                                                                             \
		(q) = (q) + y;                                                                             \
	} while (0)

#define PF_AHEAD 32u /* rows */
/* several reads of a tall block (from 512 rows: the tile's read arrays no longer fit in L2): every
 * row of the block, PF_AHEAD rows ahead of the first read's (the later reads find them in the
 * caches); else the first read's own active rows, 8 ahead */
#define PREFETCH_ROWS()                                                                                    \
	do {                                                                                               \
		if (nk > 1 && rows >= 512u) {                                                              \
			for (; pf < a[i] + PF_AHEAD && pf < rows; pf++)                                    \
				for (uint32_t l = 0; l < 4 * VW; l += 16) {                                \
					__builtin_prefetch(gp + (size_t)pf * stride + l);                  \
					__builtin_prefetch(rp + (size_t)pf * stride + l);                  \
				}                                                                          \
		} else if (i + 8 < n) {                                                                    \
			for (uint32_t l = 0; l < 4 * VW; l += 16) {                                        \
				__builtin_prefetch(gp + (size_t)a[i + 8] * stride + l);                    \
				__builtin_prefetch(rp + (size_t)a[i + 8] * stride + l);                    \
			}                                                                                  \
		}                                                                                          \
	} while (0)
static void KERN(acc_batch)(float *sum, float *var, uint32_t ss, const float *gd, const float *rv, uint32_t rows,
		      uint32_t c0, uint32_t c1, uint32_t nk, const uint32_t *act, const uint32_t *nact, uint32_t as,
		      const float *v, const float *v2)
{
	const size_t stride = AIMC_PANEL;
	uint32_t c = c0;

	for (; c + 4 * VW <= c1; c += 4 * VW) {
		/* the block's panel: rows AIMC_PANEL floats apart */
		const float *gp = gd + (size_t)(c / AIMC_PANEL) * rows * AIMC_PANEL + c % AIMC_PANEL,
			    *rp = rv + (size_t)(c / AIMC_PANEL) * rows * AIMC_PANEL + c % AIMC_PANEL;

		uint32_t pf = 0; /* next row to prefetch */

		for (uint32_t k = 0; k < nk; k++) {
			const uint32_t *a = act + (size_t)k * as, n = nact[k];
			KVF s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0}, q0 = {0}, q1 = {0}, q2 = {0}, q3 = {0}, x, y;

			if (v == NULL) {
				for (uint32_t i = 0; i < n; i++) {
					const float *g = gp + (size_t)a[i] * stride, *rr = rp + (size_t)a[i] * stride;

					if (k == 0) /* the first read brings the block in, in row order */
						PREFETCH_ROWS();
					BATCH_STEP1(s0, q0, 0);
					BATCH_STEP1(s1, q1, VW);
					BATCH_STEP1(s2, q2, 2 * VW);
					BATCH_STEP1(s3, q3, 3 * VW);
				}
			} else {
				const float *vk = v + (size_t)k * as, *v2k = v2 + (size_t)k * as;

				for (uint32_t i = 0; i < n; i++) {
					const float *g = gp + (size_t)a[i] * stride, *rr = rp + (size_t)a[i] * stride;
					const float av = vk[a[i]], bv = v2k[a[i]];

					if (k == 0) /* the first read brings the block in, in row order */
						PREFETCH_ROWS();
					BATCH_STEP(s0, q0, 0);
					BATCH_STEP(s1, q1, VW);
					BATCH_STEP(s2, q2, 2 * VW);
					BATCH_STEP(s3, q3, 3 * VW);
				}
			}
			{
				float *so = sum + (size_t)k * ss + (c - c0), *qo = var + (size_t)k * ss + (c - c0);

				memcpy(so, &s0, sizeof(s0));
				memcpy(so + VW, &s1, sizeof(s1));
				memcpy(so + 2 * VW, &s2, sizeof(s2));
				memcpy(so + 3 * VW, &s3, sizeof(s3));
				memcpy(qo, &q0, sizeof(q0));
				memcpy(qo + VW, &q1, sizeof(q1));
				memcpy(qo + 2 * VW, &q2, sizeof(q2));
				memcpy(qo + 3 * VW, &q3, sizeof(q3));
			}
		}
	}
	for (; c < c1; c++) { /* the last columns one at a time */
		for (uint32_t k = 0; k < nk; k++) {
			const uint32_t *a = act + (size_t)k * as, n = nact[k];
			float s = 0.0f, q = 0.0f;

			for (uint32_t i = 0; i < n; i++) {
				const size_t o = ((size_t)(c / AIMC_PANEL) * rows + a[i]) * AIMC_PANEL + c % AIMC_PANEL;

				if (v == NULL) {
					s = s + gd[o];
					q = q + rv[o];
				} else {
					s = s + v[(size_t)k * as + a[i]] * gd[o];
					q = q + v2[(size_t)k * as + a[i]] * rv[o];
				}
			}
			sum[(size_t)k * ss + (c - c0)] = s;
			var[(size_t)k * ss + (c - c0)] = q;
		}
	}
}
#undef BATCH_STEP
#undef BATCH_STEP1
#undef PREFETCH_ROWS

/* The same sums as acc_batch, bit for bit, in one pass over the block's rows (issue 17 item 5):
 * acc_batch streams a block's rows from memory for the first read and from the caches for every
 * other (from L2 at 1024 rows: the 14 reads of a 1-bit MVM load each active row again); here each
 * row of the block comes from memory once and is added into the sums of every read it is active
 * in. Per read and column the additions are those of acc_batch in the same order (that read's
 * active rows ascending, s = s + x or s = s + v x from +0): only the interleaving of different
 * reads' sums changes, and those are separate numbers. The sums of up to 32 reads live in a local
 * buffer (32 reads x 2 x 4 vectors: 16 KiB at 16 lanes, in L1); more reads go in groups of 32, one
 * pass each. rmask[g rows + r] bit j: row r is active in read 32 g + j (aimc_xbar_convert_batch
 * builds it from the same codes as act). */
static void KERN(acc_pass)(float *sum, float *var, uint32_t ss, const float *gd, const float *rv, uint32_t rows,
			   uint32_t c0, uint32_t c1, uint32_t nk, const uint32_t *act, const uint32_t *nact,
			   uint32_t as, const float *v, const float *v2, const uint32_t *rmask)
{
	const size_t stride = AIMC_PANEL;
	float acc[32 * 8 * VW]; /* read j of the group: sums at j 8 VW, variances at j 8 VW + 4 VW */
	uint32_t c = c0;

	for (; c + 4 * VW <= c1; c += 4 * VW) {
		const float *gp = gd + (size_t)(c / AIMC_PANEL) * rows * AIMC_PANEL + c % AIMC_PANEL,
			    *rp = rv + (size_t)(c / AIMC_PANEL) * rows * AIMC_PANEL + c % AIMC_PANEL;

		for (uint32_t k0 = 0; k0 < nk; k0 += 32) {
			const uint32_t kn = nk - k0 < 32 ? nk - k0 : 32;
			const uint32_t *mk = rmask + (size_t)(k0 / 32) * rows;

			memset(acc, 0, (size_t)kn * 8 * VW * sizeof(float));
			for (uint32_t r = 0; r < rows; r++) {
				uint32_t m = mk[r];
				const float *g = gp + (size_t)r * stride, *rr = rp + (size_t)r * stride;
				KVF x0, x1, x2, x3, y0, y1, y2, y3;

				if (r + PF_AHEAD < rows)
					for (uint32_t l = 0; l < 4 * VW; l += 16) {
						__builtin_prefetch(g + PF_AHEAD * stride + l);
						__builtin_prefetch(rr + PF_AHEAD * stride + l);
					}
				if (m == 0)
					continue;
				LDV(x0, g);
				LDV(x1, g + VW);
				LDV(x2, g + 2 * VW);
				LDV(x3, g + 3 * VW);
				LDV(y0, rr);
				LDV(y1, rr + VW);
				LDV(y2, rr + 2 * VW);
				LDV(y3, rr + 3 * VW);
				do { /* the row's reads, ascending (each read's sums are separate numbers) */
					const uint32_t j = (uint32_t)__builtin_ctz(m);
					float *a = acc + (size_t)j * 8 * VW;
					KVF s0, s1, s2, s3, q0, q1, q2, q3;

					m &= m - 1u;
					LDV(s0, a);
					LDV(s1, a + VW);
					LDV(s2, a + 2 * VW);
					LDV(s3, a + 3 * VW);
					LDV(q0, a + 4 * VW);
					LDV(q1, a + 5 * VW);
					LDV(q2, a + 6 * VW);
					LDV(q3, a + 7 * VW);
					if (v == NULL) {
						s0 = s0 + x0;
						s1 = s1 + x1;
						s2 = s2 + x2;
						s3 = s3 + x3;
						q0 = q0 + y0;
						q1 = q1 + y1;
						q2 = q2 + y2;
						q3 = q3 + y3;
					} else {
						const float av = v[(size_t)(k0 + j) * as + r], bv = v2[(size_t)(k0 + j) * as + r];

						s0 = s0 + av * x0;
						s1 = s1 + av * x1;
						s2 = s2 + av * x2;
						s3 = s3 + av * x3;
						q0 = q0 + bv * y0;
						q1 = q1 + bv * y1;
						q2 = q2 + bv * y2;
						q3 = q3 + bv * y3;
					}
					memcpy(a, &s0, sizeof(s0));
					memcpy(a + VW, &s1, sizeof(s1));
					memcpy(a + 2 * VW, &s2, sizeof(s2));
					memcpy(a + 3 * VW, &s3, sizeof(s3));
					memcpy(a + 4 * VW, &q0, sizeof(q0));
					memcpy(a + 5 * VW, &q1, sizeof(q1));
					memcpy(a + 6 * VW, &q2, sizeof(q2));
					memcpy(a + 7 * VW, &q3, sizeof(q3));
				} while (m != 0);
			}
			for (uint32_t j = 0; j < kn; j++) {
				memcpy(sum + (size_t)(k0 + j) * ss + (c - c0), acc + (size_t)j * 8 * VW, 4 * VW * sizeof(float));
				memcpy(var + (size_t)(k0 + j) * ss + (c - c0), acc + (size_t)j * 8 * VW + 4 * VW,
				       4 * VW * sizeof(float));
			}
		}
	}
	if (c < c1) /* the last columns: acc_batch's own loop */
		KERN(acc_batch)(sum + (c - c0), var + (c - c0), ss, gd, rv, rows, c, c1, nk, act, nact, as, v, v2);
}
#undef PF_AHEAD

/* Every effect off (decision 0008): the exact integer column sums
 * sum[k ss + c - c0] = sum_g sum_i byte i of dq[k r4n + g] * w4[(g cstride + c) 4 + i]
 * for c in [c0, c1): w4 holds the int8 weights four rows to a 32-bit word (row 4g + i in byte i),
 * dq the DAC codes of read k the same way. |sum| <= 1024 * 255 * 127 < 2^31: integer sums are
 * exact and their order is free. Each word of four weights is split by shifts (byte i sign-
 * extended: (x << (24 - 8i)) >> 24), columns in blocks of four vectors. */
#define INT_TERM(sv, xv)                                                                                   \
	do {                                                                                               \
		(sv) = (sv) + dv * (((xv) << sh) >> 24);                                                   \
	} while (0)

static void KERN(acc_int)(int32_t *sum, uint32_t ss, const int8_t *w4, uint32_t cstride, uint32_t c0, uint32_t c1,
		    uint32_t nk, const uint32_t *dq, uint32_t r4n)
{
	uint32_t c = c0;

	for (; c + 4 * VW <= c1; c += 4 * VW) {
		for (uint32_t k = 0; k < nk; k++) {
			const uint32_t *dk = dq + (size_t)k * r4n;
			KVI s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
			int32_t *so = sum + (size_t)k * ss + (c - c0);

			for (uint32_t g = 0; g < r4n; g++) {
				const int8_t *p = w4 + ((size_t)g * cstride + c) * 4;
				KVI x0, x1, x2, x3;

				if (dk[g] == 0)
					continue;
				LDV(x0, p);
				LDV(x1, p + 4 * VW);
				LDV(x2, p + 8 * VW);
				LDV(x3, p + 12 * VW);
				for (int i = 0; i < 4; i++) {
					const int32_t dv = (int32_t)((dk[g] >> (8 * i)) & 0xffu);
					const int sh = 24 - 8 * i;

					if (dv == 0)
						continue;
					INT_TERM(s0, x0);
					INT_TERM(s1, x1);
					INT_TERM(s2, x2);
					INT_TERM(s3, x3);
				}
			}
			memcpy(so, &s0, sizeof(s0));
			memcpy(so + VW, &s1, sizeof(s1));
			memcpy(so + 2 * VW, &s2, sizeof(s2));
			memcpy(so + 3 * VW, &s3, sizeof(s3));
		}
	}
	for (; c < c1; c++) {
		for (uint32_t k = 0; k < nk; k++) {
			int32_t s = 0;

			for (uint32_t g = 0; g < r4n; g++)
				for (int i = 0; i < 4; i++)
					s += (int32_t)((dq[(size_t)k * r4n + g] >> (8 * i)) & 0xffu) *
					     w4[((size_t)g * cstride + c) * 4 + (size_t)i];
			sum[(size_t)k * ss + (c - c0)] = s;
		}
	}
}
#undef INT_TERM

/* Every effect off: codes[i] = clamp(sign(s) ((|s| + half) >> sh), lo, hi) for i < n, the integer
 * round-half-away of s 2^-sh (half = 2^(sh-1), 0 for sh 0); |s| < 2^25 (1024 rows x 255 x 127), so
 * |s| + half fits an int32 for sh <= 25; the caller handles larger shifts. */
static void KERN(exact_fin)(int32_t *codes, const int32_t *s, uint32_t n, int32_t half, int32_t sh, int32_t lo, int32_t hi)
{
	uint32_t i = 0;

	for (; i + VW <= n; i += VW) {
		KVI v, a, q, neg, m, lov = (KVI){0} + lo, hiv = (KVI){0} + hi;

		LDV(v, s + i);
		neg = v < 0; /* -1 where true */
		a = (v ^ neg) - neg; /* |v| */
		q = (a + half) >> sh;
		q = (q ^ neg) - neg;
		m = q < lov;
		q = (lov & m) | (q & ~m);
		m = q > hiv;
		q = (hiv & m) | (q & ~m);
		memcpy(codes + i, &q, sizeof(q));
	}
	for (; i < n; i++) {
		int32_t a = s[i] < 0 ? -s[i] : s[i], q = (a + half) >> sh;

		q = s[i] < 0 ? -q : q;
		codes[i] = q < lo ? lo : q > hi ? hi : q;
	}
}

/* Attempt `att` of the READ pairs of n keys (n a multiple of 8): the operations of
 * aimc_rng_read_pair and its read_log in their order (integer operations are exact). Lanes with s
 * outside (0, 1) hold garbage in n1, n2; the caller rejects them: bit i % 64 of rej[i / 64] is set
 * for those keys i. s is normal whenever it matters
 * (s >= 2^-46: u, v are multiples of 2^-23). In blocks of 64 keys, three passes, each a loop of
 * short independent steps (the long dependency chain of one key overlaps with those of the next):
 * READ8_UV hashes keys i .. i+7 (64-bit lanes) to u, v and s = u^2 + v^2; the logarithm of s and
 * the division and square root then run VW keys at a time (the copy's native float vector), on
 * local arrays padded to a whole vector (the padding lanes are computed and dropped). */
#define READ8_UV(i0, j0)                                                                                   \
	do {                                                                                               \
		aimc_v8u h;                                                                                \
		aimc_v8si iu, iv;                                                                          \
		aimc_v8f u, v, sv;                                                                         \
                                                                                                           \
		memcpy(&h, prefix + (i0), sizeof(h));                                                      \
		if (tk != NULL) { /* per key: keys of several event indices or attempts */                 \
			aimc_v8u tv_;                                                                      \
                                                                                                           \
			memcpy(&tv_, tk + (i0), sizeof(tv_));                                              \
			h = h ^ tv_;                                                                       \
		} else {                                                                                   \
			h = h ^ t;                                                                         \
		}                                                                                          \
		V_MIX64(h);                                                                                \
		iu = __builtin_convertvector((aimc_v8i)(h >> 40), aimc_v8si) - 0x800000;                   \
		iv = __builtin_convertvector((aimc_v8i)((h >> 16) & 0xffffffu), aimc_v8si) - 0x800000;     \
		u = __builtin_convertvector(iu, aimc_v8f) * 0x1p-23f;                                      \
		v = __builtin_convertvector(iv, aimc_v8f) * 0x1p-23f;                                      \
		sv = u * u + v * v;                                                                        \
		memcpy(ls + (j0), &sv, sizeof(sv));                                                        \
		memcpy(lu + (j0), &u, sizeof(u));                                                          \
		memcpy(lv + (j0), &v, sizeof(v));                                                          \
	} while (0)

/* tk NULL: every key's absorbed word is t1 (one index and attempt); else key i's is tk[i] */
static inline void KERN(read_core)(const uint64_t *prefix, const uint64_t *tk, uint64_t t1, uint32_t n, float *s_out,
				   float *n1_out, float *n2_out, uint64_t *rej)
{
	const aimc_v8u t = (aimc_v8u){0} + t1;
	float ls[64 + VW], lu[64 + VW], lv[64 + VW], lg[64 + VW];
	KVU lane_bit;

	for (uint32_t l = 0; l < VW; l++)
		lane_bit[l] = 1u << l;
	for (uint32_t blk = 0; blk < n; blk += 64) {
		const uint32_t nb = n - blk < 64 ? n - blk : 64, nv = (nb + VW - 1u) / VW * VW;

		for (uint32_t i = 0; i < nb; i += 8)
			READ8_UV(blk + i, i);
		for (uint32_t i = nb; i < nv; i++) /* padding lanes: any s, dropped */
			ls[i] = lu[i] = lv[i] = 0.5f;
		uint64_t rm = 0; /* the block's rejected keys (the padding lanes' s = 0.5 is not) */

		for (uint32_t i = 0; i < nv; i += VW) { /* ln s: read_log's reduction and series */
			KVU b, rb;
			KVI e, lt;
			KVF sv, m, f, f2, p, ed;
			uint32_t bits = 0;

			LDV(sv, ls + i);
			memcpy(&b, &sv, sizeof(b));
			/* rejected: s not in (0, 1); s >= 0, so its bits order like its value (read_rejected) */
			rb = (KVU)(b - 1u >= 0x3f7fffffu) & lane_bit;
			for (uint32_t l = 0; l < VW; l++)
				bits |= rb[l];
			rm |= (uint64_t)bits << i;
			e = (KVI)((b >> 23) & 0xffu) - 126;
			b = (b & ~(0xffu << 23)) | (126u << 23);
			memcpy(&m, &b, sizeof(m));
			lt = m < SQRT1_2_F; /* -1 where true */
			{
				KVF m2 = m * 2.0f;
				KVI mi, m2i;

				memcpy(&mi, &m, sizeof(mi));
				memcpy(&m2i, &m2, sizeof(m2i));
				mi = (m2i & lt) | (mi & ~lt);
				memcpy(&m, &mi, sizeof(m));
			}
			e = e + lt;
			f = (m - 1.0f) / (m + 1.0f);
			f2 = f * f;
			p = (KVF){0} + 1.0f / 9;
			p = p * f2 + 1.0f / 7;
			p = p * f2 + 1.0f / 5;
			p = p * f2 + 1.0f / 3;
			ed = __builtin_convertvector(e, KVF);
			ed = ed * LN2_HI_F + (ed * LN2_LO_F + (2.0f * f + (2.0f * f) * (f2 * p)));
			memcpy(lg + i, &ed, sizeof(ed));
		}
		for (uint32_t i = 0; i < nv; i += VW) { /* f = sqrt(-2 ln s / s); (u f, v f) */
			KVF u, v, sv, lgv, r;

			LDV(sv, ls + i);
			LDV(lgv, lg + i);
			LDV(u, lu + i);
			LDV(v, lv + i);
			r = -2.0f * lgv / sv;
			for (uint32_t l = 0; l < VW; l++) /* vsqrtps (no errno: -fno-math-errno) */
				r[l] = sqrtf(r[l]);
			u = u * r;
			v = v * r;
			if (i + VW <= nb) { /* whole vectors straight out (a copy of nb floats is a rep movs) */
				memcpy(s_out + blk + i, &sv, sizeof(sv));
				memcpy(n1_out + blk + i, &u, sizeof(u));
				memcpy(n2_out + blk + i, &v, sizeof(v));
			} else { /* the last keys of a block that is not a whole number of vectors */
				memcpy(lu + i, &u, sizeof(u));
				memcpy(lv + i, &v, sizeof(v));
				for (uint32_t l = i; l < nb; l++) {
					s_out[blk + l] = ls[l];
					n1_out[blk + l] = lu[l];
					n2_out[blk + l] = lv[l];
				}
			}
		}
		rej[blk / 64] = rm;
	}
}

static void KERN(read_attempt)(const uint64_t *prefix, uint32_t index, uint32_t att, uint32_t n, float *s_out,
			       float *n1_out, float *n2_out, uint64_t *rej)
{
	uint64_t t = (((uint64_t)index << 32) | att) + GOLDEN_GAMMA;

	V_MIX64(t);
	KERN(read_core)(prefix, NULL, t, n, s_out, n1_out, n2_out, rej);
}

/* The attempts of keys of several event indices or attempt numbers (aimc_rng_read_pairs_multi):
 * as read_attempt, key i with the mixed word tk[i] = mix64((index << 32 | att) + golden gamma). */
static void KERN(read_multi)(const uint64_t *prefix, const uint64_t *tk, uint32_t n, float *s_out, float *n1_out,
			     float *n2_out, uint64_t *rej)
{
	KERN(read_core)(prefix, tk, 0, n, s_out, n1_out, n2_out, rej);
}


/* Without read noise: clipping and the ADC transfer of n columns (n a multiple of 8), 8 at a time:
 * per lane the operations of clip_current and adc_code in aimc_analog.c (not their exact path), in
 * their order. The final clamp to [lo, hi] is applied before the rounding instead of after it:
 * lo and hi are integers and the rounding is monotonic, so the code is the same; NaN reads as lo
 * as there. */
static void KERN(finish_adc)(int32_t *codes, const double *sum, const float *n2, const double *gain,
		      const double *off, uint32_t n, const aimc_fin_par *p)
{
	for (uint32_t i = 0; i + 8 <= n; i += 8) {
		aimc_v8d s, x;
		aimc_v8i m;
		aimc_v8si ip, in, mi;

		memcpy(&s, sum + i, sizeof(s));
		if (p->i_clip > 0.0) {
			V_SEL(s, s > p->i_clip, (aimc_v8d){0} + p->i_clip, s);
			V_SEL(s, s < -p->i_clip, (aimc_v8d){0} - p->i_clip, s);
		}
		x = s / p->lsb;
		if (p->adc_on) {
			aimc_v8d g, o;

			memcpy(&g, gain + i, sizeof(g));
			memcpy(&o, off + i, sizeof(o));
			x = x * g + o;
			if (p->inl_on) {
				aimc_v8d u = x * p->inv_half;

				V_SEL(u, u < -1.0, (aimc_v8d){0} - 1.0, u);
				V_SEL(u, u > 1.0, (aimc_v8d){0} + 1.0, u);
				x = x + p->inl_k * u * (1.0 - u * u);
			}
			if (p->noise_on) {
				aimc_v8f nf;

				memcpy(&nf, n2 + i, sizeof(nf));
				x = x + p->adc_noise * __builtin_convertvector(nf, aimc_v8d);
			}
		}
		V_SEL(x, x >= p->lo, x, (aimc_v8d){0} + p->lo);
		V_SEL(x, x > p->hi, (aimc_v8d){0} + p->hi, x);
		ip = __builtin_convertvector(x + 0.5, aimc_v8si);
		in = -__builtin_convertvector(-x + 0.5, aimc_v8si);
		m = x >= 0.0;
		mi = __builtin_convertvector(m, aimc_v8si);
		ip = (ip & mi) | (in & ~mi);
		memcpy(codes + i, &ip, sizeof(ip));
	}
}


/* The read-noise path in binary32 (decision 0006): per lane the operations of finish_f32 and
 * adc_code_f32 in aimc_analog.c in their order, the final clamp before the rounding as there.
 * FINF_STEP(T, TI, W) does W columns from i with float vector T and int vector TI: the copy's
 * native width first, then 8 at a time for what is left (n is a multiple of 8). */
#define FIN_SEL(T, TI, dst, mask, a, b)                                                                    \
	do {                                                                                               \
		TI m_ = (mask), a_, b_;                                                                    \
		T av_ = (a), bv_ = (b);                                                                    \
		memcpy(&a_, &av_, sizeof(a_));                                                             \
		memcpy(&b_, &bv_, sizeof(b_));                                                             \
		a_ = (a_ & m_) | (b_ & ~m_);                                                               \
		memcpy(&(dst), &a_, sizeof(a_));                                                           \
	} while (0)
#define FINF_STEP(T, TI, W)                                                                                \
	do {                                                                                               \
		T s, v, a, x, sq;                                                                          \
		TI m, ip, in;                                                                              \
                                                                                                           \
		memcpy(&s, sum + i, sizeof(s));                                                            \
		memcpy(&v, var + i, sizeof(v));                                                            \
		memcpy(&a, n1 + i, sizeof(a));                                                             \
		for (uint32_t l = 0; l < (W); l++) /* vsqrtps (no errno: -fno-math-errno) */              \
			sq[l] = sqrtf(v[l]);                                                               \
		FIN_SEL(T, TI, s, v > 0.0f, s + sq * a, s);                                                \
		if (p->i_clip > 0.0f) {                                                                    \
			FIN_SEL(T, TI, s, s > p->i_clip, (T){0} + p->i_clip, s);                           \
			FIN_SEL(T, TI, s, s < -p->i_clip, (T){0} - p->i_clip, s);                          \
		}                                                                                          \
		x = s / p->lsb;                                                                            \
		if (p->adc_on) {                                                                           \
			T g, o;                                                                            \
                                                                                                           \
			memcpy(&g, gain + i, sizeof(g));                                                   \
			memcpy(&o, off + i, sizeof(o));                                                    \
			x = x * g + o;                                                                     \
			if (p->inl_on) {                                                                   \
				T u = x * p->inv_half;                                                     \
                                                                                                           \
				FIN_SEL(T, TI, u, u < -1.0f, (T){0} - 1.0f, u);                            \
				FIN_SEL(T, TI, u, u > 1.0f, (T){0} + 1.0f, u);                             \
				x = x + p->inl_k * u * (1.0f - u * u);                                     \
			}                                                                                  \
			if (p->noise_on) {                                                                 \
				T b;                                                                       \
                                                                                                           \
				memcpy(&b, n2 + i, sizeof(b));                                             \
				x = x + p->adc_noise * b;                                          \
			}                                                                                  \
		}                                                                                          \
		FIN_SEL(T, TI, x, x >= p->lo, x, (T){0} + p->lo);                                          \
		FIN_SEL(T, TI, x, x > p->hi, (T){0} + p->hi, x);                                           \
		ip = __builtin_convertvector(x + 0.5f, TI);                                                \
		in = -__builtin_convertvector(-x + 0.5f, TI);                                              \
		m = x >= 0.0f;                                                                             \
		ip = (ip & m) | (in & ~m);                                                                 \
		memcpy(codes + i, &ip, sizeof(ip));                                                        \
	} while (0)

static void KERN(finish_adcf)(int32_t *codes, const float *sum, const float *var, const float *n1, const float *n2,
		       const float *gain, const float *off, uint32_t n, const aimc_fin_parf *p)
{
	uint32_t i = 0;

	for (; i + VW <= n; i += VW)
		FINF_STEP(KVF, KVI, VW);
	for (; i + 8 <= n; i += 8)
		FINF_STEP(aimc_v8f, aimc_v8si, 8u);
}
#undef FINF_STEP
#undef FIN_SEL
#undef READ8_UV
