/* SPDX-License-Identifier: MIT */
#include "gitconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

/* ---- parsing ------------------------------------------------------------- */

typedef struct buf {
        char *p;
        size_t n, cap;
} buf;

static int buf_add(buf *b, const char *s, size_t n) {
        if (b->n + n + 1 > b->cap) {
                size_t cap = b->cap ? b->cap * 2 : 64;
                while (cap < b->n + n + 1)
                        cap *= 2;
                char *p = realloc(b->p, cap);
                if (!p)
                        return -ENOMEM;
                b->p = p;
                b->cap = cap;
        }
        memcpy(b->p + b->n, s, n);
        b->n += n;
        b->p[b->n] = '\0';
        return 0;
}

static int buf_addc(buf *b, char c) {
        return buf_add(b, &c, 1);
}

static bool is_ws(char c) {
        return c == ' ' || c == '\t' || c == '\r';
}

typedef struct section {
        buf name; /* lowercase */
        buf sub;  /* as written; empty with has_sub false */
        bool has_sub;
        buf hdr; /* canonical header text */
} section;

static void section_clear(section *s) {
        free(s->name.p);
        free(s->sub.p);
        free(s->hdr.p);
        *s = (section){ 0 };
}

/* "[name]", "[name \"sub\"]", "[name.sub]" at s[*i]; *i ends after ']'. */
static int parse_header(const char *s, size_t end, size_t *i, section *sec) {
        section_clear(sec);
        size_t p = *i + 1;
        size_t start = p;
        while (p < end && (isalnum((unsigned char) s[p]) || s[p] == '-' || s[p] == '.'))
                p++;
        if (p == start)
                return -EINVAL;
        const char *dot = memchr(s + start, '.', p - start);
        if (dot) { /* deprecated [section.sub]: both parts lowercase */
                for (const char *c = s + start; c < dot; c++)
                        if (buf_addc(&sec->name, (char) tolower((unsigned char) *c)) < 0)
                                return -ENOMEM;
                for (const char *c = dot + 1; c < s + p; c++)
                        if (buf_addc(&sec->sub, (char) tolower((unsigned char) *c)) < 0)
                                return -ENOMEM;
                if (dot + 1 == s + p)
                        return -EINVAL;
                sec->has_sub = true;
        } else
                for (size_t c = start; c < p; c++)
                        if (buf_addc(&sec->name, (char) tolower((unsigned char) s[c])) < 0)
                                return -ENOMEM;
        if (p < end && s[p] == ' ' && !dot) {
                while (p < end && s[p] == ' ')
                        p++;
                if (p >= end || s[p] != '"')
                        return -EINVAL;
                p++;
                sec->has_sub = true;
                for (;;) {
                        if (p >= end || s[p] == '\n')
                                return -EINVAL;
                        if (s[p] == '"')
                                break;
                        if (s[p] == '\\') {
                                p++;
                                if (p >= end || s[p] == '\n')
                                        return -EINVAL;
                        }
                        if (buf_addc(&sec->sub, s[p++]) < 0)
                                return -ENOMEM;
                }
                p++;
        }
        if (p >= end || s[p] != ']')
                return -EINVAL;
        *i = p + 1;
        /* canonical header */
        if (buf_add(&sec->hdr, "[", 1) < 0 || buf_add(&sec->hdr, sec->name.p, sec->name.n) < 0)
                return -ENOMEM;
        if (sec->has_sub) {
                if (buf_add(&sec->hdr, " \"", 2) < 0)
                        return -ENOMEM;
                for (size_t k = 0; k < sec->sub.n; k++) {
                        char c = sec->sub.p[k];
                        if ((c == '"' || c == '\\') && buf_addc(&sec->hdr, '\\') < 0)
                                return -ENOMEM;
                        if (buf_addc(&sec->hdr, c) < 0)
                                return -ENOMEM;
                }
                if (buf_addc(&sec->hdr, '"') < 0)
                        return -ENOMEM;
        }
        return buf_addc(&sec->hdr, ']');
}

