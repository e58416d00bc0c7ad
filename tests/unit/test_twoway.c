/* tests/unit/test_twoway.c: the two-ended protocol (probe/measure/twoway.c: names,
 * log lines) and the responder's answer engine (probe/respond/respond.c: exact
 * sizes, the UDP size rule, rcodes, the log), without a network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/query.h"
#include "respond/respond.h"
#include "measure/twoway.h"

static const uint8_t zone[] = "\4resp\4test";	/* 11 bytes with the root */
#define ZLEN	11

/* ------------------------------------------------------ twoway.c names */

static int
parse(const char *name, struct ep_tw_req *req)
{
	uint8_t wire[EP_DNAME_MAX];
	size_t len;
	struct ep_err err;

	assert_int_equal(ep_query_parse_name(name, wire, &len, &err), 0);
	return ep_tw_parse_name(wire, len, zone, ZLEN, req, &err);
}

static void
test_parse_names(void **state)
{
	struct ep_tw_req req;

	(void)state;
	assert_int_equal(parse("resp.test", &req), 0);
	assert_int_equal(req.kind, EP_TW_APEX);
	assert_int_equal(parse("_EDNSprobe.Resp.Test", &req), 0);
	assert_int_equal(req.kind, EP_TW_HELLO_NAME);
	assert_int_equal(parse("s1400.f512.df.tabc9.resp.test", &req), 0);
	assert_int_equal(req.kind, EP_TW_TEST);
	assert_int_equal(req.size, 1400);
	assert_int_equal(req.frag, 512);
	assert_int_equal(req.df, 1);
	assert_string_equal(req.token, "abc9");
	/* Any order, any case. */
	assert_int_equal(parse("T7.S12.resp.test", &req), 0);
	assert_int_equal(req.size, 12);
	assert_string_equal(req.token, "7");
	assert_int_equal(parse("log.tx.resp.test", &req), 0);
	assert_int_equal(req.kind, EP_TW_LOG);
	assert_string_equal(req.token, "x");
	assert_int_equal(parse("s65535.resp.test", &req), 0);
	assert_int_equal(req.size, 65535);
	/* h<N>: the answer's TTL / hop limit, 1..EP_TW_HOPS_MAX. */
	assert_int_equal(parse("s1200.f256.H7.tab.resp.test", &req), 0);
	assert_int_equal(req.kind, EP_TW_TEST);
	assert_int_equal(req.ttl, 7);
	assert_int_equal(req.frag, 256);
	assert_int_equal(parse("h1.s200.tab.resp.test", &req), 0);
	assert_int_equal(req.ttl, 1);
	assert_int_equal(parse("h30.resp.test", &req), 0);
	assert_int_equal(req.ttl, EP_TW_HOPS_MAX);
	assert_int_equal(parse("s200.tab.resp.test", &req), 0);
	assert_int_equal(req.ttl, 0);
}

static void
test_parse_outside(void **state)
{
	struct ep_tw_req req;

	(void)state;
	assert_int_equal(parse("example.com", &req), 1);
	assert_int_equal(parse("test", &req), 1);
	assert_int_equal(parse(".", &req), 1);
	assert_int_equal(parse("s100.xresp.test", &req), 1);
	assert_int_equal(parse("s100.resp.test.org", &req), 1);
}

static void
test_parse_bad(void **state)
{
	static const char *bad[] = {
		"s11.resp.test", "s65536.resp.test", "s0100.resp.test",
		"s.resp.test", "s1x.resp.test", "f100.resp.test",
		"f56.resp.test", "f1464.resp.test", "f512.f512.resp.test",
		"s100.s200.resp.test", "t.resp.test",
		"t12345678901234567.resp.test", "t-a.resp.test",
		"log.resp.test", "log.s100.t1.resp.test", "ns.resp.test",
		"www.resp.test", "df.df.resp.test", "a.b.c.resp.test",
		"h0.resp.test", "h31.resp.test", "h01.resp.test",
		"h.resp.test", "h100.resp.test", "h2x.resp.test",
		"h1.h2.resp.test", "log.h3.t1.resp.test",
	};
	struct ep_tw_req req;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &req) != -1)
			fail_msg("%s: not refused", bad[i]);
	}
}

