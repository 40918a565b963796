/* SPDX-License-Identifier: MIT */
/* The audit report: fold a journal into what a reviewer needs first
 * (integrity, then what was refused, asked and approved, then the rest), and
 * render it.  Event shapes are docs/tracker.md's; an event this code does not
 * know still appears in the timeline, so nothing the journal holds is hidden. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "util/json.h"

static const char *str(const json_t *o, const char *k) {
        return json_string_value(json_object_get(o, k));
}

static int64_t time_ms(const char *rfc3339) {
        struct tm tm = { 0 };
        int ms = 0;
        if (!rfc3339 || sscanf(rfc3339, "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                               &tm.tm_min, &tm.tm_sec, &ms) < 6)
                return 0;
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        return (int64_t) timegm(&tm) * 1000 + ms;
}

static void bump(json_t *counts, const char *key) {
        if (!key)
                key = "?";
        json_object_set_new(counts, key, json_integer(json_integer_value(json_object_get(counts, key)) + 1));
}

char *cj_audit_event_text(const json_t *e, const json_t *start) {
        char buf[CJ_AUDIT_TEXT_MAX + 64];
        const char *ev = str(e, "event");
        const char *cmd = str(start ? start : e, "command");
        _cleanup_free_ char *argv = NULL; /* a `run` call journals its argv, not a command */
        if (!cmd && json_is_array(json_object_get(start ? start : e, "argv")))
                cmd = argv = cj_json_line(json_object_get(start ? start : e, "argv"));
        const char *tool = str(start ? start : e, "tool");
        const char *path = str(start ? start : e, "path");
        if (path && tool && strcmp(tool, "exec") != 0 && strcmp(tool, "run") != 0)
                cmd = NULL; /* a file tool: its path says more than its loop fingerprint */
        if (strcmp(ev, "start") == 0)
                snprintf(buf, sizeof buf, "%s %.*s", tool ? tool : "call", CJ_AUDIT_TEXT_MAX,
                         cmd ? cmd : path ? path : "");
        else if ((strcmp(ev, "approved") == 0 || strcmp(ev, "refused") == 0) && str(e, "request")) {
                const json_t *by = json_object_get(e, "by");
                const char *who = str(by, "user"), *via = str(by, "via"), *scope = str(e, "scope"), *why = str(e, "reason");
                snprintf(buf, sizeof buf, "request %s %s%s%s by %s%s%s%s%.*s", str(e, "request"), ev,
                         scope ? " " : "", scope ? scope : "", who ? who : "uid", via ? " via " : "", via ? via : "",
                         why ? ": " : "", CJ_AUDIT_TEXT_MAX / 2, why ? why : "");
        } else if (strcmp(ev, "charge") == 0)
                snprintf(buf, sizeof buf, "%lld tokens, %.4f USD", (long long) json_integer_value(json_object_get(e, "tokens")),
                         json_number_value(json_object_get(e, "cost_usd")));
        else if (strcmp(ev, "end") == 0) {
                const json_t *code = json_object_get(e, "exit_code"), *sig = json_object_get(e, "signal");
                char exit_part[32] = "";
                if (json_is_integer(sig))
                        snprintf(exit_part, sizeof exit_part, " signal %lld", (long long) json_integer_value(sig));
                else if (json_is_integer(code))
                        snprintf(exit_part, sizeof exit_part, " exit %lld", (long long) json_integer_value(code));
                snprintf(buf, sizeof buf, "call %lld %s%s, %lld ms", (long long) json_integer_value(json_object_get(e, "call")),
                         str(e, "status") ? str(e, "status") : "?", exit_part,
                         (long long) json_integer_value(json_object_get(e, "duration_ms")));
        } else if (strcmp(ev, "net") == 0) {
                const char *addr = str(e, "address"), *why = str(e, "reason");
                snprintf(buf, sizeof buf, "call %lld: %s %s:%lld%s%s %s, %lld B up, %lld B down, %lld ms%s%.*s",
                         (long long) json_integer_value(json_object_get(e, "call")), str(e, "kind") ? str(e, "kind") : "?",
                         str(e, "host") ? str(e, "host") : "?", (long long) json_integer_value(json_object_get(e, "port")),
                         addr ? " at " : "", addr ? addr : "", str(e, "verdict") ? str(e, "verdict") : "?",
                         (long long) json_integer_value(json_object_get(e, "bytes_up")),
                         (long long) json_integer_value(json_object_get(e, "bytes_down")),
                         (long long) json_integer_value(json_object_get(e, "duration_ms")), why ? ": " : "",
                         CJ_AUDIT_TEXT_MAX / 2, why ? why : "");
        } else if (strcmp(ev, "budget_exhausted") == 0)
                snprintf(buf, sizeof buf, "budget %s exhausted: %g used of %g; later calls are refused",
                         str(e, "budget") ? str(e, "budget") : "?", json_number_value(json_object_get(e, "used")),
                         json_number_value(json_object_get(e, "limit")));
        else if (strcmp(ev, "loop_detected") == 0) {
                const json_t *cmds = json_object_get(e, "commands");
                snprintf(buf, sizeof buf, "%s after %lld calls: `%.*s`%s blocked: %.*s",
                         str(e, "rule") ? str(e, "rule") : "loop", (long long) json_integer_value(json_object_get(e, "count")),
                         CJ_AUDIT_TEXT_MAX / 3, json_string_value(json_array_get(cmds, 0)) ? json_string_value(json_array_get(cmds, 0)) : "",
                         json_array_size(cmds) > 1 ? " and others" : "", CJ_AUDIT_TEXT_MAX / 2,
                         str(e, "reason") ? str(e, "reason") : "");
        } else if (strcmp(ev, "stopped") == 0)
                snprintf(buf, sizeof buf, "task stopped by %s: %.*s", str(e, "by") ? str(e, "by") : "operator",
                         CJ_AUDIT_TEXT_MAX, str(e, "reason") ? str(e, "reason") : "");
        else if (strcmp(ev, "interrupted") == 0)
                snprintf(buf, sizeof buf, "call %lld `%.*s` never finished (its launcher died after %lld ms); charged",
                         (long long) json_integer_value(json_object_get(e, "call")), CJ_AUDIT_TEXT_MAX,
                         cmd ? cmd : path ? path : "", (long long) json_integer_value(json_object_get(e, "duration_ms")));
        else if (strcmp(ev, "created") == 0)
                snprintf(buf, sizeof buf, "task created; journal chained with %s, host key %s",
                         str(e, "chain") ? str(e, "chain") : "sha256", str(e, "key_id") ? str(e, "key_id") : "none");
        else if (strcmp(ev, "resumed") == 0)
                snprintf(buf, sizeof buf, "task resumed by %s%s%.*s", str(e, "by") ? str(e, "by") : "operator",
                         str(e, "was") ? "; it had stopped: " : "", CJ_AUDIT_TEXT_MAX, str(e, "was") ? str(e, "was") : "");
        else if (strcmp(ev, "checkpoint") == 0)
                snprintf(buf, sizeof buf, "checkpoint %lld%s%.*s", (long long) json_integer_value(json_object_get(e, "n")),
                         str(e, "label") ? ": " : "", CJ_AUDIT_TEXT_MAX, str(e, "label") ? str(e, "label") : "");
        else if (strcmp(ev, "repaired") == 0)
                snprintf(buf, sizeof buf, "journal repaired at line %lld: %lld bytes cut (sha256 %.16s), %.*s",
                         (long long) json_integer_value(json_object_get(e, "line")),
                         (long long) json_integer_value(json_object_get(e, "removed_bytes")),
                         str(e, "removed_sha256") ? str(e, "removed_sha256") : "", CJ_AUDIT_TEXT_MAX / 2,
                         str(e, "reason") ? str(e, "reason") : "");
        else if (strcmp(ev, "budget_set") == 0) {
                char limits[CJ_AUDIT_TEXT_MAX] = "";
                size_t k = 0;
                const char *key;
                const json_t *v;
                json_object_foreach ((json_t *) json_object_get(e, "budget"), key, v) {
                        int w = json_is_null(v) ? snprintf(limits + k, sizeof limits - k, "%s%s unlimited", k ? ", " : "", key)
                                                : snprintf(limits + k, sizeof limits - k, "%s%s %g", k ? ", " : "", key,
                                                           json_number_value(v));
                        if (w < 0 || (size_t) w >= sizeof limits - k)
                                break;
                        k += (size_t) w;
                }
                snprintf(buf, sizeof buf, "budget changed by %s: %s", str(e, "by") ? str(e, "by") : "operator", limits);
        } else if (strcmp(ev, "rejected") == 0 && !cmd && !path)
                snprintf(buf, sizeof buf, "request rejected: %.*s", CJ_AUDIT_TEXT_MAX,
                         str(e, "message") ? str(e, "message") : str(e, "code") ? str(e, "code") : "");
        else if (strcmp(ev, "profile") == 0)
                snprintf(buf, sizeof buf, "%s %.12s", str(e, "name") ? str(e, "name") : "?",
                         str(e, "sha256") ? str(e, "sha256") : "");
        else if ((cmd || path) && (strcmp(ev, "denied") == 0 || strcmp(ev, "approval_required") == 0 ||
                                   strcmp(ev, "loop_refused") == 0)) {
                /* a request refused before it ran: what it was, and the first reason */
                const json_t *f = json_array_get(json_object_get(json_object_get(e, "verdict"), "findings"), 0);
                const char *why = f ? str(f, "message") : str(e, "reason");
                snprintf(buf, sizeof buf, "%s %.*s%s%.*s", tool ? tool : "call", CJ_AUDIT_TEXT_MAX / 2,
                         cmd ? cmd : path, why ? " \u2014 " : "", CJ_AUDIT_TEXT_MAX / 2, why ? why : "");
        } else {
                _cleanup_json_ json_t *rest = json_deep_copy(e);
                json_object_del(rest, "seq");
                json_object_del(rest, "time");
                json_object_del(rest, "event");
                json_object_del(rest, "task");
                json_object_del(rest, "prev");
                _cleanup_free_ char *s = cj_json_line(rest);
                snprintf(buf, sizeof buf, "%.*s", CJ_AUDIT_TEXT_MAX, s ? s : "");
        }
        return strdup(buf);
}

