/* SPDX-License-Identifier: MIT */
/*
 * comment_desync: places where a reader (human or a naive checker) and bash
 * disagree about what is a comment.  A '#' in the middle of a word is NOT a
 * comment to bash (`x#; rm -rf ~` runs rm), and a real comment holding a quote
 * or a trailing backslash makes a quote-tracking reader swallow the next line.
 */
#include <string.h>

#include "internal.h"

static void desync_word(cj_vctx *c, const sh_word *w, const sh_cmd_ctx *where) {
        if (w->flags & SH_WORD_HASH_MID)
                cj_vspans_add(&c->hash_mid_words, w->span.off, w->span.len, NULL);
}

static bool same_line(const cj_vctx *c, size_t a, size_t b) {
        for (size_t i = a; i < b && i < c->len; i++)
                if (c->cmd[i] == '\n')
                        return false;
        return true;
}

static bool comment_start(const cj_vctx *c, size_t i) {
        if (c->cmd[i] != '#' || c->covered[i])
                return false;
        if (i == 0)
                return true;
        return strchr(" \t\n;&|()<>", c->cmd[i - 1]) != NULL;
}

static void desync_finish(cj_vctx *c) {
        for (size_t k = 0; k < c->hash_mid_words.n; k++) {
                const cj_vspan *w = &c->hash_mid_words.v[k];
                size_t end = w->off + w->len;
                for (size_t j = 0; j < c->cmd_starts.n; j++) {
                        size_t s = c->cmd_starts.v[j].off;
                        if (s >= end && same_line(c, end, s)) {
                                cj_report(c, CJ_VERDICT_ASK, w->off, w->len,
                                          "'#' inside a word is not a comment: the rest of the line still runs");
                                break;
                        }
                }
        }
        if (!c->covered)
                return;
        for (size_t i = 0; i < c->len; i++) {
                if (!comment_start(c, i))
                        continue;
                size_t e = i;
                while (e < c->len && c->cmd[e] != '\n')
                        e++;
                bool more = false;
                for (size_t k = e; k < c->len && !more; k++)
                        more = c->cmd[k] != '\n' && c->cmd[k] != ' ' && c->cmd[k] != '\t';
                bool quote = memchr(c->cmd + i, '\'', e - i) || memchr(c->cmd + i, '"', e - i) ||
                             memchr(c->cmd + i, '`', e - i) || (e > i && c->cmd[e - 1] == '\\');
                if (quote && more)
                        cj_report(c, CJ_VERDICT_ASK, i, e - i,
                                  "comment holds a quote or trailing backslash and more lines follow: readers that "
                                  "track quotes through comments see different commands");
                i = e;
        }
}

const cj_validator cj_v_comment_desync = {
        .name = "comment_desync",
        .owns = "mid-word '#' followed by more commands; quotes inside comments",
        .word = desync_word,
        .finish = desync_finish,
};
