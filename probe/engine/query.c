/* probe/engine/query.c: DNS queries built with ldns (RFC 1035, RFC 6891), reply
 * checks. */
#include <errno.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <ldns/ldns.h>

#include "engine/query.h"

int
ep_query_parse_name(const char *s, uint8_t *wire, size_t *len,
    struct ep_err *err)
{
	ldns_rdf *rdf = NULL;
	size_t n;

	if (s == NULL || *s == '\0' || strlen(s) > EP_DNAME_STRMAX - 1 ||
	    ldns_str2rdf_dname(&rdf, s) != LDNS_STATUS_OK || rdf == NULL)
		return ep_err_set(err, EP_EUSAGE,
		    "\"%.64s\" is not a valid domain name", s ? s : "");
	n = ldns_rdf_size(rdf);
	if (n > EP_DNAME_MAX) {
		ldns_rdf_deep_free(rdf);
		return ep_err_set(err, EP_EUSAGE,
		    "\"%.64s\" is longer than 255 bytes", s);
	}
	memcpy(wire, ldns_rdf_data(rdf), n);
	for (size_t i = 0; i < n; ) {	/* lower-case the labels only */
		uint8_t l = wire[i++];

		for (uint8_t k = 0; k < l && i < n; k++, i++)
			wire[i] = (uint8_t)tolower(wire[i]);
	}
	*len = n;
	ldns_rdf_deep_free(rdf);
	return 0;
}

int
ep_query_parse_type(const char *s, uint16_t *type, struct ep_err *err)
{
	ldns_rr_type t;

	if (s == NULL || *s == '\0')
		return ep_err_set(err, EP_EUSAGE, "empty query type");
	t = ldns_get_rr_type_by_name(s);
	/* ldns answers 0 for unknown names; TYPE0 is reserved anyway. */
	if (t == 0)
		return ep_err_set(err, EP_EUSAGE,
		    "\"%.32s\" is not a known DNS type", s);
	*type = (uint16_t)t;
	return 0;
}

const char *
ep_query_type_str(uint16_t type, char *buf, size_t len)
{
	char *s = ldns_rr_type2str((ldns_rr_type)type);

	snprintf(buf, len, "%s", s ? s : "?");
	free(s);
	return buf;
}

uint16_t
ep_query_random_id(void)
{
	uint16_t id;

	if (getrandom(&id, sizeof(id), 0) != (ssize_t)sizeof(id))
		id = (uint16_t)random();
	return id;
}

/*
 * The OPT record ldns wrote is the last record and has no options: its
 * TTL (extended rcode, version, flags) and RDLENGTH are the last six
 * bytes.  Returns the offset of that TTL, or 0 when the query does not
 * end so.
 */
static size_t
opt_ttl_at(const struct ep_query *q)
{
	if (q->len < 11 + 12 || q->wire[q->len - 2] != 0 ||
	    q->wire[q->len - 1] != 0 || q->wire[q->len - 11] != 0 ||
	    q->wire[q->len - 10] != 0 || q->wire[q->len - 9] != 41)
		return 0;
	return q->len - 6;
}

/* Append n bytes of options (data NULL: zeros) to the OPT at ttl_at. */
static int
opt_append(struct ep_query *q, size_t ttl_at, const uint8_t *data, size_t n,
    struct ep_err *err)
{
	size_t rdlen;

	if (q->len + n > sizeof(q->wire))
		return ep_err_set(err, EP_EUSAGE, "a %zu-byte query cannot "
		    "grow by %zu bytes", q->len, n);
	rdlen = (size_t)(q->wire[ttl_at + 4] << 8 | q->wire[ttl_at + 5]) + n;
	q->wire[ttl_at + 4] = (uint8_t)(rdlen >> 8);
	q->wire[ttl_at + 5] = (uint8_t)rdlen;
	if (data)
		memcpy(q->wire + q->len, data, n);
	else
		memset(q->wire + q->len, 0, n);
	q->len += n;
	return 0;
}

/*
 * What ldns does not set: header bits and opcode, the OPT's version,
 * flags and options (compliance tests), Padding up to msg_len (RFC 7830),
 * or a bare header.
 */
static int
shape(const struct ep_probe_spec *spec, struct ep_query *q,
    struct ep_err *err)
{
	size_t ttl_at = spec->edns ? opt_ttl_at(q) : 0;
	uint16_t flags = (uint16_t)(q->wire[2] << 8 | q->wire[3]);

