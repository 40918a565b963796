/* SPDX-License-Identifier: MIT */
/* The egress proxy's pure parts: host normalization and patterns, address
 * classes, the HTTP head and body framing, the ClientHello parser, the
 * policy built from a profile and the operator's flags; the resolver's
 * queue, delivery and cancelling (with the system's getaddrinfo on
 * "localhost", which /etc/hosts answers); the relay's readiness rule, on
 * real sockets and pipes. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../cj_check.h"
#include "net/conn.h"
#include "net/host.h"
#include "net/http.h"
#include "net/policy.h"
#include "net/resolve.h"
#include "net/tls.h"

static const char *norm(const char *in) {
        static char out[CJ_NET_HOST_BUF];
        bool ip = false;
        const char *why = NULL;
        return cj_net_host_normalize(in, strlen(in), out, &ip, &why) == 0 ? out : NULL;
}

static bool is_ip(const char *in) {
        char out[CJ_NET_HOST_BUF];
        bool ip = false;
        const char *why = NULL;
        ck_assert_int_eq(cj_net_host_normalize(in, strlen(in), out, &ip, &why), 0);
        return ip;
}

START_TEST(host_normalize) {
        ck_assert_str_eq(norm("Registry.NPMjs.org."), "registry.npmjs.org");
        ck_assert_str_eq(norm("bücher.example"), "xn--bcher-kva.example");
        ck_assert_str_eq(norm("BÜCHER.example"), "xn--bcher-kva.example");   /* UTS #46 maps case */
        ck_assert_str_eq(norm("b\xc3\xbc" "cher\xe3\x80\x82" "example"), "xn--bcher-kva.example"); /* 。 is a dot */
        ck_assert_str_eq(norm("xn--bcher-kva.example"), "xn--bcher-kva.example");
        ck_assert_ptr_null(norm("xn--a-.example"));        /* bad punycode */
        ck_assert_ptr_null(norm(""));
        ck_assert_ptr_null(norm("a..b"));
        ck_assert_ptr_null(norm(".a"));
        ck_assert_ptr_null(norm("a b"));
        ck_assert_ptr_null(norm("a%2eb"));
        ck_assert_ptr_null(norm("-a.org"));
        ck_assert_ptr_null(norm("evil.org\xff"));          /* not UTF-8: IDNA refuses */
        ck_assert_ptr_null(norm("a.123"));                 /* numeric last label, not an address */
        ck_assert_ptr_null(norm("a.0x10"));
        char l64[80];
        memset(l64, 'a', 64);
        strcpy(l64 + 64, ".org");
        ck_assert_ptr_null(norm(l64));
        /* IP literals in every form a resolver accepts, made canonical. */
        ck_assert_str_eq(norm("127.1"), "127.0.0.1");
        ck_assert_str_eq(norm("2130706433"), "127.0.0.1");
        ck_assert_str_eq(norm("0x7f.0.0.1"), "127.0.0.1");
        ck_assert_str_eq(norm("0177.0.0.1"), "127.0.0.1");
        ck_assert_str_eq(norm("[::FFFF:127.0.0.1]"), "::ffff:127.0.0.1");
        ck_assert(is_ip("10.0.0.1"));
        ck_assert(is_ip("[::1]"));
        ck_assert(!is_ip("example.org"));
}
END_TEST

static const char *pat(const char *in) {
        static char *out;
        free(out);
        out = NULL;
        const char *why;
        return cj_net_pattern_normalize(in, &out, &why) == 0 ? out : NULL;
}

