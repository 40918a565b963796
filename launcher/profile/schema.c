/* SPDX-License-Identifier: MIT */
#include "schema.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/host.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/json.h"

typedef enum ktype {
        K_STR,
        K_BOOL,
        K_INT,     /* integer >= 0 */
        K_NUM,     /* number >= 0 */
        K_STRLIST, /* array of non-empty strings */
        K_OBJ,     /* object with children */
        K_RULES,   /* array of {match, verdict} */
        K_STRMAP,  /* object of string values */
        K_RUNAS,   /* integer uid > 0 or user name */
        K_HOSTS,   /* array of host patterns (launcher/net/host.h) */
        K_PORTS,   /* array of TCP ports 1..65535 */
        K_PINS,    /* object: host name -> IP address */
} ktype;

typedef struct keyspec {
        const char *name;
        ktype type;
        const struct keyspec *children;
        const char *const *choices; /* allowed values for K_STR / K_STRLIST elements */
        double max;                 /* K_INT / K_NUM: the largest value allowed (0: no maximum) */
} keyspec;

static const char *const verdicts[] = { "allow", "ask", "deny", NULL };
static const char *const netmodes[] = { "none", "loopback", "proxy", "host", NULL };
static const char *const overrides[] = { "narrow", "any", NULL };
static const char *const sections[] = { "filesystem", "network", "seccomp", "limits", "budget", "validation", "env", NULL };

static const keyspec fs_keys[] = {
        { "ro", K_STRLIST, NULL, NULL },   { "rw", K_STRLIST, NULL, NULL },
        { "tmpfs", K_STRLIST, NULL, NULL }, { "deny", K_STRLIST, NULL, NULL },
        { "protect", K_STRLIST, NULL, NULL }, { "deny_except", K_STRLIST, NULL, NULL },
        { NULL, 0, NULL, NULL },
};
static const keyspec limit_keys[] = {
        { "memory_mb", K_INT, NULL, NULL, (double) CJ_LIMIT_MEMORY_MB_MAX },
        { "pids", K_INT, NULL, NULL, (double) CJ_LIMIT_PIDS_MAX },
        { "cpu_s", K_INT, NULL, NULL, (double) CJ_LIMIT_SECONDS_MAX },
        { "wall_s", K_INT, NULL, NULL, (double) CJ_LIMIT_SECONDS_MAX },
        { "fsize_mb", K_INT, NULL, NULL, (double) CJ_LIMIT_FSIZE_MB_MAX },
        { "nofile", K_INT, NULL, NULL, (double) CJ_LIMIT_NOFILE_MAX },
        { "output_bytes", K_INT, NULL, NULL, (double) CJ_LIMIT_OUTPUT_BYTES_MAX },
        { "scratch_mb", K_INT, NULL, NULL, (double) CJ_LIMIT_SCRATCH_MB_MAX },
        { NULL, 0, NULL, NULL, 0 },
};
static const keyspec budget_keys[] = {
        { "calls", K_INT, NULL, NULL, (double) CJ_BUDGET_CALLS_MAX },
        { "wall_s", K_NUM, NULL, NULL, CJ_BUDGET_SECONDS_MAX },
        { "cpu_s", K_NUM, NULL, NULL, CJ_BUDGET_SECONDS_MAX },
        { "output_bytes", K_INT, NULL, NULL, (double) CJ_BUDGET_OUTPUT_BYTES_MAX },
        { "tokens", K_INT, NULL, NULL, (double) CJ_BUDGET_TOKENS_MAX },
        { "cost_usd", K_NUM, NULL, NULL, CJ_BUDGET_COST_USD_MAX },
        { "repeat_limit", K_INT, NULL, NULL, (double) CJ_BUDGET_REPEAT_MAX },
        { "stall_limit", K_INT, NULL, NULL, (double) CJ_BUDGET_REPEAT_MAX },
        { "net_bytes", K_INT, NULL, NULL, (double) CJ_BUDGET_NET_BYTES_MAX },
        { NULL, 0, NULL, NULL, 0 },
};
static const keyspec egress_keys[] = {
        { "allow", K_HOSTS, NULL, NULL, 0 }, { "deny", K_HOSTS, NULL, NULL, 0 }, { "ports", K_PORTS, NULL, NULL, 0 },
        { "resolve", K_PINS, NULL, NULL, 0 }, { NULL, 0, NULL, NULL, 0 },
};
static const keyspec validation_keys[] = {
        { "default", K_STR, NULL, verdicts },
        { "include", K_STRLIST, NULL, NULL },
        { "rules", K_RULES, NULL, NULL },
        { "off", K_STRLIST, NULL, NULL },
        { NULL, 0, NULL, NULL },
};
static const keyspec env_keys[] = {
        { "keep", K_STRLIST, NULL, NULL },
        { "set", K_STRMAP, NULL, NULL },
        { NULL, 0, NULL, NULL },
};
static const keyspec top_keys[] = {
        { "extends", K_STR, NULL, NULL },
        { "description", K_STR, NULL, NULL },
        { "widen", K_STRLIST, NULL, sections },
        { "filesystem", K_OBJ, fs_keys, NULL },
        { "network", K_STR, NULL, netmodes },
        { "network_override", K_STR, NULL, overrides },
        { "egress", K_OBJ, egress_keys, NULL, 0 },
        { "loopback_ports", K_PORTS, NULL, NULL, 0 },
        { "seccomp", K_STR, NULL, NULL },
        { "limits", K_OBJ, limit_keys, NULL },
        { "budget", K_OBJ, budget_keys, NULL },
        { "validation", K_OBJ, validation_keys, NULL },
        { "env", K_OBJ, env_keys, NULL },
        { "run_as", K_RUNAS, NULL, NULL },
        { NULL, 0, NULL, NULL },
};

