/* SPDX-License-Identifier: MIT */
/* A cross build cannot run the build-time policy compiler (embed_gen.c):
 * no embedded filters, so every policy is compiled when it is used. */
#include "seccomp/embedded.h"

const cj_seccomp_embedded *const cj_seccomp_embedded_table = NULL;
const size_t cj_seccomp_embedded_count = 0;
