/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

size_t cj_strv_len(char *const *v) {
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

int cj_strv_push_take(cj_strv *v, char *s) {
        if (!s)
                return -ENOMEM;
        size_t n = cj_strv_len(*v);
        char **nv = realloc(*v, (n + 2) * sizeof *nv);
        if (!nv) {
                free(s);
                return -ENOMEM;
        }
        nv[n] = s;
        nv[n + 1] = NULL;
        *v = nv;
        return 0;
}

int cj_strv_push(cj_strv *v, const char *s) {
        return cj_strv_push_take(v, strdup(s));
}

bool cj_strv_contains(char *const *v, const char *s) {
        for (size_t i = 0; v && v[i]; i++)
                if (strcmp(v[i], s) == 0)
                        return true;
        return false;
}

void cj_strv_free(cj_strv v) {
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
}
