// The fused LSTM kernel of @lstmkit/model (assembly/lstm.ts there) in C: the same functions,
// arguments and memory layout (byte offsets into one buffer, time-major, batch rows padded to a
// multiple of 4, D and H to multiples of 8), so the model package drives either through one
// interface. Compiled once per instruction set (scripts/build.mjs defines LSTM_ISA and the
// target flags); kernel.h names the variants and addon.c picks one at load.
#include <string.h>

#include "kernel.h"

#define CAT2(a, b) a##_##b
#define CAT(a, b) CAT2(a, b)
#define NAME(f) CAT(f, LSTM_ISA)

// 8 floats; loads and stores through it need no alignment (the buffer is a JS ArrayBuffer).
typedef float v8 __attribute__((vector_size(32), aligned(4)));
typedef int v8i __attribute__((vector_size(32), aligned(4)));
#define LD(p) (*(const v8 *)(p))
#define ST(p, v) (*(v8 *)(p) = (v))
#define F(m, off) ((float *)((m) + (off)))

static inline v8 splat(float x) { return (v8){x, x, x, x, x, x, x, x}; }
static inline v8 select8(v8i mask, v8 a, v8 b) { return (v8)((mask & (v8i)a) | (~mask & (v8i)b)); }

// Eigen's rational tanh (max error ~3e-7 in f32), clamped where it saturates, as the wasm kernel.
static inline v8 tanh8(v8 x) {
  const v8 hi = splat(7.90531110763549805f), lo = -hi;
  x = select8(x > hi, hi, x);
  x = select8(x < lo, lo, x);
  const v8 x2 = x * x;
  v8 p = splat(-2.76076847742355e-16f);
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-8f;
  p = p * x2 + 1.48572235717979e-5f;
  p = p * x2 + 6.37261928875436e-4f;
  p = p * x2 + 4.89352455891786e-3f;
  p = p * x;
  v8 q = splat(1.19825839466702e-6f);
  q = q * x2 + 1.185347056866540e-4f;
  q = q * x2 + 2.26843463243900e-3f;
  q = q * x2 + 4.89352518554385e-3f;
  return p / q;
}

static inline v8 sigmoid8(v8 x) { return 0.5f + 0.5f * tanh8(0.5f * x); }

/** tanh over n floats (n a multiple of 4), for tests of the approximation. */
void NAME(tanh_array)(char *m, uint32_t src, uint32_t dst, int32_t n) {
  int i = 0;
  for (; i + 8 <= n; i += 8) ST(F(m, dst) + i, tanh8(LD(F(m, src) + i)));
  if (i < n) {
    float in[8] = {0}, out[8];
    memcpy(in, F(m, src) + i, (size_t)(n - i) * 4);
    ST(out, tanh8(LD(in)));
    memcpy(F(m, dst) + i, out, (size_t)(n - i) * 4);
  }
}

#ifdef __AVX512F__
// The AVX-512 build (scripts/build.mjs): the matmuls in 16-float vectors, unaligned like v8.
typedef float v16 __attribute__((vector_size(64), aligned(4)));
#define LD16(p) (*(const v16 *)(p))
#define ST16(p, v) (*(v16 *)(p) = (v))

/**
 * C[rows, 16 * nv + 8 * tail] += A[rows, k] · B[k, ...] in registers: rows x nv 16-float and
 * rows x tail 8-float accumulators (constants once inlined), as many independent FMA chains as
 * the shape gives; two FMA pipes with 4-cycle latency need 8, and 32 zmm registers hold up to 20
 * besides the row of B.
 */