static void
test_parse_hostile(void **state)
{
	/* Wire forms a dissector would never hand over, all refused without
	 * reading past the end: a label running past it, length 64. */
	static const uint8_t past[] = "\x20" "ab\4resp\4test";
	static const uint8_t big[] = "\x40" "a\4resp\4test";
	uint8_t many[EP_DNAME_MAX];
	struct ep_tw_req req;
	struct ep_err err;
	size_t n = 0;

	(void)state;
	assert_int_equal(ep_tw_parse_name(past, sizeof(past), zone, ZLEN,
	    &req, &err), 1);
	assert_int_equal(ep_tw_parse_name(big, sizeof(big), zone, ZLEN,
	    &req, &err), 1);
	/* 122 one-byte labels, then the zone: bounded, and not a request. */
	while (n + 2 + ZLEN <= sizeof(many)) {
		many[n++] = 1;
		many[n++] = 'a';
	}
	memcpy(many + n, zone, ZLEN);
	assert_int_equal(ep_tw_parse_name(many, n + ZLEN, zone, ZLEN, &req,
	    &err), -1);
	assert_int_equal(ep_tw_parse_name(many, sizeof(many) + 1, zone,
	    ZLEN, &req, &err), 1);
}

static void
test_build_name(void **state)
{
	struct ep_tw_req req, back;
	uint8_t out[EP_DNAME_MAX];
	struct ep_err err;
	size_t n;

	(void)state;
	memset(&req, 0, sizeof(req));
	req.kind = EP_TW_TEST;
	req.size = 4000;
	req.frag = 1456;
	req.df = 1;
	snprintf(req.token, sizeof(req.token), "0123456789abcdef");
	n = ep_tw_build_name(&req, zone, ZLEN, out);
	assert_true(n > ZLEN);
	assert_int_equal(ep_tw_parse_name(out, n, zone, ZLEN, &back, &err),
	    0);
	assert_int_equal(back.kind, EP_TW_TEST);
	assert_int_equal(back.size, 4000);
	assert_int_equal(back.frag, 1456);
	assert_int_equal(back.df, 1);
	assert_int_equal(back.ttl, 0);
	assert_string_equal(back.token, req.token);
	req.ttl = 30;
	n = ep_tw_build_name(&req, zone, ZLEN, out);
	assert_int_equal(ep_tw_parse_name(out, n, zone, ZLEN, &back, &err),
	    0);
	assert_int_equal(back.ttl, 30);
	assert_int_equal(back.size, 4000);
	req.ttl = 0;
	req.kind = EP_TW_LOG;
	n = ep_tw_build_name(&req, zone, ZLEN, out);
	assert_int_equal(ep_tw_parse_name(out, n, zone, ZLEN, &back, &err),
	    0);
	assert_int_equal(back.kind, EP_TW_LOG);
	assert_string_equal(back.token, req.token);
}

static void
test_build_name_too_long(void **state)
{
	uint8_t longzone[EP_DNAME_MAX], out[EP_DNAME_MAX];
	struct ep_tw_req req;
	size_t n = 0;

	(void)state;
	/* 3 x 63 + 50 characters: 244 bytes; 16 more do not fit. */
	for (int i = 0; i < 4; i++) {
		uint8_t l = i < 3 ? 63 : 50;

		longzone[n++] = l;
		memset(longzone + n, 'z', l);
		n += l;
	}
	longzone[n++] = 0;
	memset(&req, 0, sizeof(req));
	req.kind = EP_TW_TEST;
	req.size = 1400;
	snprintf(req.token, sizeof(req.token), "abcdefgh");
	assert_int_equal(ep_tw_build_name(&req, longzone, n, out), 0);
}

static void
test_entry_roundtrip(void **state)
{
	struct ep_tw_entry e, back;
	char buf[256];
	size_t n;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.id = 65535;
	e.tcp = 1;
	e.qsize = 65535;
	e.frag = 1500;
	e.edns = -1;
	e.dnssec_ok = 1;
	e.want = 65535;
	e.sent = 65535;
	e.tc = 1;
	e.out_frags = 64;
	snprintf(e.how, sizeof(e.how), "sendfail");
	n = ep_tw_entry_format(&e, buf, sizeof(buf));
	assert_true(n > 0 && n <= 255);
	assert_string_equal(buf, "id=65535 tcp=1 q=65535 frag=1500 edns=-1 "
	    "do=1 want=65535 sent=65535 tc=1 pkts=64 how=sendfail");
	assert_int_equal(ep_tw_entry_parse(buf, n, &back), 0);
	assert_int_equal(back.id, 65535);
	assert_int_equal(back.tcp, 1);
	assert_int_equal(back.qsize, 65535);
	assert_int_equal(back.frag, 1500);
	assert_int_equal(back.edns, -1);
	assert_int_equal(back.dnssec_ok, 1);
	assert_int_equal(back.want, 65535);
	assert_int_equal(back.sent, 65535);
	assert_int_equal(back.tc, 1);
	assert_int_equal(back.out_frags, 64);
	assert_string_equal(back.how, "sendfail");
	assert_int_equal(back.ttl, 0);
	assert_string_equal(back.te, "");
	assert_int_equal(ep_tw_entry_format(&e, buf, 40), 0);
}

