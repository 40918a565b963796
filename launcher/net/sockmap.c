/* SPDX-License-Identifier: MIT */
/* The in-kernel relay: a sockhash and an SK_SKB verdict program, written as
 * raw instructions for bpf(2) (sockmap.h). */
#include "sockmap.h"

#include <errno.h>
#include <linux/bpf.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <linux/tcp.h> /* struct tcp_info with tcpi_bytes_acked */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

/* One socket's entry in the links map: who its peer is, which slot counts it. */
typedef struct link_val {
        uint64_t peer;  /* the peer's socket cookie: its key in the sockhash */
        uint32_t slot;  /* index in the slots array (1 + 2 * pair + dir) */
        uint32_t pad;
} link_val;

/* One socket's counters, in the memory-mapped slots array (slot 0 is the budget). */
typedef struct slot_val {
        uint64_t bytes;   /* forwarded by the program */
        uint32_t stopped; /* hand further bytes to the socket itself */
        uint32_t pad;
} slot_val;

_Static_assert(sizeof(slot_val) == sizeof(cj_sockmap_budget), "slot 0 holds the budget");

#define CAS_TRIES 64 /* budget compare-and-swap attempts before handing a chunk to the proxy */

struct cj_sockmap {
        int links, socks, slots, prog;
        size_t max_links;
        slot_val *mem; /* the slots array, mapped */
        size_t mem_len;
        uint64_t cookie[][2]; /* per pair: the two sockets' cookies (0: free) */
};

