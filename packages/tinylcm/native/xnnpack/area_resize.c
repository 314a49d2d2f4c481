// TinyMLOps' area resize (packages/tinylcm/src/features/area-resize.ts) in C for camera-size
// frames: the same integer weights (computed in TypeScript and handed over), the same sums
// S = Σ Wy·Wx·pixel, the same rounding ⌊(2S + D) / 2D⌋, so the bytes are identical (tested).
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "area_resize.h"
#include "napi_read.h"

typedef struct {
  uint32_t sw, sh, dw, dh, c;
  int32_t *xf, *xn, *xo, *xw, *yf, *yn, *yo, *yw; // first, count, offset, weight per axis
  uint32_t* vrow; // one output row's vertical sums, at input width
  double d, inv2d;
} Resizer;

static void resizer_free(napi_env env, void* data, void* hint) {
  (void)env, (void)hint;
  Resizer* z = data;
  int32_t* arrays[] = {z->xf, z->xn, z->xo, z->xw, z->yf, z->yn, z->yo, z->yw};
  for (int i = 0; i < 8; i++) free(arrays[i]);
  free(z->vrow), free(z);
}

static int32_t* copy_i32(napi_env env, napi_value v, size_t* n) {
  size_t bytes = 0;
  const int32_t* src = typed_array_data(env, v, &bytes);
  if (!src) return NULL;
  int32_t* dst = malloc(bytes ? bytes : 4);
  if (dst) memcpy(dst, src, bytes);
  if (n) *n = bytes / 4;
  return dst;
}

// ⌊(2S + D) / 2D⌋ by multiplying with 1/2D: its error (< 2^-44 here) is smaller than the 2^-30
// nudge, which is smaller than the gap 1/2D (D < 2^24) between a value and the integer above.
static inline uint8_t rounded(const Resizer* z, uint32_t s) {
  return (uint8_t)((2.0 * s + z->d) * z->inv2d + 0x1p-30);
}

// Vertical first: the weighted sum of the output row's input rows (contiguous, vectorisable),
// then the horizontal sums of that one row. Integer sums are exact, so the order changes nothing.
static void resize(Resizer* z, const uint8_t* src, uint8_t* dst) {
  const size_t in_len = (size_t)z->sw * z->c;
  const uint32_t c = z->c;
  uint32_t* v = z->vrow;
  for (uint32_t i = 0; i < z->dh; i++) {
    const int32_t* wy = z->yw + z->yo[i];
    const uint8_t* r0 = src + (size_t)z->yf[i] * in_len;
    const uint32_t w0 = (uint32_t)wy[0];
    for (size_t j = 0; j < in_len; j++) v[j] = w0 * r0[j];
    for (int32_t k = 1; k < z->yn[i]; k++) {
      const uint8_t* rk = r0 + (size_t)k * in_len;
      const uint32_t wk = (uint32_t)wy[k];
      for (size_t j = 0; j < in_len; j++) v[j] += wk * rk[j];
    }
    uint8_t* out = dst + (size_t)i * z->dw * c;
    for (uint32_t x = 0; x < z->dw; x++) {
      const uint32_t* p = v + (size_t)z->xf[x] * c;
      const int32_t* wx = z->xw + z->xo[x];
      const int32_t n = z->xn[x];
      if (c == 3) {
        uint32_t s0 = 0, s1 = 0, s2 = 0;
        for (int32_t k = 0; k < n; k++) {
          const uint32_t w = (uint32_t)wx[k];
          s0 += w * p[3 * k], s1 += w * p[3 * k + 1], s2 += w * p[3 * k + 2];
        }
        out[3 * x] = rounded(z, s0), out[3 * x + 1] = rounded(z, s1), out[3 * x + 2] = rounded(z, s2);
        continue;
      }
      for (uint32_t ch = 0; ch < c; ch++) {
        uint32_t s = 0;
        for (int32_t k = 0; k < n; k++) s += (uint32_t)wx[k] * p[k * c + ch];
        out[x * c + ch] = rounded(z, s);
      }
    }
  }
}

