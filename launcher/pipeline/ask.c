/* SPDX-License-Identifier: MIT */
#include "ask.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/paths.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/pathpat.h"
#include "util/sha256.h"

static const char *kind_tool(cj_call_kind k) {
        static const char *const names[] = { "exec", "run", "read", "write", "edit" };
        return names[k];
}

/* Everything an `ask` call is: what an operator's approval covers.  Any
 * difference (profile, cwd, a byte of the command, request env, stdin, the
 * operator's --ro/--rw/--net) is another call that needs its own approval. */
json_t *cj_ask_identity(const cj_call *c, const char *cwd) {
        json_t *id = json_pack("{s:s, s:{s:s, s:s?}, s:s, s:s?, s:I}", "tool", kind_tool(c->kind), "profile", "name",
                               c->profile->name, "sha256", c->profile->sha256, "cwd", cwd, "workspace",
                               c->workspace, "net", (json_int_t) c->net);
        if (!id)
                return NULL;
        if (c->kind == CJ_CALL_EXEC)
                json_object_set_new(id, "command", json_string(c->command));
        json_t *argv = json_array(), *ro = json_array(), *rw = json_array();
        for (size_t i = 0; c->kind == CJ_CALL_RUN && c->argv[i]; i++)
                json_array_append_new(argv, json_string(c->argv[i]));
        for (size_t i = 0; c->extra_ro && c->extra_ro[i]; i++)
                json_array_append_new(ro, json_string(c->extra_ro[i]));
        for (size_t i = 0; c->extra_rw && c->extra_rw[i]; i++)
                json_array_append_new(rw, json_string(c->extra_rw[i]));
        /* Request env as an object: order does not matter, every byte does. */
        json_t *envo = json_object();
        for (size_t i = 0; c->env && c->env[i]; i++) {
                const char *eq = strchr(c->env[i], '=');
                _cleanup_free_ char *name = eq ? strndup(c->env[i], (size_t) (eq - c->env[i])) : strdup(c->env[i]);
                if (name)
                        json_object_set_new(envo, name, json_string(eq ? eq + 1 : ""));
        }
        char sha[CJ_SHA256_HEX_LEN + 1];
        if (c->stdin_data)
                cj_sha256_hex(c->stdin_data, c->stdin_len, sha);
        json_object_set_new(id, "argv", argv);
        json_object_set_new(id, "ro", ro);
        json_object_set_new(id, "rw", rw);
        json_object_set_new(id, "env", envo);
        json_object_set_new(id, "stdin", c->stdin_data ? json_string(sha) : json_null());
        json_object_set_new(id, "stdin_inherited", json_boolean(!c->stdin_data && c->passthrough));
        return id;
}

/* The result's "approval" object: what is asked, never a credential. */
json_t *cj_ask_approval_json(const cj_call *c, const char *cwd, const json_t *verdict, const char *request) {
        json_t *a = json_pack("{s:s?, s:s, s:s, s:s}", "request", request, "tool", kind_tool(c->kind), "cwd", cwd,
                              "profile", c->profile->name);
        if (c->kind == CJ_CALL_EXEC)
                json_object_set_new(a, "command", json_string(c->command));
        else if (c->kind == CJ_CALL_RUN) {
                json_t *argv = json_array();
                for (size_t i = 0; c->argv[i]; i++)
                        json_array_append_new(argv, json_string(c->argv[i]));
                json_object_set_new(a, "argv", argv);
        }
        json_t *f = json_object_get(verdict, "findings");
        if (f)
                json_object_set(a, "findings", f);
        return a;
}

static void add_hint(json_t *result, const char *hint) {
        json_t *h = json_object_get(result, "hints");
        if (!h) {
                h = json_array();
                json_object_set_new(result, "hints", h);
        }
        json_array_append_new(h, json_string(hint));
}

void cj_ask_required(json_t *result, const cj_call *c, const char *cwd, const json_t *verdict, const char *request,
                     const char *why) {
        json_object_set_new(result, "status", json_string("approval_required"));
        json_object_set_new(result, "approval", cj_ask_approval_json(c, cwd, verdict, request));
        char hint[1024];
        if (request) {
                snprintf(hint, sizeof hint,
                         "an operator approves this exact call outside the tool protocol with "
                         "'clawjail approve %s %s' (or refuses it with 'clawjail deny %s %s'); then the identical "
                         "call runs",
                         c->task, request, c->task, request);
                if (why)
                        json_object_set_new(result, "error", json_pack("{s:s, s:s}", "code", "approval_expired",
                                                                           "message", why));
        } else
                snprintf(hint, sizeof hint,
                         "approvals are given per task by the operator: run the call tracked (--task ID), then an "
                         "operator runs 'clawjail approve ID REQUEST' with the request id its result names");
        add_hint(result, hint);
}

/* The literal path a finding's span names, absolute; NULL when the word is
 * not a plain path (quotes, expansions, globs: only the sandbox knows). */
static char *span_path(const char *cmd, const char *cwd, const cj_finding *f) {
        if (f->offset + f->length > strlen(cmd) || f->length == 0)
                return NULL;
        _cleanup_free_ char *w = strndup(cmd + f->offset, f->length);
        if (!w || strpbrk(w, "'\"\\$`*?[{~ \t\n"))
                return NULL;
        _cleanup_free_ char *abs = w[0] == '/' ? strdup(w) : cj_path_join(cwd, w);
        return abs ? cj_path_normalize(abs) : NULL;
}

/* An `ask` that no approval could help becomes `deny`: every finding that
 * asks is a credentials read of a path the profile masks, so the command
 * would only meet the mask (issue 8 §1).  Say so. */
void cj_ask_deny_masked(cj_validation *v, const cj_call *c, const char *cwd, const cj_profile *eff) {
        if (v->decision != CJ_VERDICT_ASK)
                return;
        size_t asks = 0, off = 0, len = 0;
        _cleanup_free_ char *first = NULL;
        for (size_t i = 0; i < v->n_findings; i++) {
                const cj_finding *f = &v->findings[i];
                if (f->decision != CJ_VERDICT_ASK)
                        continue;
                _cleanup_free_ char *p = strcmp(f->validator, "credentials") == 0 ? span_path(c->command, cwd, f) : NULL;
                if (!p || !cj_pathpat_masked(eff->fs_deny, eff->fs_deny_except, p))
                        return;
                if (!first) {
                        first = TAKE_PTR(p);
                        off = f->offset;
                        len = f->length;
                }
                asks++;
        }
        if (asks == 0)
                return;
        cj_finding *nf = realloc(v->findings, (v->n_findings + 1) * sizeof *nf);
        if (!nf)
                return;
        v->findings = nf;
        char *msg = NULL;
        if (asprintf(&msg,
                     "the profile '%s' masks %s: inside the sandbox it cannot be read, so approving this would not help "
                     "(a credential the agent needs must be granted in the profile by the operator)",
                     c->profile->name, first) < 0)
                return;
        nf[v->n_findings++] = (cj_finding){ .validator = strdup("credentials"), .decision = CJ_VERDICT_DENY,
                                            .message = msg, .offset = off, .length = len };
        v->decision = CJ_VERDICT_DENY;
}

