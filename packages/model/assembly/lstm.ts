// Fused LSTM recurrence (tfjs gate order i, f, c, o; sigmoid gates, tanh cell) for @lstmkit/model.
// Compiled by scripts/build-wasm.mjs with `asc --enable simd`, and again with relaxed-simd too. No allocator: the caller lays out
// every buffer in linear memory and passes byte offsets. Buffers are time-major and padded:
// batch rows to a multiple of 4 and hidden units to a multiple of 8 (zero padding stays zero
// through the recurrence), so the matmul runs 4 x 8 register blocks with no tails.
//
//   x     [T, B, D]   inputs (D padded to a multiple of 8 as well)
//   acts  [T, B, 4H]  gate activations i, f, g, o (kept for BPTT)
//   cs    [T+1, B, H] cell states, cs[0] the initial state;  hs [T+1, B, H] likewise for h
//   mask  [T, B] f32  1 = real step, 0 = masked (output and state carried, as tfjs does)

// Eigen's rational tanh (max error ~3e-7 in f32), clamped where it saturates in f32.
// @ts-ignore: decorator
@inline function tanh4(x: v128): v128 {
  const clamp = f32x4.splat(7.90531110763549805);
  x = f32x4.max(f32x4.min(x, clamp), f32x4.neg(clamp));
  const x2 = f32x4.mul(x, x);
  let p = f32x4.splat(-2.76076847742355e-16);
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(2.00018790482477e-13));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-8.60467152213735e-11));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(5.12229709037114e-8));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(1.48572235717979e-5));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(6.37261928875436e-4));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(4.89352455891786e-3));
  p = f32x4.mul(p, x);
  let q = f32x4.splat(1.19825839466702e-6);
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(1.185347056866540e-4));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(2.26843463243900e-3));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(4.89352518554385e-3));
  return f32x4.div(p, q);
}

// @ts-ignore: decorator
@inline function sigmoid4(x: v128): v128 {
  const half = f32x4.splat(0.5);
  return f32x4.add(half, f32x4.mul(half, tanh4(f32x4.mul(half, x))));
}

/** tanh over n floats (n a multiple of 4), for tests of the approximation. */
export function tanhArray(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) v128.store(dst + (<usize>i << 2), tanh4(v128.load(src + (<usize>i << 2))));
}

/**
 * c + a·b for the matmuls: one fused multiply-add where relaxed SIMD is enabled (a hardware FMA
 * on x86 with FMA and on ARM; rounded once, so results differ from mul-then-add in the last
 * bits), else mul then add. Only the matmuls use it: adam, the activations and the data
 * movement keep their exact f32 order in both builds.
 */
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/**
 * C[4, n] += A[4, k] · B[k, n] for one block of 4 rows; n a multiple of 8. Strides in floats:
 * A's element (q, p) at a[q * rs + p * ks] (ks = 1: A row-major; rs = 1: A stored transposed).
 */
// @ts-ignore: decorator
@inline function gemm4(a: usize, rs: i32, ks: i32, b: usize, ldb: i32, c: usize, ldc: i32, n: i32, k: i32): void {
  const sa = <usize>rs << 2;
  const sk = <usize>ks << 2;
  const sb = <usize>ldb << 2;
  const sc = <usize>ldc << 2;
  for (let j = 0; j < n; j += 8) {
    const cj = c + (<usize>j << 2);
    let c00 = v128.load(cj), c01 = v128.load(cj, 16);
    let c10 = v128.load(cj + sc), c11 = v128.load(cj + sc, 16);
    let c20 = v128.load(cj + 2 * sc), c21 = v128.load(cj + 2 * sc, 16);
    let c30 = v128.load(cj + 3 * sc), c31 = v128.load(cj + 3 * sc, 16);
    let bp = b + (<usize>j << 2);
    let ap = a;
    for (let p = 0; p < k; p++) {
      const b0 = v128.load(bp);
      const b1 = v128.load(bp, 16);
      let x = v128.load32_splat(ap);
      c00 = madd(x, b0, c00);
      c01 = madd(x, b1, c01);
      x = v128.load32_splat(ap + sa);
      c10 = madd(x, b0, c10);
      c11 = madd(x, b1, c11);
      x = v128.load32_splat(ap + 2 * sa);
      c20 = madd(x, b0, c20);
      c21 = madd(x, b1, c21);
      x = v128.load32_splat(ap + 3 * sa);
      c30 = madd(x, b0, c30);
      c31 = madd(x, b1, c31);
      bp += sb;
      ap += sk;
    }
    v128.store(cj, c00); v128.store(cj, c01, 16);
    v128.store(cj + sc, c10); v128.store(cj + sc, c11, 16);
    v128.store(cj + 2 * sc, c20); v128.store(cj + 2 * sc, c21, 16);
    v128.store(cj + 3 * sc, c30); v128.store(cj + 3 * sc, c31, 16);
  }
}

