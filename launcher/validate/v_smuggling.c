/* SPDX-License-Identifier: MIT */
/*
 * smuggling: text a reviewer would not see.  A newline between commands is
 * ordinary bash (every command is checked and shown), so it is not flagged;
 * what is flagged is a command pushed out of sight -- after a long run of
 * blanks on the same line, or after a long run of empty lines -- and
 * backslash-newline inside a word (r\<newline>m reads as two fragments but
 * runs as `rm`).  A carriage return that hides text is hygiene's.
 */
#include "internal.h"

#define CJ_SMUGGLE_BLANKS 32u      /* blanks in a row, mid-line, before more text */
#define CJ_SMUGGLE_EMPTY_LINES 4u  /* more newlines in a row than this before more text */

static bool blank(char ch) {
        return ch == ' ' || ch == '\t';
}

static void smuggling_finish(cj_vctx *c) {
        if (!c->covered)
                return;
        const char *s = c->cmd;
        for (size_t i = 0; i < c->len;) {
                if (c->covered[i]) {
                        i++;
                        continue;
                }
                size_t j = i;
                unsigned newlines = 0;
                while (j < c->len && !c->covered[j] && (blank(s[j]) || s[j] == '\n'))
                        newlines += s[j++] == '\n';
                bool more = j < c->len && s[j] != '#';
                bool line_start = i == 0 || s[i - 1] == '\n';
                if (more && newlines == 0 && !line_start && j - i >= CJ_SMUGGLE_BLANKS) {
                        cj_report(c, CJ_VERDICT_ASK, j, 1,
                                  "more text after %zu blanks on the line: a reviewer may not see it", j - i);
                        return;
                }
                if (more && i > 0 && newlines > CJ_SMUGGLE_EMPTY_LINES) {
                        cj_report(c, CJ_VERDICT_ASK, j, 1,
                                  "more commands after %u empty lines: a reviewer may not see them", newlines - 1);
                        return;
                }
                i = j > i ? j : i + 1;
        }
}

static void smuggling_word(cj_vctx *c, const sh_word *w, const sh_cmd_ctx *where) {
        if (w->flags & SH_WORD_LINE_CONT)
                cj_report(c, CJ_VERDICT_ASK, w->span.off, w->span.len,
                          "backslash-newline inside a word joins text across lines");
}

const cj_validator cj_v_smuggling = {
        .name = "smuggling",
        .owns = "commands pushed out of sight (long blank runs, many empty lines) and backslash-newline inside words",
        .word = smuggling_word,
        .finish = smuggling_finish,
};
