/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The first flight of a tunnel through CONNECT must be a TLS ClientHello
 * whose server_name equals the CONNECT host: the proxy reads it (pure,
 * bounded parser, every length checked against what encloses it) before a
 * byte goes upstream.  A handshake message may span several records; the
 * whole hello must fit in CJ_TLS_HELLO_MAX bytes.
 */

#include <stddef.h>
#include <stdint.h>

#include "host.h"

#define CJ_TLS_HELLO_MAX 32768 /* bytes of records the proxy buffers to find the ClientHello */

/* Parse buf[0..len).  Returns 0 when more bytes are needed, 1 with sni set
 * (normalized; "" when the hello carries no server_name), or -EINVAL with
 * *why when this is not a well-formed ClientHello. */
int cj_tls_client_hello_sni(const uint8_t *buf, size_t len, char sni[CJ_NET_HOST_BUF], const char **why);
