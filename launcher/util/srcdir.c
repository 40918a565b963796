/* SPDX-License-Identifier: MIT */
#include "srcdir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *tree;
static pthread_once_t tree_once = PTHREAD_ONCE_INIT;

/* The marker's one line, read into buf (size PATH_MAX + 1): an absolute
 * path, then a newline. */
static void read_marker(int fd, char *buf) {
        size_t len = 0;
        for (;;) {
                ssize_t n = read(fd, buf + len, PATH_MAX + 1 - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return;
                if (n == 0)
                        break;
                len += (size_t) n;
                if (len == PATH_MAX + 1)
                        return; /* longer than a path */
        }
        if (len < 2 || buf[0] != '/' || buf[len - 1] != '\n' || memchr(buf, '\0', len))
                return;
        buf[len - 1] = '\0';
        if (!strchr(buf, '\n'))
                tree = strdup(buf);
}

/* One path buffer for the walk, the marker's name and its contents: each
 * further 4 KB of stack is a page fault of its own on every call. */
static void find_tree(void) {
        char dir[PATH_MAX + 1];
        ssize_t n = readlink("/proc/self/exe", dir, PATH_MAX);
        if (n <= 0 || n >= PATH_MAX)
                return;
        dir[n] = '\0';
        static const char marker[] = "/" CJ_SOURCE_TREE_MARKER;
        for (int level = 0; level < CJ_SOURCE_TREE_LEVELS; level++) {
                char *slash = strrchr(dir, '/');
                if (!slash || slash == dir)
                        return;
                size_t len = (size_t) (slash - dir);
                if (len + sizeof marker > sizeof dir)
                        return;
                memcpy(slash, marker, sizeof marker);
                int fd = open(dir, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                dir[len] = '\0';
                if (fd < 0)
                        continue;
                read_marker(fd, dir); /* the first marker decides, even an unusable one */
                close(fd);
                return;
        }
}

const char *cj_source_tree(void) {
        pthread_once(&tree_once, find_tree);
        return tree;
}
