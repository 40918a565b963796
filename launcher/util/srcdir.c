/* SPDX-License-Identifier: MIT */
#include "srcdir.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *tree;
static pthread_once_t tree_once = PTHREAD_ONCE_INIT;

static void find_tree(void) {
        char dir[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
        if (n <= 0)
                return;
        dir[n] = '\0';
        for (int level = 0; level < CJ_SOURCE_TREE_LEVELS; level++) {
                char *slash = strrchr(dir, '/');
                if (!slash || slash == dir)
                        return;
                *slash = '\0';
                char marker[PATH_MAX + 32];
                snprintf(marker, sizeof marker, "%s/meson-info/meson-info.json", dir);
                if (access(marker, R_OK) < 0)
                        continue;
                json_t *info = json_load_file(marker, 0, NULL);
                const char *src = json_string_value(json_object_get(json_object_get(info, "directories"), "source"));
                if (src && src[0] == '/')
                        tree = strdup(src);
                json_decref(info);
                return;
        }
}

const char *cj_source_tree(void) {
        pthread_once(&tree_once, find_tree);
        return tree;
}
