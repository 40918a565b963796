/* SPDX-License-Identifier: MIT */
/*
 * The hidden-execution table: ordinary programs whose arguments can run other
 * programs, load code or write files.  One entry per program family: its
 * option table (long names for GNU abbreviation, short letters for
 * clusters, whether a value follows) with dangerous options tagged HX_*, an
 * optional program-specific check, or `always` when the program itself is an
 * interactive shell escape.  Sources: the programs' manuals and GTFOBins-style
 * shell-escape references.
 */
#include "hidden_exec.h"

#define END { NULL, 0, 0, 0 }
#define NAMES(...) ((const char *const[]) { __VA_ARGS__, NULL })

static const cj_opt find_opts[] = { END };

static const cj_opt sed_opts[] = {
        { "expression", 'e', CJ_OPT_ARG, HX_SED_SCRIPT }, { "file", 'f', CJ_OPT_ARG, HX_FILE_CODE },
        { "in-place", 'i', CJ_OPT_OPTARG, 0 }, { "line-length", 'l', CJ_OPT_ARG, 0 },
        { "sandbox", 0, CJ_OPT_NOARG, HX_SAFE }, { "null-data", 'z', CJ_OPT_NOARG, 0 },
        { "quiet", 'n', CJ_OPT_NOARG, 0 }, { "silent", 0, CJ_OPT_NOARG, 0 },
        { "regexp-extended", 'E', CJ_OPT_NOARG, 0 }, { "separate", 's', CJ_OPT_NOARG, 0 },
        { "debug", 0, CJ_OPT_NOARG, 0 }, { "posix", 0, CJ_OPT_NOARG, 0 }, END,
};

static const cj_opt awk_opts[] = {
        { "file", 'f', CJ_OPT_ARG, HX_FILE_CODE }, { "source", 'e', CJ_OPT_ARG, HX_AWK_PROG },
        { "exec", 'E', CJ_OPT_ARG, HX_FILE_CODE }, { "include", 'i', CJ_OPT_ARG, HX_FILE_CODE },
        { "load", 'l', CJ_OPT_ARG, HX_LOAD }, { "assign", 'v', CJ_OPT_ARG, 0 },
        { "field-separator", 'F', CJ_OPT_ARG, 0 }, { "profile", 'p', CJ_OPT_OPTARG, HX_WRITE },
        { "dump-variables", 'd', CJ_OPT_OPTARG, HX_WRITE }, { "pretty-print", 'o', CJ_OPT_OPTARG, HX_WRITE },
        { "sandbox", 'S', CJ_OPT_NOARG, HX_SAFE }, { NULL, 'W', CJ_OPT_ARG, HX_AWK_W }, END,
};

static const cj_opt rg_opts[] = {
        { "pre", 0, CJ_OPT_ARG, HX_EXEC }, { "pre-glob", 0, CJ_OPT_ARG, 0 }, { "regexp", 'e', CJ_OPT_ARG, 0 },
        { "file", 'f', CJ_OPT_ARG, 0 }, { "glob", 'g', CJ_OPT_ARG, 0 }, { "type", 't', CJ_OPT_ARG, 0 },
        { "type-not", 'T', CJ_OPT_ARG, 0 }, { "max-count", 'm', CJ_OPT_ARG, 0 }, { "context", 'C', CJ_OPT_ARG, 0 },
        { "after-context", 'A', CJ_OPT_ARG, 0 }, { "before-context", 'B', CJ_OPT_ARG, 0 },
        { "replace", 'r', CJ_OPT_ARG, 0 }, { "max-depth", 'd', CJ_OPT_ARG, 0 }, { "threads", 'j', CJ_OPT_ARG, 0 },
        { "iglob", 0, CJ_OPT_ARG, 0 }, { "pretty", 'p', CJ_OPT_NOARG, 0 }, { "encoding", 'E', CJ_OPT_ARG, 0 },
        { "max-columns", 'M', CJ_OPT_ARG, 0 }, END,
};

static const cj_opt sort_opts[] = {
        { "compress-program", 0, CJ_OPT_ARG, HX_EXEC }, { "output", 'o', CJ_OPT_ARG, 0 },
        { "key", 'k', CJ_OPT_ARG, 0 }, { "field-separator", 't', CJ_OPT_ARG, 0 },
        { "buffer-size", 'S', CJ_OPT_ARG, 0 }, { "temporary-directory", 'T', CJ_OPT_ARG, 0 },
        { "files0-from", 0, CJ_OPT_ARG, 0 }, { "parallel", 0, CJ_OPT_ARG, 0 }, END,
};