/* An end event's refused syscalls (docs/protocol.md, "refused_syscalls"):
 * one row per record, the call's command beside it; calls whose refusals
 * could not be recorded are counted once, with the reason. */
static void add_refused(json_t *rows, json_t *unrecorded, const json_t *e, const json_t *start) {
        const json_t *rs = json_object_get(e, "refused_syscalls");
        if (!json_is_object(rs))
                return;
        json_int_t seq = json_integer_value(json_object_get(e, "seq"));
        const char *cmd = start && str(start, "command") ? str(start, "command") : start ? str(start, "path") : NULL;
        char argv[CJ_AUDIT_TEXT_MAX + 1] = "";
        size_t k = 0, j;
        const json_t *a, *args = start && !cmd ? json_object_get(start, "argv") : NULL;
        json_array_foreach (args, j, a) {
                int w = snprintf(argv + k, sizeof argv - k, "%s%s", k ? " " : "",
                                 json_string_value(a) ? json_string_value(a) : "");
                if (w < 0 || (size_t) w >= sizeof argv - k)
                        break;
                k += (size_t) w;
                cmd = argv;
        }
        if (json_is_false(json_object_get(rs, "recorded"))) {
                json_object_set_new(unrecorded, "calls",
                                    json_integer(json_integer_value(json_object_get(unrecorded, "calls")) + 1));
                if (str(rs, "reason"))
                        json_object_set_new(unrecorded, "reason", json_string(str(rs, "reason")));
                return;
        }
        size_t i;
        const json_t *c;
        json_array_foreach (json_object_get(rs, "calls"), i, c) {
                json_t *row = json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:O?, s:O?}", "seq", seq, "time",
                                        str(e, "time"), "command", cmd, "syscall", str(c, "syscall"), "args",
                                        str(c, "args"), "errno", str(c, "errno"), "program", str(c, "program"), "pid",
                                        json_object_get(c, "pid"), "count", json_object_get(c, "count"));
                if (row)
                        json_array_append_new(rows, row);
        }
        const json_t *more = json_object_get(rs, "unrecorded");
        if (json_integer_value(more) > 0)
                json_array_append_new(rows, json_pack("{s:I, s:s?, s:s?, s:s, s:s, s:O}", "seq", seq, "time",
                                                      str(e, "time"), "command", cmd, "syscall", "(other kinds)",
                                                      "args", "beyond the per-call bound: counted, not itemized",
                                                      "count", more));
}

