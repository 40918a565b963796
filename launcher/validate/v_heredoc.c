/* SPDX-License-Identifier: MIT */
/*
 * heredoc: an unquoted delimiter makes bash expand $x, $( ) and ` ` in the
 * body when the command runs, which readers of a "document" do not expect;
 * an unterminated here-doc swallows the rest of the input.
 */
#include "internal.h"

static void heredoc_cb(cj_vctx *c, const sh_redir *r, const sh_cmd_ctx *where) {
        const sh_heredoc *h = r->heredoc;
        if (!h)
                return;
        if (!h->terminated)
                cj_report(c, CJ_VERDICT_ASK, r->span.off, r->span.len,
                          "here-document delimiter `%s` never appears: bash reads to the end of the input", h->delim);
        /* The substitutions of a body the parser read are walked and checked like
         * any others; what is left is a reader's surprise, which matters where
         * the profile allowlists programs.  A body it could not read always asks. */
        if (!h->quoted && h->body_word &&
            (h->body_word->flags & (SH_WORD_PARAM | SH_WORD_CMDSUBST | SH_WORD_ARITH | SH_WORD_UNPARSED)) &&
            (cj_allowlist(c) || (h->body_word->flags & SH_WORD_UNPARSED)))
                cj_report(c, CJ_VERDICT_ASK, h->body_span.off, h->body_span.len,
                          "unquoted here-document body expands %s at runtime (quote the delimiter: <<'%s')",
                          (h->body_word->flags & SH_WORD_CMDSUBST) ? "command substitutions" : "variables",
                          h->delim);
}

const cj_validator cj_v_heredoc = {
        .name = "heredoc",
        .owns = "unquoted here-document bodies with expansions; unterminated here-documents",
        .heredoc = heredoc_cb,
};