/** c[n] += a[k] · B[k, n] for one row (n a multiple of 8): a block with one real row. */
// @ts-ignore: decorator
@inline function gemm1(a: usize, b: usize, ldb: i32, c: usize, n: i32, k: i32): void {
  const sb = <usize>ldb << 2;
  for (let j = 0; j < n; j += 8) {
    const cj = c + (<usize>j << 2);
    let c0 = v128.load(cj), c1 = v128.load(cj, 16);
    let bp = b + (<usize>j << 2);
    for (let p = 0; p < k; p++) {
      const x = v128.load32_splat(a + (<usize>p << 2));
      c0 = madd(x, v128.load(bp), c0);
      c1 = madd(x, v128.load(bp, 16), c1);
      bp += sb;
    }
    v128.store(cj, c0);
    v128.store(cj, c1, 16);
  }
}

/** The one real row of the 4-row block at `mask` (f32 flags), or -1 when it has more or none. */
// @ts-ignore: decorator
@inline function singleRow(mask: usize): i32 {
  let row = -1;
  for (let q = 0; q < 4; q++) {
    if (load<f32>(mask + (<usize>q << 2)) != 0) {
      if (row >= 0) return -1;
      row = q;
    }
  }
  return row;
}

// @ts-ignore: decorator
@inline function blockActive(mask: usize): bool {
  return v128.any_true(v128.load(mask));
}

/**
 * Runs steps 0..T-1. w: kernel [D, 4H], bias [4H], u: recurrent kernel [H, 4H]. With tape = 0
 * (inference) acts holds one step [B, 4H] and cs two [B, H], reused: no BPTT will read them,
 * and they stay in cache. hs always keeps every step (the outputs). Only batch rows r0..r1
 * (multiples of 4) are computed: threads take disjoint row ranges and never wait on each other.
 */
export function forward(
  T: i32, B: i32, D: i32, H: i32, x: usize, w: usize, bias: usize, u: usize,
  acts: usize, cs: usize, hs: usize, mask: usize, tape: i32, r0: i32, r1: i32,
): void {
  const G = 4 * H;
  const rowG = <usize>G << 2;
  const rowH = <usize>H << 2;
  const rowD = <usize>D << 2;
  const stepG = <usize>B * rowG;
  const stepH = <usize>B * rowH;
  for (let t = 0; t < T; t++) {
    const at = tape ? acts + <usize>t * stepG : acts;
    const cPrev = cs + <usize>(tape ? t : t & 1) * stepH;
    const cNext = cs + <usize>(tape ? t + 1 : (t + 1) & 1) * stepH;
    const hPrev = hs + <usize>t * stepH;
    const mt = mask + (<usize>(t * B) << 2);
    for (let r = r0; r < r1; r += 4) {
      if (blockActive(mt + (<usize>r << 2))) {
        const ar = at + <usize>r * rowG;
        const one = singleRow(mt + (<usize>r << 2));
        if (one >= 0) {
          // Batch 1 (predict one sentence) and ragged blocks: a quarter of the work.
          const q = r + one;
          const aq = at + <usize>q * rowG;
          memory.copy(aq, bias, rowG);
          gemm1(x + <usize>t * B * rowD + <usize>q * rowD, w, G, aq, G, D);
          gemm1(hPrev + <usize>q * rowH, u, G, aq, G, H);
        } else {
          for (let q = 0; q < 4; q++) memory.copy(ar + <usize>q * rowG, bias, rowG);
          gemm4(x + <usize>t * B * rowD + <usize>r * rowD, D, 1, w, G, ar, G, G, D);
          gemm4(hPrev + <usize>r * rowH, H, 1, u, G, ar, G, G, H);
        }
      }
    }
    for (let r = r0; r < r1; r++) {
      const cp = cPrev + <usize>r * rowH;
      const hp = hPrev + <usize>r * rowH;
      const cn = cNext + <usize>r * rowH;
      const hn = hp + stepH;
      if (load<f32>(mt + (<usize>r << 2)) == 0) {
        memory.copy(cn, cp, rowH);
        memory.copy(hn, hp, rowH);
        continue;
      }
      const g0 = at + <usize>r * rowG;
      for (let j: usize = 0; j < rowH; j += 16) {
        const gi = g0 + j;
        const i = sigmoid4(v128.load(gi));
        const f = sigmoid4(v128.load(gi + rowH));
        const g = tanh4(v128.load(gi + 2 * rowH));
        const o = sigmoid4(v128.load(gi + 3 * rowH));
        const c = f32x4.add(f32x4.mul(f, v128.load(cp + j)), f32x4.mul(i, g));
        v128.store(gi, i);
        v128.store(gi + rowH, f);
        v128.store(gi + 2 * rowH, g);
        v128.store(gi + 3 * rowH, o);
        v128.store(cn + j, c);
        v128.store(hn + j, f32x4.mul(o, tanh4(c)));
      }
    }
  }
}