/* A rule-set file (profiles/rules/NAME.json) that validation.include names. */
static const keyspec ruleset_keys[] = {
        { "description", K_STR, NULL, NULL },
        { "rules", K_RULES, NULL, NULL },
        { NULL, 0, NULL, NULL },
};

static bool in_choices(const char *const *choices, const char *s) {
        for (size_t i = 0; choices[i]; i++)
                if (strcmp(choices[i], s) == 0)
                        return true;
        return false;
}

static int bad(cj_error *err, const char *file, const char *path, const char *what) {
        return cj_error_set(err, EINVAL, "%s: %s: %s", file, path, what);
}

static int check_strlist(const json_t *v, const keyspec *k, const char *file, const char *path, cj_error *err) {
        if (!json_is_array(v))
                return bad(err, file, path, "expected an array of strings");
        if (json_array_size(v) > CJ_PROFILE_LIST_MAX)
                return cj_error_set(err, E2BIG, "%s: %s: more than %u entries", file, path, CJ_PROFILE_LIST_MAX);
        size_t i;
        const json_t *e;
        json_array_foreach(v, i, e) {
                char sub[600];
                snprintf(sub, sizeof sub, "%s[%zu]", path, i);
                if (!json_is_string(e) || json_string_length(e) == 0)
                        return bad(err, file, sub, "expected a non-empty string");
                if (strlen(json_string_value(e)) != json_string_length(e))
                        return bad(err, file, sub, "NUL byte in string");
                if (k->choices && !in_choices(k->choices, json_string_value(e)))
                        return cj_error_set(err, EINVAL, "%s: %s: unknown value '%s'", file, sub, json_string_value(e));
        }
        return 0;
}

static int check_rules(const json_t *v, const char *file, const char *path, cj_error *err) {
        if (!json_is_array(v))
                return bad(err, file, path, "expected an array of {\"match\": [...], \"verdict\": ...}");
        if (json_array_size(v) > CJ_PROFILE_LIST_MAX)
                return cj_error_set(err, E2BIG, "%s: %s: more than %u rules", file, path, CJ_PROFILE_LIST_MAX);
        size_t i;
        const json_t *rule;
        json_array_foreach(v, i, rule) {
                char sub[600];
                snprintf(sub, sizeof sub, "%s[%zu]", path, i);
                if (!json_is_object(rule))
                        return bad(err, file, sub, "expected an object");
                const char *key;
                const json_t *val;
                json_object_foreach((json_t *) rule, key, val) {
                        char kp[700];
                        snprintf(kp, sizeof kp, "%s.%s", sub, key);
                        if (strcmp(key, "match") == 0) {
                                static const keyspec any = { "match", K_STRLIST, NULL, NULL };
                                int r = check_strlist(val, &any, file, kp, err);
                                if (r < 0)
                                        return r;
                                if (json_array_size(val) == 0)
                                        return bad(err, file, kp, "must name at least the program");
                        } else if (strcmp(key, "verdict") == 0) {
                                if (!json_is_string(val) || !in_choices(verdicts, json_string_value(val)))
                                        return bad(err, file, kp, "expected \"allow\", \"ask\" or \"deny\"");
                        } else
                                return bad(err, file, kp, "unknown key");
                }
                if (!json_object_get(rule, "match") || !json_object_get(rule, "verdict"))
                        return bad(err, file, sub, "a rule needs both \"match\" and \"verdict\"");
        }
        return 0;
}

