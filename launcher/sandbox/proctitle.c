/* SPDX-License-Identifier: MIT */
#include "proctitle.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "util/cleanup.h"
#include "util/fileio.h"

/* arg_start and arg_end: fields 48 and 49 of /proc/self/stat (proc(5)). */
static int argv_area(unsigned long *start, unsigned long *end) {
        _cleanup_free_ char *stat = NULL;
        int r = cj_read_file("/proc/self/stat", 4096, &stat, NULL, NULL);
        if (r < 0)
                return r;
        const char *p = strrchr(stat, ')'); /* comm may hold spaces: count fields after it */
        if (!p)
                return -EINVAL;
        int field = 2;
        for (; *p && field < 48; p++)
                if (*p == ' ')
                        field++;
        if (sscanf(p, "%lu %lu", start, end) != 2 || *end <= *start)
                return -EINVAL;
        return 0;
}

int cj_proctitle_set(const char *title) {
        prctl(PR_SET_NAME, title);
        unsigned long start, end;
        int r = argv_area(&start, &end);
        if (r < 0)
                return r;
        char *area = (char *) start;
        size_t len = end - start;
        size_t tl = strlen(title);
        if (tl + 2 > len)
                return -ENOSPC;
        /* The title, a NUL, then non-NUL padding: with its last byte not NUL the
         * kernel reads the area as a setproctitle(3) title and stops at the
         * first NUL, so the old arguments never show. */
        memcpy(area, title, tl);
        area[tl] = '\0';
        memset(area + tl + 1, ' ', len - tl - 1);
        return 0;
}