START_TEST(patterns) {
        ck_assert_str_eq(pat("*.Example.ORG."), "*.example.org");
        ck_assert_str_eq(pat("**.example.org"), "**.example.org");
        ck_assert_str_eq(pat("127.0.0.1"), "127.0.0.1");
        ck_assert_ptr_null(pat("*.127.0.0.1"));
        ck_assert_ptr_null(pat("a.*.org"));
        ck_assert_ptr_null(pat("*"));
        ck_assert_ptr_null(pat("*example.org"));

        ck_assert(cj_net_pattern_match("example.org", "example.org", false));
        ck_assert(!cj_net_pattern_match("example.org", "a.example.org", false));
        ck_assert(cj_net_pattern_match("*.example.org", "a.b.example.org", false));
        ck_assert(!cj_net_pattern_match("*.example.org", "example.org", false));
        ck_assert(!cj_net_pattern_match("*.example.org", "evilexample.org", false));
        ck_assert(!cj_net_pattern_match("*.example.org", "example.org.evil.net", false));
        ck_assert(cj_net_pattern_match("**.example.org", "example.org", false));
        ck_assert(cj_net_pattern_match("**.example.org", "x.example.org", false));
        ck_assert(!cj_net_pattern_match("**.example.org", "xexample.org", false));
        ck_assert(cj_net_pattern_match("10.0.0.1", "10.0.0.1", true));

        ck_assert(cj_net_pattern_covers("**.example.org", "example.org"));
        ck_assert(cj_net_pattern_covers("**.example.org", "*.example.org"));
        ck_assert(cj_net_pattern_covers("**.example.org", "**.a.example.org"));
        ck_assert(cj_net_pattern_covers("*.example.org", "a.example.org"));
        ck_assert(cj_net_pattern_covers("*.example.org", "**.a.example.org"));
        ck_assert(!cj_net_pattern_covers("*.example.org", "**.example.org"));
        ck_assert(!cj_net_pattern_covers("*.example.org", "example.org"));
        ck_assert(!cj_net_pattern_covers("example.org", "*.example.org"));
        ck_assert(!cj_net_pattern_covers("example.org", "example.com"));
}
END_TEST

static const char *addr_class(const char *text) {
        struct sockaddr_storage ss;
        socklen_t len;
        ck_assert_int_eq(cj_net_addr_parse(text, &ss, &len), 0);
        return cj_net_addr_forbidden((struct sockaddr *) &ss);
}

START_TEST(address_classes) {
        const char *bad[][2] = {
                { "127.0.0.1", "loopback" },   { "10.1.2.3", "private" },        { "172.16.0.1", "private" },
                { "172.31.255.255", "private" }, { "192.168.1.1", "private" },   { "169.254.169.254", "link-local" },
                { "100.64.0.1", "cgnat" },     { "100.127.255.255", "cgnat" },   { "224.0.0.1", "multicast" },
                { "0.0.0.0", "unspecified" },  { "255.255.255.255", "reserved" }, { "::1", "loopback" },
                { "::", "unspecified" },       { "::ffff:8.8.8.8", "ipv4-mapped" }, { "::127.0.0.1", "ipv4-compatible" },
                { "fe80::1", "link-local" },   { "fd00::1", "private" },         { "ff02::1", "multicast" },
                { "64:ff9b::7f00:1", "nat64" }, { "2002:7f00:1::1", "6to4" },
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                const char *c = addr_class(bad[i][0]);
                ck_assert_msg(c && strcmp(c, bad[i][1]) == 0, "%s: got %s, want %s", bad[i][0], c ? c : "public",
                              bad[i][1]);
        }
        const char *good[] = { "8.8.8.8", "172.32.0.1", "100.128.0.1", "151.101.1.1", "2606:4700::1111" };
        for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
                ck_assert_msg(addr_class(good[i]) == NULL, "%s should be public", good[i]);
}
END_TEST

static int head(const char *text, cj_http_request *req, const char **why) {
        *why = NULL;
        return cj_http_parse_head(text, strlen(text), req, why);
}

static void head_refused(const char *text, const char *needle) {
        cj_http_request req;
        const char *why;
        ck_assert_int_eq(head(text, &req, &why), -EINVAL);
        ck_assert_msg(why && strstr(why, needle), "'%s': reason '%s' lacks '%s'", text, why ? why : "", needle);
}

