/* tests/unit/test_twoway_verdict.c: two-ended mode on the client's side:
 * the responder's hello and log (real DNS answers built with ldns) read
 * into the probes, and the direction and size each finding names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "measure/twoway.h"
#include "measure/twoway_verdict.h"

static struct ep_target t;

/* t's two-ended facts (made when it has none). */
static struct ep_twoway *
facts(void)
{
	struct ep_twoway *w = ep_tw_facts_new(&t);

	assert_non_null(w);
	return w;
}

static void
setup(int family)
{
	ep_target_fini(&t);
	memset(&t, 0, sizeof(t));
	t.family = family;
	t.path.iface_mtu = 1500;
	t.path.pmtu = -1;
	facts()->responder = 1;
	snprintf(facts()->token, sizeof(facts()->token), "ab12cd34");
}

/* A two-ended probe: role, answer size, f, df, query size; its outcome;
 * qid = its id.  Returns it. */
static struct ep_probe_record *
tw(enum ep_role role, uint16_t want, uint16_t frag, int df, uint16_t qsize,
    enum ep_outcome out)
{
	struct ep_probe_record *p = &t.probes[t.nprobes];

	memset(p, 0, sizeof(*p));
	p->spec.id = t.nprobes + 1;
	p->spec.transport = EP_UDP;
	p->spec.role = role;
	p->spec.tw_want = want;
	p->spec.tw_frag = frag;
	p->spec.tw_df = (uint8_t)df;
	p->spec.msg_len = qsize;
	p->res.outcome = out;
	p->res.qid = (uint16_t)(1000 + t.nprobes);
	t.nprobes++;
	return p;
}

/* What the responder logged of p: arrived (frag: its largest
 * fragment), answered sent bytes as how in pkts packets. */
static void
far(struct ep_probe_record *p, uint16_t frag, uint32_t sent, const char *how,
    uint16_t pkts)
{
	p->far.known = 1;
	p->far.seen = 1;
	p->far.qsize = p->spec.msg_len ? p->spec.msg_len : 60;
	p->far.frag = frag;
	p->far.sent = sent;
	p->far.pkts = pkts;
	snprintf(p->far.how, sizeof(p->far.how), "%s", how);
}

static void
unseen(struct ep_probe_record *p)
{
	p->far.known = 1;
}

static const struct ep_finding *
found(const char *id)
{
	for (int i = 0; i < t.nfindings; i++)
		if (strcmp(ep_finding_name(t.findings[i].id), id) == 0)
			return &t.findings[i];
	return NULL;
}

static int
cites(const struct ep_finding *f, int probe)
{
	for (int i = 0; i < f->nprobes; i++)
		if (f->probes[i] == probe)
			return 1;
	return 0;
}

/* The outbound ladder: queries of 512 .. 4000 bytes, the ones above the
 * MTU (sent in fragments) lost before the responder. */
static void
test_frag_out_dropped(void **state)
{
	struct ep_probe_record *a, *b, *c, *d;
	const struct ep_finding *f;

	(void)state;
	setup(4);
	a = tw(EP_ROLE_TWOUT, 200, 0, 0, 512, EP_OUT_ANSWER);
	b = tw(EP_ROLE_TWOUT, 200, 0, 0, 1400, EP_OUT_ANSWER);
	c = tw(EP_ROLE_TWOUT, 200, 0, 0, 1480, EP_OUT_TIMEOUT);
	d = tw(EP_ROLE_TWOUT, 200, 0, 0, 4000, EP_OUT_TIMEOUT);
	far(a, 0, 200, "udp", 0);
	far(b, 0, 200, "udp", 0);
	unseen(c);
	unseen(d);
	facts()->log = 1;
	ep_tw_verdict(&t);
	assert_int_equal(facts()->out_max, 1400);
	assert_int_equal(facts()->out_lost, 1480);
	assert_int_equal(facts()->frag_out, EP_FACT_DROPPED);
	assert_non_null(f = found("TWOWAY_FRAG_OUT_DROPPED"));
	assert_true(cites(f, c->spec.id) && cites(f, d->spec.id));
	assert_true(cites(f, b->spec.id));
	assert_null(found("TWOWAY_OUT_LIMIT"));
	assert_null(found("TWOWAY_FRAG_IN_DROPPED"));
}

