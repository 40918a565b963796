/* SPDX-License-Identifier: MIT */
#include "hmac.h"

#include <sha2.h>
#include <string.h>

#define BLOCK 64 /* SHA-256 block size */

int cj_hmac_sha256_hex(const uint8_t *key, size_t keylen, const void *msg, size_t len,
                       char out[CJ_SHA256_HEX_LEN + 1]) {
        uint8_t k[BLOCK] = { 0 }, pad[BLOCK], inner[SHA256_DIGEST_LENGTH], md[SHA256_DIGEST_LENGTH];
        SHA2_CTX ctx;
        if (keylen > BLOCK) {
                SHA256Init(&ctx);
                SHA256Update(&ctx, key, keylen);
                SHA256Final(k, &ctx);
        } else if (keylen > 0)
                memcpy(k, key, keylen);
        for (size_t i = 0; i < BLOCK; i++)
                pad[i] = k[i] ^ 0x36;
        SHA256Init(&ctx);
        SHA256Update(&ctx, pad, BLOCK);
        if (len > 0)
                SHA256Update(&ctx, msg, len);
        SHA256Final(inner, &ctx);
        for (size_t i = 0; i < BLOCK; i++)
                pad[i] = k[i] ^ 0x5c;
        SHA256Init(&ctx);
        SHA256Update(&ctx, pad, BLOCK);
        SHA256Update(&ctx, inner, sizeof inner);
        SHA256Final(md, &ctx);
        static const char digits[] = "0123456789abcdef";
        for (size_t i = 0; i < SHA256_DIGEST_LENGTH; i++) {
                out[2 * i] = digits[md[i] >> 4];
                out[2 * i + 1] = digits[md[i] & 15];
        }
        out[CJ_SHA256_HEX_LEN] = '\0';
        explicit_bzero(k, sizeof k);
        explicit_bzero(pad, sizeof pad);
        return 0;
}

bool cj_hex_equal_ct(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        unsigned char d = la != lb;
        for (size_t i = 0; i < la && i < lb; i++)
                d |= (unsigned char) (a[i] ^ b[i]);
        return d == 0;
}