json_t *cj_audit_summarize(const char *task, const json_t *events, const json_t *verify, const json_t *status,
                           int64_t since_ms) {
        json_t *s = json_object();
        json_t *by_status = json_object(), *by_verdict = json_object(), *by_event = json_object();
        json_t *profiles = json_array(), *attention = json_array(), *approvals = json_array();
        json_t *quarantined = json_array(), *network = json_array(), *syscalls = json_array();
        json_t *unrecorded = json_pack("{s:i, s:n}", "calls", 0, "reason");
        json_t *loops = json_array(), *interrupted = json_array(), *spills = json_array(), *timeline = json_array();
        _cleanup_json_ json_t *starts = json_object(); /* seq -> start event */
        _cleanup_json_ json_t *net_calls = json_object(); /* calls with "net" events */
        size_t calls = 0, not_run = 0, dropped = 0, i;
        const json_t *e;
        const char *first = NULL, *last = NULL;

        json_array_foreach (events, i, e) {
                const char *ev = str(e, "event");
                const char *t = str(e, "time");
                if (!ev || (since_ms && time_ms(t) < since_ms))
                        continue;
                if (!first)
                        first = t;
                last = t;
                bump(by_event, ev);
                char seqkey[32], callkey[32]; /* this event's seq; the call an end, interrupted or net event is of */
                snprintf(seqkey, sizeof seqkey, "%lld", (long long) json_integer_value(json_object_get(e, "seq")));
                snprintf(callkey, sizeof callkey, "%lld", (long long) json_integer_value(json_object_get(e, "call")));
                const json_t *start = NULL;
                if (strcmp(ev, "start") == 0) {
                        json_object_set(starts, seqkey, (json_t *) e);
                        calls++;
                        if (str(json_object_get(e, "verdict"), "decision"))
                                bump(by_verdict, str(json_object_get(e, "verdict"), "decision"));
                } else if (strcmp(ev, "end") == 0 || strcmp(ev, "interrupted") == 0)
                        start = json_object_get(starts, callkey);
                /* A request refused before it ran is one too: its verdict and
                 * why it did not run count beside the calls that did. */
                static const struct {
                        const char *event, *verdict;
                } refusals[] = { { "denied", "deny" }, { "approval_required", "ask" }, { "rejected", NULL },
                                 { "loop_refused", NULL } };
                for (size_t k = 0; k < CJ_ARRAY_SIZE(refusals); k++)
                        if (strcmp(ev, refusals[k].event) == 0) {
                                not_run++;
                                bump(by_status, ev);
                                /* an operator's refusal of an `ask` is still an ask */
                                const char *d = str(json_object_get(e, "verdict"), "decision");
                                if (d || refusals[k].verdict)
                                        bump(by_verdict, d ? d : refusals[k].verdict);
                        }
                if (strcmp(ev, "end") == 0) {
                        bump(by_status, str(e, "status"));
                        const json_t *q = json_object_get(e, "quarantined");
                        size_t j;
                        const json_t *x;
                        json_array_foreach (q, j, x)
                                json_array_append_new(quarantined, json_pack("{s:I, s:s?, s:O}", "seq",
                                                                             json_integer_value(json_object_get(e, "seq")),
                                                                             "time", t, "what", x));
                        if (json_object_get(e, "full_output") || json_object_get(e, "truncated"))
                                json_array_append_new(spills, json_deep_copy(e));
                        /* the per-connection "net" events say it all; a call's summary
                         * stands in only where its journal has none */
                        const json_t *net = json_object_get(e, "network");
                        if (net && !json_object_get(net_calls, callkey))
                                json_array_append_new(network, json_deep_copy(e));
                        add_refused(syscalls, unrecorded, e, start);
                } else if (strcmp(ev, "profile") == 0)
                        json_array_append_new(profiles, json_pack("{s:s?, s:s?, s:s?}", "name", str(e, "name"), "sha256",
                                                                  str(e, "sha256"), "since", t));
                else if (strcmp(ev, "denied") == 0 || strcmp(ev, "approval_required") == 0 ||
                         strcmp(ev, "rejected") == 0)
                        json_array_append_new(attention, json_deep_copy(e));
                else if (strcmp(ev, "approved") == 0 || strcmp(ev, "refused") == 0)
                        json_array_append_new(approvals, json_deep_copy(e));
                else if (strcmp(ev, "interrupted") == 0)
                        json_array_append_new(interrupted, json_deep_copy(e));
                else if (strcmp(ev, "net") == 0) {
                        json_object_set_new(net_calls, callkey, json_true());
                        json_array_append_new(network, json_deep_copy(e));
                }
                else if (strcmp(ev, "stopped") == 0 || strcmp(ev, "loop_detected") == 0 ||
                         strcmp(ev, "budget_exhausted") == 0)
                        json_array_append_new(loops, json_deep_copy(e));
                /* A start the chain did not simply allow is worth a look too. */
                if (strcmp(ev, "start") == 0) {
                        const char *d = str(json_object_get(e, "verdict"), "decision");
                        if (d && strcmp(d, "allow") != 0)
                                json_array_append_new(attention, json_deep_copy(e));
                }
                if (json_array_size(timeline) >= CJ_AUDIT_TIMELINE_MAX) {
                        dropped++;
                        continue;
                }
                _cleanup_free_ char *sum = cj_audit_event_text(e, start);
                json_array_append_new(timeline, json_pack("{s:I, s:s?, s:s, s:s?}", "seq",
                                                          json_integer_value(json_object_get(e, "seq")), "time", t,
                                                          "event", ev, "summary", sum));
        }
        json_object_set_new(s, "task", json_string(task));
        json_object_set(s, "integrity", (json_t *) (verify ? verify : json_null()));
        json_object_set_new(s, "period", json_pack("{s:s?, s:s?}", "first", first, "last", last));
        json_object_set_new(s, "calls", json_integer((json_int_t) calls));
        json_object_set_new(s, "requests", json_integer((json_int_t) (calls + not_run)));
        json_object_set_new(s, "by_status", by_status);
        json_object_set_new(s, "by_verdict", by_verdict);
        json_object_set_new(s, "by_event", by_event);
        json_object_set_new(s, "profiles", profiles);
        json_object_set_new(s, "attention", attention);
        json_object_set_new(s, "approvals", approvals);
        json_object_set_new(s, "quarantined", quarantined);
        json_object_set_new(s, "network", network);
        json_object_set_new(s, "syscalls", syscalls);
        json_object_set_new(s, "syscalls_unrecorded", unrecorded);
        json_object_set_new(s, "stops", loops);
        json_object_set_new(s, "interrupted", interrupted);
        json_object_set_new(s, "spills", spills);
        if (status) {
                json_object_set(s, "budget", json_object_get(status, "budget"));
                json_object_set(s, "state", json_object_get(status, "state"));
        }
        json_object_set_new(s, "timeline", timeline);
        json_object_set_new(s, "timeline_dropped", json_integer((json_int_t) dropped));
        return s;
}