static int check_hosts(const json_t *v, const char *file, const char *path, cj_error *err) {
        static const keyspec any = { "hosts", K_STRLIST, NULL, NULL };
        int r = check_strlist(v, &any, file, path, err);
        size_t i;
        const json_t *e;
        json_array_foreach(v, i, e) {
                if (r < 0)
                        return r;
                _cleanup_free_ char *norm = NULL;
                const char *why = NULL;
                if (cj_net_pattern_normalize(json_string_value(e), &norm, &why) < 0)
                        return cj_error_set(err, EINVAL, "%s: %s[%zu]: '%s' is not a host pattern: %s", file, path, i,
                                            json_string_value(e), why ? why : "out of memory");
        }
        return r;
}

static int check_ports(const json_t *v, const char *file, const char *path, cj_error *err) {
        if (!json_is_array(v))
                return bad(err, file, path, "expected an array of ports");
        if (json_array_size(v) > CJ_NET_PORTS_MAX)
                return cj_error_set(err, E2BIG, "%s: %s: more than %d ports", file, path, CJ_NET_PORTS_MAX);
        size_t i;
        const json_t *e;
        json_array_foreach(v, i, e) if (!json_is_integer(e) || json_integer_value(e) < 1 ||
                                        json_integer_value(e) > 65535) return cj_error_set(err, EINVAL,
                                                                                           "%s: %s[%zu]: expected a "
                                                                                           "port 1..65535",
                                                                                           file, path, i);
        return 0;
}

static int check_pins(const json_t *v, const char *file, const char *path, cj_error *err) {
        if (!json_is_object(v))
                return bad(err, file, path, "expected an object {\"host\": \"address\"}");
        if (json_object_size(v) > CJ_PROFILE_LIST_MAX)
                return cj_error_set(err, E2BIG, "%s: %s: more than %u entries", file, path, CJ_PROFILE_LIST_MAX);
        const char *k;
        const json_t *a;
        json_object_foreach((json_t *) v, k, a) {
                char host[CJ_NET_HOST_BUF];
                bool ip = false;
                const char *why = NULL;
                struct sockaddr_storage ss;
                socklen_t len;
                if (cj_net_host_normalize(k, strlen(k), host, &ip, &why) < 0)
                        return cj_error_set(err, EINVAL, "%s: %s.%s: not a host name: %s", file, path, k, why);
                if (!json_is_string(a) || cj_net_addr_parse(json_string_value(a), &ss, &len) < 0)
                        return cj_error_set(err, EINVAL, "%s: %s.%s: expected an IPv4 or IPv6 address", file, path, k);
        }
        return 0;
}

