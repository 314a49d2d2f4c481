// Small readers for the plan object handed over from TypeScript. Missing or mistyped properties
// read as 0 / NULL; the C side then fails with a named step instead of crashing.
#pragma once
#include <node_api.h>
#include <stdint.h>

static inline napi_value get_prop(napi_env env, napi_value obj, const char* name) {
  napi_value v = NULL;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok) return NULL;
  return v;
}

static inline uint32_t get_u32_value(napi_env env, napi_value v) {
  uint32_t x = 0;
  if (v) napi_get_value_uint32(env, v, &x);
  return x;
}

static inline uint32_t get_u32(napi_env env, napi_value obj, const char* name) {
  return get_u32_value(env, get_prop(env, obj, name));
}

static inline int32_t get_i32(napi_env env, napi_value obj, const char* name) {
  int32_t x = 0;
  napi_value v = get_prop(env, obj, name);
  if (v) napi_get_value_int32(env, v, &x);
  return x;
}

static inline void get_string(napi_env env, napi_value obj, const char* name, char* buf, size_t size) {
  size_t len = 0;
  buf[0] = 0;
  napi_value v = get_prop(env, obj, name);
  if (v) napi_get_value_string_utf8(env, v, buf, size, &len);
}

static inline uint32_t array_length(napi_env env, napi_value arr) {
  uint32_t n = 0;
  if (arr) napi_get_array_length(env, arr, &n);
  return n;
}

static inline napi_value array_at(napi_env env, napi_value arr, uint32_t i) {
  napi_value v = NULL;
  if (napi_get_element(env, arr, i, &v) != napi_ok) return NULL;
  return v;
}

/** Data pointer and byte length of a typed array, or NULL when `v` is not one. */
static inline void* typed_array_data(napi_env env, napi_value v, size_t* byte_length) {
  bool is = false;
  if (!v || napi_is_typedarray(env, v, &is) != napi_ok || !is) return NULL;
  napi_typedarray_type type;
  size_t length = 0, offset = 0;
  void* data = NULL;
  napi_value buffer;
  napi_get_typedarray_info(env, v, &type, &length, &data, &buffer, &offset);
  size_t elem = 1;
  if (type == napi_float64_array) elem = 8;
  if (type == napi_float32_array || type == napi_int32_array || type == napi_uint32_array) elem = 4;
  if (byte_length) *byte_length = length * elem;
  return data;
}

static inline void* get_data(napi_env env, napi_value obj, const char* name, size_t* byte_length) {
  if (byte_length) *byte_length = 0;
  return typed_array_data(env, get_prop(env, obj, name), byte_length);
}

static inline uint32_t get_dims(napi_env env, napi_value obj, size_t* dims, uint32_t* ndims) {
  napi_value arr = get_prop(env, obj, "dims");
  *ndims = array_length(env, arr);
  if (*ndims > 6) return 0;
  for (uint32_t i = 0; i < *ndims; i++) dims[i] = get_u32_value(env, array_at(env, arr, i));
  return 1;
}
