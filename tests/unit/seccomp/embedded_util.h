/* SPDX-License-Identifier: MIT */
/* Shared by the unit tests that compare the build-time filters
 * (seccomp/embedded.h) with the policy files of the source tree. */
#pragma once

#include <stdlib.h>
#include <string.h>

#include "seccomp/embedded.h"
#include "util/fileio.h"
#include "util/srcdir.h"

/* The source tree's seccomp/ directory (free it). */
static inline char *source_seccomp_dir(void) {
        const char *src = getenv("CLAWJAIL_SOURCE_DIR");
        return cj_path_join(src ? src : cj_source_tree(), "seccomp");
}

/* The embedded program of the shipped policy NAME, or NULL. */
static inline const cj_seccomp_embedded *embedded_named(const char *name) {
        for (size_t i = 0; i < cj_seccomp_embedded_count; i++)
                if (strcmp(cj_seccomp_embedded_table[i].name, name) == 0)
                        return &cj_seccomp_embedded_table[i];
        return NULL;
}