static int sys_bpf(int cmd, union bpf_attr *attr) {
        return (int) syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

static int map_create(uint32_t type, uint32_t key, uint32_t value, uint32_t entries, uint32_t flags) {
        union bpf_attr a;
        memset(&a, 0, sizeof a);
        a.map_type = type;
        a.key_size = key;
        a.value_size = value;
        a.max_entries = entries;
        a.map_flags = flags;
        int fd = sys_bpf(BPF_MAP_CREATE, &a);
        return fd < 0 ? -errno : fd;
}

static int map_update(int map, const void *key, const void *value, uint64_t flags) {
        union bpf_attr a;
        memset(&a, 0, sizeof a);
        a.map_fd = (uint32_t) map;
        a.key = (uintptr_t) key;
        a.value = (uintptr_t) value;
        a.flags = flags;
        return sys_bpf(BPF_MAP_UPDATE_ELEM, &a) < 0 ? -errno : 0;
}

static int map_delete(int map, const void *key) {
        union bpf_attr a;
        memset(&a, 0, sizeof a);
        a.map_fd = (uint32_t) map;
        a.key = (uintptr_t) key;
        return sys_bpf(BPF_MAP_DELETE_ELEM, &a) < 0 ? -errno : 0;
}

/* ---- the program ----------------------------------------------------------- */

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOV_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD_IMM(d, i) INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define SUB_REG(d, s) INSN(BPF_ALU64 | BPF_SUB | BPF_X, d, s, 0, 0)
#define LDX(sz, d, s, o) INSN(BPF_LDX | (sz) | BPF_MEM, d, s, o, 0)
#define STX(sz, d, s, o) INSN(BPF_STX | (sz) | BPF_MEM, d, s, o, 0)
#define ST(sz, d, o, i) INSN(BPF_ST | (sz) | BPF_MEM, d, 0, o, i)
#define ATOMIC(d, s, o, op) INSN(BPF_STX | BPF_DW | BPF_ATOMIC, d, s, o, op)
#define JMP_IMM(op, d, i, o) INSN(BPF_JMP | (op) | BPF_K, d, 0, o, i)
#define JMP_REG(op, d, s, o) INSN(BPF_JMP | (op) | BPF_X, d, s, o, 0)
#define JA(o) INSN(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define CALL(f) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define LD_MAP(d, fd) INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd), INSN(0, 0, 0, 0, 0)

/* Labels are instruction numbers; J(from, to) is a jump's offset. */
enum {
        L_LOOP = 37,
        L_STOP = 46,
        L_REDIR = 48,
        L_FAIL = 59,
        L_PASS = 63,
        L_DROP = 65,
        L_END = 67,
};
#define J(from, to) ((to) - (from) - 1)

/*
 * r6 ctx, r7 link then budget, r8 this socket's slot, r9 length.
 * Stack: -8 cookie, -16 peer cookie, -20 slot key, -24 budget key (0).
 */
static size_t program(struct bpf_insn *p, int links, int socks, int slots) {
        const struct bpf_insn insns[] = {
                /*  0 */ MOV_REG(BPF_REG_6, BPF_REG_1),
                /*  1 */ CALL(BPF_FUNC_get_socket_cookie),
                /*  2 */ STX(BPF_DW, BPF_REG_10, BPF_REG_0, -8),
                /*  3 */ LD_MAP(BPF_REG_1, links),
                /*  5 */ MOV_REG(BPF_REG_2, BPF_REG_10),
                /*  6 */ ADD_IMM(BPF_REG_2, -8),
                /*  7 */ CALL(BPF_FUNC_map_lookup_elem),
                /*  8 */ JMP_IMM(BPF_JEQ, BPF_REG_0, 0, J(8, L_PASS)), /* not linked (any more) */
                /*  9 */ MOV_REG(BPF_REG_7, BPF_REG_0),
                /* 10 */ LDX(BPF_DW, BPF_REG_1, BPF_REG_7, 0),
                /* 11 */ STX(BPF_DW, BPF_REG_10, BPF_REG_1, -16),
                /* 12 */ LDX(BPF_W, BPF_REG_1, BPF_REG_7, 8),
                /* 13 */ STX(BPF_W, BPF_REG_10, BPF_REG_1, -20),
                /* 14 */ LD_MAP(BPF_REG_1, slots),
                /* 16 */ MOV_REG(BPF_REG_2, BPF_REG_10),
                /* 17 */ ADD_IMM(BPF_REG_2, -20),
                /* 18 */ CALL(BPF_FUNC_map_lookup_elem),
                /* 19 */ JMP_IMM(BPF_JEQ, BPF_REG_0, 0, J(19, L_PASS)),
                /* 20 */ MOV_REG(BPF_REG_8, BPF_REG_0),
                /* 21 */ LDX(BPF_W, BPF_REG_1, BPF_REG_8, 8),
                /* 22 */ JMP_IMM(BPF_JNE, BPF_REG_1, 0, J(22, L_PASS)), /* stopped */
                /* 23 */ LDX(BPF_W, BPF_REG_9, BPF_REG_6, offsetof(struct __sk_buff, len)),
                /* 24 */ JMP_IMM(BPF_JEQ, BPF_REG_9, 0, J(24, L_DROP)), /* a bare FIN: TCP has it already */
                /* 25 */ ST(BPF_W, BPF_REG_10, -24, 0),
                /* 26 */ LD_MAP(BPF_REG_1, slots),
                /* 28 */ MOV_REG(BPF_REG_2, BPF_REG_10),
                /* 29 */ ADD_IMM(BPF_REG_2, -24),
                /* 30 */ CALL(BPF_FUNC_map_lookup_elem),
                /* 31 */ JMP_IMM(BPF_JEQ, BPF_REG_0, 0, J(31, L_STOP)),
                /* 32 */ MOV_REG(BPF_REG_7, BPF_REG_0),
                /* 33 */ LDX(BPF_W, BPF_REG_1, BPF_REG_7, 8),
                /* 34 */ JMP_IMM(BPF_JEQ, BPF_REG_1, 0, J(34, L_REDIR)), /* unlimited */
                /* 35 */ MOV_IMM(BPF_REG_5, CAS_TRIES),
                /* 36 */ JA(0),
                /* 37 L_LOOP */ LDX(BPF_DW, BPF_REG_0, BPF_REG_7, 0),
                /* 38 */ JMP_REG(BPF_JSLT, BPF_REG_0, BPF_REG_9, J(38, L_STOP)), /* does not fit */
                /* 39 */ MOV_REG(BPF_REG_3, BPF_REG_0),
                /* 40 */ MOV_REG(BPF_REG_2, BPF_REG_0),
                /* 41 */ SUB_REG(BPF_REG_2, BPF_REG_9),
                /* 42 */ ATOMIC(BPF_REG_7, BPF_REG_2, 0, BPF_CMPXCHG),
                /* 43 */ JMP_REG(BPF_JEQ, BPF_REG_0, BPF_REG_3, J(43, L_REDIR)),
                /* 44 */ ADD_IMM(BPF_REG_5, -1),
                /* 45 */ JMP_IMM(BPF_JNE, BPF_REG_5, 0, J(45, L_LOOP)),
                /* 46 L_STOP */ ST(BPF_W, BPF_REG_8, 8, 1), /* sticky: order is kept by the proxy */
                /* 47 */ JA(J(47, L_PASS)),
                /* 48 L_REDIR */ MOV_REG(BPF_REG_1, BPF_REG_6),
                /* 49 */ LD_MAP(BPF_REG_2, socks),
                /* 51 */ MOV_REG(BPF_REG_3, BPF_REG_10),
                /* 52 */ ADD_IMM(BPF_REG_3, -16),
                /* 53 */ MOV_IMM(BPF_REG_4, 0),
                /* 54 */ CALL(BPF_FUNC_sk_redirect_hash),
                /* 55 */ JMP_IMM(BPF_JNE, BPF_REG_0, SK_PASS, J(55, L_FAIL)),
                /* 56 */ ATOMIC(BPF_REG_8, BPF_REG_9, 0, BPF_ADD),
                /* 57 */ MOV_IMM(BPF_REG_0, SK_PASS),
                /* 58 */ EXIT(),
                /* 59 L_FAIL: the peer left the map: give back what was taken */
                /* 59 */ LDX(BPF_W, BPF_REG_1, BPF_REG_7, 8),
                /* 60 */ JMP_IMM(BPF_JEQ, BPF_REG_1, 0, J(60, L_STOP)),
                /* 61 */ ATOMIC(BPF_REG_7, BPF_REG_9, 0, BPF_ADD),
                /* 62 */ JA(J(62, L_STOP)),
                /* 63 L_PASS */ MOV_IMM(BPF_REG_0, SK_PASS),
                /* 64 */ EXIT(),
                /* 65 L_DROP */ MOV_IMM(BPF_REG_0, SK_DROP),
                /* 66 */ EXIT(),
        };
        _Static_assert(sizeof insns / sizeof insns[0] == L_END, "labels match the program");
        memcpy(p, insns, sizeof insns);
        return L_END;
}

static int load_program(int links, int socks, int slots) {
        struct bpf_insn insns[L_END];
        size_t n = program(insns, links, socks, slots);
        union bpf_attr a;
        memset(&a, 0, sizeof a);
        a.prog_type = BPF_PROG_TYPE_SK_SKB;
        a.insns = (uintptr_t) insns;
        a.insn_cnt = (uint32_t) n;
        a.license = (uintptr_t) "Dual MIT/GPL";
        int fd = sys_bpf(BPF_PROG_LOAD, &a);
        if (fd < 0 && getenv("CLAWJAIL_DEBUG_BPF")) { /* the verifier refused: say why */
                static char log[16384];
                a.log_buf = (uintptr_t) log;
                a.log_size = sizeof log;
                a.log_level = 1;
                fd = sys_bpf(BPF_PROG_LOAD, &a);
                if (fd < 0 && getenv("CLAWJAIL_DEBUG_BPF"))
                        (void) !write(2, log, strnlen(log, sizeof log));
        }
        return fd < 0 ? -errno : fd;
}

/* ---- setup ------------------------------------------------------------------ */

int cj_sockmap_new(size_t max_links, cj_sockmap **out, const char **why) {
        *out = NULL;
        if (max_links == 0 || max_links > 65536) {
                *why = "pair count";
                return -EINVAL;
        }
        cj_sockmap *m = calloc(1, sizeof *m + max_links * sizeof m->cookie[0]);
        if (!m) {
                *why = "memory";
                return -ENOMEM;
        }
        m->links = m->socks = m->slots = m->prog = -1;
        m->max_links = max_links;
        m->mem = MAP_FAILED;
        uint32_t socks_n = (uint32_t) (2 * max_links), slots_n = (uint32_t) (1 + 2 * max_links);
        int r;
        if ((r = m->links = map_create(BPF_MAP_TYPE_HASH, sizeof(uint64_t), sizeof(link_val), socks_n, 0)) < 0) {
                *why = "creating a BPF hash map";
                goto fail;
        }
        if ((r = m->socks = map_create(BPF_MAP_TYPE_SOCKHASH, sizeof(uint64_t), sizeof(uint64_t), socks_n, 0)) < 0) {
                *why = "creating a BPF sockhash";
                goto fail;
        }
        if ((r = m->slots = map_create(BPF_MAP_TYPE_ARRAY, sizeof(uint32_t), sizeof(slot_val), slots_n, BPF_F_MMAPABLE)) < 0) {
                *why = "creating a mappable BPF array";
                goto fail;
        }
        size_t page = (size_t) sysconf(_SC_PAGESIZE);
        m->mem_len = (slots_n * sizeof(slot_val) + page - 1) / page * page;
        m->mem = mmap(NULL, m->mem_len, PROT_READ | PROT_WRITE, MAP_SHARED, m->slots, 0);
        if (m->mem == MAP_FAILED) {
                r = -errno;
                *why = "mapping the BPF array";
                goto fail;
        }
        if ((r = m->prog = load_program(m->links, m->socks, m->slots)) < 0) {
                *why = "loading the SK_SKB program";
                goto fail;
        }
        union bpf_attr a;
        memset(&a, 0, sizeof a);
        a.target_fd = (uint32_t) m->socks;
        a.attach_bpf_fd = (uint32_t) m->prog;
        a.attach_type = BPF_SK_SKB_VERDICT;
        if (sys_bpf(BPF_PROG_ATTACH, &a) < 0) {
                r = -errno;
                *why = "attaching the SK_SKB program";
                goto fail;
        }
        *out = m;
        return 0;
fail:
        cj_sockmap_free(m);
        return r;
}

void cj_sockmap_free(cj_sockmap *m) {
        if (!m)
                return;
        if (m->mem != MAP_FAILED)
                munmap(m->mem, m->mem_len);
        int fds[] = { m->prog, m->slots, m->socks, m->links };
        for (size_t i = 0; i < CJ_ARRAY_SIZE(fds); i++)
                if (fds[i] >= 0)
                        close(fds[i]); /* the sockhash's last reference releases its sockets */
        free(m);
}

cj_sockmap_budget *cj_sockmap_budget_word(cj_sockmap *m) {
        return (cj_sockmap_budget *) &m->mem[0];
}

/* ---- pairs ------------------------------------------------------------------ */

static slot_val *slot_of(const cj_sockmap *m, size_t pair, int dir) {
        return &m->mem[1 + 2 * pair + (size_t) dir];
}

static int cookie_of(int fd, uint64_t *c) {
        socklen_t l = sizeof *c;
        return getsockopt(fd, SOL_SOCKET, SO_COOKIE, c, &l) < 0 ? -errno : 0;
}

int cj_sockmap_link(cj_sockmap *m, size_t pair, int a, int b, bool hold_a) {
        if (pair >= m->max_links || m->cookie[pair][0])
                return -EINVAL;
        uint64_t ca, cb;
        int r;
        if ((r = cookie_of(a, &ca)) < 0 || (r = cookie_of(b, &cb)) < 0)
                return r;
        for (int d = 0; d < 2; d++) {
                __atomic_store_n(&slot_of(m, pair, d)->bytes, 0, __ATOMIC_SEQ_CST);
                __atomic_store_n(&slot_of(m, pair, d)->stopped, d == 0 && hold_a, __ATOMIC_SEQ_CST);
        }
        link_val la = { .peer = cb, .slot = (uint32_t) (1 + 2 * pair) };
        link_val lb = { .peer = ca, .slot = (uint32_t) (1 + 2 * pair + 1) };
        uint64_t fa = (uint64_t) a, fb = (uint64_t) b;
        /* The links first: the program passes bytes on while it finds none. */
        if ((r = map_update(m->links, &ca, &la, BPF_NOEXIST)) < 0)
                return r;
        if ((r = map_update(m->links, &cb, &lb, BPF_NOEXIST)) < 0) {
                map_delete(m->links, &ca);
                return r;
        }
        if ((r = map_update(m->socks, &ca, &fa, BPF_NOEXIST)) < 0 || (r = map_update(m->socks, &cb, &fb, BPF_NOEXIST)) < 0) {
                map_delete(m->socks, &ca);
                map_delete(m->links, &ca);
                map_delete(m->links, &cb);
                return r;
        }
        m->cookie[pair][0] = ca;
        m->cookie[pair][1] = cb;
        return 0;
}

void cj_sockmap_unlink(cj_sockmap *m, size_t pair) {
        if (pair >= m->max_links || !m->cookie[pair][0])
                return;
        for (int d = 0; d < 2; d++) {
                map_delete(m->links, &m->cookie[pair][d]);
                map_delete(m->socks, &m->cookie[pair][d]);
        }
        m->cookie[pair][0] = m->cookie[pair][1] = 0;
}

uint64_t cj_sockmap_bytes(const cj_sockmap *m, size_t pair, int dir) {
        return __atomic_load_n(&slot_of(m, pair, dir)->bytes, __ATOMIC_SEQ_CST);
}

void cj_sockmap_stop(cj_sockmap *m, size_t pair, int dir) {
        __atomic_store_n(&slot_of(m, pair, dir)->stopped, 1, __ATOMIC_SEQ_CST);
}

void cj_sockmap_go(cj_sockmap *m, size_t pair, int dir) {
        __atomic_store_n(&slot_of(m, pair, dir)->stopped, 0, __ATOMIC_SEQ_CST);
}

bool cj_sockmap_stopped(const cj_sockmap *m, size_t pair, int dir) {
        return __atomic_load_n(&slot_of(m, pair, dir)->stopped, __ATOMIC_SEQ_CST) != 0;
}

int64_t cj_sockmap_sent(int fd) {
        /* acknowledged + unacknowledged-or-unsent = everything queued; read
         * again until the acknowledged count held still around the queue. */
        for (int i = 0; i < 100; i++) {
                struct tcp_info t1, t2;
                socklen_t l1 = sizeof t1, l2 = sizeof t2;
                int outq;
                if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &t1, &l1) < 0 || ioctl(fd, SIOCOUTQ, &outq) < 0 ||
                    getsockopt(fd, IPPROTO_TCP, TCP_INFO, &t2, &l2) < 0)
                        return -errno;
                if (t1.tcpi_bytes_acked == t2.tcpi_bytes_acked)
                        return (int64_t) t1.tcpi_bytes_acked + outq;
        }
        return -EAGAIN;
}