/* A TTL-limited answer's entry: ttl and te after how, te "-" until a
 * Time Exceeded came; the longest IPv6 router address still fits. */
static void
test_entry_hops(void **state)
{
	struct ep_tw_entry e, back;
	char buf[256];
	size_t n;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.id = 7;
	e.qsize = 60;
	e.edns = 1232;
	e.want = 1200;
	e.sent = 1200;
	e.out_frags = 5;
	e.ttl = 2;
	snprintf(e.how, sizeof(e.how), "frag");
	n = ep_tw_entry_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "id=7 tcp=0 q=60 frag=0 edns=1232 do=0 "
	    "want=1200 sent=1200 tc=0 pkts=5 how=frag ttl=2 te=-");
	assert_int_equal(ep_tw_entry_parse(buf, n, &back), 0);
	assert_int_equal(back.ttl, 2);
	assert_string_equal(back.te, "");
	assert_string_equal(back.how, "frag");
	snprintf(e.te, sizeof(e.te), "ffff:ffff:ffff:ffff:ffff:ffff:"
	    "255.255.255.255");
	e.ttl = 30;
	e.id = 65535;
	e.qsize = e.want = e.sent = 65535;
	e.frag = 65535;
	e.out_frags = 65535;
	snprintf(e.how, sizeof(e.how), "sendfail");
	n = ep_tw_entry_format(&e, buf, sizeof(buf));
	assert_true(n > 0 && n <= 255);
	assert_int_equal(ep_tw_entry_parse(buf, n, &back), 0);
	assert_int_equal(back.ttl, 30);
	assert_string_equal(back.te, e.te);
	assert_string_equal(back.how, "sendfail");
	/* IPv4 router. */
	snprintf(e.te, sizeof(e.te), "203.0.113.1");
	n = ep_tw_entry_format(&e, buf, sizeof(buf));
	assert_int_equal(ep_tw_entry_parse(buf, n, &back), 0);
	assert_string_equal(back.te, "203.0.113.1");
}

/* A hostile log line's ttl and te: out of range, not an address, too
 * long: the entry stands without them (the how word is not te's). */
static void
test_entry_hops_bad(void **state)
{
	static const char base[] = "id=1 tcp=0 q=1 frag=0 edns=0 do=0 want=0 "
	    "sent=0 tc=0 pkts=0 how=udp";
	static const struct { const char *tail; int ttl; const char *te; }
	    rows[] = {
		{ "", 0, "" },
		{ " ttl=0 te=1.2.3.4", 0, "" },
		{ " ttl=31 te=1.2.3.4", 0, "" },
		{ " ttl=3", 3, "" },
		{ " ttl=3 te=", 3, "" },
		{ " ttl=3 te=-", 3, "" },
		{ " ttl=3 te=<script>", 3, "" },
		{ " ttl=3 te=1.2.3.4\"x", 3, "" },
		{ " ttl=3 te=1111:2222:3333:4444:5555:6666:7777:8888:"
		    "9999:aaaa:bbbb", 3, "" },
		{ " ttl=3 te=1.2.3.4", 3, "1.2.3.4" },
		{ " te=1.2.3.4 ttl=3", 3, "1.2.3.4" },
		{ " te=1.2.3.4", 0, "" },
	};
	struct ep_tw_entry e;
	char line[256];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int n = snprintf(line, sizeof(line), "%s%s", base,
		    rows[i].tail);

		assert_int_equal(ep_tw_entry_parse(line, (size_t)n, &e), 0);
		if (e.ttl != rows[i].ttl || strcmp(e.te, rows[i].te) != 0)
			fail_msg("\"%s\": ttl %d te \"%s\"", rows[i].tail,
			    e.ttl, e.te);
		assert_string_equal(e.how, "udp");
	}
}