/**
 * BPTT over steps T-1..0. dOut [T, B, H] is the gradient of the per-step outputs (sequences) or
 * null (0) when only dh, the gradient of the last output, is given. On return dz [T, B, 4H]
 * holds the gradient of the pre-activations (x·W + b + h·U per step), dx [T, B, D] that of the
 * inputs, and dh, dc those of the initial state. ut: the recurrent
 * kernel transposed, [4H, H]; wt: the kernel transposed, [4H, D]. Rows r0..r1 only, as forward.
 */
export function backward(
  T: i32, B: i32, D: i32, H: i32, acts: usize, cs: usize, mask: usize, ut: usize, wt: usize,
  dOut: usize, dz: usize, dx: usize, dh: usize, dc: usize, r0: i32, r1: i32,
): void {
  const rowD = <usize>D << 2;
  const G = 4 * H;
  const rowG = <usize>G << 2;
  const rowH = <usize>H << 2;
  const stepG = <usize>B * rowG;
  const stepH = <usize>B * rowH;
  const one = f32x4.splat(1);
  for (let t = T - 1; t >= 0; t--) {
    const at = acts + <usize>t * stepG;
    const dzt = dz + <usize>t * stepG;
    const cPrev = cs + <usize>t * stepH;
    const mt = mask + (<usize>(t * B) << 2);
    for (let r = r0; r < r1; r++) {
      const dhr = dh + <usize>r * rowH;
      const dcr = dc + <usize>r * rowH;
      const dzr = dzt + <usize>r * rowG;
      if (dOut != 0) {
        const dor = dOut + <usize>t * stepH + <usize>r * rowH;
        for (let j: usize = 0; j < rowH; j += 16) {
          v128.store(dhr + j, f32x4.add(v128.load(dhr + j), v128.load(dor + j)));
        }
      }
      if (load<f32>(mt + (<usize>r << 2)) == 0) {
        memory.fill(dzr, 0, rowG);
        continue;
      }
      const ar = at + <usize>r * rowG;
      const cp = cPrev + <usize>r * rowH;
      const cn = cp + stepH;
      for (let j: usize = 0; j < rowH; j += 16) {
        const i = v128.load(ar + j);
        const f = v128.load(ar + rowH + j);
        const g = v128.load(ar + 2 * rowH + j);
        const o = v128.load(ar + 3 * rowH + j);
        const tc = tanh4(v128.load(cn + j));
        const dhv = v128.load(dhr + j);
        const dcv = f32x4.add(
          v128.load(dcr + j),
          f32x4.mul(f32x4.mul(dhv, o), f32x4.sub(one, f32x4.mul(tc, tc))),
        );
        v128.store(dzr + j, f32x4.mul(f32x4.mul(dcv, g), f32x4.mul(i, f32x4.sub(one, i))));
        v128.store(
          dzr + rowH + j,
          f32x4.mul(f32x4.mul(dcv, v128.load(cp + j)), f32x4.mul(f, f32x4.sub(one, f))),
        );
        v128.store(dzr + 2 * rowH + j, f32x4.mul(f32x4.mul(dcv, i), f32x4.sub(one, f32x4.mul(g, g))));
        v128.store(dzr + 3 * rowH + j, f32x4.mul(f32x4.mul(dhv, tc), f32x4.mul(o, f32x4.sub(one, o))));
        v128.store(dcr + j, f32x4.mul(dcv, f));
        v128.store(dhr + j, f32x4.splat(0));
      }
    }
    // Active rows: dh = dz·Uᵀ (zeroed above); masked rows keep their carried dh (their dz is 0).
    // dx = dz·Wᵀ, written whole here (the caller need not zero it).
    for (let r = r0; r < r1; r += 4) {
      const dxr = dx + <usize>t * B * rowD + <usize>r * rowD;
      memory.fill(dxr, 0, 4 * rowD);
      if (blockActive(mt + (<usize>r << 2))) {
        gemm4(dzt + <usize>r * rowG, G, 1, ut, H, dh + <usize>r * rowH, H, H, G);
        gemm4(dzt + <usize>r * rowG, G, 1, wt, D, dxr, D, D, G);
      }
    }
  }
}

