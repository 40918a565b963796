/* SPDX-License-Identifier: MIT */
#include "http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int refuse(const char **why, const char *text) {
        *why = text;
        return -EINVAL;
}

static bool tchar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c);
}

/* host[:port] or [v6][:port]; port required for CONNECT.  No userinfo. */
static int parse_authority(const char *a, size_t n, bool need_port, uint16_t def_port, cj_http_request *req,
                           const char **why) {
        if (memchr(a, '@', n))
                return refuse(why, "userinfo (user@host) in the target is refused");
        if (n == 0)
                return refuse(why, "empty host");
        const char *host = a, *colon = NULL;
        size_t hlen = n;
        if (a[0] == '[') {
                const char *close = memchr(a, ']', n);
                if (!close)
                        return refuse(why, "unterminated IPv6 literal");
                hlen = (size_t) (close - a) + 1;
                if (hlen < n) {
                        if (a[hlen] != ':')
                                return refuse(why, "junk after the IPv6 literal");
                        colon = a + hlen;
                }
        } else {
                colon = memrchr(a, ':', n);
                if (colon && memchr(a, ':', (size_t) (colon - a)))
                        return refuse(why, "IPv6 literal without brackets");
                if (colon)
                        hlen = (size_t) (colon - a);
        }
        req->port = def_port;
        if (colon) {
                const char *p = colon + 1, *end = a + n;
                if (p == end)
                        return refuse(why, "empty port");
                unsigned long v = 0;
                for (; p < end; p++) {
                        if (*p < '0' || *p > '9' || v > 65535)
                                return refuse(why, "bad port");
                        v = v * 10 + (unsigned long) (*p - '0');
                }
                if (v == 0 || v > 65535)
                        return refuse(why, "bad port");
                req->port = (uint16_t) v;
        } else if (need_port)
                return refuse(why, "CONNECT needs host:port");
        return cj_net_host_normalize(host, hlen, req->host, &req->is_ip, why);
}

static bool ieq(const char *a, size_t n, const char *lit) {
        return strlen(lit) == n && strncasecmp(a, lit, n) == 0;
}

static const char *skip_ows(const char *p, const char *end) {
        while (p < end && (*p == ' ' || *p == '\t'))
                p++;
        return p;
}

