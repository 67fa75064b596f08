/*
 * fetch_tls: check a mail server's certificate before any password goes
 * out.
 *
 * libetpan runs the TLS handshake but does not verify the peer (its
 * GnuTLS backend accepts any certificate).  So after the handshake, and
 * before LOGIN/USER, fetch_tls_verify() takes the chain the server sent
 * (mailstream_get_certificate_chain) and verifies it with GnuTLS against
 * [fetch] ca_file, or the system's trust store: chain, validity dates,
 * key purpose (TLS server) and host name or IP address.  If that fails
 * the connection is dropped without sending credentials.
 *
 * Error contract: false with err in FETCH_ERROR / FETCH_ERROR_TLS saying
 * why (GnuTLS's own status text).
 */
#ifndef POSTDESK_FETCH_TLS_H
#define POSTDESK_FETCH_TLS_H

#include <stdbool.h>

#include <glib.h>
#include <libetpan/libetpan.h>

bool	 fetch_tls_verify(mailstream *, const char *host, const char *ca_file,
	    GError **err);

#endif