static inline __attribute__((always_inline)) void block16(int rows, int nv, int tail, const float *a, int rs, int ks,
                                                          const float *b, int ldb, float *c, int ldc, int k) {
  v16 acc[4][8];
  v8 acc8[4];
  for (int q = 0; q < rows; q++) {
    for (int v = 0; v < nv; v++) acc[q][v] = LD16(c + q * ldc + 16 * v);
    if (tail) acc8[q] = LD(c + q * ldc + 16 * nv);
  }
  for (int p = 0; p < k; p++, b += ldb, a += ks) {
    v16 bv[8];
    for (int v = 0; v < nv; v++) bv[v] = LD16(b + 16 * v);
    // B is read down its rows, a cache line per vector per row: asked for 4 rows early, the lines
    // come from L2 in time (10-15% on the 4 x 64 blocks; prefetches never fault past the end).
    for (int v = 0; v < nv; v++) __builtin_prefetch(b + 4 * ldb + 16 * v);
    const v8 b8 = tail ? LD(b + 16 * nv) : splat(0);
    for (int q = 0; q < rows; q++) {
      const float x = a[q * rs];
      for (int v = 0; v < nv; v++) acc[q][v] += x * bv[v];
      if (tail) acc8[q] += x * b8;
    }
  }
  for (int q = 0; q < rows; q++) {
    for (int v = 0; v < nv; v++) ST16(c + q * ldc + 16 * v, acc[q][v]);
    if (tail) ST(c + q * ldc + 16 * nv, acc8[q]);
  }
}

/**
 * C[4, n] += A[4, k] · B[k, n] for one block of 4 rows; n a multiple of 8; strides in floats:
 * A's element (q, p) at a[q * rs + p * ks] (ks = 1: A row-major; rs = 1: A stored transposed).
 */
static inline void gemm4(const float *a, int rs, int ks, const float *b, int ldb, float *c, int ldc, int n, int k) {
  int j = 0;
  // 4 x 64 blocks, leaving 8 to 56 or 72 columns for one last block of at least 8 chains where n allows.
  for (; n - j >= 80 || n - j == 64; j += 64) block16(4, 4, 0, a, rs, ks, b + j, ldb, c + j, ldc, k);
  const float *bj = b + j;
  float *cj = c + j;
  switch ((n - j) / 8) {
  case 1: block16(4, 0, 1, a, rs, ks, bj, ldb, cj, ldc, k); break;
  case 2: block16(4, 1, 0, a, rs, ks, bj, ldb, cj, ldc, k); break;
  case 3: block16(4, 1, 1, a, rs, ks, bj, ldb, cj, ldc, k); break;
  case 4: block16(4, 2, 0, a, rs, ks, bj, ldb, cj, ldc, k); break;
  case 5: block16(4, 2, 1, a, rs, ks, bj, ldb, cj, ldc, k); break;
  case 6: block16(4, 3, 0, a, rs, ks, bj, ldb, cj, ldc, k); break;
  case 7: block16(4, 3, 1, a, rs, ks, bj, ldb, cj, ldc, k); break;
  case 9: block16(4, 4, 1, a, rs, ks, bj, ldb, cj, ldc, k); break;
  }
}

/** c[n] += a[k] · B[k, n] for one row (n a multiple of 8): 128 columns at a time, then less. */
static inline void gemm1(const float *a, const float *b, int ldb, float *c, int n, int k) {
  int j = 0;
  for (; j + 128 <= n; j += 128) block16(1, 8, 0, a, 0, 1, b + j, ldb, c + j, 0, k);
  if (j + 64 <= n) block16(1, 4, 0, a, 0, 1, b + j, ldb, c + j, 0, k), j += 64;
  if (j + 32 <= n) block16(1, 2, 0, a, 0, 1, b + j, ldb, c + j, 0, k), j += 32;
  if (j + 16 <= n) block16(1, 1, 0, a, 0, 1, b + j, ldb, c + j, 0, k), j += 16;
  if (j < n) block16(1, 0, 1, a, 0, 1, b + j, ldb, c + j, 0, k);
}
#else
/**
 * C[4, n] += A[4, k] · B[k, n] for one block of 4 rows; n a multiple of 8; strides in floats:
 * A's element (q, p) at a[q * rs + p * ks] (ks = 1: A row-major; rs = 1: A stored transposed).
 * 4 x 16 register blocks (8 independent FMA chains, what two FMA pipes with 4-cycle latency
 * need), then a 4 x 8 tail.
 */
