/* SPDX-License-Identifier: MIT */
/* Helper for tests and debugging: parse the command given as argv[1] (or
 * stdin with no argument) and print the AST dump, or the error on stderr.
 * Exit 0 ok, 2 syntax error, 3 limit, 1 other. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "shell/shell.h"
#include "util/cleanup.h"
#include "util/fileio.h"

/* -w: one line per simple command: via chain, flags, argv. */
static int print_cmd(const sh_cmd *c, void *ud) {
        (void) ud;
        printf("cmd");
        for (size_t i = 0; i < c->ctx.nvia; i++)
                printf(" [%s]", c->ctx.via[i].runner);
        printf(" ctx=%#x depth=%u", c->ctx.flags, c->ctx.depth);
        if (c->ctx.function_name)
                printf(" fn=%s", c->ctx.function_name);
        for (size_t i = 0; i < c->nassigns; i++)
                printf(" %s=<%s>", c->assigns[i].name, c->assigns[i].value);
        for (size_t i = 0; i < c->argc; i++)
                printf(" <%s>%s@%u+%u", c->argv[i].value, (c->argv[i].flags & SH_ARG_DYNAMIC) ? "*" : "",
                       c->argv[i].span.off, c->argv[i].span.len);
        for (size_t i = 0; i < c->nredirs; i++)
                printf(" redir<%s>", c->redirs[i].target);
        printf("\n");
        return 0;
}

static int print_unresolved(const sh_cmd *c, const char *why, void *ud) {
        (void) ud;
        printf("unresolved %s: %s\n", c->argc ? c->argv[0].value : "", why);
        return 0;
}

int main(int argc, char **argv) {
        bool walk = argc > 1 && strcmp(argv[1], "-w") == 0;
        if (walk) {
                argv++;
                argc--;
        }
        _cleanup_free_ char *buf = NULL;
        size_t len;
        if (argc > 1) {
                len = strlen(argv[1]);
        } else {
                if (cj_read_fd(0, 64u << 20, &buf, &len, NULL) < 0)
                        return 1;
        }
        const char *src = argc > 1 ? argv[1] : buf;
        sh_ast *ast = NULL;
        cj_error err = { 0 };
        int r = sh_parse(src, len, NULL, &ast, &err);
        if (r < 0) {
                fprintf(stderr, "%s\n", cj_error_message(&err, r));
                return r == -EINVAL ? 2 : r == -E2BIG ? 3 : 1;
        }
        if (walk) {
                sh_visitor v = { .simple = print_cmd, .unresolved = print_unresolved };
                r = sh_walk(ast, &v, NULL);
        } else
                sh_ast_dump(ast, stdout);
        sh_ast_free(ast);
        return 0;
}
