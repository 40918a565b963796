/* SPDX-License-Identifier: MIT */
#include "opts.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "net/policy.h"
#include "profile/cache.h"
#include "tracker/tracker.h"
#include "util/cleanup.h"
#include "util/fileio.h"

const char cj_common_options_help[] =
        "  --profile NAME|PATH   profile to apply (default: default); see 'clawjail profile list'\n"
        "  --task ID             task whose budget, journal and checkpoints this call belongs to\n"
        "                        (default: $CLAWJAIL_TASK; unset = untracked)\n"
        "  --state-dir DIR       where tasks live (default: $CLAWJAIL_STATE_DIR, else /var/lib/clawjail\n"
        "                        for root, $XDG_STATE_HOME/clawjail otherwise)\n"
        "  --cwd DIR             working directory inside the sandbox; must lie inside a granted root\n"
        "                        (default: the directory clawjail was started in)\n"
        "  --rw PATH, --ro PATH  add a writable / read-only root (operator flags; repeatable)\n"
        "  --net MODE            none | loopback | proxy | host: override the profile's network mode\n"
        "                        (only narrowing unless the profile sets network_override: any)\n"
        "  --allow-host PATTERN  with --net proxy: a host the call may reach (example.org,\n"
        "                        *.example.org, **.example.org; repeatable; narrows egress.allow)\n"
        "  --timeout SEC         wall-clock limit for this call; kills the whole sandbox (exit 124)\n"
        "  --json                print the result object on stdout instead of passing the child's\n"
        "                        streams through\n"
        "  --status-fd FD        also write the result object to file descriptor FD\n"
        "  -v, --verbose         more diagnostics on stderr;  -q, --quiet  fewer\n"
        "  --help                show this help\n";

void cj_common_opts_init(cj_common_opts *o) {
        *o = (cj_common_opts){ .profile = "default", .net = -1, .status_fd = -1 };
        const char *t = getenv("CLAWJAIL_TASK");
        if (t && *t)
                o->task = t;
        char buf[PATH_MAX];
        if (getcwd(buf, sizeof buf))
                o->workspace = strdup(buf);
}

void cj_common_opts_clear(cj_common_opts *o) {
        free(o->cwd);
        free(o->workspace);
        cj_strv_free(o->rw);
        cj_strv_free(o->ro);
        cj_strv_free(o->allow_hosts);
        o->cwd = o->workspace = NULL;
        o->rw = o->ro = o->allow_hosts = NULL;
}

/* Absolute, normalized form of a path given on the command line. */
static char *absolute(const cj_common_opts *o, const char *arg) {
        if (arg[0] == '/')
                return cj_path_normalize(arg);
        if (!o->workspace)
                return NULL;
        _cleanup_free_ char *j = cj_path_join(o->workspace, arg);
        return j ? cj_path_normalize(j) : NULL;
}

static int add_root(cj_common_opts *o, cj_strv *list, const char *arg, const char *cmd, const char *flag) {
        if (cj_strv_len(o->rw) + cj_strv_len(o->ro) >= CJ_EXTRA_ROOTS_MAX)
                return cj_cli_fail("%s: more than %d --rw/--ro paths", cmd, CJ_EXTRA_ROOTS_MAX);
        char *p = absolute(o, arg);
        if (!p)
                return cj_cli_fail("%s: %s %s: invalid path", cmd, flag, arg);
        if (access(p, F_OK) < 0) {
                int e = errno;
                free(p);
                return cj_cli_fail("%s: %s %s: %s", cmd, flag, arg, strerror(e));
        }
        if (cj_strv_push_take(list, p) < 0)
                return cj_cli_fail("out of memory");
        return 1;
}

