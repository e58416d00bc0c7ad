/* tests/unit/test_query.c: query names and types, the queries built
 * (RFC 1035, RFC 6891) and the checks that pair a reply with its query. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/query.h"

static const uint8_t probe_test[] = "\5probe\4test";	/* 12 bytes */

/* A spec for "probe.test DNSKEY" with the EDNS settings given. */
static void
spec_init(struct ep_probe_spec *s, int edns, uint16_t bufsize, int dnssec,
    int recurse)
{
	struct ep_err err;

	memset(s, 0, sizeof(*s));
	assert_int_equal(ep_query_parse_name("probe.test", s->qname,
	    &s->qname_len, &err), 0);
	s->qtype = 48;
	s->edns = edns;
	s->bufsize = bufsize;
	s->dnssec_ok = dnssec;
	s->recurse = recurse;
}

static void
test_build_no_edns(void **state)
{
	struct ep_probe_spec s;
	struct ep_query q;
	struct ep_dns_msg m;
	struct ep_err err;

	(void)state;
	for (int rd = 0; rd <= 1; rd++) {
		spec_init(&s, 0, 0, 0, rd);
		memset(&q, 0, sizeof(q));
		assert_int_equal(ep_query_build(&s, 0x4242, &q, &err), 0);
		assert_int_equal(q.id, 0x4242);
		assert_int_equal(q.len, 12 + 12 + 4);
		assert_int_equal(ep_dns_dissect(q.wire, q.len, &m), EP_DNS_OK);
		assert_int_equal(m.id, 0x4242);
		assert_int_equal(m.flags & EP_DNS_QR, 0);
		assert_int_equal(EP_DNS_OPCODE(m.flags), 0);
		assert_int_equal(m.flags & EP_DNS_RD, rd ? EP_DNS_RD : 0);
		assert_int_equal(m.qdcount, 1);
		assert_int_equal(m.ancount, 0);
		assert_int_equal(m.nscount, 0);
		assert_int_equal(m.arcount, 0);
		assert_int_equal(m.opt_count, 0);
		assert_int_equal(m.qname_len, 12);
		assert_memory_equal(m.qname, probe_test, 12);
		assert_int_equal(m.qtype, 48);
		assert_int_equal(m.qclass, 1);
	}
}

static void
test_build_edns(void **state)
{
	static const struct {
		uint16_t	size;
		int		dnssec, recurse;
	} t[] = {
		{ 512, 1, 1 }, { 512, 0, 0 }, { 4096, 1, 0 }, { 4096, 0, 1 },
		{ 1232, 1, 1 }, { 65535, 0, 0 },
	};
	struct ep_probe_spec s;
	struct ep_query q;
	struct ep_dns_msg m;
	struct ep_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint16_t id = (uint16_t)(0x1000 + i);

		spec_init(&s, 1, t[i].size, t[i].dnssec, t[i].recurse);
		assert_int_equal(ep_query_build(&s, id, &q, &err), 0);
		assert_int_equal(q.id, id);
		assert_int_equal(q.len, 12 + 12 + 4 + 11);
		assert_int_equal(ep_dns_dissect(q.wire, q.len, &m), EP_DNS_OK);
		assert_int_equal(m.id, id);
		assert_int_equal(m.flags & EP_DNS_QR, 0);
		assert_int_equal(m.flags & EP_DNS_RD,
		    t[i].recurse ? EP_DNS_RD : 0);
		assert_int_equal(m.qdcount, 1);
		assert_int_equal(m.arcount, 1);
		assert_int_equal(m.opt_count, 1);
		assert_int_equal(m.edns_udp, t[i].size);
		assert_int_equal(m.edns_version, 0);
		assert_int_equal(m.edns_ext_rcode, 0);
		assert_int_equal(m.edns_flags & EP_DNS_EDNS_DO,
		    t[i].dnssec ? EP_DNS_EDNS_DO : 0);
		assert_int_equal(m.edns_options, 0);
		assert_memory_equal(m.qname, probe_test, 12);
		assert_int_equal(m.qtype, 48);
	}
}

/* The query turned into its own reply: QR set, same id and question. */
static size_t
echo_reply(const struct ep_query *q, uint8_t *buf)
{
	memcpy(buf, q->wire, q->len);
	buf[2] |= 0x80;		/* QR */
	return q->len;
}

