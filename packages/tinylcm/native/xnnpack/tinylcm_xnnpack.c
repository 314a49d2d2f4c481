// TinyLCM's XNNPACK backend: a Node-API addon that builds an XNNPACK subgraph from a plan made in
// TypeScript (packages/tinylcm/src/runtime/xnnpack/xnnpack-plan.ts) and runs it. All TFLite
// knowledge lives in the plan; this file only maps plan entries onto XNNPACK's subgraph API, so a
// reviewer can check it against xnnpack.h line by line. Built by `npm run build:xnnpack`.
#include <math.h>
#include <node_api.h>
#include <pthreadpool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xnnpack.h>

#include "area_resize.h"
#include "knn_distances.h"
#include "napi_read.h"
#include "xnnpack_dense.h"

typedef struct {
  xnn_runtime_t runtime;
  pthreadpool_t pool;
  napi_ref keep_alive; // the plan object: its typed arrays back XNNPACK's static weights
  void* input;         // XNNPACK's input buffer (with XNN_EXTRA_BYTES)
  size_t input_bytes;
  int8_t lut[256];     // uint8 → int8 requantisation of the input, when has_lut
  int has_lut;
  uint32_t output_count;
  float* outputs[8];
  size_t output_len[8];
} Model;

static void free_model(Model* m) {
  if (m->runtime) xnn_delete_runtime(m->runtime);
  if (m->pool) pthreadpool_destroy(m->pool);
  free(m->input);
  for (uint32_t i = 0; i < m->output_count; i++) free(m->outputs[i]);
  free(m);
}

static const char* define_tensor(napi_env env, xnn_subgraph_t g, napi_value t, uint32_t* id) {
  uint32_t type = get_u32(env, t, "type"), ext = get_u32(env, t, "externalId");
  uint32_t flags = get_u32(env, t, "flags"), ndims;
  size_t dims[XNN_MAX_TENSOR_DIMS];
  if (!get_dims(env, t, dims, &ndims)) return "bad dims";
  const void* data = get_data(env, t, "data", NULL);
  size_t nscale = 0;
  const float* scale = get_data(env, t, "scale", &nscale);
  enum xnn_status s;
  if (type == xnn_datatype_fp32) {
    s = xnn_define_tensor_value(g, type, ndims, dims, data, ext, flags, id);
  } else if (type == xnn_datatype_qcint8 || type == xnn_datatype_qcint32) {
    s = xnn_define_channelwise_quantized_tensor_value(g, type, scale, ndims, get_u32(env, t, "channelDim"), dims,
                                                      data, ext, flags, id);
  } else {
    if (scale == NULL || nscale < 4) return "quantised tensor without scale";
    s = xnn_define_quantized_tensor_value(g, type, get_i32(env, t, "zeroPoint"), scale[0], ndims, dims, data, ext,
                                          flags, id);
  }
  return s == xnn_status_success ? NULL : "xnn_define_*tensor_value failed";
}