int cj_http_parse_head(const char *buf, size_t len, cj_http_request *req, const char **why) {
        memset(req, 0, sizeof *req);
        req->content_length = -1;
        size_t scan = len < CJ_HTTP_HEAD_MAX ? len : CJ_HTTP_HEAD_MAX;
        const char *end = memmem(buf, scan, "\r\n\r\n", 4);
        if (!end) {
                /* Say no early on what can never become a valid head. */
                for (size_t i = 0; i < scan; i++)
                        if (buf[i] == '\0' || (buf[i] == '\n' && (i == 0 || buf[i - 1] != '\r')))
                                return refuse(why, "malformed request (bare LF or NUL)");
                if (len >= CJ_HTTP_HEAD_MAX)
                        return refuse(why, "request head larger than 16 KiB");
                return 0;
        }
        req->head_len = (size_t) (end - buf) + 4;
        const char *hend = end + 2; /* just after the last header's CRLF */
        for (const char *p = buf; p < end + 4; p++)
                if (*p == '\0' || (*p == '\n' && (p == buf || p[-1] != '\r')) ||
                    (*p == '\r' && (p + 1 >= end + 4 || p[1] != '\n')))
                        return refuse(why, "malformed request (bare CR or LF, or NUL)");

        /* Request line: METHOD SP TARGET SP HTTP/1.x */
        const char *eol = memmem(buf, req->head_len, "\r\n", 2);
        req->line_len = (size_t) (eol - buf);
        const char *sp1 = memchr(buf, ' ', req->line_len);
        if (!sp1 || sp1 == buf)
                return refuse(why, "malformed request line");
        for (const char *p = buf; p < sp1; p++)
                if (!tchar(*p))
                        return refuse(why, "malformed method");
        req->method_len = (size_t) (sp1 - buf);
        const char *target = sp1 + 1;
        const char *sp2 = memchr(target, ' ', (size_t) (eol - target));
        if (!sp2 || sp2 == target)
                return refuse(why, "malformed request line");
        const char *ver = sp2 + 1;
        if (!(eol - ver == 8 && (memcmp(ver, "HTTP/1.1", 8) == 0 || memcmp(ver, "HTTP/1.0", 8) == 0)))
                return refuse(why, "only HTTP/1.0 and HTTP/1.1 requests");
        size_t tlen = (size_t) (sp2 - target);
        for (size_t i = 0; i < tlen; i++)
                if ((unsigned char) target[i] <= 0x20 || (unsigned char) target[i] >= 0x7f)
                        return refuse(why, "control, space or non-ASCII byte in the request target");
        int r;
        req->connect = ieq(buf, req->method_len, "CONNECT");
        if (req->connect) {
                r = parse_authority(target, tlen, true, 0, req, why);
                if (r < 0)
                        return r;
        } else {
                if (tlen > 0 && target[0] == '/')
                        return refuse(why, "not a proxy request (origin-form target): use http_proxy");
                if (tlen < 7 || strncasecmp(target, "http://", 7) != 0)
                        return refuse(why, "absolute-form target must be http://... (https goes through CONNECT)");
                const char *auth = target + 7, *tend = target + tlen;
                const char *slash = auth;
                while (slash < tend && *slash != '/' && *slash != '?' && *slash != '#')
                        slash++;
                if (slash < tend && *slash == '#')
                        return refuse(why, "fragment in the request target");
                r = parse_authority(auth, (size_t) (slash - auth), false, 80, req, why);
                if (r < 0)
                        return r;
                req->path_off = (size_t) (slash - buf);
                req->path_len = (size_t) (tend - slash);
        }

        /* Headers. */
        unsigned n_headers = 0, n_host = 0, n_cl = 0, n_te = 0;
        for (const char *line = eol + 2; line < hend; line = memmem(line, (size_t) (hend - line), "\r\n", 2) + 2) {
                const char *le = memmem(line, (size_t) (hend - line), "\r\n", 2);
                if (++n_headers > CJ_HTTP_HEADERS_MAX)
                        return refuse(why, "more than 100 header lines");
                if (line[0] == ' ' || line[0] == '\t')
                        return refuse(why, "obsolete header line folding");
                const char *colon = memchr(line, ':', (size_t) (le - line));
                if (!colon || colon == line)
                        return refuse(why, "malformed header line");
                for (const char *p = line; p < colon; p++)
                        if (!tchar(*p))
                                return refuse(why, "malformed header name");
                size_t nlen = (size_t) (colon - line);
                const char *v = skip_ows(colon + 1, le), *ve = le;
                while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
                        ve--;
                size_t vlen = (size_t) (ve - v);
                if (ieq(line, nlen, "Host")) {
                        if (++n_host > 1)
                                return refuse(why, "more than one Host header");
                        cj_http_request h = { 0 };
                        const char *w2 = NULL;
                        /* A Host without a port names the target's host: cargo's git
                         * transport (git2-curl) sends "Host: name" to name:8080.  The
                         * name decides which site answers; a port that is given must
                         * still be the target's. */
                        if (parse_authority(v, vlen, false, req->port, &h, &w2) < 0)
                                return refuse(why, "Host header is not a valid host");
                        if (strcmp(h.host, req->host) != 0 || h.port != req->port)
                                return refuse(why, "Host header does not match the request target");
                } else if (ieq(line, nlen, "Content-Length")) {
                        if (++n_cl > 1)
                                return refuse(why, "more than one Content-Length header");
                        if (vlen == 0 || vlen > 15)
                                return refuse(why, "bad Content-Length");
                        int64_t cl = 0;
                        for (size_t i = 0; i < vlen; i++) {
                                if (v[i] < '0' || v[i] > '9')
                                        return refuse(why, "bad Content-Length");
                                cl = cl * 10 + (v[i] - '0');
                        }
                        req->content_length = cl;
                } else if (ieq(line, nlen, "Transfer-Encoding")) {
                        if (++n_te > 1 || !ieq(v, vlen, "chunked"))
                                return refuse(why, "Transfer-Encoding other than one \"chunked\" is refused");
                        req->chunked = true;
                }
        }
        if (req->chunked && n_cl)
                return refuse(why, "both Content-Length and Transfer-Encoding (request smuggling) are refused");
        if (!req->connect && n_host == 0 && memcmp(ver, "HTTP/1.1", 8) == 0)
                return refuse(why, "an HTTP/1.1 request needs a Host header");
        if (req->connect && (req->chunked || req->content_length > 0))
                return refuse(why, "a CONNECT request has no body");
        return 1;
}

static bool dropped_header(const char *line, size_t nlen) {
        return ieq(line, nlen, "Connection") || ieq(line, nlen, "Keep-Alive") || ieq(line, nlen, "Proxy-Connection") ||
               ieq(line, nlen, "Proxy-Authorization") || ieq(line, nlen, "Proxy-Authenticate");
}

