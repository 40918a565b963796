/* SPDX-License-Identifier: MIT */
#pragma once

/* Bump allocator for the AST: one free() per chunk, nothing per node.
 * Internal to launcher/shell. */

#include <stddef.h>

typedef struct sh_arena sh_arena;

sh_arena *sh_arena_new(void);
void sh_arena_free(sh_arena *a);
/* Zeroed memory, 16-byte aligned; NULL on ENOMEM (or size overflow). */
void *sh_arena_alloc(sh_arena *a, size_t size);
/* n elements of size sz, overflow-checked. */
void *sh_arena_array(sh_arena *a, size_t n, size_t sz);
/* Grow an arena array from old_n to new_n elements (copies; old storage is
 * wasted, which doubling keeps within 2x). */
void *sh_arena_grow(sh_arena *a, void *old, size_t old_n, size_t new_n, size_t sz);
/* NUL-terminated copy of s[0..n). */
char *sh_arena_strndup(sh_arena *a, const char *s, size_t n);
/* Bytes handed out so far (for tests and limits). */
size_t sh_arena_used(const sh_arena *a);