static void
test_entry_parse_bad(void **state)
{
	static const char *bad[] = {
		"",
		"id=1 tcp=0 q=1 frag=0 edns=0 do=0 want=0 sent=0 tc=0 pkts=0",
		"id=1 tcp=2 q=1 frag=0 edns=0 do=0 want=0 sent=0 tc=0 pkts=0 "
		    "how=udp",
		"id=70000 tcp=0 q=1 frag=0 edns=0 do=0 want=0 sent=0 tc=0 "
		    "pkts=0 how=udp",
		"id= tcp=0 q=1 frag=0 edns=0 do=0 want=0 sent=0 tc=0 pkts=0 "
		    "how=udp",
		"id=1x tcp=0 q=1 frag=0 edns=0 do=0 want=0 sent=0 tc=0 pkts=0 "
		    "how=udp",
		"xid=1 tcp=0 q=1 frag=0 edns=0 do=0 want=0 sent=0 tc=0 pkts=0 "
		    "how=udp",
		"id=1 tcp=0 q=1 frag=0 edns=-2 do=0 want=0 sent=0 tc=0 pkts=0 "
		    "how=udp",
	};
	static const char unterminated[] = "id=1 tcp=0 q=1 frag=0 edns=0 "
	    "do=0 want=0 sent=0 tc=0 pkts=0 how=udpXXXX";
	struct ep_tw_entry e;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ep_tw_entry_parse(bad[i], strlen(bad[i]), &e) != -1)
			fail_msg("\"%s\" parsed", bad[i]);
	/* Not terminated: the length bounds the read. */
	assert_int_equal(ep_tw_entry_parse(unterminated,
	    strlen(unterminated) - 4, &e), 0);
	assert_string_equal(e.how, "udp");
}

/* ------------------------------------------------- the answer engine */

struct eng {
	struct ep_respond	*r;
	uint8_t			 ans[EP_RESP_MSG_MAX];
	struct ep_query		 q;
};

static int
eng_setup(void **state)
{
	struct eng *g = calloc(1, sizeof(*g));
	struct ep_err err;

	assert_non_null(g);
	g->r = ep_respond_new(zone, ZLEN, &err);
	assert_non_null(g->r);
	*state = g;
	return 0;
}

static int
eng_teardown(void **state)
{
	struct eng *g = *state;

	ep_respond_free(g->r);
	free(g);
	return 0;
}

/* A query for name/type: edns < 0 none, else its size; pad: the whole
 * message padded to that many bytes (0: not). */
static void
query(struct eng *g, const char *name, uint16_t type, int edns, int dnssec,
    uint16_t pad)
{
	struct ep_probe_spec s;
	struct ep_err err;

	memset(&s, 0, sizeof(s));
	assert_int_equal(ep_query_parse_name(name, s.qname, &s.qname_len,
	    &err), 0);
	s.qtype = type;
	s.edns = edns >= 0;
	s.bufsize = edns >= 0 ? (uint16_t)edns : 0;
	s.dnssec_ok = dnssec;
	s.msg_len = pad;
	assert_int_equal(ep_query_build(&s, 0x1234, &g->q, &err), 0);
}

static size_t
answer(struct eng *g, int tcp, struct ep_respond_query *qi,
    struct ep_dns_msg *m)
{
	size_t n = ep_respond_answer(g->r, g->q.wire, g->q.len, tcp, 0,
	    g->ans, sizeof(g->ans), qi);

	if (n > 0)
		assert_int_equal(ep_dns_dissect(g->ans, n, m), EP_DNS_OK);
	return n;
}

static void
test_exact_sizes(void **state)
{
	static const uint32_t sizes[] = {
		100, 255, 256, 511, 512, 513, 1232, 1400, 1480, 1500, 4000,
		4096, 9000, 65535,
	};
	struct eng *g = *state;
	struct ep_respond_query qi;
	struct ep_dns_msg m;
	char name[64];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(name, sizeof(name), "s%u.t1.resp.test", sizes[i]);
		/* UDP with room, and TCP: exactly the size. */
		query(g, name, 16, 65535, 0, 0);
		assert_int_equal(answer(g, 0, &qi, &m), sizes[i]);
		assert_int_equal(m.flags & EP_DNS_TC, 0);
		assert_int_equal(m.flags & EP_DNS_AA, EP_DNS_AA);
		assert_int_equal(m.ancount, 1);
		assert_int_equal(m.opt_count, 1);
		assert_int_equal(qi.entry.sent, sizes[i]);
		assert_int_equal(qi.entry.want, sizes[i]);
		query(g, name, 16, -1, 0, 0);
		assert_int_equal(answer(g, 1, &qi, &m), sizes[i]);
		assert_int_equal(m.opt_count, 0);
		assert_string_equal(qi.entry.how, "tcp");
	}
}

