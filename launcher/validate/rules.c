/* SPDX-License-Identifier: MIT */
/*
 * Profile rules (docs/validators.md, "Profile rules and default").
 *
 * An allow rule names exactly the program that will run: a bare name matches
 * the bare word (resolved through the call's PATH) and the absolute paths
 * PATH resolution yields, never `./cat` or `/tmp/x/cat`; its other words are
 * a strict prefix of the argv.
 *
 * Deny and ask rules are conservative: argv[0] matches by basename, and the
 * other words match by position among the positional words after options
 * (`git -C . push` hits [git push], `git stash push` does not).  An option
 * word whose value may be separate is read both ways, so an unknown option
 * can only make a rule match more often.  Rule words: `*` (and any fnmatch
 * pattern) is one positional word, `**` any number of words, a word starting
 * with `-` is an option found anywhere after the previous match.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "util/cleanup.h"

/* PATH used to resolve a bare allow-rule name when the profile's env.set has
 * none (the sandbox then has the host's kept PATH, or /usr/bin:/bin). */
#define CJ_RULES_FALLBACK_PATH "/usr/local/bin:/usr/bin:/bin"

/* Rules whose program word matches one command, kept on the stack; more
 * than this and every rule is examined (slower, same result). */
#define CJ_RULES_CANDIDATES_MAX 64u

/* Results are ordered: the better of two readings is the larger. */
typedef enum match { NO_MATCH = 0, MAYBE = 1, MATCH = 2 } match;

static bool is_dynamic(const sh_arg *a) {
        return a->flags & (SH_ARG_DYNAMIC | SH_ARG_GLOB);
}

static const char *profile_path(const cj_profile *p) {
        for (size_t i = 0; p->env_set && p->env_set[i]; i++)
                if (strncmp(p->env_set[i], "PATH=", 5) == 0)
                        return p->env_set[i] + 5;
        return CJ_RULES_FALLBACK_PATH;
}

/* Is value what PATH resolution of the bare name can yield: the bare word
 * itself, or DIR/name for an absolute DIR of the call's PATH? */
static bool resolves_to(const char *value, const char *name, const char *path) {
        if (strcmp(value, name) == 0)
                return true;
        size_t vl = strlen(value), nl = strlen(name);
        if (value[0] != '/' || vl <= nl + 1 || strcmp(value + vl - nl, name) != 0 || value[vl - nl - 1] != '/')
                return false;
        size_t dl = vl - nl - 1; /* value[0..dl) is the directory */
        for (const char *d = path; *d;) {
                size_t l = strcspn(d, ":");
                /* "/" in PATH yields "//name"; a trailing slash "DIR//name" */
                size_t el = l > 1 && d[l - 1] == '/' ? l - 1 : l;
                if (d[0] == '/' && el == dl && strncmp(d, value, dl) == 0)
                        return true;
                d += l + (d[l] == ':');
        }
        return false;
}

/* argv[0] against the rule's program word. */
static match program_match(const cj_rule *rule, const sh_cmd *cmd, const cj_profile *p) {
        const sh_arg *a0 = &cmd->argv[0];
        const char *want = rule->match[0];
        if (is_dynamic(a0))
                return MAYBE;
        if (rule->verdict != CJ_VERDICT_ALLOW)
                return strcmp(a0->value, want) == 0 ||
                                       (!strchr(want, '/') && strcmp(cj_basename(a0->value), want) == 0)
                               ? MATCH
                               : NO_MATCH;
        if (strchr(want, '/'))
                return strcmp(a0->value, want) == 0 ? MATCH : NO_MATCH;
        /* `PATH=/tmp/x cat` resolves the bare name elsewhere */
        for (size_t i = 0; i < cmd->nassigns; i++)
                if (strcmp(cmd->assigns[i].name, "PATH") == 0)
                        return NO_MATCH;
        return resolves_to(a0->value, want, profile_path(p)) ? MATCH : NO_MATCH;
}

/* Allow rules: a strict prefix of the argv (an allow must never reach further
 * than it says); a dynamic word never satisfies an allow rule. */
