/* SPDX-License-Identifier: MIT */
/* A classic-BPF interpreter for the instructions seccomp accepts, and the
 * errno -> user-notification rewrite (see bpf.h). */
#include "seccomp/bpf.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#define BPF_MEMWORDS_SECCOMP 16 /* BPF_MEMWORDS: scratch slots M[0..15] */

static int load_data(const struct seccomp_data *d, uint32_t off, uint32_t *v) {
        /* The kernel accepts only aligned 32-bit loads inside seccomp_data. */
        if (off % 4 != 0 || off > sizeof *d - 4)
                return -EINVAL;
        memcpy(v, (const char *) d + off, sizeof *v);
        return 0;
}

static int alu(uint16_t op, uint32_t *a, uint32_t x) {
        switch (op) {
        case BPF_ADD:
                *a += x;
                return 0;
        case BPF_SUB:
                *a -= x;
                return 0;
        case BPF_MUL:
                *a *= x;
                return 0;
        case BPF_DIV:
                if (x == 0)
                        return -EINVAL; /* the kernel would kill; never a verdict to reproduce */
                *a /= x;
                return 0;
        case BPF_AND:
                *a &= x;
                return 0;
        case BPF_OR:
                *a |= x;
                return 0;
        case BPF_XOR:
                *a ^= x;
                return 0;
        case BPF_LSH:
                *a = x >= 32 ? 0 : *a << x;
                return 0;
        case BPF_RSH:
                *a = x >= 32 ? 0 : *a >> x;
                return 0;
        case BPF_NEG:
                *a = -*a;
                return 0;
        default:
                return -EINVAL;
        }
}

