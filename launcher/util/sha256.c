/* SPDX-License-Identifier: MIT */
#include "sha256.h"

#include <errno.h>
#include <sha2.h>
#include <stdint.h>
#include <stdlib.h>

struct cj_sha256 {
        SHA2_CTX ctx;
};

static void to_hex(const uint8_t md[SHA256_DIGEST_LENGTH], char out[CJ_SHA256_HEX_LEN + 1]) {
        static const char digits[] = "0123456789abcdef";
        for (size_t i = 0; i < SHA256_DIGEST_LENGTH; i++) {
                out[2 * i] = digits[md[i] >> 4];
                out[2 * i + 1] = digits[md[i] & 15];
        }
        out[CJ_SHA256_HEX_LEN] = '\0';
}

void cj_sha256_raw(const void *buf, size_t len, uint8_t out[CJ_SHA256_LEN]) {
        SHA2_CTX ctx;
        SHA256Init(&ctx);
        SHA256Update(&ctx, buf, len);
        SHA256Final(out, &ctx);
}

int cj_sha256_hex(const void *buf, size_t len, char out[CJ_SHA256_HEX_LEN + 1]) {
        uint8_t md[CJ_SHA256_LEN];
        cj_sha256_raw(buf, len, md);
        to_hex(md, out);
        return 0;
}

cj_sha256 *cj_sha256_new(void) {
        cj_sha256 *h = malloc(sizeof *h);
        if (h)
                SHA256Init(&h->ctx);
        return h;
}

int cj_sha256_update(cj_sha256 *h, const void *buf, size_t len) {
        if (len > 0)
                SHA256Update(&h->ctx, buf, len);
        return 0;
}

int cj_sha256_final(cj_sha256 *h, char out[CJ_SHA256_HEX_LEN + 1]) {
        uint8_t md[SHA256_DIGEST_LENGTH];
        SHA256Final(md, &h->ctx);
        to_hex(md, out);
        return 0;
}

void cj_sha256_free(cj_sha256 *h) {
        free(h);
}

bool cj_hash_hex_valid(const char *s) {
        size_t i = 0;
        for (; s && s[i]; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return i == CJ_SHA256_HEX_LEN;
}
