#pragma once
#include <node_api.h>

napi_value area_resizer_create(napi_env env, napi_callback_info info);
napi_value area_resizer_run(napi_env env, napi_callback_info info);
napi_value replicate_run(napi_env env, napi_callback_info info);
