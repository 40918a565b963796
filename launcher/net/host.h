/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Host names, host patterns and addresses for the egress proxy (pure
 * functions, no I/O, docs/network.md).
 *
 * A host is compared only in its normalized form: ASCII lower case, one
 * trailing dot dropped, internationalized names converted to punycode
 * (IDNA 2008, UTS #46 non-transitional), labels of [a-z0-9_-] of 1..63
 * bytes, at most 253 bytes in all.  IP literals in any form inet_aton or
 * inet_pton accept ("2130706433", "0x7f.1", "[::1]") come back in their
 * canonical text and are flagged: they never match a name pattern.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define CJ_NET_HOST_MAX 253                   /* bytes of a normalized host name (RFC 1035) */
#define CJ_NET_HOST_BUF (CJ_NET_HOST_MAX + 1) /* an IPv6 literal's text fits too */
#define CJ_NET_HOST_INPUT_MAX 1024            /* bytes of a host as given (before IDNA) */

/* Normalize host[0..len) into out.  Returns 0, or -EINVAL with *why (static
 * text) set: empty, too long, a character no host name has, non-ASCII that
 * IDNA cannot convert, a last label of digits that is not an IP literal. */
int cj_net_host_normalize(const char *host, size_t len, char out[CJ_NET_HOST_BUF], bool *is_ip, const char **why);

/* Normalize a pattern: "example.org" (that host), "*.example.org" (its
 * subdomains, any depth, not the apex), "**.example.org" (apex and
 * subdomains) or an IP literal (that address).  *out is malloc'd.  Returns 0
 * or -EINVAL with *why, -ENOMEM. */
int cj_net_pattern_normalize(const char *pattern, char **out, const char **why);

/* Does the normalized pattern match the normalized host? */
bool cj_net_pattern_match(const char *pattern, const char *host, bool host_is_ip);

/* Does pattern a match every host pattern b matches?  (A child profile or
 * --allow-host may only narrow: each of its patterns must be covered.) */
bool cj_net_pattern_covers(const char *a, const char *b);

/* Parse an IPv4 or IPv6 address in canonical text (as a pin's value) into
 * *ss.  Returns 0 or -EINVAL. */
int cj_net_addr_parse(const char *text, struct sockaddr_storage *ss, socklen_t *len);

/* Canonical text of an address ("192.0.2.1", "2001:db8::1"), no port. */
void cj_net_addr_text(const struct sockaddr *sa, char out[64]);

/* Why an address must not be reached from a sandbox unless pinned: "loopback",
 * "private", "link-local", "cgnat", "multicast", "unspecified", "reserved",
 * "ipv4-mapped", ... or NULL for a public unicast address. */
const char *cj_net_addr_forbidden(const struct sockaddr *sa);
