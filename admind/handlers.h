/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "dispatch.h"

int handle_ping(request_ctx *ctx, json_object *args, json_object **ret_data, char *err, size_t err_size);
int handle_whoami(request_ctx *ctx, json_object *args, json_object **ret_data, char *err, size_t err_size);