/* The value after '=' up to the end of the line: quotes, escapes, comments. */
static int parse_value(const char *s, size_t end, size_t p, buf *v) {
        bool quoted = false;
        size_t keep = 0; /* length of v without trailing unquoted whitespace */
        if (buf_add(v, "", 0) < 0)
                return -ENOMEM;
        for (; p < end && s[p] != '\n'; p++) {
                char c = s[p];
                if (c == '\0')
                        return -EINVAL;
                if (!quoted && (c == '#' || c == ';'))
                        break;
                if (c == '"') {
                        quoted = !quoted;
                        keep = v->n;
                        continue;
                }
                if (c == '\\') {
                        p++;
                        if (p >= end || s[p] == '\n' || s[p] == '\r')
                                return -EINVAL; /* a continuation: git never writes one */
                        switch (s[p]) {
                        case '\\': c = '\\'; break;
                        case '"': c = '"'; break;
                        case 'n': c = '\n'; break;
                        case 't': c = '\t'; break;
                        case 'b': c = '\b'; break;
                        default: return -EINVAL;
                        }
                        if (buf_addc(v, c) < 0)
                                return -ENOMEM;
                        keep = v->n;
                        continue;
                }
                if (!quoted && is_ws(c) && v->n == 0)
                        continue; /* leading whitespace */
                if (buf_addc(v, c) < 0)
                        return -ENOMEM;
                if (quoted || !is_ws(c))
                        keep = v->n;
        }
        if (quoted)
                return -EINVAL;
        v->n = keep;
        v->p[keep] = '\0';
        return 0;
}

static int add_entry(cj_gitconfig *c, const section *sec, const char *name, size_t nlen, buf *value, bool has_value,
                     size_t line_off, size_t line_len, bool own_line, const char *raw, size_t raw_len) {
        if (c->n >= CJ_GITCONFIG_ENTRIES_MAX)
                return -E2BIG;
        cj_gitconfig_entry *ne = realloc(c->e, (c->n + 1) * sizeof *ne);
        if (!ne)
                return -ENOMEM;
        c->e = ne;
        cj_gitconfig_entry *e = &c->e[c->n];
        *e = (cj_gitconfig_entry){ .line_off = line_off, .line_len = line_len, .own_line = own_line };
        buf key = { 0 };
        int r = buf_add(&key, sec->name.p, sec->name.n);
        if (r >= 0 && sec->has_sub && (r = buf_addc(&key, '.')) >= 0)
                r = buf_add(&key, sec->sub.p ? sec->sub.p : "", sec->sub.n);
        if (r >= 0)
                r = buf_addc(&key, '.');
        for (size_t k = 0; r >= 0 && k < nlen; k++)
                r = buf_addc(&key, (char) tolower((unsigned char) name[k]));
        e->key = key.p;
        e->value = has_value ? (value->p ? value->p : strdup("")) : NULL;
        if (has_value)
                value->p = NULL;
        e->section_hdr = strdup(sec->hdr.p);
        e->raw = strndup(raw, raw_len);
        c->n++;
        if (r < 0 || !e->key || (has_value && !e->value) || !e->section_hdr || !e->raw)
                return -ENOMEM;
        return 0;
}

int cj_gitconfig_parse(const char *text, size_t len, cj_gitconfig *out, size_t *line_no) {
        *out = (cj_gitconfig){ 0 };
        if (len > CJ_GITCONFIG_MAX)
                return -E2BIG;
        section sec = { 0 };
        bool have_sec = false;
        size_t line = 0;
        int r = 0;
        for (size_t ls = 0; ls < len && r >= 0;) {
                line++;
                const char *nl = memchr(text + ls, '\n', len - ls);
                size_t end = nl ? (size_t) (nl - text) : len; /* index of '\n' or len */
                size_t next = nl ? end + 1 : len;
                size_t p = ls;
                bool own_line = true;
                if (memchr(text + ls, '\0', end - ls)) {
                        r = -EINVAL;
                        break;
                }
                while (p < end && is_ws(text[p]))
                        p++;
                if (p < end && text[p] == '[') {
                        if ((r = parse_header(text, end, &p, &sec)) < 0)
                                break;
                        have_sec = true;
                        own_line = false;
                        while (p < end && is_ws(text[p]))
                                p++;
                }
                if (p >= end || text[p] == '#' || text[p] == ';') {
                        ls = next;
                        continue;
                }
                if (!have_sec || !isalpha((unsigned char) text[p])) {
                        r = -EINVAL;
                        break;
                }
                size_t ns = p;
                while (p < end && (isalnum((unsigned char) text[p]) || text[p] == '-'))
                        p++;
                size_t ne = p;
                while (p < end && is_ws(text[p]))
                        p++;
                buf v = { 0 };
                bool has_value = false;
                if (p < end && text[p] == '=') {
                        has_value = true;
                        r = parse_value(text, end, p + 1, &v);
                } else if (p < end && text[p] != '#' && text[p] != ';')
                        r = -EINVAL;
                size_t raw_end = end;
                while (raw_end > ns && is_ws(text[raw_end - 1]))
                        raw_end--;
                if (r >= 0)
                        r = add_entry(out, &sec, text + ns, ne - ns, &v, has_value, ls, next - ls, own_line, text + ns,
                                      raw_end - ns);
                free(v.p);
                ls = next;
        }
        section_clear(&sec);
        if (r < 0) {
                if (line_no)
                        *line_no = line;
                cj_gitconfig_clear(out);
        }
        return r;
}

