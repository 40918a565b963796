/* SPDX-License-Identifier: MIT */
#include "host.h"

#include <arpa/inet.h>
#include <errno.h>
#include <idn2.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_host_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

static int fail(const char **why, const char *text) {
        if (why)
                *why = text;
        return -EINVAL;
}

/* An IP literal in one of the forms resolvers accept: canonical text in out. */
static bool ip_literal(const char *s, char out[CJ_NET_HOST_BUF]) {
        size_t n = strlen(s);
        char inner[CJ_NET_HOST_BUF];
        struct in6_addr a6;
        struct in_addr a4;
        if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
                if (n - 2 >= sizeof inner)
                        return false;
                memcpy(inner, s + 1, n - 2);
                inner[n - 2] = '\0';
                s = inner;
        }
        if (strchr(s, ':'))
                return inet_pton(AF_INET6, s, &a6) == 1 && inet_ntop(AF_INET6, &a6, out, CJ_NET_HOST_BUF);
        /* inet_aton takes "127.1", "0x7f000001", "2130706433" and octal: every
         * form getaddrinfo would turn into an address, so none sneaks past as a name. */
        for (const char *p = s; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || *p == 'x' || *p == '.'))
                        return false;
        return inet_aton(s, &a4) == 1 && inet_ntop(AF_INET, &a4, out, CJ_NET_HOST_BUF);
}

static bool numeric_label(const char *l, size_t n) {
        if (n > 2 && l[0] == '0' && l[1] == 'x')
                return true; /* hex, as URL parsers read it */
        for (size_t i = 0; i < n; i++)
                if (l[i] < '0' || l[i] > '9')
                        return false;
        return n > 0;
}

/* Labels of 1..63 allowed characters, no leading/trailing '-', a decodable
 * punycode where a label says xn--, a last label that is not a number. */
static int check_labels(const char *s, const char **why) {
        const char *label = s, *last = s;
        size_t last_n = 0;
        for (const char *p = s;; p++) {
                if (*p != '.' && *p != '\0')
                        continue;
                size_t n = (size_t) (p - label);
                if (n == 0)
                        return fail(why, "empty label");
                if (n > 63)
                        return fail(why, "label longer than 63 bytes");
                if (label[0] == '-' || label[n - 1] == '-')
                        return fail(why, "label starts or ends with '-'");
                if (n > 4 && strncmp(label, "xn--", 4) == 0) {
                        char buf[64];
                        memcpy(buf, label, n);
                        buf[n] = '\0';
                        char *u = NULL;
                        int r = idn2_to_unicode_8z8z(buf, &u, 0);
                        idn2_free(u);
                        if (r != IDN2_OK)
                                return fail(why, "invalid punycode label");
                }
                last = label;
                last_n = n;
                if (*p == '\0')
                        break;
                label = p + 1;
        }
        if (numeric_label(last, last_n))
                return fail(why, "last label is a number but the host is no IP address");
        return 0;
}

int cj_net_host_normalize(const char *host, size_t len, char out[CJ_NET_HOST_BUF], bool *is_ip, const char **why) {
        *is_ip = false;
        if (len == 0)
                return fail(why, "empty host");
        if (len > CJ_NET_HOST_INPUT_MAX)
                return fail(why, "host too long");
        char buf[CJ_NET_HOST_INPUT_MAX + 1];
        bool ascii = true;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) host[i];
                if (c == 0 || c < 0x20 || c == 0x7f)
                        return fail(why, "control character in host");
                if (c >= 0x80)
                        ascii = false;
                buf[i] = (char) (c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        buf[len] = '\0';
        if (ip_literal(buf, out)) {
                *is_ip = true;
                return 0;
        }
        char *conv = NULL;
        const char *s = buf;
        if (!ascii) {
                /* UTS #46 maps (case, width, the ideographic full stop) and
                 * converts; what it refuses, nothing here can compare. */
                if (idn2_to_ascii_8z(buf, &conv, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) != IDN2_OK)
                        return fail(why, "non-ASCII host name IDNA cannot convert");
                s = conv;
                for (char *p = conv; *p; p++)
                        if (*p >= 'A' && *p <= 'Z')
                                *p = (char) (*p + 32);
        }
        size_t n = strlen(s);
        if (n > 0 && s[n - 1] == '.')
                n--; /* the root label: "example.org." is "example.org" */
        int r = 0;
        if (n == 0)
                r = fail(why, "empty host");
        else if (n > CJ_NET_HOST_MAX)
                r = fail(why, "host name longer than 253 bytes");
        for (size_t i = 0; r == 0 && i < n; i++)
                if (!is_host_char(s[i]))
                        r = fail(why, "character not allowed in a host name");
        if (r == 0) {
                memcpy(out, s, n);
                out[n] = '\0';
                r = check_labels(out, why);
        }
        idn2_free(conv);
        return r;
}