/* A query that arrived in fragments: fragments pass outbound, and the
 * loss of larger ones is a size limit. */
static void
test_out_limit(void **state)
{
	struct ep_probe_record *a, *b, *c;

	(void)state;
	setup(6);
	a = tw(EP_ROLE_TWOUT, 200, 0, 0, 1232, EP_OUT_ANSWER);
	b = tw(EP_ROLE_TWOUT, 200, 0, 0, 2000, EP_OUT_ANSWER);
	c = tw(EP_ROLE_TWOUT, 200, 0, 0, 4000, EP_OUT_TIMEOUT);
	far(a, 0, 200, "udp", 0);
	far(b, 1448, 200, "udp", 0);
	unseen(c);
	facts()->log = 1;
	ep_tw_verdict(&t);
	assert_int_equal(facts()->frag_out, EP_FACT_OK);
	assert_non_null(found("TWOWAY_OUT_LIMIT"));
	assert_null(found("TWOWAY_FRAG_OUT_DROPPED"));
}

/* Its fragments never arrive; its whole answers do; a lost answer that
 * it never sent (its query lost) is not an inbound loss. */
static void
test_frag_in_dropped(void **state)
{
	struct ep_probe_record *a, *b, *c, *d;
	const struct ep_finding *f;

	(void)state;
	setup(4);
	a = tw(EP_ROLE_TWIN, 1232, 0, 0, 0, EP_OUT_ANSWER);
	b = tw(EP_ROLE_TWIN, 1200, 256, 0, 0, EP_OUT_TIMEOUT);
	c = tw(EP_ROLE_TWIN, 1200, 512, 0, 0, EP_OUT_TIMEOUT);
	d = tw(EP_ROLE_TWIN, 4000, 0, 0, 0, EP_OUT_TIMEOUT);
	far(a, 0, 1232, "udp", 0);
	far(b, 0, 1200, "frag", 5);
	far(c, 0, 1200, "frag", 3);
	unseen(d);
	facts()->log = 1;
	ep_tw_verdict(&t);
	assert_int_equal(facts()->frag_in, EP_FACT_DROPPED);
	assert_int_equal(facts()->in_max, 1232);
	assert_int_equal(facts()->in_lost, 0);	/* 4000 never sent */
	assert_non_null(f = found("TWOWAY_FRAG_IN_DROPPED"));
	assert_true(cites(f, b->spec.id) && cites(f, c->spec.id));
	assert_null(found("TWOWAY_IN_LIMIT"));
}

/* Answers above 1400 sent and lost, its own fragments pass: a size
 * limit inbound. */
static void
test_in_limit(void **state)
{
	struct ep_probe_record *a, *b, *c, *d;

	(void)state;
	setup(4);
	a = tw(EP_ROLE_TWIN, 1400, 0, 0, 0, EP_OUT_ANSWER);
	b = tw(EP_ROLE_TWIN, 1480, 0, 0, 0, EP_OUT_TIMEOUT);
	c = tw(EP_ROLE_TWIN, 4000, 0, 0, 0, EP_OUT_TIMEOUT);
	d = tw(EP_ROLE_TWIN, 1200, 256, 0, 0, EP_OUT_ANSWER);
	far(a, 0, 1400, "udp", 0);
	far(b, 0, 1480, "udp", 0);
	far(c, 0, 4000, "udp", 0);
	far(d, 0, 1200, "frag", 5);
	facts()->log = 1;
	ep_tw_verdict(&t);
	assert_int_equal(facts()->frag_in, EP_FACT_OK);
	assert_int_equal(facts()->in_lost, 1480);
	assert_non_null(found("TWOWAY_IN_LIMIT"));
	assert_null(found("TWOWAY_FRAG_IN_DROPPED"));
}

