/* SPDX-License-Identifier: Apache-2.0 */
/* The vector kernels of the C model, included by aimc_kern.c once per instruction set (no include
 * guard on purpose): KERN(name) gives each copy its suffix and the including file sets the target
 * ISA. Every copy performs the same IEEE-754 operations in the same order per element (no FMA: the
 * build has -ffp-contract=off), so every copy gives the same bits; tests/unit/analog/test_simd.c
 * checks that. The GCC vector types are 64 bytes wide whatever the ISA (the compiler splits
 * them); loads and stores go through memcpy (no alignment assumed). */

/* Read noise on: the binary32 sums of every column (decision 0005). Each column adds its active
 * rows one by one in ascending order, one multiply and one add per term, exactly as
 * column_current in aimc_analog.c; four rows per sweep keep the sums in L1 while the read arrays
 * stream row by row. */
void KERN(acc_noisy)(float *sum, float *var, const float *gd, const float *rv, uint32_t cols,
		      const uint32_t *act, uint32_t n, const float *v, const float *v2)
{
	const uint32_t cv = cols & ~15u;
	uint32_t i = 0;

	memset(sum, 0, cols * sizeof(*sum));
	memset(var, 0, cols * sizeof(*var));
	/* four active rows per sweep over the columns (each column still adds them one by one, in
	 * order); the sums stay in L1, the read arrays stream row by row */
	for (; i < n; i += 4) {
		uint32_t m = n - i < 4 ? n - i : 4;
		const float *g[4], *r[4];
		float vv[4], ww[4];

		for (uint32_t j = 0; j < 4; j++) {
			uint32_t row = act[i + (j < m ? j : 0)];

			g[j] = gd + (size_t)row * cols;
			r[j] = rv + (size_t)row * cols;
			vv[j] = j < m ? v[row] : 0.0f;
			ww[j] = j < m ? v2[row] : 0.0f;
		}
		if (m < 4) { /* the last rows one at a time: no padding term is ever added */
			for (uint32_t j = 0; j < m; j++)
				for (uint32_t c = 0; c < cols; c++) {
					sum[c] += vv[j] * g[j][c];
					var[c] += ww[j] * r[j][c];
				}
			break;
		}
		for (uint32_t c = 0; c < cv; c += 16) {
			aimc_v16f s, q, x;

			LD16(s, sum + c);
			LD16(q, var + c);
			LD16(x, g[0] + c);
			s = s + vv[0] * x;
			LD16(x, g[1] + c);
			s = s + vv[1] * x;
			LD16(x, g[2] + c);
			s = s + vv[2] * x;
			LD16(x, g[3] + c);
			s = s + vv[3] * x;
			LD16(x, r[0] + c);
			q = q + ww[0] * x;
			LD16(x, r[1] + c);
			q = q + ww[1] * x;
			LD16(x, r[2] + c);
			q = q + ww[2] * x;
			LD16(x, r[3] + c);
			q = q + ww[3] * x;
			memcpy(sum + c, &s, sizeof(s));
			memcpy(var + c, &q, sizeof(q));
		}
		for (uint32_t c = cv; c < cols; c++)
			for (uint32_t j = 0; j < 4; j++) {
				sum[c] += vv[j] * g[j][c];
				var[c] += ww[j] * r[j][c];
			}
	}
}


/* The first polar attempt `att` of n keys (n a multiple of 8), 8 at a time: the hash, the
 * uniforms 2u - 1, s = u^2 + v^2 and aimc_det_log(s) with the scalar code's operations in its order
 * (integer operations are exact). Lanes with s outside (0, 1) hold garbage in lg; the caller
 * rejects them. s is normal whenever it matters (s >= 2^-104: u, v are multiples of 2^-52). */
void KERN(pairs_attempt)(const uint64_t *prefix, uint32_t index, uint32_t att, uint32_t n,
				 double *s_out, double *log_out, double *u_out, double *v_out)
{
	static const double c[] = {
		1.0 / 3,  1.0 / 5,  1.0 / 7,  1.0 / 9,  1.0 / 11, 1.0 / 13, 1.0 / 15,
		1.0 / 17, 1.0 / 19, 1.0 / 21, 1.0 / 23, 1.0 / 25, 1.0 / 27, 1.0 / 29,
	};
	const int nc = (int)(sizeof(c) / sizeof(c[0]));
	const uint64_t w = ((uint64_t)index << 32) | (2u * att);

	for (uint32_t i = 0; i + 8 <= n; i += 8) {
		aimc_v8u h, b;
		aimc_v8i e, lt;
		aimc_v8d u, v, s, m, m2, f, f2, p, ed, lr;

		memcpy(&h, prefix + i, sizeof(h));
		V_UNIFORM_PM1(u, h, w);
		V_UNIFORM_PM1(v, h, w | 1u);
		s = u * u + v * v;
		/* log(s) as aimc_det_log for a normal s > 0 (s >= 2^-104 here: u, v are multiples of
		 * 2^-52); lanes with s outside (0, 1) are recomputed by the caller */
		memcpy(&b, &s, sizeof(b));
		e = (aimc_v8i)((b >> 52) & 0x7ffu) - 1022;
		b = (b & ~(0x7ffull << 52)) | (1022ull << 52);
		memcpy(&m, &b, sizeof(m));
		lt = m < SQRT1_2; /* -1 where true */
		m2 = m * 2.0;
		{
			aimc_v8i mi, m2i;

			memcpy(&mi, &m, sizeof(mi));
			memcpy(&m2i, &m2, sizeof(m2i));
			mi = (m2i & lt) | (mi & ~lt);
			memcpy(&m, &mi, sizeof(m));
		}
		e = e + lt;
		f = (m - 1.0) / (m + 1.0);
		f2 = f * f;
		p = (aimc_v8d){0} + c[nc - 1];
		for (int j = nc - 2; j >= 0; j--)
			p = p * f2 + c[j];
		lr = 2.0 * f + (2.0 * f) * (f2 * p);
		ed = __builtin_convertvector(e, aimc_v8d);
		ed = ed * LN2_HI + (ed * LN2_LO + lr);
		memcpy(s_out + i, &s, sizeof(s));
		memcpy(log_out + i, &ed, sizeof(ed));
		memcpy(u_out + i, &u, sizeof(u));
		memcpy(v_out + i, &v, sizeof(v));
	}
}


/* Read noise, clipping and the ADC transfer of n columns (n a multiple of 8), 8 at a time: per
 * lane the operations of finish_with and adc_code in aimc_analog.c (not their exact path), in
 * their order. The final clamp to [lo, hi] is applied before the rounding instead of after it:
 * lo and hi are integers and the rounding is monotonic, so the code is the same; NaN reads as lo
 * as there. */
void KERN(finish_adc)(int32_t *codes, const double *sum, const double *var, const double *n1,
		      const double *n2, const double *gain, const double *off, uint32_t n,
		      const aimc_fin_par *p)
{
	for (uint32_t i = 0; i + 8 <= n; i += 8) {
		aimc_v8d s, v, a, x, t, sq;
		aimc_v8i m;
		aimc_v8si ip, in, mi;

		memcpy(&s, sum + i, sizeof(s));
		memcpy(&v, var + i, sizeof(v));
		memcpy(&a, n1 + i, sizeof(a));
		for (int l = 0; l < 8; l++)
			sq[l] = sqrt(v[l]);
		t = s + sq * a;
		V_SEL(s, v > 0.0, t, s);
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
				aimc_v8d b;

				memcpy(&b, n2 + i, sizeof(b));
				x = x + p->adc_noise * b;
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