static match prefix_match(const cj_rule *rule, const sh_cmd *cmd, const cj_profile *p) {
        size_t n = cj_strv_len(rule->match);
        if (n == 0 || cmd->argc < n || program_match(rule, cmd, p) != MATCH)
                return NO_MATCH;
        for (size_t i = 1; i < n; i++)
                if (is_dynamic(&cmd->argv[i]) || strcmp(cmd->argv[i].value, rule->match[i]) != 0)
                        return NO_MATCH;
        return MATCH;
}

/* ---- deny / ask rules: positional matching --------------------------------- */

enum { OPT_UNKNOWN, OPT_FLAG, OPT_VALUE };

/* Global options of programs whose rules name subcommands, where reading an
 * unknown option both ways would over-match ordinary calls (`git --no-pager
 * stash push`).  Options not listed are read both ways. */
static int option_kind(const char *prog, const char *opt) {
        static const char *const git_value[] = { "-C", "-c", "--git-dir", "--work-tree", "--namespace",
                                                 "--config-env", "--super-prefix", "--list-cmds", NULL };
        static const char *const git_flag[] = { "-p", "-P", "--paginate", "--no-pager", "--bare",
                                                "--no-replace-objects", "--literal-pathspecs", "--glob-pathspecs",
                                                "--noglob-pathspecs", "--icase-pathspecs", "--no-optional-locks",
                                                "--no-advice", "--version", "--help", "-v", "-h", NULL };
        if (strchr(opt, '=') || strcmp(opt, "--") == 0)
                return OPT_FLAG;
        if (strcmp(prog, "git") == 0)
                return cj_name_in(opt, git_value) ? OPT_VALUE : cj_name_in(opt, git_flag) ? OPT_FLAG : OPT_UNKNOWN;
        return OPT_UNKNOWN;
}

static bool is_option(const sh_arg *a) {
        return !is_dynamic(a) && a->value[0] == '-' && a->value[1] != '\0';
}

static bool word_match(const char *pattern, const char *value) {
        return strpbrk(pattern, "*?[") ? fnmatch(pattern, value, 0) == 0 : strcmp(pattern, value) == 0;
}

/* An option rule word ("--prod", "-m") against a word: equal, or "--prod=..";
 * a pattern ("-*f*") matches words of its own kind (short cluster or long). */
static bool option_match(const char *want, const char *value) {
        if (strpbrk(want, "*?["))
                return (want[1] == '-') == (value[1] == '-') && fnmatch(want, value, 0) == 0;
        size_t l = strlen(want);
        return strncmp(value, want, l) == 0 && (value[l] == '\0' || (value[l] == '=' && want[1] == '-'));
}

static match weaker(match a, match b) {
        return a < b ? a : b;
}
static match better(match a, match b) {
        return a > b ? a : b;
}

/* Dynamic programming over (argv index, rule word, after "--"): res(ai, k, eo)
 * is the best reading of argv[ai..] against rule words k.. .  Linear in
 * argc * rule length; no recursion, so a huge argv costs no stack. */
