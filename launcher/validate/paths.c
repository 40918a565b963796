/* SPDX-License-Identifier: MIT */
/*
 * Path classification shared by the redirection, credentials, destructive and
 * persistence validators.  Works on text only: nothing is stat'ed, because
 * the sandbox's view of the filesystem is not the caller's.
 */
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util/cleanup.h"
#include "util/fileio.h"

#define PATH_TEXT_MAX 4096 /* longer strings are classified by their prefix only */

/* p is `base` or lies below it (component boundary). */
static bool under(const char *p, const char *base) {
        size_t l = strlen(base);
        if (l > 0 && base[l - 1] == '/')
                l--;
        return strncmp(p, base, l) == 0 && (p[l] == '\0' || p[l] == '/');
}

static bool under_any(const char *p, const char *const *list) {
        for (; *list; list++)
                if (under(p, *list))
                        return true;
        return false;
}

/* glob-style match of a whole path, '*' not crossing '/' */
static bool match_any(const char *p, const char *const *list) {
        for (; *list; list++)
                if (fnmatch(*list, p, FNM_PATHNAME | FNM_PERIOD) == 0)
                        return true;
        return false;
}

static const char *const system_dirs[] = { "/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
                                           "/boot", "/var", "/opt", "/sys", "/proc", "/srv", "/snap", "/dev",
                                           "/run", "/mnt", "/media", NULL };
static const char *const block_devices[] = { "/dev/sd*", "/dev/hd*", "/dev/vd*", "/dev/xvd*", "/dev/nvme*",
                                             "/dev/mmcblk*", "/dev/dm-*", "/dev/md*", "/dev/loop*", "/dev/mapper/*",
                                             "/dev/disk/*/*", "/dev/sr*", "/dev/mem", "/dev/kmem", "/dev/port",
                                             "/dev/nbd*", "/dev/rbd*", "/dev/zram*", "/dev/ubi*", "/dev/mtd*",
                                             NULL };
static const char *const harmless_devices[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/stdin", "/dev/stdout",
                                                "/dev/stderr", "/dev/tty", "/dev/random", "/dev/urandom",
                                                "/dev/fd/[0-9]*", "/dev/pts/[0-9]*", NULL };

/* Relative to $HOME ("~/..." form, without "~/"). */
static const char *const home_credentials[] = {
        ".ssh", ".aws", ".gnupg", ".config/gh", ".config/hub", ".config/gcloud", ".azure", ".kube",
        ".docker/config.json", ".netrc", ".git-credentials", ".npmrc", ".pypirc", ".cargo/credentials",
        ".cargo/credentials.toml", ".openclaw", ".config/openclaw", ".claude", ".claude.json", ".codex",
        ".config/clawjail", ".local/state/clawjail", ".bash_history", ".zsh_history", ".python_history",
        ".pgpass", ".my.cnf", ".vault-token", ".terraform.d/credentials.tfrc.json", ".password-store",
        ".local/share/keyrings", ".config/github-copilot", ".gemini", ".config/gemini", ".cursor", ".mozilla",
        ".config/google-chrome", ".config/chromium", ".gem/credentials", ".m2/settings.xml", ".gradle/gradle.properties",
        ".config/rclone", ".s3cfg", ".boto", ".oci", ".ngrok2", ".config/ngrok", NULL
};
static const char *const abs_credentials[] = { "/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/sudoers.d",
                                               "/etc/ssh", "/etc/clawjail", "/var/lib/clawjail", "/run/secrets",
                                               "/var/run/secrets", "/etc/security/opasswd", "/proc/kcore", NULL };
static const char *const secret_basenames[] = { "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk",
                                                "id_ed25519_sk", "ssh_host_*_key", "shadow", "gshadow",
                                                "*.ppk", NULL };
static const char *const credential_basenames[] = { ".env", ".env.*", ".netrc", ".git-credentials", ".pgpass",
                                                    "credentials", "credentials.json", "credentials.toml",
                                                    ".npmrc", ".pypirc", ".vault-token", "*.keystore", "*.jks",
                                                    NULL };
