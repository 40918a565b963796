/* SPDX-License-Identifier: MIT */
#include "srcdir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *tree;
static pthread_once_t tree_once = PTHREAD_ONCE_INIT;

/* The marker's one line: an absolute path, then a newline. */
static void read_marker(int fd) {
        char buf[PATH_MAX + 1];
        size_t len = 0;
        for (;;) {
                ssize_t n = read(fd, buf + len, sizeof buf - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return;
                if (n == 0)
                        break;
                len += (size_t) n;
                if (len == sizeof buf)
                        return; /* longer than a path */
        }
        if (len < 2 || buf[0] != '/' || buf[len - 1] != '\n' || memchr(buf, '\0', len))
                return;
        buf[len - 1] = '\0';
        if (!strchr(buf, '\n'))
                tree = strdup(buf);
}

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
                char marker[PATH_MAX + sizeof CJ_SOURCE_TREE_MARKER + 1];
                snprintf(marker, sizeof marker, "%s/" CJ_SOURCE_TREE_MARKER, dir);
                int fd = open(marker, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (fd < 0)
                        continue;
                read_marker(fd); /* the first marker decides, even an unusable one */
                close(fd);
                return;
        }
}

const char *cj_source_tree(void) {
        pthread_once(&tree_once, find_tree);
        return tree;
}
