/* SPDX-License-Identifier: MIT */
#include "phase.h"

#ifdef CJ_PHASE_LOG
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

enum { PHASE_MAX = 64 };

typedef struct mark {
        const char *name;
        int64_t wall_ns, cpu_ns;
        long minflt, vcsw, ivcsw;
} mark;

static mark marks[PHASE_MAX];
static size_t n_marks;

static int64_t ns(clockid_t id) {
        struct timespec ts;
        clock_gettime(id, &ts);
        return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void take(const char *name) {
        if (n_marks >= PHASE_MAX)
                return;
        struct rusage ru;
        getrusage(RUSAGE_THREAD, &ru);
        marks[n_marks++] = (mark){ name, ns(CLOCK_MONOTONIC), ns(CLOCK_THREAD_CPUTIME_ID), ru.ru_minflt, ru.ru_nvcsw,
                                   ru.ru_nivcsw };
}

/* A new process's thread CPU clock and fault count start at zero, so the
 * first phase carries what ran before the first mark (exec, the dynamic
 * loader); its wall time is not known and shows as 0. */
static void start(void) {
        n_marks = 0;
        marks[n_marks++] = (mark){ "(start)", ns(CLOCK_MONOTONIC), 0, 0 };
}

void cj_phase(const char *name) {
        if (n_marks == 0)
                start();
        take(name);
}

void cj_phase_reset(void) {
        start();
}

void cj_phase_dump(const char *who) {
        char line[160];
        for (size_t i = 1; i < n_marks; i++) {
                int n = snprintf(line, sizeof line, "phase %-8s %-22s wall %7.3f ms  cpu %7.3f ms  minflt %4ld  csw %ld/%ld  at %.3f\n",
                                 who, marks[i].name, (double) (marks[i].wall_ns - marks[i - 1].wall_ns) / 1e6,
                                 (double) (marks[i].cpu_ns - marks[i - 1].cpu_ns) / 1e6,
                                 marks[i].minflt - marks[i - 1].minflt, marks[i].vcsw - marks[i - 1].vcsw,
                                 marks[i].ivcsw - marks[i - 1].ivcsw, (double) marks[i].wall_ns / 1e6);
                if (n > 0)
                        (void) !write(2, line, (size_t) n < sizeof line ? (size_t) n : sizeof line - 1);
        }
        start();
}
#endif