static const char* define_node(napi_env env, xnn_subgraph_t g, napi_value n, const uint32_t* ids) {
  char op[16];
  get_string(env, n, "op", op, sizeof op);
  size_t np = 0, nf = 0, ni = 0;
  const int32_t* p = get_data(env, n, "params", &np);
  const float* f = get_data(env, n, "floats", &nf);
  const int32_t* in = get_data(env, n, "inputs", &ni);
  uint32_t out = ids[get_u32(env, n, "output")];
  uint32_t x = ni >= 4 ? ids[in[0]] : 0;
  enum xnn_status s = xnn_status_invalid_parameter;
  if (!strcmp(op, "conv") && np >= 14 * 4 && ni >= 12 && nf >= 8) {
    s = xnn_define_convolution_2d(g, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12],
                                  f[0], f[1], x, ids[in[1]], ids[in[2]], out, p[13]);
  } else if (!strcmp(op, "dwconv") && np >= 13 * 4 && ni >= 12 && nf >= 8) {
    s = xnn_define_depthwise_convolution_2d(g, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10],
                                            p[11], f[0], f[1], x, ids[in[1]], ids[in[2]], out, p[12]);
  } else if (!strcmp(op, "pad") && np >= 8 * 4 && nf >= 4) {
    size_t pre[4] = {p[0], p[1], p[2], p[3]}, post[4] = {p[4], p[5], p[6], p[7]};
    s = xnn_define_static_constant_pad(g, pre, post, f[0], x, out, 0);
  } else if (!strcmp(op, "add") && ni >= 8 && nf >= 8) {
    s = xnn_define_add2(g, f[0], f[1], x, ids[in[1]], out, 0);
  } else if (!strcmp(op, "gap") && nf >= 8) {
    s = xnn_define_global_average_pooling_2d(g, f[0], f[1], x, out, 0);
  } else if (!strcmp(op, "fc") && ni >= 12 && nf >= 8) {
    s = xnn_define_fully_connected(g, f[0], f[1], x, ids[in[1]], ids[in[2]], out, 0);
  } else if (!strcmp(op, "convert")) {
    s = xnn_define_convert(g, x, out, 0);
  } else {
    return "unknown node or missing parameters";
  }
  return s == xnn_status_success ? NULL : "xnn_define_* node failed (unsupported datatype or shape?)";
}

static const char* build(napi_env env, napi_value plan, Model* m) {
  if (xnn_initialize(NULL) != xnn_status_success) return "xnn_initialize failed (unsupported CPU?)";
  napi_value tensors = get_prop(env, plan, "tensors"), nodes = get_prop(env, plan, "nodes");
  uint32_t nt = array_length(env, tensors), nn = array_length(env, nodes);
  uint32_t next = get_u32(env, plan, "externalCount"), threads = get_u32(env, plan, "threads");
  uint32_t* ids = calloc(nt + 1, sizeof(uint32_t));
  xnn_subgraph_t g = NULL;
  const char* err = xnn_create_subgraph(next, 0, &g) == xnn_status_success ? NULL : "xnn_create_subgraph failed";
  for (uint32_t i = 0; !err && i < nt; i++) err = define_tensor(env, g, array_at(env, tensors, i), &ids[i]);
  for (uint32_t i = 0; !err && i < nn; i++) err = define_node(env, g, array_at(env, nodes, i), ids);
  if (!err && threads > 1 && !(m->pool = pthreadpool_create(threads))) err = "pthreadpool_create failed";
  if (!err && xnn_create_runtime_v2(g, m->pool, 0, &m->runtime) != xnn_status_success)
    err = "xnn_create_runtime failed";
  if (g) xnn_delete_subgraph(g);
  free(ids);
  return err;
}

static const char* bind_io(napi_env env, napi_value plan, Model* m) {
  size_t lut_len = 0;
  const int8_t* lut = get_data(env, plan, "inputLut", &lut_len);
  if (lut && lut_len == 256) memcpy(m->lut, lut, 256), m->has_lut = 1;
  m->input_bytes = get_u32(env, plan, "inputBytes");
  m->input = calloc(1, m->input_bytes + XNN_EXTRA_BYTES);
  napi_value outs = get_prop(env, plan, "outputLengths");
  m->output_count = array_length(env, outs);
  if (m->output_count > 8) return "at most 8 outputs";
  struct xnn_external_value ev[9] = {{0, m->input}};
  for (uint32_t i = 0; i < m->output_count; i++) {
    m->output_len[i] = get_u32_value(env, array_at(env, outs, i));
    m->outputs[i] = calloc(m->output_len[i] + XNN_EXTRA_BYTES, sizeof(float));
    ev[i + 1] = (struct xnn_external_value){i + 1, m->outputs[i]};
  }
  // Buffers never move, so the runtime is set up once; each run only copies in, invokes, copies out.
  if (xnn_setup_runtime(m->runtime, m->output_count + 1, ev) != xnn_status_success) return "xnn_setup_runtime failed";
  return NULL;
}