static inline void gemm4(const float *a, int rs, int ks, const float *b, int ldb, float *c, int ldc, int n, int k) {
  int j = 0;
  for (; j + 16 <= n; j += 16) {
    float *cj = c + j;
    v8 c00 = LD(cj), c01 = LD(cj + 8);
    v8 c10 = LD(cj + ldc), c11 = LD(cj + ldc + 8);
    v8 c20 = LD(cj + 2 * ldc), c21 = LD(cj + 2 * ldc + 8);
    v8 c30 = LD(cj + 3 * ldc), c31 = LD(cj + 3 * ldc + 8);
    const float *bp = b + j, *ap = a;
    for (int p = 0; p < k; p++, bp += ldb, ap += ks) {
      const v8 b0 = LD(bp), b1 = LD(bp + 8);
      v8 x = splat(ap[0]);
      c00 += x * b0, c01 += x * b1;
      x = splat(ap[rs]);
      c10 += x * b0, c11 += x * b1;
      x = splat(ap[2 * rs]);
      c20 += x * b0, c21 += x * b1;
      x = splat(ap[3 * rs]);
      c30 += x * b0, c31 += x * b1;
    }
    ST(cj, c00), ST(cj + 8, c01);
    ST(cj + ldc, c10), ST(cj + ldc + 8, c11);
    ST(cj + 2 * ldc, c20), ST(cj + 2 * ldc + 8, c21);
    ST(cj + 3 * ldc, c30), ST(cj + 3 * ldc + 8, c31);
  }
  for (; j < n; j += 8) {
    float *cj = c + j;
    v8 c0 = LD(cj), c1 = LD(cj + ldc), c2 = LD(cj + 2 * ldc), c3 = LD(cj + 3 * ldc);
    const float *bp = b + j, *ap = a;
    for (int p = 0; p < k; p++, bp += ldb, ap += ks) {
      const v8 b0 = LD(bp);
      c0 += splat(ap[0]) * b0;
      c1 += splat(ap[rs]) * b0;
      c2 += splat(ap[2 * rs]) * b0;
      c3 += splat(ap[3 * rs]) * b0;
    }
    ST(cj, c0), ST(cj + ldc, c1), ST(cj + 2 * ldc, c2), ST(cj + 3 * ldc, c3);
  }
}

/** c[n] += a[k] · B[k, n] for one row (n a multiple of 8): 32 columns at a time, then 8. */
static inline void gemm1(const float *a, const float *b, int ldb, float *c, int n, int k) {
  int j = 0;
  for (; j + 32 <= n; j += 32) {
    v8 c0 = LD(c + j), c1 = LD(c + j + 8), c2 = LD(c + j + 16), c3 = LD(c + j + 24);
    const float *bp = b + j;
    for (int p = 0; p < k; p++, bp += ldb) {
      const v8 x = splat(a[p]);
      c0 += x * LD(bp), c1 += x * LD(bp + 8), c2 += x * LD(bp + 16), c3 += x * LD(bp + 24);
    }
    ST(c + j, c0), ST(c + j + 8, c1), ST(c + j + 16, c2), ST(c + j + 24, c3);
  }
  for (; j < n; j += 8) {
    v8 c0 = LD(c + j);
    const float *bp = b + j;
    for (int p = 0; p < k; p++, bp += ldb) c0 += splat(a[p]) * LD(bp);
    ST(c + j, c0);
  }
}

#endif

/** The one real row of the 4-row block at `mask`, or -1 when it has more or none. */
static inline int single_row(const float *mask) {
  int row = -1;
  for (int q = 0; q < 4; q++) {
    if (mask[q] != 0) {
      if (row >= 0) return -1;
      row = q;
    }
  }
  return row;
}

static inline int block_active(const float *mask) {
  return mask[0] != 0 || mask[1] != 0 || mask[2] != 0 || mask[3] != 0;
}

