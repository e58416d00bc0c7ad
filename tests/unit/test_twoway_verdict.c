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

#include "engine/measure.h"
#include "measure/measures.h"
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


/* ------------------------------------------------ the hop ladder (h<N>) */

/* A ladder probe: the reference (small) or a kind's (frag: its
 * fragments, else a large whole answer) at ttl, its outcome here; te:
 * the router the responder's log names (NULL none); applied: the
 * responder logged the TTL (0: an older responder). */
static struct ep_probe_record *
hop(int ref, uint16_t frag, int ttl, enum ep_outcome out, const char *te,
    int applied)
{
	struct ep_probe_record *p = tw(EP_ROLE_TWIN, ref ? 200 : 1200, frag,
	    0, 0, out);

	p->spec.subject = ref ? EP_SUBJ_SMALL : EP_SUBJ_LARGE;
	p->spec.tw_ttl = (uint8_t)ttl;
	far(p, 0, p->spec.tw_want, frag ? "frag" : "udp", frag ? 5 : 0);
	p->far.ttl = applied ? (uint8_t)ttl : 0;
	if (te != NULL)
		snprintf(p->far.te, sizeof(p->far.te), "%s", te);
	return p;
}

/* Server, r2 (hop 1), r1 (hop 2), us (3): the reference draws Time
 * Exceeded from r2 and r1 and reaches us at TTL 3. */
#define R2	"203.0.113.1"
#define R1	"198.51.100.1"

static void
ref_ladder(int len, int r1_silent)
{
	hop(1, 0, 1, EP_OUT_TIMEOUT, R2, 1);
	hop(1, 0, 2, EP_OUT_TIMEOUT, r1_silent ? NULL : R1, 1);
	for (int ttl = 3; ttl <= len; ttl++)
		hop(1, 0, ttl, EP_OUT_ANSWER, NULL, 1);
}

/* Finding id's summary has text (or, says 0, has not). */
static void
says(const char *id, const char *text, int yes)
{
	const struct ep_finding *f = found(id);
	const char *sum = f != NULL ? f->summary : "";

	if (f == NULL)
		fail_msg("no %s", id);
	else if ((strstr(sum, text) != NULL) != yes)
		fail_msg("%s: \"%s\" %s \"%s\"", id, sum, yes ? "lacks" :
		    "has", text);
}

static const struct ep_drop *
drop(const char *what)
{
	for (int i = 0; i < t.path.ndrops; i++)
		if (strcmp(t.path.drops[i].what, what) == 0)
			return &t.path.drops[i];
	return NULL;
}

/* frag-in-drop: the fragments reach r2 (its Time Exceeded at TTL 1),
 * never r1, which answers the reference: after hop 1, exactly. */
static void
test_hops_in_exact(void **state)
{
	struct ep_probe_record *k1, *k2;
	const struct ep_finding *f;
	const struct ep_drop *d;

	(void)state;
	setup(4);
	ref_ladder(5, 0);
	k1 = hop(0, 256, 1, EP_OUT_TIMEOUT, R2, 1);
	k2 = hop(0, 256, 2, EP_OUT_TIMEOUT, NULL, 1);
	for (int ttl = 3; ttl <= 5; ttl++)
		hop(0, 256, ttl, EP_OUT_TIMEOUT, NULL, 1);
	facts()->log = 1;
	ep_tw_verdict(&t);
	assert_non_null(d = drop("fragments"));
	assert_int_equal(d->dir, EP_DROP_IN);
	assert_int_equal(d->ttl, 2);
	assert_string_equal(d->addr, R2);
	assert_int_equal(d->silent, 0);
	assert_null(drop("large"));
	assert_non_null(f = found("DROP_HOP_IN"));
	says("DROP_HOP_IN", "Fragmented answers die after hop 1 from the "
	    "server's side (" R2 ")", 1);
	says("DROP_HOP_IN", "reach us 3 hops away", 1);
	says("DROP_HOP_IN", "did not answer", 0);
	assert_true(cites(f, k1->spec.id) && cites(f, k2->spec.id));
	assert_true(cites(f, 1));	/* the reference at TTL 1 */
}

/* r1 never sends Time Exceeded: hop 2 is silent.  The location stays
 * "after hop 1" (first hop missed: 2 or 3), never one hop closer. */
