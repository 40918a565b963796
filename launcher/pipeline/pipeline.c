/* SPDX-License-Identifier: MIT */
#include "pipeline.h"
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ask.h"
#include "fstools.h"
#include "net/proxy.h"
#include "proto/encoding.h"
#include "proto/paths.h"
#include "proto/result.h"
#include "sandbox/sandbox.h"
#include "seccomp/bpf.h"
#include "tracker/fingerprint.h"
#include "tracker/output.h"
#include "tracker/scratch.h"
#include "tracker/tracker.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/sha256.h"
#include "validate/validate.h"





static const char *kind_tool(cj_call_kind k) {
        static const char *const names[] = { "exec", "run", "read", "write", "edit" };
        return names[k];
}

static json_t *new_result(const cj_call *c, const char *status) {
        return cj_proto_result_new(c->id, status);
}


/* ---- stage 1: what is asked, and may it be asked ------------------------- */

static bool under_any(const char *path, char *const *roots) {
        for (size_t i = 0; roots && roots[i]; i++)
                if (cj_path_is_under(path, roots[i]))
                        return true;
        return false;
}

/* The file tools see the filesystem exec sees (sandbox/plan.h,
 * cj_mount_plan_scratch): a tracked call's HOME and /tmp are its task's
 * persistent scratch (writable roots); an untracked call's HOME is a fresh
 * tmpfs like its /tmp. */
static int add_home_root(call_state *s) {
        const char *home = cj_profile_env_get(s->call->profile, "HOME");
        bool tracked = s->task != NULL;
        for (size_t i = 0; s->rw && s->rw[i]; i++)
                if (cj_strv_push(&s->fp_roots, s->rw[i]) < 0)
                        return -ENOMEM;
        /* Before the pushes below: they may move the list eff.fs_rw points to. */
        bool bound = home && (under_any(home, s->eff.fs_rw) || under_any(home, s->eff.fs_ro));
        for (size_t i = 0; s->call->profile->fs_tmpfs && s->call->profile->fs_tmpfs[i]; i++) {
                const char *t = s->call->profile->fs_tmpfs[i];
                bool scratch_tmp = tracked && strcmp(t, "/tmp") == 0;
                if (cj_strv_push(scratch_tmp ? &s->rw : &s->tmpfs, t) < 0)
                        return -ENOMEM;
        }
        if (home && home[0] == '/' && strcmp(home, "/") != 0 && !bound) {
                _cleanup_free_ char *norm = cj_path_normalize(home);
                if (!norm || cj_strv_push(tracked ? &s->rw : &s->tmpfs, norm) < 0)
                        return -ENOMEM;
        }
        s->eff.fs_rw = s->rw;
        s->eff.fs_tmpfs = s->tmpfs;
        return 0;
}

static void record(call_state *s, const char *event, json_t *extra);

/* A tracked call's HOME and /tmp are its task's; above limits.scratch_mb the
 * task's next calls are refused like an exhausted budget.  Returns 1 if refused. */
static int prepare_scratch(call_state *s, cj_error *err) {
        const cj_profile *p = s->call->profile;
        const char *dir = cj_task_dir(s->task);
        int r = cj_scratch_prepare(dir, geteuid() == 0, p->run_as_uid, p->run_as_gid, &s->scratch_home,
                                   &s->scratch_tmp, err);
        if (r < 0 || p->limits.scratch_mb < 0)
                return r;
        int64_t used = 0;
        if ((r = cj_scratch_usage(dir, &used)) < 0)
                return cj_error_seterrno(err, r, "measure the task's scratch");
        int64_t limit = p->limits.scratch_mb * (1 << 20);
        if (used <= limit)
                return 0;
        char msg[512];
        snprintf(msg, sizeof msg,
                 "the task's HOME and /tmp use %.1f MiB, above limits.scratch_mb (%lld MiB): the operator "
                 "empties them with `clawjail task clean %s` or raises the limit",
                 (double) used / (1 << 20), (long long) p->limits.scratch_mb, cj_task_id(s->task));
        json_object_set_new(s->result, "status", json_string("budget_exhausted"));
        json_object_set_new(s->result, "error", json_pack("{s:s, s:s}", "code", "scratch_full", "message", msg));
        json_object_set_new(s->result, "scratch", json_pack("{s:I, s:I}", "bytes", (json_int_t) used, "limit_bytes",
                                                            (json_int_t) limit));
        record(s, "rejected", json_pack("{s:s, s:s}", "code", "scratch_full", "message", msg));
        s->exit_code = 122;
        return 1;
}

