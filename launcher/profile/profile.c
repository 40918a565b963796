/* SPDX-License-Identifier: MIT */
#include "profile.h"

#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "config.h"
#include "schema.h"
#include "util/cleanup.h"
#include "util/srcdir.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/sha256.h"

const char *cj_verdict_name(cj_verdict v) {
        switch (v) {
        case CJ_VERDICT_ALLOW:
                return "allow";
        case CJ_VERDICT_ASK:
                return "ask";
        case CJ_VERDICT_DENY:
                return "deny";
        }
        return "deny"; /* not a verdict: say the strictest */
}

int cj_verdict_parse(const char *s) {
        if (strcmp(s, "allow") == 0)
                return CJ_VERDICT_ALLOW;
        if (strcmp(s, "ask") == 0)
                return CJ_VERDICT_ASK;
        if (strcmp(s, "deny") == 0)
                return CJ_VERDICT_DENY;
        return -EINVAL;
}

const char *cj_net_mode_name(cj_net_mode m) {
        return m == CJ_NET_HOST ? "host" : m == CJ_NET_LOOPBACK ? "loopback" : m == CJ_NET_PROXY ? "proxy" : "none";
}

bool cj_net_mode_narrows(cj_net_mode from, cj_net_mode to) {
        return to == from || to == CJ_NET_NONE || from == CJ_NET_HOST;
}

int cj_net_mode_parse(const char *s) {
        if (strcmp(s, "none") == 0)
                return CJ_NET_NONE;
        if (strcmp(s, "loopback") == 0)
                return CJ_NET_LOOPBACK;
        if (strcmp(s, "host") == 0)
                return CJ_NET_HOST;
        if (strcmp(s, "proxy") == 0)
                return CJ_NET_PROXY;
        return -EINVAL;
}

