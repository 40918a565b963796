/* SPDX-License-Identifier: MIT */
/*
 * Small analyzers for the program text that sed and awk take as an argument,
 * and the list of git configuration keys whose values git runs.  Each answers
 * "can this run a command, write a file, or not be understood?" -- anything
 * the sed parser does not recognise is reported as not understood.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "hidden_exec.h"

#define SED_DEPTH_MAX 64

/* Skip a delimited part starting after its opening delimiter d; returns the
 * position after the closing delimiter or NULL if unterminated. */
static const char *sed_skip_delimited(const char *p, char d) {
        for (; *p; p++) {
                if (*p == '\\' && p[1]) {
                        p++;
                        continue;
                }
                if (*p == d)
                        return p + 1;
                /* a [...] bracket expression may hold the delimiter */
                if (*p == '[' && d != '[') {
                        const char *q = p + 1;
                        if (*q == '^')
                                q++;
                        if (*q == ']')
                                q++;
                        while (*q && *q != ']')
                                q++;
                        if (*q == ']')
                                p = q;
                }
        }
        return NULL;
}

static const char *sed_address(const char *p) {
        if (isdigit((unsigned char) *p)) {
                while (isdigit((unsigned char) *p))
                        p++;
                if (*p == '~') {
                        p++;
                        while (isdigit((unsigned char) *p))
                                p++;
                }
        } else if (*p == '$') {
                p++;
        } else if (*p == '/' || *p == '\\') {
                char d = *p == '\\' ? p[1] : '/';
                if (*p == '\\') {
                        if (!p[1])
                                return NULL;
                        p++;
                }
                p = sed_skip_delimited(p + 1, d);
                if (!p)
                        return NULL;
                while (*p == 'I' || *p == 'M')
                        p++;
        } else if (*p == '+' || *p == '~') {
                p++;
                while (isdigit((unsigned char) *p))
                        p++;
        }
        return p;
}

static const char *skip_to_eol(const char *p) {
        while (*p && *p != '\n')
                p++;
        return p;
}

const char *cj_sed_script_danger(const char *s) {
        const char *p = s;
        int depth = 0;
        while (*p) {
                while (*p == ' ' || *p == '\t' || *p == '\n' || *p == ';')
                        p++;
                if (!*p)
                        break;
                if (*p == '#') {
                        p = skip_to_eol(p);
                        continue;
                }
                p = sed_address(p);
                if (!p)
                        return "sed script: unterminated address";
                while (*p == ' ' || *p == '\t')
                        p++;
                if (*p == ',') {
                        p = sed_address(p + 1);
                        if (!p)
                                return "sed script: unterminated address";
                }
                while (*p == ' ' || *p == '\t' || *p == '!')
                        p++;
                char cmd = *p++;
                switch (cmd) {
                case '{':
                        if (++depth > SED_DEPTH_MAX)
                                return "sed script: nested too deep";
                        break;
                case '}':
                        depth--;
                        break;
                case '=': case 'd': case 'D': case 'g': case 'G': case 'h': case 'H': case 'n': case 'N':
                case 'p': case 'P': case 'x': case 'z': case 'F':
                        break;
                case 'l': case 'L': case 'q': case 'Q':
                        while (*p == ' ' || isdigit((unsigned char) *p))
                                p++;
                        break;
                case ':': case 'b': case 't': case 'T': case 'v':
                        while (*p && *p != ';' && *p != '\n' && *p != '}')
                                p++;
                        break;
                case 'a': case 'i': case 'c':
                        /* text to the end of the line; backslash-newline continues it */
                        while (*p && *p != '\n') {
                                if (*p == '\\' && p[1])
                                        p++;
                                p++;
                        }
                        break;
                case 'r': case 'R':
                        p = skip_to_eol(p);
                        break;
                case 'w': case 'W':
                        return "sed `w` writes a file";
                case 'e':
                        return "sed `e` runs a shell command";
                case 's': {
                        char d = *p;
                        if (!d || d == '\n' || d == '\\')
                                return "sed script: bad s command";
                        p = sed_skip_delimited(p + 1, d);
                        if (!p || !(p = sed_skip_delimited(p, d)))
                                return "sed script: unterminated s command";
                        for (; *p && *p != ';' && *p != '\n' && *p != '}'; p++) {
                                if (*p == 'e')
                                        return "sed s///e runs the pattern space as a shell command";
                                if (*p == 'w' || *p == 'W')
                                        return "sed s///w writes a file";
                                if (!strchr("gpiImM0123456789 \t", *p))
                                        return "sed script: unknown s flag";
                        }
                        break;
                }
                case 'y': {
                        char d = *p;
                        if (!d || d == '\n' || d == '\\')
                                return "sed script: bad y command";
                        p = sed_skip_delimited(p + 1, d);
                        if (!p || !(p = sed_skip_delimited(p, d)))
                                return "sed script: unterminated y command";
                        break;
                }
                default:
                        return "sed script: command not understood";
                }
        }
        return NULL;
}

