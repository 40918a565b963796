/* SPDX-License-Identifier: MIT */
#include "request.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "sandbox/sandbox.h"
#include "util/json.h"

static const char *const code_names[_CJ_PROTO_CODE_MAX] = {
        [CJ_PROTO_OK] = "ok",
        [CJ_PROTO_BAD_JSON] = "bad_json",
        [CJ_PROTO_NOT_OBJECT] = "not_object",
        [CJ_PROTO_UNKNOWN_KEY] = "unknown_key",
        [CJ_PROTO_BAD_TYPE] = "bad_type",
        [CJ_PROTO_MISSING_KEY] = "missing_key",
        [CJ_PROTO_BAD_TOOL] = "bad_tool",
        [CJ_PROTO_BAD_VALUE] = "bad_value",
        [CJ_PROTO_BAD_PATH] = "bad_path",
        [CJ_PROTO_BAD_UTF8] = "bad_utf8",
        [CJ_PROTO_TOO_LARGE] = "too_large",
        [CJ_PROTO_NOT_WRITABLE] = "not_writable",
};

static const char *const tool_names[] = { "exec", "read", "write", "edit" };

const char *cj_proto_code_name(cj_proto_code c) {
        return c < _CJ_PROTO_CODE_MAX ? code_names[c] : "error";
}

const char *cj_tool_name(cj_tool t) {
        return (size_t) t < CJ_ARRAY_SIZE(tool_names) ? tool_names[t] : "?";
}

void cj_request_free(cj_request *r) {
        if (!r)
                return;
        free(r->id);
        free(r->command);
        for (size_t i = 0; i < r->n_env; i++)
                free(r->env[i]);
        free(r->env);
        free(r->stdin_data.data);
        free(r->cwd);
        free(r->path);
        free(r->content.data);
        free(r->old_text);
        free(r->new_text);
        free(r->task);
        free(r->profile);
        free(r);
}

__attribute__((format(printf, 3, 4))) static int fail(cj_proto_error *perr, cj_proto_code code, const char *fmt, ...) {
        perr->code = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(perr->message, sizeof perr->message, fmt, ap);
        va_end(ap);
        return code == CJ_PROTO_TOO_LARGE ? -E2BIG : -EINVAL;
}

#define T_EXEC (1u << CJ_TOOL_EXEC)
#define T_READ (1u << CJ_TOOL_READ)
#define T_WRITE (1u << CJ_TOOL_WRITE)
#define T_EDIT (1u << CJ_TOOL_EDIT)
#define T_ALL (T_EXEC | T_READ | T_WRITE | T_EDIT)
#define T_FILE (T_READ | T_WRITE | T_EDIT)

typedef struct key_desc {
        const char *name;
        json_type type; /* JSON_REAL means any number */
        unsigned tools;
        bool serve_only;
} key_desc;

static const key_desc keys[] = {
        { "id", JSON_STRING, T_ALL, false },         { "tool", JSON_STRING, T_ALL, false },
        { "command", JSON_STRING, T_EXEC, false },   { "cwd", JSON_STRING, T_ALL, false },
        { "timeout_s", JSON_REAL, T_EXEC, false },   { "env", JSON_OBJECT, T_EXEC, false },
        { "stdin", JSON_STRING, T_EXEC, false },     { "path", JSON_STRING, T_FILE, false },
        { "offset", JSON_INTEGER, T_READ, false },   { "limit", JSON_INTEGER, T_READ, false },
        { "content", JSON_STRING, T_WRITE, false },  { "encoding", JSON_STRING, T_WRITE, false },
        { "old_text", JSON_STRING, T_EDIT, false },  { "new_text", JSON_STRING, T_EDIT, false },
        { "task", JSON_STRING, T_ALL, true },        { "profile", JSON_STRING, T_ALL, true },
        { "pty", JSON_TRUE, T_EXEC, false },         { "cols", JSON_INTEGER, T_EXEC, false },
        { "rows", JSON_INTEGER, T_EXEC, false },     { "stream", JSON_TRUE, T_EXEC, true },
};

static const char *type_name(json_type t) {
        switch (t) {
        case JSON_STRING: return "a string";
        case JSON_REAL: return "a number";
        case JSON_INTEGER: return "an integer";
        case JSON_OBJECT: return "an object";
        case JSON_TRUE: return "true or false";
        default: return "?";
        }
}

static bool type_ok(const json_t *v, json_type want) {
        if (want == JSON_REAL)
                return json_is_number(v);
        if (want == JSON_TRUE) /* any boolean */
                return json_is_boolean(v);
        return json_typeof(v) == want;
}

