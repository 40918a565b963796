/* SPDX-License-Identifier: MIT */
/* clawjail profile list | show NAME | lint FILE... | seccomp NAME [--format pfc|bpf|rules] */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "opts.h"
#include "profile/profile.h"
#include "sandbox/plan.h"
#include "seccomp/policy.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/json.h"

static void profile_usage(FILE *f) {
        fputs("Usage: clawjail profile list [--json]\n"
              "       clawjail profile show NAME|PATH [--plan]\n"
              "       clawjail profile lint FILE...\n"
              "       clawjail profile seccomp NAME|PATH [--format pfc|bpf|rules]\n"
              "\n"
              "Profiles are JSON files found by name in $CLAWJAIL_PROFILE_PATH, /etc/clawjail/profiles,\n"
              "the installed data dir and the source tree's profiles/ (see docs/profiles.md).\n"
              "\n"
              "  list      every profile on the search path, with its description\n"
              "  show      the fully resolved profile (after extends and ${...} expansion) as JSON,\n"
              "            with its name, file and sha256; --plan prints the mount plan instead\n"
              "  lint      check files: JSON syntax, unknown keys, types, extends and narrowing;\n"
              "            exit 0 if every file is valid, 1 otherwise (one line per problem)\n"
              "  seccomp   the profile's seccomp filter compiled for this machine: pfc (readable,\n"
              "            default), bpf (raw struct sock_filter array, as scmp_bpf_sim -f reads;\n"
              "            refused on a terminal) or rules (the policy flattened, with origins)\n"
              "\n"
              "Exit status: 0 success, 1 lint found problems, 125 usage or load error.\n",
              f);
}

/* home: CJ_PROFILE_HOME_MAX bytes. */
static cj_profile_vars vars_here(char *cwd, size_t n, char *home) {
        return cj_profile_vars_for(getcwd(cwd, n) ? cwd : "/", home);
}

static int load(const char *name, cj_profile **p) {
        char cwd[4096], home[CJ_PROFILE_HOME_MAX];
        cj_profile_vars v = vars_here(cwd, sizeof cwd, home);
        cj_error err = { 0 };
        int r = cj_profile_load(name, &v, p, &err);
        if (r < 0)
                return cj_cli_fail("profile: %s", cj_error_message(&err, r));
        return 0;
}

static int do_list(bool json) {
        cj_error err = { 0 };
        _cleanup_strv_ cj_strv names = NULL;
        int r = cj_profile_list(&names, &err);
        if (r < 0)
                return cj_cli_fail("profile list: %s", cj_error_message(&err, r));
        _cleanup_json_ json_t *arr = json_array();
        for (size_t i = 0; names && names[i]; i++) {
                cj_profile *p = NULL;
                char cwd[4096], home[CJ_PROFILE_HOME_MAX];
                cj_profile_vars v = vars_here(cwd, sizeof cwd, home);
                cj_error e2 = { 0 };
                r = cj_profile_load(names[i], &v, &p, &e2);
                const char *desc = r < 0 ? cj_error_message(&e2, r) : p->description ? p->description : "";
                if (json)
                        json_array_append_new(arr, json_pack("{s:s, s:s, s:b}", "name", names[i], "description", desc,
                                                             "valid", r >= 0));
                else
                        printf("%-12s %s%s\n", names[i], r < 0 ? "INVALID: " : "", desc);
                cj_profile_free(p);
        }
        if (json) {
                _cleanup_free_ char *s = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
                puts(s ? s : "[]");
        }
        return 0;
}

static int do_show(const char *name, bool plan_only) {
        _cleanup_profile_ cj_profile *p = NULL;
        if (load(name, &p) != 0)
                return CJ_EXIT_FAILURE;
        if (plan_only) {
                cj_mount_plan plan = { 0 };
                cj_error err = { 0 };
                int r = cj_mount_plan_build(p, NULL, NULL, &cj_fs_probe_host, &plan, &err);
                if (r < 0)
                        return cj_cli_fail("profile show: %s", cj_error_message(&err, r));
                cj_mount_plan_print(&plan, stdout);
                cj_mount_plan_clear(&plan);
                return 0;
        }
        _cleanup_json_ json_t *out = json_pack("{s:s, s:s, s:s, s:O}", "name", p->name, "path", p->path, "sha256",
                                               p->sha256, "profile", p->resolved);
        _cleanup_free_ char *s = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (!s)
                return cj_cli_fail("out of memory");
        puts(s);
        return 0;
}