/* clawjail's own state (host key, journals, approvals) is masked wherever it
 * lies, whatever the profile says: a CLAWJAIL_STATE_DIR inside the
 * workspace let a rootless call read the host key and approve its own
 * requests.  Tracked or not (an untracked call could write another task's
 * approvals), as given and as resolved. */
static int mask_state_dir(call_state *s) {
        const cj_call *c = s->call;
        _cleanup_free_ char *sd = NULL;
        s->sandboxed = *c->profile;
        if (!c->state_dir && cj_state_dir_resolve(NULL, &sd, NULL) < 0)
                return 0; /* no state dir anywhere: nothing to hide */
        const char *given = c->state_dir ? c->state_dir : sd;
        _cleanup_free_ char *norm = given[0] == '/' ? cj_path_normalize(given) : NULL;
        _cleanup_free_ char *real = realpath(given, NULL);
        for (size_t i = 0; c->profile->fs_deny && c->profile->fs_deny[i]; i++)
                if (cj_strv_push(&s->deny, c->profile->fs_deny[i]) < 0)
                        return -ENOMEM;
        if ((norm && cj_strv_push(&s->deny, norm) < 0) ||
            (real && (!norm || strcmp(real, norm) != 0) && cj_strv_push(&s->deny, real) < 0))
                return -ENOMEM;
        s->eff.fs_deny = s->deny;
        s->sandboxed.fs_deny = s->deny;
        return 0;
}

static int merge_roots(call_state *s) {
        const cj_call *c = s->call;
        s->eff = *c->profile;
        for (size_t i = 0; c->profile->fs_ro && c->profile->fs_ro[i]; i++)
                if (cj_strv_push(&s->ro, c->profile->fs_ro[i]) < 0)
                        return -ENOMEM;
        for (size_t i = 0; c->extra_ro && c->extra_ro[i]; i++)
                if (cj_strv_push(&s->ro, c->extra_ro[i]) < 0)
                        return -ENOMEM;
        for (size_t i = 0; c->profile->fs_rw && c->profile->fs_rw[i]; i++)
                if (cj_strv_push(&s->rw, c->profile->fs_rw[i]) < 0)
                        return -ENOMEM;
        for (size_t i = 0; c->extra_rw && c->extra_rw[i]; i++)
                if (cj_strv_push(&s->rw, c->extra_rw[i]) < 0)
                        return -ENOMEM;
        s->eff.fs_ro = s->ro;
        s->eff.fs_rw = s->rw;
        return mask_state_dir(s);
}

static int validate(call_state *s, cj_error *err) {
        const cj_call *c = s->call;
        int r;
        switch (c->kind) {
        case CJ_CALL_EXEC:
                r = cj_validate_exec(c->command, strlen(c->command), c->env, &s->eff, s->cwd, &s->v, err);
                break;
        case CJ_CALL_RUN:
                r = cj_validate_argv_rules(c->argv, &s->eff, &s->v, err);
                break;
        default:
                s->v.decision = CJ_VERDICT_ALLOW; /* file tools: the path checks below decide */
                s->v.parse_ok = true;
                return 0;
        }
        if (r < 0)
                return r;
        if (c->kind == CJ_CALL_EXEC)
                cj_ask_deny_masked(&s->v, c, s->cwd, &s->eff);
        s->verdict = cj_validation_to_json(&s->v);
        return s->verdict ? 0 : -ENOMEM;
}

/* Fields of the journal's start event. */
static json_t *start_fields(const call_state *s) {
        const cj_call *c = s->call;
        json_t *f = json_pack("{s:s, s:{s:s, s:s}, s:s}", "tool", kind_tool(c->kind), "profile", "name",
                              c->profile->name, "sha256", c->profile->sha256, "cwd", s->cwd);
        if (c->pty) /* what the call ran on, for the audit: a terminal's output mixes stderr in */
                json_object_set_new(f, "pty", json_true());
        if (c->kind == CJ_CALL_EXEC)
                json_object_set_new(f, "command", json_string(c->command));
        else if (c->kind == CJ_CALL_RUN) {
                json_t *a = json_array();
                for (size_t i = 0; c->argv[i]; i++)
                        json_array_append_new(a, json_string(c->argv[i]));
                json_object_set_new(f, "argv", a);
        } else if (c->req && c->req->path) {
                /* The call's identity for loop governance: what it reads or writes. */
                char id[CJ_SHA256_HEX_LEN * 2 + 64], h1[CJ_SHA256_HEX_LEN + 1] = "", h2[CJ_SHA256_HEX_LEN + 1] = "";
                if (c->kind == CJ_CALL_WRITE)
                        cj_sha256_hex(c->req->content.data ? c->req->content.data : "", c->req->content.len, h1);
                if (c->kind == CJ_CALL_EDIT) {
                        cj_sha256_hex(c->req->old_text, strlen(c->req->old_text), h1);
                        cj_sha256_hex(c->req->new_text, strlen(c->req->new_text), h2);
                }
                if (c->kind == CJ_CALL_READ)
                        snprintf(id, sizeof id, "%lld+%lld", (long long) c->req->offset, (long long) c->req->limit);
                else
                        snprintf(id, sizeof id, "%s %s", h1, h2);
                json_object_set_new(f, "path", json_string(c->req->path));
                json_object_set_new(f, "command", json_pack("s++++", kind_tool(c->kind), " ", c->req->path, " ", id));
        }
        if (s->verdict)
                json_object_set(f, "verdict", s->verdict);
        return f;
}