static const char *const credential_ok_basenames[] = { ".env.example", ".env.sample", ".env.template", ".env.dist",
                                                       ".env.defaults", ".env.test.example", NULL };

static const char *const home_rc[] = { ".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile",
                                       ".zshrc", ".zshenv", ".zprofile", ".zlogin", ".zlogout", ".cshrc",
                                       ".tcshrc", ".kshrc", ".mkshrc", ".config/fish", ".inputrc", ".bash_aliases",
                                       NULL };
static const char *const abs_rc[] = { "/etc/profile", "/etc/profile.d", "/etc/bash.bashrc", "/etc/bashrc",
                                      "/etc/zshrc", "/etc/zsh", "/etc/environment", "/etc/bash_completion.d", NULL };
static const char *const home_persist[] = { ".config/systemd", ".local/share/systemd", ".config/autostart",
                                            "Library/LaunchAgents", ".ssh/authorized_keys", ".ssh/authorized_keys2",
                                            ".ssh/rc", ".ssh/config", ".gitconfig", ".config/git", ".vimrc", ".exrc",
                                            ".config/nvim", ".gdbinit", ".xinitrc", ".xprofile", ".xsession",
                                            ".pam_environment", ".config/environment.d", ".local/bin",
                                            ".config/pip/pip.conf", ".pip/pip.conf", NULL };
static const char *const abs_persist[] = { "/etc/systemd", "/lib/systemd", "/usr/lib/systemd", "/etc/cron.d",
                                           "/etc/cron.daily", "/etc/cron.hourly", "/etc/cron.weekly",
                                           "/etc/cron.monthly", "/etc/crontab", "/var/spool/cron", "/etc/init.d",
                                           "/etc/rc.local", "/etc/xdg/autostart", "/Library/LaunchAgents",
                                           "/Library/LaunchDaemons", "/etc/ld.so.preload", "/etc/ld.so.conf.d",
                                           "/etc/udev/rules.d", "/etc/anacrontab", "/etc/update-motd.d",
                                           "/etc/sudoers.d", "/etc/pam.d", "/etc/gitconfig", NULL };
static const char *const proc_secret[] = { "/proc/*/environ", "/proc/*/mem", "/proc/*/task/*/environ",
                                           "/proc/*/task/*/mem", "/proc/kcore", NULL };
static const char *const proc_info[] = { "/proc/*/maps", "/proc/*/smaps", "/proc/*/auxv", "/proc/*/pagemap",
                                         "/proc/*/cmdline", "/proc/*/fd", "/proc/*/fd/*", "/proc/*/root",
                                         "/proc/*/root/*", "/proc/*/cwd", "/proc/*/syscall", "/proc/*/stack",
                                         "/proc/kallsyms", "/proc/*/task/*/maps", NULL };

/* "${CWD}/" "**" "/x" style entries from the profile: prefix, then x at any depth. */
static bool profile_match(const char *abs, char *const *list) {
        if (!list)
                return false;
        for (; *list; list++) {
                const char *e = *list, *star = strstr(e, "/**/");
                if (!star) {
                        if (under(abs, e))
                                return true;
                        continue;
                }
                size_t pl = (size_t) (star - e);
                const char *suffix = star + 4;
                if (strncmp(abs, e, pl) != 0 || (pl > 0 && abs[pl] != '/' && abs[pl] != '\0'))
                        continue;
                for (const char *q = abs + pl; q && *q; q = strchr(q + 1, '/'))
                        if (*q == '/' && under(q + 1, suffix))
                                return true;
        }
        return false;
}

/* Strip a leading ~, $HOME or ${HOME}: returns the rest after "/" ("" for the
 * home directory itself), or NULL when s does not start in $HOME. */