static const cj_opt tar_opts[] = {
        { "checkpoint-action", 0, CJ_OPT_ARG, HX_EXEC }, { "checkpoint", 0, CJ_OPT_OPTARG, 0 },
        { "to-command", 0, CJ_OPT_ARG, HX_EXEC }, { "to-stdout", 'O', CJ_OPT_NOARG, 0 },
        { "use-compress-program", 'I', CJ_OPT_ARG, HX_EXEC }, { "info-script", 'F', CJ_OPT_ARG, HX_EXEC },
        { "new-volume-script", 0, CJ_OPT_ARG, HX_EXEC }, { "rmt-command", 0, CJ_OPT_ARG, HX_EXEC },
        { "rsh-command", 0, CJ_OPT_ARG, HX_EXEC }, { "file", 'f', CJ_OPT_ARG, 0 },
        { "directory", 'C', CJ_OPT_ARG, 0 }, { "files-from", 'T', CJ_OPT_ARG, 0 },
        { "exclude-from", 'X', CJ_OPT_ARG, 0 }, { "blocking-factor", 'b', CJ_OPT_ARG, 0 },
        { "format", 'H', CJ_OPT_ARG, 0 }, { "tape-length", 'L', CJ_OPT_ARG, 0 },
        { "newer", 'N', CJ_OPT_ARG, 0 }, { "label", 'V', CJ_OPT_ARG, 0 },
        { "listed-incremental", 'g', CJ_OPT_ARG, 0 }, { "starting-file", 'K', CJ_OPT_ARG, 0 },
        { "exclude", 0, CJ_OPT_ARG, 0 }, { "transform", 0, CJ_OPT_ARG, 0 }, { "owner", 0, CJ_OPT_ARG, 0 },
        { "group", 0, CJ_OPT_ARG, 0 }, { "mode", 0, CJ_OPT_ARG, 0 }, { "strip-components", 0, CJ_OPT_ARG, 0 },
        { "index-file", 0, CJ_OPT_ARG, 0 }, END,
};

static const cj_opt zip_opts[] = {
        { "unzip-command", 0, CJ_OPT_ARG, HX_EXEC }, { "temp-path", 'b', CJ_OPT_ARG, 0 },
        { "output-file", 'O', CJ_OPT_ARG, 0 }, END,
};

static const cj_opt rsync_opts[] = {
        { "rsh", 'e', CJ_OPT_ARG, HX_EXEC }, { "rsync-path", 0, CJ_OPT_ARG, HX_EXEC },
        { "remote-option", 'M', CJ_OPT_ARG, HX_EXEC }, { "config", 0, CJ_OPT_ARG, HX_FILE_CODE },
        { "exclude", 0, CJ_OPT_ARG, 0 }, { "include", 0, CJ_OPT_ARG, 0 }, { "filter", 'f', CJ_OPT_ARG, 0 },
        { "exclude-from", 0, CJ_OPT_ARG, 0 }, { "include-from", 0, CJ_OPT_ARG, 0 }, { "port", 0, CJ_OPT_ARG, 0 },
        { "partial-dir", 0, CJ_OPT_ARG, 0 }, { "temp-dir", 'T', CJ_OPT_ARG, 0 }, { "chmod", 0, CJ_OPT_ARG, 0 },
        END,
};

static const cj_opt ssh_opts[] = {
        { NULL, 'o', CJ_OPT_ARG, HX_SSH_OPT }, { NULL, 'F', CJ_OPT_ARG, HX_FILE_CODE },
        { NULL, 'S', CJ_OPT_ARG, 0 }, { NULL, 'i', CJ_OPT_ARG, 0 }, { NULL, 'p', CJ_OPT_ARG, 0 },
        { NULL, 'l', CJ_OPT_ARG, 0 }, { NULL, 'L', CJ_OPT_ARG, 0 }, { NULL, 'R', CJ_OPT_ARG, 0 },
        { NULL, 'D', CJ_OPT_ARG, 0 }, { NULL, 'J', CJ_OPT_ARG, 0 }, { NULL, 'b', CJ_OPT_ARG, 0 },
        { NULL, 'c', CJ_OPT_ARG, 0 }, { NULL, 'E', CJ_OPT_ARG, 0 }, { NULL, 'm', CJ_OPT_ARG, 0 },
        { NULL, 'O', CJ_OPT_ARG, 0 }, { NULL, 'Q', CJ_OPT_ARG, 0 }, { NULL, 'W', CJ_OPT_ARG, 0 },
        { NULL, 'w', CJ_OPT_ARG, 0 }, { NULL, 'B', CJ_OPT_ARG, 0 }, { NULL, 'e', CJ_OPT_ARG, 0 },
        { NULL, 'I', CJ_OPT_ARG, HX_LOAD }, END,
};

