/* SPDX-License-Identifier: MIT */
/* The tracker's own overhead per tracked call: open + admit + start + end
 * (each with its journal fdatasync and atomic state.json), no sandbox.
 * Usage: tracker_calls STATE_DIR N.  Prints calls/second and us/call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tracker/tracker.h"
#include "util/json.h"

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
        if (argc != 3) {
                fprintf(stderr, "usage: %s STATE_DIR N\n", argv[0]);
                return 2;
        }
        long n = strtol(argv[2], NULL, 10);
        cj_call_outcome o = { .status = "ok", .exit_code = 0, .duration_ms = 1, .peak_memory_bytes = -1 };
        cj_sha256_hex("", 0, o.stdout_sha256);
        cj_sha256_hex("", 0, o.stderr_sha256);
        _cleanup_json_ json_t *f = json_pack("{s:s,s:s,s:s}", "tool", "exec", "command", "true", "cwd", "/");
        double t0 = now();
        for (long i = 0; i < n; i++) {
                cj_task *t = NULL;
                cj_error e = { 0 };
                char *refusal = NULL;
                uint64_t seq;
                if (cj_task_open(argv[1], "bench", NULL, &t, &e) < 0 || cj_task_admit(t, &refusal, &e) != 0 ||
                    cj_task_call_start(t, f, &seq, &e) < 0 || cj_task_call_end(t, seq, &o, NULL, NULL, &e) < 0) {
                        fprintf(stderr, "call %ld: %s\n", i, e.msg);
                        return 1;
                }
                cj_task_free(t);
        }
        double dt = now() - t0;
        printf("tracked calls (open+admit+start+end, no sandbox): %ld in %.3f s: %.0f calls/s, %.1f us/call\n", n, dt,
               (double) n / dt, dt / (double) n * 1e6);
        return 0;
}