/* ---- rendering ---- */

typedef struct buf {
        char *p;
        size_t n, cap;
        bool oom;
} buf;

__attribute__((format(printf, 2, 3))) static void out(buf *b, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int need = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (need < 0 || b->oom)
                return;
        if (b->n + (size_t) need + 1 > b->cap) {
                size_t nc = b->cap ? b->cap : 8192;
                while (nc < b->n + (size_t) need + 1)
                        nc *= 2;
                char *np = realloc(b->p, nc);
                if (!np) {
                        b->oom = true;
                        return;
                }
                b->p = np;
                b->cap = nc;
        }
        va_start(ap, fmt);
        vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        b->n += (size_t) need;
}

static char *finish(buf *b) {
        if (b->oom) {
                free(b->p);
                return NULL;
        }
        return b->p ? b->p : strdup("");
}

/* Text safe inside HTML (and, with md, inside a Markdown table cell). */
static void esc(buf *b, const char *s, bool html) {
        if (!s)
                return;
        for (size_t i = 0; s[i] && i < 4 * CJ_AUDIT_TEXT_MAX; i++) {
                char c = s[i];
                if (html && c == '<')
                        out(b, "&lt;");
                else if (html && c == '>')
                        out(b, "&gt;");
                else if (html && c == '&')
                        out(b, "&amp;");
                else if (html && c == '"')
                        out(b, "&quot;");
                else if (!html && c == '|')
                        out(b, "\\|");
                else if (c == '\n')
                        out(b, html ? "<br>" : " ");
                else if ((unsigned char) c < 0x20)
                        out(b, " ");
                else
                        out(b, "%c", c);
        }
}