/* Copy a string value: too_large past max, bad_value (or bad_path) on NUL. */
static int take_string(const json_t *v, const char *key, size_t max, bool allow_nul, cj_proto_code nul_code,
                       char **out, size_t *len_out, cj_proto_error *perr) {
        size_t n = json_string_length(v);
        if (n > max)
                return fail(perr, CJ_PROTO_TOO_LARGE, "'%s' is %zu bytes, above the limit of %zu", key, n, max);
        const char *s = json_string_value(v);
        if (!allow_nul && memchr(s, '\0', n))
                return fail(perr, nul_code, "'%s' contains a NUL byte", key);
        char *c = malloc(n + 1);
        if (!c)
                return fail(perr, CJ_PROTO_TOO_LARGE, "out of memory");
        memcpy(c, s, n);
        c[n] = '\0';
        *out = c;
        if (len_out)
                *len_out = n;
        return 0;
}

static bool env_name_valid(const char *s) {
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
                return false;
        for (s++; *s; s++)
                if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
                        return false;
        return true;
}

static int parse_env(const json_t *env, cj_request *r, cj_proto_error *perr) {
        size_t n = json_object_size(env);
        if (n > CJ_REQUEST_ENV_MAX)
                return fail(perr, CJ_PROTO_TOO_LARGE, "'env' has %zu entries, above the limit of %d", n,
                            CJ_REQUEST_ENV_MAX);
        r->env = calloc(n + 1, sizeof *r->env);
        if (!r->env)
                return fail(perr, CJ_PROTO_TOO_LARGE, "out of memory");
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) env, k, v) {
                if (!env_name_valid(k) || strlen(k) > CJ_REQUEST_NAME_MAX)
                        return fail(perr, CJ_PROTO_BAD_VALUE, "'env': '%.64s' is not a variable name", k);
                if (!json_is_string(v))
                        return fail(perr, CJ_PROTO_BAD_TYPE, "'env.%s' must be a string", k);
                _cleanup_free_ char *val = NULL;
                char key[CJ_REQUEST_NAME_MAX + 8];
                snprintf(key, sizeof key, "env.%s", k);
                int e = take_string(v, key, CJ_REQUEST_ENV_VALUE_MAX, false, CJ_PROTO_BAD_VALUE, &val, NULL, perr);
                if (e < 0)
                        return e;
                if (asprintf(&r->env[r->n_env], "%s=%s", k, val) < 0)
                        return fail(perr, CJ_PROTO_TOO_LARGE, "out of memory");
                r->n_env++;
        }
        return 0;
}

static int parse_tool(const json_t *o, cj_request *r, cj_proto_error *perr) {
        json_t *t = json_object_get(o, "tool");
        if (!t)
                return fail(perr, CJ_PROTO_MISSING_KEY, "'tool' is missing (exec, read, write or edit)");
        if (!json_is_string(t))
                return fail(perr, CJ_PROTO_BAD_TYPE, "'tool' must be a string");
        for (size_t i = 0; i < CJ_ARRAY_SIZE(tool_names); i++)
                if (strcmp(json_string_value(t), tool_names[i]) == 0) {
                        r->tool = (cj_tool) i;
                        return 0;
                }
        return fail(perr, CJ_PROTO_BAD_TOOL, "'tool' is '%.64s', not exec, read, write or edit", json_string_value(t));
}

static int check_keys(const json_t *o, const cj_request *r, unsigned flags, cj_proto_error *perr) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) o, k, v) {
                const key_desc *d = NULL;
                for (size_t i = 0; i < CJ_ARRAY_SIZE(keys); i++)
                        if (strcmp(keys[i].name, k) == 0)
                                d = &keys[i];
                if (!d && strcmp(k, "timeout") == 0)
                        return fail(perr, CJ_PROTO_UNKNOWN_KEY, "unknown key 'timeout' (did you mean 'timeout_s', in seconds?)");
                if (!d)
                        return fail(perr, CJ_PROTO_UNKNOWN_KEY, "unknown key '%.64s'", k);
                if (d->serve_only && !(flags & CJ_REQUEST_SERVE) && strcmp(k, "stream") == 0)
                        return fail(perr, CJ_PROTO_UNKNOWN_KEY,
                                    "key 'stream' is only accepted by 'serve', where event lines can precede the result");
                if (d->serve_only && !(flags & CJ_REQUEST_SERVE))
                        return fail(perr, CJ_PROTO_UNKNOWN_KEY,
                                    "key '%s' is only accepted by 'serve' (use the command line option)", k);
                if (!(d->tools & (1u << r->tool)))
                        return fail(perr, CJ_PROTO_UNKNOWN_KEY, "key '%s' does not apply to tool '%s'", k,
                                    cj_tool_name(r->tool));
                if (!type_ok(v, d->type))
                        return fail(perr, CJ_PROTO_BAD_TYPE, "'%s' must be %s", k, type_name(d->type));
        }
        return 0;
}