static void finalize(napi_env env, void* data, void* hint) {
  (void)hint;
  Model* m = data;
  if (m->keep_alive) napi_delete_reference(env, m->keep_alive);
  free_model(m);
}

// create(plan) → external handle. Throws with the first failing step.
static napi_value create(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value plan, handle;
  napi_get_cb_info(env, info, &argc, &plan, NULL, NULL);
  Model* m = calloc(1, sizeof(Model));
  const char* err = build(env, plan, m);
  if (!err) err = bind_io(env, plan, m);
  if (err) {
    free_model(m);
    napi_throw_error(env, "XNNPACK", err);
    return NULL;
  }
  napi_create_reference(env, plan, 1, &m->keep_alive);
  napi_create_external(env, m, finalize, NULL, &handle);
  return handle;
}

// run(handle, input: Uint8Array | Float32Array, outputs: Float32Array[]) → undefined.
static napi_value run(napi_env env, napi_callback_info info) {
  size_t argc = 3, in_len = 0;
  napi_value argv[3];
  Model* m = NULL;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_value_external(env, argv[0], (void**)&m);
  const uint8_t* in = typed_array_data(env, argv[1], &in_len);
  if (!m || !m->runtime || !in || in_len != m->input_bytes) {
    napi_throw_error(env, "XNNPACK", "run: wrong handle or input size");
    return NULL;
  }
  if (m->has_lut) {
    int8_t* dst = m->input;
    for (size_t i = 0; i < in_len; i++) dst[i] = m->lut[in[i]];
  } else {
    memcpy(m->input, in, in_len);
  }
  if (xnn_invoke_runtime(m->runtime) != xnn_status_success) {
    napi_throw_error(env, "XNNPACK", "xnn_invoke_runtime failed");
    return NULL;
  }
  for (uint32_t i = 0; i < m->output_count; i++) {
    size_t len = 0;
    float* dst = typed_array_data(env, array_at(env, argv[2], i), &len);
    if (dst && len == m->output_len[i] * sizeof(float)) memcpy(dst, m->outputs[i], len);
  }
  return NULL;
}

// dispose(handle): frees the runtime now instead of at garbage collection.
static napi_value dispose(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value h;
  Model* m = NULL;
  napi_get_cb_info(env, info, &argc, &h, NULL, NULL);
  napi_get_value_external(env, h, (void**)&m);
  if (m && m->runtime) {
    xnn_delete_runtime(m->runtime);
    m->runtime = NULL;
    if (m->pool) pthreadpool_destroy(m->pool);
    m->pool = NULL;
  }
  return NULL;
}

// threadCpuMs() → CPU time of the calling thread, ms (CLOCK_THREAD_CPUTIME_ID). A benchmark's stage
// clock: one cheap syscall, where process.cpuUsage() sums every thread of the process (~8 µs cold).
static napi_value thread_cpu_ms(napi_env env, napi_callback_info info) {
  (void)info;
  struct timespec ts;
  napi_value v;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  napi_create_double(env, (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6, &v);
  return v;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"create", NULL, create, NULL, NULL, NULL, napi_default, NULL},
      {"run", NULL, run, NULL, NULL, NULL, napi_default, NULL},
      {"dispose", NULL, dispose, NULL, NULL, NULL, napi_default, NULL},
      {"denseCreate", NULL, dense_create, NULL, NULL, NULL, napi_default, NULL},
      {"denseRun", NULL, dense_run, NULL, NULL, NULL, napi_default, NULL},
      {"sqDistances", NULL, sq_distances_js, NULL, NULL, NULL, napi_default, NULL},
      {"areaResizerCreate", NULL, area_resizer_create, NULL, NULL, NULL, napi_default, NULL},
      {"areaResizerRun", NULL, area_resizer_run, NULL, NULL, NULL, napi_default, NULL},
      {"replicate", NULL, replicate_run, NULL, NULL, NULL, napi_default, NULL},
      {"threadCpuMs", NULL, thread_cpu_ms, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