static match positional_match(const cj_rule *rule, const sh_cmd *cmd, match first) {
        size_t n = cj_strv_len(rule->match), argc = cmd->argc;
        const char *prog = cj_basename(rule->match[0]);
        size_t cols = n + 1;
#define AT(ai, k, eo) res[(((ai) * cols) + (k)) * 2 + (eo)]
        _cleanup_free_ unsigned char *res = calloc((argc + 3) * cols * 2, 1);
        if (!res)
                return MAYBE; /* out of memory: a deny/ask rule never fails open */
        for (size_t ai = argc + 1; ai-- > 1;)
                for (size_t k = n; k-- > 1;)
                        for (int eo = 0; eo < 2; eo++) {
                                match r = NO_MATCH;
                                const char *rw = rule->match[k];
                                if (ai >= argc) { /* only trailing `**` words match nothing */
                                        if (strcmp(rw, "**") == 0)
                                                r = k + 1 == n ? MATCH : AT(ai, k + 1, eo);
                                        AT(ai, k, eo) = (unsigned char) r;
                                        continue;
                                }
                                const sh_arg *a = &cmd->argv[ai];
                                bool dyn = is_dynamic(a);
                                int neo = eo || (!dyn && strcmp(a->value, "--") == 0);
                                match next = k + 1 == n ? MATCH : AT(ai + 1, k + 1, eo);
                                if (strcmp(rw, "**") == 0) {
                                        r = better(k + 1 == n ? MATCH : AT(ai, k + 1, eo), AT(ai + 1, k, neo));
                                } else if (rw[0] == '-') {
                                        if (dyn)
                                                r = better(weaker(next, MAYBE), AT(ai + 1, k, eo));
                                        else if (!eo && option_match(rw, a->value))
                                                r = next;
                                        else
                                                r = AT(ai + 1, k, neo);
                                } else if (dyn) {
                                        /* could be the word, or an option (with a value) before it */
                                        bool could = !(a->flags & SH_ARG_GLOB) || (a->flags & SH_ARG_DYNAMIC) ||
                                                     fnmatch(a->value, rw, 0) == 0;
                                        if (could)
                                                r = weaker(next, MAYBE);
                                        if (!eo)
                                                r = better(r, weaker(better(AT(ai + 1, k, eo), AT(ai + 2, k, eo)),
                                                                     MAYBE));
                                } else if (!eo && strcmp(a->value, "--") == 0) {
                                        r = AT(ai + 1, k, 1);
                                } else if (!eo && is_option(a)) {
                                        int kind = option_kind(prog, a->value);
                                        if (kind != OPT_VALUE)
                                                r = AT(ai + 1, k, eo);
                                        if (kind != OPT_FLAG)
                                                r = better(r, AT(ai + 2, k, eo));
                                } else if (word_match(rw, a->value)) {
                                        r = next;
                                }
                                AT(ai, k, eo) = (unsigned char) r;
                        }
        match r = n == 1 ? MATCH : (match) AT(1, 1, 0);
#undef AT
        return weaker(r, first);
}

static match rule_match(const cj_rule *rule, const sh_cmd *cmd, const cj_profile *p) {
        if (cj_strv_len(rule->match) == 0 || cmd->argc == 0)
                return NO_MATCH;
        if (rule->verdict == CJ_VERDICT_ALLOW)
                return prefix_match(rule, cmd, p);
        match first = program_match(rule, cmd, p);
        return first == NO_MATCH ? NO_MATCH : positional_match(rule, cmd, first);
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
        /* Hundreds of rules (the shipped sets) meet every simple command: one
         * pass keeps those whose program word can match, the ordered passes
         * then look at those only. */
        const char *v0 = cmd->argv[0].value, *b0 = cj_basename(v0);
        bool dyn0 = is_dynamic(&cmd->argv[0]);
        size_t cand[CJ_RULES_CANDIDATES_MAX], nc = 0;
        bool all = false;
        for (size_t i = 0; i < p->n_rules && !all; i++) {
                const char *m0 = p->rules[i].match ? p->rules[i].match[0] : NULL;
                if (!m0 || (!dyn0 && (m0[0] != b0[0] || strcmp(m0, b0) != 0) && strcmp(m0, v0) != 0))
                        continue;
                if (nc == CJ_RULES_CANDIDATES_MAX)
                        all = true; /* more than fit: look at every rule */
                else
                        cand[nc++] = i;
        }
        if (all)
                nc = p->n_rules;
        static const cj_verdict order[] = { CJ_VERDICT_DENY, CJ_VERDICT_ASK, CJ_VERDICT_ALLOW };
        for (size_t o = 0; o < 3; o++)
                for (size_t ci = 0; ci < nc; ci++) {
                        const cj_rule *rule = &p->rules[all ? ci : cand[ci]];
                        if (rule->verdict != order[o] || !rule->match || !rule->match[0])
                                continue;
                        match m = rule_match(rule, cmd, p);
                        if (m == NO_MATCH)
                                continue;
                        describe(rule, what, sizeof what);
                        if (m == MAYBE) {
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