static const cj_opt scp_opts[] = {
        { NULL, 'o', CJ_OPT_ARG, HX_SSH_OPT }, { NULL, 'F', CJ_OPT_ARG, HX_FILE_CODE },
        { NULL, 'S', CJ_OPT_ARG, HX_EXEC }, { NULL, 'D', CJ_OPT_ARG, HX_EXEC }, { NULL, 'i', CJ_OPT_ARG, 0 },
        { NULL, 'P', CJ_OPT_ARG, 0 }, { NULL, 'l', CJ_OPT_ARG, 0 }, { NULL, 'c', CJ_OPT_ARG, 0 },
        { NULL, 'J', CJ_OPT_ARG, 0 }, { NULL, 'X', CJ_OPT_ARG, 0 }, END,
};

static const cj_opt man_opts[] = {
        { "html", 'H', CJ_OPT_OPTARG, HX_EXEC }, { "pager", 'P', CJ_OPT_ARG, HX_EXEC },
        { "preprocessor", 'p', CJ_OPT_ARG, 0 }, { "config-file", 'C', CJ_OPT_ARG, HX_FILE_CODE },
        { "manpath", 'M', CJ_OPT_ARG, 0 }, { "sections", 'S', CJ_OPT_ARG, 0 }, { "locale", 'L', CJ_OPT_ARG, 0 },
        { "systems", 'm', CJ_OPT_ARG, 0 }, { "encoding", 'E', CJ_OPT_ARG, 0 }, { "gxditview", 'X', CJ_OPT_OPTARG, HX_EXEC },
        END,
};

static const cj_opt make_opts[] = {
        { "eval", 'E', CJ_OPT_ARG, HX_CODE }, { "file", 'f', CJ_OPT_ARG, HX_FILE_STDIN },
        { "makefile", 0, CJ_OPT_ARG, HX_FILE_STDIN },
        { "directory", 'C', CJ_OPT_ARG, 0 }, { "include-dir", 'I', CJ_OPT_ARG, 0 }, { "jobs", 'j', CJ_OPT_OPTARG, 0 },
        { "load-average", 'l', CJ_OPT_OPTARG, 0 }, { "old-file", 'o', CJ_OPT_ARG, 0 },
        { "what-if", 'W', CJ_OPT_ARG, 0 }, END,
};

static const cj_opt strace_opts[] = {
        { "output", 'o', CJ_OPT_ARG, HX_PIPE_OUT }, { NULL, 'e', CJ_OPT_ARG, 0 }, { NULL, 'p', CJ_OPT_ARG, 0 },
        { NULL, 's', CJ_OPT_ARG, 0 }, { NULL, 'u', CJ_OPT_ARG, 0 }, { NULL, 'E', CJ_OPT_ARG, 0 },
        { NULL, 'a', CJ_OPT_ARG, 0 }, { NULL, 'b', CJ_OPT_ARG, 0 }, { NULL, 'O', CJ_OPT_ARG, 0 },
        { NULL, 'S', CJ_OPT_ARG, 0 }, { NULL, 'X', CJ_OPT_ARG, 0 }, { NULL, 'P', CJ_OPT_ARG, 0 },
        { NULL, 'I', CJ_OPT_ARG, 0 }, END,
};

static const cj_opt gdb_opts[] = {
        { "ex", 0, CJ_OPT_ARG, HX_CODE }, { "iex", 0, CJ_OPT_ARG, HX_CODE }, { "eval-command", 0, CJ_OPT_ARG, HX_CODE },
        { "init-eval-command", 0, CJ_OPT_ARG, HX_CODE }, { "command", 'x', CJ_OPT_ARG, HX_FILE_CODE },
        { "init-command", 0, CJ_OPT_ARG, HX_FILE_CODE }, { "ix", 0, CJ_OPT_ARG, HX_FILE_CODE }, END,
};