int cj_net_pattern_normalize(const char *pattern, char **out, const char **why) {
        const char *prefix = "";
        const char *rest = pattern;
        if (strncmp(pattern, "**.", 3) == 0) {
                prefix = "**.";
                rest += 3;
        } else if (strncmp(pattern, "*.", 2) == 0) {
                prefix = "*.";
                rest += 2;
        }
        if (strchr(rest, '*'))
                return fail(why, "'*' only as a whole first label: *.example.org or **.example.org");
        char host[CJ_NET_HOST_BUF];
        bool ip = false;
        int r = cj_net_host_normalize(rest, strlen(rest), host, &ip, why);
        if (r < 0)
                return r;
        if (ip && *prefix)
                return fail(why, "a wildcard pattern cannot name an IP address");
        if (asprintf(out, "%s%s", prefix, host) < 0)
                return -ENOMEM;
        return 0;
}

static bool is_subdomain(const char *host, const char *domain) {
        size_t h = strlen(host), d = strlen(domain);
        return h > d + 1 && host[h - d - 1] == '.' && strcmp(host + h - d, domain) == 0;
}

bool cj_net_pattern_match(const char *pattern, const char *host, bool host_is_ip) {
        if (strncmp(pattern, "**.", 3) == 0)
                return !host_is_ip && (strcmp(host, pattern + 3) == 0 || is_subdomain(host, pattern + 3));
        if (strncmp(pattern, "*.", 2) == 0)
                return !host_is_ip && is_subdomain(host, pattern + 2);
        return strcmp(pattern, host) == 0;
}

bool cj_net_pattern_covers(const char *a, const char *b) {
        bool b_sub = strncmp(b, "*.", 2) == 0, b_apex = strncmp(b, "**.", 3) == 0;
        const char *bd = b_apex ? b + 3 : b_sub ? b + 2 : b;
        if (strncmp(a, "**.", 3) == 0)
                return strcmp(bd, a + 3) == 0 || is_subdomain(bd, a + 3);
        if (strncmp(a, "*.", 2) == 0) {
                if (b_sub)
                        return strcmp(bd, a + 2) == 0 || is_subdomain(bd, a + 2);
                return is_subdomain(bd, a + 2); /* exact host or **.sub: all strictly below */
        }
        return !b_sub && !b_apex && strcmp(a, b) == 0;
}

int cj_net_addr_parse(const char *text, struct sockaddr_storage *ss, socklen_t *len) {
        memset(ss, 0, sizeof *ss);
        struct sockaddr_in *s4 = (struct sockaddr_in *) ss;
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) ss;
        if (inet_pton(AF_INET, text, &s4->sin_addr) == 1) {
                s4->sin_family = AF_INET;
                *len = sizeof *s4;
                return 0;
        }
        if (inet_pton(AF_INET6, text, &s6->sin6_addr) == 1) {
                s6->sin6_family = AF_INET6;
                *len = sizeof *s6;
                return 0;
        }
        return -EINVAL;
}