static int do_lint(int n, char **files) {
        int bad = 0;
        for (int i = 0; i < n; i++) {
                char cwd[4096], home[CJ_PROFILE_HOME_MAX];
                cj_profile_vars v = vars_here(cwd, sizeof cwd, home);
                cj_profile *p = NULL;
                cj_error err = { 0 };
                /* A lint target is always a file, even without a '/' or ".json". */
                _cleanup_free_ char *path = strchr(files[i], '/') ? strdup(files[i]) : cj_path_join(".", files[i]);
                int r = path ? cj_profile_load(path, &v, &p, &err) : -ENOMEM;
                if (r < 0) {
                        fprintf(stderr, "%s\n", cj_error_message(&err, r));
                        bad = 1;
                } else {
                        cj_seccomp_policy *pol = NULL;
                        cj_error e2 = { 0 };
                        r = cj_seccomp_policy_load(p->seccomp, cj_seccomp_default_search_dirs(), &pol, &e2);
                        if (r < 0) {
                                fprintf(stderr, "%s: seccomp: %s\n", files[i], cj_error_message(&e2, r));
                                bad = 1;
                        } else if (cj_cli_verbosity >= 0)
                                printf("%s: ok (%s, sha256 %.12s)\n", files[i], p->name, p->sha256);
                        cj_seccomp_policy_free(pol);
                }
                cj_profile_free(p);
        }
        return bad;
}

static int do_seccomp(const char *name, const char *format) {
        bool bpf = strcmp(format, "bpf") == 0, rules = strcmp(format, "rules") == 0;
        if (!bpf && !rules && strcmp(format, "pfc") != 0)
                return cj_cli_fail("profile seccomp: --format %s: expected pfc, bpf or rules", format);
        if (bpf && isatty(STDOUT_FILENO))
                return cj_cli_fail("profile seccomp: refusing to write binary BPF to a terminal; redirect stdout");
        _cleanup_profile_ cj_profile *p = NULL;
        if (load(name, &p) != 0)
                return CJ_EXIT_FAILURE;
        cj_seccomp_policy *pol = NULL;
        cj_error err = { 0 };
        int r = cj_seccomp_policy_load(p->seccomp, cj_seccomp_default_search_dirs(), &pol, &err);
        if (r < 0)
                return cj_cli_fail("profile seccomp: %s", cj_error_message(&err, r));
        if (rules) {
                _cleanup_free_ char *s = cj_seccomp_policy_to_string(pol, true);
                fputs(s ? s : "", stdout);
        } else {
                fflush(stdout);
                r = cj_seccomp_policy_export(pol, STDOUT_FILENO, bpf, &err);
        }
        cj_seccomp_policy_free(pol);
        if (r < 0)
                return cj_cli_fail("profile seccomp: %s", cj_error_message(&err, r));
        return 0;
}

int cmd_profile(int argc, char **argv) {
        static const struct option longopts[] = {
                { "help", no_argument, NULL, 'h' },     { "json", no_argument, NULL, 'j' },
                { "plan", no_argument, NULL, 'p' },     { "format", required_argument, NULL, 'f' },
                { "verbose", no_argument, NULL, 'v' }, { "quiet", no_argument, NULL, 'q' },
                { 0 },
        };
        bool json = false, plan = false;
        const char *format = "pfc";
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "hvq", longopts, NULL)) != -1) {
                switch (c) {
                case 'h':
                        profile_usage(stdout);
                        return 0;
                case 'j':
                        json = true;
                        break;
                case 'p':
                        plan = true;
                        break;
                case 'f':
                        format = optarg;
                        break;
                case 'v':
                        cj_cli_verbosity++;
                        break;
                case 'q':
                        cj_cli_verbosity--;
                        break;
                default:
                        return cj_cli_fail("profile: unknown option '%s' (see 'clawjail profile --help')",
                                           argv[optind - 1]);
                }
        }
        if (optind >= argc)
                return cj_cli_fail("profile: expected list, show, lint or seccomp (see 'clawjail profile --help')");
        const char *sub = argv[optind++];
        int rest = argc - optind;
        if (strcmp(sub, "list") == 0 && rest == 0)
                return do_list(json);
        if (strcmp(sub, "show") == 0 && rest == 1)
                return do_show(argv[optind], plan);
        if (strcmp(sub, "lint") == 0 && rest >= 1)
                return do_lint(rest, argv + optind);
        if (strcmp(sub, "seccomp") == 0 && rest == 1)
                return do_seccomp(argv[optind], format);
        return cj_cli_fail("profile: bad usage of '%s' (see 'clawjail profile --help')", sub);
}
