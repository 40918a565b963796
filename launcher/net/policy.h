/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * A call's network policy as data: the profile's mode, egress lists, pins
 * and loopback ports, narrowed by the operator's --net and --allow-host
 * (docs/network.md).  Pure: building it checks, checking a host decides.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "host.h"
#include "profile/profile.h"
#include "util/err.h"

#define CJ_NET_PROXY_PORT 3128     /* the proxy's port on the sandbox's 127.0.0.1 */
#define CJ_NET_ALLOW_HOSTS_MAX 64  /* --allow-host flags in one call */

typedef struct cj_net_pin {
        char host[CJ_NET_HOST_BUF];
        struct sockaddr_storage addr;
        socklen_t len;
} cj_net_pin;

typedef struct cj_net_policy {
        cj_net_mode mode;
        cj_strv allow, deny; /* normalized patterns */
        uint16_t ports[CJ_NET_PORTS_MAX];
        size_t n_ports;
        cj_net_pin *pins;
        size_t n_pins;
        uint16_t loopback_ports[CJ_NET_PORTS_MAX]; /* forwarded in loopback and proxy modes */
        size_t n_loopback_ports;
} cj_net_policy;

/* The call's policy from profile p, the operator's mode (-1: the profile's)
 * and --allow-host patterns (NULL: the profile's egress.allow).  Unless the
 * profile says network_override "any", the mode must narrow the profile's
 * and each pattern be covered by the profile's allow list (any pattern
 * narrows a "host" profile).  -EPERM / -EINVAL with err naming the flag. */
int cj_net_policy_build(const cj_profile *p, int mode, char *const *allow_hosts, cj_net_policy *out, cj_error *err);

void cj_net_policy_clear(cj_net_policy *pol);

/* May the sandbox reach host:port (host normalized)?  NULL if so, else one
 * line saying why not. */
const char *cj_net_policy_check(const cj_net_policy *pol, const char *host, bool is_ip, uint16_t port);

/* The pinned address of host, or NULL. */
const cj_net_pin *cj_net_policy_pin(const cj_net_policy *pol, const char *host);
