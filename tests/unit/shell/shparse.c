/* SPDX-License-Identifier: MIT */
/* Helper for tests and debugging: parse the command given as argv[1] (or
 * stdin with no argument) and print the AST dump, or the error on stderr.
 * Exit 0 ok, 2 syntax error, 3 limit, 1 other. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "shell/shell.h"
#include "util/cleanup.h"
#include "util/fileio.h"

int main(int argc, char **argv) {
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
        sh_ast_dump(ast, stdout);
        sh_ast_free(ast);
        return 0;
}