/* Journal an event about a call that did not start (tracked calls only).  A
 * failure is kept in s->journal_err: the call then ends as clawjail's error,
 * never as an answer the journal does not hold. */
static void record(call_state *s, const char *event, json_t *extra) {
        if (!s->task) {
                json_decref(extra);
                return;
        }
        _cleanup_json_ json_t *f = start_fields(s);
        if (extra)
                json_object_update(f, extra);
        json_decref(extra);
        cj_error e = { 0 };
        if (cj_task_record(s->task, event, f, NULL, &e) < 0 && !s->journal_err.code)
                cj_error_set(&s->journal_err, e.code ? e.code : EIO, "journal the '%s' event: %s", event, e.msg);
}

/* ---- the whole call ------------------------------------------------------ */

static cj_tool file_tool(cj_call_kind k) {
        return k == CJ_CALL_READ ? CJ_TOOL_READ : k == CJ_CALL_WRITE ? CJ_TOOL_WRITE : CJ_TOOL_EDIT;
}

/* End a started call that failed inside clawjail, so the journal shows an
 * error rather than an interrupted call.  If that end cannot be journaled
 * either, the call's error says so (recovery will close it as interrupted). */
static int end_failed(call_state *s, int r, cj_error *err) {
        if (!s->task || !s->started)
                return r;
        cj_call_outcome oc = { .status = "error", .exit_code = -1, .peak_memory_bytes = -1 };
        cj_sha256_hex("", 0, oc.stdout_sha256);
        cj_sha256_hex("", 0, oc.stderr_sha256);
        cj_error e = { 0 };
        int q = cj_task_call_end(s->task, s->seq, &oc, NULL, NULL, &e);
        s->started = false;
        if (q >= 0)
                return r;
        if (r >= 0 || !err || !err->code)
                return cj_error_set(err, e.code ? e.code : EIO, "journal the end of call %" PRIu64 ": %s", s->seq,
                                    e.msg);
        size_t l = strlen(err->msg);
        snprintf(err->msg + l, sizeof err->msg - l, "; and journaling the end of call %" PRIu64 " failed too: %s",
                 s->seq, e.msg);
        return r;
}

/* A working directory outside every granted root is a bad request: say so
 * before anything else (the sandbox would refuse it too). Returns 1 if refused. */
static int check_cwd(call_state *s) {
        _cleanup_strv_ cj_strv roots = NULL;
        char *const *const lists[] = { s->eff.fs_rw, s->eff.fs_ro, s->eff.fs_tmpfs };
        for (size_t l = 0; l < CJ_ARRAY_SIZE(lists); l++)
                for (size_t i = 0; lists[l] && lists[l][i]; i++)
                        if (cj_strv_push(&roots, lists[l][i]) < 0)
                                return -ENOMEM;
        cj_proto_error perr = { 0 };
        _cleanup_free_ char *norm = NULL;
        if (cj_proto_check_cwd(s->cwd, s->call->workspace, roots, &norm, &perr) == 0) {
                if (s->cwd[0] != '/')
                        s->cwd = s->cwd_abs = TAKE_PTR(norm);
                return 0;
        }
        set_error(s->result, cj_proto_code_name(perr.code), perr.message);
        record(s, "rejected", json_pack("{s:s, s:s}", "code", cj_proto_code_name(perr.code), "message", perr.message));
        s->exit_code = 125;
        return 1;
}