static void
test_smallest(void **state)
{
	struct eng *g = *state;
	struct ep_respond_query qi;
	struct ep_dns_msg m;
	size_t n;

	/* 12 + question (17 + 4) + TXT (2 + 10 + 1) + OPT 11 = 57. */
	query(g, "s12.t1.resp.test", 16, 1232, 0, 0);
	n = answer(g, 0, &qi, &m);
	assert_int_equal(n, 12 + 18 + 4 + 13 + 11);
	assert_int_equal(m.ancount, 1);
	query(g, "t1.resp.test", 16, 1232, 0, 0);
	assert_int_equal(answer(g, 0, &qi, &m), 12 + 14 + 4 + 13 + 11);
}

static void
test_udp_limit(void **state)
{
	struct eng *g = *state;
	struct ep_respond_query qi;
	struct ep_dns_msg m;

	/* Above the client's size: TC, question and OPT only. */
	query(g, "s1400.t1.resp.test", 16, 1232, 0, 0);
	assert_int_equal(answer(g, 0, &qi, &m), 12 + 20 + 4 + 11);
	assert_int_equal(m.flags & EP_DNS_TC, EP_DNS_TC);
	assert_int_equal(m.ancount, 0);
	assert_int_equal(m.opt_count, 1);
	assert_int_equal(qi.entry.tc, 1);
	assert_int_equal(qi.entry.sent, 12 + 20 + 4 + 11);
	/* Exactly the client's size passes. */
	query(g, "s1232.t1.resp.test", 16, 1232, 0, 0);
	assert_int_equal(answer(g, 0, &qi, &m), 1232);
	assert_int_equal(qi.entry.tc, 0);
	/* No EDNS: 512.  An OPT below 512 counts as 512. */
	query(g, "s513.t1.resp.test", 16, -1, 0, 0);
	assert_int_equal(answer(g, 0, &qi, &m), 12 + 19 + 4);
	assert_int_equal(m.flags & EP_DNS_TC, EP_DNS_TC);
	query(g, "s512.t1.resp.test", 16, -1, 0, 0);
	assert_int_equal(answer(g, 0, &qi, &m), 512);
	query(g, "s512.t1.resp.test", 16, 100, 0, 0);
	assert_int_equal(answer(g, 0, &qi, &m), 512);
	assert_int_equal(qi.entry.edns, 100);
	/* TCP: the whole of it. */
	query(g, "s1400.t1.resp.test", 16, -1, 0, 0);
	assert_int_equal(answer(g, 1, &qi, &m), 1400);
}

static void
test_do_and_padding(void **state)
{
	struct eng *g = *state;
	struct ep_respond_query qi;
	struct ep_dns_msg m;

	query(g, "s800.t1.resp.test", 16, 1232, 1, 0);
	assert_int_equal(answer(g, 0, &qi, &m), 800);
	assert_int_equal(m.edns_flags & EP_DNS_EDNS_DO, EP_DNS_EDNS_DO);
	assert_int_equal(qi.entry.dnssec_ok, 1);
	query(g, "s800.t1.resp.test", 16, 1232, 0, 0);
	assert_int_equal(answer(g, 0, &qi, &m), 800);
	assert_int_equal(m.edns_flags & EP_DNS_EDNS_DO, 0);
	/* A query padded to 4000 bytes (RFC 7830): answered, its size
	 * recorded. */
	query(g, "s600.t1.resp.test", 16, 1232, 0, 4000);
	assert_int_equal(g->q.len, 4000);
	assert_int_equal(answer(g, 0, &qi, &m), 600);
	assert_int_equal(qi.entry.qsize, 4000);
	query(g, "s600.t1.resp.test", 16, 1232, 0, 65535);
	assert_int_equal(answer(g, 1, &qi, &m), 600);
	assert_int_equal(qi.entry.qsize, 65535);
}