int cj_common_opts_handle(cj_common_opts *o, int c, const char *arg, const char *cmd) {
        char *end = NULL;
        switch (c) {
        case CJ_OPT_PROFILE:
                o->profile = arg;
                return 1;
        case CJ_OPT_TASK:
                o->task = arg;
                return 1;
        case CJ_OPT_STATE_DIR:
                o->state_dir = arg;
                return 1;
        case CJ_OPT_CWD:
                free(o->cwd);
                o->cwd = absolute(o, arg);
                if (!o->cwd)
                        return cj_cli_fail("%s: --cwd %s: invalid path", cmd, arg);
                return 1;
        case CJ_OPT_RW:
                return add_root(o, &o->rw, arg, cmd, "--rw");
        case CJ_OPT_RO:
                return add_root(o, &o->ro, arg, cmd, "--ro");
        case CJ_OPT_NET: {
                int m = cj_net_mode_parse(arg);
                if (m < 0)
                        return cj_cli_fail("%s: --net %s: expected none, loopback, proxy or host", cmd, arg);
                o->net = m;
                return 1;
        }
        case CJ_OPT_ALLOW_HOST:
                if (cj_strv_len(o->allow_hosts) >= CJ_NET_ALLOW_HOSTS_MAX)
                        return cj_cli_fail("%s: more than %d --allow-host patterns", cmd, CJ_NET_ALLOW_HOSTS_MAX);
                if (cj_strv_push(&o->allow_hosts, arg) < 0)
                        return cj_cli_fail("out of memory");
                return 1;
        case CJ_OPT_TIMEOUT: {
                errno = 0;
                double s = strtod(arg, &end);
                if (errno || end == arg || *end || !(s > 0) || s > CJ_TIMEOUT_MAX_S)
                        return cj_cli_fail("%s: --timeout %s: expected seconds, > 0 and at most %d", cmd, arg,
                                           CJ_TIMEOUT_MAX_S);
                o->timeout_ms = (int64_t) (s * 1000);
                if (o->timeout_ms == 0)
                        o->timeout_ms = 1;
                return 1;
        }
        case CJ_OPT_APPROVE:
                (void) arg;
                return cj_cli_fail("%s: --approve was removed: an approval is the operator's act on a task, "
                                   "outside any call ('clawjail approve TASK REQUEST', docs/security.md)",
                                   cmd);
        case CJ_OPT_JSON:
                o->json = true;
                return 1;
        case CJ_OPT_STATUS_FD: {
                errno = 0;
                long fd = strtol(arg, &end, 10);
                if (errno || end == arg || *end || fd < 0 || fd > INT_MAX)
                        return cj_cli_fail("%s: --status-fd %s: expected a file descriptor number", cmd, arg);
                o->status_fd = (int) fd;
                return 1;
        }
        case 'v':
                cj_cli_verbosity++;
                return 1;
        case 'q':
                cj_cli_verbosity--;
                return 1;
        case CJ_OPT_HELP:
                o->help = true;
                return 1;
        }
        return 0;
}

int cj_cli_load_profile(const cj_common_opts *o, const char *name, cj_profile **out, cj_error *err) {
        char home[CJ_PROFILE_HOME_MAX];
        cj_profile_vars vars = cj_profile_vars_for(o->workspace, home);
        /* Through the cache in the state dir (profile/cache.h), without the
         * resolved JSON (only `profile show` prints it). */
        _cleanup_free_ char *state_dir = NULL;
        (void) cj_state_dir_resolve(o->state_dir, &state_dir, NULL); /* none: no cache */
        return cj_profile_load_cached(name, &vars, state_dir, out, err);
}

int cj_common_opts_load_profile(cj_common_opts *o, cj_profile **out, const char *cmd) {
        if (!o->workspace)
                return cj_cli_fail("%s: cannot determine the current directory", cmd);
        cj_error err = { 0 };
        int r = cj_cli_load_profile(o, o->profile, out, &err);
        if (r < 0)
                return cj_cli_fail("%s: %s", cmd, cj_error_message(&err, r));
        cj_profile *p = *out;
        /* The same check the pipeline makes, here so a bad flag fails before anything. */
        cj_net_policy pol;
        cj_error nerr = { 0 };
        r = cj_net_policy_build(p, o->net, o->allow_hosts, &pol, &nerr);
        if (r < 0) {
                cj_cli_fail("%s: %s", cmd, cj_error_message(&nerr, r));
                cj_profile_free(p);
                *out = NULL;
                return CJ_EXIT_FAILURE;
        }
        cj_net_policy_clear(&pol);
        return 0;
}
