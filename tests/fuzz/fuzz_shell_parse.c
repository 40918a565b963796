/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the shell parser: parse, dump, walk (with runner
 * unwrapping), resolve every word, free.  Must never crash or leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "shell/shell.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_word(const sh_word *w, const sh_cmd_ctx *where, void *ud) {
        sh_strv v;
        if (sh_word_resolve(w, &v) >= 0) {
                for (size_t i = 0; i < v.n; i++)
                        *(size_t *) ud += v.v[i][0] != '\0';
                sh_strv_free(&v);
        }
        char *one = NULL;
        if (sh_word_resolve1(w, &one) >= 0)
                free(one);
        return 0;
}

static int on_cmd(const sh_cmd *c, void *ud) {
        for (size_t i = 0; i < c->argc; i++)
                *(size_t *) ud += c->argv[i].value[0] != '\0';
        for (size_t i = 0; i < c->nassigns; i++)
                *(size_t *) ud += c->assigns[i].value[0] != '\0';
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        sh_limits lim = { .max_input = 1u << 16, .max_nodes = 1u << 16 };
        sh_ast *ast = NULL;
        if (sh_parse((const char *) data, size, &lim, &ast, NULL) < 0)
                return 0;
        FILE *null = fopen("/dev/null", "w");
        if (null) {
                sh_ast_dump(ast, null);
                fclose(null);
        }
        size_t count = 0;
        sh_visitor v = { .simple = on_cmd, .word = on_word };
        sh_walk(ast, &v, &count);
        sh_ast_free(ast);
        return 0;
}
