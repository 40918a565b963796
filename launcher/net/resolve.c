/* SPDX-License-Identifier: MIT */
#include "resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"

/* One answer, written by a lookup process in one write(2): no longer than
 * PIPE_BUF, so answers of several processes never interleave. */
typedef struct answer {
        uint64_t id;
        int32_t gai;
        uint32_t n;
        struct {
                uint32_t len;
                struct sockaddr_in6 sa; /* or a sockaddr_in in its first bytes */
        } addr[CJ_NET_RESOLVE_ADDRS_MAX];
} answer;
_Static_assert(sizeof(answer) <= PIPE_BUF, "an answer must be written atomically");

struct cj_net_lookup {
        cj_net_lookup *next;
        uint64_t id;
        pid_t pid; /* 0 while queued */
        void *owner;
        char host[CJ_NET_HOST_BUF];
};

typedef struct zombie {
        struct zombie *next;
        pid_t pid;
} zombie;

struct cj_net_resolver {
        int pipe[2]; /* answers: [0] ours, [1] each lookup process's */
        cj_net_lookup *running, *queue, **queue_tail;
        unsigned n_running;
        zombie *zombies; /* killed or finished, not yet reaped */
        uint64_t next_id;
};

int cj_net_resolver_new(cj_net_resolver **out) {
        cj_net_resolver *r = calloc(1, sizeof *r);
        if (!r)
                return -ENOMEM;
        /* Packet mode: each answer is read whole, one per read. */
        if (pipe2(r->pipe, O_CLOEXEC | O_NONBLOCK | O_DIRECT) < 0) {
                int e = errno;
                free(r);
                return -e;
        }
        r->queue_tail = &r->queue;
        r->next_id = 1;
        *out = r;
        return 0;
}

int cj_net_resolver_fd(const cj_net_resolver *r) {
        return r->pipe[0];
}

/* In the lookup process: resolve, answer, exit.  It holds nothing of the
 * launcher's but the answer pipe, and dies with the proxy's thread. */
static _Noreturn void lookup_main(int wfd, uint64_t id, const char *host) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (wfd != 3) {
                if (dup2(wfd, 3) < 0)
                        _exit(1);
        }
        close_range(4, ~0U, 0);
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        for (int fd = 0; fd < 3 && null >= 0; fd++)
                dup2(null, fd); /* not the launcher's output, should the proxy be gone */
        answer a = {.id = id};
        struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG};
        struct addrinfo *res = NULL;
        a.gai = getaddrinfo(host, NULL, &hints, &res);
        for (struct addrinfo *ai = a.gai == 0 ? res : NULL; ai && a.n < CJ_NET_RESOLVE_ADDRS_MAX; ai = ai->ai_next) {
                if (ai->ai_addrlen > sizeof a.addr[0].sa)
                        continue;
                a.addr[a.n].len = ai->ai_addrlen;
                memcpy(&a.addr[a.n].sa, ai->ai_addr, ai->ai_addrlen);
                a.n++;
        }
        _exit(write(3, &a, sizeof a) == (ssize_t) sizeof a ? 0 : 1);
}

static int start(cj_net_resolver *r, cj_net_lookup *l) {
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0)
                lookup_main(r->pipe[1], l->id, l->host);
        l->pid = pid;
        l->next = r->running;
        r->running = l;
        r->n_running++;
        return 0;
}

static void reap(cj_net_resolver *r, bool wait) {
        for (zombie **z = &r->zombies; *z;) {
                pid_t got = CJ_RETRY_EINTR(waitpid((*z)->pid, NULL, wait ? 0 : WNOHANG));
                if (got == 0) {
                        z = &(*z)->next;
                        continue;
                }
                zombie *dead = *z; /* reaped, or not ours to reap (ECHILD) */
                *z = dead->next;
                free(dead);
        }
}

/* pid is done with (it answered, or it is killed): reap it later. */
static void bury(cj_net_resolver *r, pid_t pid) {
        zombie *z = malloc(sizeof *z);
        if (!z) {
                waitpid(pid, NULL, 0);
                return;
        }
        *z = (zombie){.next = r->zombies, .pid = pid};
        r->zombies = z;
}

