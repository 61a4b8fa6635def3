// The kernel's functions (src/lstm.c), one table per instruction set it is compiled for.
#pragma once
#include <stdint.h>

struct lstm_kernel {
  const char *isa;
  void (*forward)(char *m, int32_t T, int32_t B, int32_t D, int32_t H, uint32_t x, uint32_t w,
                  uint32_t bias, uint32_t u, uint32_t acts, uint32_t cs, uint32_t hs, uint32_t mask,
                  int32_t tape, int32_t r0, int32_t r1);
  void (*backward)(char *m, int32_t T, int32_t B, int32_t D, int32_t H, uint32_t acts, uint32_t cs,
                   uint32_t mask, uint32_t ut, uint32_t wt, uint32_t dOut, uint32_t dz, uint32_t dx,
                   uint32_t dh, uint32_t dc, int32_t r0, int32_t r1);
  void (*weight_grads_columns)(char *m, int32_t n, int32_t D, int32_t H, uint32_t x, uint32_t hs,
                               uint32_t dz, uint32_t dw, uint32_t du, uint32_t db, int32_t c0, int32_t c1);
  void (*tanh_array)(char *m, uint32_t src, uint32_t dst, int32_t n);
  double (*sum_squares)(char *m, uint32_t x, int32_t n);
  void (*adam)(char *m, uint32_t p, uint32_t g, uint32_t mo, uint32_t v, uint32_t settings, int32_t i0,
               int32_t i1);
  void (*copy_steps)(char *m, int32_t T, int32_t B, int32_t Bp, int32_t n, uint32_t src, int32_t srcStride,
                     uint32_t dst, int32_t dstStride, int32_t reverse, int32_t accumulate);
  void (*gather_embeddings)(char *m, int32_t T, int32_t B, int32_t Bp, uint32_t ids, uint32_t table, int32_t E,
                            int32_t e, uint32_t dst, int32_t D, int32_t reverse);
  void (*scatter_embeddings)(char *m, int32_t T, int32_t B, int32_t Bp, uint32_t ids, uint32_t src, int32_t D,
                             int32_t e, uint32_t grads, int32_t E, int32_t reverse);
  uint32_t (*dropout_mask)(char *m, uint32_t dst, int32_t n, uint32_t state, uint32_t threshold, float scale);
  void (*multiply)(char *m, uint32_t a, uint32_t b, uint32_t out, int32_t n);
  void (*transpose)(char *m, uint32_t src, int32_t rows, int32_t cols, uint32_t dst);
  void (*pool_forward)(char *m, int32_t T, int32_t B, int32_t Bp, int32_t F, uint32_t y, uint32_t mask,
                       uint32_t pooled);
  void (*pool_backward)(char *m, int32_t T, int32_t B, int32_t Bp, int32_t F, uint32_t y, uint32_t mask,
                        uint32_t pooled, uint32_t dfeat, uint32_t dy);
};

extern const struct lstm_kernel lstm_kernel_avx512;
extern const struct lstm_kernel lstm_kernel_avx2;
extern const struct lstm_kernel lstm_kernel_generic;
