/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Profiles: JSON policy files (docs/profiles.md).  Loading resolves `extends`
 * (a child may only narrow what its parent grants unless it lists the section
 * in "widen"), expands ${CWD} ${HOME} ${TASK_DIR}, and rejects unknown keys and
 * wrong types naming the file and the key path.  The result is plain data:
 * every later stage reads a cj_profile and nothing else.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/err.h"

#define CJ_PROFILE_FILE_MAX (1u << 20) /* bytes of one profile file */
#define CJ_PROFILE_EXTENDS_MAX 8       /* depth of an extends chain */
#define CJ_PROFILE_LIST_MAX 256        /* entries in any list (paths, rules, env names) */
#define CJ_PROFILE_RULES_MAX 1024      /* rules of one profile file with its validation.include sets */
#define CJ_PROFILE_NAME_MAX 64
#define CJ_PROFILE_UNLIMITED (-1)

typedef enum cj_verdict {
        CJ_VERDICT_ALLOW = 0,
        CJ_VERDICT_ASK = 1,
        CJ_VERDICT_DENY = 2,
} cj_verdict;

typedef enum cj_net_mode {
        CJ_NET_NONE = 0,     /* own netns, lo up */
        CJ_NET_LOOPBACK = 1, /* own netns, lo up, loopback_ports forwarded to the host's loopback */
        CJ_NET_HOST = 2,     /* host network namespace */
        CJ_NET_PROXY = 3,    /* own netns, lo up, egress only through the launcher's proxy (docs/network.md) */
} cj_net_mode;
/* Not an order: use cj_net_mode_narrows() to compare modes. */

#define CJ_NET_PORTS_MAX 64 /* entries of egress.ports and of loopback_ports */

/* NULL-terminated string vector helpers (owned strings). */
typedef char **cj_strv;
size_t cj_strv_len(char *const *v);
int cj_strv_push(cj_strv *v, const char *s);         /* copies s */
int cj_strv_push_take(cj_strv *v, char *s);          /* takes s */
bool cj_strv_contains(char *const *v, const char *s);
void cj_strv_free(cj_strv v);
static inline void cj_strv_freep(cj_strv *v) {
        cj_strv_free(*v);
}
#define _cleanup_strv_ __attribute__((cleanup(cj_strv_freep)))

/* The largest value each limit and budget key accepts; the schema refuses
 * more, naming file and key.  Chosen so that every product the sandbox and
 * tracker form from them (MiB -> bytes, s -> ms, USD -> micro-USD) fits in
 * 64 bits with room to spare, and each is still beyond any real use. */
#define CJ_LIMIT_MEMORY_MB_MAX (INT64_C(1) << 24)    /* 16 TiB */
#define CJ_LIMIT_PIDS_MAX INT64_C(4194304)           /* the kernel's PID_MAX_LIMIT */
#define CJ_LIMIT_SECONDS_MAX INT64_C(31622400)       /* cpu_s, wall_s: 366 days */
#define CJ_LIMIT_FSIZE_MB_MAX (INT64_C(1) << 30)     /* 1 PiB */
#define CJ_LIMIT_NOFILE_MAX INT64_C(1048576)         /* the kernel's default fs.nr_open */
#define CJ_LIMIT_OUTPUT_BYTES_MAX (INT64_C(1) << 40) /* 1 TiB */
#define CJ_LIMIT_SCRATCH_MB_MAX (INT64_C(1) << 30)   /* 1 PiB: a task's HOME + /tmp */
#define CJ_BUDGET_CALLS_MAX INT64_C(1000000000)
#define CJ_BUDGET_SECONDS_MAX 3.2e9                   /* wall_s, cpu_s: about a century */
#define CJ_BUDGET_OUTPUT_BYTES_MAX (INT64_C(1) << 50) /* 1 PiB */
#define CJ_BUDGET_TOKENS_MAX INT64_C(1000000000000000)
#define CJ_BUDGET_COST_USD_MAX 1e9
#define CJ_BUDGET_REPEAT_MAX INT64_C(1000000) /* repeat_limit, stall_limit */
#define CJ_BUDGET_NET_BYTES_MAX (INT64_C(1) << 50)  /* 1 PiB */

