/* SPDX-License-Identifier: MIT */
/* clawjail doctor: what this host supports and what to change, one line each.
 * Ends with a real sandboxed call under the profile, since that is what
 * "it works here" means. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "net/proxy.h"
#include "sandbox/hostcheck.h"
#include "tracker/tracker.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/json.h"

#define CJ_DOCTOR_RESULT_MAX (1u << 20) /* bytes of the probe call's result we read */

enum { OPT_JSON = 4000, OPT_STATE_DIR, OPT_PROFILE };

static const char doctor_usage[] =
        "Usage: clawjail doctor [--json] [--profile NAME] [--state-dir DIR]\n"
        "\n"
        "Report what this host offers clawjail, one line each, and what to change:\n"
        "user namespaces (and which switch blocks them), the mount API, cgroups for\n"
        "per-call limits, idmapped mounts for the workspace's filesystem (as root),\n"
        "seccomp and its user notification, Landlock, the state directory, how the\n"
        "network proxy relays tunnels (in the kernel or with splice), and last a\n"
        "real sandboxed call under the profile.\n"
        "\n"
        "  --json            one JSON object: {\"ok\":BOOL,\"checks\":[{\"name\",\"status\",\"detail\",\"fix\"}]}\n"
        "  --profile NAME    the profile the final call runs under (default: default)\n"
        "  --state-dir DIR   the state directory to check (default: as for tasks)\n"
        "\n"
        "Exit status: 0 when the profile can run fully (warnings allowed), 1 when a\n"
        "check failed, 125 on a usage error.\n";

static void check_state_dir(const char *opt, cj_check *c) {
        c->name = "state directory";
        _cleanup_free_ char *dir = NULL;
        cj_error err = { 0 };
        int r = cj_state_dir_resolve(opt, &dir, &err);
        if (r < 0) {
                c->status = CJ_CHECK_FAIL;
                snprintf(c->detail, sizeof c->detail, "%s", cj_error_message(&err, r));
                snprintf(c->fix, sizeof c->fix, "set --state-dir or CLAWJAIL_STATE_DIR");
                return;
        }
        struct stat st;
        if (stat(dir, &st) < 0) {
                c->status = errno == ENOENT ? CJ_CHECK_OK : CJ_CHECK_FAIL;
                snprintf(c->detail, sizeof c->detail, "%s: %s", dir,
                         errno == ENOENT ? "not created yet (the first tracked call creates it, mode 0700)"
                                         : strerror(errno));
                return;
        }
        if (st.st_uid != geteuid() || (st.st_mode & 022)) {
                c->status = CJ_CHECK_FAIL;
                snprintf(c->detail, sizeof c->detail, "%s is owned by uid %u with mode %04o: others could edit "
                                                      "journals and approvals", dir, st.st_uid, st.st_mode & 07777);
                snprintf(c->fix, sizeof c->fix, "chown %u %s && chmod go-w %s", geteuid(), dir, dir);
                return;
        }
        c->status = CJ_CHECK_OK;
        snprintf(c->detail, sizeof c->detail, "%s (mode %04o, yours)", dir, st.st_mode & 07777);
}

/* How the egress proxy relays CONNECT tunnels here (docs/network.md). */
static void check_relay(cj_check *c) {
        c->name = "network relay";
        c->status = CJ_CHECK_OK;
        char why[200];
        const char *mode = cj_net_relay_mode(why, sizeof why);
        snprintf(c->detail, sizeof c->detail, "%s (%s)", mode, why);
}

/* The real thing: `clawjail run -- true` under the profile, in a scratch
 * workspace, through a fresh process of this very binary. */