const WEIGHT_GRAD_ROWS = 128;

/**
 * Columns c0..c1 (multiples of 8) of dW = Σ xᵀ·dz [D, 4H], dU = Σ h_prevᵀ·dz [H, 4H] and
 * db = Σ dz [4H] (zeroed by the caller) over the n = T·B rows of a finished backward: x [n, D],
 * hs [n, H] (row t·B + r: the state before step t) and dz [n, 4H]. Masked steps have dz = 0 and
 * add nothing. Threads take disjoint columns, so every element sums its n terms in the same
 * order whatever the thread count.
 */
export function weightGradsColumns(
  n: i32, D: i32, H: i32, x: usize, hs: usize, dz: usize, dw: usize, du: usize, db: usize,
  c0: i32, c1: i32,
): void {
  const G = 4 * H;
  const rowG = <usize>G << 2;
  const cols = c1 - c0;
  const at = <usize>c0 << 2;
  // In slices of WEIGHT_GRAD_ROWS rows of dz: a slice (~200 kB at 4H = 416) stays in L2 across
  // all the row blocks of dW and dU; the whole dz (megabytes at batch 32 x 50 steps) streamed
  // in again for each block and ran at half the matmul speed.
  for (let k0 = 0; k0 < n; k0 += WEIGHT_GRAD_ROWS) {
    const kc = min(WEIGHT_GRAD_ROWS, n - k0);
    const panel = dz + <usize>k0 * rowG + at;
    for (let d = 0; d < D; d += 4) gemm4(x + (<usize>(k0 * D + d) << 2), 1, D, panel, G, dw + <usize>d * rowG + at, G, cols, kc);
    for (let j = 0; j < H; j += 4) gemm4(hs + (<usize>(k0 * H + j) << 2), 1, H, panel, G, du + <usize>j * rowG + at, G, cols, kc);
    for (let k = 0; k < kc; k++) {
      const row = panel + <usize>k * rowG;
      for (let c: usize = 0; c < (<usize>cols << 2); c += 16) {
        v128.store(db + at + c, f32x4.add(v128.load(db + at + c), v128.load(row + c)));
      }
    }
  }
}

/** Σ x² over n floats (n a multiple of 4), for the global gradient norm. */
export function sumSquares(x: usize, n: i32): f64 {
  let acc = f32x4.splat(0);
  for (let i = 0; i < n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    acc = f32x4.add(acc, f32x4.mul(v, v));
  }
  return <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) +
    <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
}

