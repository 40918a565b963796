/* SPDX-License-Identifier: MIT */
/* Admission: a request picks only among what the operator allows and only
 * shortens limits, whichever front end carried it. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "../cj_check.h"
#include "pipeline/admit.h"

static const char *const allowed[] = { "build", "readonly", NULL };

START_TEST(profile_and_task) {
        cj_admit_policy pol = { .profile = "default", .allowed = allowed, .task = NULL, .request_may_choose = true };
        cj_admission a;
        ck_assert_int_eq(cj_admit_request(&pol, NULL, NULL, &a), 0);
        ck_assert_str_eq(a.profile, "default");
        ck_assert_ptr_null(a.task);
        ck_assert_int_eq(cj_admit_request(&pol, "build", "t1", &a), 0);
        ck_assert_ptr_eq(a.profile, allowed[0]); /* the operator's string, not the request's */
        ck_assert_str_eq(a.task, "t1");
        ck_assert_int_eq(cj_admit_request(&pol, "net", NULL, &a), -EPERM);
        ck_assert_str_eq(a.code, "profile_not_allowed");
        ck_assert_ptr_nonnull(strstr(a.message, "'net'"));
        ck_assert_int_eq(cj_admit_request(&pol, "bui", NULL, &a), -EPERM); /* prefix, not a name */
        ck_assert_int_eq(cj_admit_request(&pol, NULL, "../x", &a), -EINVAL);
        ck_assert_str_eq(a.code, "bad_value");

        /* The operator chose the task: a request may repeat it, never change it. */
        pol.task = "op";
        ck_assert_int_eq(cj_admit_request(&pol, NULL, "op", &a), 0);
        ck_assert_str_eq(a.task, "op");
        ck_assert_int_eq(cj_admit_request(&pol, NULL, NULL, &a), 0);
        ck_assert_str_eq(a.task, "op");
        ck_assert_int_eq(cj_admit_request(&pol, NULL, "other", &a), -EPERM);
        ck_assert_str_eq(a.code, "task_not_allowed");

        /* call and mcp: a request chooses neither. */
        pol.request_may_choose = false;
        ck_assert_int_eq(cj_admit_request(&pol, "build", NULL, &a), -EPERM);
        ck_assert_int_eq(cj_admit_request(&pol, NULL, "op", &a), -EPERM);
        ck_assert_int_eq(cj_admit_request(&pol, NULL, NULL, &a), 0);
}
END_TEST

START_TEST(timeout_only_shortens) {
        cj_profile p = { 0 };
        p.limits.wall_s = 60;
        ck_assert_int_eq(cj_admit_timeout(0, &p, false, 0), 0); /* the pipeline then uses the profile's */
        ck_assert_int_eq(cj_admit_timeout(5000, &p, false, 0), 5000);
        ck_assert_int_eq(cj_admit_timeout(0, &p, true, 10), 10000);
        ck_assert_int_eq(cj_admit_timeout(0, &p, true, 600), 60000);   /* profile ceiling */
        ck_assert_int_eq(cj_admit_timeout(5000, &p, true, 600), 5000); /* operator ceiling */
        ck_assert_int_eq(cj_admit_timeout(5000, &p, true, 1), 1000);
        ck_assert_int_eq(cj_admit_timeout(0, &p, true, 0), 1);         /* never "no limit" */
        ck_assert_int_eq(cj_admit_timeout(0, &p, true, 1e300), 60000);
        p.limits.wall_s = -1;
        ck_assert_int_eq(cj_admit_timeout(0, &p, true, 1e300), INT64_MAX);
        ck_assert_int_eq(cj_admit_timeout(0, &p, true, 0.0004), 1);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("pipeline-admit");
        TCase *tc = tcase_create("admit");
        tcase_add_test(tc, profile_and_task);
        tcase_add_test(tc, timeout_only_shortens);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