static void
test_match(void **state)
{
	struct ep_probe_spec s;
	struct ep_query q;
	struct ep_dns_msg m;
	struct ep_err err;
	uint8_t r[EP_QUERY_MAX];
	size_t n;

	(void)state;
	spec_init(&s, 1, 1232, 1, 1);
	assert_int_equal(ep_query_build(&s, 0xabcd, &q, &err), 0);

	n = echo_reply(&q, r);
	assert_int_equal(ep_query_match(&s, &q, r, n, &m), EP_MATCH_OK);
	assert_int_equal(m.id, 0xabcd);
	assert_int_equal(m.edns_udp, 1232);

	/* Our own query coming back (QR clear) is not an answer. */
	assert_int_equal(ep_query_match(&s, &q, q.wire, q.len, &m),
	    EP_MATCH_IGNORE);

	n = echo_reply(&q, r);
	r[1] ^= 1;				/* another id */
	assert_int_equal(ep_query_match(&s, &q, r, n, &m), EP_MATCH_IGNORE);

	n = echo_reply(&q, r);
	r[12 + 1] = 'P';			/* "Probe.test": same name */
	r[12 + 7] = 'T';
	assert_int_equal(ep_query_match(&s, &q, r, n, &m), EP_MATCH_OK);

	n = echo_reply(&q, r);
	r[2] |= 2 << 3;				/* opcode STATUS, not QUERY */
	assert_int_equal(ep_query_match(&s, &q, r, n, &m), EP_MATCH_IGNORE);

	n = echo_reply(&q, r);
	r[12 + 1] = 'q';			/* "qrobe.test" */
	assert_int_equal(ep_query_match(&s, &q, r, n, &m), EP_MATCH_IGNORE);

	n = echo_reply(&q, r);
	r[12 + 12 + 1] = 1;			/* QTYPE A */
	assert_int_equal(ep_query_match(&s, &q, r, n, &m), EP_MATCH_IGNORE);

	n = echo_reply(&q, r);
	r[12 + 12 + 3] = 3;			/* QCLASS CH */
	assert_int_equal(ep_query_match(&s, &q, r, n, &m), EP_MATCH_IGNORE);

	/* Our id and QR, but the body stops inside the question. */
	n = echo_reply(&q, r);
	assert_int_equal(ep_query_match(&s, &q, r, 12 + 5, &m),
	    EP_MATCH_MALFORMED);
	/* ... or inside the OPT record. */
	assert_int_equal(ep_query_match(&s, &q, r, n - 3, &m),
	    EP_MATCH_MALFORMED);
	/* ... or goes on after it. */
	r[n] = 0;
	assert_int_equal(ep_query_match(&s, &q, r, n + 1, &m),
	    EP_MATCH_MALFORMED);
	/* Shorter than a header: not even our id can be trusted. */
	assert_int_equal(ep_query_match(&s, &q, r, 11, &m), EP_MATCH_IGNORE);
}