int cj_http_rewrite_head(const char *buf, const cj_http_request *req, char **out, size_t *out_len) {
        size_t cap = req->head_len + 64;
        char *o = malloc(cap);
        if (!o)
                return -ENOMEM;
        size_t n = 0;
        const char *ver = buf + req->line_len - 8;
        memcpy(o + n, buf, req->method_len + 1);
        n += req->method_len + 1;
        if (req->path_len == 0 || buf[req->path_off] != '/')
                o[n++] = '/';
        memcpy(o + n, buf + req->path_off, req->path_len);
        n += req->path_len;
        o[n++] = ' ';
        memcpy(o + n, ver, 8);
        n += 8;
        memcpy(o + n, "\r\n", 2);
        n += 2;
        const char *hend = buf + req->head_len - 2;
        bool host_seen = false;
        for (const char *line = buf + req->line_len + 2; line < hend;) {
                const char *le = memmem(line, (size_t) (hend - line), "\r\n", 2) + 2;
                size_t nlen = (size_t) ((const char *) memchr(line, ':', (size_t) (le - line)) - line);
                host_seen = host_seen || ieq(line, nlen, "Host");
                if (!dropped_header(line, nlen)) {
                        memcpy(o + n, line, (size_t) (le - line));
                        n += (size_t) (le - line);
                }
                line = le;
        }
        if (!host_seen) { /* HTTP/1.0 without one: say which host, as the origin expects */
                char h[CJ_NET_HOST_BUF + 16];
                int hl = snprintf(h, sizeof h, req->port == 80 ? "Host: %s\r\n" : "Host: %s:%u\r\n", req->host,
                                  req->port);
                char *g = realloc(o, cap + (size_t) hl);
                if (!g) {
                        free(o);
                        return -ENOMEM;
                }
                o = g;
                memcpy(o + n, h, (size_t) hl);
                n += (size_t) hl;
        }
        memcpy(o + n, "Connection: close\r\n\r\n", 21);
        n += 21;
        *out = o;
        *out_len = n;
        return 0;
}

enum { B_SIZE, B_EXT, B_SIZE_LF, B_DATA, B_DATA_CR, B_DATA_LF, B_TRAILER, B_TRAILER_LF };

void cj_http_body_init(cj_http_body *b, const cj_http_request *req) {
        *b = (cj_http_body){ .chunked = req->chunked, .state = B_SIZE };
        if (!req->chunked) {
                b->left = req->content_length > 0 ? (uint64_t) req->content_length : 0;
                b->done = b->left == 0;
        }
}

static int hexval(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

ssize_t cj_http_body_feed(cj_http_body *b, const char *buf, size_t len, const char **why) {
        size_t i = 0;
        if (!b->chunked) {
                size_t take = b->left < len ? (size_t) b->left : len;
                b->left -= take;
                b->done = b->left == 0;
                return (ssize_t) take;
        }
        while (i < len && !b->done) {
                char c = buf[i];
                switch (b->state) {
                case B_SIZE:
                        if (hexval(c) >= 0) {
                                if (b->line++ >= 15)
                                        return refuse(why, "chunk size too large");
                                b->left = b->left * 16 + (uint64_t) hexval(c);
                        } else if (c == ';' && b->line > 0)
                                b->state = B_EXT;
                        else if (c == '\r' && b->line > 0)
                                b->state = B_SIZE_LF;
                        else
                                return refuse(why, "malformed chunk size");
                        break;
                case B_EXT:
                        if (++b->line > CJ_HTTP_CHUNK_LINE_MAX || c == '\n')
                                return refuse(why, "malformed chunk extension");
                        if (c == '\r')
                                b->state = B_SIZE_LF;
                        break;
                case B_SIZE_LF:
                        if (c != '\n')
                                return refuse(why, "malformed chunk size line");
                        b->line = 0;
                        b->line_empty = true;
                        b->state = b->left ? B_DATA : B_TRAILER;
                        break;
                case B_DATA: {
                        size_t take = b->left < len - i ? (size_t) b->left : len - i;
                        b->left -= take;
                        i += take;
                        if (b->left == 0)
                                b->state = B_DATA_CR;
                        continue;
                }
                case B_DATA_CR:
                        if (c != '\r')
                                return refuse(why, "chunk data longer than its size");
                        b->state = B_DATA_LF;
                        break;
                case B_DATA_LF:
                        if (c != '\n')
                                return refuse(why, "chunk data longer than its size");
                        b->state = B_SIZE;
                        b->line = 0;
                        break;
                case B_TRAILER:
                        if (c == '\r')
                                b->state = B_TRAILER_LF;
                        else if (c == '\n' || ++b->line > CJ_HTTP_CHUNK_LINE_MAX)
                                return refuse(why, "malformed chunked trailer");
                        else
                                b->line_empty = false;
                        break;
                case B_TRAILER_LF:
                        if (c != '\n')
                                return refuse(why, "malformed chunked trailer");
                        if (b->line_empty)
                                b->done = true;
                        b->line = 0;
                        b->line_empty = true;
                        b->state = B_TRAILER;
                        break;
                }
                i++;
        }
        return (ssize_t) i;
}
