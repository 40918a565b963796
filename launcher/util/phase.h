/* SPDX-License-Identifier: MIT */
#pragma once

/* Phase timing for profiling a call's cold path (docs/performance.md).
 * Compiled in only with `meson configure -Dphase_log=true`; otherwise every
 * call below is an empty inline function and costs nothing.
 *
 * cj_phase("name") closes the phase that ran since the previous mark (or
 * since process start) under that name, recording wall time, this thread's
 * CPU time and minor page faults; cj_phase_dump("who") writes the table to
 * stderr and starts a new one.  A child calls cj_phase_reset() first (its
 * clocks start at zero, the marks it inherited do not).  Only for a
 * developer's build: it prints from library code. */

#ifdef CJ_PHASE_LOG
void cj_phase(const char *name);
void cj_phase_dump(const char *who);
void cj_phase_reset(void);
#else
static inline void cj_phase(const char *name) {
        (void) name;
}
static inline void cj_phase_dump(const char *who) {
        (void) who;
}
static inline void cj_phase_reset(void) {
}
#endif