static const cj_opt nc_opts[] = {
        { "exec", 'e', CJ_OPT_ARG, HX_EXEC }, { "sh-exec", 'c', CJ_OPT_ARG, HX_EXEC },
        { "lua-exec", 0, CJ_OPT_ARG, HX_EXEC }, { NULL, 'p', CJ_OPT_ARG, 0 }, { NULL, 's', CJ_OPT_ARG, 0 },
        { NULL, 'w', CJ_OPT_ARG, 0 }, { NULL, 'i', CJ_OPT_ARG, 0 }, { NULL, 'x', CJ_OPT_ARG, 0 },
        { NULL, 'X', CJ_OPT_ARG, 0 }, END,
};

static const cj_opt env_opts[] = {
        { "split-string", 'S', CJ_OPT_ARG, HX_EXEC }, { "unset", 'u', CJ_OPT_ARG, 0 },
        { "chdir", 'C', CJ_OPT_ARG, 0 }, { "default-signal", 0, CJ_OPT_OPTARG, 0 },
        { "ignore-signal", 0, CJ_OPT_OPTARG, 0 }, { "block-signal", 0, CJ_OPT_OPTARG, 0 }, END,
};

static const cj_opt script_opts[] = {
        { "command", 'c', CJ_OPT_ARG, HX_EXEC }, { "log-out", 'O', CJ_OPT_ARG, 0 }, { "log-in", 'I', CJ_OPT_ARG, 0 },
        { "log-io", 'B', CJ_OPT_ARG, 0 }, { "log-timing", 'T', CJ_OPT_ARG, 0 }, { "output-limit", 'o', CJ_OPT_ARG, 0 },
        { "echo", 'E', CJ_OPT_ARG, 0 }, { "logging-format", 'm', CJ_OPT_ARG, 0 }, END,
};

static const cj_opt flock_opts[] = {
        { "command", 'c', CJ_OPT_ARG, HX_EXEC }, { "timeout", 'w', CJ_OPT_ARG, 0 }, { "wait", 0, CJ_OPT_ARG, 0 },
        { "conflict-exit-code", 'E', CJ_OPT_ARG, 0 }, END,
};

static const cj_opt openssl_opts[] = { END };

static const cj_opt npx_opts[] = { { "call", 'c', CJ_OPT_ARG, HX_EXEC }, END };

static const cj_opt mysql_opts[] = { { "execute", 'e', CJ_OPT_ARG, HX_SQL_SHELL }, END };
static const cj_opt psql_opts[] = { { "command", 'c', CJ_OPT_ARG, HX_SQL_SHELL }, END };

static const cj_opt fd_opts[] = {
        { "exec", 'x', CJ_OPT_ARG, HX_EXEC }, { "exec-batch", 'X', CJ_OPT_ARG, HX_EXEC },
        { "extension", 'e', CJ_OPT_ARG, 0 }, { "type", 't', CJ_OPT_ARG, 0 }, { "exclude", 'E', CJ_OPT_ARG, 0 },
        { "max-depth", 'd', CJ_OPT_ARG, 0 }, { "size", 'S', CJ_OPT_ARG, 0 }, { "threads", 'j', CJ_OPT_ARG, 0 },
        { "changed-within", 0, CJ_OPT_ARG, 0 }, { "search-path", 0, CJ_OPT_ARG, 0 }, END,
};

/* gcc's single-dash long options: -wrapper runs a program around each tool */
static const cj_opt cc_opts[] = { END };

static const cj_opt sshkeygen_opts[] = { { NULL, 'D', CJ_OPT_ARG, HX_LOAD }, { NULL, 'f', CJ_OPT_ARG, 0 }, END };

static const cj_opt none[] = { END };

