/* SPDX-License-Identifier: MIT */
/* The pipeline's third stage: the call in the sandbox (exec/run, with its
 * output capture, egress proxy and result) or a file tool, then the end of
 * the call in the task's journal. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fstools.h"
#include "internal.h"
#include "net/proxy.h"
#include "proto/encoding.h"
#include "sandbox/sandbox.h"
#include "seccomp/bpf.h"
#include "tracker/fingerprint.h"
#include "tracker/output.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/json.h"

#define CJ_OUTPUT_CAP_DEFAULT (1u << 20) /* kept in a result when the profile sets no limits.output_bytes */

/* ---- stage 3: the sandbox ----------------------------------------------- */

/* Journal the end of a started call and put its budget and journal position in the result. */
static int end_call(call_state *s, const cj_call_outcome *oc, cj_error *err) {
        if (!s->task)
                return 0;
        json_t *budget = NULL, *journal = NULL;
        /* The journal keeps what a reviewer must see later, not only the result. */
        _cleanup_json_ json_t *extra = json_object();
        static const char *const audited[] = { "quarantined", "quarantine_failed", "truncated", "network",
                                               "refused_syscalls" };
        for (size_t i = 0; extra && i < CJ_ARRAY_SIZE(audited); i++)
                if (json_object_get(s->result, audited[i]))
                        json_object_set(extra, audited[i], json_object_get(s->result, audited[i]));
        cj_call_outcome with = *oc;
        with.extra = json_object_size(extra) ? extra : NULL;
        int r = cj_task_call_end(s->task, s->seq, &with, &budget, &journal, err);
        s->started = false;
        if (r < 0)
                return r;
        if (budget)
                json_object_set_new(s->result, "budget", budget);
        if (journal)
                json_object_set_new(s->result, "journal", journal);
        return 0;
}

/* Did the call change the writable roots?  Unknown counts as yes: loop
 * governance never stops work it cannot see. */
static bool workspace_changed(const call_state *s) {
        if (!s->task)
                return false;
        char after[CJ_SHA256_HEX_LEN + 1];
        if (!s->fp_known || cj_fingerprint_roots(s->fp_roots, s->call->profile->fs_tmpfs, after) != 0)
                return true;
        return strcmp(after, s->fp_before) != 0;
}

/* The sandbox settings every kind of call shares. */
static void base_config(const call_state *s, cj_sandbox_config *cfg) {
        const cj_call *c = s->call;
        cj_sandbox_config_init(cfg);
        cfg->profile = &s->sandboxed;
        cfg->cwd = s->cwd;
        cfg->extra_ro = c->extra_ro;
        cfg->extra_rw = c->extra_rw;
        cfg->network = c->net;
        cfg->timeout_ms = c->timeout_ms;
        cfg->scratch_home = s->scratch_home;
        cfg->scratch_tmp = s->scratch_tmp;
}

/* Capture files: unnamed (O_TMPFILE) until the end of the call.  A tracked
 * call's stream is linked into STATE/tasks/T/outputs/SEQ.stream only when the
 * result had to cut it (the SPEC keeps the whole stream exactly then; an
 * uncut one is whole in the result and hashed in the journal).  Where the
 * filesystem has no O_TMPFILE, a named file (*name) stands in: renamed into
 * place when kept, removed otherwise. */
typedef struct capture_file {
        int fd;
        char *name; /* the stand-in's path, or NULL */
} capture_file;

static int open_output(const call_state *s, capture_file *cap) {
        *cap = (capture_file){ .fd = -1 };
        _cleanup_free_ char *dir = NULL;
        if (s->task && !(dir = cj_path_join(cj_task_dir(s->task), "outputs")))
                return -ENOMEM;
        const char *tmp = getenv("TMPDIR");
        int fd = open(dir ? dir : tmp && *tmp ? tmp : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0 && !dir)
                fd = memfd_create("clawjail-output", MFD_CLOEXEC);
        if (fd < 0 && dir && errno != ENOSPC && errno != EACCES) {
                char *name = NULL;
                if (asprintf(&name, "%s/.capture-XXXXXX", dir) < 0)
                        return -ENOMEM;
                fd = mkostemp(name, O_CLOEXEC);
                if (fd < 0) {
                        free(name);
                        return -errno;
                }
                cap->name = name;
        }
        cap->fd = fd;
        return fd < 0 ? -errno : fd;
}

