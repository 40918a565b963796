/* SPDX-License-Identifier: MIT */
/* Policy text -> cj_seccomp_policy: files and @include, lines, tokens, and the
 * directives of the grammar documented in policy.h.  Nothing here touches the
 * kernel; libseccomp is only asked to resolve syscall names. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy_internal.h"
#include "util/cleanup.h"
#include "util/fileio.h"

#define POLICY_SUFFIX ".policy"
#define IN_VALUES_MAX 64u               /* values after `in`; also the bits of a 64-bit mask */
#define DECL_NR_MIN 424                 /* first syscall of the table shared by all arches */
#define DECL_NR_MAX 1023

typedef struct frame {
        dev_t dev;
        ino_t ino;
        bool known;                     /* false for a parsed string with no file behind it */
        const char *file;
        int index;                      /* in cj_seccomp_policy.files / .sources */
} frame;

typedef struct parser {
        cj_seccomp_policy *p;
        const char *const *search_dirs;
        frame stack[CJ_SECCOMP_INCLUDE_DEPTH_MAX + 1];
        unsigned depth;                 /* frames in use; the top-level file is 1 */
        cj_error *err;
} parser;

typedef struct where {
        const char *file;
        unsigned line;
} where;

typedef struct tokens {
        char buf[2 * CJ_SECCOMP_LINE_MAX + 2];
        const char *v[CJ_SECCOMP_LINE_MAX + 1];
        size_t n;
} tokens;

static int parse_file(parser *ps, const char *path, const char *include, const where *from);

