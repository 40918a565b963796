/* SPDX-License-Identifier: MIT */
/*
 * GNU-style option scanning over a resolved argv, for validators that must
 * understand a program's options the way the program does: "--name=value",
 * "--name value", unique-prefix abbreviations ("--upload-pa" is
 * "--upload-pack"), short clusters ("-xvf", "-pe") and attached values
 * ("-ovalue").  An abbreviation that could name a tagged (dangerous) option is
 * taken as that option even when the real program might call it ambiguous:
 * the scanner errs towards seeing the dangerous reading.
 */
#include <string.h>

#include "internal.h"

static const cj_opt *find_long(const cj_opt *opts, const char *name, size_t nlen, bool *abbrev) {
        const cj_opt *prefix_hit = NULL, *tagged_hit = NULL;
        size_t nprefix = 0;
        *abbrev = false;
        for (const cj_opt *o = opts; o->lname || o->sname; o++) {
                if (!o->lname)
                        continue;
                if (strlen(o->lname) == nlen && strncmp(o->lname, name, nlen) == 0)
                        return o;
                if (nlen > 0 && strncmp(o->lname, name, nlen) == 0) {
                        nprefix++;
                        prefix_hit = o;
                        if (o->tag > 0 && !tagged_hit)
                                tagged_hit = o;
                }
        }
        *abbrev = true;
        if (tagged_hit)
                return tagged_hit;
        return nprefix == 1 ? prefix_hit : NULL;
}

static const cj_opt *find_short(const cj_opt *opts, char c) {
        for (const cj_opt *o = opts; o->lname || o->sname; o++)
                if (o->sname == c)
                        return o;
        return NULL;
}

size_t cj_opts_scan(const sh_cmd *cmd, size_t first, const cj_opt *opts, bool posix_stop,
                    bool (*fn)(const cj_optval *o, void *ud), void *ud) {
        size_t i = first;
        bool options = true;
        for (; i < cmd->argc; i++) {
                const sh_arg *a = &cmd->argv[i];
                const char *s = a->value;
                bool dyn = a->flags & SH_ARG_DYNAMIC;
                cj_optval ov = { .argi = i };

                if (!options || s[0] != '-' || s[1] == '\0') {
                        ov.value = s;
                        ov.dynamic_value = dyn;
                        if (!fn(&ov, ud))
                                return i;
                        if (posix_stop)
                                options = false;
                        continue;
                }
                if (strcmp(s, "--") == 0) {
                        options = false;
                        continue;
                }
                if (s[1] == '-') {
                        const char *name = s + 2, *eq = strchr(name, '=');
                        size_t nlen = eq ? (size_t) (eq - name) : strlen(name);
                        bool abbrev;
                        const cj_opt *o = find_long(opts, name, nlen, &abbrev);
                        if (!o)
                                continue;
                        ov.opt = o;
                        ov.abbreviated = abbrev;
                        if (eq)
                                ov.value = eq + 1, ov.dynamic_value = dyn;
                        else if (o->arg == CJ_OPT_ARG && i + 1 < cmd->argc) {
                                i++;
                                ov.value = cmd->argv[i].value;
                                ov.dynamic_value = cmd->argv[i].flags & SH_ARG_DYNAMIC;
                        }
                        if (o->tag > 0 && !fn(&ov, ud))
                                return i;
                        continue;
                }
                /* "-ex CMD" (gdb, and other single-dash long options): a word naming a
                 * dangerous long option exactly is read as that option, not as the
                 * cluster -e -x -- the scanner takes the dangerous reading */
                {
                        const char *eq = strchr(s + 1, '=');
                        size_t nlen = eq ? (size_t) (eq - s - 1) : strlen(s + 1);
                        bool abbrev;
                        const cj_opt *o = nlen > 1 ? find_long(opts, s + 1, nlen, &abbrev) : NULL;
                        if (o && !abbrev && o->tag > 0) {
                                ov.opt = o;
                                if (eq)
                                        ov.value = eq + 1, ov.dynamic_value = dyn;
                                else if (o->arg == CJ_OPT_ARG && i + 1 < cmd->argc) {
                                        i++;
                                        ov.value = cmd->argv[i].value;
                                        ov.dynamic_value = cmd->argv[i].flags & SH_ARG_DYNAMIC;
                                }
                                if (!fn(&ov, ud))
                                        return i;
                                continue;
                        }
                }
                /* short cluster */
                for (const char *p = s + 1; *p; p++) {
                        const cj_opt *o = find_short(opts, *p);
                        if (!o)
                                continue;
                        cj_optval sv = { .opt = o, .argi = i };
                        bool stop = false;
                        if (o->arg != CJ_OPT_NOARG) {
                                if (p[1]) {
                                        sv.value = p + 1;
                                        sv.dynamic_value = dyn;
                                } else if (o->arg == CJ_OPT_ARG && i + 1 < cmd->argc) {
                                        i++;
                                        sv.value = cmd->argv[i].value;
                                        sv.dynamic_value = cmd->argv[i].flags & SH_ARG_DYNAMIC;
                                }
                                stop = true;
                        }
                        if (o->tag > 0 && !fn(&sv, ud))
                                return i;
                        if (stop)
                                break;
                }
        }
        return i;
}
