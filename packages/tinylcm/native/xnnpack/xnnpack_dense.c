// y = W·x + b in float32 with XNNPACK's fully-connected operator (runtime-dispatched SIMD kernels):
// the feature transform (scaler + PCA folded into one matrix) at native speed.
#include <node_api.h>
#include <math.h>
#include <stdlib.h>
#include <xnnpack.h>

#include "napi_read.h"
#include "xnnpack_dense.h"

typedef struct {
  xnn_operator_t op;
  size_t in, out;
} Dense;

static void dense_finalize(napi_env env, void* data, void* hint) {
  (void)env, (void)hint;
  Dense* d = data;
  if (d->op) xnn_delete_operator(d->op);
  free(d);
}

// denseCreate(weights: Float32Array [out × in], bias: Float32Array [out]) → handle.
napi_value dense_create(napi_env env, napi_callback_info info) {
  size_t argc = 2, wbytes = 0, bbytes = 0;
  napi_value argv[2], handle;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  const float* w = typed_array_data(env, argv[0], &wbytes);
  const float* b = typed_array_data(env, argv[1], &bbytes);
  size_t out = bbytes / sizeof(float), in = out ? wbytes / sizeof(float) / out : 0;
  Dense* d = calloc(1, sizeof(Dense));
  d->in = in, d->out = out;
  const char* err = NULL;
  if (!w || !b || in == 0 || in * out * sizeof(float) != wbytes) err = "weights must be out × in floats";
  else if (xnn_initialize(NULL) != xnn_status_success) err = "xnn_initialize failed";
  else if (xnn_create_fully_connected_nc_f32(in, out, in, out, w, b, -INFINITY, INFINITY, 0, &d->op) != xnn_status_success)
    err = "xnn_create_fully_connected_nc_f32 failed";
  if (err) {
    dense_finalize(env, d, NULL);
    napi_throw_error(env, "XNNPACK", err);
    return NULL;
  }
  napi_create_external(env, d, dense_finalize, NULL, &handle);
  return handle;
}

// denseRun(handle, x: Float32Array [in], y: Float32Array [out]).
napi_value dense_run(napi_env env, napi_callback_info info) {
  size_t argc = 3, xb = 0, yb = 0;
  napi_value argv[3];
  Dense* d = NULL;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_value_external(env, argv[0], (void**)&d);
  const float* x = typed_array_data(env, argv[1], &xb);
  float* y = typed_array_data(env, argv[2], &yb);
  if (!d || !x || !y || xb != d->in * sizeof(float) || yb < d->out * sizeof(float)) {
    napi_throw_error(env, "XNNPACK", "denseRun: wrong handle or vector sizes");
    return NULL;
  }
  if (xnn_setup_fully_connected_nc_f32(d->op, 1, x, y, NULL) != xnn_status_success ||
      xnn_run_operator(d->op, NULL) != xnn_status_success)
    napi_throw_error(env, "XNNPACK", "denseRun failed");
  return NULL;
}