/* Start queued lookups while there is room. */
static void fill(cj_net_resolver *r) {
        while (r->queue && r->n_running < CJ_NET_RESOLVERS_MAX) {
                cj_net_lookup *l = r->queue;
                r->queue = l->next;
                if (!r->queue)
                        r->queue_tail = &r->queue;
                if (start(r, l) < 0) {
                        /* no process for it now: back to the front, tried at the next chance */
                        l->next = r->queue;
                        if (!r->queue)
                                r->queue_tail = &l->next;
                        r->queue = l;
                        return;
                }
        }
}

int cj_net_resolver_submit(cj_net_resolver *r, const char *host, void *owner, cj_net_lookup **out) {
        cj_net_lookup *l = calloc(1, sizeof *l);
        if (!l)
                return -ENOMEM;
        snprintf(l->host, sizeof l->host, "%s", host);
        l->owner = owner;
        l->id = r->next_id++;
        reap(r, false);
        if (r->n_running < CJ_NET_RESOLVERS_MAX) {
                int e = start(r, l);
                if (e < 0) {
                        free(l);
                        return e;
                }
        } else {
                *r->queue_tail = l;
                r->queue_tail = &l->next;
        }
        *out = l;
        return 0;
}

/* Take l off whichever list holds it. */
static void unlink_lookup(cj_net_resolver *r, cj_net_lookup *l) {
        cj_net_lookup **list = l->pid ? &r->running : &r->queue, *prev = NULL;
        for (cj_net_lookup **p = list; *p; prev = *p, p = &(*p)->next)
                if (*p == l) {
                        *p = l->next;
                        break;
                }
        if (l->pid)
                r->n_running--;
        else if (r->queue_tail == &l->next)
                r->queue_tail = prev ? &prev->next : &r->queue;
}

void cj_net_resolver_cancel(cj_net_resolver *r, cj_net_lookup *l) {
        unlink_lookup(r, l);
        if (l->pid) {
                kill(l->pid, SIGKILL); /* an answer it already wrote is dropped: no lookup has its id */
                bury(r, l->pid);
        }
        free(l);
        fill(r);
}

void cj_net_resolver_drain(cj_net_resolver *r, cj_net_resolved_fn fn, void *ctx) {
        answer a;
        ssize_t n;
        while ((n = read(r->pipe[0], &a, sizeof a)) == (ssize_t) sizeof a) {
                cj_net_lookup *l = r->running;
                while (l && l->id != a.id)
                        l = l->next;
                if (!l)
                        continue; /* cancelled */
                unlink_lookup(r, l);
                bury(r, l->pid);
                struct addrinfo ai[CJ_NET_RESOLVE_ADDRS_MAX];
                uint32_t k = 0;
                for (uint32_t i = 0; i < a.n && i < CJ_NET_RESOLVE_ADDRS_MAX; i++) {
                        struct sockaddr *sa = (struct sockaddr *) &a.addr[i].sa;
                        ai[k] = (struct addrinfo){.ai_family = sa->sa_family,
                                                  .ai_socktype = SOCK_STREAM,
                                                  .ai_addrlen = a.addr[i].len,
                                                  .ai_addr = sa};
                        if (k > 0)
                                ai[k - 1].ai_next = &ai[k];
                        k++;
                }
                /* An answer with no address is a failure the caller can name. */
                int gai = a.gai == 0 && k == 0 ? EAI_NONAME : a.gai;
                void *owner = l->owner;
                free(l);
                fn(ctx, owner, gai == 0 ? ai : NULL, gai);
        }
        reap(r, false);
        fill(r);
}

unsigned cj_net_resolver_pending(cj_net_resolver *r) {
        unsigned n = r->n_running;
        for (cj_net_lookup *l = r->queue; l; l = l->next)
                n++;
        return n;
}

void cj_net_resolver_free(cj_net_resolver *r) {
        if (!r)
                return;
        for (cj_net_lookup *l = r->running, *next; l; l = next) {
                next = l->next;
                kill(l->pid, SIGKILL);
                bury(r, l->pid);
                free(l);
        }
        for (cj_net_lookup *l = r->queue, *next; l; l = next) {
                next = l->next;
                free(l);
        }
        reap(r, true); /* killed ones go at once; nothing outlives the call */
        close(r->pipe[0]);
        close(r->pipe[1]);
        free(r);
}