/**
 * One Adam update of floats i0..i1 (multiples of 4) in tfjs's order of f32 operations, on the
 * gradient scaled by `scale` (global-norm clipping): m = b1·m + (1-b1)·g, v = b2·v + (1-b2)·g²,
 * p = -lr · (m / c1) / (sqrt(v / c2) + eps) + keep · p, where c1 = 1 - b1^t, c2 = 1 - b2^t and
 * keep = 1 - lr · weightDecay (AdamW; 1 for Adam). settings: f32 [scale, b1, b2, c1, c2, lr, eps,
 * keep]. Threads take disjoint ranges.
 */
export function adam(p: usize, g: usize, m: usize, v: usize, settings: usize, i0: i32, i1: i32): void {
  const vScale = v128.load32_splat(settings);
  const b1 = load<f32>(settings, 4);
  const b2 = load<f32>(settings, 8);
  const vb1 = f32x4.splat(b1), vb1c = f32x4.splat(<f32>1 - b1);
  const vb2 = f32x4.splat(b2), vb2c = f32x4.splat(<f32>1 - b2);
  const vc1 = v128.load32_splat(settings + 12), vc2 = v128.load32_splat(settings + 16);
  const vlr = f32x4.neg(v128.load32_splat(settings + 20)), veps = v128.load32_splat(settings + 24);
  const vkeep = v128.load32_splat(settings + 28);
  for (let i = i0; i < i1; i += 4) {
    const at = <usize>i << 2;
    const gi = f32x4.mul(v128.load(g + at), vScale);
    const mi = f32x4.add(f32x4.mul(v128.load(m + at), vb1), f32x4.mul(gi, vb1c));
    const vi = f32x4.add(f32x4.mul(v128.load(v + at), vb2), f32x4.mul(f32x4.mul(gi, gi), vb2c));
    v128.store(m + at, mi);
    v128.store(v + at, vi);
    const step = f32x4.div(f32x4.div(mi, vc1), f32x4.add(f32x4.sqrt(f32x4.div(vi, vc2)), veps));
    v128.store(p + at, f32x4.add(f32x4.mul(step, vlr), f32x4.mul(v128.load(p + at), vkeep)));
  }
}

// ---- the fused training step's data movement (src/fused/fused-trainer.ts) ------------------

/**
 * For steps t < T and rows b < B (Bp rows per step), n floats from src's step t (T-1-t when
 * `reverse`) to dst's step t, added to what is there when `accumulate`. Strides in floats.
 */
export function copySteps(
  T: i32, B: i32, Bp: i32, n: i32, src: usize, srcStride: i32, dst: usize, dstStride: i32,
  reverse: i32, accumulate: i32,
): void {
  const bytes = <usize>n << 2;
  for (let t = 0; t < T; t++) {
    const s = reverse ? T - 1 - t : t;
    for (let b = 0; b < B; b++) {
      const from = src + (<usize>((s * Bp + b) * srcStride) << 2);
      const to = dst + (<usize>((t * Bp + b) * dstStride) << 2);
      if (accumulate) {
        for (let i: usize = 0; i < bytes; i += 4) store<f32>(to + i, load<f32>(to + i) + load<f32>(from + i));
      } else {
        memory.copy(to, from, bytes);
      }
    }
  }
}

/** dst [T, Bp, D] = the first e floats of table's rows (stride E floats) at ids [B, T] (i32). */
export function gatherEmbeddings(
  T: i32, B: i32, Bp: i32, ids: usize, table: usize, E: i32, e: i32, dst: usize, D: i32,
  reverse: i32,
): void {
  for (let t = 0; t < T; t++) {
    const s = reverse ? T - 1 - t : t;
    for (let b = 0; b < B; b++) {
      const id = load<i32>(ids + (<usize>(b * T + s) << 2));
      memory.copy(dst + (<usize>((t * Bp + b) * D) << 2), table + (<usize>(id * E) << 2), <usize>e << 2);
    }
  }
}