static int decide(call_state *s, bool *stop) {
        *stop = true;
        if (s->verdict)
                json_object_set(s->result, "verdict", s->verdict);
        if (s->v.decision == CJ_VERDICT_DENY) {
                json_object_set_new(s->result, "status", json_string("denied"));
                record(s, "denied", NULL);
                s->exit_code = 120;
                return 0;
        }
        if (s->v.decision == CJ_VERDICT_ASK && !s->task) {
                /* untracked: nowhere to keep an approval */
                cj_ask_required(s->result, s->call, s->cwd, s->verdict, NULL, NULL);
                s->exit_code = 121;
                return 0;
        }
        *stop = false;
        return 0;
}

/* Tracked calls: the task's admission (approval, loop blocks, stop, budget)
 * and the start event.  *stop when the call must not run (result set). */
static int admit(call_state *s, bool *stop, cj_error *err) {
        *stop = true;
        _cleanup_free_ char *refusal = NULL;
        _cleanup_json_ json_t *fields = start_fields(s);
        _cleanup_json_ json_t *identity = s->v.decision == CJ_VERDICT_ASK ? cj_ask_identity(s->call, s->cwd) : NULL;
        if (!fields || (s->v.decision == CJ_VERDICT_ASK && !identity))
                return cj_error_set(err, ENOMEM, "out of memory");
        cj_approval_ask ask = { .identity = identity, .fields = fields };
        char request[CJ_APPROVAL_ID_LEN + 1] = "";
        /* The workspace before the call, for loop governance: walked before
         * admission takes the task lock, so parallel calls never wait for it. */
        if (!s->call->dry_run && (s->call->kind == CJ_CALL_EXEC || s->call->kind == CJ_CALL_RUN))
                s->fp_known = cj_fingerprint_roots(s->fp_roots, s->call->profile->fs_tmpfs, s->fp_before) == 0;
        int r = cj_task_admit_call(s->task, fields, identity ? &ask : NULL, &refusal, request, err);
        switch (r) {
        case CJ_ADMIT_OK:
                break;
        case CJ_ADMIT_ASK:
                cj_ask_required(s->result, s->call, s->cwd, s->verdict, request, refusal);
                s->exit_code = 121;
                return 0;
        case CJ_ADMIT_DENIED:
                json_object_set_new(s->result, "status", json_string("denied"));
                json_object_set_new(s->result, "approval", cj_ask_approval_json(s->call, s->cwd, s->verdict, request));
                json_object_set_new(s->result, "error", json_pack("{s:s, s:s}", "code", "approval_refused", "message",
                                                                  refusal ? refusal : "refused"));
                s->exit_code = 120;
                return 0;
        case CJ_ADMIT_LOOP:
        case CJ_ADMIT_REFUSED: {
                const char *code = r == CJ_ADMIT_LOOP ? "loop_detected" : "budget_exhausted";
                json_object_set_new(s->result, "status", json_string(code));
                json_object_set_new(s->result, "error",
                                    json_pack("{s:s, s:s}", "code", code, "message", refusal ? refusal : "refused"));
                json_object_set_new(s->result, "budget", cj_task_budget_json(s->task));
                s->exit_code = 122;
                return 0;
        }
        default:
                return r;
        }
        if (s->call->dry_run) {
                /* Admitted (allowed, or an approval covers it): say so, start nothing,
                 * so a once-approval stays for the call itself. */
                json_object_set_new(s->result, "dry_run", json_true());
                s->exit_code = 0;
                return 0;
        }
        if ((r = cj_task_call_start(s->task, fields, &s->seq, err)) < 0)
                return r;
        s->started = true;
        *stop = false;
        return 0;
}

/* "SEQ.stdout" or "SEQ.stderr": the names outputs/ holds. */
static bool output_name(const char *n) {
        size_t d = strspn(n, "0123456789");
        return d > 0 && (strcmp(n + d, ".stdout") == 0 || strcmp(n + d, ".stderr") == 0);
}

/* A read of a full_output path a result of this task named is served from
 * the task's outputs/ (which no sandbox can see).  Returns 1 when handled. */
