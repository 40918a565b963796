/* SPDX-License-Identifier: MIT */
#include "policy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

static bool covered(char *const *allow, const char *pat) {
        for (size_t i = 0; allow && allow[i]; i++)
                if (cj_net_pattern_covers(allow[i], pat))
                        return true;
        return false;
}

static int copy_strv(char *const *in, cj_strv *out) {
        for (size_t i = 0; in && in[i]; i++)
                if (cj_strv_push(out, in[i]) < 0)
                        return -ENOMEM;
        return 0;
}

static int build_allow(const cj_profile *p, char *const *allow_hosts, cj_net_policy *pol, cj_error *err) {
        if (cj_strv_len(allow_hosts) > CJ_NET_ALLOW_HOSTS_MAX)
                return cj_error_set(err, E2BIG, "more than %d --allow-host patterns", CJ_NET_ALLOW_HOSTS_MAX);
        for (size_t i = 0; allow_hosts[i]; i++) {
                _cleanup_free_ char *norm = NULL;
                const char *why = NULL;
                int r = cj_net_pattern_normalize(allow_hosts[i], &norm, &why);
                if (r < 0)
                        return r == -ENOMEM ? r
                                            : cj_error_set(err, EINVAL, "--allow-host %s: not a host pattern: %s",
                                                           allow_hosts[i], why);
                if (p->network == CJ_NET_PROXY && !p->network_widen && !covered(p->egress.allow, norm))
                        return cj_error_set(err, EPERM,
                                            "--allow-host %s would widen profile %s's egress.allow; the profile does "
                                            "not permit it",
                                            allow_hosts[i], p->name ? p->name : "");
                if (cj_strv_push(&pol->allow, norm) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int cj_net_policy_build(const cj_profile *p, int mode, char *const *allow_hosts, cj_net_policy *out, cj_error *err) {
        cj_net_policy pol = { .mode = mode >= 0 ? (cj_net_mode) mode : p->network };
        int r = 0;
        if (mode >= 0 && !p->network_widen && !cj_net_mode_narrows(p->network, (cj_net_mode) mode)) {
                r = cj_error_set(err, EPERM, "--net %s would widen profile %s's network (%s); the profile does not permit it",
                                 cj_net_mode_name((cj_net_mode) mode), p->name ? p->name : "",
                                 cj_net_mode_name(p->network));
                goto fail;
        }
        if (allow_hosts && pol.mode != CJ_NET_PROXY) {
                r = cj_error_set(err, EINVAL, "--allow-host needs the proxy network mode (--net proxy)");
                goto fail;
        }
        if (allow_hosts)
                r = build_allow(p, allow_hosts, &pol, err);
        else if (p->network == CJ_NET_PROXY)
                r = copy_strv(p->egress.allow, &pol.allow);
        if (r < 0 || (r = copy_strv(p->egress.deny, &pol.deny)) < 0)
                goto fail;
        memcpy(pol.ports, p->egress.ports, sizeof pol.ports);
        pol.n_ports = p->egress.n_ports;
        size_t n = cj_strv_len(p->egress.resolve);
        if (n && !(pol.pins = calloc(n, sizeof *pol.pins))) {
                r = -ENOMEM;
                goto fail;
        }
        for (size_t i = 0; i < n; i++) {
                const char *kv = p->egress.resolve[i], *eq = strchr(kv, '=');
                cj_net_pin *pin = &pol.pins[pol.n_pins];
                bool ip;
                const char *why;
                /* The profile stage normalized and checked both sides. */
                if (!eq || cj_net_host_normalize(kv, (size_t) (eq - kv), pin->host, &ip, &why) < 0 ||
                    cj_net_addr_parse(eq + 1, &pin->addr, &pin->len) < 0) {
                        r = cj_error_set(err, EINVAL, "egress.resolve: bad entry '%s'", kv);
                        goto fail;
                }
                pol.n_pins++;
        }
        if (pol.mode == CJ_NET_LOOPBACK || pol.mode == CJ_NET_PROXY) {
                memcpy(pol.loopback_ports, p->loopback_ports, sizeof pol.loopback_ports);
                pol.n_loopback_ports = p->n_loopback_ports;
        }
        for (size_t i = 0; pol.mode == CJ_NET_PROXY && i < pol.n_loopback_ports; i++)
                if (pol.loopback_ports[i] == CJ_NET_PROXY_PORT) {
                        r = cj_error_set(err, EINVAL, "loopback_ports: %d is the proxy's own port in proxy mode",
                                         CJ_NET_PROXY_PORT);
                        goto fail;
                }
        *out = pol;
        return 0;
fail:
        cj_net_policy_clear(&pol);
        return r == -ENOMEM ? cj_error_set(err, ENOMEM, "out of memory") : r;
}

void cj_net_policy_clear(cj_net_policy *pol) {
        cj_strv_free(pol->allow);
        cj_strv_free(pol->deny);
        free(pol->pins);
        *pol = (cj_net_policy){ 0 };
}

const char *cj_net_policy_check(const cj_net_policy *pol, const char *host, bool is_ip, uint16_t port) {
        for (size_t i = 0; pol->deny && pol->deny[i]; i++)
                if (cj_net_pattern_match(pol->deny[i], host, is_ip))
                        return "host is in egress.deny";
        bool allowed = false;
        for (size_t i = 0; !allowed && pol->allow && pol->allow[i]; i++)
                allowed = cj_net_pattern_match(pol->allow[i], host, is_ip);
        if (!allowed)
                return is_ip ? "IP address not listed in egress.allow" : "host not in egress.allow";
        for (size_t i = 0; i < pol->n_ports; i++)
                if (pol->ports[i] == port)
                        return NULL;
        return "port not in egress.ports";
}

const cj_net_pin *cj_net_policy_pin(const cj_net_policy *pol, const char *host) {
        for (size_t i = 0; i < pol->n_pins; i++)
                if (strcmp(pol->pins[i].host, host) == 0)
                        return &pol->pins[i];
        return NULL;
}
