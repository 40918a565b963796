/* SPDX-License-Identifier: MIT */
/*
 * Path classification shared by the redirection, credentials, destructive and
 * persistence validators.  Works on text only: nothing is stat'ed, because
 * the sandbox's view of the filesystem is not the caller's.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/pathpat.h"

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
                                                "id_ed25519_sk", "ssh_host_*_key",
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

static int plist_build(cj_plist *l, char *const *list, const char *cwd) {
        *l = (cj_plist) { 0 };
        size_t n = list ? cj_strv_len(list) : 0;
        if (n == 0)
                return 0;
        l->v = calloc(n, sizeof *l->v);
        if (!l->v)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const char *e = list[i];
                cj_pathpat pp;
                cj_pathpat_split(e, &pp);
                bool star = pp.tail != NULL;
                cj_pentry *p = &l->v[i];
                *p = (cj_pentry) { e, star ? pp.prefix_len : SIZE_MAX, pp.tail, false, NULL };
                if (!cwd || cwd[0] != '/')
                        continue;
                size_t cl = strcmp(cwd, "/") == 0 ? 0 : strlen(cwd);
                if (star) {
                        p->covers_cwd = strncmp(cwd, e, p->plen) == 0 && (cwd[p->plen] == '/' || cwd[p->plen] == '\0');
                        if (!p->covers_cwd)
                                p->covers_cwd = p->plen == 0;
                        continue;
                }
                p->covers_cwd = under(cwd, e);
                if (strncmp(e, cwd, cl) == 0 && e[cl] == '/' && e[cl + 1] && !strchr(e + cl + 1, '/'))
                        p->cwd_name = e + cl + 1;
        }
        l->n = n;
        return 0;
}

/* A plain name (no '/') in the workspace: cwd/name against a list. */
static bool profile_match_name(const char *name, const cj_plist *l) {
        for (size_t i = 0; i < l->n; i++) {
                const cj_pentry *e = &l->v[i];
                if (e->plen == SIZE_MAX) {
                        if (e->covers_cwd || (e->cwd_name && strcmp(e->cwd_name, name) == 0))
                                return true;
                } else if (e->covers_cwd && cj_pathpat_tail_at(e->suffix, name)) {
                        return true;
                }
        }
        return false;
}

int cj_paths_prepare(cj_vctx *c) {
        if (plist_build(&c->deny, c->profile->fs_deny, c->cwd) < 0 ||
            plist_build(&c->protect, c->profile->fs_protect, c->cwd) < 0)
                return -ENOMEM;
        return 0;
}

void cj_paths_release(cj_vctx *c) {
        free(c->deny.v);
        free(c->protect.v);
        c->deny = c->protect = (cj_plist) { 0 };
}

/* abs matches an entry (util/pathpat.h: the definition proto and the plan share). */
static bool profile_match(const char *abs, const cj_plist *l) {
        for (size_t i = 0; i < l->n; i++)
                if (cj_pathpat_match(l->v[i].path, abs))
                        return true;
        return false;
}

/* A path the deny list covers that an exception reopens (deny_except:
 * ".env.example" under ".env*") is not denied.  abs NULL: cwd/name. */
static bool excepted(const cj_vctx *c, const char *abs, const char *name) {
        char *const *dx = c->profile->fs_deny_except;
        if (!dx || !dx[0])
                return false;
        _cleanup_free_ char *joined = abs ? NULL : cj_path_join(c->cwd, name);
        const char *p = abs ? abs : joined;
        return p && !cj_pathpat_masked(c->profile->fs_deny, dx, p);
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

/* Could b match one of the name patterns at all?  (fnmatch is the cost of
 * classification; almost every word fails this test.) */
static bool maybe_secret_name(const char *b) {
        size_t l = strlen(b);
        if (b[0] == '.' || b[0] == 'i' || b[0] == 's' || b[0] == 'c' || b[0] == 'a')
                return true;
        return (l > 4 && strcmp(b + l - 4, ".ppk") == 0) || (l > 4 && strcmp(b + l - 4, ".jks") == 0) ||
               (l > 9 && strcmp(b + l - 9, ".keystore") == 0);
}

static unsigned classify_basename(const char *path) {
        unsigned r = 0;
        const char *b = cj_basename(path);
        if (!maybe_secret_name(b) && !strstr(path, "/.") && !strstr(path, ".git/"))
                return 0;
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
        /* its own environment is what `env` prints (the profile's, scrubbed) */
        if (match_any(abs, proc_secret) &&
            !cj_name_in(abs, (const char *const[]) { "/proc/self/environ", "/proc/thread-self/environ", NULL }))
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
        if (profile_match(abs, &c->protect))
                r |= CJ_PATH_PROTECTED;
        if (profile_match(abs, &c->deny) && !excepted(c, abs, NULL))
                r |= CJ_PATH_DENIED | CJ_PATH_CREDENTIAL;
        return r;
}

static unsigned classify_one(const char *value, const cj_vctx *c) {
        char buf[PATH_TEXT_MAX];
        unsigned r = 0;
        if (!value || !*value)
                return 0;
        size_t vl = strnlen(value, sizeof buf - 1);
        memcpy(buf, value, vl);
        buf[vl] = '\0';

        /* "dir/" + "*" names everything in dir: classify dir too. */
        bool star_all = vl >= 2 && strcmp(buf + vl - 2, "/*") == 0;

        /* A plain word (no '/', not starting with . ~ $) can only match by its
         * name: skip the absolute-path work that dominates the cost. */
        if (!strchr(buf, '/') && buf[0] != '.' && buf[0] != '~' && buf[0] != '$' && buf[0] != '"') {
                r |= classify_basename(buf);
                if (strcmp(buf, "*") == 0)
                        r |= CJ_PATH_WORKSPACE;
                /* the profile may name a workspace file by its plain name */
                if (!c->cwd || c->cwd[0] != '/')
                        return r;
                if (profile_match_name(buf, &c->protect))
                        r |= CJ_PATH_PROTECTED;
                if (profile_match_name(buf, &c->deny) && !excepted(c, NULL, buf))
                        r |= CJ_PATH_DENIED | CJ_PATH_CREDENTIAL;
                return r;
        }
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

unsigned cj_path_classify(const char *value, const cj_vctx *c) {
        unsigned r = classify_one(value, c);
        /* after `cd DIR`: the path relative to DIR as well (cdtrack.c) */
        if (c->cd_dir && value && value[0] && value[0] != '/' && value[0] != '~' && value[0] != '$' &&
            value[0] != '"') {
                _cleanup_free_ char *j = cj_path_join(c->cd_dir, value);
                if (j)
                        r |= classify_one(j, c);
        }
        return r;
}