static void check_sandbox(const char *profile, cj_check *c) {
        c->name = "sandboxed call";
        char ws[] = "/tmp/clawjail-doctor.XXXXXX";
        if (!mkdtemp(ws)) {
                c->status = CJ_CHECK_FAIL;
                snprintf(c->detail, sizeof c->detail, "mkdtemp: %s", strerror(errno));
                return;
        }
        chmod(ws, 0755); /* started by root, the sandbox's run_as uid must reach it */
        int p[2];
        if (pipe(p) < 0) {
                rmdir(ws);
                return;
        }
        pid_t pid = fork();
        if (pid == 0) {
                dup2(p[1], STDOUT_FILENO);
                close(p[0]);
                close(p[1]);
                if (chdir(ws) < 0)
                        _exit(125);
                execl("/proc/self/exe", "clawjail", "run", "--json", "--profile", profile, "--", "true",
                      (char *) NULL);
                _exit(127);
        }
        close(p[1]);
        _cleanup_free_ char *out = NULL;
        size_t len = 0;
        cj_error err = { 0 };
        int r = pid > 0 ? cj_read_fd(p[0], CJ_DOCTOR_RESULT_MAX, &out, &len, &err) : -errno;
        close(p[0]);
        int status = 0;
        if (pid > 0)
                waitpid(pid, &status, 0);
        rmdir(ws);
        _cleanup_json_ json_t *res = r >= 0 ? json_loadb(out, len, 0, NULL) : NULL;
        const char *st = json_string_value(json_object_get(res, "status"));
        if (st && strcmp(st, "ok") == 0 && json_integer_value(json_object_get(res, "exit_code")) == 0) {
                c->status = CJ_CHECK_OK;
                snprintf(c->detail, sizeof c->detail, "profile %s: `true` ran in the sandbox in %lld ms (cgroup %s)",
                         profile, (long long) json_integer_value(json_object_get(res, "duration_ms")),
                         json_string_value(json_object_get(res, "cgroup")) ?: "?");
                return;
        }
        c->status = CJ_CHECK_FAIL;
        const char *msg = json_string_value(json_object_get(json_object_get(res, "error"), "message"));
        snprintf(c->detail, sizeof c->detail, "profile %s: a sandboxed `true` failed: %s", profile,
                 msg ? msg : st ? st : "no result (see `clawjail run -v -- true`)");
        snprintf(c->fix, sizeof c->fix, "fix the failed checks above first; then `clawjail run -v -- true` says more");
}

int cmd_doctor(int argc, char **argv) {
        static const struct option longopts[] = {
                { "json", no_argument, NULL, OPT_JSON },
                { "state-dir", required_argument, NULL, OPT_STATE_DIR },
                { "profile", required_argument, NULL, OPT_PROFILE },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        bool json = false;
        const char *state_dir = NULL, *profile = "default";
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
                if (c == 'h') {
                        fputs(doctor_usage, stdout);
                        return 0;
                } else if (c == OPT_JSON)
                        json = true;
                else if (c == OPT_STATE_DIR)
                        state_dir = optarg;
                else if (c == OPT_PROFILE)
                        profile = optarg;
                else
                        return cj_cli_fail("doctor: unknown option '%s' (see 'clawjail doctor --help')",
                                           argv[optind - 1]);
        }
        if (optind < argc)
                return cj_cli_fail("doctor: unexpected argument '%s'", argv[optind]);

        cj_check checks[CJ_HOSTCHECKS_MAX + 3];
        size_t n = 0;
        char cwd[4096];
        cj_hostcheck_run(getcwd(cwd, sizeof cwd) ? cwd : "/", checks, &n);
        memset(&checks[n], 0, sizeof checks[0] * 3);
        check_state_dir(state_dir, &checks[n++]);
        check_relay(&checks[n++]);
        check_sandbox(profile, &checks[n++]);

        bool fine = true;
        for (size_t i = 0; i < n; i++)
                fine &= checks[i].status != CJ_CHECK_FAIL;
        if (json) {
                _cleanup_json_ json_t *arr = json_array();
                for (size_t i = 0; i < n; i++) {
                        json_t *o = json_pack("{s:s, s:s, s:s}", "name", checks[i].name, "status",
                                              cj_check_status_name(checks[i].status), "detail", checks[i].detail);
                        if (*checks[i].fix)
                                json_object_set_new(o, "fix", json_string(checks[i].fix));
                        json_array_append_new(arr, o);
                }
                _cleanup_json_ json_t *top = json_pack("{s:b, s:O}", "ok", fine, "checks", arr);
                _cleanup_free_ char *s = cj_json_line(top);
                if (s)
                        puts(s);
        } else {
                for (size_t i = 0; i < n; i++) {
                        printf("%-4s  %-26s %s\n", cj_check_status_name(checks[i].status), checks[i].name,
                               checks[i].detail);
                        if (*checks[i].fix)
                                printf("      %-26s fix: %s\n", "", checks[i].fix);
                }
                printf("%s\n", fine ? "clawjail can run the profile fully on this host."
                                    : "clawjail cannot run the profile fully here: see the fixes above.");
        }
        return fine ? 0 : 1;
}
