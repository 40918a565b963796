/* SPDX-License-Identifier: MIT */
#include "result.h"

#include "util/cleanup.h"

json_t *cj_proto_result_new(const char *id, const char *status) {
        json_t *r = json_object();
        if (!r)
                return NULL;
        if ((id && json_object_set_new(r, "id", json_string(id)) < 0) ||
            json_object_set_new(r, "status", json_string(status)) < 0) {
                json_decref(r);
                return NULL;
        }
        return r;
}

void cj_proto_result_set_error(json_t *r, const char *code, const char *message) {
        json_object_set_new(r, "status", json_string("error"));
        json_object_set_new(r, "error", json_pack("{s:s, s:s}", "code", code, "message", message));
}

json_t *cj_proto_result_order(json_t *r) {
        static const char *const order[] = { "id",       "status",  "exit_code",     "signal",  "duration_ms",
                                             "stdout",   "stderr",  "truncated",     "content", "encoding",
                                             "size",     "eof",     "bytes_written", "verdict", "approval",
                                             "budget",   "journal", "error" };
        json_t *o = json_object();
        if (!o) {
                json_decref(r);
                return NULL;
        }
        for (size_t i = 0; i < CJ_ARRAY_SIZE(order); i++) {
                json_t *v = json_object_get(r, order[i]);
                if (v && json_object_set(o, order[i], v) < 0)
                        goto fail;
        }
        const char *k;
        json_t *v;
        json_object_foreach(r, k, v) {
                if (!json_object_get(o, k) && json_object_set(o, k, v) < 0)
                        goto fail;
        }
        json_decref(r);
        return o;
fail:
        json_decref(o);
        json_decref(r);
        return NULL;
}

json_t *cj_proto_error_result(const char *id, const char *code, const char *message) {
        json_t *r = cj_proto_result_new(id, "error");
        if (r)
                cj_proto_result_set_error(r, code, message);
        return r;
}

json_t *cj_proto_error_result_from(const cj_proto_error *perr) {
        return cj_proto_error_result(perr->has_id ? perr->id : NULL, cj_proto_code_name(perr->code), perr->message);
}