static int check_object(const json_t *obj, const keyspec *keys, const char *file, const char *prefix, cj_error *err) {
        const char *key;
        const json_t *v;
        json_object_foreach((json_t *) obj, key, v) {
                char path[512];
                snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", key);
                const keyspec *k = keys;
                while (k->name && strcmp(k->name, key) != 0)
                        k++;
                if (!k->name)
                        return bad(err, file, path, "unknown key");
                int r = 0;
                switch (k->type) {
                case K_STR:
                        if (!json_is_string(v))
                                return bad(err, file, path, "expected a string");
                        if (k->choices && !in_choices(k->choices, json_string_value(v)))
                                return cj_error_set(err, EINVAL, "%s: %s: unknown value '%s'", file, path,
                                                    json_string_value(v));
                        break;
                case K_BOOL:
                        if (!json_is_boolean(v))
                                return bad(err, file, path, "expected true or false");
                        break;
                case K_INT:
                        if (!json_is_integer(v) || json_integer_value(v) < 0)
                                return bad(err, file, path, "expected an integer >= 0");
                        if (k->max > 0 && json_integer_value(v) > (json_int_t) k->max)
                                return cj_error_set(err, ERANGE, "%s: %s: %" JSON_INTEGER_FORMAT
                                                    " is above the maximum %.0f", file, path,
                                                    json_integer_value(v), k->max);
                        break;
                case K_NUM:
                        if (!json_is_number(v) || json_number_value(v) < 0)
                                return bad(err, file, path, "expected a number >= 0");
                        if (k->max > 0 && json_number_value(v) > k->max)
                                return cj_error_set(err, ERANGE, "%s: %s: %g is above the maximum %.0f", file, path,
                                                    json_number_value(v), k->max);
                        break;
                case K_STRLIST:
                        r = check_strlist(v, k, file, path, err);
                        break;
                case K_OBJ:
                        if (!json_is_object(v))
                                return bad(err, file, path, "expected an object");
                        r = check_object(v, k->children, file, path, err);
                        break;
                case K_RULES:
                        r = check_rules(v, file, path, err);
                        break;
                case K_HOSTS:
                        r = check_hosts(v, file, path, err);
                        break;
                case K_PORTS:
                        r = check_ports(v, file, path, err);
                        break;
                case K_PINS:
                        r = check_pins(v, file, path, err);
                        break;
                case K_STRMAP: {
                        if (!json_is_object(v))
                                return bad(err, file, path, "expected an object of strings");
                        const char *mk;
                        const json_t *mv;
                        json_object_foreach((json_t *) v, mk, mv) {
                                char sub[600];
                                snprintf(sub, sizeof sub, "%s.%s", path, mk);
                                if (!json_is_string(mv))
                                        return bad(err, file, sub, "expected a string");
                                if (!*mk || strchr(mk, '='))
                                        return bad(err, file, sub, "not a valid variable name");
                        }
                        break;
                }
                case K_RUNAS:
                        if (json_is_integer(v)) {
                                if (json_integer_value(v) <= 0 || json_integer_value(v) >= 0xFFFFFFFF)
                                        return bad(err, file, path, "expected a uid > 0 (never root)");
                        } else if (json_is_string(v)) {
                                if (strcmp(json_string_value(v), "root") == 0)
                                        return bad(err, file, path, "the sandbox never runs as root");
                        } else
                                return bad(err, file, path, "expected a uid or a user name");
                        break;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

int cj_profile_schema_check(const json_t *doc, const char *file, cj_error *err) {
        if (!json_is_object(doc))
                return cj_error_set(err, EINVAL, "%s: a profile is a JSON object", file);
        return check_object(doc, top_keys, file, "", err);
}

/* ---- expansion ---------------------------------------------------------- */

#define CJ_PROFILE_VALUE_MAX 4096

/* Expand variables in s.  Returns 1 and *out on success, 0 if the value uses
 * an unset variable (drop it), <0 on error. */
static int expand_string(const char *s, const cj_profile_vars *vars, char **out, const char *file, const char *path,
                         cj_error *err) {
        char buf[CJ_PROFILE_VALUE_MAX];
        size_t o = 0;
        while (*s) {
                const char *val = NULL;
                size_t skip = 0;
                if (strncmp(s, "${", 2) == 0) {
                        const char *end = strchr(s, '}');
                        if (!end)
                                return cj_error_set(err, EINVAL, "%s: %s: unterminated ${", file, path);
                        size_t n = (size_t) (end - s - 2);
                        if (n == 3 && strncmp(s + 2, "CWD", 3) == 0)
                                val = vars ? vars->cwd : NULL;
                        else if (n == 4 && strncmp(s + 2, "HOME", 4) == 0)
                                val = vars ? vars->home : NULL;
                        else if (n == 8 && strncmp(s + 2, "TASK_DIR", 8) == 0)
                                val = vars ? vars->task_dir : NULL;
                        else
                                return cj_error_set(err, EINVAL,
                                                    "%s: %s: unknown variable ${%.*s} (known: CWD, HOME, TASK_DIR)",
                                                    file, path, (int) n, s + 2);
                        if (!val)
                                return 0;
                        skip = n + 3;
                }
                const char *piece = val ? val : s;
                size_t plen = val ? strlen(val) : 1;
                if (o + plen >= sizeof buf)
                        return cj_error_set(err, E2BIG, "%s: %s: value longer than %d bytes", file, path,
                                            CJ_PROFILE_VALUE_MAX);
                memcpy(buf + o, piece, plen);
                o += plen;
                s += val ? skip : 1;
        }
        buf[o] = '\0';
        *out = strdup(buf);
        return *out ? 1 : -ENOMEM;
}

/* Normalize an absolute path; a "**" component and what follows is kept as is. */
static int normalize_path(char **p, const char *file, const char *path, cj_error *err) {
        if ((*p)[0] != '/')
                return cj_error_set(err, EINVAL, "%s: %s: '%s' is not an absolute path", file, path, *p);
        char *glob = strstr(*p, "/**/");
        _cleanup_free_ char *tail = NULL;
        if (glob) {
                tail = strdup(glob);
                if (!tail)
                        return -ENOMEM;
                *glob = '\0';
        }
        char *n = cj_path_normalize(**p ? *p : "/");
        if (!n)
                return -ENOMEM;
        if (tail) {
                char *j = malloc(strlen(n) + strlen(tail) + 1);
                if (!j) {
                        free(n);
                        return -ENOMEM;
                }
                strcpy(j, strcmp(n, "/") == 0 ? "" : n);
                strcat(j, tail);
                free(n);
                n = j;
        }
        free(*p);
        *p = n;
        return 0;
}

/* Expand one entry and append it to out (dropped if it uses an unset variable). */
static int expand_into(json_t *out, const char *value, const cj_profile_vars *vars, bool paths, const char *file,
                       const char *sub, cj_error *err) {
        _cleanup_free_ char *v = NULL;
        int r = expand_string(value, vars, &v, file, sub, err);
        if (r <= 0)
                return r;
        if (paths && (r = normalize_path(&v, file, sub, err)) < 0)
                return r;
        return json_array_append_new(out, json_string(v)) < 0 ? -ENOMEM : 0;
}

/* A pattern of filesystem.deny, deny_except or protect (util/pathpat.h),
 * before its variables are expanded: '*' means something only at the end of
 * a "**" pattern's last component, after at least one character of it, and
 * "**" only once, between two components.  Anywhere else the matcher and the
 * plan's scan would take it for a literal name, and the entry would mask or
 * protect nothing while the profile seemed to (".env*" + "/", "X/" + "**"). */
static int check_pattern(const char *pat, const char *file, const char *path, cj_error *err) {
        const char *glob = strstr(pat, "/**/"), *tail = glob ? glob + 4 : NULL;
        const char *why = NULL;
        size_t n = strlen(pat);
        if (n >= 3 && strcmp(pat + n - 3, "/**") == 0)
                why = "ends in \"/**\": name the directory itself, which covers everything below it";
        else if (!glob && strchr(pat, '*'))
                why = "has a '*' outside a \"**\" pattern: '*' only ends one (DIR/**/NAME*)";
        else if (glob && (memchr(pat, '*', (size_t) (glob - pat)) || strstr(tail, "**")))
                why = "has a '*' before its \"**\" or a second \"**\": one \"**\", then names";
        else if (glob) {
                const char *star = strchr(tail, '*'), *last = strrchr(tail, '/');
                last = last ? last + 1 : tail;
                if (star && (star[1] != '\0' || star == last))
                        why = star[1] == '/' && star[2] == '\0'
                                      ? "ends in \"*/\": a name prefix cannot name a directory to create"
                                      : "has a '*' that does not end its last name after one character or more "
                                        "(DIR/**/NAME*)";
        }
        return why ? cj_error_set(err, EINVAL, "%s: %s: '%s' %s", file, path, pat, why) : 0;
}

/* patterns: the list holds path patterns (check_pattern).  twice_home: entries
 * using ${HOME} are expanded with vars->home_also too. */
static int expand_list(json_t *list, const cj_profile_vars *vars, bool paths, bool patterns, bool twice_home,
                       const char *file, const char *path, cj_error *err) {
        _cleanup_json_ json_t *out = json_array();
        if (!out)
                return -ENOMEM;
        cj_profile_vars also = { 0 };
        if (vars && vars->home_also) {
                also = *vars;
                also.home = vars->home_also;
        }
        size_t i;
        json_t *e;
        json_array_foreach(list, i, e) {
                char sub[600];
                snprintf(sub, sizeof sub, "%s[%zu]", path, i);
                const char *value = json_string_value(e);
                int r = patterns ? check_pattern(value, file, sub, err) : 0;
                if (r >= 0)
                        r = expand_into(out, value, vars, paths, file, sub, err);
                if (r >= 0 && twice_home && also.home && strstr(value, "${HOME}"))
                        r = expand_into(out, value, &also, paths, file, sub, err);
                if (r < 0)
                        return r;
        }
        json_array_clear(list);
        json_array_extend(list, out);
        return 0;
}

/* Host patterns and pinned names in their normalized form, so that merging
 * and matching compare like with like (the schema check accepted them). */
static int normalize_egress(json_t *doc) {
        json_t *eg = json_object_get(doc, "egress");
        static const char *const lists[] = { "allow", "deny" };
        for (size_t l = 0; l < CJ_ARRAY_SIZE(lists); l++) {
                json_t *list = json_object_get(eg, lists[l]);
                size_t i;
                json_t *e;
                json_array_foreach(list, i, e) {
                        _cleanup_free_ char *norm = NULL;
                        const char *why;
                        if (cj_net_pattern_normalize(json_string_value(e), &norm, &why) < 0 || json_string_set(e, norm) < 0)
                                return -ENOMEM;
                }
        }
        json_t *pins = json_object_get(eg, "resolve");
        if (pins) {
                _cleanup_json_ json_t *out = json_object();
                const char *k;
                json_t *a;
                json_object_foreach(pins, k, a) {
                        char host[CJ_NET_HOST_BUF];
                        bool ip;
                        const char *why;
                        if (!out || cj_net_host_normalize(k, strlen(k), host, &ip, &why) < 0 ||
                            json_object_set(out, host, a) < 0)
                                return -ENOMEM;
                }
                json_object_set(eg, "resolve", out);
        }
        return 0;
}

int cj_profile_expand(json_t *doc, const cj_profile_vars *vars, const char *file, cj_error *err) {
        if (normalize_egress(doc) < 0)
                return cj_error_set(err, ENOMEM, "out of memory");
        json_t *fs = json_object_get(doc, "filesystem");
        if (fs) {
                const char *key;
                json_t *list;
                json_object_foreach(fs, key, list) {
                        char path[64];
                        snprintf(path, sizeof path, "filesystem.%s", key);
                        /* Masking and protection cover the invoking user's home as well. */
                        bool twice = strcmp(key, "deny") == 0 || strcmp(key, "protect") == 0;
                        bool patterns = twice || strcmp(key, "deny_except") == 0;
                        int r = expand_list(list, vars, true, patterns, twice, file, path, err);
                        if (r < 0)
                                return r;
                }
        }
        json_t *set = json_object_get(json_object_get(doc, "env"), "set");
        if (set) {
                const char *key;
                json_t *v;
                void *tmp;
                json_object_foreach_safe(set, tmp, key, v) {
                        char path[300];
                        snprintf(path, sizeof path, "env.set.%s", key);
                        _cleanup_free_ char *s = NULL;
                        int r = expand_string(json_string_value(v), vars, &s, file, path, err);
                        if (r < 0)
                                return r;
                        if (r == 0)
                                json_object_del(set, key);
                        else
                                json_string_set(v, s);
                }
        }
        return 0;
}

int cj_profile_ruleset_check(const json_t *doc, const char *file, cj_error *err) {
        if (!json_is_object(doc))
                return cj_error_set(err, EINVAL, "%s: expected an object {\"description\": ..., \"rules\": [...]}", file);
        int r = check_object(doc, ruleset_keys, file, "", err);
        if (r < 0)
                return r;
        if (!json_object_get(doc, "rules"))
                return cj_error_set(err, EINVAL, "%s: rules: missing", file);
        return 0;
}