static int fail(parser *ps, const where *w, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(parser *ps, const where *w, const char *fmt, ...) {
        char msg[CJ_ERROR_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        return cj_error_set(ps->err, EINVAL, "%s:%u: %s", w->file, w->line, msg);
}

static bool is_word_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool streq(const char *a, const char *b) {
        return a && strcmp(a, b) == 0;
}

/* ---- tokens ------------------------------------------------------------ */

static size_t operator_len(const char *s) {
        static const char *const two[] = { "==", "!=", "<=", ">=", "&&" };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(two); i++)
                if (s[0] == two[i][0] && s[1] == two[i][1])
                        return 2;
        return (s[0] == '<' || s[0] == '>' || s[0] == '&' || s[0] == '|') ? 1 : 0;
}

static int tokenize(parser *ps, const where *w, const char *s, tokens *t) {
        char *o = t->buf;
        t->n = 0;
        while (*s && *s != '#') {
                if (*s == ' ' || *s == '\t' || *s == '\r') {
                        s++;
                        continue;
                }
                size_t len = 0;
                if (is_word_char(*s) || *s == '@') {
                        len = 1;
                        while (is_word_char(s[len]))
                                len++;
                } else
                        len = operator_len(s);
                if (len == 0) {
                        unsigned char c = (unsigned char) *s;
                        if (c >= 0x20 && c < 0x7f)
                                return fail(ps, w, "unexpected character '%c'", c);
                        return fail(ps, w, "unexpected byte 0x%02x", c);
                }
                memcpy(o, s, len);
                o[len] = '\0';
                t->v[t->n++] = o;
                o += len + 1;
                s += len;
        }
        t->v[t->n] = NULL;
        return 0;
}

/* ---- values, actions, syscalls ----------------------------------------- */

static int parse_term(parser *ps, const where *w, const char *tok, uint64_t *out) {
        if (!tok)
                return fail(ps, w, "expected a value at the end of the line");
        if (is_digit(tok[0])) {
                char *end = NULL;
                errno = 0;
                unsigned long long v = strtoull(tok, &end, 0);
                if (errno == ERANGE)
                        return fail(ps, w, "number '%s' does not fit in 64 bits", tok);
                if (!end || *end)
                        return fail(ps, w, "bad number '%s'", tok);
                *out = v;
                return 0;
        }
        if (!is_word_char(tok[0]))
                return fail(ps, w, "expected a value, got '%s'", tok);
        if (!cj_seccomp_constant(tok, out))
                return fail(ps, w, "unknown constant '%s'", tok);
        return 0;
}

/* VALUE := TERM [| TERM]... */
static int parse_value(parser *ps, const where *w, const tokens *t, size_t *i, uint64_t *out) {
        uint64_t v = 0, term;
        for (;;) {
                int r = parse_term(ps, w, t->v[*i], &term);
                if (r < 0)
                        return r;
                v |= term;
                (*i)++;
                if (!streq(t->v[*i], "|"))
                        break;
                (*i)++;
        }
        *out = v;
        return 0;
}

static int parse_action(parser *ps, const where *w, const tokens *t, size_t *i, uint32_t *out) {
        const char *a = t->v[*i];
        if (!a)
                return fail(ps, w, "expected an action (allow, errno NAME, kill, log, trap)");
        (*i)++;
        if (streq(a, "allow"))
                *out = SCMP_ACT_ALLOW;
        else if (streq(a, "kill"))
                *out = SCMP_ACT_KILL_PROCESS;
        else if (streq(a, "log"))
                *out = SCMP_ACT_LOG;
        else if (streq(a, "trap"))
                *out = SCMP_ACT_TRAP;
        else if (streq(a, "errno")) {
                const char *e = t->v[*i];
                if (!e)
                        return fail(ps, w, "errno needs a name or number");
                (*i)++;
                long v;
                if (is_digit(e[0])) {
                        char *end = NULL;
                        errno = 0;
                        v = strtol(e, &end, 10);
                        if (errno || *end || v > CJ_SECCOMP_ERRNO_MAX)
                                return fail(ps, w, "errno '%s' is not a number in 0..%d", e, CJ_SECCOMP_ERRNO_MAX);
                } else {
                        v = cj_seccomp_errno_from_name(e);
                        if (v < 0)
                                return fail(ps, w, "unknown errno name '%s'", e);
                }
                *out = SCMP_ACT_ERRNO((uint32_t) v);
        } else
                return fail(ps, w, "unknown action or directive '%s'", a);
        return 0;
}

static const cj_seccomp_decl *find_decl(const cj_seccomp_policy *p, const char *name) {
        for (size_t i = 0; i < p->n_decls; i++)
                if (streq(p->decls[i].name, name))
                        return &p->decls[i];
        return NULL;
}

/* 1 with *nr set for a native syscall, 0 for one that exists only on other
 * architectures (the rule is dropped), <0 for an unknown name. */
static int resolve_syscall(parser *ps, const where *w, const char *name, int *nr) {
        if (!is_word_char(name[0]) || is_digit(name[0]))
                return fail(ps, w, "expected a syscall name, got '%s'", name);
        if (strlen(name) >= CJ_SECCOMP_NAME_MAX)
                return fail(ps, w, "syscall name '%.32s...' is too long", name);
        int n = seccomp_syscall_resolve_name(name);
        if (n == __NR_SCMP_ERROR) {
                const cj_seccomp_decl *d = find_decl(ps->p, name);
                if (!d)
                        return fail(ps, w, "unknown syscall '%s'", name);
                *nr = d->nr;
                return 1;
        }
        if (n < 0)
                return 0;
        *nr = n;
        return 1;
}

/* ---- rules --------------------------------------------------------------- */

static int push_rule(parser *ps, const where *w, const cj_seccomp_rule *r) {
        cj_seccomp_policy *p = ps->p;
        if (r->n_conds == 0) {
                /* A later unconditional rule replaces what came before. */
                size_t k = 0;
                for (size_t j = 0; j < p->n_rules; j++)
                        if (p->rules[j].nr != r->nr)
                                p->rules[k++] = p->rules[j];
                p->n_rules = k;
        } else
                for (size_t j = 0; j < p->n_rules; j++)
                        if (p->rules[j].nr == r->nr && p->rules[j].n_conds == 0)
                                return fail(ps, w, "%s: conditional rule after the unconditional rule at %s:%u",
                                            r->name, p->rules[j].file, p->rules[j].line);
        if (p->n_rules >= CJ_SECCOMP_RULES_MAX)
                return fail(ps, w, "more than %u rules", CJ_SECCOMP_RULES_MAX);
        if (p->n_rules == p->cap_rules) {
                size_t ncap = p->cap_rules ? p->cap_rules * 2 : 64;
                cj_seccomp_rule *nr = realloc(p->rules, ncap * sizeof *nr);
                if (!nr)
                        return cj_error_set(ps->err, ENOMEM, "out of memory");
                p->rules = nr;
                p->cap_rules = ncap;
        }
        p->rules[p->n_rules++] = *r;
        return 0;
}

/* The conditions of one rule line.  At most one condition expands into
 * alternatives (`argN & MASK`, `... in V...`), each becoming its own rule. */
typedef struct conds {
        struct scmp_arg_cmp fixed[CJ_SECCOMP_CONDS_MAX];
        unsigned n_fixed;
        struct scmp_arg_cmp alts[IN_VALUES_MAX];
        unsigned n_alts;
        bool expands;
        bool used_arg[CJ_SECCOMP_CONDS_MAX];
} conds;

static int parse_in_list(parser *ps, const where *w, const tokens *t, size_t *i, unsigned arg, enum scmp_compare op,
                         uint64_t mask, conds *c) {
        if (!t->v[*i] || streq(t->v[*i], "&&"))
                return fail(ps, w, "expected values after 'in'");
        while (t->v[*i] && !streq(t->v[*i], "&&")) {
                uint64_t v;
                int r = parse_value(ps, w, t, i, &v);
                if (r < 0)
                        return r;
                if (op == SCMP_CMP_MASKED_EQ && (v & ~mask))
                        return fail(ps, w, "value 0x%llx has bits outside the mask 0x%llx and never matches",
                                    (unsigned long long) v, (unsigned long long) mask);
                if (c->n_alts >= IN_VALUES_MAX)
                        return fail(ps, w, "more than %u values after 'in'", IN_VALUES_MAX);
                c->alts[c->n_alts++] = op == SCMP_CMP_MASKED_EQ ? SCMP_CMP(arg, op, mask, v) : SCMP_CMP(arg, op, v);
        }
        return 0;
}

static int parse_cond(parser *ps, const where *w, const tokens *t, size_t *i, conds *c) {
        const char *a = t->v[*i];
        if (!a || strlen(a) != 4 || strncmp(a, "arg", 3) != 0 || a[3] < '0' || a[3] > '5')
                return fail(ps, w, "expected arg0..arg5, got '%s'", a ? a : "end of line");
        unsigned arg = (unsigned) (a[3] - '0');
        if (c->used_arg[arg])
                return fail(ps, w, "%s appears in two conditions of one rule; write two rules", a);
        c->used_arg[arg] = true;
        (*i)++;

        static const struct {
                const char *tok;
                enum scmp_compare op;
        } ops[] = {
                { "==", SCMP_CMP_EQ }, { "!=", SCMP_CMP_NE }, { "<", SCMP_CMP_LT },
                { "<=", SCMP_CMP_LE }, { ">", SCMP_CMP_GT },  { ">=", SCMP_CMP_GE },
        };
        const char *op = t->v[*i];
        bool expanding = streq(op, "in") || streq(op, "&");
        if (expanding && c->expands)
                return fail(ps, w, "only one 'in' or 'argN & MASK' condition per rule");
        int r;
        uint64_t v, mask;
        if (streq(op, "in")) {
                (*i)++;
                c->expands = true;
                return parse_in_list(ps, w, t, i, arg, SCMP_CMP_EQ, 0, c);
        }
        if (streq(op, "&")) {
                (*i)++;
                r = parse_value(ps, w, t, i, &mask);
                if (r < 0)
                        return r;
                if (mask == 0)
                        return fail(ps, w, "mask is 0");
                if (streq(t->v[*i], "in")) {
                        (*i)++;
                        c->expands = true;
                        return parse_in_list(ps, w, t, i, arg, SCMP_CMP_MASKED_EQ, mask, c);
                }
                if (streq(t->v[*i], "==")) {
                        (*i)++;
                        r = parse_value(ps, w, t, i, &v);
                        if (r < 0)
                                return r;
                        if (v & ~mask)
                                return fail(ps, w, "value 0x%llx has bits outside the mask 0x%llx and never matches",
                                            (unsigned long long) v, (unsigned long long) mask);
                        c->fixed[c->n_fixed++] = SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, mask, v);
                        return 0;
                }
                /* Any bit of the mask set: one alternative per bit. */
                c->expands = true;
                for (unsigned b = 0; b < 64; b++)
                        if (mask & (UINT64_C(1) << b)) {
                                uint64_t bit = UINT64_C(1) << b;
                                c->alts[c->n_alts++] = SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, bit, bit);
                        }
                return 0;
        }
        for (size_t k = 0; k < CJ_ARRAY_SIZE(ops); k++)
                if (streq(op, ops[k].tok)) {
                        (*i)++;
                        r = parse_value(ps, w, t, i, &v);
                        if (r < 0)
                                return r;
                        c->fixed[c->n_fixed++] = SCMP_CMP(arg, ops[k].op, v);
                        return 0;
                }
        return fail(ps, w, "expected ==, !=, <, <=, >, >=, & or 'in' after %s", a);
}

