/*
 * fetch_tls: verify the server's certificate chain with GnuTLS.
 */
#include "pdconfig.h"

#include <arpa/inet.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "fetch.h"
#include "fetch_tls.h"

static bool
tls_fail(GError **err, const char *host, const char *what, int rc)
{
	g_set_error(err, FETCH_ERROR, FETCH_ERROR_TLS,
	    "%s: TLS: %s: %s", host, what, gnutls_strerror(rc));
	return false;
}

static bool
load_trust(gnutls_x509_trust_list_t list, const char *host,
    const char *ca_file, GError **err)
{
	int	 rc;

	if (ca_file != NULL) {
		rc = gnutls_x509_trust_list_add_trust_file(list, ca_file, NULL,
		    GNUTLS_X509_FMT_PEM, 0, 0);
		if (rc <= 0) {
			g_set_error(err, FETCH_ERROR, FETCH_ERROR_TLS,
			    "%s: TLS: no CA certificate read from %s%s%s",
			    host, ca_file, rc < 0 ? ": " : "",
			    rc < 0 ? gnutls_strerror(rc) : "");
			return false;
		}
		return true;
	}
	rc = gnutls_x509_trust_list_add_system_trust(list, 0, 0);
	if (rc <= 0)
		return tls_fail(err, host, "no system CA certificates "
		    "(set [fetch] ca_file)", rc < 0 ? rc :
		    GNUTLS_E_NO_CERTIFICATE_FOUND);
	return true;
}

/* Checks CERTS[0..N) (leaf first) against LIST for HOST. */
static bool
check_chain(gnutls_x509_trust_list_t list, gnutls_x509_crt_t *certs,
    unsigned n, const char *host, GError **err)
{
	gnutls_typed_vdata_st vd[2];
	unsigned char	 ip[16];
	unsigned	 status = 0;
	gnutls_datum_t	 why = { NULL, 0 };
	int		 rc;

	memset(vd, 0, sizeof vd);
	if (inet_pton(AF_INET, host, ip) == 1) {
		vd[0].type = GNUTLS_DT_IP_ADDRESS;
		vd[0].data = ip;
		vd[0].size = 4;
	} else if (inet_pton(AF_INET6, host, ip) == 1) {
		vd[0].type = GNUTLS_DT_IP_ADDRESS;
		vd[0].data = ip;
		vd[0].size = 16;
	} else {
		vd[0].type = GNUTLS_DT_DNS_HOSTNAME;
		vd[0].data = (unsigned char *)host;
	}
	vd[1].type = GNUTLS_DT_KEY_PURPOSE_OID;
	vd[1].data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER;
	rc = gnutls_x509_trust_list_verify_crt2(list, certs, n, vd, 2, 0,
	    &status, NULL);
	if (rc < 0)
		return tls_fail(err, host, "verification failed", rc);
	if (status == 0)
		return true;
	(void)gnutls_certificate_verification_status_print(status,
	    GNUTLS_CRT_X509, &why, 0);
	g_set_error(err, FETCH_ERROR, FETCH_ERROR_TLS,
	    "%s: TLS: certificate not trusted: %s", host,
	    why.data != NULL ? g_strstrip((char *)why.data) :
	    "unknown reason");
	gnutls_free(why.data);
	return false;
}

bool
fetch_tls_verify(mailstream *s, const char *host, const char *ca_file,
    GError **err)
{
	carray			*chain = mailstream_get_certificate_chain(s);
	gnutls_x509_trust_list_t list = NULL;
	gnutls_x509_crt_t	*certs = NULL;
	unsigned		 i, n = 0;
	bool			 ok = false;
	int			 rc;

	if (chain == NULL || carray_count(chain) == 0) {
		g_set_error(err, FETCH_ERROR, FETCH_ERROR_TLS,
		    "%s: TLS: the server sent no certificate", host);
		goto out;
	}
	if ((rc = gnutls_x509_trust_list_init(&list, 0)) < 0) {
		(void)tls_fail(err, host, "trust list", rc);
		goto out;
	}
	if (!load_trust(list, host, ca_file, err))
		goto out;
	certs = g_new0(gnutls_x509_crt_t, carray_count(chain));
	for (i = 0; i < carray_count(chain); i++) {
		MMAPString	*der = carray_get(chain, i);
		gnutls_datum_t	 d = { (unsigned char *)der->str,
		    (unsigned)der->len };

		if ((rc = gnutls_x509_crt_init(&certs[n])) < 0) {
			(void)tls_fail(err, host, "certificate", rc);
			goto out;
		}
		n++;
		rc = gnutls_x509_crt_import(certs[n - 1], &d,
		    GNUTLS_X509_FMT_DER);
		if (rc < 0) {
			(void)tls_fail(err, host, "bad certificate", rc);
			goto out;
		}
	}
	ok = check_chain(list, certs, n, host, err);
out:
	for (i = 0; i < n; i++)
		gnutls_x509_crt_deinit(certs[i]);
	g_free(certs);
	if (list != NULL)
		gnutls_x509_trust_list_deinit(list, 1);
	if (chain != NULL)
		mailstream_certificate_chain_free(chain);
	return ok;
}
