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
                cj_profile_free(p);
        }
        free(text);
        return 0;
}