/** assembly/lstm.ts `forward`: steps 0..T-1 of rows r0..r1 (multiples of 4). */
void NAME(forward)(char *m, int32_t T, int32_t B, int32_t D, int32_t H, uint32_t x, uint32_t w,
                   uint32_t bias, uint32_t u, uint32_t acts, uint32_t cs, uint32_t hs, uint32_t mask,
                   int32_t tape, int32_t r0, int32_t r1) {
  const int G = 4 * H;
  const size_t stepG = (size_t)B * G, stepH = (size_t)B * H;
  const float *X = F(m, x), *W = F(m, w), *bi = F(m, bias), *U = F(m, u), *M = F(m, mask);
  float *A = F(m, acts), *C = F(m, cs), *Hs = F(m, hs);
  for (int t = 0; t < T; t++) {
    float *at = tape ? A + t * stepG : A;
    const float *cPrev = C + (tape ? t : t & 1) * stepH;
    float *cNext = C + (tape ? t + 1 : (t + 1) & 1) * stepH;
    const float *hPrev = Hs + t * stepH;
    const float *mt = M + (size_t)t * B;
    const float *xt = X + (size_t)t * B * D;
    for (int r = r0; r < r1; r += 4) {
      if (!block_active(mt + r)) continue;
      const int one = single_row(mt + r);
      if (one >= 0) {
        const int q = r + one;
        float *aq = at + (size_t)q * G;
        memcpy(aq, bi, (size_t)G * 4);
        gemm1(xt + (size_t)q * D, W, G, aq, G, D);
        gemm1(hPrev + (size_t)q * H, U, G, aq, G, H);
      } else {
        float *ar = at + (size_t)r * G;
        for (int q = 0; q < 4; q++) memcpy(ar + q * G, bi, (size_t)G * 4);
        gemm4(xt + (size_t)r * D, D, 1, W, G, ar, G, G, D);
        gemm4(hPrev + (size_t)r * H, H, 1, U, G, ar, G, G, H);
      }
    }
    for (int r = r0; r < r1; r++) {
      const float *cp = cPrev + (size_t)r * H, *hp = hPrev + (size_t)r * H;
      float *cn = cNext + (size_t)r * H, *hn = (float *)hp + stepH;
      if (mt[r] == 0) {
        memcpy(cn, cp, (size_t)H * 4);
        memcpy(hn, hp, (size_t)H * 4);
        continue;
      }
      float *g0 = at + (size_t)r * G;
      for (int j = 0; j < H; j += 8) {
        float *gi = g0 + j;
        const v8 i = sigmoid8(LD(gi)), f = sigmoid8(LD(gi + H)), g = tanh8(LD(gi + 2 * H)),
                 o = sigmoid8(LD(gi + 3 * H));
        const v8 c = f * LD(cp + j) + i * g;
        ST(gi, i), ST(gi + H, f), ST(gi + 2 * H, g), ST(gi + 3 * H, o);
        ST(cn + j, c);
        ST(hn + j, o * tanh8(c));
      }
    }
  }
}

/** assembly/lstm.ts `backward`: BPTT over steps T-1..0 of rows r0..r1. */
void NAME(backward)(char *m, int32_t T, int32_t B, int32_t D, int32_t H, uint32_t acts, uint32_t cs,
                    uint32_t mask, uint32_t ut, uint32_t wt, uint32_t dOut, uint32_t dz, uint32_t dx,
                    uint32_t dh, uint32_t dc, int32_t r0, int32_t r1) {
  const int G = 4 * H;
  const size_t stepG = (size_t)B * G, stepH = (size_t)B * H;
  const float *A = F(m, acts), *C = F(m, cs), *M = F(m, mask), *UT = F(m, ut), *WT = F(m, wt);
  const float *DO = dOut != 0 ? F(m, dOut) : 0;
  float *DZ = F(m, dz), *DX = F(m, dx), *DH = F(m, dh), *DC = F(m, dc);
  const v8 one = splat(1);
  for (int t = T - 1; t >= 0; t--) {
    const float *at = A + t * stepG;
    float *dzt = DZ + t * stepG;
    const float *cPrev = C + t * stepH;
    const float *mt = M + (size_t)t * B;
    for (int r = r0; r < r1; r++) {
      float *dhr = DH + (size_t)r * H, *dcr = DC + (size_t)r * H, *dzr = dzt + (size_t)r * G;
      if (DO != 0) {
        const float *dor = DO + t * stepH + (size_t)r * H;
        for (int j = 0; j < H; j += 8) ST(dhr + j, LD(dhr + j) + LD(dor + j));
      }
      if (mt[r] == 0) {
        memset(dzr, 0, (size_t)G * 4);
        continue;
      }
      const float *ar = at + (size_t)r * G, *cp = cPrev + (size_t)r * H, *cn = cp + stepH;
      for (int j = 0; j < H; j += 8) {
        const v8 i = LD(ar + j), f = LD(ar + H + j), g = LD(ar + 2 * H + j), o = LD(ar + 3 * H + j);
        const v8 tc = tanh8(LD(cn + j));
        const v8 dhv = LD(dhr + j);
        const v8 dcv = LD(dcr + j) + (dhv * o) * (one - tc * tc);
        ST(dzr + j, (dcv * g) * (i * (one - i)));
        ST(dzr + H + j, (dcv * LD(cp + j)) * (f * (one - f)));
        ST(dzr + 2 * H + j, (dcv * i) * (one - g * g));
        ST(dzr + 3 * H + j, (dhv * tc) * (o * (one - o)));
        ST(dcr + j, dcv * f);
        ST(dhr + j, splat(0));
      }
    }
    // Active rows: dh = dz·Uᵀ (zeroed above); masked rows keep their carried dh (their dz is 0).
    // dx = dz·Wᵀ, written whole here (the caller need not zero it).
    for (int r = r0; r < r1; r += 4) {
      float *dxr = DX + ((size_t)t * B + r) * D;
      memset(dxr, 0, (size_t)4 * D * 4);
      if (!block_active(mt + r)) continue;
      gemm4(dzt + (size_t)r * G, G, 1, UT, H, DH + (size_t)r * H, H, H, G);
      gemm4(dzt + (size_t)r * G, G, 1, WT, D, dxr, D, D, G);
    }
  }
}