static void
test_rcodes(void **state)
{
	struct eng *g = *state;
	struct ep_respond_query qi;
	struct ep_dns_msg m;
	uint8_t raw[64];

	query(g, "example.com", 1, 1232, 0, 0);
	assert_true(answer(g, 0, &qi, &m) > 0);
	assert_int_equal(m.rcode, 5);
	assert_int_equal(m.flags & EP_DNS_AA, 0);
	assert_int_equal(m.ancount + m.nscount, 0);
	query(g, "www.resp.test", 16, 1232, 0, 0);
	assert_true(answer(g, 0, &qi, &m) > 0);
	assert_int_equal(m.rcode, 3);
	assert_int_equal(m.nscount, 1);
	/* Other types on test names, the apex, the hello: NODATA. */
	query(g, "s1400.t1.resp.test", 1, 1232, 0, 0);
	assert_true(answer(g, 0, &qi, &m) > 0);
	assert_int_equal(m.rcode, 0);
	assert_int_equal(m.ancount, 0);
	assert_int_equal(m.nscount, 1);
	query(g, "resp.test", 6, 1232, 0, 0);
	assert_true(answer(g, 0, &qi, &m) > 0);
	assert_int_equal(m.ancount, 1);
	assert_int_equal(m.an_soa, 1);
	query(g, "_ednsprobe.resp.test", 16, -1, 0, 0);
	assert_true(answer(g, 0, &qi, &m) > 0);
	assert_int_equal(m.ancount, 1);
	/* Opcode NOTIFY: NOTIMP. */
	query(g, "resp.test", 6, -1, 0, 0);
	g->q.wire[2] |= 4 << 3;
	assert_true(answer(g, 0, &qi, &m) > 0);
	assert_int_equal(m.rcode, 4);
	/* EDNS version 1: BADVERS, with an OPT. */
	query(g, "resp.test", 6, 1232, 0, 0);
	g->q.wire[g->q.len - 11 + 6] = 1;
	assert_true(answer(g, 0, &qi, &m) > 0);
	assert_int_equal(m.rcode, 16);
	assert_int_equal(m.opt_count, 1);
	/* A header and junk: FORMERR, header only. */
	memset(raw, 0xff, sizeof(raw));
	raw[2] = 0;
	raw[3] = 0;
	assert_int_equal(ep_respond_answer(g->r, raw, sizeof(raw), 0, 0,
	    g->ans, sizeof(g->ans), &qi), 12);
	assert_int_equal(g->ans[3] & 0xf, 1);
	/* Shorter than a header, or a response: dropped. */
	assert_int_equal(ep_respond_answer(g->r, raw, 11, 0, 0, g->ans,
	    sizeof(g->ans), &qi), 0);
	query(g, "resp.test", 6, -1, 0, 0);
	g->q.wire[2] |= 0x80;
	assert_int_equal(ep_respond_answer(g->r, g->q.wire, g->q.len, 0, 0,
	    g->ans, sizeof(g->ans), &qi), 0);
}

/* Random bytes after a valid header: never a crash, never an answer
 * larger than 512 over UDP without EDNS. */
static void
test_random_input(void **state)
{
	struct eng *g = *state;
	struct ep_respond_query qi;
	uint8_t buf[600];
	unsigned seed = 1;

	for (int i = 0; i < 20000; i++) {
		size_t len = (size_t)(rand_r(&seed) % (int)sizeof(buf));
		size_t n;

		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)rand_r(&seed);
		if (len > 12) {
			buf[2] &= 0x7f;
			buf[5] = 1;	/* one question, often */
		}
		n = ep_respond_answer(g->r, buf, len, 0, 0, g->ans,
		    sizeof(g->ans), &qi);
		assert_true(n <= 65535);
		if (n > 0 && qi.entry.edns < 0)
			assert_true(n <= 512);
	}
}

/* The log's TXT answer: one string per entry, in order. */
static void
read_log(struct eng *g, const char *token, struct ep_tw_entry *out,
    int max, int *n)
{
	struct ep_respond_query qi;
	struct ep_dns_msg m;
	char name[64];
	size_t len, off, rdlen, end;

	snprintf(name, sizeof(name), "log.t%s.resp.test", token);
	query(g, name, 16, -1, 0, 0);
	len = answer(g, 1, &qi, &m);
	*n = 0;
	if (m.ancount == 0)
		return;
	/* The answer's RR after the question: pointer, fixed, RDATA. */
	off = 12 + qi.qname_len + 4 + 2 + 8;
	rdlen = (size_t)(g->ans[off] << 8 | g->ans[off + 1]);
	off += 2;
	end = off + rdlen;
	assert_true(end <= len);
	while (off < end && *n < max) {
		size_t sl = g->ans[off];

		assert_int_equal(ep_tw_entry_parse((const char *)g->ans + off +
		    1, sl, &out[*n]), 0);
		(*n)++;
		off += 1 + sl;
	}
}