void cj_gitconfig_clear(cj_gitconfig *c) {
        for (size_t i = 0; i < c->n; i++) {
                free(c->e[i].key);
                free(c->e[i].value);
                free(c->e[i].section_hdr);
                free(c->e[i].raw);
        }
        free(c->e);
        *c = (cj_gitconfig){ 0 };
}

/* ---- which keys run programs ----------------------------------------------- */

typedef enum { SUB_NONE, SUB_ANY, SUB_OPT } sub_rule; /* no subsection / required / either */

static const struct danger {
        const char *section;
        sub_rule sub;
        const char *name; /* "*" = any name */
        bool bang_only;   /* only a value starting with '!' (a shell command) */
} dangers[] = {
        { "core", SUB_NONE, "hookspath", false },     { "core", SUB_NONE, "fsmonitor", false },
        { "core", SUB_NONE, "sshcommand", false },    { "core", SUB_NONE, "pager", false },
        { "core", SUB_NONE, "editor", false },        { "core", SUB_NONE, "askpass", false },
        { "core", SUB_NONE, "gitproxy", false },      { "core", SUB_NONE, "worktree", false },
        { "core", SUB_NONE, "alternaterefscommand", false },
        { "sequence", SUB_NONE, "editor", false },    { "diff", SUB_NONE, "external", false },
        { "diff", SUB_ANY, "textconv", false },       { "diff", SUB_ANY, "command", false },
        { "difftool", SUB_ANY, "cmd", false },        { "difftool", SUB_ANY, "path", false },
        { "mergetool", SUB_ANY, "cmd", false },       { "mergetool", SUB_ANY, "path", false },
        { "merge", SUB_ANY, "driver", false },        { "filter", SUB_ANY, "clean", false },
        { "filter", SUB_ANY, "smudge", false },       { "filter", SUB_ANY, "process", false },
        { "credential", SUB_OPT, "helper", false },   { "alias", SUB_OPT, "*", true },
        { "include", SUB_NONE, "path", false },       { "includeif", SUB_ANY, "*", false },
        { "remote", SUB_ANY, "uploadpack", false },   { "remote", SUB_ANY, "receivepack", false },
        { "remote", SUB_ANY, "vcs", false },          { "gpg", SUB_OPT, "program", false },
        { "gpg", SUB_ANY, "defaultkeycommand", false }, { "protocol", SUB_OPT, "allow", false },
        { "pager", SUB_NONE, "*", false },            { "browser", SUB_ANY, "cmd", false },
        { "browser", SUB_ANY, "path", false },        { "man", SUB_ANY, "cmd", false },
        { "man", SUB_ANY, "path", false },            { "sendemail", SUB_OPT, "smtpserver", false },
        { "sendemail", SUB_OPT, "tocmd", false },     { "sendemail", SUB_OPT, "cccmd", false },
        { "interactive", SUB_NONE, "difffilter", false }, { "submodule", SUB_ANY, "update", true },
        { "trailer", SUB_ANY, "command", false },     { "trailer", SUB_ANY, "cmd", false },
        { "tar", SUB_ANY, "command", false },         { "guitool", SUB_ANY, "cmd", false },
        { "init", SUB_NONE, "templatedir", false },   { "extensions", SUB_NONE, "worktreeconfig", false },
        { "uploadpack", SUB_NONE, "packobjectshook", false },
};

bool cj_gitconfig_key_dangerous(const char *key, const char *value) {
        const char *first = strchr(key, '.'), *last = strrchr(key, '.');
        if (!first)
                return false;
        size_t slen = (size_t) (first - key);
        bool has_sub = first != last;
        const char *name = last + 1;
        for (size_t i = 0; i < sizeof dangers / sizeof *dangers; i++) {
                const struct danger *d = &dangers[i];
                if (strlen(d->section) != slen || strncmp(key, d->section, slen) != 0)
                        continue;
                if ((d->sub == SUB_NONE && has_sub) || (d->sub == SUB_ANY && !has_sub))
                        continue;
                if (strcmp(d->name, "*") != 0 && strcmp(d->name, name) != 0)
                        continue;
                if (d->bang_only) {
                        const char *v = value ? value : "";
                        while (*v == ' ' || *v == '\t')
                                v++;
                        if (*v != '!')
                                continue;
                }
                return true;
        }
        return false;
}

