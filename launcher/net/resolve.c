/* SPDX-License-Identifier: MIT */
#include "resolve.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

enum { L_QUEUED, L_RUNNING, L_DONE, L_DELIVERING };

struct cj_net_lookup {
        cj_net_lookup *next;
        int state;
        bool cancelled; /* only while L_RUNNING: the worker frees it */
        void *owner;
        struct addrinfo *res;
        int gai;
        char host[CJ_NET_HOST_BUF];
};

struct cj_net_resolver {
        pthread_mutex_t lock;
        pthread_cond_t cond;
        cj_net_lookup *queue, **queue_tail; /* L_QUEUED, oldest first */
        cj_net_lookup *done;                /* L_DONE, for drain */
        unsigned threads, idle, running;
        unsigned abandoned; /* running lookups whose owner gave up: their threads do not count */
        unsigned refs;      /* the owner's and one per thread */
        bool stopping;
        int efd;
};

static void lookup_free(cj_net_lookup *l) {
        if (l->res)
                freeaddrinfo(l->res);
        free(l);
}

/* Called with r->lock held; true when that was the last reference. */
static bool unref_locked(cj_net_resolver *r) {
        return --r->refs == 0;
}

static void destroy(cj_net_resolver *r) {
        for (cj_net_lookup *l = r->queue, *n; l; l = n) {
                n = l->next;
                lookup_free(l);
        }
        for (cj_net_lookup *l = r->done, *n; l; l = n) {
                n = l->next;
                lookup_free(l);
        }
        if (r->efd >= 0)
                close(r->efd);
        pthread_cond_destroy(&r->cond);
        pthread_mutex_destroy(&r->lock);
        free(r);
}

static void *worker(void *arg) {
        cj_net_resolver *r = arg;
        pthread_mutex_lock(&r->lock);
        for (;;) {
                while (!r->stopping && !r->queue) {
                        r->idle++;
                        pthread_cond_wait(&r->cond, &r->lock);
                        r->idle--;
                }
                if (r->stopping)
                        break;
                cj_net_lookup *l = r->queue;
                r->queue = l->next;
                if (!r->queue)
                        r->queue_tail = &r->queue;
                l->next = NULL;
                l->state = L_RUNNING;
                r->running++;
                pthread_mutex_unlock(&r->lock);

                struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG};
                l->gai = getaddrinfo(l->host, NULL, &hints, &l->res);
                if (l->gai != 0)
                        l->res = NULL;

                pthread_mutex_lock(&r->lock);
                r->running--;
                if (l->cancelled)
                        r->abandoned--;
                if (l->cancelled || r->stopping) {
                        lookup_free(l);
                        continue;
                }
                l->state = L_DONE;
                l->next = r->done;
                r->done = l;
                uint64_t one = 1;
                (void) !write(r->efd, &one, sizeof one); /* nonblocking; a full counter is still readable */
        }
        r->threads--;
        bool last = unref_locked(r);
        pthread_mutex_unlock(&r->lock);
        if (last)
                destroy(r);
        return NULL;
}

int cj_net_resolver_new(cj_net_resolver **out) {
        cj_net_resolver *r = calloc(1, sizeof *r);
        if (!r)
                return -ENOMEM;
        r->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (r->efd < 0) {
                int e = errno;
                free(r);
                return -e;
        }
        pthread_mutex_init(&r->lock, NULL);
        pthread_cond_init(&r->cond, NULL);
        r->queue_tail = &r->queue;
        r->refs = 1;
        *out = r;
        return 0;
}

int cj_net_resolver_fd(const cj_net_resolver *r) {
        return r->efd;
}

/* A detached worker with every signal blocked (the launcher's main thread
 * handles them).  Called with r->lock held. */
static int spawn_locked(cj_net_resolver *r) {
        pthread_attr_t attr;
        sigset_t all;
        sigfillset(&all);
        int e = pthread_attr_init(&attr);
        if (e == 0)
                e = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (e == 0)
                e = pthread_attr_setsigmask_np(&attr, &all);
        pthread_t t;
        if (e == 0)
                e = pthread_create(&t, &attr, worker, r);
        pthread_attr_destroy(&attr);
        if (e != 0)
                return -e;
        r->threads++;
        r->refs++;
        return 0;
}

