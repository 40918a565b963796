/* SPDX-License-Identifier: MIT */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_MIN (64u << 10)

struct chunk {
        struct chunk *next;
        size_t size, used;
        _Alignas(16) unsigned char data[];
};

struct sh_arena {
        struct chunk *head;
        size_t used;
};

sh_arena *sh_arena_new(void) {
        return calloc(1, sizeof(sh_arena));
}

void sh_arena_free(sh_arena *a) {
        if (!a)
                return;
        struct chunk *c = a->head;
        while (c) {
                struct chunk *n = c->next;
                free(c);
                c = n;
        }
        free(a);
}

void *sh_arena_alloc(sh_arena *a, size_t size) {
        size = (size + 15) & ~(size_t) 15;
        if (size == 0)
                size = 16;
        struct chunk *c = a->head;
        if (!c || c->size - c->used < size) {
                if (size > SIZE_MAX / 2)
                        return NULL;
                size_t cs = size > CHUNK_MIN ? size : CHUNK_MIN;
                c = malloc(sizeof *c + cs);
                if (!c)
                        return NULL;
                c->size = cs;
                c->used = 0;
                /* A big one-off block goes behind the current chunk so the
                 * current chunk's free space is not abandoned. */
                if (a->head && cs > CHUNK_MIN) {
                        c->next = a->head->next;
                        a->head->next = c;
                } else {
                        c->next = a->head;
                        a->head = c;
                }
        }
        void *p = c->data + c->used;
        c->used += size;
        a->used += size;
        memset(p, 0, size);
        return p;
}

void *sh_arena_array(sh_arena *a, size_t n, size_t sz) {
        if (sz && n > SIZE_MAX / sz)
                return NULL;
        return sh_arena_alloc(a, n * sz);
}

void *sh_arena_grow(sh_arena *a, void *old, size_t old_n, size_t new_n, size_t sz) {
        void *p = sh_arena_array(a, new_n, sz);
        if (p && old && old_n)
                memcpy(p, old, old_n * sz);
        return p;
}

char *sh_arena_strndup(sh_arena *a, const char *s, size_t n) {
        if (n == SIZE_MAX)
                return NULL;
        char *p = sh_arena_alloc(a, n + 1);
        if (p && n)
                memcpy(p, s, n);
        return p;
}

size_t sh_arena_used(const sh_arena *a) {
        return a->used;
}