static const char *finding_text(const json_t *ev, char *tmp, size_t n) {
        const json_t *f = json_object_get(json_object_get(ev, "verdict"), "findings");
        if (!f)
                f = json_object_get(ev, "findings");
        size_t k = 0, i;
        const json_t *x;
        tmp[0] = '\0';
        json_array_foreach (f, i, x) {
                int w = snprintf(tmp + k, n - k, "%s%s: %s", k ? "; " : "", str(x, "validator") ? str(x, "validator") : "rule",
                                 str(x, "message") ? str(x, "message") : "");
                if (w < 0 || (size_t) w >= n - k)
                        break;
                k += (size_t) w;
        }
        if (!k && str(ev, "reason"))
                snprintf(tmp, n, "%s", str(ev, "reason"));
        if (!k && !tmp[0] && str(ev, "message"))
                snprintf(tmp, n, "%s", str(ev, "message"));
        return tmp;
}

static void integrity_line(buf *b, const json_t *s, bool html) {
        const json_t *v = json_object_get(s, "integrity");
        bool okv = json_is_true(json_object_get(v, "ok"));
        char line[600];
        if (okv)
                snprintf(line, sizeof line, "Journal verified: %lld lines, each keyed (HMAC-SHA-256) to the one before, none edited, lost or reordered.",
                         (long long) json_integer_value(json_object_get(v, "lines")));
        else
                snprintf(line, sizeof line, "JOURNAL DAMAGED at line %lld: %s. Nothing after that line can be trusted.",
                         (long long) json_integer_value(json_object_get(v, "bad_line")),
                         str(v, "why") ? str(v, "why") : "unknown reason");
        if (html)
                out(b, "<p class=\"integrity %s\" id=\"integrity\">", okv ? "good" : "bad");
        else
                out(b, "**%s**\n\n", okv ? "Integrity: ok" : "Integrity: BROKEN");
        esc(b, line, html);
        out(b, html ? "</p>\n" : "\n\n");
}

typedef void (*row_fn)(buf *b, const json_t *ev, bool html);

static void section(buf *b, const char *id, const char *title, const char *cols, const json_t *rows, row_fn fn,
                    bool html) {
        size_t n = json_array_size(rows), i;
        const json_t *ev;
        if (html) {
                out(b, "<section id=\"%s\"><h3>%s <span class=\"count\">%zu</span></h3>\n", id, title, n);
                if (!n) {
                        out(b, "<p class=\"none\">None.</p></section>\n");
                        return;
                }
                out(b, "<table><tr>");
                for (const char *c = cols; *c;) {
                        const char *e = strchr(c, '|');
                        size_t l = e ? (size_t) (e - c) : strlen(c);
                        out(b, "<th>%.*s</th>", (int) l, c);
                        c += l + (e ? 1 : 0);
                }
                out(b, "</tr>\n");
        } else {
                out(b, "### %s (%zu)\n\n", title, n);
                if (!n) {
                        out(b, "None.\n\n");
                        return;
                }
                out(b, "|");
                for (const char *c = cols; *c; c++)
                        out(b, *c == '|' ? " |" : c == cols || c[-1] == '|' ? " %c" : "%c", *c);
                out(b, " |\n|");
                for (const char *c = cols; *c; c++)
                        if (*c == '|')
                                out(b, "---|");
                out(b, "---|\n");
        }
        json_array_foreach (rows, i, ev)
                fn(b, ev, html);
        out(b, html ? "</table></section>\n" : "\n");
}

static void cell(buf *b, const char *s, bool html) {
        out(b, html ? "<td>" : " ");
        esc(b, s, html);
        out(b, html ? "</td>" : " |");
}

static void row_begin(buf *b, bool html) {
        out(b, html ? "<tr>" : "|");
}

static void row_end(buf *b, bool html) {
        out(b, html ? "</tr>\n" : "\n");
}