static void
test_hops_in_silent(void **state)
{
	const struct ep_drop *d;

	(void)state;
	setup(6);
	ref_ladder(4, 1);
	for (int ttl = 1; ttl <= 4; ttl++)
		hop(0, 256, ttl, EP_OUT_TIMEOUT, ttl == 1 ? R2 : NULL, 1);
	facts()->log = 1;
	ep_tw_verdict(&t);
	assert_non_null(d = drop("fragments"));
	assert_int_equal(d->ttl, 2);
	assert_string_equal(d->addr, R2);
	assert_int_equal(d->silent, 1);
	says("DROP_HOP_IN", "after hop 1 from the server's side (" R2 ")",
	    1);
	says("DROP_HOP_IN", "hop 2 did not answer", 1);
	says("DROP_HOP_IN", "they miss hop 2 or 3", 1);

	/* Two silent hops on a longer way (an IPv6 router's longest
	 * address): hops 2..3, the first hop missed one of 2..4, and the
	 * summary keeps all of it. */
	setup(6);
	hop(1, 0, 1, EP_OUT_TIMEOUT, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:"
	    "ffff", 1);
	hop(1, 0, 2, EP_OUT_TIMEOUT, NULL, 1);
	hop(1, 0, 3, EP_OUT_TIMEOUT, NULL, 1);
	hop(1, 0, 4, EP_OUT_ANSWER, NULL, 1);
	for (int ttl = 1; ttl <= 4; ttl++)
		hop(0, 256, ttl, EP_OUT_TIMEOUT, ttl == 1 ?
		    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" : NULL, 1);
	facts()->log = 1;
	ep_tw_verdict(&t);
	assert_non_null(d = drop("fragments"));
	assert_int_equal(d->ttl, 2);
	assert_int_equal(d->silent, 2);
	says("DROP_HOP_IN", "hops 2..3 did not answer (silent or "
	    "rate-limited): they miss one of hops 2..4", 1);
}

/* Hop 1 rate-limited the kind's Time Exceeded, hop 2 returned it: the
 * farthest counts (after hop 2, the last router before us). */
static void
test_hops_in_rate_limited(void **state)
{
	const struct ep_drop *d;

	(void)state;
	setup(4);
	ref_ladder(3, 0);
	hop(0, 0, 1, EP_OUT_TIMEOUT, NULL, 1);
	hop(0, 0, 2, EP_OUT_TIMEOUT, R1, 1);
	hop(0, 0, 3, EP_OUT_TIMEOUT, NULL, 1);
	facts()->log = 1;
	ep_tw_verdict(&t);
	assert_non_null(d = drop("large"));
	assert_int_equal(d->ttl, 3);
	assert_string_equal(d->addr, R1);
	assert_int_equal(d->silent, 0);
	says("DROP_HOP_IN", "Large answers die after hop 2 from the server's "
	    "side (" R1 "), never reaching hop 3 (us) (Time Exceeded in the "
	    "responder's log)", 1);
}

/* Not even hop 1 returned the kind, while it answers the reference:
 * they die before hop 1 (the server's own host or link). */
static void
test_hops_in_before_first(void **state)
{
	const struct ep_drop *d;

	(void)state;
	setup(4);
	ref_ladder(3, 0);
	for (int ttl = 1; ttl <= 3; ttl++)
		hop(0, 256, ttl, EP_OUT_TIMEOUT, NULL, 1);
	facts()->log = 1;
	ep_tw_verdict(&t);
	assert_non_null(d = drop("fragments"));
	assert_int_equal(d->ttl, 1);
	assert_string_equal(d->addr, "");
	assert_int_equal(d->silent, 0);
	says("DROP_HOP_IN", "die before hop 1 from the server's side", 1);
}

/* No location: the kind arrived during the ladder; the ladder too short
 * (no reference arrived, Time Exceeded up to its last TTL); a responder
 * that did not apply h<N>; no Time Exceeded at all; no ladder at all. */
static void
test_hops_in_none(void **state)
{
	(void)state;
	setup(4);
	ref_ladder(3, 0);
	hop(0, 256, 1, EP_OUT_TIMEOUT, R2, 1);
	hop(0, 256, 2, EP_OUT_TIMEOUT, NULL, 1);
	hop(0, 256, 3, EP_OUT_ANSWER, NULL, 1);
	facts()->log = 1;
	ep_tw_verdict(&t);
	assert_int_equal(t.path.ndrops, 0);
	assert_null(found("DROP_HOP_IN"));

	setup(4);
	hop(1, 0, 1, EP_OUT_TIMEOUT, R2, 1);
	hop(1, 0, 2, EP_OUT_TIMEOUT, R1, 1);
	hop(0, 256, 1, EP_OUT_TIMEOUT, R2, 1);
	hop(0, 256, 2, EP_OUT_TIMEOUT, R1, 1);
	facts()->log = 1;
	ep_tw_verdict(&t);
	assert_int_equal(t.path.ndrops, 0);

	setup(4);
	hop(1, 0, 1, EP_OUT_TIMEOUT, NULL, 0);
	hop(1, 0, 2, EP_OUT_ANSWER, NULL, 0);
	hop(0, 256, 1, EP_OUT_TIMEOUT, NULL, 0);
	hop(0, 256, 2, EP_OUT_TIMEOUT, NULL, 0);
	facts()->log = 1;
	ep_tw_verdict(&t);
	assert_int_equal(t.path.ndrops, 0);

	/* Not one Time Exceeded reached the responder (ICMP filtered
	 * toward it): every hop silent tells nothing, no "before hop 1". */
	setup(4);
	hop(1, 0, 1, EP_OUT_TIMEOUT, NULL, 1);
	hop(1, 0, 2, EP_OUT_TIMEOUT, NULL, 1);
	hop(1, 0, 3, EP_OUT_ANSWER, NULL, 1);
	for (int ttl = 1; ttl <= 3; ttl++)
		hop(0, 256, ttl, EP_OUT_TIMEOUT, NULL, 1);
	facts()->log = 1;
	ep_tw_verdict(&t);
	assert_int_equal(t.path.ndrops, 0);
	assert_null(found("DROP_HOP_IN"));

	setup(4);
	far(tw(EP_ROLE_TWIN, 1200, 256, 0, 0, EP_OUT_ANSWER), 0, 1200,
	    "frag", 5);
	facts()->log = 1;
	ep_tw_verdict(&t);
	assert_int_equal(t.path.ndrops, 0);
	assert_null(found("DROP_HOP_IN"));
}

/* The ladder's probes are not the size ladder's: a lost TTL-limited
 * answer is no inbound loss (frag_in, in_lost stay as the rest say). */
static void
test_hops_in_apart(void **state)
{
	(void)state;
	setup(4);
	far(tw(EP_ROLE_TWIN, 512, 0, 0, 0, EP_OUT_ANSWER), 0, 512, "udp", 0);
	far(tw(EP_ROLE_TWIN, 1200, 256, 0, 0, EP_OUT_ANSWER), 0, 1200,
	    "frag", 5);
	ref_ladder(3, 0);
	for (int ttl = 1; ttl <= 3; ttl++)
		hop(0, 256, ttl, EP_OUT_TIMEOUT, ttl == 1 ? R2 : NULL, 1);
	facts()->log = 1;
	ep_tw_verdict(&t);
	assert_int_equal(facts()->frag_in, EP_FACT_OK);
	assert_int_equal(facts()->in_max, 512);
	assert_int_equal(facts()->in_lost, 0);
	assert_null(found("TWOWAY_FRAG_IN_DROPPED"));
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

/* name (presentation) into s's question. */
static void
question(struct ep_probe_spec *s, const char *name)
{
	ldns_rdf *rdf;

	assert_int_equal(ldns_str2rdf_dname(&rdf, name), LDNS_STATUS_OK);
	memcpy(s->qname, ldns_rdf_data(rdf), ldns_rdf_size(rdf));
	s->qname_len = ldns_rdf_size(rdf);
	ldns_rdf_deep_free(rdf);
}

/* analyze: a name with token labels is a two-ended probe only below the
 * zone whose hello a responder answered in the capture; "test." and
 * "translate.probe.test." are names (issue 22). */
static void
test_identify_needs_hello(void **state)
{
	static const struct { const char *name; int below; } cases[] = {
		{ "s1400.tab12cd34.resp.test", 1 },
		{ "log.tab12cd34.resp.test", 1 },
		{ "t1abc.resp.test", 1 },	/* a token label, below it */
		{ "test", 0 },
		{ "translate.probe.test", 0 },
		{ "s1400.tab12cd34.other.test", 0 },
	};
	struct ep_measure_set set;
	struct ep_probe_spec s;

	(void)state;
	assert_int_equal(ep_measures_named("twoway", &set), 0);
	setup(4);
	t.nprobes = 1;
	memset(&t.probes[0], 0, sizeof(t.probes[0]));
	question(&t.probes[0].spec, "_ednsprobe.resp.test");
	for (int hello = 0; hello < 2; hello++) {
		t.probes[0].res.hello = hello;
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			int want = hello && cases[i].below;

			memset(&s, 0, sizeof(s));
			question(&s, cases[i].name);
			if (set.m[0]->identify(&t, &s) != want)
				fail_msg("%s, hello %d: not %d", cases[i].name,
				    hello, want);
			if (want)
				assert_int_equal(s.role, EP_ROLE_TWIN);
		}
		/* The hello itself, by its name, answered or not. */
		memset(&s, 0, sizeof(s));
		question(&s, "_ednsprobe.resp.test");
		assert_int_equal(set.m[0]->identify(&t, &s), 1);
		assert_int_equal(s.role, EP_ROLE_HELLO);
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
		cmocka_unit_test(test_identify_needs_hello),
		cmocka_unit_test(test_hops_in_exact),
		cmocka_unit_test(test_hops_in_silent),
		cmocka_unit_test(test_hops_in_rate_limited),
		cmocka_unit_test(test_hops_in_before_first),
		cmocka_unit_test(test_hops_in_none),
		cmocka_unit_test(test_hops_in_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