/* ---- reverting ------------------------------------------------------------- */

static bool same_entry(const cj_gitconfig_entry *a, const cj_gitconfig_entry *b) {
        return strcmp(a->key, b->key) == 0 &&
               ((!a->value && !b->value) || (a->value && b->value && strcmp(a->value, b->value) == 0));
}

/* Does list hold (key, value) of e among its dangerous entries (not yet used)? */
static bool take_match(const cj_gitconfig *c, bool *used, const cj_gitconfig_entry *e) {
        for (size_t i = 0; i < c->n; i++)
                if (!used[i] && cj_gitconfig_key_dangerous(c->e[i].key, c->e[i].value) && same_entry(&c->e[i], e)) {
                        used[i] = true;
                        return true;
                }
        return false;
}

static int note_key(char ***changed, size_t *n, const char *key) {
        for (size_t i = 0; i < *n; i++)
                if (strcmp((*changed)[i], key) == 0)
                        return 0;
        char **nc = realloc(*changed, (*n + 2) * sizeof *nc);
        if (!nc)
                return -ENOMEM;
        *changed = nc;
        if (!(nc[*n] = strdup(key)))
                return -ENOMEM;
        nc[++*n] = NULL;
        return 0;
}

int cj_gitconfig_revert(const char *new_text, size_t new_len, const cj_gitconfig *old, const cj_gitconfig *new,
                        char **out, size_t *out_len, char ***changed) {
        *out = NULL;
        *out_len = 0;
        *changed = NULL;
        _cleanup_free_ bool *used_old = calloc(old->n + 1, sizeof *used_old);
        _cleanup_free_ bool *used_new = calloc(new->n + 1, sizeof *used_new);
        if (!used_old || !used_new)
                return -ENOMEM;
        char **keys = NULL;
        size_t nkeys = 0;
        int r = 0;
        /* Dangerous entries only one side has, as (key, value) multisets. */
        for (size_t i = 0; i < new->n && r >= 0; i++)
                if (cj_gitconfig_key_dangerous(new->e[i].key, new->e[i].value) &&
                    !take_match(old, used_old, &new->e[i]))
                        r = note_key(&keys, &nkeys, new->e[i].key);
        for (size_t i = 0; i < old->n && r >= 0; i++)
                if (cj_gitconfig_key_dangerous(old->e[i].key, old->e[i].value) &&
                    !take_match(new, used_new, &old->e[i]))
                        r = note_key(&keys, &nkeys, old->e[i].key);
        if (r < 0 || nkeys == 0) {
                for (size_t i = 0; i < nkeys; i++)
                        free(keys[i]);
                free(keys);
                return r;
        }
        buf b = { 0 };
        size_t pos = 0;
        for (size_t i = 0; i < new->n && r >= 0; i++) {
                const cj_gitconfig_entry *e = &new->e[i];
                if (!cj_gitconfig_key_dangerous(e->key, e->value))
                        continue;
                r = buf_add(&b, new_text + pos, e->line_off - pos);
                if (r >= 0 && !e->own_line) /* `[section] key = v`: keep the header */
                        r = buf_add(&b, e->section_hdr, strlen(e->section_hdr)) < 0 ? -ENOMEM : buf_addc(&b, '\n');
                pos = e->line_off + e->line_len;
        }
        if (r >= 0)
                r = buf_add(&b, new_text + pos, new_len - pos);
        if (r >= 0 && b.n && b.p[b.n - 1] != '\n')
                r = buf_addc(&b, '\n');
        const char *last_hdr = NULL;
        for (size_t i = 0; i < old->n && r >= 0; i++) {
                const cj_gitconfig_entry *e = &old->e[i];
                if (!cj_gitconfig_key_dangerous(e->key, e->value))
                        continue;
                if (!last_hdr || strcmp(last_hdr, e->section_hdr) != 0) {
                        r = buf_add(&b, e->section_hdr, strlen(e->section_hdr));
                        if (r >= 0)
                                r = buf_addc(&b, '\n');
                        last_hdr = e->section_hdr;
                }
                if (r >= 0)
                        r = buf_addc(&b, '\t');
                if (r >= 0)
                        r = buf_add(&b, e->raw, strlen(e->raw));
                if (r >= 0)
                        r = buf_addc(&b, '\n');
        }
        if (r < 0 || !b.p) {
                free(b.p);
                for (size_t i = 0; i < nkeys; i++)
                        free(keys[i]);
                free(keys);
                return r < 0 ? r : -ENOMEM;
        }
        *out = b.p;
        *out_len = b.n;
        *changed = keys;
        return 1;
}
