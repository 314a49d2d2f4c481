// The KNN's Euclidean scan in C: the squared L2 distance from one query to every stored row, in
// one call after inference. The same sum as `ROW_METRICS.euclidean.key` (classify/distance.ts),
// accumulated in float32 SIMD lanes (GCC vector extensions: SSE/AVX2 on x64, NEON on arm) instead
// of float64; the tests bound the difference. Neighbour selection and voting stay in TypeScript.
#include <node_api.h>
#include <string.h>

#include "knn_distances.h"
#include "napi_read.h"

typedef float v8f __attribute__((vector_size(32)));

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
// One build runs on every x64: AVX2 where the CPU has it (chosen at load time), SSE2 otherwise.
__attribute__((target_clones("avx2", "default")))
#endif
static void sq_distances(const float* q, const float* rows, size_t dim, size_t count, double* out) {
  for (size_t r = 0; r < count; r++) {
    const float* y = rows + r * dim;
    v8f acc0 = {0}, acc1 = {0};
    size_t i = 0;
    for (; i + 16 <= dim; i += 16) {
      v8f a, b, c, d;
      memcpy(&a, q + i, sizeof a), memcpy(&b, y + i, sizeof b);
      memcpy(&c, q + i + 8, sizeof c), memcpy(&d, y + i + 8, sizeof d);
      v8f t = a - b, u = c - d;
      acc0 += t * t;
      acc1 += u * u;
    }
    v8f acc = acc0 + acc1;
    float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; i < dim; i++) s += (q[i] - y[i]) * (q[i] - y[i]);
    out[r] = s;
  }
}

// sqDistances(query: Float32Array [dim], rows: Float32Array [≥ count × dim], count, out: Float64Array [≥ count]).
napi_value sq_distances_js(napi_env env, napi_callback_info info) {
  size_t argc = 4, qb = 0, rb = 0, ob = 0;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  const float* q = typed_array_data(env, argv[0], &qb);
  const float* rows = typed_array_data(env, argv[1], &rb);
  double* out = typed_array_data(env, argv[3], &ob);
  uint32_t count = get_u32_value(env, argv[2]);
  size_t dim = qb / sizeof(float);
  if (!q || !rows || !out || dim == 0 || rb < (size_t)count * dim * sizeof(float) || ob < count * sizeof(double)) {
    napi_throw_error(env, "KNN", "sqDistances: wrong vector sizes");
    return NULL;
  }
  sq_distances(q, rows, dim, count, out);
  return NULL;
}
