#pragma once
#include <node_api.h>

napi_value sq_distances_js(napi_env env, napi_callback_info info);
