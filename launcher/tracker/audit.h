/* SPDX-License-Identifier: MIT */
#pragma once

/* The audit report (pure): a task's journal events, its verification and its
 * status folded into one summary a reviewer reads in five minutes, and that
 * summary rendered as Markdown or as one self-contained HTML page.  Nothing
 * here touches the disk; cli/cmd_audit.c loads and writes. */

#include <jansson.h>
#include <stdint.h>

#define CJ_AUDIT_TIMELINE_MAX 2000 /* timeline rows a report keeps (the rest are counted) */
#define CJ_AUDIT_TEXT_MAX 400      /* bytes of a command or message shown per row */

/* One task's summary.  events: the journal as an array; verify: {"ok":bool,
 * "seq":N,"reason":"..."} (seq/reason where it breaks); status: `task status
 * --json`'s object (may be NULL); since_ms: only events at or after (0 = all).
 * Returns a new object, or NULL on allocation failure. */
json_t *cj_audit_summarize(const char *task, const json_t *events, const json_t *verify, const json_t *status,
                           int64_t since_ms);

/* One event as a line of text (a timeline row, a `journal show` summary);
 * start: the call's start event, whose command names an end (may be NULL).
 * Returns malloc'd text, or NULL on allocation failure. */
char *cj_audit_event_text(const json_t *e, const json_t *start);

/* Render an array of summaries.  Return malloc'd text, or NULL. */
char *cj_audit_markdown(const json_t *summaries);
char *cj_audit_html(const json_t *summaries);