#define WEIGHT_GRAD_ROWS 128

/**
 * assembly/lstm.ts `weightGradsColumns`: columns c0..c1 of dW = Σ xᵀ·dz, dU = Σ h_prevᵀ·dz and
 * db = Σ dz (zeroed by the caller) over n rows of x [n, D], hs [n, H] and dz [n, 4H].
 */
void NAME(weight_grads_columns)(char *m, int32_t n, int32_t D, int32_t H, uint32_t x, uint32_t hs,
                                uint32_t dz, uint32_t dw, uint32_t du, uint32_t db, int32_t c0, int32_t c1) {
  const int G = 4 * H, cols = c1 - c0;
  const float *X = F(m, x), *HS = F(m, hs), *DZ = F(m, dz);
  float *DW = F(m, dw), *DU = F(m, du), *DB = F(m, db) + c0;
  // Slices of dz that stay in L2 across all the row blocks of dW and dU, as the wasm kernel.
  for (int k0 = 0; k0 < n; k0 += WEIGHT_GRAD_ROWS) {
    const int kc = n - k0 < WEIGHT_GRAD_ROWS ? n - k0 : WEIGHT_GRAD_ROWS;
    const float *panel = DZ + (size_t)k0 * G + c0;
    for (int d = 0; d < D; d += 4) gemm4(X + (size_t)k0 * D + d, 1, D, panel, G, DW + (size_t)d * G + c0, G, cols, kc);
    for (int j = 0; j < H; j += 4) gemm4(HS + (size_t)k0 * H + j, 1, H, panel, G, DU + (size_t)j * G + c0, G, cols, kc);
    for (int k = 0; k < kc; k++) {
      for (int c = 0; c < cols; c += 8) ST(DB + c, LD(DB + c) + LD(panel + (size_t)k * G + c));
    }
  }
}

/** Σ x² over n floats (n a multiple of 4). */
double NAME(sum_squares)(char *m, uint32_t x, int32_t n) {
  const float *X = F(m, x);
  v8 acc = splat(0);
  int i = 0;
  for (; i + 8 <= n; i += 8) acc += LD(X + i) * LD(X + i);
  double sum = 0;
  for (int l = 0; l < 8; l++) sum += acc[l];
  for (; i < n; i++) sum += X[i] * X[i];
  return sum;
}

/**
 * assembly/lstm.ts `adam` over floats i0..i1, in tfjs's order of f32 operations: no fused
 * multiply-adds here (the rest of the file lets GCC contract a*b+c into one; the matmuls want
 * that). settings: f32 [scale, b1, b2, c1, c2, lr, eps, keep].
 */
__attribute__((optimize("fp-contract=off"))) void NAME(adam)(char *m, uint32_t p, uint32_t g, uint32_t mo,
                                                             uint32_t v, uint32_t settings, int32_t i0,
                                                             int32_t i1) {
  float *P = F(m, p), *M1 = F(m, mo), *V = F(m, v);
  const float *Gr = F(m, g), *S = F(m, settings);
  const float scale = S[0], b1 = S[1], b2 = S[2], c1 = S[3], c2 = S[4], lr = S[5], eps = S[6], keep = S[7];
  const float b1c = 1 - b1, b2c = 1 - b2;
  for (int i = i0; i < i1; i++) {
    const float gi = Gr[i] * scale;
    const float mi = M1[i] * b1 + gi * b1c;
    const float vi = V[i] * b2 + (gi * gi) * b2c;
    M1[i] = mi;
    V[i] = vi;
    const float step = (mi / c1) / (__builtin_sqrtf(vi / c2) + eps);
    P[i] = step * -lr + P[i] * keep;
  }
}