START_TEST(http_heads) {
        cj_http_request req;
        const char *why;
        ck_assert_int_eq(head("CONNECT Registry.test:443 HTTP/1.1\r\nHost: registry.test:443\r\n\r\n", &req, &why), 1);
        ck_assert(req.connect);
        ck_assert_str_eq(req.host, "registry.test");
        ck_assert_int_eq(req.port, 443);
        ck_assert_int_eq(head("GET http://a.test/x?y HTTP/1.1\r\nHost: A.test\r\nContent-Length: 3\r\n\r\nabc", &req, &why),
                         1);
        ck_assert(!req.connect);
        ck_assert_int_eq(req.port, 80);
        ck_assert_int_eq(req.content_length, 3);
        ck_assert_int_eq(req.head_len, strlen("GET http://a.test/x?y HTTP/1.1\r\nHost: A.test\r\nContent-Length: 3\r\n\r\n"));
        char *out = NULL;
        size_t n = 0;
        const char *t = "GET http://a.test:8080 HTTP/1.1\r\nHost: a.test:8080\r\nProxy-Authorization: x\r\n"
                        "Connection: keep-alive\r\nAccept: */*\r\n\r\n";
        ck_assert_int_eq(head(t, &req, &why), 1);
        ck_assert_int_eq(cj_http_rewrite_head(t, &req, &out, &n), 0);
        char *got = strndup(out, n); /* the rewritten head is counted, not NUL-terminated */
        ck_assert_str_eq(got, "GET / HTTP/1.1\r\nHost: a.test:8080\r\nAccept: */*\r\nConnection: close\r\n\r\n");
        free(got);
        free(out);
        ck_assert_int_eq(head("GET http://a.test/ HTTP/1.1\r\nHost: a.test\r\n", &req, &why), 0); /* more needed */
        /* git2-curl (cargo's git transport) leaves the port out of Host */
        ck_assert_int_eq(head("GET http://a.test:8080/x HTTP/1.1\r\nHost: a.test\r\n\r\n", &req, &why), 1);
        ck_assert_int_eq(req.port, 8080);

        head_refused("CONNECT user:pw@a.test:443 HTTP/1.1\r\n\r\n", "userinfo");
        head_refused("GET http://a.test@evil.test/ HTTP/1.1\r\nHost: evil.test\r\n\r\n", "userinfo");
        head_refused("CONNECT a.test HTTP/1.1\r\n\r\n", "host:port");
        head_refused("GET http://a.test/ HTTP/1.1\r\nHost: evil.test\r\n\r\n", "does not match");
        head_refused("GET http://a.test/ HTTP/1.1\r\nHost: a.test:81\r\n\r\n", "does not match");
        head_refused("GET http://a.test:8080/ HTTP/1.1\r\nHost: a.test:80\r\n\r\n", "does not match");
        head_refused("GET http://a.test:8080/ HTTP/1.1\r\nHost: evil.test\r\n\r\n", "does not match");
        head_refused("GET http://a.test/ HTTP/1.1\r\nHost: a.test\r\nHost: a.test\r\n\r\n", "more than one Host");
        head_refused("GET http://a.test/ HTTP/1.1\r\n\r\n", "needs a Host");
        head_refused("GET /x HTTP/1.1\r\nHost: a.test\r\n\r\n", "origin-form");
        head_refused("GET https://a.test/ HTTP/1.1\r\nHost: a.test\r\n\r\n", "CONNECT");
        head_refused("GET http://a.test/ HTTP/1.1\nHost: a.test\r\n\r\n", "bare");
        head_refused("GET http://a.test/ HTTP/1.1\r\nHost: a.test\r\n X: folded\r\n\r\n", "folding");
        head_refused("POST http://a.test/ HTTP/1.1\r\nHost: a.test\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
                     "smuggling");
        head_refused("POST http://a.test/ HTTP/1.1\r\nHost: a.test\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                     "more than one Content-Length");
        head_refused("POST http://a.test/ HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
                     "Transfer-Encoding");
        head_refused("GET http://a.test/ HTTP/2.0\r\nHost: a.test\r\n\r\n", "HTTP/1.0");
        head_refused("GET http://[::1/ HTTP/1.1\r\nHost: a\r\n\r\n", "IPv6");
        char big[CJ_HTTP_HEAD_MAX + 16];
        memset(big, 'a', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        head_refused(big, "16 KiB");
}
END_TEST

START_TEST(http_body_framing) {
        cj_http_request req = { .content_length = 5 };
        cj_http_body b;
        const char *why = NULL;
        cj_http_body_init(&b, &req);
        ck_assert_int_eq(cj_http_body_feed(&b, "abcGET ", 7, &why), 5); /* 2 bytes of a second request */
        ck_assert(b.done);
        req = (cj_http_request){ .chunked = true, .content_length = -1 };
        cj_http_body_init(&b, &req);
        const char *chunks = "3;x=y\r\nabc\r\n0\r\nT: v\r\n\r\nGET http://evil/";
        ssize_t n = cj_http_body_feed(&b, chunks, strlen(chunks), &why);
        ck_assert_int_eq(n, (ssize_t) strlen("3;x=y\r\nabc\r\n0\r\nT: v\r\n\r\n"));
        ck_assert(b.done);
        /* split at every byte: the same end */
        cj_http_body_init(&b, &req);
        size_t total = 0;
        for (size_t i = 0; i < strlen(chunks) && !b.done; i++)
                total += (size_t) cj_http_body_feed(&b, chunks + i, 1, &why);
        ck_assert_int_eq(total, (size_t) n);
        cj_http_body_init(&b, &req);
        ck_assert_int_lt(cj_http_body_feed(&b, "3\r\nabcd\r\n", 9, &why), 0);
        cj_http_body_init(&b, &req);
        ck_assert_int_lt(cj_http_body_feed(&b, "fffffffffffffffff\r\n", 19, &why), 0);
        req = (cj_http_request){ .content_length = -1 };
        cj_http_body_init(&b, &req);
        ck_assert(b.done); /* no body at all */
}
END_TEST

/* A minimal ClientHello with the given extensions block (NULL: none). */
static size_t hello(uint8_t *out, const uint8_t *exts, size_t exts_len, bool with_exts) {
        uint8_t body[4096];
        size_t n = 0;
        body[n++] = 3;
        body[n++] = 3;
        memset(body + n, 7, 32);
        n += 32;
        body[n++] = 0;                  /* session id */
        body[n++] = 0, body[n++] = 2;   /* one cipher suite */
        body[n++] = 0x13, body[n++] = 1;
        body[n++] = 1, body[n++] = 0;   /* compression: null */
        if (with_exts) {
                body[n++] = (uint8_t) (exts_len >> 8), body[n++] = (uint8_t) exts_len;
                memcpy(body + n, exts, exts_len);
                n += exts_len;
        }
        size_t o = 0;
        out[o++] = 22, out[o++] = 3, out[o++] = 1;
        out[o++] = (uint8_t) ((n + 4) >> 8), out[o++] = (uint8_t) (n + 4);
        out[o++] = 1, out[o++] = 0, out[o++] = (uint8_t) (n >> 8), out[o++] = (uint8_t) n;
        memcpy(out + o, body, n);
        return o + n;
}

static size_t sni_ext(uint8_t *e, const char *name) {
        size_t l = strlen(name), o = 0;
        e[o++] = 0, e[o++] = 0;                                          /* server_name */
        e[o++] = (uint8_t) ((l + 5) >> 8), e[o++] = (uint8_t) (l + 5);
        e[o++] = (uint8_t) ((l + 3) >> 8), e[o++] = (uint8_t) (l + 3);
        e[o++] = 0, e[o++] = (uint8_t) (l >> 8), e[o++] = (uint8_t) l;
        memcpy(e + o, name, l);
        return o + l;
}

START_TEST(tls_sni) {
        uint8_t ext[512], rec[8192];
        char sni[CJ_NET_HOST_BUF];
        const char *why = NULL;
        size_t el = sni_ext(ext, "Registry.Test");
        size_t n = hello(rec, ext, el, true);
        ck_assert_int_eq(cj_tls_client_hello_sni(rec, n, sni, &why), 1);
        ck_assert_str_eq(sni, "registry.test");
        for (size_t cut = 0; cut < n; cut++) /* every prefix asks for more, never misparses */
                ck_assert_int_eq(cj_tls_client_hello_sni(rec, cut, sni, &why), 0);
        n = hello(rec, NULL, 0, false);
        ck_assert_int_eq(cj_tls_client_hello_sni(rec, n, sni, &why), 1);
        ck_assert_str_eq(sni, "");
        /* two server_name extensions */
        size_t e2 = sni_ext(ext, "a.test");
        e2 += sni_ext(ext + e2, "b.test");
        n = hello(rec, ext, e2, true);
        ck_assert_int_eq(cj_tls_client_hello_sni(rec, n, sni, &why), -EINVAL);
        /* an IP address as server_name */
        n = hello(rec, ext, sni_ext(ext, "127.0.0.1"), true);
        ck_assert_int_eq(cj_tls_client_hello_sni(rec, n, sni, &why), -EINVAL);
        /* an extension length past its end */
        el = sni_ext(ext, "a.test");
        ext[3] += 40;
        n = hello(rec, ext, el, true);
        ck_assert_int_eq(cj_tls_client_hello_sni(rec, n, sni, &why), -EINVAL);
        /* plain text in a tunnel: a second CONNECT */
        const char *chain = "CONNECT evil.test:443 HTTP/1.1\r\n\r\n";
        ck_assert_int_eq(cj_tls_client_hello_sni((const uint8_t *) chain, strlen(chain), sni, &why), -EINVAL);
        ck_assert(strstr(why, "TLS"));
        /* the hello split over two records */
        el = sni_ext(ext, "split.test");
        n = hello(rec, ext, el, true);
        uint8_t two[8192];
        size_t first = 20, rest = n - 5 - first;
        memcpy(two, rec, 5 + first);
        two[3] = 0, two[4] = (uint8_t) first;
        two[5 + first] = 22, two[6 + first] = 3, two[7 + first] = 1;
        two[8 + first] = (uint8_t) (rest >> 8), two[9 + first] = (uint8_t) rest;
        memcpy(two + 10 + first, rec + 5 + first, rest);
        ck_assert_int_eq(cj_tls_client_hello_sni(two, n + 5, sni, &why), 1);
        ck_assert_str_eq(sni, "split.test");
}
END_TEST

static cj_profile *load(const char *text, cj_error *err) {
        static const cj_profile_vars vars = { .cwd = "/w", .home = "/h" };
        cj_profile *p = NULL;
        cj_profile_load_string(text, "p.json", &vars, &p, err);
        return p;
}

START_TEST(policy_from_profile) {
        cj_error err = { 0 };
        cj_profile *p = load("{\"network\":\"proxy\",\"egress\":{\"allow\":[\"**.Example.org\",\"registry.test\","
                             "\"10.1.2.3\"],\"deny\":[\"secret.example.org\"],\"ports\":[443,8443],"
                             "\"resolve\":{\"Registry.test\":\"127.0.0.1\"}},\"loopback_ports\":[5432]}",
                             &err);
        ck_assert_msg(p, "%s", err.msg);
        cj_net_policy pol;
        ck_assert_int_eq(cj_net_policy_build(p, -1, NULL, &pol, &err), 0);
        ck_assert_ptr_null(cj_net_policy_check(&pol, "a.example.org", false, 443));
        ck_assert_ptr_null(cj_net_policy_check(&pol, "example.org", false, 8443));
        ck_assert_str_eq(cj_net_policy_check(&pol, "secret.example.org", false, 443), "host is in egress.deny");
        ck_assert_str_eq(cj_net_policy_check(&pol, "example.org", false, 80), "port not in egress.ports");
        ck_assert_str_eq(cj_net_policy_check(&pol, "evil.test", false, 443), "host not in egress.allow");
        ck_assert_str_eq(cj_net_policy_check(&pol, "10.9.9.9", true, 443), "IP address not listed in egress.allow");
        ck_assert_ptr_null(cj_net_policy_check(&pol, "10.1.2.3", true, 443));
        ck_assert_ptr_nonnull(cj_net_policy_pin(&pol, "registry.test"));
        ck_assert_ptr_null(cj_net_policy_pin(&pol, "a.example.org"));
        ck_assert_int_eq(pol.n_loopback_ports, 1);
        cj_net_policy_clear(&pol);

        /* --allow-host narrows; what the profile does not allow is refused. */
        char n1[] = "x.example.org", w1[] = "evil.test";
        char *narrow[] = { n1, NULL }, *wide[] = { w1, NULL };
        ck_assert_int_eq(cj_net_policy_build(p, CJ_NET_PROXY, narrow, &pol, &err), 0);
        ck_assert_str_eq(cj_net_policy_check(&pol, "y.example.org", false, 443), "host not in egress.allow");
        cj_net_policy_clear(&pol);
        ck_assert_int_eq(cj_net_policy_build(p, CJ_NET_PROXY, wide, &pol, &err), -EPERM);
        ck_assert(strstr(err.msg, "--allow-host evil.test would widen"));
        cj_error_clear(&err);
        ck_assert_int_eq(cj_net_policy_build(p, CJ_NET_HOST, NULL, &pol, &err), -EPERM);
        cj_error_clear(&err);
        ck_assert_int_eq(cj_net_policy_build(p, CJ_NET_LOOPBACK, NULL, &pol, &err), -EPERM); /* not comparable */
        cj_error_clear(&err);
        ck_assert_int_eq(cj_net_policy_build(p, CJ_NET_NONE, NULL, &pol, &err), 0);
        ck_assert_int_eq(pol.n_loopback_ports, 0);
        cj_net_policy_clear(&pol);
        cj_profile_free(p);

        /* A host-network profile may be narrowed to any allow list. */
        p = load("{\"network\":\"host\"}", &err);
        ck_assert_int_eq(cj_net_policy_build(p, CJ_NET_PROXY, wide, &pol, &err), 0);
        ck_assert_ptr_null(cj_net_policy_check(&pol, "evil.test", false, 443));
        cj_net_policy_clear(&pol);
        ck_assert_int_eq(cj_net_policy_build(p, -1, wide, &pol, &err), -EINVAL); /* --allow-host needs proxy */
        cj_profile_free(p);
}
END_TEST

START_TEST(profile_egress_narrowing) {
        cj_error err = { 0 };
        cj_profile *p = load("{\"egress\":{\"allow\":[\"a b\"]}}", &err);
        ck_assert_ptr_null(p);
        ck_assert_msg(strstr(err.msg, "p.json: egress.allow[0]: 'a b' is not a host pattern"), "%s", err.msg);
        cj_error_clear(&err);
        p = load("{\"egress\":{\"ports\":[0]}}", &err);
        ck_assert_ptr_null(p);
        cj_error_clear(&err);
        p = load("{\"egress\":{\"resolve\":{\"a.test\":\"localhost\"}}}", &err);
        ck_assert_ptr_null(p);
        ck_assert_msg(strstr(err.msg, "egress.resolve.a.test"), "%s", err.msg);
        cj_error_clear(&err);
        /* build-net extends default (no network) and says it widens */
        p = load("{\"extends\":\"default\",\"network\":\"proxy\"}", &err);
        ck_assert_ptr_null(p);
        ck_assert_msg(strstr(err.msg, "widen"), "%s", err.msg);
        cj_error_clear(&err);
        p = load("{\"extends\":\"build-net\",\"egress\":{\"allow\":[\"registry.npmjs.org\"],\"deny\":[\"x.test\"]}}", &err);
        ck_assert_msg(p, "%s", err.msg);
        ck_assert_int_eq(p->network, CJ_NET_PROXY);
        ck_assert_str_eq(p->egress.allow[0], "registry.npmjs.org");
        ck_assert_ptr_null(p->egress.allow[1]);
        cj_profile_free(p);
        p = load("{\"extends\":\"build-net\",\"egress\":{\"allow\":[\"evil.test\"]}}", &err);
        ck_assert_ptr_null(p);
        ck_assert_msg(strstr(err.msg, "egress.allow: evil.test"), "%s", err.msg);
        cj_error_clear(&err);
        p = load("{\"extends\":\"build-net\",\"egress\":{\"ports\":[22]}}", &err);
        ck_assert_ptr_null(p);
        cj_error_clear(&err);
        p = load("{\"extends\":\"build-net\",\"egress\":{\"resolve\":{\"registry.npmjs.org\":\"10.0.0.1\"}}}", &err);
        ck_assert_ptr_null(p);
        ck_assert_msg(strstr(err.msg, "egress.resolve"), "%s", err.msg);
        cj_error_clear(&err);
        p = load("{\"extends\":\"build-net\",\"network\":\"host\"}", &err);
        ck_assert_ptr_null(p);
        cj_error_clear(&err);
        p = load("{\"extends\":\"build-net\",\"network\":\"none\"}", &err);
        ck_assert_msg(p, "%s", err.msg);
        cj_profile_free(p);
}
END_TEST

typedef struct got {
        int calls;
        void *owner;
        int gai;
        bool loopback;
} got;

static void on_lookup(void *ctx, void *owner, const struct addrinfo *res, int gai) {
        got *g = ctx;
        g->calls++;
        g->owner = owner;
        g->gai = gai;
        for (const struct addrinfo *a = res; a; a = a->ai_next)
                if (cj_net_addr_forbidden(a->ai_addr) && strcmp(cj_net_addr_forbidden(a->ai_addr), "loopback") == 0)
                        g->loopback = true;
}

/* Wait until the resolver's fd is readable (at most ms), then drain. */
static void wait_drain(cj_net_resolver *r, got *g, int ms) {
        struct pollfd pfd = { .fd = cj_net_resolver_fd(r), .events = POLLIN };
        if (poll(&pfd, 1, ms) == 1)
                cj_net_resolver_drain(r, on_lookup, g);
}

START_TEST(resolver) {
        cj_net_resolver *r = NULL;
        ck_assert_int_eq(cj_net_resolver_new(&r), 0);
        int owner1, owner2, owner3;
        cj_net_lookup *l1, *l2, *l3;
        got g = { 0 };

        /* A lookup is delivered once, to its owner, on the resolver's fd. */
        ck_assert_int_eq(cj_net_resolver_submit(r, "localhost", &owner1, &l1), 0);
        wait_drain(r, &g, 10000);
        ck_assert_int_eq(g.calls, 1);
        ck_assert_ptr_eq(g.owner, &owner1);
        ck_assert_int_eq(g.gai, 0);
        ck_assert(g.loopback);
        ck_assert_uint_eq(cj_net_resolver_pending(r), 0);

        /* Cancelled at once (queued or running): never delivered. */
        g = (got){ 0 };
        ck_assert_int_eq(cj_net_resolver_submit(r, "localhost", &owner2, &l2), 0);
        cj_net_resolver_cancel(r, l2);
        ck_assert_int_eq(cj_net_resolver_submit(r, "localhost", &owner3, &l3), 0);
        wait_drain(r, &g, 10000);
        for (int i = 0; i < 50 && g.calls == 0; i++)
                wait_drain(r, &g, 100);
        ck_assert_int_eq(g.calls, 1);
        ck_assert_ptr_eq(g.owner, &owner3);

        /* Cancelled after it finished, before the drain: dropped too. */
        g = (got){ 0 };
        ck_assert_int_eq(cj_net_resolver_submit(r, "localhost", &owner1, &l1), 0);
        struct pollfd pfd = { .fd = cj_net_resolver_fd(r), .events = POLLIN };
        ck_assert_int_eq(poll(&pfd, 1, 10000), 1);
        cj_net_resolver_cancel(r, l1);
        cj_net_resolver_drain(r, on_lookup, &g);
        ck_assert_int_eq(g.calls, 0);

        /* Freed with lookups queued and running: their processes are killed
         * and reaped, none is left (and ASan's build sees no leak). */
        for (int i = 0; i < 2 * CJ_NET_RESOLVERS_MAX; i++)
                ck_assert_int_eq(cj_net_resolver_submit(r, "localhost", &owner1, &l1), 0);
        ck_assert_uint_eq(cj_net_resolver_pending(r), 2 * CJ_NET_RESOLVERS_MAX);
        cj_net_resolver_free(r);
        ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
        ck_assert_int_eq(errno, ECHILD);
        cj_net_resolver_free(NULL);
}
END_TEST

/* One relaying connection between two AF_UNIX socket pairs: [0] of each is
 * the proxy's end, [1] the peer's (the server's, the client's).  An opaque
 * loopback forward, so never handed to the in-kernel relay; the proxy's
 * budget is not limited.  Default-sized pipes (16 slots). */
typedef struct relay_rig {
        int up_pair[2], client_pair[2];
        cj_net_proxy px;
        conn c;
} relay_rig;

static void rig_open(relay_rig *r) {
        *r = (relay_rig){ 0 };
        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, r->up_pair), 0);
        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, r->client_pair), 0);
        r->px.budget = &r->px.budget_own;
        r->c = (conn){ .cfd = r->client_pair[0], .ufd = r->up_pair[0], .phase = P_RELAY, .tunnel = true, .pair = -1,
                       .c_in = true, .u_in = true, .c_out = true };
        r->c.ev.kind = "loopback";
        ck_assert_int_eq(pipe2(r->c.up, O_CLOEXEC | O_NONBLOCK), 0);
        ck_assert_int_eq(pipe2(r->c.down, O_CLOEXEC | O_NONBLOCK), 0);
}

