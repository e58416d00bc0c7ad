/* tests/fuzz/fuzz_dns.c: fuzz entry for the DNS message dissector
 * (capture/dissect_dns.c) and the classification of a reply
 * (probe/engine/query.c ep_query_match, the one call that makes a UDP or TCP
 * reply an answer, a malformed reply or noise).  The input is one DNS
 * message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ednsprobe/dns.h"
#include "engine/query.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What dns.h promises of any dissection. */
static void
check(const struct ep_dns_msg *m, size_t size, enum ep_dns_status st)
{
	char buf[EP_DNAME_STRMAX];

	if (m->status != st || m->length != size ||
	    m->qname_len > EP_DNAME_MAX || (st == EP_DNS_SHORT) != (size < 12))
		abort();
	if (m->has_question && (m->qname_len == 0 ||
	    m->qname[m->qname_len - 1] != 0))
		abort();	/* a wire name ends with the root label */
	if (st == EP_DNS_OK && m->opt_count > 1)
		abort();
	(void)ep_dns_name_str(m->qname, m->qname_len, buf, sizeof(buf));
	if (memchr(buf, '\0', sizeof(buf)) == NULL)
		abort();
	(void)ep_dns_rcode_str(m->rcode, buf, sizeof(buf));
	(void)ep_dns_strstatus(st);
}

/* The reply checked against a query, as a probe does: the query q (only
 * its id and opcode byte are read) asked spec. */
static void
classify(const struct ep_probe_spec *spec, const struct ep_query *q,
    const uint8_t *data, size_t size)
{
	struct ep_dns_msg m;

	switch (ep_query_match(spec, q, data, size, &m)) {
	case EP_MATCH_OK:
		/* Only a whole, valid reply of our id is an answer. */
		if (m.status != EP_DNS_OK || m.id != q->id ||
		    !(m.flags & EP_DNS_QR))
			abort();
		break;
	case EP_MATCH_MALFORMED:
		if (m.id != q->id || m.status == EP_DNS_SHORT)
			abort();
		break;
	case EP_MATCH_IGNORE:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ep_query q;	/* 64 KB: not on the stack */
	struct ep_probe_spec spec;
	struct ep_dns_msg m;
	enum ep_dns_status st;

	st = ep_dns_dissect(data, size, &m);
	check(&m, size, st);

	/* A probe that asked exactly this question with this id and
	 * opcode: the reply gets through every test to the end. */
	memset(&spec, 0, sizeof(spec));
	if (m.has_question) {
		memcpy(spec.qname, m.qname, m.qname_len);
		spec.qname_len = m.qname_len;
		spec.qtype = m.qtype;
	}
	q.id = m.id;
	q.wire[2] = (uint8_t)(m.flags >> 8) & 0x78;	/* opcode, QR clear */
	q.len = 12;
	classify(&spec, &q, data, size);

	/* And a probe of another question ("probe.test." DNSKEY). */
	memcpy(spec.qname, "\5probe\4test", 12);
	spec.qname_len = 12;
	spec.qtype = 48;
	classify(&spec, &q, data, size);
	return 0;
}