/** The rows of grads (stride E) at ids [B, T] += the first e floats of src [T, Bp, D]; id 0 skipped. */
export function scatterEmbeddings(
  T: i32, B: i32, Bp: i32, ids: usize, src: usize, D: i32, e: i32, grads: usize, E: i32,
  reverse: i32,
): void {
  for (let t = 0; t < T; t++) {
    const s = reverse ? T - 1 - t : t;
    for (let b = 0; b < B; b++) {
      const id = load<i32>(ids + (<usize>(b * T + t) << 2));
      if (id == 0) continue;
      const from = src + (<usize>((s * Bp + b) * D) << 2);
      const to = grads + (<usize>(id * E) << 2);
      for (let i: usize = 0; i < (<usize>e << 2); i += 4) store<f32>(to + i, load<f32>(to + i) + load<f32>(from + i));
    }
  }
}

/** n draws of xorshift32 from `state`: 0 below `threshold`, else `scale`. Returns the last state. */
export function dropoutMask(dst: usize, n: i32, state: u32, threshold: u32, scale: f32): u32 {
  for (let i = 0; i < n; i++) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    store<f32>(dst + (<usize>i << 2), state < threshold ? 0 : scale);
  }
  return state;
}

/** out = a * b over n floats. */
export function multiply(a: usize, b: usize, out: usize, n: i32): void {
  for (let i: usize = 0; i < (<usize>n << 2); i += 4) store<f32>(out + i, load<f32>(a + i) * load<f32>(b + i));
}

/** src [rows, cols] -> dst [cols, rows]. */
export function transpose(src: usize, rows: i32, cols: i32, dst: usize): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      store<f32>(dst + (<usize>(c * rows + r) << 2), load<f32>(src + (<usize>(r * cols + c) << 2)));
    }
  }
}

/** Real steps of row b in mask [T, Bp]. */
// @ts-ignore: decorator
@inline function realSteps(mask: usize, T: i32, Bp: i32, b: i32): i32 {
  let count = 0;
  for (let t = 0; t < T; t++) if (load<f32>(mask + (<usize>(t * Bp + b) << 2)) != 0) count++;
  return count;
}

/**
 * pooled [B, 2F] = the average | max of y [T, Bp, F] over each row's real steps (sums in f64);
 * rows with none stay as they are.
 */
export function poolForward(T: i32, B: i32, Bp: i32, F: i32, y: usize, mask: usize, pooled: usize): void {
  for (let b = 0; b < B; b++) {
    const count = realSteps(mask, T, Bp, b);
    if (count == 0) continue;
    const avg = pooled + (<usize>(b * 2 * F) << 2);
    for (let f = 0; f < F; f++) {
      let sum: f64 = 0;
      let max: f32 = -Infinity;
      for (let t = 0; t < T; t++) {
        if (load<f32>(mask + (<usize>(t * Bp + b) << 2)) == 0) continue;
        const v = load<f32>(y + (<usize>((t * Bp + b) * F + f) << 2));
        sum += v;
        if (v > max) max = v;
      }
      store<f32>(avg + (<usize>f << 2), <f32>(sum / count));
      store<f32>(avg + (<usize>(F + f) << 2), max);
    }
  }
}

/**
 * dy [T, Bp, F] of rows b < B: at each real step its share of the average's gradient, plus the
 * max's where y is the maximum (dFeat [B, 2F], as pooled); 0 at masked steps.
 */
export function poolBackward(
  T: i32, B: i32, Bp: i32, F: i32, y: usize, mask: usize, pooled: usize, dFeat: usize, dy: usize,
): void {
  for (let b = 0; b < B; b++) {
    const count = realSteps(mask, T, Bp, b);
    const row = <usize>(b * 2 * F) << 2;
    for (let t = 0; t < T; t++) {
      const at = <usize>((t * Bp + b) * F) << 2;
      if (load<f32>(mask + (<usize>(t * Bp + b) << 2)) == 0) {
        memory.fill(dy + at, 0, <usize>F << 2);
        continue;
      }
      for (let f = 0; f < F; f++) {
        const i = <usize>f << 2;
        const dAvg = <f64>load<f32>(dFeat + row + i) / count;
        const isMax = load<f32>(y + at + i) == load<f32>(pooled + row + (<usize>F << 2) + i);
        const dMax: f64 = isMax ? <f64>load<f32>(dFeat + row + (<usize>F << 2) + i) : 0;
        store<f32>(dy + at + i, <f32>(dAvg + dMax));
      }
    }
  }
}