/* Everything taken: no piece is held, and the spare one goes. */
static void rig_close(relay_rig *r) {
        ck_assert_ptr_null(r->c.out_piece.buf);
        free(r->px.spare_piece);
        for (int i = 0; i < 2; i++) {
                close(r->up_pair[i]);
                close(r->client_pair[i]);
                close(r->c.up[i]);
                close(r->c.down[i]);
        }
}

/* The relay skips a direction whose splice said EAGAIN until its socket's
 * next event, but a socket-to-pipe splice also says EAGAIN when the pipe is
 * out of slots (one per fragment) with bytes still waiting in the socket.
 * AF_UNIX keeps every 1-byte write a fragment of its own, so a few dozen of
 * them fill a pipe by slots: the relay must still move the rest once the
 * client has room, with no new event from the upstream (a server that said
 * everything and waits). */
START_TEST(relay_pipe_full_of_fragments) {
        relay_rig r;
        rig_open(&r); /* default-sized pipes: fewer slots than writes below */
        int slots = fcntl(r.c.down[1], F_GETPIPE_SZ) / (int) sysconf(_SC_PAGESIZE);

        /* The client reads nothing yet: its socket is full. */
        char fill[4096] = { 0 };
        size_t filled = 0;
        for (ssize_t n; (n = write(r.client_pair[0], fill, sizeof fill)) > 0;)
                filled += (size_t) n;
        ck_assert_int_eq(errno, EAGAIN);
        /* The server's last words: one byte per write, then silence. */
        int sent = 0;
        while (sent < 4 * slots && write(r.up_pair[1], "x", 1) == 1)
                sent++;
        ck_assert_int_gt(sent, slots);

        cj_net_conn_pump(&r.px, &r.c); /* the pipe fills by slots; the client takes nothing */
        ck_assert(!r.c.c_out);
        ck_assert_uint_gt(r.c.down_n, 0);

        /* The client reads: each time it made room, its socket's event. */
        size_t received = 0;
        for (int round = 0; round < 1000 && received < filled + (size_t) sent; round++) {
                char buf[65536];
                ssize_t n;
                bool read_any = false;
                while ((n = read(r.client_pair[1], buf, sizeof buf)) > 0) {
                        received += (size_t) n;
                        read_any = true;
                }
                if (!read_any && r.c.down_n == 0 && !r.c.out_piece.buf)
                        break;
                cj_net_conn_ready(&r.c, true, EPOLLOUT);
                cj_net_conn_pump(&r.px, &r.c);
        }
        ck_assert_uint_eq(received, filled + (size_t) sent);
        ck_assert_uint_eq(r.c.ev.bytes_down, (uint64_t) sent);
        rig_close(&r);
}
END_TEST

