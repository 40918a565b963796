/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "rules.h"

typedef enum match { NO_MATCH, MATCH, MAYBE } match;

static bool word_eq(const sh_arg *a, const char *want, bool first) {
        return strcmp(a->value, want) == 0 ||
               (first && !strchr(want, '/') && strcmp(cj_basename(a->value), want) == 0);
}

/* Allow rules: a strict prefix of the argv (an allow must never reach further
 * than it says).  A dynamic argv entry could be anything at runtime: it
 * "maybe" matches. */
static match prefix_match(const cj_rule *rule, const sh_cmd *cmd) {
        size_t n = cj_strv_len(rule->match);
        bool maybe = false;
        if (n == 0 || cmd->argc < n)
                return NO_MATCH;
        for (size_t i = 0; i < n; i++) {
                const sh_arg *a = &cmd->argv[i];
                if (word_eq(a, rule->match[i], i == 0))
                        continue;
                if (a->flags & (SH_ARG_DYNAMIC | SH_ARG_GLOB)) {
                        maybe = true;
                        continue;
                }
                return NO_MATCH;
        }
        return maybe ? MAYBE : MATCH;
}

/* Deny and ask rules: the program, then the rule's other words in order
 * anywhere after it, so options in between (`git -C dir push`, `git -c x=y
 * push`) do not slip past `[git push]`.  Over-matching only makes a call
 * stricter. */
static match subsequence_match(const cj_rule *rule, const sh_cmd *cmd) {
        size_t n = cj_strv_len(rule->match);
        if (n == 0 || cmd->argc == 0)
                return NO_MATCH;
        bool maybe = false;
        const sh_arg *a0 = &cmd->argv[0];
        if (!word_eq(a0, rule->match[0], true)) {
                if (!(a0->flags & (SH_ARG_DYNAMIC | SH_ARG_GLOB)))
                        return NO_MATCH;
                maybe = true;
        }
        size_t k = 1;
        for (size_t i = 1; i < cmd->argc && k < n; i++) {
                if (word_eq(&cmd->argv[i], rule->match[k], false))
                        k++;
                else if (cmd->argv[i].flags & (SH_ARG_DYNAMIC | SH_ARG_GLOB))
                        maybe = true;
        }
        if (k < n)
                return maybe ? MAYBE : NO_MATCH;
        return maybe ? MAYBE : MATCH;
}

static match rule_match(const cj_rule *rule, const sh_cmd *cmd) {
        return rule->verdict == CJ_VERDICT_ALLOW ? prefix_match(rule, cmd) : subsequence_match(rule, cmd);
}

static void describe(const cj_rule *rule, char *buf, size_t size) {
        size_t o = 0;
        buf[0] = '\0';
        for (char **m = rule->match; *m && o + 1 < size; m++) {
                int k = snprintf(buf + o, size - o, "%s%s", m == rule->match ? "" : " ", *m);
                if (k < 0)
                        break;
                o += (size_t) k;
        }
}

void cj_rules_apply(cj_vctx *c, const sh_cmd *cmd) {
        const cj_profile *p = c->profile;
        sh_span s = cj_cmd_span(cmd);
        char what[256];

        if (cmd->argc == 0)
                return;
        static const cj_verdict order[] = { CJ_VERDICT_DENY, CJ_VERDICT_ASK, CJ_VERDICT_ALLOW };
        for (size_t o = 0; o < 3; o++)
                for (size_t i = 0; i < p->n_rules; i++) {
                        const cj_rule *rule = &p->rules[i];
                        if (rule->verdict != order[o])
                                continue;
                        match m = rule_match(rule, cmd);
                        if (m == NO_MATCH)
                                continue;
                        describe(rule, what, sizeof what);
                        if (m == MAYBE) {
                                /* an allow rule never allows what it cannot see */
                                if (rule->verdict != CJ_VERDICT_ALLOW)
                                        cj_report(c, CJ_VERDICT_ASK, s.off, s.len,
                                                  "may match the profile's %s rule [%s] at runtime",
                                                  cj_verdict_name(rule->verdict), what);
                                continue;
                        }
                        if (rule->verdict != CJ_VERDICT_ALLOW)
                                cj_report(c, rule->verdict, s.off, s.len, "profile rule [%s]: %s", what,
                                          cj_verdict_name(rule->verdict));
                        return;
                }
        if (p->validation_default != CJ_VERDICT_ALLOW) {
                const char *cur = c->current;
                c->current = "default";
                cj_report(c, p->validation_default, s.off, s.len, "no profile rule names `%s`; the default is %s",
                          cmd->argv[0].value, cj_verdict_name(p->validation_default));
                c->current = cur;
        }
}

void cj_rules_finish(cj_vctx *c) {
        if (c->cmd_starts.n > 0 || c->profile->validation_default == CJ_VERDICT_ALLOW)
                return;
        /* Nothing to name: only compounds such as (( )) or [[ ]]; empty input runs nothing. */
        bool empty = true;
        for (size_t i = 0; i < c->len && empty; i++)
                empty = c->cmd[i] == ' ' || c->cmd[i] == '\t' || c->cmd[i] == '\n';
        if (empty || !c->ast || !c->ast->root || c->ast->root->list.n == 0)
                return;
        c->current = "default";
        cj_report(c, c->profile->validation_default, 0, c->len, "no simple command to match; the default is %s",
                  cj_verdict_name(c->profile->validation_default));
}