/* ---- awk ----------------------------------------------------------------- */

static bool ident_char(char ch) {
        return isalnum((unsigned char) ch) || ch == '_';
}

const char *cj_awk_program_danger(const char *s) {
        bool in_print = false, regex_ok = true;
        int paren = 0, print_paren = 0;
        for (const char *p = s; *p; p++) {
                char ch = *p;
                if (ch == '"') {
                        for (p++; *p && *p != '"'; p++)
                                if (*p == '\\' && p[1])
                                        p++;
                        if (!*p)
                                return "awk program: unterminated string";
                        regex_ok = false;
                        continue;
                }
                if (ch == '/' && regex_ok) {
                        for (p++; *p && *p != '/' && *p != '\n'; p++)
                                if (*p == '\\' && p[1])
                                        p++;
                        if (*p != '/')
                                return "awk program: unterminated regular expression";
                        regex_ok = false;
                        continue;
                }
                if (ch == '#') {
                        while (p[1] && p[1] != '\n')
                                p++;
                        continue;
                }
                if (ch == '@')
                        return "gawk @load/@include pulls in code";
                if (ident_char(ch)) {
                        const char *b = p;
                        while (ident_char(p[1]))
                                p++;
                        size_t l = (size_t) (p - b) + 1;
                        if (l == 6 && strncmp(b, "system", 6) == 0)
                                return "awk system() runs a shell command";
                        if (l == 7 && strncmp(b, "getline", 7) == 0) {
                                const char *q = p + 1;
                                while (*q == ' ' || *q == '\t' || ident_char(*q) || *q == '$')
                                        q++;
                                if (*q == '<')
                                        return "awk getline < FILE reads another file";
                        }
                        if ((l == 5 && strncmp(b, "print", 5) == 0) || (l == 6 && strncmp(b, "printf", 6) == 0)) {
                                in_print = true;
                                print_paren = paren;
                        }
                        regex_ok = false;
                        continue;
                }
                switch (ch) {
                case '|':
                        if (p[1] == '|') {
                                p++;
                                regex_ok = true;
                                break;
                        }
                        return "awk `|` pipes to or from a shell command";
                case '>':
                        if (in_print && paren == print_paren)
                                return "awk print > FILE writes a file";
                        regex_ok = true;
                        break;
                case '(':
                        paren++;
                        regex_ok = true;
                        break;
                case ')':
                        paren--;
                        regex_ok = false;
                        break;
                case ';': case '\n': case '{': case '}':
                        in_print = false;
                        regex_ok = true;
                        break;
                case ' ': case '\t':
                        break;
                default:
                        regex_ok = strchr(",!~&=+-*%^?:<", ch) != NULL;
                        break;
                }
        }
        return NULL;
}

/* ---- git ----------------------------------------------------------------- */

static const char *const git_exec_keys[] = {
        "core.pager", "core.editor", "core.sshcommand", "core.hookspath", "core.fsmonitor", "core.askpass",
        "core.gitproxy", "core.alternaterefscommand", "core.worktree", "diff.external", "diff.*.command",
        "diff.*.textconv", "difftool.*.cmd", "difftool.*.path", "merge.*.driver", "mergetool.*.cmd",
        "mergetool.*.path", "filter.*", "pager.*", "sequence.editor", "credential.helper", "credential.*",
        "gpg.program", "gpg.*", "uploadpack.packobjectshook", "include.path", "includeif.*", "protocol.allow",
        "protocol.*.allow", "remote.*.uploadpack", "remote.*.receivepack", "remote.*.proxy", "web.browser",
        "browser.*", "man.*", "instaweb.*", "sendemail.*", "url.*.insteadof", "url.*.pushinsteadof",
        "submodule.*.update", "hook.*", "trailer.*.command", "trailer.*.cmd", "interactive.difffilter",
        "safe.directory", "http.proxy", "http.*.proxy", "core.sshCommand", "ssh.variant", "init.templatedir",
        "receive.procreceiverefs", "feature.*", NULL
};

bool cj_git_key_executes(const char *key, const char *value) {
        char k[256];
        size_t l = strlen(key);
        if (l >= sizeof k)
                return true;
        for (size_t i = 0; i <= l; i++)
                k[i] = (char) tolower((unsigned char) key[i]);
        if (strncmp(k, "alias.", 6) == 0)
                return !value || value[0] == '!';
        for (const char *const *p = git_exec_keys; *p; p++) {
                char pat[128];
                snprintf(pat, sizeof pat, "%s", *p);
                for (char *q = pat; *q; q++)
                        *q = (char) tolower((unsigned char) *q);
                if (fnmatch(pat, k, 0) == 0)
                        return true;
        }
        return false;
}