static void
test_match_no_question(void **state)
{
	static const uint8_t noerror[] = {
		0xab, 0xcd, 0x81, 0x80, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	static const uint8_t formerr[] = {
		0xab, 0xcd, 0x81, 0x81, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	static const uint8_t badvers[] = {	/* rcode 0, OPT ext-rcode 1 */
		0xab, 0xcd, 0x81, 0x80, 0, 0, 0, 0, 0, 0, 0, 1,
		0, 0, 41, 0x04, 0xd0, 1, 0, 0, 0, 0, 0,
	};
	static const uint8_t formerr_other_id[] = {
		0xab, 0xce, 0x81, 0x81, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct ep_probe_spec s;
	struct ep_query q;
	struct ep_dns_msg m;
	struct ep_err err;

	(void)state;
	spec_init(&s, 1, 1232, 1, 1);
	assert_int_equal(ep_query_build(&s, 0xabcd, &q, &err), 0);
	assert_int_equal(ep_query_match(&s, &q, noerror, sizeof(noerror), &m),
	    EP_MATCH_MALFORMED);
	assert_int_equal(ep_query_match(&s, &q, formerr, sizeof(formerr), &m),
	    EP_MATCH_OK);
	assert_int_equal(m.has_question, 0);
	assert_int_equal(m.rcode, 1);
	assert_int_equal(ep_query_match(&s, &q, badvers, sizeof(badvers), &m),
	    EP_MATCH_OK);
	assert_int_equal(m.rcode, 16);
	assert_int_equal(ep_query_match(&s, &q, formerr_other_id,
	    sizeof(formerr_other_id), &m), EP_MATCH_IGNORE);
}

/* Compliance tests' queries: version, flags, options, header bits,
 * opcode, a bare header; and what the dissector reads of such options. */
static void
test_build_shaped(void **state)
{
	static const uint8_t opts[] = {
		0, 100, 0, 0,				/* unknown, empty */
		0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8,	/* COOKIE */
	};
	struct ep_probe_spec s;
	struct ep_query q;
	struct ep_dns_msg m;
	struct ep_err err;

	(void)state;
	spec_init(&s, 1, 4096, 1, 0);
	s.qtype = 6;
	s.edns_version = 1;
	s.edns_flags = 0x0080;
	s.hdr_flags = EP_DNS_AD | EP_DNS_CD | EP_DNS_Z;
	memcpy(s.opts, opts, sizeof(opts));
	s.opts_len = sizeof(opts);
	assert_int_equal(ep_query_build(&s, 0x1234, &q, &err), 0);
	assert_int_equal(q.len, 12 + 12 + 4 + 11 + sizeof(opts));
	assert_int_equal(ep_dns_dissect(q.wire, q.len, &m), EP_DNS_OK);
	assert_int_equal(m.flags & (EP_DNS_AD | EP_DNS_CD | EP_DNS_Z |
	    EP_DNS_RD | EP_DNS_AA), EP_DNS_AD | EP_DNS_CD | EP_DNS_Z);
	assert_int_equal(m.edns_version, 1);
	assert_int_equal(m.edns_flags, 0x8080);
	assert_int_equal(m.edns_udp, 4096);
	assert_int_equal(m.edns_options, 2);
	assert_int_equal(m.edns_opt[0].code, 100);
	assert_int_equal(m.edns_opt[0].len, 0);
	assert_int_equal(m.edns_opt[1].code, 10);
	assert_int_equal(m.edns_opt[1].len, 8);
	assert_int_equal(m.edns_cookie_len, 8);
	assert_memory_equal(m.edns_cookie, opts + 8, 8);

	/* Padding still works behind options. */
	s.msg_len = 200;
	assert_int_equal(ep_query_build(&s, 0x1234, &q, &err), 0);
	assert_int_equal(q.len, 200);
	assert_int_equal(ep_dns_dissect(q.wire, q.len, &m), EP_DNS_OK);
	assert_int_equal(m.edns_options, 3);
	assert_int_equal(m.edns_opt[2].code, 12);

	/* Opcode 15 and a bare header, whatever else the spec says. */
	spec_init(&s, 0, 0, 0, 0);
	s.opcode = 15;
	s.no_question = 1;
	s.hdr_flags = EP_DNS_TC | EP_DNS_RD;
	assert_int_equal(ep_query_build(&s, 0x77, &q, &err), 0);
	assert_int_equal(q.len, 12);
	assert_int_equal(ep_dns_dissect(q.wire, q.len, &m), EP_DNS_OK);
	assert_int_equal(EP_DNS_OPCODE(m.flags), 15);
	assert_int_equal(m.flags & (EP_DNS_TC | EP_DNS_RD),
	    EP_DNS_TC | EP_DNS_RD);
	assert_int_equal(m.qdcount + m.ancount + m.nscount + m.arcount, 0);
}

/* A bare-header query: a NOTIMP reply without sections is its answer; a
 * reply that grew a question is not. */
static void
test_match_bare_header(void **state)
{
	static const uint8_t notimp[] = {
		0, 0x77, 0xf8, 0x04, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	static const uint8_t with_question[] = {
		0, 0x77, 0xf8, 0x04, 0, 1, 0, 0, 0, 0, 0, 0,
		0, 0, 6, 0, 1,
	};
	static const uint8_t other_opcode[] = {
		0, 0x77, 0x80, 0x04, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct ep_probe_spec s;
	struct ep_query q;
	struct ep_dns_msg m;
	struct ep_err err;

	(void)state;
	spec_init(&s, 0, 0, 0, 0);
	s.opcode = 15;
	s.no_question = 1;
	assert_int_equal(ep_query_build(&s, 0x77, &q, &err), 0);
	assert_int_equal(ep_query_match(&s, &q, notimp, sizeof(notimp), &m),
	    EP_MATCH_OK);
	assert_int_equal(m.rcode, 4);
	assert_int_equal(ep_query_match(&s, &q, with_question,
	    sizeof(with_question), &m), EP_MATCH_MALFORMED);
	assert_int_equal(ep_query_match(&s, &q, other_opcode,
	    sizeof(other_opcode), &m), EP_MATCH_IGNORE);
}

static void
test_parse_name(void **state)
{
	static const struct {
		const char	*s;
		const char	*wire;
		size_t		 len;
	} ok[] = {
		{ "probe.test", "\5probe\4test", 12 },
		{ "probe.test.", "\5probe\4test", 12 },
		{ ".", "", 1 },
		{ "PROBE.Test", "\5probe\4test", 12 },
		{ "a\\.b.test", "\3a.b\4test", 10 },
		{ "\\065BC.test", "\3abc\4test", 10 },
	};
	uint8_t wire[EP_DNAME_MAX];
	char big[400];
	size_t len;
	struct ep_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		memset(wire, 0xee, sizeof(wire));
		len = 0;
		assert_int_equal(ep_query_parse_name(ok[i].s, wire, &len, &err),
		    0);
		assert_int_equal(len, ok[i].len);
		assert_memory_equal(wire, ok[i].wire, len);
	}

	/* Three 63-byte labels and one of 61: 255 bytes, the most allowed. */
	memset(big, 0, sizeof(big));
	for (int l = 0; l < 4; l++) {
		memset(big + strlen(big), 'x', l < 3 ? 63 : 61);
		strcat(big, ".");
	}
	assert_int_equal(ep_query_parse_name(big, wire, &len, &err), 0);
	assert_int_equal(len, 255);
	big[strlen(big) - 1] = 'y';		/* 256 bytes */
	strcat(big, ".");
	err.code = 0;
	assert_int_equal(ep_query_parse_name(big, wire, &len, &err), -1);
	assert_int_equal(err.code, EP_EUSAGE);

	memset(big, 'a', 64);			/* a 64-byte label */
	strcpy(big + 64, ".test");
	err.code = 0;
	assert_int_equal(ep_query_parse_name(big, wire, &len, &err), -1);
	assert_int_equal(err.code, EP_EUSAGE);
	strcpy(big + 63, ".test");		/* 63 is fine */
	assert_int_equal(ep_query_parse_name(big, wire, &len, &err), 0);

	err.code = 0;
	assert_int_equal(ep_query_parse_name("", wire, &len, &err), -1);
	assert_int_equal(err.code, EP_EUSAGE);
	err.code = 0;
	assert_int_equal(ep_query_parse_name("a..b", wire, &len, &err), -1);
	assert_int_equal(err.code, EP_EUSAGE);
	assert_non_null(strstr(err.msg, "a..b"));
	assert_int_equal(ep_query_parse_name(NULL, wire, &len, &err), -1);
}

static void
test_parse_type(void **state)
{
	static const struct {
		const char	*s;
		uint16_t	 type;
	} ok[] = {
		{ "DNSKEY", 48 }, { "A", 1 }, { "AAAA", 28 }, { "SOA", 6 },
		{ "TXT", 16 }, { "TYPE65534", 65534 },
	};
	uint16_t type;
	struct ep_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		type = 0;
		assert_int_equal(ep_query_parse_type(ok[i].s, &type, &err), 0);
		assert_int_equal(type, ok[i].type);
	}
	type = 7;
	err.code = 0;
	assert_int_equal(ep_query_parse_type("FOO", &type, &err), -1);
	assert_int_equal(err.code, EP_EUSAGE);
	assert_non_null(strstr(err.msg, "FOO"));
	assert_int_equal(type, 7);		/* untouched on error */
	err.code = 0;
	assert_int_equal(ep_query_parse_type("", &type, &err), -1);
	assert_int_equal(err.code, EP_EUSAGE);
	assert_int_equal(ep_query_parse_type(NULL, &type, &err), -1);
}

static void
test_type_str(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(ep_query_type_str(48, buf, sizeof(buf)),
	    "DNSKEY");
	assert_string_equal(ep_query_type_str(1, buf, sizeof(buf)), "A");
	assert_string_equal(ep_query_type_str(6, buf, sizeof(buf)), "SOA");
	assert_string_equal(ep_query_type_str(65534, buf, sizeof(buf)),
	    "TYPE65534");
}

/* 32 ids from the kernel are not all the same (chance: 2^-496). */
static void
test_random_id(void **state)
{
	uint16_t first = ep_query_random_id();
	int differ = 0;

	(void)state;
	for (int i = 0; i < 31; i++)
		if (ep_query_random_id() != first)
			differ = 1;
	assert_true(differ);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_no_edns),
		cmocka_unit_test(test_build_edns),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_match_no_question),
		cmocka_unit_test(test_build_shaped),
		cmocka_unit_test(test_match_bare_header),
		cmocka_unit_test(test_parse_name),
		cmocka_unit_test(test_parse_type),
		cmocka_unit_test(test_type_str),
		cmocka_unit_test(test_random_id),
	};

	return cmocka_run_group_tests_name("query", tests, NULL, NULL);
}