/* Another thread when every useful one is busy: threads stuck on a name
 * whose owner gave up do not hold the others back, up to a hard cap. */
static bool want_thread_locked(const cj_net_resolver *r) {
        return r->idle == 0 && r->threads - r->abandoned < CJ_NET_RESOLVERS_MAX &&
               r->threads < CJ_NET_RESOLVER_THREADS_MAX;
}

int cj_net_resolver_submit(cj_net_resolver *r, const char *host, void *owner, cj_net_lookup **out) {
        cj_net_lookup *l = calloc(1, sizeof *l);
        if (!l)
                return -ENOMEM;
        snprintf(l->host, sizeof l->host, "%s", host);
        l->owner = owner;
        l->state = L_QUEUED;
        pthread_mutex_lock(&r->lock);
        int ret = 0;
        if (want_thread_locked(r)) {
                ret = spawn_locked(r);
                if (ret < 0 && r->threads > 0)
                        ret = 0; /* the threads there are will get to it */
        }
        if (ret == 0) {
                *r->queue_tail = l;
                r->queue_tail = &l->next;
                pthread_cond_signal(&r->cond);
                *out = l;
        }
        pthread_mutex_unlock(&r->lock);
        if (ret < 0)
                free(l);
        return ret;
}

void cj_net_resolver_cancel(cj_net_resolver *r, cj_net_lookup *l) {
        pthread_mutex_lock(&r->lock);
        if (l->state == L_DELIVERING) {
                l->owner = NULL; /* drain skips it, then frees it */
                pthread_mutex_unlock(&r->lock);
                return;
        }
        cj_net_lookup **list = l->state == L_QUEUED ? &r->queue : l->state == L_DONE ? &r->done : NULL;
        if (!list) {
                l->cancelled = true; /* its worker frees it */
                r->abandoned++;
                if (r->queue && want_thread_locked(r))
                        (void) spawn_locked(r); /* on failure the queue waits for a thread that returns */
                pthread_mutex_unlock(&r->lock);
                return;
        }
        cj_net_lookup *prev = NULL;
        for (cj_net_lookup **p = list; *p; prev = *p, p = &(*p)->next)
                if (*p == l) {
                        *p = l->next;
                        break;
                }
        if (l->state == L_QUEUED && r->queue_tail == &l->next)
                r->queue_tail = prev ? &prev->next : &r->queue;
        pthread_mutex_unlock(&r->lock);
        lookup_free(l);
}

void cj_net_resolver_drain(cj_net_resolver *r, cj_net_resolved_fn fn, void *ctx) {
        uint64_t n;
        (void) !read(r->efd, &n, sizeof n);
        pthread_mutex_lock(&r->lock);
        cj_net_lookup *done = r->done;
        r->done = NULL;
        for (cj_net_lookup *l = done; l; l = l->next)
                l->state = L_DELIVERING; /* a callback may cancel another one of these */
        pthread_mutex_unlock(&r->lock);
        /* Oldest first: the workers pushed onto the front. */
        cj_net_lookup *rev = NULL;
        while (done) {
                cj_net_lookup *n2 = done->next;
                done->next = rev;
                rev = done;
                done = n2;
        }
        while (rev) {
                cj_net_lookup *l = rev;
                rev = l->next;
                pthread_mutex_lock(&r->lock);
                void *owner = l->owner;
                pthread_mutex_unlock(&r->lock);
                if (owner)
                        fn(ctx, owner, l->res, l->gai);
                lookup_free(l);
        }
}

unsigned cj_net_resolver_pending(cj_net_resolver *r) {
        pthread_mutex_lock(&r->lock);
        unsigned n = r->running;
        for (cj_net_lookup *l = r->queue; l; l = l->next)
                n++;
        pthread_mutex_unlock(&r->lock);
        return n;
}

void cj_net_resolver_free(cj_net_resolver *r) {
        if (!r)
                return;
        pthread_mutex_lock(&r->lock);
        r->stopping = true;
        pthread_cond_broadcast(&r->cond);
        bool last = unref_locked(r);
        pthread_mutex_unlock(&r->lock);
        if (last)
                destroy(r);
}