/* ACTION SYSCALL... [if COND [&& COND]...] */
static int parse_rule(parser *ps, const where *w, const tokens *t) {
        size_t i = 0;
        uint32_t action;
        int r = parse_action(ps, w, t, &i, &action);
        if (r < 0)
                return r;
        size_t first = i;
        while (t->v[i] && !streq(t->v[i], "if"))
                i++;
        size_t end = i;
        if (end == first)
                return fail(ps, w, "rule names no syscall");

        _cleanup_free_ conds *c = calloc(1, sizeof *c);
        if (!c)
                return cj_error_set(ps->err, ENOMEM, "out of memory");
        if (t->v[i]) {
                i++;
                for (;;) {
                        r = parse_cond(ps, w, t, &i, c);
                        if (r < 0)
                                return r;
                        if (!t->v[i])
                                break;
                        if (!streq(t->v[i], "&&"))
                                return fail(ps, w, "expected '&&' or the end of the line, got '%s'", t->v[i]);
                        i++;
                }
        }

        for (size_t s = first; s < end; s++) {
                int nr = -1;
                r = resolve_syscall(ps, w, t->v[s], &nr);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                cj_seccomp_rule rule = {
                        .nr = nr, .action = action, .n_conds = c->n_fixed, .file = w->file, .line = w->line,
                };
                snprintf(rule.name, sizeof rule.name, "%s", t->v[s]);
                memcpy(rule.conds, c->fixed, sizeof c->fixed);
                if (!c->expands) {
                        r = push_rule(ps, w, &rule);
                        if (r < 0)
                                return r;
                        continue;
                }
                rule.n_conds++;
                for (unsigned k = 0; k < c->n_alts; k++) {
                        rule.conds[c->n_fixed] = c->alts[k];
                        r = push_rule(ps, w, &rule);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* @syscall NAME NR */
static int parse_decl(parser *ps, const where *w, const tokens *t) {
        if (t->n != 3)
                return fail(ps, w, "usage: @syscall NAME NUMBER");
        const char *name = t->v[1];
        if (is_digit(name[0]) || strlen(name) >= CJ_SECCOMP_NAME_MAX)
                return fail(ps, w, "bad syscall name '%s'", name);
        char *end = NULL;
        errno = 0;
        long nr = is_digit(t->v[2][0]) ? strtol(t->v[2], &end, 10) : -1;
        if (errno || !end || *end || nr < DECL_NR_MIN || nr > DECL_NR_MAX)
                return fail(ps, w, "@syscall number must be %d..%d (the table shared by all architectures), got '%s'",
                            DECL_NR_MIN, DECL_NR_MAX, t->v[2]);
        if (seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR)
                return 0; /* libseccomp knows it better, per architecture */
        int native = (int) nr + cj_seccomp_native_nr_offset();
        const cj_seccomp_decl *d = find_decl(ps->p, name);
        if (d) {
                if (d->nr != native)
                        return fail(ps, w, "@syscall %s redeclared with another number", name);
                return 0;
        }
        if (ps->p->n_decls >= CJ_SECCOMP_DECLS_MAX)
                return fail(ps, w, "more than %u @syscall declarations", CJ_SECCOMP_DECLS_MAX);
        cj_seccomp_decl *nd = &ps->p->decls[ps->p->n_decls++];
        snprintf(nd->name, sizeof nd->name, "%s", name);
        nd->nr = native;
        nd->unified_nr = (int) nr;
        return 0;
}

static int parse_tokens(parser *ps, const where *w, const tokens *t) {
        if (t->n == 0)
                return 0;
        if (streq(t->v[0], "@syscall"))
                return parse_decl(ps, w, t);
        if (t->v[0][0] == '@')
                return fail(ps, w, "unknown directive '%s'", t->v[0]);
        if (streq(t->v[0], "default")) {
                size_t i = 1;
                uint32_t action;
                int r = parse_action(ps, w, t, &i, &action);
                if (r < 0)
                        return r;
                if (t->v[i])
                        return fail(ps, w, "unexpected '%s' after the default action", t->v[i]);
                ps->p->has_default = true;
                ps->p->default_action = action;
                return 0;
        }
        return parse_rule(ps, w, t);
}

/* ---- files and @include -------------------------------------------------- */

static bool valid_policy_name(const char *name) {
        if (!name[0] || name[0] == '.' || strlen(name) >= CJ_SECCOMP_NAME_MAX)
                return false;
        for (const char *c = name; *c; c++)
                if (!is_word_char(*c) && *c != '-' && *c != '.')
                        return false;
        return true;
}

/* NAME -> NAME.policy in dir_first (may be NULL), then in dirs.  -ENOENT if none. */
static int find_policy(const char *name, const char *dir_first, const char *const *dirs, char **out) {
        size_t nl = strlen(name), sl = strlen(POLICY_SUFFIX);
        bool has_suffix = nl > sl && strcmp(name + nl - sl, POLICY_SUFFIX) == 0;
        _cleanup_free_ char *file = NULL;
        if (asprintf(&file, "%s%s", name, has_suffix ? "" : POLICY_SUFFIX) < 0)
                return -ENOMEM;
        for (size_t i = 0;; i++) {
                const char *dir = i == 0 ? dir_first : (dirs ? dirs[i - 1] : NULL);
                if (i > 0 && !dir)
                        return -ENOENT;
                if (!dir)
                        continue;
                _cleanup_free_ char *path = cj_path_join(dir, file);
                if (!path)
                        return -ENOMEM;
                struct stat st;
                if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                        *out = TAKE_PTR(path);
                        return 0;
                }
        }
}

/* Directory part of path, or NULL when it has none. */
static char *dir_of(const char *path) {
        const char *slash = strrchr(path, '/');
        if (!slash)
                return NULL;
        return slash == path ? strdup("/") : strndup(path, (size_t) (slash - path));
}

int cj_seccomp_resolve_top(const char *name_or_path, const char *const *search_dirs, char **out) {
        if (strchr(name_or_path, '/'))
                return (*out = strdup(name_or_path)) ? 0 : -ENOMEM;
        if (!valid_policy_name(name_or_path))
                return -EINVAL;
        return find_policy(name_or_path, NULL, search_dirs, out);
}

int cj_seccomp_resolve_include(const char *name, const char *including_file, const char *const *search_dirs,
                               char **out) {
        _cleanup_free_ char *dir = dir_of(including_file);
        if (strchr(name, '/'))
                return (*out = name[0] == '/' || !dir ? strdup(name) : cj_path_join(dir, name)) ? 0 : -ENOMEM;
        if (!valid_policy_name(name))
                return -EINVAL;
        return find_policy(name, dir, search_dirs, out);
}

static int parse_include(parser *ps, const where *w, const char *arg) {
        size_t len = strcspn(arg, " \t\r#");
        const char *rest = arg + len;
        rest += strspn(rest, " \t\r");
        if (len == 0 || (*rest && *rest != '#'))
                return fail(ps, w, "usage: @include NAME|PATH");
        _cleanup_free_ char *name = strndup(arg, len);
        _cleanup_free_ char *path = NULL;
        if (!name)
                return cj_error_set(ps->err, ENOMEM, "out of memory");
        int r = cj_seccomp_resolve_include(name, w->file, ps->search_dirs, &path);
        if (r == -EINVAL)
                return fail(ps, w, "bad policy name '%s'", name);
        if (r == -ENOENT)
                return fail(ps, w, "@include %s: no %s%s next to this file or in the search path", name, name,
                            POLICY_SUFFIX);
        if (r < 0)
                return cj_error_set(ps->err, ENOMEM, "out of memory");
        if (ps->depth > CJ_SECCOMP_INCLUDE_DEPTH_MAX)
                return fail(ps, w, "@include nested more than %u levels deep", CJ_SECCOMP_INCLUDE_DEPTH_MAX);
        return parse_file(ps, path, name, w);
}

static int parse_text(parser *ps, const char *file, const char *text, size_t len) {
        where w = { .file = file, .line = 0 };
        const char *nul = memchr(text, '\0', len);
        char line[CJ_SECCOMP_LINE_MAX + 1];
        _cleanup_free_ tokens *t = malloc(sizeof *t);
        if (!t)
                return cj_error_set(ps->err, ENOMEM, "out of memory");
        const char *s = text, *end = text + len;
        while (s < end) {
                w.line++;
                const char *nl = memchr(s, '\n', (size_t) (end - s));
                size_t ll = (size_t) ((nl ? nl : end) - s);
                if (nul && nul < s + ll)
                        return fail(ps, &w, "NUL byte in policy text");
                if (ll > CJ_SECCOMP_LINE_MAX)
                        return fail(ps, &w, "line longer than %u bytes", CJ_SECCOMP_LINE_MAX);
                memcpy(line, s, ll);
                line[ll] = '\0';
                s += ll + 1;

                const char *c = line + strspn(line, " \t\r");
                int r;
                if (strncmp(c, "@include", 8) == 0 && (c[8] == '\0' || strchr(" \t\r#", c[8])))
                        r = parse_include(ps, &w, c + 8 + strspn(c + 8, " \t\r"));
                else {
                        r = tokenize(ps, &w, line, t);
                        if (r >= 0)
                                r = parse_tokens(ps, &w, t);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Record a file the policy is made of: its interned name (rules point to it
 * for their origin), how it was reached and the digest of its bytes.
 * Returns its index, or -ENOMEM. */
static int add_file(cj_seccomp_policy *p, const char *path, const char *include, int parent, const char *buf,
                    size_t len) {
        char **nf = realloc(p->files, (p->n_files + 1) * sizeof *nf);
        if (!nf)
                return -ENOMEM;
        p->files = nf;
        cj_seccomp_source *ns = realloc(p->sources, (p->n_files + 1) * sizeof *ns);
        if (!ns)
                return -ENOMEM;
        p->sources = ns;
        cj_seccomp_source *src = &ns[p->n_files];
        *src = (cj_seccomp_source) { .parent = parent };
        if (!(nf[p->n_files] = strdup(path)) || (include && !(src->include = strdup(include)))) {
                free(nf[p->n_files]);
                return -ENOMEM;
        }
        cj_sha256_raw(buf, len, src->sha256);
        return (int) p->n_files++;
}

static int cycle_error(parser *ps, const where *from, const char *path) {
        char chain[CJ_ERROR_MSG_MAX] = "";
        size_t off = 0;
        for (unsigned i = 0; i < ps->depth && off < sizeof chain; i++)
                off += (size_t) snprintf(chain + off, sizeof chain - off, "%s -> ", ps->stack[i].file);
        if (off < sizeof chain)
                snprintf(chain + off, sizeof chain - off, "%s", path);
        return fail(ps, from, "@include cycle: %s", chain);
}

static int parse_file(parser *ps, const char *path, const char *include, const where *from) {
        _cleanup_close_ int fd = open(path, CJ_SECCOMP_OPEN_FLAGS);
        if (fd < 0)
                return from ? fail(ps, from, "@include %s: %s", path, strerror(errno))
                            : cj_error_seterrno(ps->err, errno, "%s", path);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return cj_error_seterrno(ps->err, errno, "%s", path);
        if (!S_ISREG(st.st_mode))
                return from ? fail(ps, from, "@include %s: not a regular file", path)
                            : cj_error_set(ps->err, EINVAL, "%s: not a regular file", path);
        for (unsigned i = 0; i < ps->depth; i++)
                if (ps->stack[i].known && ps->stack[i].dev == st.st_dev && ps->stack[i].ino == st.st_ino)
                        return cycle_error(ps, from, path);
        if (ps->p->n_files >= CJ_SECCOMP_FILES_MAX)
                return from ? fail(ps, from, "more than %u policy files", CJ_SECCOMP_FILES_MAX)
                            : cj_error_set(ps->err, E2BIG, "more than %u policy files", CJ_SECCOMP_FILES_MAX);

        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r = cj_read_fd(fd, CJ_SECCOMP_FILE_MAX, &buf, &len, ps->err);
        if (r < 0)
                return cj_error_prefix(ps->err, "%s: ", path);
        int parent = ps->depth ? ps->stack[ps->depth - 1].index : -1;
        int idx = add_file(ps->p, path, include, parent, buf, len);
        if (idx < 0)
                return cj_error_set(ps->err, ENOMEM, "out of memory");
        const char *file = ps->p->files[idx];
        ps->stack[ps->depth++] =
                (frame) { .dev = st.st_dev, .ino = st.st_ino, .known = true, .file = file, .index = idx };
        r = parse_text(ps, file, buf, len);
        ps->depth--;
        return r;
}

/* ---- public entry points ---------------------------------------------------- */

static int finish(parser *ps, cj_seccomp_policy **pp, cj_seccomp_policy **out) {
        if (!(*pp)->has_default)
                return cj_error_set(ps->err, EINVAL, "%s: no 'default' action (e.g. 'default allow')", (*pp)->path);
        *out = TAKE_PTR(*pp);
        return 0;
}

CJ_DEFINE_TRIVIAL_CLEANUP_FUNC(cj_seccomp_policy *, cj_seccomp_policy_free);

int cj_seccomp_policy_parse_string(const char *text, const char *filename, const char *const *search_dirs,
                                   cj_seccomp_policy **out, cj_error *err) {
        _cleanup_(cj_seccomp_policy_freep) cj_seccomp_policy *p = calloc(1, sizeof *p);
        if (!p || !(p->path = strdup(filename)))
                return cj_error_set(err, ENOMEM, "out of memory");
        size_t len = strlen(text);
        if (len > CJ_SECCOMP_FILE_MAX)
                return cj_error_set(err, EFBIG, "%s: larger than %u bytes", filename, CJ_SECCOMP_FILE_MAX);
        if (add_file(p, filename, NULL, -1, text, len) < 0)
                return cj_error_set(err, ENOMEM, "out of memory");
        const char *file = p->files[0];
        parser ps = { .p = p, .search_dirs = search_dirs, .err = err, .depth = 1 };
        struct stat st;
        ps.stack[0] = (frame) { .file = file };
        if (stat(filename, &st) == 0)
                ps.stack[0] = (frame) { .dev = st.st_dev, .ino = st.st_ino, .known = true, .file = file };
        int r = parse_text(&ps, file, text, len);
        if (r < 0)
                return r;
        return finish(&ps, &p, out);
}

int cj_seccomp_policy_load(const char *name_or_path, const char *const *search_dirs, cj_seccomp_policy **out,
                           cj_error *err) {
        _cleanup_(cj_seccomp_policy_freep) cj_seccomp_policy *p = calloc(1, sizeof *p);
        if (!p)
                return cj_error_set(err, ENOMEM, "out of memory");
        int r = cj_seccomp_resolve_top(name_or_path, search_dirs, &p->path);
        if (r == -EINVAL)
                return cj_error_set(err, EINVAL, "bad seccomp policy name '%s'", name_or_path);
        if (r == -ENOENT) {
                char dirs[CJ_ERROR_MSG_MAX / 2] = "";
                size_t off = 0;
                for (size_t i = 0; search_dirs && search_dirs[i] && off < sizeof dirs; i++)
                        off += (size_t) snprintf(dirs + off, sizeof dirs - off, "%s%s", i ? ":" : "", search_dirs[i]);
                return cj_error_set(err, ENOENT, "seccomp policy '%s' not found (searched %s)", name_or_path,
                                    dirs[0] ? dirs : "nothing");
        }
        if (r < 0)
                return cj_error_set(err, ENOMEM, "out of memory");
        parser ps = { .p = p, .search_dirs = search_dirs, .err = err };
        r = parse_file(&ps, p->path, NULL, NULL);
        if (r < 0)
                return r;
        return finish(&ps, &p, out);
}

void cj_seccomp_policy_free(cj_seccomp_policy *p) {
        if (!p)
                return;
        for (size_t i = 0; i < p->n_files; i++) {
                free(p->files[i]);
                free(p->sources[i].include);
        }
        free(p->files);
        free(p->sources);
        free(p->rules);
        free(p->path);
        free(p);
}

const char *cj_seccomp_policy_path(const cj_seccomp_policy *p) {
        return p->path;
}

size_t cj_seccomp_policy_n_rules(const cj_seccomp_policy *p) {
        return p->n_rules;
}