/* v * scale into *out, or -EOVERFLOW (v, scale >= 0). */
int cj_limit_scale(int64_t v, int64_t scale, int64_t *out);

/* A limit in seconds as milliseconds, saturating at INT64_MAX. */
int64_t cj_limit_ms(int64_t seconds);

/* Per-call resource limits (sandbox).  CJ_PROFILE_UNLIMITED where unset. */
typedef struct cj_limits {
        int64_t memory_mb, pids, cpu_s, wall_s, fsize_mb, nofile, output_bytes;
        int64_t scratch_mb; /* a task's HOME + /tmp on disk (tracker/scratch.h) */
} cj_limits;

/* Per-task budget (tracker).  CJ_PROFILE_UNLIMITED (or < 0 for doubles) where unset. */
typedef struct cj_budget {
        int64_t calls;
        double wall_s, cpu_s;
        int64_t output_bytes, tokens;
        double cost_usd;
        int64_t repeat_limit, stall_limit;
        int64_t net_bytes; /* bytes through the egress proxy and loopback forwards, both ways */
} cj_budget;

/* Egress through the proxy (network "proxy"): normalized host patterns
 * (launcher/net/host.h), ports, and pinned addresses "host=address". */
typedef struct cj_egress {
        cj_strv allow, deny;
        cj_strv resolve;
        uint16_t ports[CJ_NET_PORTS_MAX];
        size_t n_ports;
} cj_egress;

/* A validation rule: prefix match on the resolved argv of a simple command.
 * argv[0] matches by basename too ("git" matches "/usr/bin/git"). */
typedef struct cj_rule {
        cj_strv match; /* at least one element */
        cj_verdict verdict;
} cj_rule;

typedef struct cj_profile {
        char *name;        /* "default", or the file's basename for a path */
        char *path;        /* file the leaf was loaded from */
        char *description;
        char *sha256;      /* hex SHA-256 of the resolved profile's canonical JSON */

        /* filesystem: absolute, normalized, expanded paths.  deny/protect entries
         * may start with "**" + "/" below a root ("${CWD}/" + "**" + "/.env") to match
         * at any depth (scan depth CJ_MOUNT_SCAN_DEPTH).  fs_deny_except: paths
         * the deny list names that stay visible (util/pathpat cj_pathpat_masked). */
        cj_strv fs_ro, fs_rw, fs_tmpfs, fs_deny, fs_deny_except, fs_protect;

        cj_net_mode network;
        bool network_widen; /* --net may widen beyond the profile */
        cj_egress egress;
        uint16_t loopback_ports[CJ_NET_PORTS_MAX]; /* host loopback ports forwarded into the sandbox */
        size_t n_loopback_ports;
        char *seccomp;      /* policy name or path */

        cj_limits limits;
        cj_budget budget;

        cj_verdict validation_default;
        cj_rule *rules;
        size_t n_rules;
        cj_strv validators_off;

        cj_strv env_keep; /* names, or prefixes ending in '*' */
        cj_strv env_set;  /* "NAME=value" */

        uid_t run_as_uid; /* used only when started by root */
        gid_t run_as_gid;

        json_t *resolved; /* the fully resolved profile, for `profile show` */

        /* A profile from the resolved-profile cache (cache.c) keeps every
         * string above in `cached` (the entry's bytes) and every list's
         * vector in `cached_slots`, two blocks instead of ~1,300 allocations
         * (each a heap page touched, docs/performance.md): its strings and
         * lists are read-only, and cj_profile_free frees the blocks, not
         * each element.  NULL for a profile loaded from its files. */
        char *cached;
        char **cached_slots;
} cj_profile;