/* Give a tracked call's cut stream its name in outputs/. */
static char *keep_output(const call_state *s, capture_file *cap, const char *stream) {
        _cleanup_free_ char *path = cj_task_output_path(s->task, s->seq, stream);
        char proc[64];
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", cap->fd);
        if (!path)
                return NULL;
        if (cap->name ? rename(cap->name, path) < 0 : linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) < 0)
                return NULL;
        free(cap->name);
        cap->name = NULL;
        return TAKE_PTR(path);
}

static void capture_close(capture_file *cap) {
        if (cap->fd >= 0)
                close(cap->fd);
        if (cap->name)
                unlink(cap->name);
        free(cap->name);
        *cap = (capture_file){ .fd = -1 };
}

/* The call's stdin when it is not clawjail's own: the request's bytes or
 * /dev/null.  -errno when it cannot be made: never fall back to clawjail's
 * stdin then. */
static int stdin_fd(const cj_call *c) {
        if (!c->stdin_data) {
                int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
                return fd < 0 ? -errno : fd;
        }
        int fd = memfd_create("clawjail-stdin", MFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (cj_write_all(fd, c->stdin_data, c->stdin_len) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
                close(fd);
                return -EIO;
        }
        return fd;
}

/* Hash and size a captured stream, and put its (possibly cut) text in the result. */
/* What resolvers, package managers and HTTP clients print when a host name
 * does not resolve (glibc, node, Python, curl, git, cargo, Go). */
static bool says_resolve_failed(const char *text, size_t len) {
        static const char *const marks[] = { "EAI_AGAIN", "ENOTFOUND", "Temporary failure in name resolution",
                                             "Could not resolve host", "Name or service not known",
                                             "getaddrinfo", "nodename nor servname", "no such host",
                                             "Could not resolve", "NameResolutionError" };
        for (size_t i = 0; text && i < CJ_ARRAY_SIZE(marks); i++)
                if (memmem(text, len, marks[i], strlen(marks[i])))
                        return true;
        return false;
}

static int collect(call_state *s, int fd, const char *stream, uint64_t *bytes, char sha[CJ_SHA256_HEX_LEN + 1],
                   bool *cut) {
        cj_sha256 *h = cj_sha256_new();
        if (!h)
                return -ENOMEM;
        char buf[65536];
        ssize_t n;
        off_t off = 0;
        while ((n = pread(fd, buf, sizeof buf, off)) > 0) {
                cj_sha256_update(h, buf, (size_t) n);
                off += n;
        }
        cj_sha256_final(h, sha);
        cj_sha256_free(h);
        int64_t capl = s->call->profile->limits.output_bytes;
        size_t cap = capl >= 0 ? (size_t) capl : CJ_OUTPUT_CAP_DEFAULT;
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = cj_output_cut_fd(fd, cap, &text, &len, cut, bytes);
        if (r < 0)
                return r;
        s->resolve_failed |= says_resolve_failed(text, len);
        /* The result is JSON text: a stream that is not UTF-8 (or holds a NUL)
         * comes back base64, marked "<stream>_encoding", as a read's content does. */
        size_t bad;
        if (cj_utf8_valid(text, len, &bad) && !(len && memchr(text, '\0', len))) {
                json_object_set_new(s->result, stream, json_stringn(text ? text : "", len));
                return 0;
        }
        _cleanup_free_ char *b64 = cj_base64_encode(text, len);
        if (!b64)
                return -ENOMEM;
        char key[32];
        snprintf(key, sizeof key, "%s_encoding", stream);
        json_object_set_new(s->result, stream, json_string(b64));
        json_object_set_new(s->result, key, json_string("base64"));
        return 0;
}

/* Append strings to the result's "hints" array. */
static void add_hints(call_state *s, char *const *hints) {
        if (!hints || !hints[0])
                return;
        json_t *a = json_object_get(s->result, "hints");
        if (!a) {
                a = json_array();
                json_object_set_new(s->result, "hints", a);
        }
        for (size_t i = 0; hints[i]; i++)
                json_array_append_new(a, json_string(hints[i]));
}

/* Git control files the call created were moved aside: say so in the result. */
static void add_quarantined(call_state *s, const cj_sandbox_result *res) {
        add_hints(s, res->notes);
        if (res->quarantined) {
                json_t *a = json_array();
                for (size_t i = 0; res->quarantined[i]; i++)
                        json_array_append_new(a, json_string(res->quarantined[i]));
                json_object_set_new(s->result, "quarantined", a);
        }
        if (res->quarantine_failed) {
                /* Never silent: these stay where the call put them, and the host's git may obey them. */
                json_t *a = json_array(), *hints = json_object_get(s->result, "hints");
                if (!hints)
                        json_object_set_new(s->result, "hints", hints = json_array());
                for (size_t i = 0; res->quarantine_failed[i]; i++) {
                        json_array_append_new(a, json_string(res->quarantine_failed[i]));
                        json_array_append_new(hints, json_pack("s+", "could not move aside a protected path the call "
                                                                       "created; remove it before running git or the IDE here: ",
                                                               res->quarantine_failed[i]));
                }
                json_object_set_new(s->result, "quarantine_failed", a);
        }
}

/* What the seccomp filter refused, aggregated (sandbox.h): in the result,
 * and through end_call in the journal.  Nothing when nothing was refused,
 * except that a call whose refusals could not be recorded says so. */
static void add_refused(call_state *s, const cj_sandbox_result *res) {
        const cj_sandbox_refused *rf = res->refused;
        if (!rf || (rf->recorded && rf->total == 0))
                return;
        json_t *o = json_object();
        json_object_set_new(o, "recorded", json_boolean(rf->recorded));
        if (!rf->recorded) {
                json_object_set_new(o, "reason", json_string(rf->why_not));
                json_object_set_new(s->result, "refused_syscalls", o);
                return;
        }
        json_object_set_new(o, "total", json_integer((json_int_t) rf->total));
        json_t *calls = json_array();
        for (size_t i = 0; i < rf->n_calls; i++) {
                const cj_refused_syscall *c = &rf->calls[i];
                char num[16];
                json_t *e = json_pack("{s:s, s:s, s:s, s:I, s:s}", "syscall", c->syscall, "args", c->args, "errno",
                                      cj_seccomp_errno_name(c->errnum, num, sizeof num), "count",
                                      (json_int_t) c->count, "program", c->program);
                if (e && c->pid > 0)
                        json_object_set_new(e, "pid", json_integer(c->pid));
                json_array_append_new(calls, e);
        }
        json_object_set_new(o, "calls", calls);
        if (rf->unrecorded)
                json_object_set_new(o, "unrecorded", json_integer((json_int_t) rf->unrecorded));
        json_object_set_new(s->result, "refused_syscalls", o);
        if (s->exit_code == 0 || rf->n_calls == 0)
                return;
        /* A failed call whose program was refused something: say it was the
         * sandbox, by design, so an agent works around it instead of retrying. */
        char hint[512], num[16];
        const cj_refused_syscall *c = &rf->calls[0];
        snprintf(hint, sizeof hint,
                 "the sandbox refused %llu system call(s) by design (seccomp policy '%s'), e.g. %s(%s) -> %s in %s; "
                 "the program saw that errno. Retrying will not help: do without it, or ask the operator for "
                 "another profile.",
                 (unsigned long long) rf->total, s->call->profile->seccomp, c->syscall, c->args,
                 cj_seccomp_errno_name(c->errnum, num, sizeof num), c->program);
        char *const hints[] = { hint, NULL };
        add_hints(s, hints);
}

static const char *const bash_argv[] = { "bash", "--noprofile", "--norc", "-c", NULL, NULL };

/* The call's network: the policy from the profile and the operator's flags,
 * and for proxy mode or loopback forwards the proxy that serves them. */
typedef struct call_net {
        cj_net_policy pol;
        cj_net_proxy *px;
} call_net;

static void call_net_clear(call_net *n) {
        cj_net_proxy_free(n->px);
        cj_net_policy_clear(&n->pol);
}

/* Bytes the task may still move through the proxy; -1 when unlimited. */
static int64_t net_budget_left(const call_state *s) {
        if (!s->task)
                return -1;
        const cj_state *st = cj_task_state(s->task);
        cj_budget lim;
        cj_state_limits(st, &lim);
        if (lim.net_bytes < 0)
                return -1;
        return lim.net_bytes > st->used.net_bytes ? lim.net_bytes - st->used.net_bytes : 0;
}

static int net_setup(call_state *s, cj_sandbox_config *cfg, call_net *n, cj_error *err) {
        const cj_call *c = s->call;
        int r = cj_net_policy_build(c->profile, c->net, c->allow_hosts, &n->pol, err);
        if (r < 0)
                return r;
        if (n->pol.mode != CJ_NET_PROXY && n->pol.n_loopback_ports == 0)
                return 0;
        if ((r = cj_net_proxy_new(&n->pol, net_budget_left(s), &n->px, err)) < 0)
                return r;
        cfg->n_listen_ports = cj_net_proxy_ports(n->px, &cfg->listen_ports);
        cfg->listen_chan = cj_net_proxy_sandbox_fd(n->px);
        cfg->watch_fd = cj_net_proxy_watch_fd(n->px);
        cfg->watch = cj_net_proxy_watch;
        cfg->watch_arg = n->px;
        /* The launcher's last word: set after the profile's and the request's env. */
        char *const *names, *const *values;
        size_t n_env = cj_net_proxy_env(n->px, &names, &values);
        for (size_t i = 0; i < n_env; i++)
                if ((r = cj_sandbox_setenv(cfg, names[i], values[i])) < 0)
                        return cj_error_seterrno(err, r, "proxy environment");
        return 0;
}

/* Journal each connection (a "net" event counts toward net_bytes) and put
 * the summary in the result, denied connections first. */
static void net_journal_failed(call_state *s, int code, const char *msg) {
        if (!s->journal_err.code) /* the call then ends as clawjail's error (record()) */
                cj_error_set(&s->journal_err, code ? code : EIO, "journal the call's 'net' events: %s", msg);
}

static void net_report(call_state *s, call_net *n) {
        cj_error e = { 0 };
        if (!n->px)
                return;
        cj_net_summary sum;
        cj_net_proxy_finish(n->px, &sum);
        for (size_t i = 0; s->task && i < sum.n_events; i++) {
                _cleanup_json_ json_t *f = cj_net_event_json(&sum.events[i]);
                if (!f || json_object_set_new(f, "call", json_integer((json_int_t) s->seq)) < 0)
                        net_journal_failed(s, ENOMEM, "out of memory");
                else if (cj_task_record(s->task, "net", f, NULL, &e) < 0)
                        net_journal_failed(s, e.code, e.msg);
        }
        if (s->task && sum.more) {
                _cleanup_json_ json_t *f = json_pack("{s:I,s:s,s:I,s:I,s:I}", "call", (json_int_t) s->seq, "kind",
                                                     "more", "connections", (json_int_t) sum.more, "bytes_up",
                                                     (json_int_t) sum.more_bytes_up, "bytes_down",
                                                     (json_int_t) sum.more_bytes_down);
                if (!f)
                        net_journal_failed(s, ENOMEM, "out of memory");
                else if (cj_task_record(s->task, "net", f, NULL, &e) < 0)
                        net_journal_failed(s, e.code, e.msg);
        }
        json_object_set_new(s->result, "network", cj_net_summary_json(&sum, &n->pol));
        cj_net_summary_clear(&sum);
}

int cj_pipeline_run_sandbox(call_state *s, cj_error *err) {
        const cj_call *c = s->call;
        cj_sandbox_config cfg;
        base_config(s, &cfg);
        cfg.extra_env = c->env;
        char *argv[CJ_ARRAY_SIZE(bash_argv)];
        memcpy(argv, bash_argv, sizeof argv);
        if (c->kind == CJ_CALL_EXEC) {
                argv[4] = (char *) c->command;
                cfg.argv = argv;
        } else
                cfg.argv = c->argv;

        bool capture = !c->passthrough || s->task;
        bool inherit = c->passthrough && !c->stdin_data; /* -1 below: clawjail's own stdin */
        _cleanup_close_ int in = inherit ? -1 : stdin_fd(c);
        if (!inherit && in < 0)
                return cj_error_seterrno(err, in, "cannot prepare the call's stdin");
        _cleanup_(capture_close) capture_file cout = { .fd = -1 }, cerr = { .fd = -1 };
        int out = -1, errf = -1;
        if (capture) {
                out = open_output(s, &cout);
                errf = open_output(s, &cerr);
                if (out < 0 || errf < 0)
                        return cj_error_seterrno(err, out < 0 ? out : errf, "cannot create output files");
                cfg.stdout_fd = out;
                cfg.stderr_fd = errf;
        }
        cfg.stdin_fd = in;
        cfg.output = c->output;
        cfg.pty = c->pty;
        cfg.pty_cols = c->pty_cols;
        cfg.pty_rows = c->pty_rows;
        if (c->pty) /* what the call saw; its stderr is in "stdout", as on any terminal */
                json_object_set_new(s->result, "pty",
                                    json_pack("{s:i, s:i, s:b}", "cols",
                                              (int) (c->pty_cols ? c->pty_cols : CJ_PTY_COLS_DEFAULT), "rows",
                                              (int) (c->pty_rows ? c->pty_rows : CJ_PTY_ROWS_DEFAULT),
                                              "stderr_merged", 1));
        _cleanup_(call_net_clear) call_net net = { 0 };
        int r = net_setup(s, &cfg, &net, err);
        if (r < 0)
                return r;

        _cleanup_(cj_sandbox_result_clear) cj_sandbox_result res = { 0 };
        r = cj_sandbox_run(&cfg, &res, err);
        if (r < 0)
                return r;
        net_report(s, &net);
        s->exit_code = cj_sandbox_exit_code(&res);
        add_quarantined(s, &res);
        add_refused(s, &res);
        const char *status = res.status == CJ_SB_TIMEOUT ? "timeout"
                             : res.status == CJ_SB_EXEC_FAILED ? "error"
                                                                 : "ok";
        json_object_set_new(s->result, "status", json_string(status));
        json_object_set_new(s->result, "exit_code", json_integer(s->exit_code));
        bool sig = res.status == CJ_SB_SIGNALED || res.status == CJ_SB_OOM || res.status == CJ_SB_TIMEOUT;
        json_object_set_new(s->result, "signal", sig ? json_integer(res.signal) : json_null());
        json_object_set_new(s->result, "duration_ms", json_integer(res.duration_ms));
        json_object_set_new(s->result, "cpu_ms", json_integer(res.cpu_ms));
        if (res.peak_memory_bytes >= 0)
                json_object_set_new(s->result, "peak_memory_bytes", json_integer(res.peak_memory_bytes));
        json_object_set_new(s->result, "cgroup", json_string(res.cgroup));
        if (res.status == CJ_SB_OOM)
                json_object_set_new(s->result, "oom_killed", json_true());
        if (res.status == CJ_SB_EXEC_FAILED) {
                char msg[512];
                snprintf(msg, sizeof msg, "%s: %s", cfg.argv[0],
                         res.exec_errno == ENOENT ? "command not found in the sandbox" : strerror(res.exec_errno));
                json_object_set_new(s->result, "error",
                                    json_pack("{s:s, s:s}", "code",
                                              res.exec_errno == ENOENT ? "not_found" : "not_executable", "message",
                                              msg));
        }

        cj_call_outcome oc = {
                .status = status,
                .progress = workspace_changed(s),
                .exit_code = res.status == CJ_SB_EXITED ? res.exit_code : -1,
                .signal = sig ? res.signal : 0,
                .duration_ms = res.duration_ms,
                .cpu_ms = res.cpu_ms,
                .peak_memory_bytes = res.peak_memory_bytes,
        };
        if (capture) {
                bool cut_out = false, cut_err = false;
                if ((r = collect(s, out, "stdout", &oc.stdout_bytes, oc.stdout_sha256, &cut_out)) < 0 ||
                    (r = collect(s, errf, "stderr", &oc.stderr_bytes, oc.stderr_sha256, &cut_err)) < 0)
                        return cj_error_seterrno(err, r, "read the call's output");
                if (cut_out || cut_err) {
                        json_t *t = json_pack("{s:b, s:b}", "stdout", cut_out, "stderr", cut_err);
                        if (s->task) { /* the whole stream that was cut (stdout's if both were) */
                                _cleanup_free_ char *po = cut_out ? keep_output(s, &cout, "stdout") : NULL;
                                _cleanup_free_ char *pe = cut_err ? keep_output(s, &cerr, "stderr") : NULL;
                                if (po || pe)
                                        json_object_set_new(t, "full_output", json_string(po ? po : pe));
                                if (po && pe)
                                        json_object_set_new(t, "full_output_stderr", json_string(pe));
                        }
                        json_object_set_new(s->result, "truncated", t);
                }
                int mode = c->net >= 0 ? c->net : (int) c->profile->network;
                if (s->resolve_failed && (mode == CJ_NET_NONE || mode == CJ_NET_LOOPBACK) && s->exit_code != 0) {
                        char hint[512];
                        snprintf(hint, sizeof hint,
                                 "name resolution failed: profile '%s' has no network (network: %s), so no host "
                                 "name resolves inside. Work offline (vendored or cached dependencies), or ask the "
                                 "operator for a profile with network (--profile net).",
                                 c->profile->name, cj_net_mode_name((cj_net_mode) mode));
                        char *const hints[] = { hint, NULL };
                        add_hints(s, hints);
                }
        } else {
                cj_sha256_hex("", 0, oc.stdout_sha256);
                cj_sha256_hex("", 0, oc.stderr_sha256);
        }
        return end_call(s, &oc, err);
}

/* ---- the file tools, in the sandbox -------------------------------------- */

int cj_pipeline_run_fstool(call_state *s, const char *path, cj_error *err) {
        const cj_call *c = s->call;
        const cj_request *q = c->req;
        _cleanup_close_ int rep = memfd_create("clawjail-report", MFD_CLOEXEC);
        _cleanup_close_ int data = memfd_create("clawjail-data", MFD_CLOEXEC);
        if (rep < 0 || data < 0)
                return cj_error_seterrno(err, errno, "memfd_create");
        int64_t limit = q->limit < 0 ? CJ_READ_LIMIT_DEFAULT : q->limit;
        if (limit > CJ_READ_LIMIT_MAX)
                limit = CJ_READ_LIMIT_MAX;
        cj_fstool_job job = {
                .kind = c->kind,
                .profile = &s->eff,
                .path = path,
                .offset = q->offset,
                .limit = limit,
                .content = q->content.data,
                .content_len = q->content.len,
                .old_text = q->old_text,
                .new_text = q->new_text,
                .report_fd = rep,
                .data_fd = data,
        };
        cj_sandbox_config cfg;
        base_config(s, &cfg);
        cfg.fn = cj_fstool_main;
        cfg.fn_arg = &job;
        const int keep[] = { rep, data, -1 };
        cfg.keep_fds = keep;
        _cleanup_close_ int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        cfg.stdin_fd = cfg.stdout_fd = cfg.stderr_fd = devnull;
        _cleanup_(cj_sandbox_result_clear) cj_sandbox_result res = { 0 };
        int r = cj_sandbox_run(&cfg, &res, err);
        if (r < 0)
                return r;
        add_quarantined(s, &res);
        _cleanup_free_ char *rtext = NULL, *bytes = NULL;
        size_t rlen = 0, blen = 0;
        cj_error rerr = { 0 };
        /* A report or data we cannot read back is a failed call, never an ok one. */
        if (lseek(rep, 0, SEEK_SET) < 0 || lseek(data, 0, SEEK_SET) < 0)
                cj_error_seterrno(&rerr, errno, "rewind the file tool's report");
        else if (cj_read_fd(rep, 1 << 16, &rtext, &rlen, &rerr) >= 0)
                cj_read_fd(data, CJ_READ_LIMIT_MAX, &bytes, &blen, &rerr);
        _cleanup_json_ json_t *rj = rlen && !rerr.code ? json_loadb(rtext, rlen, 0, NULL) : NULL;
        json_t *claimed = rj ? json_object_get(rj, "bytes") : NULL;
        s->exit_code = 0;
        if (res.status == CJ_SB_TIMEOUT) {
                json_object_set_new(s->result, "status", json_string("timeout"));
                s->exit_code = 124;
        } else if (rerr.code) {
                set_error(s->result, "io_error", rerr.msg);
                s->exit_code = 125;
        } else if (!rj || res.status != CJ_SB_EXITED) {
                char msg[160];
                if (res.status == CJ_SB_SIGNALED || res.status == CJ_SB_OOM)
                        snprintf(msg, sizeof msg, "the file tool was killed by signal %d%s", res.signal,
                                 res.status == CJ_SB_OOM ? " (out of memory)" : "");
                else
                        snprintf(msg, sizeof msg, "the file tool ended without a report (exit %d)", res.exit_code);
                set_error(s->result, "io_error", msg);
                s->exit_code = 125;
        } else if (json_is_true(json_object_get(rj, "ok")) && claimed &&
                   json_integer_value(claimed) != (json_int_t) blen) {
                set_error(s->result, "io_error", "the file tool's data is shorter than what it read");
                s->exit_code = 125;
        } else if (!json_is_true(json_object_get(rj, "ok"))) {
                set_error(s->result, json_string_value(json_object_get(rj, "code")),
                          json_string_value(json_object_get(rj, "message")));
                s->exit_code = 125;
        } else if (c->kind == CJ_CALL_READ) {
                size_t bad;
                bool utf8 = cj_utf8_valid(bytes, blen, &bad);
                _cleanup_free_ char *b64 = utf8 ? NULL : cj_base64_encode(bytes, blen);
                json_object_set_new(s->result, "content", utf8 ? json_stringn(bytes, blen) : json_string(b64 ? b64 : ""));
                json_object_set_new(s->result, "encoding", json_string(utf8 ? "utf-8" : "base64"));
                json_object_set(s->result, "size", json_object_get(rj, "size"));
                json_object_set(s->result, "eof", json_object_get(rj, "eof"));
        } else
                json_object_set(s->result, "bytes_written", json_object_get(rj, "bytes_written"));
        json_object_set_new(s->result, "duration_ms", json_integer(res.duration_ms));

        if (s->task) {
                cj_call_outcome oc = {
                        .status = json_string_value(json_object_get(s->result, "status")),
                        /* A write or edit that changed a file's content is progress. */
                        .progress = rj && json_is_true(json_object_get(rj, "changed")),
                        .exit_code = s->exit_code == 0 ? 0 : 1,
                        .duration_ms = res.duration_ms,
                        .cpu_ms = res.cpu_ms,
                        .peak_memory_bytes = res.peak_memory_bytes,
                        .stdout_bytes = blen,
                };
                cj_sha256_hex(bytes ? bytes : "", blen, oc.stdout_sha256);
                cj_sha256_hex(rtext ? rtext : "", rlen, oc.stderr_sha256);
                return end_call(s, &oc, err);
        }
        return 0;
}
