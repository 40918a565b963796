/* SPDX-License-Identifier: MIT */
#include "hash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

struct cj_sha256 {
        EVP_MD_CTX *ctx;
};

static void to_hex(const unsigned char *md, char out[CJ_SHA256_HEX_LEN + 1]) {
        static const char digits[] = "0123456789abcdef";
        for (size_t i = 0; i < 32; i++) {
                out[2 * i] = digits[md[i] >> 4];
                out[2 * i + 1] = digits[md[i] & 15];
        }
        out[CJ_SHA256_HEX_LEN] = '\0';
}

int cj_sha256_hex(const void *buf, size_t len, char out[CJ_SHA256_HEX_LEN + 1]) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        if (EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
                return -EIO;
        to_hex(md, out);
        return 0;
}

cj_sha256 *cj_sha256_new(void) {
        cj_sha256 *h = calloc(1, sizeof *h);
        if (!h)
                return NULL;
        h->ctx = EVP_MD_CTX_new();
        if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
                cj_sha256_free(h);
                return NULL;
        }
        return h;
}

int cj_sha256_update(cj_sha256 *h, const void *buf, size_t len) {
        return EVP_DigestUpdate(h->ctx, buf, len) == 1 ? 0 : -EIO;
}

int cj_sha256_final(cj_sha256 *h, char out[CJ_SHA256_HEX_LEN + 1]) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        if (EVP_DigestFinal_ex(h->ctx, md, &n) != 1 || n != 32)
                return -EIO;
        to_hex(md, out);
        return 0;
}

void cj_sha256_free(cj_sha256 *h) {
        if (!h)
                return;
        EVP_MD_CTX_free(h->ctx);
        free(h);
}

bool cj_hash_hex_valid(const char *s) {
        size_t n = 0;
        for (; s[n]; n++)
                if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
                        return false;
        return n == CJ_SHA256_HEX_LEN;
}