int cj_seccomp_bpf_run(const struct sock_filter *prog, size_t len, const struct seccomp_data *d, uint32_t *action) {
        uint32_t a = 0, x = 0, mem[BPF_MEMWORDS_SECCOMP] = { 0 };
        if (len == 0 || len > BPF_MAXINSNS)
                return -EINVAL;
        /* Jumps only go forward, so pc strictly grows: at most len steps. */
        for (size_t pc = 0; pc < len; pc++) {
                const struct sock_filter *f = &prog[pc];
                uint16_t code = f->code;
                uint32_t k = f->k;
                int r = 0;
                switch (BPF_CLASS(code)) {
                case BPF_LD:
                        if (code == (BPF_LD | BPF_W | BPF_ABS))
                                r = load_data(d, k, &a);
                        else if (code == (BPF_LD | BPF_W | BPF_LEN))
                                a = sizeof *d;
                        else if (code == (BPF_LD | BPF_IMM))
                                a = k;
                        else if (code == (BPF_LD | BPF_MEM) && k < BPF_MEMWORDS_SECCOMP)
                                a = mem[k];
                        else
                                r = -EINVAL;
                        break;
                case BPF_LDX:
                        if (code == (BPF_LDX | BPF_W | BPF_LEN))
                                x = sizeof *d;
                        else if (code == (BPF_LDX | BPF_IMM))
                                x = k;
                        else if (code == (BPF_LDX | BPF_MEM) && k < BPF_MEMWORDS_SECCOMP)
                                x = mem[k];
                        else
                                r = -EINVAL;
                        break;
                case BPF_ST:
                case BPF_STX:
                        if (code != BPF_ST && code != BPF_STX)
                                return -EINVAL;
                        if (k >= BPF_MEMWORDS_SECCOMP)
                                return -EINVAL;
                        mem[k] = code == BPF_ST ? a : x;
                        break;
                case BPF_ALU:
                        r = alu(BPF_OP(code), &a, BPF_SRC(code) == BPF_X ? x : k);
                        break;
                case BPF_JMP: {
                        size_t skip;
                        if (BPF_OP(code) == BPF_JA) {
                                if (code != (BPF_JMP | BPF_JA))
                                        return -EINVAL;
                                skip = k;
                        } else {
                                uint32_t v = BPF_SRC(code) == BPF_X ? x : k;
                                bool t;
                                switch (BPF_OP(code)) {
                                case BPF_JEQ:
                                        t = a == v;
                                        break;
                                case BPF_JGT:
                                        t = a > v;
                                        break;
                                case BPF_JGE:
                                        t = a >= v;
                                        break;
                                case BPF_JSET:
                                        t = (a & v) != 0;
                                        break;
                                default:
                                        return -EINVAL;
                                }
                                skip = t ? f->jt : f->jf;
                        }
                        if (skip >= len - pc - 1)
                                return -EINVAL; /* lands past the last instruction */
                        pc += skip;
                        break;
                }
                case BPF_RET:
                        if (code == (BPF_RET | BPF_K))
                                *action = k;
                        else if (code == (BPF_RET | BPF_A))
                                *action = a;
                        else
                                return -EINVAL;
                        return 0;
                case BPF_MISC:
                        if (code == (BPF_MISC | BPF_TAX))
                                x = a;
                        else if (code == (BPF_MISC | BPF_TXA))
                                a = x;
                        else
                                r = -EINVAL;
                        break;
                default:
                        r = -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        return -EINVAL; /* fell off the end: the kernel refuses such a program */
}

/* The errno prog answers nr with whatever its arguments, or -1.  Sampled:
 * zeros, all ones, and values either side of the usual size and flag bounds. */
static int constant_errno(const struct sock_filter *prog, size_t len, uint32_t arch, int nr) {
        static const uint64_t samples[] = { 0, 1, 0x40, 0x58, 0x7fffffff, 0xffffffff, 0x100000000ull, ~0ull };
        int e = -1;
        for (size_t s = 0; s < sizeof samples / sizeof samples[0]; s++)
                for (unsigned a = 0; a < 6; a++) {
                        struct seccomp_data d = { .nr = nr, .arch = arch };
                        d.args[a] = samples[s];
                        uint32_t act;
                        if (cj_seccomp_bpf_run(prog, len, &d, &act) < 0 ||
                            (act & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ERRNO)
                                return -1;
                        int this = (int) (act & SECCOMP_RET_DATA);
                        if (e >= 0 && this != e)
                                return -1;
                        e = this;
                }
        return e;
}

int cj_seccomp_bpf_to_notify(const struct sock_filter *prog, size_t len, uint32_t arch, const int *quiet,
                             size_t n_quiet, struct sock_filter *out, size_t cap, size_t *out_len) {
        /* Prefix: if (arch == ARCH) { A = nr; if (A == q) return ERRNO|e; ... } then prog. */
        struct sock_filter pre[3 + 2 * CJ_SECCOMP_QUIET_MAX];
        size_t np = 0;
        int qnr[CJ_SECCOMP_QUIET_MAX], qerr[CJ_SECCOMP_QUIET_MAX];
        size_t nq = 0;
        for (size_t i = 0; i < n_quiet && nq < CJ_SECCOMP_QUIET_MAX; i++) {
                int e = constant_errno(prog, len, arch, quiet[i]);
                if (e >= 0) {
                        qnr[nq] = quiet[i];
                        qerr[nq++] = e;
                }
        }
        if (nq) {
                size_t body = 1 + 2 * nq; /* after the arch test: load nr, then a test and a return per syscall */
                pre[np++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
                pre[np++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 0, (uint8_t) body);
                pre[np++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
                for (size_t i = 0; i < nq; i++) {
                        pre[np++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t) qnr[i], 0, 1);
                        pre[np++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K,
                                                                  SECCOMP_RET_ERRNO | ((uint32_t) qerr[i] & SECCOMP_RET_DATA));
                }
        }
        if (len + np > cap || len + np > BPF_MAXINSNS)
                return -E2BIG;
        memcpy(out, pre, np * sizeof *pre);
        out += np;
        *out_len = len + np;
        int n = 0;
        for (size_t i = 0; i < len; i++) {
                out[i] = prog[i];
                if (prog[i].code == (BPF_RET | BPF_A))
                        return -EOPNOTSUPP;
                if (prog[i].code == (BPF_RET | BPF_K) &&
                    (prog[i].k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO) {
                        out[i].k = SECCOMP_RET_USER_NOTIF;
                        n++;
                }
        }
        return n;
}