static void row_attention(buf *b, const json_t *ev, bool html) {
        char tmp[CJ_AUDIT_TEXT_MAX * 2], seq[32];
        snprintf(seq, sizeof seq, "%lld", (long long) json_integer_value(json_object_get(ev, "seq")));
        const char *decision = str(json_object_get(ev, "verdict"), "decision");
        row_begin(b, html);
        cell(b, seq, html);
        cell(b, str(ev, "time"), html);
        const char *req = str(ev, "request") ? str(ev, "request") : str(json_object_get(ev, "approval"), "request");
        bool ran = strcmp(str(ev, "event"), "start") == 0;
        char what[64];
        snprintf(what, sizeof what, "%s%s", ran ? (decision ? decision : "?") : str(ev, "event"),
                 ran && json_object_get(ev, "approval") ? ", ran approved" : ran ? ", ran" : "");
        cell(b, what, html);
        cell(b, str(ev, "command") ? str(ev, "command") : str(ev, "path") ? str(ev, "path") : str(ev, "tool"), html);
        cell(b, finding_text(ev, tmp, sizeof tmp), html);
        cell(b, req ? req : "", html);
        row_end(b, html);
}

static void row_approval(buf *b, const json_t *ev, bool html) {
        char seq[32], scope[96], by[192];
        const json_t *who = json_object_get(ev, "by");
        if (json_is_object(who))
                snprintf(by, sizeof by, "%s (uid %lld)%s%s", str(who, "user") ? str(who, "user") : "?",
                         (long long) json_integer_value(json_object_get(who, "uid")), str(who, "via") ? " via " : "",
                         str(who, "via") ? str(who, "via") : "");
        else
                snprintf(by, sizeof by, "%s", json_string_value(who) ? json_string_value(who) : "?");
        snprintf(seq, sizeof seq, "%lld", (long long) json_integer_value(json_object_get(ev, "seq")));
        snprintf(scope, sizeof scope, "%s%s%s", str(ev, "scope") ? str(ev, "scope") : "",
                 str(ev, "expires") ? ", until " : "", str(ev, "expires") ? str(ev, "expires") : "");
        row_begin(b, html);
        cell(b, seq, html);
        cell(b, str(ev, "time"), html);
        cell(b, strcmp(str(ev, "event"), "approved") == 0 ? "approved" : "refused", html);
        cell(b, str(ev, "request"), html);
        cell(b, by, html);
        cell(b, strcmp(str(ev, "event"), "approved") == 0 ? scope : str(ev, "reason"), html);
        row_end(b, html);
}

static void row_quarantine(buf *b, const json_t *ev, bool html) {
        char seq[32];
        snprintf(seq, sizeof seq, "%lld", (long long) json_integer_value(json_object_get(ev, "seq")));
        _cleanup_free_ char *other = json_is_string(json_object_get(ev, "what")) ? NULL
                                     : cj_json_line(json_object_get(ev, "what"));
        row_begin(b, html);
        cell(b, seq, html);
        cell(b, str(ev, "time") ? str(ev, "time") : "", html);
        cell(b, other ? other : str(ev, "what"), html);
        row_end(b, html);
}

/* A row of seq, time and one sentence. */
static void text_row(buf *b, const json_t *ev, const char *text, bool html) {
        char seq[32];
        snprintf(seq, sizeof seq, "%lld", (long long) json_integer_value(json_object_get(ev, "seq")));
        row_begin(b, html);
        cell(b, seq, html);
        cell(b, str(ev, "time") ? str(ev, "time") : "", html);
        cell(b, text, html);
        row_end(b, html);
}

/* The stops and interrupted sections: the event as one sentence. */
static void row_event(buf *b, const json_t *ev, bool html) {
        _cleanup_free_ char *sum = cj_audit_event_text(ev, NULL);
        text_row(b, ev, sum ? sum : "", html);
}

/* The network section: a connection's net event, or the end of a call whose
 * journal has none, with its network summary. */
static void row_network(buf *b, const json_t *ev, bool html) {
        const json_t *net = json_object_get(ev, "network");
        if (!net) {
                row_event(b, ev, html);
                return;
        }
        char text[CJ_AUDIT_TEXT_MAX * 2];
        _cleanup_free_ char *sum = cj_audit_event_text(ev, NULL);
        snprintf(text, sizeof text, "%s: %s network, %lld connections allowed, %lld denied, %lld B up, %lld B down",
                 sum ? sum : "", str(net, "mode") ? str(net, "mode") : "?",
                 (long long) json_integer_value(json_object_get(net, "allowed")),
                 (long long) json_integer_value(json_object_get(net, "denied")),
                 (long long) json_integer_value(json_object_get(net, "bytes_up")),
                 (long long) json_integer_value(json_object_get(net, "bytes_down")));
        text_row(b, ev, text, html);
}