static const char *home_rest(const char *s) {
        static const char *const prefixes[] = { "~", "$HOME", "${HOME}", "\"$HOME\"", "\"${HOME}\"", NULL };
        for (const char *const *p = prefixes; *p; p++) {
                size_t l = strlen(*p);
                if (strncmp(s, *p, l) == 0 && (s[l] == '\0' || s[l] == '/')) {
                        s += l;
                        while (*s == '/')
                                s++;
                        return s;
                }
        }
        return NULL;
}

/* /home/USER/rest or /root/rest: the rest, else NULL. */
static const char *abs_home_rest(const char *abs) {
        if (under(abs, "/root"))
                return abs[5] ? abs + 6 : "";
        if (strncmp(abs, "/home/", 6) == 0) {
                const char *slash = strchr(abs + 6, '/');
                return slash ? slash + 1 : "";
        }
        return NULL;
}

static unsigned classify_home_rest(const char *rest) {
        unsigned r = 0;
        if (rest[0] == '\0' || strcmp(rest, "*") == 0 || strcmp(rest, ".") == 0 || strcmp(rest, ".*") == 0)
                r |= CJ_PATH_HOME;
        if (under_any(rest, home_credentials))
                r |= CJ_PATH_CREDENTIAL;
        if (under_any(rest, home_rc))
                r |= CJ_PATH_RC_FILE | CJ_PATH_PERSIST;
        if (under_any(rest, home_persist))
                r |= CJ_PATH_PERSIST;
        return r;
}

static unsigned classify_basename(const char *path) {
        unsigned r = 0;
        const char *b = cj_basename(path);
        if (match_any(b, secret_basenames))
                r |= CJ_PATH_CREDENTIAL | CJ_PATH_SECRET_KEY;
        if (match_any(b, credential_basenames) && !match_any(b, credential_ok_basenames))
                r |= CJ_PATH_CREDENTIAL;
        /* a .ssh / .aws / .gnupg directory anywhere */
        for (const char *q = strstr(path, "/."); q; q = strstr(q + 1, "/."))
                if (under(q + 1, ".ssh") || under(q + 1, ".aws") || under(q + 1, ".gnupg") || under(q + 1, ".kube"))
                        r |= CJ_PATH_CREDENTIAL;
        if (strncmp(path, ".ssh", 4) == 0 && (path[4] == '\0' || path[4] == '/'))
                r |= CJ_PATH_CREDENTIAL;
        /* .git/config can set core.hooksPath / core.fsmonitor: as good as a hook */
        if (strstr(path, ".git/hooks") || strstr(path, ".git/config") || strcmp(b, "authorized_keys") == 0)
                r |= CJ_PATH_PERSIST;
        if (match_any(b, (const char *const[]) { ".bashrc", ".bash_profile", ".zshrc", ".profile", ".zshenv",
                                                ".bash_login", ".bash_logout", NULL }))
                r |= CJ_PATH_RC_FILE | CJ_PATH_PERSIST;
        return r;
}