/* The response is copied out of the pipe a piece at a time; a client that
 * takes only part of a piece gets the rest, in order, when it has room
 * again, and a piece is held only while some of it is left. */
START_TEST(relay_client_takes_part_of_a_piece) {
        relay_rig r;
        rig_open(&r);
        int small = 16384; /* the client's socket takes far less than a piece at a time */
        ck_assert_int_eq(setsockopt(r.client_pair[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
        fcntl(r.c.down[1], F_SETPIPE_SZ, PIPE_SIZE);

        /* The server's answer: 3 MiB in which every byte says where it is. */
        size_t total = 3u << 20, sent = 0, received = 0;
        uint8_t *want = malloc(total), *seen = malloc(total);
        ck_assert_ptr_nonnull(want);
        ck_assert_ptr_nonnull(seen);
        for (size_t i = 0; i < total; i++)
                want[i] = (uint8_t) (i * 7 + i / 251);
        bool held_part = false;
        for (int round = 0; round < 100000 && received < total; round++) {
                ssize_t n;
                while (sent < total && (n = write(r.up_pair[1], want + sent, total - sent)) > 0)
                        sent += (size_t) n;
                cj_net_conn_ready(&r.c, false, EPOLLIN);
                cj_net_conn_pump(&r.px, &r.c);
                if (r.c.out_piece.buf && r.c.out_piece.off > 0)
                        held_part = true; /* part of a piece went out, the rest waits */
                ck_assert(!r.c.out_piece.buf || r.c.out_piece.off < r.c.out_piece.len);
                while ((n = read(r.client_pair[1], seen + received, total - received)) > 0)
                        received += (size_t) n;
                cj_net_conn_ready(&r.c, true, EPOLLOUT);
        }
        ck_assert_uint_eq(received, total);
        ck_assert_int_eq(memcmp(seen, want, total), 0);
        ck_assert(held_part);
        ck_assert_uint_eq(r.c.ev.bytes_down, total);
        ck_assert_ptr_nonnull(r.px.spare_piece); /* kept for the next piece */
        free(want);
        free(seen);
        rig_close(&r);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("net");
        TCase *tc = tcase_create("net");
        tcase_add_test(tc, host_normalize);
        tcase_add_test(tc, patterns);
        tcase_add_test(tc, address_classes);
        tcase_add_test(tc, http_heads);
        tcase_add_test(tc, http_body_framing);
        tcase_add_test(tc, tls_sni);
        tcase_add_test(tc, policy_from_profile);
        tcase_add_test(tc, profile_egress_narrowing);
        tcase_add_test(tc, resolver);
        tcase_add_test(tc, relay_pipe_full_of_fragments);
        tcase_add_test(tc, relay_client_takes_part_of_a_piece);
        suite_add_tcase(s, tc);
        return s;
}

CJ_CHECK_MAIN(make_suite)
