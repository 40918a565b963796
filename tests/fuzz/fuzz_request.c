/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the tool-call request parser: any bytes must give a
 * request or a protocol error with a code, never a crash or a leak; and an
 * error result built from it must serialize. */
#include <stdint.h>
#include <stdlib.h>

#include "proto/request.h"
#include "proto/result.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        for (unsigned flags = 0; flags <= CJ_REQUEST_SERVE; flags += CJ_REQUEST_SERVE) {
                cj_request *req = NULL;
                cj_proto_error perr;
                int r = cj_request_parse((const char *) data, size, flags, &req, &perr);
                if (r < 0) {
                        if (perr.code == CJ_PROTO_OK || req)
                                abort();
                        _cleanup_json_ json_t *res = cj_proto_error_result_from(&perr);
                        _cleanup_free_ char *s = res ? cj_json_line(res) : NULL;
                        if (!s)
                                abort();
                        continue;
                }
                if (!req || (req->tool == CJ_TOOL_EXEC && !req->command) || (req->tool != CJ_TOOL_EXEC && !req->path))
                        abort();
                cj_request_free(req);
        }
        return 0;
}