/* Search path, most specific first.  Built once per call; small. */
static int search_dirs(cj_strv *out) {
        const char *env = getenv("CLAWJAIL_PROFILE_PATH");
        if (env && *env) {
                _cleanup_free_ char *copy = strdup(env);
                if (!copy)
                        return -ENOMEM;
                char *save = NULL;
                for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
                        if (cj_strv_push(out, d) < 0)
                                return -ENOMEM;
        }
        /* /etc/clawjail is where the SPEC and the docs send operators; an install
         * under /usr/local also reads its own sysconfdir (/usr/local/etc/clawjail). */
        if (cj_strv_push(out, "/etc/clawjail/profiles") < 0 ||
            (strcmp(CJ_SYSCONFDIR, "/etc/clawjail") != 0 && cj_strv_push(out, CJ_SYSCONFDIR "/profiles") < 0) ||
            cj_strv_push(out, CJ_DATADIR "/profiles") < 0)
                return -ENOMEM;
        const char *src = cj_source_tree(); /* run uninstalled from a build dir */
        if (src) {
                char *d = cj_path_join(src, "profiles");
                if (!d || cj_strv_push_take(out, d) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static bool valid_name(const char *name) {
        size_t n = strlen(name);
        if (n == 0 || n > CJ_PROFILE_NAME_MAX || name[0] == '.')
                return false;
        for (size_t i = 0; i < n; i++)
                if (!(name[i] == '-' || name[i] == '_' || name[i] == '.' || (name[i] >= '0' && name[i] <= '9') ||
                      (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z')))
                        return false;
        return true;
}

static bool is_path(const char *s) {
        size_t n = strlen(s);
        return strchr(s, '/') || (n > 5 && strcmp(s + n - 5, ".json") == 0);
}

int cj_profile_find(const char *name, char **out, cj_error *err) {
        if (is_path(name)) {
                if (access(name, R_OK) < 0)
                        return cj_error_seterrno(err, errno, "profile %s", name);
                *out = strdup(name);
                return *out ? 0 : -ENOMEM;
        }
        if (!valid_name(name))
                return cj_error_set(err, EINVAL, "invalid profile name '%s'", name);
        _cleanup_strv_ cj_strv dirs = NULL;
        if (search_dirs(&dirs) < 0)
                return cj_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; dirs[i]; i++) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/%s.json", dirs[i], name) < 0)
                        return -ENOMEM;
                if (access(p, R_OK) == 0) {
                        *out = TAKE_PTR(p);
                        return 0;
                }
        }
        return cj_error_set(err, ENOENT,
                            "no profile named '%s' (searched $CLAWJAIL_PROFILE_PATH, /etc/clawjail/profiles, "
                            "%s/profiles, %s/profiles%s%s%s; see 'clawjail profile list')",
                            name, CJ_SYSCONFDIR, CJ_DATADIR, cj_source_tree() ? ", " : "",
                            cj_source_tree() ? cj_source_tree() : "", cj_source_tree() ? "/profiles" : "");
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int cj_profile_list(cj_strv *out, cj_error *err) {
        _cleanup_strv_ cj_strv dirs = NULL, names = NULL;
        if (search_dirs(&dirs) < 0)
                return cj_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; dirs[i]; i++) {
                _cleanup_closedir_ DIR *d = opendir(dirs[i]);
                if (!d)
                        continue;
                struct dirent *de;
                while ((de = readdir(d))) {
                        size_t n = strlen(de->d_name);
                        if (n <= 5 || strcmp(de->d_name + n - 5, ".json") != 0)
                                continue;
                        _cleanup_free_ char *name = strndup(de->d_name, n - 5);
                        if (!name || !valid_name(name) || cj_strv_contains(names, name))
                                continue;
                        if (cj_strv_push_take(&names, TAKE_PTR(name)) < 0)
                                return -ENOMEM;
                }
        }
        if (names)
                qsort(names, cj_strv_len(names), sizeof *names, cmp_str);
        *out = TAKE_PTR(names);
        return 0;
}

/* Parse and check one file (no extends resolution). */
static int load_doc(const char *text, size_t len, const char *file, json_t **out, cj_error *err) {
        json_error_t je;
        json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
        if (!doc)
                return cj_error_set(err, EINVAL, "%s:%d:%d: invalid JSON: %s", file, je.line, je.column, je.text);
        int r = cj_profile_schema_check(doc, file, err);
        if (r < 0) {
                json_decref(doc);
                return r;
        }
        *out = doc;
        return 0;
}

/* What one load reads: the extends chain (cycle check) and, when src is not
 * NULL, every file with its digest (cache.h). */
typedef struct load_ctx {
        cj_strv chain;
        cj_profile_sources *src;
} load_ctx;

static int resolve(const char *text, size_t len, const char *file, const cj_profile_vars *vars, unsigned depth,
                   load_ctx *ctx, json_t **out, cj_error *err);

/* A rule set named by validation.include: NAME is looked up as rules/NAME.json
 * in the profile search path; a value with '/' or ending in .json is a path,
 * relative ones taken from the including file's directory. */
int cj_profile_find_ruleset(const char *name, const char *file, char **out, cj_error *err) {
        if (is_path(name)) {
                const char *slash = strrchr(file, '/');
                if (name[0] != '/' && slash) {
                        if (asprintf(out, "%.*s/%s", (int) (slash - file), file, name) < 0)
                                return -ENOMEM;
                } else if (!(*out = strdup(name)))
                        return -ENOMEM;
                if (access(*out, R_OK) < 0)
                        return cj_error_seterrno(err, errno, "%s: validation.include: %s", file, *out);
                return 0;
        }
        if (!valid_name(name))
                return cj_error_set(err, EINVAL, "%s: validation.include: invalid rule-set name '%s'", file, name);
        _cleanup_strv_ cj_strv dirs = NULL;
        if (search_dirs(&dirs) < 0)
                return -ENOMEM;
        for (size_t i = 0; dirs[i]; i++) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/rules/%s.json", dirs[i], name) < 0)
                        return -ENOMEM;
                if (access(p, R_OK) == 0) {
                        *out = TAKE_PTR(p);
                        return 0;
                }
        }
        return cj_error_set(err, ENOENT, "%s: validation.include: no rule set named '%s' (looked for rules/%s.json "
                            "next to the profiles on the search path)", file, name, name);
}

/* Replace validation.rules by the included sets' rules followed by the
 * profile's own, so an include behaves exactly like rules written in place
 * (narrowing checks, order, the profile's sha256 all see them). */
static int expand_includes(json_t *doc, const char *file, load_ctx *ctx, cj_error *err) {
        json_t *val = json_object_get(doc, "validation");
        const json_t *inc = json_object_get(val, "include");
        if (!inc || json_array_size(inc) == 0)
                return 0;
        _cleanup_json_ json_t *rules = json_array();
        if (!rules)
                return -ENOMEM;
        size_t i;
        const json_t *e;
        json_array_foreach(inc, i, e) {
                _cleanup_free_ char *path = NULL, *text = NULL;
                size_t len = 0;
                int r = cj_profile_find_ruleset(json_string_value(e), file, &path, err);
                if (r < 0)
                        return r;
                cj_profile_file_sig sig;
                bool settled = false;
                r = cj_profile_read_source(path, &text, &len, &sig, &settled, err);
                if (r < 0)
                        return r;
                if (ctx->src && cj_profile_sources_add(ctx->src, true, json_string_value(e), file, path, text, len,
                                                       &sig, settled) < 0)
                        return -ENOMEM;
                json_error_t je;
                _cleanup_json_ json_t *set = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
                if (!set)
                        return cj_error_set(err, EINVAL, "%s:%d:%d: invalid JSON: %s", path, je.line, je.column,
                                            je.text);
                r = cj_profile_ruleset_check(set, path, err);
                if (r < 0)
                        return r;
                if (json_array_extend(rules, json_object_get(set, "rules")) < 0)
                        return -ENOMEM;
        }
        const json_t *own = json_object_get(val, "rules");
        if (own && json_array_extend(rules, (json_t *) own) < 0)
                return -ENOMEM;
        if (json_array_size(rules) > CJ_PROFILE_RULES_MAX)
                return cj_error_set(err, E2BIG, "%s: validation: more than %u rules with the included sets", file,
                                    CJ_PROFILE_RULES_MAX);
        return json_object_set(val, "rules", rules) < 0 ? -ENOMEM : 0;
}

static int resolve_file(const char *name, const cj_profile_vars *vars, unsigned depth, load_ctx *ctx, json_t **out,
                        char **path_out, cj_error *err) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        size_t len = 0;
        int r = cj_profile_find(name, &path, err);
        if (r < 0)
                return r;
        if (cj_strv_contains(ctx->chain, path))
                return cj_error_set(err, ELOOP, "%s: extends cycle", path);
        cj_profile_file_sig sig;
        bool settled = false;
        r = cj_profile_read_source(path, &text, &len, &sig, &settled, err);
        if (r < 0)
                return r;
        if (cj_strv_push(&ctx->chain, path) < 0 ||
            (ctx->src && cj_profile_sources_add(ctx->src, false, name, NULL, path, text, len, &sig, settled) < 0))
                return -ENOMEM;
        r = resolve(text, len, path, vars, depth, ctx, out, err);
        if (r >= 0 && path_out)
                *path_out = TAKE_PTR(path);
        return r;
}

static int resolve(const char *text, size_t len, const char *file, const cj_profile_vars *vars, unsigned depth,
                   load_ctx *ctx, json_t **out, cj_error *err) {
        if (depth > CJ_PROFILE_EXTENDS_MAX)
                return cj_error_set(err, ELOOP, "%s: extends chain deeper than %d", file, CJ_PROFILE_EXTENDS_MAX);
        _cleanup_json_ json_t *doc = NULL;
        int r = load_doc(text, len, file, &doc, err);
        if (r < 0)
                return r;
        r = cj_profile_expand(doc, vars, file, err);
        if (r < 0)
                return r;
        r = expand_includes(doc, file, ctx, err);
        if (r < 0)
                return r;
        const char *ext = json_string_value(json_object_get(doc, "extends"));
        if (!ext) {
                cj_profile_fill_defaults(doc);
                json_object_del(doc, "widen");
                *out = TAKE_PTR(doc);
                return 0;
        }
        _cleanup_json_ json_t *parent = NULL;
        r = resolve_file(ext, vars, depth + 1, ctx, &parent, NULL, err);
        if (r < 0)
                return cj_error_prefix(err, "%s: extends \"%s\": ", file, ext);
        json_t *merged = NULL;
        r = cj_profile_merge(parent, doc, file, &merged, err);
        if (r < 0)
                return r;
        json_object_del(merged, "extends");
        json_object_del(merged, "widen");
        *out = merged;
        return 0;
}

/* ---- conversion to the struct ------------------------------------------ */

static int to_strv(const json_t *list, cj_strv *out) {
        size_t i;
        const json_t *e;
        json_array_foreach(list, i, e) if (cj_strv_push(out, json_string_value(e)) < 0) return -ENOMEM;
        return 0;
}

/* The schema checked the array: at most CJ_NET_PORTS_MAX ports in 1..65535. */
static size_t to_ports(const json_t *list, uint16_t *out) {
        size_t i, n = 0;
        const json_t *e;
        json_array_foreach(list, i, e) if (n < CJ_NET_PORTS_MAX) out[n++] = (uint16_t) json_integer_value(e);
        return n;
}

static int64_t int_or_unlimited(const json_t *obj, const char *key) {
        const json_t *v = json_object_get(obj, key);
        /* The schema admitted only integers (a double would round above 2^53). */
        return v ? (int64_t) json_integer_value(v) : CJ_PROFILE_UNLIMITED;
}

int cj_limit_scale(int64_t v, int64_t scale, int64_t *out) {
        if (v < 0 || scale < 0 || __builtin_mul_overflow(v, scale, out))
                return -EOVERFLOW;
        return 0;
}

int64_t cj_limit_ms(int64_t seconds) {
        int64_t ms;
        return cj_limit_scale(seconds, 1000, &ms) < 0 ? INT64_MAX : ms;
}

static double num_or_unlimited(const json_t *obj, const char *key) {
        const json_t *v = json_object_get(obj, key);
        return v ? json_number_value(v) : (double) CJ_PROFILE_UNLIMITED;
}

static int sha256_hex(const char *data, size_t len, char **out) {
        char *hex = malloc(CJ_SHA256_HEX_LEN + 1);
        if (!hex)
                return -ENOMEM;
        cj_sha256_hex(data, len, hex);
        *out = hex;
        return 0;
}

int cj_profile_resolve_run_as(const json_t *v, cj_profile *p, const char *file, cj_error *err) {
        if (json_is_integer(v)) {
                p->run_as_uid = (uid_t) json_integer_value(v);
                struct passwd *pw = getpwuid(p->run_as_uid);
                p->run_as_gid = pw ? pw->pw_gid : (gid_t) p->run_as_uid;
                return 0;
        }
        const char *name = json_string_value(v);
        struct passwd *pw = getpwnam(name);
        if (!pw) {
                if (strcmp(name, "nobody") == 0) { /* no passwd entry: the conventional overflow ids */
                        p->run_as_uid = 65534;
                        p->run_as_gid = 65534;
                        return 0;
                }
                return cj_error_set(err, EINVAL, "%s: run_as: no user named '%s'", file, name);
        }
        if (pw->pw_uid == 0)
                return cj_error_set(err, EINVAL, "%s: run_as: '%s' is uid 0; the sandbox never runs as root", file,
                                    name);
        p->run_as_uid = pw->pw_uid;
        p->run_as_gid = pw->pw_gid;
        return 0;
}

static int convert(json_t *res, const char *file, cj_profile *p, cj_error *err) {
        const json_t *fs = json_object_get(res, "filesystem");
        if (to_strv(json_object_get(fs, "ro"), &p->fs_ro) < 0 || to_strv(json_object_get(fs, "rw"), &p->fs_rw) < 0 ||
            to_strv(json_object_get(fs, "tmpfs"), &p->fs_tmpfs) < 0 ||
            to_strv(json_object_get(fs, "deny"), &p->fs_deny) < 0 ||
            to_strv(json_object_get(fs, "deny_except"), &p->fs_deny_except) < 0 ||
            to_strv(json_object_get(fs, "protect"), &p->fs_protect) < 0)
                return -ENOMEM;
        const char *d = json_string_value(json_object_get(res, "description"));
        if (d && !(p->description = strdup(d)))
                return -ENOMEM;
        p->network = (cj_net_mode) cj_net_mode_parse(json_string_value(json_object_get(res, "network")));
        p->network_widen = strcmp(json_string_value(json_object_get(res, "network_override")), "any") == 0;
        if (!(p->seccomp = strdup(json_string_value(json_object_get(res, "seccomp")))))
                return -ENOMEM;
        const json_t *eg = json_object_get(res, "egress");
        if (to_strv(json_object_get(eg, "allow"), &p->egress.allow) < 0 ||
            to_strv(json_object_get(eg, "deny"), &p->egress.deny) < 0)
                return -ENOMEM;
        p->egress.n_ports = to_ports(json_object_get(eg, "ports"), p->egress.ports);
        p->n_loopback_ports = to_ports(json_object_get(res, "loopback_ports"), p->loopback_ports);
        const char *pk;
        const json_t *pv;
        json_object_foreach(json_object_get(eg, "resolve"), pk, pv) {
                char *kv = NULL;
                if (asprintf(&kv, "%s=%s", pk, json_string_value(pv)) < 0 || cj_strv_push_take(&p->egress.resolve, kv) < 0)
                        return -ENOMEM;
        }

        const json_t *l = json_object_get(res, "limits");
        p->limits = (cj_limits){
                .memory_mb = int_or_unlimited(l, "memory_mb"),
                .pids = int_or_unlimited(l, "pids"),
                .cpu_s = int_or_unlimited(l, "cpu_s"),
                .wall_s = int_or_unlimited(l, "wall_s"),
                .fsize_mb = int_or_unlimited(l, "fsize_mb"),
                .nofile = int_or_unlimited(l, "nofile"),
                .output_bytes = int_or_unlimited(l, "output_bytes"),
                .scratch_mb = int_or_unlimited(l, "scratch_mb"),
        };
        const json_t *b = json_object_get(res, "budget");
        p->budget = (cj_budget){
                .calls = int_or_unlimited(b, "calls"),
                .wall_s = num_or_unlimited(b, "wall_s"),
                .cpu_s = num_or_unlimited(b, "cpu_s"),
                .output_bytes = int_or_unlimited(b, "output_bytes"),
                .tokens = int_or_unlimited(b, "tokens"),
                .cost_usd = num_or_unlimited(b, "cost_usd"),
                .repeat_limit = int_or_unlimited(b, "repeat_limit"),
                .stall_limit = int_or_unlimited(b, "stall_limit"),
                .net_bytes = int_or_unlimited(b, "net_bytes"),
        };

        const json_t *v = json_object_get(res, "validation");
        p->validation_default = (cj_verdict) cj_verdict_parse(json_string_value(json_object_get(v, "default")));
        const json_t *rules = json_object_get(v, "rules");
        p->n_rules = json_array_size(rules);
        if (p->n_rules && !(p->rules = calloc(p->n_rules, sizeof *p->rules)))
                return -ENOMEM;
        for (size_t i = 0; i < p->n_rules; i++) {
                const json_t *r = json_array_get(rules, i);
                p->rules[i].verdict = (cj_verdict) cj_verdict_parse(json_string_value(json_object_get(r, "verdict")));
                if (to_strv(json_object_get(r, "match"), &p->rules[i].match) < 0)
                        return -ENOMEM;
        }
        if (to_strv(json_object_get(v, "off"), &p->validators_off) < 0)
                return -ENOMEM;

        const json_t *env = json_object_get(res, "env");
        if (to_strv(json_object_get(env, "keep"), &p->env_keep) < 0)
                return -ENOMEM;
        const char *key;
        const json_t *val;
        json_object_foreach(json_object_get(env, "set"), key, val) {
                char *kv = NULL;
                if (asprintf(&kv, "%s=%s", key, json_string_value(val)) < 0 || cj_strv_push_take(&p->env_set, kv) < 0)
                        return -ENOMEM;
        }
        int r = cj_profile_resolve_run_as(json_object_get(res, "run_as"), p, file, err);
        if (r < 0)
                return r;

        _cleanup_free_ char *canon = json_dumps(res, JSON_COMPACT | JSON_SORT_KEYS);
        if (!canon || sha256_hex(canon, strlen(canon), &p->sha256) < 0)
                return -ENOMEM;
        p->resolved = json_incref(res);
        return 0;
}

static char *name_from_path(const char *path) {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        size_t n = strlen(base);
        if (n > 5 && strcmp(base + n - 5, ".json") == 0)
                n -= 5;
        return strndup(base, n);
}

static int finish(json_t *res, const char *path, cj_profile **out, cj_error *err) {
        cj_profile *p = calloc(1, sizeof *p);
        if (!p)
                return cj_error_set(err, ENOMEM, "out of memory");
        int r = convert(res, path, p, err);
        if (r >= 0 && (!(p->path = strdup(path)) || !(p->name = name_from_path(path))))
                r = -ENOMEM;
        if (r < 0) {
                cj_profile_free(p);
                return r == -ENOMEM ? cj_error_set(err, ENOMEM, "out of memory") : r;
        }
        *out = p;
        return 0;
}

int cj_profile_load_recorded(const char *name_or_path, const cj_profile_vars *vars, cj_profile_sources *src,
                             cj_profile **out, cj_error *err) {
        load_ctx ctx = { .src = src };
        _cleanup_json_ json_t *res = NULL;
        _cleanup_free_ char *path = NULL;
        int r = resolve_file(name_or_path, vars, 0, &ctx, &res, &path, err);
        cj_strv_free(ctx.chain);
        if (r < 0)
                return r;
        return finish(res, path, out, err);
}

int cj_profile_load(const char *name_or_path, const cj_profile_vars *vars, cj_profile **out, cj_error *err) {
        return cj_profile_load_recorded(name_or_path, vars, NULL, out, err);
}

int cj_profile_load_string(const char *text, const char *filename, const cj_profile_vars *vars, cj_profile **out,
                           cj_error *err) {
        load_ctx ctx = { 0 };
        _cleanup_json_ json_t *res = NULL;
        int r = resolve(text, strlen(text), filename, vars, 0, &ctx, &res, err);
        cj_strv_free(ctx.chain);
        if (r < 0)
                return r;
        return finish(res, filename, out, err);
}

void cj_profile_drop_resolved(cj_profile *p) {
        json_decref(p->resolved);
        p->resolved = NULL;
}

void cj_profile_free(cj_profile *p) {
        if (!p)
                return;
        if (p->cached) { /* every string and vector is in one of the two blocks */
                free(p->cached);
                free(p->cached_slots);
                free(p->rules);
                json_decref(p->resolved);
                free(p);
                return;
        }
        free(p->name);
        free(p->path);
        free(p->description);
        free(p->sha256);
        free(p->seccomp);
        cj_strv_free(p->fs_ro);
        cj_strv_free(p->fs_rw);
        cj_strv_free(p->fs_tmpfs);
        cj_strv_free(p->fs_deny);
        cj_strv_free(p->fs_deny_except);
        cj_strv_free(p->fs_protect);
        cj_strv_free(p->egress.allow);
        cj_strv_free(p->egress.deny);
        cj_strv_free(p->egress.resolve);
        for (size_t i = 0; i < p->n_rules; i++)
                cj_strv_free(p->rules[i].match);
        free(p->rules);
        cj_strv_free(p->validators_off);
        cj_strv_free(p->env_keep);
        cj_strv_free(p->env_set);
        json_decref(p->resolved);
        free(p);
}

const char *cj_profile_env_get(const cj_profile *p, const char *name) {
        size_t n = strlen(name);
        for (size_t i = 0; p->env_set && p->env_set[i]; i++)
                if (strncmp(p->env_set[i], name, n) == 0 && p->env_set[i][n] == '=')
                        return p->env_set[i] + n + 1;
        return NULL;
}

const char *cj_profile_home_for(const char *workspace, char *buf) {
        uid_t who = getuid();
        const char *env = getenv("HOME");
        struct stat st;
        if (geteuid() == 0 && workspace && stat(workspace, &st) == 0)
                who = st.st_uid;
        const char *home = NULL;
        if (who == getuid() && env && env[0] == '/')
                home = env;
        else {
                struct passwd *pw = getpwuid(who);
                home = pw && pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
        }
        if (!home || strlen(home) >= CJ_PROFILE_HOME_MAX)
                return NULL;
        return strcpy(buf, home);
}

cj_profile_vars cj_profile_vars_for(const char *workspace, char *homebuf) {
        cj_profile_vars v = { .cwd = workspace, .home = cj_profile_home_for(workspace, homebuf) };
        const char *mine = getenv("HOME");
        if (mine && mine[0] == '/' && (!v.home || strcmp(mine, v.home) != 0))
                v.home_also = mine;
        return v;
}