static int require(const json_t *o, const char *key, const cj_request *r, cj_proto_error *perr) {
        if (json_object_get(o, key))
                return 0;
        return fail(perr, CJ_PROTO_MISSING_KEY, "tool '%s' needs '%s'", cj_tool_name(r->tool), key);
}

static int parse_path(const json_t *v, const char *key, char **out, cj_proto_error *perr) {
        int e = take_string(v, key, CJ_REQUEST_PATH_MAX, false, CJ_PROTO_BAD_PATH, out, NULL, perr);
        if (e < 0)
                return e;
        if (!**out)
                return fail(perr, CJ_PROTO_BAD_PATH, "'%s' is empty", key);
        return 0;
}

static int parse_fields(const json_t *o, cj_request *r, cj_proto_error *perr) {
        json_t *v;
        int e;
        if ((v = json_object_get(o, "cwd")) && (e = parse_path(v, "cwd", &r->cwd, perr)) < 0)
                return e;
        switch (r->tool) {
        case CJ_TOOL_EXEC:
                if ((e = require(o, "command", r, perr)) < 0 ||
                    (e = take_string(json_object_get(o, "command"), "command", CJ_REQUEST_COMMAND_MAX, false,
                                     CJ_PROTO_BAD_VALUE, &r->command, NULL, perr)) < 0)
                        return e;
                if ((v = json_object_get(o, "timeout_s"))) {
                        double t = json_number_value(v);
                        if (!(t > 0) || t > CJ_REQUEST_TIMEOUT_MAX)
                                return fail(perr, CJ_PROTO_BAD_VALUE, "'timeout_s' must be above 0 and at most %g",
                                            CJ_REQUEST_TIMEOUT_MAX);
                        r->has_timeout = true;
                        r->timeout_s = t;
                }
                if ((v = json_object_get(o, "env")) && (e = parse_env(v, r, perr)) < 0)
                        return e;
                if ((v = json_object_get(o, "stdin"))) {
                        if ((e = take_string(v, "stdin", CJ_REQUEST_MAX, true, CJ_PROTO_BAD_VALUE, &r->stdin_data.data,
                                             &r->stdin_data.len, perr)) < 0)
                                return e;
                        r->has_stdin = true;
                }
                r->pty = json_is_true(json_object_get(o, "pty"));
                r->stream = json_is_true(json_object_get(o, "stream"));
                static const char *const dims[] = { "cols", "rows" };
                const int64_t dim_max[] = { CJ_PTY_COLS_MAX, CJ_PTY_ROWS_MAX };
                unsigned *dim_out[] = { &r->pty_cols, &r->pty_rows };
                for (size_t i = 0; i < 2; i++) {
                        if (!(v = json_object_get(o, dims[i])))
                                continue;
                        if (!r->pty)
                                return fail(perr, CJ_PROTO_BAD_VALUE, "'%s' sizes a terminal: it needs \"pty\": true",
                                            dims[i]);
                        if (json_integer_value(v) < 1 || json_integer_value(v) > dim_max[i])
                                return fail(perr, CJ_PROTO_BAD_VALUE, "'%s' must be from 1 to %lld", dims[i],
                                            (long long) dim_max[i]);
                        *dim_out[i] = (unsigned) json_integer_value(v);
                }
                return 0;
        case CJ_TOOL_READ:
        case CJ_TOOL_WRITE:
        case CJ_TOOL_EDIT:
                if ((e = require(o, "path", r, perr)) < 0 ||
                    (e = parse_path(json_object_get(o, "path"), "path", &r->path, perr)) < 0)
                        return e;
                break;
        }
        r->limit = -1;
        if (r->tool == CJ_TOOL_READ) {
                if ((v = json_object_get(o, "offset"))) {
                        if (json_integer_value(v) < 0)
                                return fail(perr, CJ_PROTO_BAD_VALUE, "'offset' must not be negative");
                        r->offset = json_integer_value(v);
                }
                if ((v = json_object_get(o, "limit"))) {
                        if (json_integer_value(v) < 0)
                                return fail(perr, CJ_PROTO_BAD_VALUE, "'limit' must not be negative");
                        r->limit = json_integer_value(v);
                }
        } else if (r->tool == CJ_TOOL_WRITE) {
                r->encoding = CJ_ENCODING_UTF8;
                if ((v = json_object_get(o, "encoding"))) {
                        if (strcmp(json_string_value(v), "base64") == 0)
                                r->encoding = CJ_ENCODING_BASE64;
                        else if (strcmp(json_string_value(v), "utf-8") != 0)
                                return fail(perr, CJ_PROTO_BAD_VALUE, "'encoding' must be \"utf-8\" or \"base64\"");
                }
                if ((e = require(o, "content", r, perr)) < 0)
                        return e;
                v = json_object_get(o, "content");
                if (r->encoding == CJ_ENCODING_UTF8)
                        e = take_string(v, "content", CJ_REQUEST_MAX, true, CJ_PROTO_BAD_VALUE, &r->content.data,
                                        &r->content.len, perr);
                else {
                        size_t bad = 0;
                        unsigned char *bytes = NULL;
                        e = cj_base64_decode(json_string_value(v), json_string_length(v), &bytes, &r->content.len,
                                             &bad);
                        if (e == -ENOMEM)
                                return fail(perr, CJ_PROTO_TOO_LARGE, "out of memory");
                        if (e < 0)
                                return fail(perr, CJ_PROTO_BAD_VALUE, "'content' is not valid base64 (at byte %zu)",
                                            bad);
                        r->content.data = (char *) bytes;
                }
                if (e < 0)
                        return e;
                r->has_content = true;
        } else if (r->tool == CJ_TOOL_EDIT) {
                if ((e = require(o, "old_text", r, perr)) < 0 || (e = require(o, "new_text", r, perr)) < 0 ||
                    (e = take_string(json_object_get(o, "old_text"), "old_text", CJ_REQUEST_MAX, false,
                                     CJ_PROTO_BAD_VALUE, &r->old_text, NULL, perr)) < 0 ||
                    (e = take_string(json_object_get(o, "new_text"), "new_text", CJ_REQUEST_MAX, false,
                                     CJ_PROTO_BAD_VALUE, &r->new_text, NULL, perr)) < 0)
                        return e;
                if (!*r->old_text)
                        return fail(perr, CJ_PROTO_BAD_VALUE, "'old_text' must not be empty");
        }
        return 0;
}

