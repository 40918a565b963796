/* SPDX-License-Identifier: MIT */
#include "proctitle.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>

static char *area_start, *area_end;

void cj_proctitle_init(int argc, char **argv) {
        for (int i = 0; i < argc; i++) {
                char *end = argv[i] + strlen(argv[i]) + 1;
                if (!area_start || argv[i] < area_start)
                        area_start = argv[i];
                if (end > area_end)
                        area_end = end;
        }
}

int cj_proctitle_set(const char *title) {
        prctl(PR_SET_NAME, title);
        if (!area_start)
                return -ENOENT;
        char *area = area_start;
        size_t len = (size_t) (area_end - area_start);
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
