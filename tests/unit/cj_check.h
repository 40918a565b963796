/* SPDX-License-Identifier: MIT */
#pragma once

/* Glue between `check` and meson's TAP protocol: every suite file ends with
 * CJ_CHECK_MAIN(make_suite) and prints TAP on stdout. */

#include <check.h>
#include <stdlib.h>

#define CJ_CHECK_MAIN(make_suite)                                                                                      \
        int main(void) {                                                                                               \
                SRunner *sr = srunner_create(make_suite());                                                            \
                srunner_set_tap(sr, "-");                                                                              \
                srunner_run_all(sr, CK_SILENT);                                                                        \
                int failed = srunner_ntests_failed(sr);                                                                \
                srunner_free(sr);                                                                                      \
                return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;                                                      \
        }
