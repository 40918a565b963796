/* SPDX-License-Identifier: MIT */
/*
 * obfuscation: quoting that changes nothing for bash but hides a word from a
 * reader or a string-matching checker: $'\x72m', r''m, \rm, "r"m in a
 * command name; quotes or escapes inside an option's name (-e''xec,
 * --upload-p\ack); partly quoted identifiers (co''nfig); control bytes
 * produced by $'..' decoding.
 */
#include <stdbool.h>
#include <string.h>

#include "internal.h"

#define ODD_QUOTING (SH_WORD_ANSI_C | SH_WORD_LOCALE | SH_WORD_EMPTY_QUOTES | SH_WORD_BACKSLASH)

static bool identifier_like(const char *v) {
        if (!*v)
                return false;
        for (; *v; v++)
                if (!((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') || (*v >= '0' && *v <= '9') || *v == '_' ||
                      *v == '-' || *v == '.' || *v == '/'))
                        return false;
        return true;
}

/* raw is exactly 'value' or "value" (whole word quoted once): ordinary. */
static bool wholly_quoted(const sh_word *w, const char *v) {
        size_t vl = strlen(v);
        if (w->raw_len != vl + 2)
                return false;
        char q = w->raw[0];
        return (q == '\'' || q == '"') && w->raw[vl + 1] == q && strncmp(w->raw + 1, v, vl) == 0;
}

static bool raw_is_value(const sh_word *w, const char *v) {
        return strlen(v) == w->raw_len && strncmp(w->raw, v, w->raw_len) == 0;
}

static void obf_cmd(cj_vctx *c, const sh_cmd *cmd) {
        for (size_t i = 0; i < cmd->argc; i++) {
                const sh_arg *a = &cmd->argv[i];
                const sh_word *w = a->word;
                if (!w || (a->flags & (SH_ARG_DYNAMIC | SH_ARG_BRACE)))
                        continue;
                if (w->flags & SH_WORD_CTRL) {
                        cj_report(c, CJ_VERDICT_ASK, a->span.off, a->span.len,
                                  "quoting decodes to control characters");
                        continue;
                }
                if (i == 0) {
                        if ((w->flags & (ODD_QUOTING | SH_WORD_SQUOTE | SH_WORD_DQUOTE)) && !raw_is_value(w, a->value))
                                cj_report(c, CJ_VERDICT_ASK, a->span.off, a->span.len,
                                          "command name `%s` is written with quotes or escapes", a->value);
                        continue;
                }
                const char *v = a->value;
                if (v[0] == '-' && v[1] != '\0') {
                        /* the option's name must appear literally at the start of the raw word */
                        const char *eq = strchr(v, '=');
                        size_t nl = eq ? (size_t) (eq - v) : strlen(v);
                        if (w->raw_len < nl || strncmp(w->raw, v, nl) != 0) {
                                if (!wholly_quoted(w, v))
                                        cj_report(c, CJ_VERDICT_ASK, a->span.off, a->span.len,
                                                  "option `%.*s` is written with quotes or escapes inside its name",
                                                  (int) nl, v);
                        }
                        continue;
                }
                if (identifier_like(v) && !raw_is_value(w, v) && !wholly_quoted(w, v) && !(a->flags & SH_ARG_TILDE))
                        cj_report(c, CJ_VERDICT_ASK, a->span.off, a->span.len,
                                  "word `%s` is split by quotes or escapes", v);
        }
}

const cj_validator cj_v_obfuscation = {
        .name = "obfuscation",
        .owns = "ANSI-C quoting, empty quotes and backslashes inside command names, option names and identifiers",
        .cmd = obf_cmd,
};