static unsigned classify_abs(const char *abs, const cj_vctx *c) {
        unsigned r = 0;
        if (strcmp(abs, "/") == 0)
                r |= CJ_PATH_ROOT;
        if (under_any(abs, system_dirs))
                r |= CJ_PATH_SYSTEM;
        for (const char *const *d = system_dirs; *d; d++)
                if (strcmp(abs, *d) == 0)
                        r |= CJ_PATH_SYSTEM_TOP;
        if (strcmp(abs, "/home") == 0 || strcmp(abs, "/root") == 0)
                r |= CJ_PATH_HOME | CJ_PATH_SYSTEM_TOP | CJ_PATH_SYSTEM;
        /* the workspace belongs to the agent even when it lies below /var or /opt */
        if (c->cwd && c->cwd[0] == '/' && strcmp(c->cwd, "/") != 0 && under(abs, c->cwd) && strcmp(abs, c->cwd) != 0)
                r &= ~(unsigned) (CJ_PATH_SYSTEM | CJ_PATH_SYSTEM_TOP);
        if (under(abs, "/var/tmp") || under(abs, "/tmp"))
                r &= ~(unsigned) CJ_PATH_SYSTEM;
        if (under(abs, "/dev")) {
                if (match_any(abs, harmless_devices))
                        r = (r & ~(unsigned) CJ_PATH_SYSTEM) | CJ_PATH_HARMLESS_DEV;
                else if (match_any(abs, block_devices))
                        r |= CJ_PATH_DEVICE_BLOCK | CJ_PATH_DEVICE;
                else
                        r |= CJ_PATH_DEVICE;
        }
        if (under_any(abs, abs_credentials))
                r |= CJ_PATH_CREDENTIAL;
        if (under(abs, "/etc/shadow") || under(abs, "/etc/gshadow"))
                r |= CJ_PATH_SECRET_KEY;
        if (match_any(abs, proc_secret))
                r |= CJ_PATH_PROC_SECRET;
        if (match_any(abs, proc_info))
                r |= CJ_PATH_PROC_INFO;
        if (under_any(abs, abs_rc))
                r |= CJ_PATH_RC_FILE | CJ_PATH_PERSIST;
        if (under_any(abs, abs_persist))
                r |= CJ_PATH_PERSIST;
        const char *hr = abs_home_rest(abs);
        if (hr)
                r |= classify_home_rest(hr);
        if (c->cwd && c->cwd[0] == '/' && strcmp(c->cwd, "/") != 0 && strcmp(abs, c->cwd) == 0)
                r |= CJ_PATH_WORKSPACE;
        if (profile_match(abs, c->profile->fs_protect))
                r |= CJ_PATH_PROTECTED;
        if (profile_match(abs, c->profile->fs_deny))
                r |= CJ_PATH_DENIED | CJ_PATH_CREDENTIAL;
        return r;
}

unsigned cj_path_classify(const char *value, const cj_vctx *c) {
        char buf[PATH_TEXT_MAX];
        unsigned r = 0;
        if (!value || !*value)
                return 0;
        snprintf(buf, sizeof buf, "%s", value);

        /* "dir/" + "*" names everything in dir: classify dir too. */
        size_t l = strlen(buf);
        bool star_all = l >= 2 && strcmp(buf + l - 2, "/*") == 0;

        const char *hr = home_rest(buf);
        if (hr) {
                r |= classify_home_rest(hr);
                r |= classify_basename(buf);
                return r;
        }
        r |= classify_basename(buf);
        if (strcmp(buf, ".") == 0 || strcmp(buf, "./") == 0 || strcmp(buf, "*") == 0 || strcmp(buf, "./*") == 0 ||
            strcmp(buf, "./.") == 0 || strcmp(buf, ".*") == 0 || strcmp(buf, "..") == 0 || strcmp(buf, "../") == 0 ||
            strcmp(buf, "../*") == 0)
                r |= CJ_PATH_WORKSPACE;

        _cleanup_free_ char *abs = NULL;
        if (buf[0] == '/')
                abs = cj_path_normalize(buf);
        else if (c->cwd && c->cwd[0] == '/') {
                _cleanup_free_ char *j = cj_path_join(c->cwd, buf);
                abs = j ? cj_path_normalize(j) : NULL;
        }
        if (!abs)
                return r;
        if (star_all) {
                /* cj_path_normalize keeps "*" as a component: classify its parent */
                char *slash = strrchr(abs, '/');
                if (slash && strcmp(slash, "/*") == 0) {
                        if (slash == abs)
                                slash[1] = '\0';
                        else
                                *slash = '\0';
                }
        }
        r |= classify_abs(abs, c);
        /* workspace root as an absolute path, or its parent: as bad as "." */
        if (c->cwd && c->cwd[0] == '/' && strcmp(c->cwd, "/") != 0 && under(c->cwd, abs))
                r |= CJ_PATH_WORKSPACE;
        return r;
}