/* Outbound path MTU 1280 (DF probes), DF answers of 1500 arrive. */
static void
test_mtu_differs(void **state)
{
	struct ep_probe_record *a, *b;
	const struct ep_finding *f;

	(void)state;
	setup(4);
	t.path.pmtu = 1280;
	a = tw(EP_ROLE_TWIN, 1252, 0, 1, 0, EP_OUT_ANSWER);
	b = tw(EP_ROLE_TWIN, 1472, 0, 1, 0, EP_OUT_ANSWER);
	far(a, 0, 1252, "df", 1);
	far(b, 0, 1472, "df", 1);
	facts()->log = 1;
	ep_tw_verdict(&t);
	assert_int_equal(facts()->mtu_in, 1500);
	assert_non_null(f = found("TWOWAY_MTU_DIFFERS"));
	assert_non_null(strstr(f->summary, "1280 bytes toward"));
	assert_non_null(strstr(f->summary, "at least 1500 back"));
	/* The same MTU both ways: nothing. */
	setup(4);
	t.path.pmtu = 1500;
	b = tw(EP_ROLE_TWIN, 1472, 0, 1, 0, EP_OUT_ANSWER);
	far(b, 0, 1472, "df", 1);
	facts()->log = 1;
	ep_tw_verdict(&t);
	assert_null(found("TWOWAY_MTU_DIFFERS"));
	/* Inbound 1280, outbound 1500. */
	setup(4);
	t.path.pmtu = 1500;
	a = tw(EP_ROLE_TWIN, 1252, 0, 1, 0, EP_OUT_ANSWER);
	b = tw(EP_ROLE_TWIN, 1372, 0, 1, 0, EP_OUT_TIMEOUT);
	far(a, 0, 1252, "df", 1);
	far(b, 0, 1372, "df", 1);
	facts()->log = 1;
	ep_tw_verdict(&t);
	assert_non_null(f = found("TWOWAY_MTU_DIFFERS"));
	assert_non_null(strstr(f->summary, "1280 (less than 1400) back"));
}

/* No log: a warning, and no direction claimed. */
static void
test_no_log(void **state)
{
	struct ep_probe_record *a;

	(void)state;
	setup(4);
	a = tw(EP_ROLE_TWOUT, 200, 0, 0, 4000, EP_OUT_TIMEOUT);
	(void)a;
	facts()->log = -1;
	ep_tw_verdict(&t);
	assert_non_null(found("TWOWAY_NO_LOG"));
	assert_int_equal(t.nfindings, 1);
	/* Not a responder: nothing at all. */
	setup(4);
	facts()->responder = 0;
	ep_tw_verdict(&t);
	assert_int_equal(t.nfindings, 0);
}

/* A DNS answer with the TXT strings given, in wire form (malloc). */
static uint8_t *
txt_answer(const char *const *strs, int n, size_t *len)
{
	ldns_pkt *pkt = ldns_pkt_new();
	ldns_rr *rr = NULL;
	uint8_t *wire = NULL;
	char line[1024];

	for (int i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "log.tab12cd34.resp.test. 0 IN "
		    "TXT \"%s\"", strs[i]);
		assert_int_equal(ldns_rr_new_frm_str(&rr, line, 0, NULL, NULL),
		    LDNS_STATUS_OK);
		ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, rr);
	}
	ldns_pkt_set_qr(pkt, 1);
	assert_int_equal(ldns_pkt2wire(&wire, pkt, len), LDNS_STATUS_OK);
	ldns_pkt_free(pkt);
	return wire;
}

/* The log read into the probes by DNS id and transport; a line that is
 * not an entry is skipped; a hello told from anything else. */
