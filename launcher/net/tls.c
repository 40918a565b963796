/* SPDX-License-Identifier: MIT */
#include "tls.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

enum { TLS_HANDSHAKE = 22, HS_CLIENT_HELLO = 1, EXT_SERVER_NAME = 0, SNI_HOST_NAME = 0 };
#define TLS_RECORD_MAX (16384 + 2048) /* TLSCiphertext limit; a plaintext hello is smaller */

static int refuse(const char **why, const char *text) {
        *why = text;
        return -EINVAL;
}

/* A bounded reader: every take checks the bytes left. */
typedef struct rd {
        const uint8_t *p;
        size_t left;
} rd;

static bool take(rd *r, size_t n, const uint8_t **out) {
        if (r->left < n)
                return false;
        if (out)
                *out = r->p;
        r->p += n;
        r->left -= n;
        return true;
}

static bool u8(rd *r, size_t *v) {
        const uint8_t *b;
        if (!take(r, 1, &b))
                return false;
        *v = b[0];
        return true;
}

static bool u16(rd *r, size_t *v) {
        const uint8_t *b;
        if (!take(r, 2, &b))
                return false;
        *v = (size_t) b[0] << 8 | b[1];
        return true;
}

/* A sub-reader over the next n bytes. */
static bool sub(rd *r, size_t n, rd *s) {
        const uint8_t *b;
        if (!take(r, n, &b))
                return false;
        *s = (rd){ b, n };
        return true;
}

static int parse_sni(rd ext, char sni[CJ_NET_HOST_BUF], const char **why) {
        size_t list_len, type, name_len;
        rd list;
        if (!u16(&ext, &list_len) || !sub(&ext, list_len, &list) || ext.left != 0)
                return refuse(why, "malformed server_name extension");
        bool seen = false;
        while (list.left) {
                const uint8_t *name;
                if (!u8(&list, &type) || !u16(&list, &name_len) || !take(&list, name_len, &name))
                        return refuse(why, "malformed server_name extension");
                if (type != SNI_HOST_NAME)
                        continue;
                if (seen)
                        return refuse(why, "more than one server_name");
                seen = true;
                bool ip = false;
                const char *w = NULL;
                if (memchr(name, 0, name_len) || cj_net_host_normalize((const char *) name, name_len, sni, &ip, &w) < 0)
                        return refuse(why, "server_name is not a valid host name");
                if (ip)
                        return refuse(why, "server_name is an IP address");
        }
        return 0;
}

int cj_tls_client_hello_sni(const uint8_t *buf, size_t len, char sni[CJ_NET_HOST_BUF], const char **why) {
        sni[0] = '\0';
        /* Gather the handshake bytes from consecutive handshake records.  On
         * the heap, not in thread-local storage: 32 KB of TLS is zeroed in
         * every process at start (8 page faults in each clawjail call). */
        _cleanup_free_ uint8_t *hs = malloc(CJ_TLS_HELLO_MAX);
        if (!hs) {
                *why = "out of memory";
                return -ENOMEM;
        }
        size_t hs_len = 0, off = 0;
        size_t need = 0; /* the hello's full length once its header is in */
        for (;;) {
                if (len - off < 5)
                        return len > CJ_TLS_HELLO_MAX ? refuse(why, "TLS ClientHello too large") : 0;
                const uint8_t *h = buf + off;
                if (h[0] != TLS_HANDSHAKE)
                        return refuse(why, off ? "TLS ClientHello interleaved with other records"
                                               : "not a TLS ClientHello (a tunnel must start with TLS)");
                if (h[1] != 3 || h[2] > 4)
                        return refuse(why, "not a TLS record (bad version)");
                size_t rlen = (size_t) h[3] << 8 | h[4];
                if (rlen == 0 || rlen > TLS_RECORD_MAX)
                        return refuse(why, "bad TLS record length");
                if (off + 5 + rlen > CJ_TLS_HELLO_MAX)
                        return refuse(why, "TLS ClientHello too large");
                if (len - off - 5 < rlen)
                        return 0;
                memcpy(hs + hs_len, h + 5, rlen);
                hs_len += rlen;
                off += 5 + rlen;
                if (hs_len >= 4) {
                        if (hs[0] != HS_CLIENT_HELLO)
                                return refuse(why, "first handshake message is not a ClientHello");
                        need = 4 + ((size_t) hs[1] << 16 | (size_t) hs[2] << 8 | hs[3]);
                        if (need > CJ_TLS_HELLO_MAX)
                                return refuse(why, "TLS ClientHello too large");
                        if (hs_len >= need)
                                break;
                }
        }
        rd r = { hs + 4, need - 4 }, v;
        size_t n, ext_type, ext_len;
        if (!take(&r, 2 + 32, NULL) || !u8(&r, &n) || n > 32 || !take(&r, n, NULL) || !u16(&r, &n) || n % 2 ||
            !take(&r, n, NULL) || !u8(&r, &n) || !take(&r, n, NULL))
                return refuse(why, "malformed TLS ClientHello");
        if (r.left == 0)
                return 1; /* no extensions, no server_name */
        rd exts;
        if (!u16(&r, &n) || !sub(&r, n, &exts) || r.left != 0)
                return refuse(why, "malformed TLS ClientHello extensions");
        bool seen = false;
        while (exts.left) {
                if (!u16(&exts, &ext_type) || !u16(&exts, &ext_len) || !sub(&exts, ext_len, &v))
                        return refuse(why, "malformed TLS ClientHello extension");
                if (ext_type != EXT_SERVER_NAME)
                        continue;
                if (seen)
                        return refuse(why, "duplicate server_name extension");
                seen = true;
                int e = parse_sni(v, sni, why);
                if (e < 0)
                        return e;
        }
        return 1;
}
