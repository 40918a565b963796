/* SPDX-License-Identifier: MIT */
/* What a validation produces: findings, their JSON form, the approval token. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "validate.h"
#include "util/sha256.h"

void cj_validation_clear(cj_validation *v) {
        if (!v)
                return;
        for (size_t i = 0; i < v->n_findings; i++) {
                free(v->findings[i].validator);
                free(v->findings[i].message);
        }
        free(v->findings);
        *v = (cj_validation) { 0 };
}

json_t *cj_validation_to_json(const cj_validation *v) {
        _cleanup_json_ json_t *arr = json_array();
        if (!arr)
                return NULL;
        for (size_t i = 0; i < v->n_findings; i++) {
                const cj_finding *f = &v->findings[i];
                json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I}", "validator", f->validator, "decision",
                                      cj_verdict_name(f->decision), "message", f->message, "offset",
                                      (json_int_t) f->offset, "length", (json_int_t) f->length);
                if (!o || json_array_append_new(arr, o) < 0)
                        return NULL;
        }
        return json_pack("{s:s, s:O}", "decision", cj_verdict_name(v->decision), "findings", arr);
}

/* Feed one field as an 8-byte big-endian length followed by its bytes, so no
 * two different (profile, cwd, command) triples hash the same byte stream. */
static void feed(cj_sha256 *md, const void *p, size_t len) {
        uint8_t n[8];
        for (int i = 0; i < 8; i++)
                n[i] = (uint8_t) ((uint64_t) len >> (56 - 8 * i));
        cj_sha256_update(md, n, sizeof n);
        cj_sha256_update(md, p, len);
}

int cj_approval_token(const cj_profile *profile, const char *cwd, const char *cmd, size_t len,
                      char out[CJ_APPROVAL_TOKEN_HEX + 1]) {
        static const char tag[] = "clawjail-approval-v1";
        const char *psha = profile && profile->sha256 ? profile->sha256 : "";
        const char *c = cwd ? cwd : "";
        out[0] = '\0';
        cj_sha256 *md = cj_sha256_new();
        if (!md)
                return -ENOMEM;
        feed(md, tag, sizeof tag - 1);
        feed(md, psha, strlen(psha));
        feed(md, c, strlen(c));
        feed(md, cmd, len);
        cj_sha256_final(md, out);
        cj_sha256_free(md);
        return 0;
}

bool cj_approval_token_equal(const char *given, const char *expected) {
        if (!given || !expected || strlen(expected) != CJ_APPROVAL_TOKEN_HEX)
                return false;
        size_t glen = strnlen(given, CJ_APPROVAL_TOKEN_HEX + 1);
        unsigned char diff = glen != CJ_APPROVAL_TOKEN_HEX;
        for (size_t i = 0; i < CJ_APPROVAL_TOKEN_HEX; i++) {
                unsigned char g = i < glen ? (unsigned char) given[i] : 0;
                /* accept upper-case hex from humans copying the token */
                if (g >= 'A' && g <= 'F')
                        g = (unsigned char) (g - 'A' + 'a');
                diff |= (unsigned char) (g ^ (unsigned char) expected[i]);
        }
        return diff == 0;
}