static void
test_log(void **state)
{
	struct eng *g = *state;
	struct ep_respond_query qi;
	struct ep_dns_msg m;
	struct ep_tw_entry got[EP_TW_LOG_MAX + 4];
	int n;

	read_log(g, "zz", got, EP_TW_LOG_MAX, &n);
	assert_int_equal(n, 0);	/* unknown token: NODATA */
	query(g, "s700.tzz.resp.test", 16, 1232, 1, 0);
	answer(g, 0, &qi, &m);
	assert_int_equal(ep_respond_record(g->r, &qi), 1);
	query(g, "s2000.tzz.resp.test", 16, 1232, 0, 3000);
	n = (int)ep_respond_answer(g->r, g->q.wire, g->q.len, 0, 1480,
	    g->ans, sizeof(g->ans), &qi);
	assert_int_equal(ep_respond_record(g->r, &qi), 1);
	/* Not logged: no token, the hello, the log itself, outside. */
	query(g, "s700.resp.test", 16, 1232, 0, 0);
	answer(g, 0, &qi, &m);
	assert_int_equal(ep_respond_record(g->r, &qi), 0);
	query(g, "log.tzz.resp.test", 16, 1232, 0, 0);
	answer(g, 0, &qi, &m);
	assert_int_equal(ep_respond_record(g->r, &qi), 0);
	read_log(g, "zz", got, EP_TW_LOG_MAX, &n);
	assert_int_equal(n, 2);
	assert_int_equal(got[0].id, 0x1234);
	assert_int_equal(got[0].want, 700);
	assert_int_equal(got[0].sent, 700);
	assert_int_equal(got[0].dnssec_ok, 1);
	assert_int_equal(got[0].edns, 1232);
	assert_string_equal(got[0].how, "udp");
	assert_int_equal(got[1].qsize, 3000);
	assert_int_equal(got[1].frag, 1480);
	assert_int_equal(got[1].tc, 1);
	assert_int_equal(got[1].want, 2000);
	/* A full log stays full; its first entries stay. */
	query(g, "s100.tfull.resp.test", 16, 1232, 0, 0);
	answer(g, 0, &qi, &m);
	for (int i = 0; i < EP_TW_LOG_MAX; i++)
		assert_int_equal(ep_respond_record(g->r, &qi), 1);
	assert_int_equal(ep_respond_record(g->r, &qi), -1);
	read_log(g, "full", got, EP_TW_LOG_MAX + 4, &n);
	assert_int_equal(n, EP_TW_LOG_MAX);
}

/* h<N>: over UDP under a token the entry carries the TTL (TCP never),
 * at most EP_TW_HOPS_PER_TOKEN per token; a Time Exceeded goes to the
 * latest entry of that id that has none. */
static void
test_log_hops(void **state)
{
	struct eng *g = *state;
	struct ep_respond_query qi;
	struct ep_dns_msg m;
	struct ep_tw_entry got[EP_TW_LOG_MAX];
	int n;

	query(g, "s1200.f256.h2.th.resp.test", 16, 1232, 0, 0);
	answer(g, 0, &qi, &m);
	assert_int_equal(qi.entry.ttl, 2);
	assert_int_equal(ep_respond_hop_admit(g->r, &qi), 1);
	assert_int_equal(ep_respond_record(g->r, &qi), 1);
	/* The same query again (a resend): a second entry. */
	assert_int_equal(ep_respond_hop_admit(g->r, &qi), 1);
	assert_int_equal(ep_respond_record(g->r, &qi), 1);
	/* Over TCP: no TTL. */
	answer(g, 1, &qi, &m);
	assert_int_equal(qi.entry.ttl, 0);
	assert_int_equal(ep_respond_hop_admit(g->r, &qi), 0);
	/* Without a token: sent with the default TTL. */
	query(g, "s200.h1.resp.test", 16, 1232, 0, 0);
	answer(g, 0, &qi, &m);
	assert_int_equal(qi.entry.ttl, 1);
	assert_int_equal(ep_respond_hop_admit(g->r, &qi), 0);
	assert_int_equal(qi.entry.ttl, 0);
	/* Time Exceeded: the latest entry of the id without one, then the
	 * one before; a third has none left; another token, another id:
	 * nothing. */
	assert_int_equal(ep_respond_time_exceeded(g->r, "h", 0x1234,
	    "203.0.113.1"), 1);
	assert_int_equal(ep_respond_time_exceeded(g->r, "h", 0x1234,
	    "203.0.113.9"), 1);
	assert_int_equal(ep_respond_time_exceeded(g->r, "h", 0x1234,
	    "203.0.113.1"), 0);
	assert_int_equal(ep_respond_time_exceeded(g->r, "x", 0x1234,
	    "203.0.113.1"), 0);
	assert_int_equal(ep_respond_time_exceeded(g->r, "h", 0x4321,
	    "203.0.113.1"), 0);
	read_log(g, "h", got, EP_TW_LOG_MAX, &n);
	assert_int_equal(n, 2);
	assert_int_equal(got[0].ttl, 2);
	assert_string_equal(got[0].te, "203.0.113.9");
	assert_string_equal(got[1].te, "203.0.113.1");
	/* The bound per token. */
	query(g, "s200.h3.tb.resp.test", 16, 1232, 0, 0);
	answer(g, 0, &qi, &m);
	for (int i = 0; i < EP_TW_HOPS_PER_TOKEN; i++) {
		struct ep_respond_query q2 = qi;

		assert_int_equal(ep_respond_hop_admit(g->r, &q2), 1);
	}
	assert_int_equal(ep_respond_hop_admit(g->r, &qi), 0);
	assert_int_equal(qi.entry.ttl, 0);
}