// areaResizerCreate(size: [sw, sh, dw, dh, c], x: [first, count, offset, weight], y: same) → handle.
napi_value area_resizer_create(napi_env env, napi_callback_info info) {
  size_t argc = 3, nsize = 0;
  napi_value argv[3], handle;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  const int32_t* size = typed_array_data(env, argv[0], &nsize);
  Resizer* z = calloc(1, sizeof(Resizer));
  const char* err = NULL;
  if (!size || nsize != 5 * 4) err = "size must be an Int32Array [sw, sh, dw, dh, c]";
  else {
    z->sw = size[0], z->sh = size[1], z->dw = size[2], z->dh = size[3], z->c = size[4];
    int32_t** axis[2][4] = {{&z->xf, &z->xn, &z->xo, &z->xw}, {&z->yf, &z->yn, &z->yo, &z->yw}};
    for (int a = 0; a < 2 && !err; a++)
      for (int k = 0; k < 4 && !err; k++)
        if (!(*axis[a][k] = copy_i32(env, array_at(env, argv[1 + a], k), NULL))) err = "weights must be Int32Arrays";
    z->d = (double)z->sw * z->sh;
    if (!err && 255.0 * z->d >= 4294967296.0) err = "frame too large for 32-bit sums";
    z->inv2d = 1.0 / (2.0 * z->d);
    z->vrow = calloc((size_t)z->sw * z->c, sizeof(uint32_t));
  }
  if (err) {
    resizer_free(env, z, NULL);
    napi_throw_error(env, "RESIZE", err);
    return NULL;
  }
  napi_create_external(env, z, resizer_free, NULL, &handle);
  return handle;
}

// areaResizerRun(handle, src: Uint8Array [sh·sw·c], dst: Uint8Array [dh·dw·c]).
napi_value area_resizer_run(napi_env env, napi_callback_info info) {
  size_t argc = 3, sb = 0, db = 0;
  napi_value argv[3];
  Resizer* z = NULL;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_value_external(env, argv[0], (void**)&z);
  const uint8_t* src = typed_array_data(env, argv[1], &sb);
  uint8_t* dst = typed_array_data(env, argv[2], &db);
  if (!z || !src || !dst || sb != (size_t)z->sw * z->sh * z->c || db != (size_t)z->dw * z->dh * z->c) {
    napi_throw_error(env, "RESIZE", "areaResizerRun: wrong handle or buffer sizes");
    return NULL;
  }
  resize(z, src, dst);
  return NULL;
}

// An integer upscale (area-resize.ts' replicatingResizer): every output pixel is a copy of one input
// pixel. Builds each output row once and copies it into the rows that repeat it. With one input
// channel and three output channels it also makes gray RGB (what the preprocessing needs for a gray
// frame and an RGB model), so no intermediate RGB frame is written.
static void replicate(const uint8_t* src, const int32_t* d, uint8_t* dst) {
  const size_t sw = d[0], sh = d[1], cin = d[2], dw = d[3], dh = d[4], cout = d[5];
  const size_t fx = dw / sw, fy = dh / sh, row = dw * cout;
  for (size_t r = 0; r < sh; r++) {
    uint8_t* first = dst + r * fy * row;
    uint8_t* o = first;
    for (size_t x = 0; x < sw; x++) {
      const uint8_t* s = src + (r * sw + x) * cin;
      uint8_t px[4] = {s[0], s[cin > 1 ? 1 : 0], s[cin > 2 ? 2 : 0], s[cin > 3 ? 3 : 0]};
      if (cout == 3)
        for (size_t k = 0; k < fx; k++, o += 3) o[0] = px[0], o[1] = px[1], o[2] = px[2];
      else
        for (size_t k = 0; k < fx; k++)
          for (size_t ch = 0; ch < cout; ch++) *o++ = px[ch];
    }
    for (size_t k = 1; k < fy; k++) memcpy(first + k * row, first, row);
  }
}

// replicate(dims: Int32Array [srcW, srcH, srcC, dstW, dstH, dstC], src, dst): an integer upscale,
// srcC = dstC (1–4) or gray to RGB (1 → 3).
napi_value replicate_run(napi_env env, napi_callback_info info) {
  size_t argc = 3, nb = 0, sb = 0, db = 0;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  const int32_t* d = typed_array_data(env, argv[0], &nb);
  const uint8_t* src = typed_array_data(env, argv[1], &sb);
  uint8_t* dst = typed_array_data(env, argv[2], &db);
  int ok = d && src && dst && nb == 6 * sizeof(int32_t);
  for (int i = 0; ok && i < 6; i++) ok = d[i] > 0;
  ok = ok && (d[2] == d[5] || (d[2] == 1 && d[5] == 3)) && d[5] <= 4 && d[3] % d[0] == 0 && d[4] % d[1] == 0;
  if (!ok || sb != (size_t)d[0] * d[1] * d[2] || db != (size_t)d[3] * d[4] * d[5]) {
    napi_throw_error(env, "RESIZE", "replicate: wrong sizes, channels or buffer lengths");
    return NULL;
  }
  replicate(src, d, dst);
  return NULL;
}
