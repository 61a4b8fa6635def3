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
  int32_t (*gather_steps)(char *m, int32_t T, int32_t B, int32_t D, int32_t H, uint32_t x, uint32_t hs,
                          uint32_t mask, uint32_t dz, uint32_t xt, uint32_t ht, uint32_t dzc, uint32_t db);
  void (*weight_grads_columns)(char *m, int32_t n, int32_t D, int32_t H, uint32_t xt, uint32_t ht,
                               uint32_t dzc, uint32_t dw, uint32_t du, int32_t c0, int32_t c1);
  void (*tanh_array)(char *m, uint32_t src, uint32_t dst, int32_t n);
  double (*sum_squares)(char *m, uint32_t x, int32_t n);
  void (*adam)(char *m, uint32_t p, uint32_t g, uint32_t mo, uint32_t v, int32_t n, float scale,
               float b1, float b2, float c1, float c2, float lr, float eps);
};

extern const struct lstm_kernel lstm_kernel_avx512;
extern const struct lstm_kernel lstm_kernel_avx2;
extern const struct lstm_kernel lstm_kernel_generic;
