#pragma once
#include <node_api.h>

napi_value dense_create(napi_env env, napi_callback_info info);
napi_value dense_run(napi_env env, napi_callback_info info);