	flags = (uint16_t)((flags & ~0x7800) | (spec->opcode & 0xf) << 11 |
	    (spec->hdr_flags & 0x07f0));
	q->wire[2] = (uint8_t)(flags >> 8);
	q->wire[3] = (uint8_t)flags;
	if (spec->no_question) {
		memset(q->wire + 4, 0, 8);	/* no question, no records */
		q->len = 12;
		return 0;
	}
	if (spec->edns && ttl_at == 0)
		return ep_err_set(err, EP_EINTERNAL, "no OPT record at the "
		    "end of the query");
	if (spec->edns) {
		uint16_t ef = (uint16_t)((spec->dnssec_ok ? 0x8000 : 0) |
		    (spec->edns_flags & 0x7fff));

		q->wire[ttl_at + 1] = spec->edns_version;
		q->wire[ttl_at + 2] = (uint8_t)(ef >> 8);
		q->wire[ttl_at + 3] = (uint8_t)ef;
		if (spec->opts_len > 0 && opt_append(q, ttl_at, spec->opts,
		    spec->opts_len, err) == -1)
			return -1;
	}
	if (spec->msg_len > 0) {
		uint8_t hdr[4] = { 0, 12, 0, 0 };	/* Padding */
		size_t n = spec->msg_len;

		if (!spec->edns || n < q->len + 4 || n > sizeof(q->wire))
			return ep_err_set(err, EP_EUSAGE, "cannot pad a "
			    "%zu-byte query to %zu bytes", q->len, n);
		hdr[2] = (uint8_t)((n - q->len - 4) >> 8);
		hdr[3] = (uint8_t)(n - q->len - 4);
		if (opt_append(q, ttl_at, hdr, 4, err) == -1 ||
		    opt_append(q, ttl_at, NULL, n - q->len, err) == -1)
			return -1;
	}
	return 0;
}

int
ep_query_build(const struct ep_probe_spec *spec, uint16_t id,
    struct ep_query *q, struct ep_err *err)
{
	ldns_rdf *name;
	ldns_pkt *pkt;
	uint8_t *wire = NULL;
	size_t len = 0;
	int rc = -1;

	name = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, spec->qname_len,
	    spec->qname);
	if (name == NULL)
		return ep_err_set(err, ENOMEM, "building query name");
	/* ldns_pkt_query_new takes the name. */
	pkt = ldns_pkt_query_new(name, (ldns_rr_type)spec->qtype,
	    LDNS_RR_CLASS_IN, spec->recurse ? LDNS_RD : 0);
	if (pkt == NULL) {
		ldns_rdf_deep_free(name);
		return ep_err_set(err, ENOMEM, "building query");
	}
	ldns_pkt_set_id(pkt, id);
	if (spec->edns) {
		/* ldns adds an OPT record only when an EDNS field is set;
		 * the size is always set here, so the OPT is always there. */
		ldns_pkt_set_edns_udp_size(pkt, spec->bufsize);
		ldns_pkt_set_edns_version(pkt, 0);
		ldns_pkt_set_edns_do(pkt, spec->dnssec_ok != 0);
	}
	if (ldns_pkt2wire(&wire, pkt, &len) != LDNS_STATUS_OK) {
		ep_err_set(err, EP_EINTERNAL, "ldns_pkt2wire failed");
		goto out;
	}
	if (len > sizeof(q->wire)) {
		ep_err_set(err, EP_EINTERNAL, "query of %zu bytes too long",
		    len);
		goto out;
	}
	memcpy(q->wire, wire, len);
	q->len = len;
	q->id = id;
	if (shape(spec, q, err) == -1)
		goto out;
	rc = 0;
out:
	free(wire);
	ldns_pkt_free(pkt);
	return rc;
}

enum ep_match
ep_query_match(const struct ep_probe_spec *spec, const struct ep_query *q,
    const uint8_t *buf, size_t len, struct ep_dns_msg *m)
{
	enum ep_dns_status st = ep_dns_dissect(buf, len, m);

	/* The opcode is copied from the query (RFC 1035 4.1.1): a reply with
	 * another one answers some other message, as dig also judges. */
	if (st == EP_DNS_SHORT || m->id != q->id || !(m->flags & EP_DNS_QR) ||
	    EP_DNS_OPCODE(m->flags) != EP_DNS_OPCODE(q->wire[2] << 8))
		return EP_MATCH_IGNORE;
	if (spec->no_question) {
		/* A bare header: nothing to compare; a reply that grew a
		 * question answers something else or is broken. */
		if (m->has_question || st != EP_DNS_OK)
			return EP_MATCH_MALFORMED;
		return EP_MATCH_OK;
	}
	if (m->has_question) {
		if (m->qtype != spec->qtype || m->qclass != 1 ||
		    m->qname_len != spec->qname_len ||
		    memcmp(m->qname, spec->qname, spec->qname_len) != 0)
			return EP_MATCH_IGNORE;
	} else if (st == EP_DNS_OK && m->rcode == 0)
		return EP_MATCH_MALFORMED;	/* NOERROR needs the question */
	return st == EP_DNS_OK ? EP_MATCH_OK : EP_MATCH_MALFORMED;
}

/* Our client cookie (RFC 7873 4.1: random), once per process. */
static const uint8_t *
client_cookie(void)
{
	static uint8_t c[8];
	static int made;

	if (!made && getrandom(c, sizeof(c), 0) != (ssize_t)sizeof(c))
		memcpy(c, "ednsprob", 8);	/* no entropy: still 8 bytes */
	made = 1;
	return c;
}

void
ep_query_put_cookie(struct ep_probe_spec *s, const uint8_t *server, size_t n)
{
	uint8_t *p = s->opts + s->opts_len;

	if (s->opts_len + 12 + n > sizeof(s->opts))
		return;
	p[0] = 0;
	p[1] = EP_OPT_COOKIE;
	p[2] = 0;
	p[3] = (uint8_t)(8 + n);
	memcpy(p + 4, client_cookie(), 8);
	if (n > 0)
		memcpy(p + 12, server, n);
	s->opts_len = (uint8_t)(s->opts_len + 12 + n);
}