/* The spills section: which stream the result cut, and where it is whole. */
static void row_spill(buf *b, const json_t *ev, bool html) {
        char text[CJ_AUDIT_TEXT_MAX * 2];
        _cleanup_free_ char *sum = cj_audit_event_text(ev, NULL);
        /* "truncated": {"stdout": bool, "stderr": bool, "full_output": path} */
        const json_t *trunc = json_object_get(ev, "truncated"), *full = json_object_get(ev, "full_output");
        const json_t *path = full ? full : json_object_get(trunc, "full_output");
        bool out_cut = json_is_true(json_object_get(trunc, "stdout")) || json_is_true(trunc);
        bool err_cut = json_is_true(json_object_get(trunc, "stderr"));
        snprintf(text, sizeof text, "%s: %s%s%s cut in the result%s%s", sum ? sum : "", out_cut ? "stdout" : "",
                 out_cut && err_cut ? " and " : "", err_cut ? "stderr" : out_cut ? "" : "output",
                 json_is_string(path) ? ", kept in full in " : "", json_is_string(path) ? json_string_value(path) : "");
        text_row(b, ev, text, html);
}

static void row_syscall(buf *b, const json_t *ev, bool html) {
        char seq[32], who[64], count[32];
        snprintf(seq, sizeof seq, "%lld", (long long) json_integer_value(json_object_get(ev, "seq")));
        const json_t *pid = json_object_get(ev, "pid");
        if (json_is_integer(pid))
                snprintf(who, sizeof who, "%s (pid %lld)", str(ev, "program") ? str(ev, "program") : "?",
                         (long long) json_integer_value(pid));
        else
                snprintf(who, sizeof who, "%s", str(ev, "program") ? str(ev, "program") : "");
        snprintf(count, sizeof count, "%lld", (long long) json_integer_value(json_object_get(ev, "count")));
        row_begin(b, html);
        cell(b, seq, html);
        cell(b, str(ev, "time") ? str(ev, "time") : "", html);
        cell(b, str(ev, "command") ? str(ev, "command") : "", html);
        cell(b, str(ev, "syscall"), html);
        cell(b, str(ev, "args"), html);
        cell(b, str(ev, "errno") ? str(ev, "errno") : "", html);
        cell(b, who, html);
        cell(b, count, html);
        row_end(b, html);
}

static void row_timeline(buf *b, const json_t *ev, bool html) {
        char seq[32];
        snprintf(seq, sizeof seq, "%lld", (long long) json_integer_value(json_object_get(ev, "seq")));
        row_begin(b, html);
        cell(b, seq, html);
        cell(b, str(ev, "time"), html);
        cell(b, str(ev, "event"), html);
        cell(b, str(ev, "summary"), html);
        row_end(b, html);
}

static void counts(buf *b, const json_t *s, bool html) {
        const char *names[] = { "by_verdict", "by_status" };
        const char *titles[] = { "Verdicts", "Outcomes" };
        for (size_t k = 0; k < 2; k++) {
                const json_t *o = json_object_get(s, names[k]);
                const char *key;
                const json_t *v;
                if (html)
                        out(b, "<p class=\"counts\" id=\"%s\"><b>%s:</b> ", names[k], titles[k]);
                else
                        out(b, "**%s:** ", titles[k]);
                bool any = false;
                json_object_foreach ((json_t *) o, key, v) {
                        out(b, "%s", any ? ", " : "");
                        esc(b, key, html);
                        out(b, " %lld", (long long) json_integer_value(v));
                        any = true;
                }
                out(b, "%s%s", any ? "" : "none", html ? "</p>\n" : "  \n");
        }
}

static void budget(buf *b, const json_t *s, bool html) {
        const json_t *bud = json_object_get(s, "budget");
        const char *key;
        const json_t *v;
        out(b, html ? "<section id=\"budget\"><h3>Budget</h3><table><tr><th>resource</th><th>used</th><th>limit</th></tr>\n"
                    : "### Budget\n\n| resource | used | limit |\n|---|---|---|\n");
        json_object_foreach ((json_t *) bud, key, v) {
                _cleanup_free_ char *u = json_dumps(json_object_get(v, "used"), JSON_ENCODE_ANY | JSON_REAL_PRECISION(6));
                _cleanup_free_ char *l = json_dumps(json_object_get(v, "limit"), JSON_ENCODE_ANY);
                row_begin(b, html);
                cell(b, key, html);
                cell(b, u ? u : "", html);
                cell(b, l && strcmp(l, "null") != 0 ? l : "none", html);
                row_end(b, html);
        }
        out(b, html ? "</table></section>\n" : "\n");
}

