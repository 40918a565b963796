/* SPDX-License-Identifier: MIT */
#include "result.h"

#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "util/cleanup.h"
#include "util/json.h"

static const char *const status_names[] = {
        [CJ_STATUS_OK] = "ok",
        [CJ_STATUS_DENIED] = "denied",
        [CJ_STATUS_APPROVAL_REQUIRED] = "approval_required",
        [CJ_STATUS_BUDGET_EXHAUSTED] = "budget_exhausted",
        [CJ_STATUS_TIMEOUT] = "timeout",
        [CJ_STATUS_ERROR] = "error",
};

const char *cj_result_status_name(cj_result_status s) {
        return (size_t) s < CJ_ARRAY_SIZE(status_names) ? status_names[s] : "error";
}

static json_t *text_json(const char *buf, size_t len) {
        if (!buf)
                return json_string("");
        if (cj_utf8_valid(buf, len, NULL))
                return json_stringn(buf, len);
        size_t n = 0;
        _cleanup_free_ char *clean = cj_utf8_sanitize(buf, len, &n);
        return clean ? json_stringn(clean, n) : NULL;
}

static int set(json_t *o, const char *k, json_t *v) {
        return v ? json_object_set_new(o, k, v) : -1;
}

static int set_borrowed(json_t *o, const char *k, json_t *v) {
        return v ? json_object_set(o, k, v) : 0;
}

json_t *cj_proto_result_to_json(const cj_proto_result *r) {
        _cleanup_json_ json_t *o = json_object();
        if (!o)
                return NULL;
        if (r->id && set(o, "id", json_string(r->id)) < 0)
                return NULL;
        if (set(o, "status", json_string(cj_result_status_name(r->status))) < 0)
                return NULL;
        if (r->has_exit) {
                if (set(o, "exit_code", r->exit_code >= 0 ? json_integer(r->exit_code) : json_null()) < 0 ||
                    set(o, "signal", r->signal > 0 ? json_integer(r->signal) : json_null()) < 0 ||
                    set(o, "duration_ms", json_integer(r->duration_ms)) < 0)
                        return NULL;
        }
        if (r->has_output) {
                if (set(o, "stdout", text_json(r->stdout_data, r->stdout_len)) < 0 ||
                    set(o, "stderr", text_json(r->stderr_data, r->stderr_len)) < 0)
                        return NULL;
                if ((r->stdout_truncated || r->stderr_truncated) &&
                    set(o, "truncated", json_pack("{s:b,s:b,s:s?}", "stdout", r->stdout_truncated, "stderr",
                                                  r->stderr_truncated, "full_output", r->full_output)) < 0)
                        return NULL;
        }
        if (r->has_content) {
                bool utf8 = cj_utf8_valid(r->content, r->content_len, NULL);
                _cleanup_free_ char *b64 = utf8 ? NULL : cj_base64_encode(r->content, r->content_len);
                if ((!utf8 && !b64) ||
                    set(o, "content", utf8 ? json_stringn(r->content ? r->content : "", r->content_len)
                                           : json_string(b64)) < 0 ||
                    set(o, "encoding", json_string(utf8 ? "utf-8" : "base64")) < 0 ||
                    set(o, "size", json_integer(r->size)) < 0 || set(o, "eof", json_boolean(r->eof)) < 0)
                        return NULL;
        }
        if (r->has_bytes_written && set(o, "bytes_written", json_integer(r->bytes_written)) < 0)
                return NULL;
        if (set_borrowed(o, "verdict", r->verdict) < 0 || set_borrowed(o, "approval", r->approval) < 0 ||
            set_borrowed(o, "budget", r->budget) < 0 || set_borrowed(o, "journal", r->journal) < 0)
                return NULL;
        if (r->status == CJ_STATUS_ERROR || r->error_code) {
                json_t *e = json_pack("{s:s,s:o}", "code", r->error_code ? r->error_code : "error", "message",
                                      text_json(r->error_message ? r->error_message : "",
                                                r->error_message ? strlen(r->error_message) : 0));
                if (set(o, "error", e) < 0)
                        return NULL;
        }
        return TAKE_PTR(o);
}

json_t *cj_proto_error_result(const char *id, const char *code, const char *message) {
        cj_proto_result r = {
                .id = id, .status = CJ_STATUS_ERROR, .error_code = code, .error_message = message,
        };
        return cj_proto_result_to_json(&r);
}

json_t *cj_proto_error_result_from(const cj_proto_error *perr) {
        return cj_proto_error_result(perr->has_id ? perr->id : NULL, cj_proto_code_name(perr->code), perr->message);
}

int cj_proto_result_exit_code(const cj_proto_result *r) {
        switch (r->status) {
        case CJ_STATUS_OK:
                if (r->has_exit && r->signal > 0)
                        return 128 + r->signal;
                return r->has_exit && r->exit_code >= 0 ? r->exit_code : 0;
        case CJ_STATUS_DENIED: return 120;
        case CJ_STATUS_APPROVAL_REQUIRED: return 121;
        case CJ_STATUS_BUDGET_EXHAUSTED: return 122;
        case CJ_STATUS_TIMEOUT: return 124;
        default: return 125;
        }
}
