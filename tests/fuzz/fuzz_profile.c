/* SPDX-License-Identifier: MIT */
/* Profiles are operator input, but a typo must never crash clawjail: any
 * bytes either load into a profile whose invariants hold, or fail with a
 * message.  `extends` resolves through $CLAWJAIL_PROFILE_PATH, which the
 * harness points at an empty directory so only the input itself is read. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profile/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static int once;
        if (!once) {
                setenv("CLAWJAIL_PROFILE_PATH", "/nonexistent-clawjail-fuzz", 1);
                once = 1;
        }
        if (size > CJ_PROFILE_FILE_MAX)
                return 0;
        char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        static const cj_profile_vars vars = { .cwd = "/work/ws", .home = "/home/u", .task_dir = "/state/t" };
        cj_profile *p = NULL;
        cj_error err = { 0 };
        int r = cj_profile_load_string(text, "fuzz.json", &vars, &p, &err);
        if (r < 0) {
                if (!err.msg[0] || p)
                        abort(); /* every failure says why, and returns nothing */
        } else {
                /* Invariants of a loaded profile. */
                if (!p || !p->sha256 || strlen(p->sha256) != 64 || !p->seccomp || p->run_as_uid == 0)
                        abort();
                for (size_t i = 0; p->fs_rw && p->fs_rw[i]; i++)
                        if (p->fs_rw[i][0] != '/')
                                abort();
                for (size_t i = 0; i < p->n_rules; i++)
                        if (!p->rules[i].match || !p->rules[i].match[0])
                                abort();
                /* Limits stay within the schema's maxima, so the sandbox's
                 * products (MiB -> bytes, s -> ms) cannot overflow. */
                const cj_limits *l = &p->limits;
                int64_t v;
                if (l->memory_mb > CJ_LIMIT_MEMORY_MB_MAX || l->fsize_mb > CJ_LIMIT_FSIZE_MB_MAX ||
                    l->pids > CJ_LIMIT_PIDS_MAX || l->cpu_s > CJ_LIMIT_SECONDS_MAX ||
                    l->wall_s > CJ_LIMIT_SECONDS_MAX || l->nofile > CJ_LIMIT_NOFILE_MAX ||
                    l->output_bytes > CJ_LIMIT_OUTPUT_BYTES_MAX || l->memory_mb < CJ_PROFILE_UNLIMITED ||
                    (l->memory_mb >= 0 && cj_limit_scale(l->memory_mb, 1 << 20, &v) < 0) ||
                    (l->fsize_mb >= 0 && cj_limit_scale(l->fsize_mb, 1 << 20, &v) < 0) ||
                    (l->wall_s >= 0 && cj_limit_scale(l->wall_s, 1000, &v) < 0))
                        abort();
                const cj_budget *b = &p->budget;
                if (b->calls > CJ_BUDGET_CALLS_MAX || b->wall_s > CJ_BUDGET_SECONDS_MAX ||
                    b->cpu_s > CJ_BUDGET_SECONDS_MAX || b->output_bytes > CJ_BUDGET_OUTPUT_BYTES_MAX ||
                    b->tokens > CJ_BUDGET_TOKENS_MAX || b->cost_usd > CJ_BUDGET_COST_USD_MAX ||
                    b->repeat_limit > CJ_BUDGET_REPEAT_MAX || b->stall_limit > CJ_BUDGET_REPEAT_MAX)
                        abort();
                cj_profile_free(p);
        }
        free(text);
        return 0;
}
