/* SPDX-License-Identifier: MIT */
/* Replays a fuzz target's saved inputs as an ordinary test, so every input a
 * fuzzer once found stays a regression test in the normal suite (no clang
 * needed).  Usage: replay-NAME DIR...  Prints TAP, one line per input. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fileio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_INPUT_MAX (4u << 20)

static int cmp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int main(int argc, char **argv) {
        char **files = NULL;
        size_t n = 0;
        for (int i = 1; i < argc; i++) {
                _cleanup_closedir_ DIR *d = opendir(argv[i]);
                if (!d) {
                        printf("Bail out! cannot open %s\n", argv[i]);
                        return 1;
                }
                struct dirent *de;
                while ((de = readdir(d))) {
                        if (de->d_name[0] == '.')
                                continue;
                        files = realloc(files, (n + 1) * sizeof *files);
                        if (!files)
                                return 1;
                        files[n++] = cj_path_join(argv[i], de->d_name);
                }
        }
        qsort(files, n, sizeof *files, cmp);
        printf("1..%zu\n", n);
        if (n == 0)
                printf("# no saved inputs\n");
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *buf = NULL;
                size_t len = 0;
                if (cj_read_file(files[i], REPLAY_INPUT_MAX, &buf, &len, NULL) < 0) {
                        printf("not ok %zu - %s (unreadable)\n", i + 1, files[i]);
                        continue;
                }
                LLVMFuzzerTestOneInput((const uint8_t *) buf, len);
                printf("ok %zu - %s\n", i + 1, files[i]);
                free(files[i]);
        }
        free(files);
        return 0;
}
