/* SPDX-License-Identifier: MIT */
/* The audit report's rows from journal events: sentences, never the event's
 * JSON, each section rendering what it is about. */
#include <string.h>

#include "../cj_check.h"
#include "tracker/audit.h"
#include "util/cleanup.h"
#include "util/json.h"

/* The Markdown report of one task whose journal holds events (JSON text). */
static char *report(const char *events) {
        json_error_t jerr;
        _cleanup_json_ json_t *ev = json_loads(events, 0, &jerr);
        ck_assert_msg(ev != NULL, "events: %s", jerr.text);
        _cleanup_json_ json_t *verify = json_pack("{s:b, s:i}", "ok", 1, "lines", (int) json_array_size(ev));
        json_t *one = cj_audit_summarize("t", ev, verify, NULL, 0);
        ck_assert_ptr_nonnull(one);
        _cleanup_json_ json_t *all = json_pack("[o]", one);
        char *md = cj_audit_markdown(all);
        ck_assert_ptr_nonnull(md);
        return md;
}

/* A call's end with a network summary and no per-connection events (a
 * journal without them) stands in the network section with its own status;
 * the same end's cut output stands in the spills section as that, not as
 * network. */
START_TEST(end_event_rows_per_section) {
        _cleanup_free_ char *md = report(
                "[{\"seq\":3,\"time\":\"T3\",\"event\":\"start\",\"tool\":\"exec\",\"command\":\"curl x\"},"
                " {\"seq\":4,\"time\":\"T4\",\"event\":\"end\",\"call\":3,\"status\":\"ok\",\"exit_code\":0,"
                "  \"duration_ms\":12,\"network\":{\"mode\":\"proxy\",\"allowed\":1,\"denied\":2,\"bytes_up\":10,"
                "  \"bytes_down\":20},\"truncated\":{\"stdout\":true,\"stderr\":false,\"full_output\":\"/s/3.stdout\"}}]");
        ck_assert_msg(strstr(md, "| 4 | T4 | call 3 ok exit 0, 12 ms: proxy network, 1 connections allowed, 2 denied, "
                                 "10 B up, 20 B down |"),
                      "network row:\n%s", md);
        ck_assert_msg(strstr(md, "| 4 | T4 | call 3 ok exit 0, 12 ms: stdout cut in the result, kept in full in "
                                 "/s/3.stdout |"),
                      "spill row:\n%s", md);
        ck_assert_msg(!strstr(md, "| {\""), "a row is JSON:\n%s", md);
}
END_TEST

/* Per-connection events make the call's summary redundant: it is left out. */
START_TEST(net_events_replace_the_summary) {
        _cleanup_free_ char *md = report(
                "[{\"seq\":3,\"time\":\"T3\",\"event\":\"start\",\"tool\":\"exec\",\"command\":\"curl x\"},"
                " {\"seq\":4,\"time\":\"T4\",\"event\":\"net\",\"call\":3,\"host\":\"evil.example\",\"port\":80,"
                "  \"kind\":\"http\",\"verdict\":\"denied\",\"bytes_up\":0,\"bytes_down\":0,\"duration_ms\":1,"
                "  \"reason\":\"host not in egress.allow\"},"
                " {\"seq\":5,\"time\":\"T5\",\"event\":\"end\",\"call\":3,\"status\":\"ok\",\"exit_code\":6,"
                "  \"duration_ms\":12,\"network\":{\"mode\":\"proxy\",\"allowed\":0,\"denied\":1}}]");
        ck_assert_msg(strstr(md, "### Network connections (1)"), "one network row:\n%s", md);
        ck_assert_msg(strstr(md, "| 4 | T4 | call 3: http evil.example:80 denied, 0 B up, 0 B down, 1 ms: "
                                 "host not in egress.allow |"),
                      "net row:\n%s", md);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("tracker-audit");
        TCase *tc = tcase_create("rows");
        tcase_add_test(tc, end_event_rows_per_section);
        tcase_add_test(tc, net_events_replace_the_summary);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
