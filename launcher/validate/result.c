/* SPDX-License-Identifier: MIT */
/* What a validation produces: findings and their JSON form. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "validate.h"

void cj_validation_clear(cj_validation *v) {
        if (!v)
                return;
        for (size_t i = 0; i < v->n_findings; i++) {
                free(v->findings[i].validator);
                free(v->findings[i].message);
        }
        free(v->findings);
        *v = (cj_validation) { 0 };
}

json_t *cj_validation_to_json(const cj_validation *v) {
        _cleanup_json_ json_t *arr = json_array();
        if (!arr)
                return NULL;
        for (size_t i = 0; i < v->n_findings; i++) {
                const cj_finding *f = &v->findings[i];
                json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I}", "validator", f->validator, "decision",
                                      cj_verdict_name(f->decision), "message", f->message, "offset",
                                      (json_int_t) f->offset, "length", (json_int_t) f->length);
                if (!o || json_array_append_new(arr, o) < 0)
                        return NULL;
        }
        return json_pack("{s:s, s:O}", "decision", cj_verdict_name(v->decision), "findings", arr);
}