static void
test_log_tokens_bounded(void **state)
{
	struct eng *g = *state;
	struct ep_respond_query qi;
	struct ep_dns_msg m;
	struct ep_tw_entry got[4];
	char name[64];
	int n;

	/* More tokens than kept: the oldest go, the newest stay. */
	for (int i = 0; i < EP_RESP_TOKENS + 10; i++) {
		snprintf(name, sizeof(name), "s100.tk%d.resp.test", i);
		query(g, name, 16, 1232, 0, 0);
		answer(g, 0, &qi, &m);
		assert_int_equal(ep_respond_record(g->r, &qi), 1);
	}
	read_log(g, "k0", got, 4, &n);
	assert_int_equal(n, 0);
	snprintf(name, sizeof(name), "k%d", EP_RESP_TOKENS + 9);
	read_log(g, name, got, 4, &n);
	assert_int_equal(n, 1);
	snprintf(name, sizeof(name), "k%d", 10);
	read_log(g, name, got, 4, &n);
	assert_int_equal(n, 1);
}

static void
test_parse_listen(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct ep_err err;
	static const char *bad[] = {
		"0.0.0.0", "::", "[::]:53", "1.2.3.4:0", "1.2.3.4:65536",
		"1.2.3.4:x", "[2001:db8::1", "[2001:db8::1]x", "1.2.3",
		"host.example", "[1.2.3.4]:53x", "1.2.3.4#", "1.2.3.4#0",
		"1.2.3.4#x", "#53", "[2001:db8::1]#", "1.2.3#53",
		"2001:db8::1#99999",
	};

	static const struct {
		const char	*spec;
		int		 family;	/* 0: not checked */
		int		 port;
	} good[] = {
		{ "203.0.113.70", AF_INET, 53 },
		{ "203.0.113.70:5353", 0, 5353 },
		{ "[2001:db8::70]:54", AF_INET6, 54 },
		{ "2001:db8::70", 0, 53 },
		{ "203.0.113.70#5300", AF_INET, 5300 },
		{ "2001:db8::70#5300", AF_INET6, 5300 },
		{ "[::1]#5301", 0, 5301 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(ep_respond_parse_listen(good[i].spec, &ss,
		    &len, &err), 0);
		if (good[i].family != 0)
			assert_int_equal(ss.ss_family, good[i].family);
		/* sin_port and sin6_port sit at the same offset */
		assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port),
		    good[i].port);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ep_respond_parse_listen(bad[i], &ss, &len, &err) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_names),
		cmocka_unit_test(test_parse_outside),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_build_name),
		cmocka_unit_test(test_build_name_too_long),
		cmocka_unit_test(test_entry_roundtrip),
		cmocka_unit_test(test_entry_parse_bad),
		cmocka_unit_test(test_entry_hops),
		cmocka_unit_test(test_entry_hops_bad),
		cmocka_unit_test_setup_teardown(test_exact_sizes, eng_setup,
		    eng_teardown),
		cmocka_unit_test_setup_teardown(test_smallest, eng_setup,
		    eng_teardown),
		cmocka_unit_test_setup_teardown(test_udp_limit, eng_setup,
		    eng_teardown),
		cmocka_unit_test_setup_teardown(test_do_and_padding, eng_setup,
		    eng_teardown),
		cmocka_unit_test_setup_teardown(test_rcodes, eng_setup,
		    eng_teardown),
		cmocka_unit_test_setup_teardown(test_random_input, eng_setup,
		    eng_teardown),
		cmocka_unit_test_setup_teardown(test_log, eng_setup,
		    eng_teardown),
		cmocka_unit_test_setup_teardown(test_log_hops, eng_setup,
		    eng_teardown),
		cmocka_unit_test_setup_teardown(test_log_tokens_bounded,
		    eng_setup, eng_teardown),
		cmocka_unit_test(test_parse_listen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