// ---- the fused training step's data movement (@lstmkit/model fused-trainer.ts) -------------

/**
 * assembly/lstm.ts `copySteps`: for steps t < T and rows b < B (Bp rows per step), n floats from
 * src's step t (T-1-t when `reverse`) to dst's step t, added when `accumulate`; strides in floats.
 */
void NAME(copy_steps)(char *m, int32_t T, int32_t B, int32_t Bp, int32_t n, uint32_t src, int32_t srcStride,
                      uint32_t dst, int32_t dstStride, int32_t reverse, int32_t accumulate) {
  for (int t = 0; t < T; t++) {
    const int s = reverse ? T - 1 - t : t;
    for (int b = 0; b < B; b++) {
      const float *from = F(m, src) + ((size_t)s * Bp + b) * srcStride;
      float *to = F(m, dst) + ((size_t)t * Bp + b) * dstStride;
      if (accumulate) {
        for (int i = 0; i < n; i++) to[i] += from[i];
      } else {
        memmove(to, from, (size_t)n * 4);
      }
    }
  }
}

/** assembly/lstm.ts `gatherEmbeddings`: dst [T, Bp, D] = rows e of table (stride E) at ids [B, T]. */
void NAME(gather_embeddings)(char *m, int32_t T, int32_t B, int32_t Bp, uint32_t ids, uint32_t table, int32_t E,
                             int32_t e, uint32_t dst, int32_t D, int32_t reverse) {
  const int32_t *I = (const int32_t *)(m + ids);
  for (int t = 0; t < T; t++) {
    const int s = reverse ? T - 1 - t : t;
    for (int b = 0; b < B; b++) {
      memcpy(F(m, dst) + ((size_t)t * Bp + b) * D, F(m, table) + (size_t)I[b * T + s] * E, (size_t)e * 4);
    }
  }
}

/** assembly/lstm.ts `scatterEmbeddings`: grads rows (stride E) at ids [B, T] += src [T, Bp, D], id 0 skipped. */
void NAME(scatter_embeddings)(char *m, int32_t T, int32_t B, int32_t Bp, uint32_t ids, uint32_t src, int32_t D,
                              int32_t e, uint32_t grads, int32_t E, int32_t reverse) {
  const int32_t *I = (const int32_t *)(m + ids);
  for (int t = 0; t < T; t++) {
    const int s = reverse ? T - 1 - t : t;
    for (int b = 0; b < B; b++) {
      const int32_t id = I[b * T + t];
      if (id == 0) continue;
      const float *from = F(m, src) + ((size_t)s * Bp + b) * D;
      float *to = F(m, grads) + (size_t)id * E;
      for (int i = 0; i < e; i++) to[i] += from[i];
    }
  }
}

/**
 * assembly/lstm.ts `dropoutMask`: n draws of xorshift32 from `state`, 0 below `threshold` and
 * `scale` otherwise; returns the state after the last draw.
 */
uint32_t NAME(dropout_mask)(char *m, uint32_t dst, int32_t n, uint32_t state, uint32_t threshold, float scale) {
  float *out = F(m, dst);
  for (int i = 0; i < n; i++) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    out[i] = state < threshold ? 0 : scale;
  }
  return state;
}

/** assembly/lstm.ts `multiply`: out = a * b over n floats. */
void NAME(multiply)(char *m, uint32_t a, uint32_t b, uint32_t out, int32_t n) {
  const float *A = F(m, a), *Bv = F(m, b);
  float *O = F(m, out);
  for (int i = 0; i < n; i++) O[i] = A[i] * Bv[i];
}