/* Values the ${...} variables expand to.  task_dir may be NULL (then a path
 * using ${TASK_DIR} is dropped). */
typedef struct cj_profile_vars {
        const char *cwd, *home, *task_dir;
        /* Another home whose secrets filesystem.deny and .protect cover too (each
         * entry using ${HOME} is expanded once more with it): the invoking
         * user's, when root runs a call for another user.  NULL: none. */
        const char *home_also;
} cj_profile_vars;

#define CJ_PROFILE_HOME_MAX 4096 /* bytes of the home directory ${HOME} expands to */

/* The directory ${HOME} means for a call in workspace: the home of the user
 * the call is for.  Rootless, the invoking user's ($HOME, else the passwd
 * entry).  As root, the workspace owner's: root's own $HOME when root owns it,
 * else the owner's passwd entry (idmapped writable binds make what the call
 * writes there the owner's; see docs/profiles.md).  Copied into buf (size
 * CJ_PROFILE_HOME_MAX); NULL when there is none (an owner without a passwd
 * entry): then every value using ${HOME} is dropped. */
const char *cj_profile_home_for(const char *workspace, char *buf);

/* The variables for a call in workspace: cwd = workspace, home as above and,
 * when that is not the invoking user's, home_also = the invoking user's
 * ($HOME), so that masking never loses a home it used to cover.  homebuf:
 * CJ_PROFILE_HOME_MAX bytes. */
cj_profile_vars cj_profile_vars_for(const char *workspace, char *homebuf);

/* Find a profile file by name: $CLAWJAIL_PROFILE_PATH (colon-separated),
 * /etc/clawjail/profiles, CJ_SYSCONFDIR/profiles (when it differs: /usr/local/etc/clawjail
 * for a /usr/local install), CJ_DATADIR/profiles, and uninstalled the source
 * tree's profiles/ (util/srcdir.h).
 * A name containing '/' or ending in ".json" is a path.  *out is malloc'd. */
int cj_profile_find(const char *name, char **out, cj_error *err);

/* Load, resolve extends, check, expand.  *out is owned by the caller. */
int cj_profile_load(const char *name_or_path, const cj_profile_vars *vars, cj_profile **out, cj_error *err);

/* Same from a JSON text (for tests and fuzzing); `extends` is looked up by name. */
int cj_profile_load_string(const char *text, const char *filename, const cj_profile_vars *vars, cj_profile **out,
                           cj_error *err);

/* Every profile name found on the search path, sorted, deduplicated. */
int cj_profile_list(cj_strv *out, cj_error *err);

void cj_profile_free(cj_profile *p);
/* Free p->resolved (and set it NULL) when only the parsed fields will be
 * used, as by a front end that runs calls: the JSON tree of a profile and its
 * rule files is most of the launcher's heap, and freeing it before the
 * sandbox's clone lets later allocations reuse it, rather than touching fresh
 * pages and then write-protected ones at exit. */
void cj_profile_drop_resolved(cj_profile *p);
static inline void cj_profile_freep(cj_profile **p) {
        cj_profile_free(*p);
}
#define _cleanup_profile_ __attribute__((cleanup(cj_profile_freep)))

/* The value env.set gives NAME ("HOME"), or NULL. */
const char *cj_profile_env_get(const cj_profile *p, const char *name);

const char *cj_verdict_name(cj_verdict v);      /* "allow" | "ask" | "deny" */
int cj_verdict_parse(const char *s);            /* -EINVAL if unknown */
const char *cj_net_mode_name(cj_net_mode m);
int cj_net_mode_parse(const char *s);
/* Does mode `to` grant no more than `from`?  none narrows everything;
 * loopback and proxy narrow host; loopback and proxy are not comparable.
 * (Lists inside a mode, egress and loopback_ports, are compared elsewhere.) */
bool cj_net_mode_narrows(cj_net_mode from, cj_net_mode to);
