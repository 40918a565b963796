/* SPDX-License-Identifier: MIT */
/* cj_seccomp_policy -> libseccomp filter -> BPF program or readable text,
 * plus where policies are looked up. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "policy_internal.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/srcdir.h"

CJ_DEFINE_TRIVIAL_CLEANUP_FUNC(scmp_filter_ctx, seccomp_release);

/* Build the libseccomp filter.  Non-native arches (and x32 on x86_64, which
 * libseccomp folds into the same check) hit the bad-arch action. */
static int build_filter(const cj_seccomp_policy *p, scmp_filter_ctx *out, cj_error *err) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = seccomp_init(p->default_action);
        if (!ctx)
                return cj_error_set(err, EINVAL, "%s: libseccomp refused the default action", p->path);
        int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        if (r < 0)
                return cj_error_set(err, r, "%s: cannot set the bad-arch action: %s", p->path, strerror(-r));
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        if (r < 0)
                return cj_error_set(err, r, "%s: cannot enable the binary-tree layout: %s", p->path, strerror(-r));
        for (size_t i = 0; i < p->n_rules; i++) {
                const cj_seccomp_rule *rule = &p->rules[i];
                if (rule->action == p->default_action)
                        continue; /* libseccomp rejects these; they change nothing */
                r = seccomp_rule_add_array(ctx, rule->action, rule->nr, rule->n_conds, rule->conds);
                if (r < 0)
                        return cj_error_set(err, r, "%s:%u: %s: libseccomp rejected the rule: %s", rule->file,
                                            rule->line, rule->name,
                                            r == -EEXIST ? "it conflicts with an earlier rule" : strerror(-r));
        }
        *out = TAKE_PTR(ctx);
        return 0;
}

int cj_seccomp_policy_compile_bpf(const cj_seccomp_policy *p, struct sock_filter **prog, size_t *len,
                                  cj_error *err) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r = build_filter(p, &ctx, err);
        if (r < 0)
                return r;
        /* libseccomp 2.5 exports only to an fd. */
        _cleanup_close_ int fd = memfd_create("cj-seccomp-bpf", MFD_CLOEXEC);
        if (fd < 0)
                return cj_error_seterrno(err, errno, "memfd_create");
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return cj_error_set(err, r, "%s: exporting the BPF program failed: %s", p->path, strerror(-r));
        if (lseek(fd, 0, SEEK_SET) < 0)
                return cj_error_seterrno(err, errno, "lseek");
        _cleanup_free_ char *buf = NULL;
        size_t n = 0;
        r = cj_read_fd(fd, (CJ_SECCOMP_BPF_MAX + 1) * sizeof(struct sock_filter), &buf, &n, NULL);
        if (r == -EFBIG || n > CJ_SECCOMP_BPF_MAX * sizeof(struct sock_filter))
                return cj_error_set(err, E2BIG, "%s: the filter exceeds the kernel's %u instructions", p->path,
                                    CJ_SECCOMP_BPF_MAX);
        if (r < 0)
                return cj_error_set(err, r, "%s: reading the BPF program back failed: %s", p->path, strerror(-r));
        if (n == 0 || n % sizeof(struct sock_filter) != 0)
                return cj_error_set(err, EIO, "%s: libseccomp exported a malformed program (%zu bytes)", p->path, n);
        *prog = (struct sock_filter *) TAKE_PTR(buf);
        *len = n / sizeof(struct sock_filter);
        return 0;
}

int cj_seccomp_policy_export(const cj_seccomp_policy *p, int fd, bool bpf, cj_error *err) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r = build_filter(p, &ctx, err);
        if (r < 0)
                return r;
        r = bpf ? seccomp_export_bpf(ctx, fd) : seccomp_export_pfc(ctx, fd);
        if (r < 0)
                return cj_error_set(err, r, "%s: export failed: %s", p->path, strerror(-r));
        return 0;
}

/* ---- canonical text ------------------------------------------------------ */

static void put_action(FILE *f, uint32_t action) {
        switch (action & 0xffff0000u) { /* SECCOMP_RET_ACTION_FULL */
        case SCMP_ACT_ALLOW:
                fputs("allow", f);
                break;
        case SCMP_ACT_KILL_PROCESS:
                fputs("kill", f);
                break;
        case SCMP_ACT_LOG:
                fputs("log", f);
                break;
        case SCMP_ACT_TRAP:
                fputs("trap", f);
                break;
        default:
                fprintf(f, "errno %u", action & 0xffffu);
        }
}

static const char *op_text(enum scmp_compare op) {
        switch (op) {
        case SCMP_CMP_NE:
                return "!=";
        case SCMP_CMP_LT:
                return "<";
        case SCMP_CMP_LE:
                return "<=";
        case SCMP_CMP_GT:
                return ">";
        case SCMP_CMP_GE:
                return ">=";
        default:
                return "==";
        }
}

char *cj_seccomp_policy_to_string(const cj_seccomp_policy *p, bool origins) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        for (size_t i = 0; i < p->n_decls; i++)
                fprintf(f, "@syscall %s %d\n", p->decls[i].name, p->decls[i].unified_nr);
        fputs("default ", f);
        put_action(f, p->default_action);
        fputc('\n', f);
        for (size_t i = 0; i < p->n_rules; i++) {
                const cj_seccomp_rule *r = &p->rules[i];
                put_action(f, r->action);
                fprintf(f, " %s", r->name);
                for (unsigned c = 0; c < r->n_conds; c++) {
                        const struct scmp_arg_cmp *a = &r->conds[c];
                        fputs(c == 0 ? " if " : " && ", f);
                        if (a->op == SCMP_CMP_MASKED_EQ)
                                fprintf(f, "arg%u & 0x%llx == 0x%llx", a->arg, (unsigned long long) a->datum_a,
                                        (unsigned long long) a->datum_b);
                        else
                                fprintf(f, "arg%u %s 0x%llx", a->arg, op_text(a->op),
                                        (unsigned long long) a->datum_a);
                }
                if (origins)
                        fprintf(f, " # %s:%u", r->file, r->line);
                fputc('\n', f);
        }
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

/* ---- search path ------------------------------------------------------------ */

static const char *search_dirs[CJ_SECCOMP_SEARCH_DIRS_MAX + 4];
static char *search_env, *search_src;
static pthread_once_t search_once = PTHREAD_ONCE_INIT;

static void init_search_dirs(void) {
        size_t n = 0;
        const char *env = getenv("CLAWJAIL_SECCOMP_PATH");
        if (env && (search_env = strdup(env))) {
                char *save = NULL;
                for (char *d = strtok_r(search_env, ":", &save); d && n < CJ_SECCOMP_SEARCH_DIRS_MAX;
                     d = strtok_r(NULL, ":", &save))
                        search_dirs[n++] = d;
        }
        search_dirs[n++] = CJ_SYSCONFDIR "/seccomp";
        search_dirs[n++] = CJ_DATADIR "/seccomp";
        const char *src = cj_source_tree(); /* run uninstalled from a build dir */
        if (src && (search_src = cj_path_join(src, "seccomp")))
                search_dirs[n++] = search_src;
        search_dirs[n] = NULL;
}

const char *const *cj_seccomp_default_search_dirs(void) {
        pthread_once(&search_once, init_search_dirs);
        return search_dirs;
}