/** assembly/lstm.ts `transpose`: src [rows, cols] -> dst [cols, rows]. */
void NAME(transpose)(char *m, uint32_t src, int32_t rows, int32_t cols, uint32_t dst) {
  const float *S = F(m, src);
  float *Dt = F(m, dst);
  // Blocks of 8 x 8: both sides stay within a few cache lines.
  for (int rb = 0; rb < rows; rb += 8) {
    for (int cb = 0; cb < cols; cb += 8) {
      const int re = rb + 8 < rows ? rb + 8 : rows, ce = cb + 8 < cols ? cb + 8 : cols;
      for (int c = cb; c < ce; c++) {
        for (int r = rb; r < re; r++) Dt[(size_t)c * rows + r] = S[(size_t)r * cols + c];
      }
    }
  }
}

/**
 * assembly/lstm.ts `poolForward`: pooled [B, 2F] = the average | max of y [T, Bp, F] over each
 * row's real steps (sums in f64, as the JS it replaced); rows with none stay as they are.
 */
void NAME(pool_forward)(char *m, int32_t T, int32_t B, int32_t Bp, int32_t Fn, uint32_t y, uint32_t mask,
                        uint32_t pooled) {
  const float *Y = F(m, y), *M = F(m, mask);
  enum { CHUNK = 256 };
  for (int b = 0; b < B; b++) {
    int count = 0;
    for (int t = 0; t < T; t++) count += M[(size_t)t * Bp + b] != 0;
    if (count == 0) continue;
    float *avg = F(m, pooled) + (size_t)b * 2 * Fn, *max = avg + Fn;
    for (int f0 = 0; f0 < Fn; f0 += CHUNK) {
      const int n = Fn - f0 < CHUNK ? Fn - f0 : CHUNK;
      double sum[CHUNK];
      float best[CHUNK];
      for (int i = 0; i < n; i++) sum[i] = 0, best[i] = -__builtin_inff();
      for (int t = 0; t < T; t++) {
        if (M[(size_t)t * Bp + b] == 0) continue;
        const float *row = Y + ((size_t)t * Bp + b) * Fn + f0;
        for (int i = 0; i < n; i++) {
          sum[i] += row[i];
          best[i] = row[i] > best[i] ? row[i] : best[i];
        }
      }
      for (int i = 0; i < n; i++) avg[f0 + i] = (float)(sum[i] / count), max[f0 + i] = best[i];
    }
  }
}

/**
 * assembly/lstm.ts `poolBackward`: dy [T, Bp, F] of rows b < B: at each real step its share of
 * the average's gradient, plus the max's where y is the maximum (dFeat [B, 2F], as pooled); 0 at
 * masked steps.
 */
void NAME(pool_backward)(char *m, int32_t T, int32_t B, int32_t Bp, int32_t Fn, uint32_t y, uint32_t mask,
                         uint32_t pooled, uint32_t dfeat, uint32_t dy) {
  const float *Y = F(m, y), *M = F(m, mask);
  for (int b = 0; b < B; b++) {
    int count = 0;
    for (int t = 0; t < T; t++) count += M[(size_t)t * Bp + b] != 0;
    const float *dAvg = F(m, dfeat) + (size_t)b * 2 * Fn, *dMax = dAvg + Fn;
    const float *max = F(m, pooled) + (size_t)b * 2 * Fn + Fn;
    for (int t = 0; t < T; t++) {
      const float *row = Y + ((size_t)t * Bp + b) * Fn;
      float *out = F(m, dy) + ((size_t)t * Bp + b) * Fn;
      if (M[(size_t)t * Bp + b] == 0) {
        memset(out, 0, (size_t)Fn * 4);
        continue;
      }
      for (int f = 0; f < Fn; f++) {
        out[f] = (float)((double)dAvg[f] / count + (row[f] == max[f] ? (double)dMax[f] : 0.0));
      }
    }
  }
}

#define STR2(x) #x
#define STR(x) STR2(x)
const struct lstm_kernel CAT(lstm_kernel, LSTM_ISA) = {
    STR(LSTM_ISA),          NAME(forward),           NAME(backward),          NAME(weight_grads_columns),
    NAME(tanh_array),       NAME(sum_squares),       NAME(adam),              NAME(copy_steps),
    NAME(gather_embeddings), NAME(scatter_embeddings), NAME(dropout_mask),     NAME(multiply),
    NAME(transpose),        NAME(pool_forward),      NAME(pool_backward),
};