static int read_task_output(call_state *s) {
        const cj_request *q = s->call->req;
        if (!s->task || s->call->kind != CJ_CALL_READ || !q->path || q->path[0] != '/')
                return 0;
        _cleanup_free_ char *dir = cj_path_join(cj_task_dir(s->task), "outputs"), *norm = cj_path_normalize(q->path);
        if (!dir || !norm)
                return -ENOMEM;
        size_t dl = strlen(dir);
        if (strncmp(norm, dir, dl) != 0 || norm[dl] != '/' || strchr(norm + dl + 1, '/') || !output_name(norm + dl + 1))
                return 0;
        _cleanup_close_ int fd = open(norm, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                set_error(s->result, "not_found", "no such output of this task (only streams a result cut are kept)");
                s->exit_code = 125;
                return 1;
        }
        int64_t limit = q->limit < 0 ? CJ_READ_LIMIT_DEFAULT : q->limit, off = q->offset < 0 ? 0 : q->offset;
        if (limit > CJ_READ_LIMIT_MAX)
                limit = CJ_READ_LIMIT_MAX;
        if (off > st.st_size)
                off = st.st_size;
        size_t want = (size_t) (st.st_size - off < limit ? st.st_size - off : limit);
        _cleanup_free_ char *bytes = malloc(want + 1);
        if (!bytes)
                return -ENOMEM;
        size_t got = 0;
        while (got < want) {
                ssize_t n = pread(fd, bytes + got, want - got, off + (off_t) got);
                if (n <= 0)
                        break;
                got += (size_t) n;
        }
        size_t bad;
        bool utf8 = cj_utf8_valid(bytes, got, &bad) && !(got && memchr(bytes, '\0', got));
        _cleanup_free_ char *b64 = utf8 ? NULL : cj_base64_encode(bytes, got);
        json_object_set_new(s->result, "content", utf8 ? json_stringn(bytes, got) : json_string(b64 ? b64 : ""));
        json_object_set_new(s->result, "encoding", json_string(utf8 ? "utf-8" : "base64"));
        json_object_set_new(s->result, "size", json_integer(st.st_size));
        json_object_set_new(s->result, "eof", json_boolean(off + (int64_t) got >= st.st_size));
        s->exit_code = 0;
        return 1;
}

int cj_pipeline_run(const cj_call *c, json_t **result, int *exit_code, cj_error *err) {
        call_state s = { .call = c, .cwd = c->cwd ? c->cwd : c->workspace };
        _cleanup_free_ char *path = NULL;
        int r = merge_roots(&s);
        if (r < 0) {
                r = cj_error_set(err, ENOMEM, "out of memory");
                goto out;
        }
        s.result = new_result(c, "ok");
        if (c->task && (r = cj_task_open(c->state_dir, c->task, c->profile, &s.task, err)) < 0)
                goto out;
        if (add_home_root(&s) < 0 || (r = read_task_output(&s)) < 0) {
                r = cj_error_set(err, ENOMEM, "out of memory");
                goto out;
        }
        if (r == 1)
                goto done;

        if ((r = check_cwd(&s)) != 0)
                goto done;
        if (c->kind >= CJ_CALL_READ) {
                cj_proto_error perr = { 0 };
                if (cj_proto_file_path(&s.eff, file_tool(c->kind), c->req->path, s.cwd, &path, &perr) < 0) {
                        set_error(s.result, cj_proto_code_name(perr.code), perr.message);
                        record(&s, "rejected", json_pack("{s:s, s:s}", "code", cj_proto_code_name(perr.code),
                                                         "message", perr.message));
                        s.exit_code = 125;
                        goto done;
                }
        }
        if ((r = validate(&s, err)) < 0)
                goto out;
        bool stop;
        decide(&s, &stop);
        if (stop)
                goto done;

        if (s.task && (r = prepare_scratch(&s, err)) != 0) {
                if (r < 0)
                        goto out;
                goto done;
        }
        if (s.task) {
                if ((r = admit(&s, &stop, err)) < 0)
                        goto out;
                if (stop)
                        goto done;
        }
        r = c->kind >= CJ_CALL_READ ? cj_pipeline_run_fstool(&s, path, err) : cj_pipeline_run_sandbox(&s, err);
        if (r < 0)
                goto out;
done:
        if (s.journal_err.code) {
                r = cj_error_set(err, s.journal_err.code, "%s", s.journal_err.msg);
                goto out;
        }
        *result = cj_proto_result_order(TAKE_PTR(s.result));
        *exit_code = s.exit_code;
        r = 0;
out:
        r = end_failed(&s, r, err);
        json_decref(s.result);
        json_decref(s.verdict);
        cj_validation_clear(&s.v);
        cj_task_free(s.task);
        free(s.cwd_abs);
        cj_strv_free(s.ro);
        cj_strv_free(s.rw);
        cj_strv_free(s.deny);
        free(s.scratch_home);
        free(s.scratch_tmp);
        cj_strv_free(s.tmpfs);
        cj_strv_free(s.fp_roots);
        return r;
}