static void render_one(buf *b, const json_t *s, bool html) {
        const char *task = str(s, "task");
        const json_t *period = json_object_get(s, "period");
        if (html) {
                out(b, "<article class=\"task\"><h2>Task ");
                esc(b, task, true);
                out(b, "</h2>\n<p class=\"period\">");
                esc(b, str(period, "first") ? str(period, "first") : "no events", true);
                out(b, " &rarr; ");
                esc(b, str(period, "last"), true);
                out(b, " &middot; %lld requests, %lld ran &middot; state ",
                    (long long) json_integer_value(json_object_get(s, "requests")),
                    (long long) json_integer_value(json_object_get(s, "calls")));
                esc(b, str(s, "state") ? str(s, "state") : "?", true);
                out(b, "</p>\n");
        } else {
                out(b, "## Task %s\n\n%s → %s · %lld requests, %lld ran · state %s\n\n", task,
                    str(period, "first") ? str(period, "first") : "no events", str(period, "last") ? str(period, "last") : "",
                    (long long) json_integer_value(json_object_get(s, "requests")),
                    (long long) json_integer_value(json_object_get(s, "calls")), str(s, "state") ? str(s, "state") : "?");
        }
        integrity_line(b, s, html);
        counts(b, s, html);
        const json_t *profiles = json_object_get(s, "profiles");
        size_t i;
        const json_t *p;
        out(b, html ? "<p id=\"profiles\"><b>Profiles:</b> " : "**Profiles:** ");
        json_array_foreach (profiles, i, p) {
                out(b, "%s", i ? ", " : "");
                esc(b, str(p, "name"), html);
                out(b, " (sha256 %.16s…)", str(p, "sha256") ? str(p, "sha256") : "?");
        }
        out(b, html ? "</p>\n" : "\n\n");
        section(b, "attention", "Denied, asked and rejected calls", "seq|time|verdict|command or path|findings|request",
                json_object_get(s, "attention"), row_attention, html);
        section(b, "approvals", "Operator decisions", "seq|time|decision|request|by|scope or reason",
                json_object_get(s, "approvals"), row_approval, html);
        section(b, "quarantined", "Quarantined files (moved aside after the call)", "seq|time|path",
                json_object_get(s, "quarantined"), row_quarantine, html);
        section(b, "network", "Network connections", "seq|time|connection", json_object_get(s, "network"), row_network,
                html);
        section(b, "syscalls", "Refused system calls (answered with the policy's errno)",
                "seq|time|command|syscall|arguments|errno|program|count", json_object_get(s, "syscalls"), row_syscall,
                html);
        const json_t *unrec = json_object_get(s, "syscalls_unrecorded");
        if (json_integer_value(json_object_get(unrec, "calls")) > 0) {
                char line[400];
                snprintf(line, sizeof line,
                         "Refused system calls were not recorded for %lld call(s): %s. Those calls got their errno "
                         "silently; the table above cannot list them.",
                         (long long) json_integer_value(json_object_get(unrec, "calls")),
                         str(unrec, "reason") ? str(unrec, "reason") : "unknown reason");
                out(b, html ? "<p class=\"bad integrity\" id=\"syscalls-unrecorded\">" : "**Note:** ");
                esc(b, line, html);
                out(b, html ? "</p>\n" : "\n\n");
        }
        section(b, "stops", "Stops: budget, loops, operator", "seq|time|event", json_object_get(s, "stops"), row_event,
                html);
        section(b, "interrupted", "Interrupted calls", "seq|time|event", json_object_get(s, "interrupted"), row_event,
                html);
        section(b, "spills", "Output kept in full outside the result", "seq|time|event", json_object_get(s, "spills"),
                row_spill, html);
        budget(b, s, html);
        section(b, "timeline", "Timeline", "seq|time|event|summary", json_object_get(s, "timeline"), row_timeline, html);
        if (json_integer_value(json_object_get(s, "timeline_dropped")))
                out(b, html ? "<p>%lld more events are in the journal.</p>\n" : "%lld more events are in the journal.\n\n",
                    (long long) json_integer_value(json_object_get(s, "timeline_dropped")));
        if (html)
                out(b, "</article>\n");
}

char *cj_audit_markdown(const json_t *summaries) {
        buf b = { 0 };
        size_t i;
        const json_t *s;
        out(&b, "# clawjail audit report\n\n");
        json_array_foreach (summaries, i, s)
                render_one(&b, s, false);
        return finish(&b);
}

static const char css[] =
        "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:1200px;"
        "padding:0 1em;color:#1d2330;background:#fbfbfd}h1{font-size:1.6em;margin-bottom:.2em}"
        "h2{border-bottom:2px solid #d7dbe6;padding-bottom:.2em;margin-top:1.6em}h3{margin:1.3em 0 .4em}"
        ".count{display:inline-block;min-width:1.6em;text-align:center;background:#e6e9f2;border-radius:1em;"
        "font-size:.8em;padding:0 .5em}.integrity{padding:.6em .9em;border-radius:6px;font-weight:600}"
        ".good{background:#e4f5e9;color:#15582b;border:1px solid #9fd5b0}.bad{background:#fde7e7;color:#8a1414;"
        "border:1px solid #e7a3a3}table{border-collapse:collapse;width:100%;font-size:13px;background:#fff}"
        "th,td{border:1px solid #dde1ea;padding:.3em .5em;text-align:left;vertical-align:top}"
        "th{background:#f0f2f7}td{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-word}"
        ".none{color:#6a7185}.period{color:#4a5166}#attention table tr:nth-child(n+2){background:#fff8ec}";

char *cj_audit_html(const json_t *summaries) {
        buf b = { 0 };
        size_t i;
        const json_t *s;
        out(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>clawjail audit report"
                "</title>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<style>%s</style>"
                "</head><body>\n<h1>clawjail audit report</h1>\n<p>What an agent did, from its tasks' hash-chained "
                "journals: integrity first, then every call that was refused, asked about or approved.</p>\n",
            css);
        json_array_foreach (summaries, i, s)
                render_one(&b, s, true);
        out(&b, "</body></html>\n");
        return finish(&b);
}