const cj_hx_prog cj_hx_table[] = {
        { NAMES("find", "gfind"), find_opts, false, cj_hx_find, NULL },
        { NAMES("xargs"), none, true, cj_hx_xargs, NULL },
        { NAMES("sed", "gsed"), sed_opts, false, cj_hx_sed, NULL },
        { NAMES("awk", "gawk", "mawk", "nawk"), awk_opts, false, cj_hx_awk, NULL },
        { NAMES("git"), none, false, cj_hx_git, NULL },
        { NAMES("rg"), rg_opts, false, NULL, NULL },
        { NAMES("sort"), sort_opts, false, NULL, NULL },
        { NAMES("tar", "gtar", "bsdtar"), tar_opts, false, cj_hx_tar_oldstyle, NULL },
        { NAMES("zip"), zip_opts, false, cj_hx_zip, NULL },
        { NAMES("rsync"), rsync_opts, false, NULL, NULL },
        { NAMES("ssh"), ssh_opts, true, NULL, NULL },
        { NAMES("scp", "sftp"), scp_opts, false, NULL, NULL },
        { NAMES("man"), man_opts, false, NULL, NULL },
        { NAMES("make", "gmake"), make_opts, false, NULL, NULL },
        { NAMES("strace", "ltrace"), strace_opts, true, cj_hx_runner, NULL },
        { NAMES("gdb", "cgdb"), gdb_opts, true, cj_hx_runner, NULL },
        { NAMES("fd", "fdfind"), fd_opts, false, NULL, NULL },
        { NAMES("gcc", "g++", "cc", "c++", "clang", "clang++", "clang-14", "gcc-12"), cc_opts, false, cj_hx_cc, NULL },
        { NAMES("ssh-keygen"), sshkeygen_opts, false, NULL, NULL },
        { NAMES("npm", "pnpm", "yarn"), none, false, cj_hx_npm, NULL },
        { NAMES("parallel", "watchexec", "run-parts", "sem"), none, false, NULL,
          "runs command strings or whole directories of scripts that this checker does not parse" },
        { NAMES("nc", "ncat", "netcat", "nc.traditional", "nc.openbsd"), nc_opts, false, NULL, NULL },
        { NAMES("env"), env_opts, true, NULL, NULL },
        { NAMES("script"), script_opts, false, NULL, NULL },
        { NAMES("flock"), flock_opts, false, cj_hx_runner, NULL },
        { NAMES("openssl"), openssl_opts, false, cj_hx_openssl, NULL },
        { NAMES("npx", "pnpx"), npx_opts, true, NULL, NULL },
        { NAMES("mysql", "mariadb"), mysql_opts, false, NULL, NULL },
        { NAMES("psql"), psql_opts, false, NULL, NULL },
        { NAMES("sqlite3", "sqlite"), none, false, cj_hx_sqlite, NULL },
        { NAMES("socat"), none, false, cj_hx_socat, NULL },
        { NAMES("python", "python2", "python3", "pypy", "pypy3", "perl", "ruby", "node", "nodejs", "deno", "bun",
                "php", "lua", "luajit", "Rscript", "R", "julia", "osascript", "pwsh", "powershell", "groovy",
                "scala", "guile", "racket", "sbcl", "clisp", "expect", "ghc", "runghc", "jshell", "irb", "tclsh",
                "wish"),
          none, true, cj_hx_interp, NULL },
        { NAMES("less", "more", "most", "pg", "vi", "vim", "view", "nvim", "vimdiff", "gvim", "ex", "emacs",
                "emacsclient", "nano", "pico", "joe", "jed", "mcedit", "ed", "red", "mc", "ranger", "nnn", "vifm",
                "tmux", "screen", "ftp", "telnet", "mutt", "aria2c"),
          none, false, NULL, "interactive program with a shell escape (!cmd, :!cmd, |cmd) or command-line code" },
        { NAMES("busybox", "toybox"), none, false, NULL,
          "multi-call binary: its applets include shells and network tools this checker does not unwrap" },
        { NAMES("nsenter", "unshare", "chroot", "setpriv", "runuser", "capsh", "firejail", "bwrap", "proot",
                "systemd-nspawn", "lxc-attach", "ip", "chcon", "runcon", "sandbox"),
          none, false, cj_hx_runner, NULL },
        /* ionice, chrt, taskset, eatmydata, chronic, nocache, catchsegv, setarch
         * and linux32/64 are unwrapped by the parser (shell/unwrap.c) */
        { NAMES("prlimit", "numactl", "cgexec", "fakeroot", "faketime", "unbuffer", "rlwrap", "xvfb-run",
                "dbus-run-session", "ssh-agent", "systemd-inhibit", "caffeinate", "sg", "valgrind", "perf",
                "torsocks", "proxychains", "proxychains4", "chpst", "daemonize", "start-stop-daemon", "entr",
                "inotifywait", "nodemon", "direnv", "logsave", "cpulimit", "ifne", "pv"),
          none, false, cj_hx_runner, NULL },
        { NULL, NULL, false, NULL, NULL },
};
