/* SPDX-License-Identifier: MIT */
/*
 * privilege: asking for more privilege than the caller has -- sudo, su,
 * doas, pkexec, run0 (the inner command is still checked on its own),
 * setuid/setgid bits, file capabilities, mounts, kernel modules, sysctl
 * writes, account changes, privileged containers.
 */
#include <string.h>

#include "internal.h"

static const char *const escalators[] = { "sudo", "su", "doas", "pkexec", "run0", "sg", "newgrp", "sudoedit",
                                          "machinectl", "ksu", "calife", "super", NULL };
static const char *const admin[] = { "setcap", "capsh", "mount", "umount", "insmod", "rmmod", "modprobe", "kexec",
                                     "useradd", "usermod", "userdel", "groupadd", "groupmod", "passwd", "chpasswd",
                                     "chsh", "chfn", "visudo", "vipw", "vigr", "setfacl", "chattr", "iptables",
                                     "ip6tables", "nft", "swapon", "swapoff", "pivot_root", "switch_root",
                                     "newuidmap", "newgidmap", NULL };

/* chmod modes that set the setuid / setgid bit: u+s, g+s, +s, 4755, 2755, 6755 */
static bool setid_mode(const char *m) {
        size_t l = strlen(m);
        if (l >= 4 && strspn(m, "01234567") == l)
                return ((m[l - 4] - '0') & 6) != 0;
        /* symbolic: clauses "[ugoa]*[+-=]perms" separated by ',' */
        while (*m) {
                size_t cl = strcspn(m, ",");
                size_t op = strcspn(m, "+-=");
                if (op < cl && m[op] != '-' && memchr(m + op + 1, 's', cl - op - 1))
                        return true;
                m += cl;
                if (*m == ',')
                        m++;
        }
        return false;
}

static void priv_cmd(cj_vctx *c, const sh_cmd *cmd) {
        const char *n = cj_cmd_name(cmd);
        sh_span s = cj_cmd_span(cmd);
        if (cmd->argc == 0)
                return;
        if (cj_name_in(n, escalators))
                cj_report(c, CJ_VERDICT_ASK, cmd->argv[0].span.off, cmd->argv[0].span.len,
                          "`%s` asks for another user's (root's) privileges", n);
        else if (cj_name_in(n, admin))
                cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "`%s` is system administration", n);
        else if (strcmp(n, "chmod") == 0) {
                for (size_t i = 1; i < cmd->argc; i++)
                        if (cmd->argv[i].value[0] != '-' && setid_mode(cmd->argv[i].value)) {
                                cj_report(c, CJ_VERDICT_ASK, cmd->argv[i].span.off, cmd->argv[i].span.len,
                                          "sets the setuid/setgid bit");
                                break;
                        }
        } else if (strcmp(n, "chown") == 0 || strcmp(n, "chgrp") == 0) {
                for (size_t i = 1; i < cmd->argc; i++)
                        if (strncmp(cmd->argv[i].value, "root", 4) == 0 || strcmp(cmd->argv[i].value, "0") == 0 ||
                            strncmp(cmd->argv[i].value, "0:", 2) == 0) {
                                cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "gives files to root");
                                break;
                        }
        } else if (strcmp(n, "sysctl") == 0) {
                for (size_t i = 1; i < cmd->argc; i++)
                        if (strcmp(cmd->argv[i].value, "-w") == 0 || strchr(cmd->argv[i].value, '=') ||
                            strcmp(cmd->argv[i].value, "-p") == 0)
                                cj_report(c, CJ_VERDICT_ASK, s.off, s.len, "sysctl changes kernel parameters");
        } else if ((strcmp(n, "docker") == 0 || strcmp(n, "podman") == 0 || strcmp(n, "nerdctl") == 0) &&
                   cmd->argc > 1) {
                for (size_t i = 1; i < cmd->argc; i++) {
                        const char *v = cmd->argv[i].value;
                        bool bad = strcmp(v, "--privileged") == 0 || strncmp(v, "--pid=host", 10) == 0 ||
                                   strncmp(v, "--cap-add", 9) == 0 || strncmp(v, "--security-opt", 14) == 0 ||
                                   strncmp(v, "--device", 8) == 0 || strncmp(v, "--userns=host", 13) == 0 ||
                                   strstr(v, "docker.sock") != NULL;
                        if ((strcmp(v, "-v") == 0 || strcmp(v, "--volume") == 0 || strcmp(v, "--mount") == 0) &&
                            i + 1 < cmd->argc) {
                                const char *m = cmd->argv[i + 1].value;
                                bad |= strncmp(m, "/:", 2) == 0 || strstr(m, "src=/,") || strstr(m, "source=/,") ||
                                       strncmp(m, "/etc", 4) == 0 || strncmp(m, "/root", 5) == 0 ||
                                       strstr(m, "docker.sock") != NULL;
                        }
                        if (bad) {
                                cj_report(c, CJ_VERDICT_ASK, cmd->argv[i].span.off, cmd->argv[i].span.len,
                                          "container with host privileges or host root: `%s`", v);
                                break;
                        }
                }
        }
}

const cj_validator cj_v_privilege = {
        .name = "privilege",
        .owns = "sudo su doas pkexec, setuid/setgid bits, setcap, mount, modules, sysctl -w, accounts, privileged "
                "containers",
        .cmd = priv_cmd,
};