int cj_request_parse(const char *buf, size_t len, unsigned flags, cj_request **out, cj_proto_error *perr) {
        memset(perr, 0, sizeof *perr);
        *out = NULL;
        if (len > CJ_REQUEST_MAX)
                return fail(perr, CJ_PROTO_TOO_LARGE, "request is %zu bytes, above the limit of %u", len,
                            CJ_REQUEST_MAX);
        size_t bad = 0;
        if (!cj_utf8_valid(buf, len, &bad))
                return fail(perr, CJ_PROTO_BAD_UTF8, "request is not valid UTF-8 (byte offset %zu)", bad);
        json_error_t je;
        _cleanup_json_ json_t *o = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL | JSON_DECODE_ANY, &je);
        if (!o)
                return fail(perr, CJ_PROTO_BAD_JSON, "not valid JSON at byte %d: %s", je.position, je.text);
        if (!json_is_object(o))
                return fail(perr, CJ_PROTO_NOT_OBJECT, "a request must be a JSON object");

        json_t *id = json_object_get(o, "id");
        if (json_is_string(id) && json_string_length(id) <= CJ_REQUEST_ID_MAX && !memchr(json_string_value(id), 0, json_string_length(id))) {
                snprintf(perr->id, sizeof perr->id, "%s", json_string_value(id));
                perr->has_id = true;
        }
        cj_request *r = calloc(1, sizeof *r);
        if (!r)
                return fail(perr, CJ_PROTO_TOO_LARGE, "out of memory");
        _cleanup_request_ cj_request *req = r;
        r->limit = -1;
        int e;
        if ((e = parse_tool(o, r, perr)) < 0 || (e = check_keys(o, r, flags, perr)) < 0)
                return e;
        if (id && (e = take_string(id, "id", CJ_REQUEST_ID_MAX, false, CJ_PROTO_BAD_VALUE, &r->id, NULL, perr)) < 0)
                return e;
        if ((e = parse_fields(o, r, perr)) < 0)
                return e;
        static const char *const names[] = { "task", "profile" };
        char **dst[] = { &r->task, &r->profile };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(names); i++)
                if ((id = json_object_get(o, names[i])) &&
                    (e = take_string(id, names[i], CJ_REQUEST_NAME_MAX, false, CJ_PROTO_BAD_VALUE, dst[i], NULL, perr)) < 0)
                        return e;
        *out = TAKE_PTR(req);
        return 0;
}