void cj_net_addr_text(const struct sockaddr *sa, char out[64]) {
        out[0] = '\0';
        if (sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *) sa)->sin_addr, out, 64);
        else if (sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *) sa)->sin6_addr, out, 64);
}

typedef struct range4 {
        uint32_t net;
        unsigned bits;
        const char *why;
} range4;

/* IANA special-purpose IPv4 registry, the parts no sandbox has business with. */
static const range4 v4_ranges[] = {
        { 0x00000000, 8, "unspecified" },  { 0x0a000000, 8, "private" },     { 0x64400000, 10, "cgnat" },
        { 0x7f000000, 8, "loopback" },     { 0xa9fe0000, 16, "link-local" }, { 0xac100000, 12, "private" },
        { 0xc0000000, 24, "reserved" },    { 0xc0000200, 24, "reserved" },   { 0xc0586300, 24, "reserved" },
        { 0xc0a80000, 16, "private" },     { 0xc6120000, 15, "reserved" },   { 0xc6336400, 24, "reserved" },
        { 0xcb007100, 24, "reserved" },    { 0xe0000000, 4, "multicast" },   { 0xf0000000, 4, "reserved" },
};

static const char *v4_forbidden(uint32_t a) {
        for (size_t i = 0; i < sizeof v4_ranges / sizeof v4_ranges[0]; i++) {
                uint32_t mask = v4_ranges[i].bits ? ~0u << (32 - v4_ranges[i].bits) : 0;
                if ((a & mask) == v4_ranges[i].net)
                        return v4_ranges[i].why;
        }
        return NULL;
}

static bool prefix6(const uint8_t *a, const uint8_t *p, unsigned bits) {
        for (unsigned i = 0; i < bits; i++)
                if (((a[i / 8] ^ p[i / 8]) >> (7 - i % 8)) & 1)
                        return false;
        return true;
}

const char *cj_net_addr_forbidden(const struct sockaddr *sa) {
        if (sa->sa_family == AF_INET)
                return v4_forbidden(ntohl(((const struct sockaddr_in *) sa)->sin_addr.s_addr));
        if (sa->sa_family != AF_INET6)
                return "not an IP address";
        const uint8_t *a = ((const struct sockaddr_in6 *) sa)->sin6_addr.s6_addr;
        static const uint8_t zero[16] = { 0 };
        static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
        static const uint8_t nat64[12] = { 0x00, 0x64, 0xff, 0x9b };
        static const uint8_t sixto4[2] = { 0x20, 0x02 };
        static const uint8_t teredo[4] = { 0x20, 0x01, 0x00, 0x00 };
        static const uint8_t doc[4] = { 0x20, 0x01, 0x0d, 0xb8 };
        static const uint8_t ula[1] = { 0xfc }, ll[2] = { 0xfe, 0x80 }, site[2] = { 0xfe, 0xc0 }, mc[1] = { 0xff };
        if (memcmp(a, zero, 15) == 0)
                return a[15] == 1 ? "loopback" : a[15] == 0 ? "unspecified" : "reserved";
        /* Addresses that carry an IPv4 address a host may route to: refused
         * whole, rather than trusting the embedded address's class. */
        if (memcmp(a, mapped, 12) == 0)
                return "ipv4-mapped";
        if (memcmp(a, zero, 12) == 0)
                return "ipv4-compatible";
        if (prefix6(a, nat64, 96))
                return "nat64";
        if (prefix6(a, sixto4, 16))
                return "6to4";
        if (prefix6(a, teredo, 32))
                return "teredo";
        if (prefix6(a, doc, 32))
                return "reserved";
        if (prefix6(a, ula, 7))
                return "private";
        if (prefix6(a, ll, 10))
                return "link-local";
        if (prefix6(a, site, 10))
                return "site-local";
        if (prefix6(a, mc, 8))
                return "multicast";
        return NULL;
}