static void
test_read_log(void **state)
{
	struct ep_probe_record *a, *b, *c;
	struct ep_tw_entry e = { .id = 1000, .qsize = 512, .edns = 1232,
	    .want = 200, .sent = 200, .how = "udp" };
	char l1[256], l2[256];
	const char *strs[3] = { l1, "garbage id=1001", l2 };
	const char *hello[2] = { EP_TW_HELLO, "zone=resp.test" };
	uint8_t *wire;
	size_t len;

	(void)state;
	setup(4);
	a = tw(EP_ROLE_TWOUT, 200, 0, 0, 512, EP_OUT_ANSWER);
	b = tw(EP_ROLE_TWOUT, 200, 0, 0, 4000, EP_OUT_ANSWER);
	c = tw(EP_ROLE_TWOUT, 200, 0, 0, 2000, EP_OUT_TIMEOUT);
	assert_true(ep_tw_entry_format(&e, l1, sizeof(l1)) > 0);
	e.id = 1001;
	e.qsize = 4000;
	e.frag = 1480;
	assert_true(ep_tw_entry_format(&e, l2, sizeof(l2)) > 0);
	wire = txt_answer(strs, 3, &len);
	assert_int_equal(ep_tw_read_log(&t, wire, len), 0);
	free(wire);
	assert_int_equal(facts()->log, 1);
	assert_int_equal(facts()->entries, 2);
	assert_true(a->far.known && a->far.seen == 1 && a->far.frag == 0);
	assert_true(b->far.seen == 1 && b->far.frag == 1480 &&
	    b->far.qsize == 4000);
	assert_true(c->far.known && c->far.seen == 0);
	assert_string_equal(b->far.how, "udp");
	/* Not a DNS message: the log read before stands (the hop ladder's
	 * second read failing loses nothing); without one, failed. */
	assert_int_equal(ep_tw_read_log(&t, (const uint8_t *)"xx", 2), -1);
	assert_int_equal(facts()->log, 1);
	assert_true(b->far.seen == 1);
	facts()->log = 0;
	assert_int_equal(ep_tw_read_log(&t, (const uint8_t *)"xx", 2), -1);
	assert_int_equal(facts()->log, -1);
	wire = txt_answer(hello, 2, &len);
	assert_true(ep_tw_is_hello(wire, len));
	free(wire);
	wire = txt_answer(strs, 1, &len);
	assert_false(ep_tw_is_hello(wire, len));
	free(wire);
	assert_false(ep_tw_is_hello(NULL, 0));
}

/* Names a capture holds, told apart without the zone (analyze). */
static void
test_name_role(void **state)
{
	static const struct { const char *name; int role; } cases[] = {
		{ "_ednsprobe.resp.test", EP_ROLE_HELLO },
		{ "_EDNSPROBE.resp.test", EP_ROLE_HELLO },
		{ "s4096.tab12cd34.resp.test", EP_ROLE_TWIN },
		{ "s1200.f256.tab12cd34.resp.test", EP_ROLE_TWIN },
		{ "s1252.df.tab12cd34.resp.test", EP_ROLE_TWIN },
		{ "log.tab12cd34.resp.test", EP_ROLE_TWIN },
		{ "probe.test", -1 },
		{ "s1400.example.com", -1 },	/* no token */
		{ "www.tab12cd34.example", -1 },	/* not the scheme's */
		{ "ednsprobe-nx.probe.test", -1 },
		{ ".", -1 },
	};
	uint8_t wire[EP_DNAME_MAX];
	ldns_rdf *rdf;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(ldns_str2rdf_dname(&rdf, cases[i].name),
		    LDNS_STATUS_OK);
		memcpy(wire, ldns_rdf_data(rdf), ldns_rdf_size(rdf));
		if (ep_tw_name_role(wire, ldns_rdf_size(rdf)) != cases[i].role)
			fail_msg("%s: %d, want %d", cases[i].name,
			    ep_tw_name_role(wire, ldns_rdf_size(rdf)),
			    cases[i].role);
		ldns_rdf_deep_free(rdf);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frag_out_dropped),
		cmocka_unit_test(test_out_limit),
		cmocka_unit_test(test_frag_in_dropped),
		cmocka_unit_test(test_in_limit),
		cmocka_unit_test(test_mtu_differs),
		cmocka_unit_test(test_no_log),
		cmocka_unit_test(test_read_log),
		cmocka_unit_test(test_name_role),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
