/* SPDX-License-Identifier: MIT */
#pragma once

/* jansson ownership helpers shared by every module that speaks JSON. */

#include <jansson.h>

#include "cleanup.h"

static inline void cj_json_decrefp(json_t **j) {
        if (*j)
                json_decref(*j);
}
#define _cleanup_json_ _cleanup_(cj_json_decrefp)

/* Serialize compactly on one line (keys in insertion order).  Caller frees. */
static inline char *cj_json_line(const json_t *j) {
        return json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
}
