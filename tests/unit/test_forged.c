/* tests/unit/test_forged.c: the TTL inference and the forged module's
 * verdict (TCP_RESET_FORGED, ICMP_FORGED, ANSWER_FORGED) on probe records
 * made here: the path's probes with the capture's TTLs, the TTL ladder of
 * the hops module, through the whole verdict table. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "measure/forged.h"
#include "measure/verdict.h"

static struct ep_target target;
static uint32_t frame_no;

/* An address of family into ss (and its 16 bytes into raw, if given). */
static void
addr(int family, const char *s, struct sockaddr_storage *ss, uint8_t *raw)
{
	memset(ss, 0, sizeof(*ss));
	if (family == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, s, &sin->sin_addr), 1);
		if (raw != NULL)
			memcpy(raw, &sin->sin_addr, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, s, &sin6->sin6_addr), 1);
		if (raw != NULL)
			memcpy(raw, &sin6->sin6_addr, 16);
	}
}

static const char *
server_addr(int family)
{
	return family == 4 ? "203.0.113.53" : "2001:db8:53::53";
}

/* Router n (1: r1, 2: r2) of the lab, as a string. */
static const char *
router(int family, int n)
{
	if (family == 4)
		return n == 1 ? "192.0.2.1" : "198.51.100.2";
	return n == 1 ? "2001:db8:1::1" : "2001:db8:12::2";
}

static struct ep_probe_record *
probe(enum ep_transport tr, enum ep_role role, enum ep_subject subj)
{
	struct ep_probe_record *r = &target.probes[target.nprobes];

	memset(r, 0, sizeof(*r));
	r->spec.id = ++target.nprobes;
	r->spec.transport = tr;
	r->spec.role = role;
	r->spec.subject = subj;
	r->spec.qtype = 6;
	r->res.tries = 1;
	r->res.rtt_ms = -1;
	r->res.connect_ms = -1;
	r->res.outcome = EP_OUT_TIMEOUT;
	return r;
}

/* r got an answer; the capture saw it arrive with ttl (0: not seen). */
static void
answer(struct ep_probe_record *r, int ttl)
{
	r->res.outcome = EP_OUT_ANSWER;
	r->res.rtt_ms = 0.2;
	r->res.reply.length = 90;
	r->res.reply.flags = EP_DNS_QR;
	r->res.reply.opt_count = r->spec.edns;
	r->res.connected = r->spec.transport == EP_TCP;
	r->wire.queries = 1;
	r->wire.frames[r->wire.nframes++] = ++frame_no;
	if (ttl == 0)
		return;
	r->wire.replies++;
	r->wire.frames[r->wire.nframes++] = ++frame_no;
	r->wire.reply_ttl.ttl[r->wire.reply_ttl.n] = (uint8_t)ttl;
	r->wire.reply_ttl.frame[r->wire.reply_ttl.n++] = frame_no;
}

/* A TCP probe reset: its SYN (connected 0) or later, at ttl. */
static void
reset(struct ep_probe_record *r, int ttl, int connected)
{
	r->res.outcome = EP_OUT_RESET;
	r->res.connected = connected;
	r->wire.frames[r->wire.nframes++] = ++frame_no;
	r->wire.frames[r->wire.nframes++] = ++frame_no;
	r->wire.reset_ttl.ttl[0] = (uint8_t)ttl;
	r->wire.reset_ttl.frame[0] = frame_no;
	r->wire.reset_ttl.n = 1;
}

/* The ICMP error r got: type/code from `from` at ttl, in the capture. */
static void
icmp(struct ep_probe_record *r, int type, int code, const char *from,
    int ttl)
{
	r->res.outcome = EP_OUT_ICMP;
	r->res.icmp_type = type;
	r->res.icmp_code = code;
	addr(target.family, from, &r->res.icmp_from, NULL);
	r->wire.frames[r->wire.nframes++] = ++frame_no;
	r->wire.frames[r->wire.nframes++] = ++frame_no;
	r->wire.icmp.family = target.family;
	r->wire.icmp.type = (uint8_t)type;
	r->wire.icmp.code = (uint8_t)code;
	r->wire.icmp.ttl = (uint8_t)ttl;
	r->wire.icmp.frame = frame_no;
	addr(target.family, from, &(struct sockaddr_storage){ 0 },
	    r->wire.icmp.from);
}

/*
 * The lab's path: r1, r2, the server at hop 3 (answers arrive with TTL
 * 62).  Baselines over UDP answered at ans_ttl, a TCP baseline (its
 * outcome left to the test), and with ladder the TTL probes: Time
 * Exceeded from r1 and r2, answered at server_hop (the ladder's count).
 */
static struct ep_probe_record *
path(int family, int ans_ttl, int ladder, int server_hop)
{
	struct ep_probe_record *r, *tcp;

	ep_target_fini(&target);
	memset(&target, 0, sizeof(target));
	frame_no = 0;
	target.family = family;
	target.capture = 1;
	target.timeout_ms = 1000;
	target.base_rtt_ms = 0.2;
	target.path.iface_mtu = 1500;
	addr(family, server_addr(family), &target.addr, NULL);
	snprintf(target.addr_str, sizeof(target.addr_str), "%s",
	    server_addr(family));
	answer(probe(EP_UDP, EP_ROLE_BASE, EP_SUBJ_SMALL), ans_ttl);
	r = probe(EP_UDP, EP_ROLE_BASE, EP_SUBJ_SMALL);
	r->spec.edns = 1;
	r->spec.bufsize = 1232;
	answer(r, ans_ttl);
	tcp = probe(EP_TCP, EP_ROLE_BASE, EP_SUBJ_SMALL);
	for (int ttl = 1; ladder && ttl <= server_hop; ttl++) {
		r = probe(EP_RAW, EP_ROLE_HOP, EP_SUBJ_SMALL);
		r->spec.raw = EP_RAW_WHOLE;
		r->spec.ttl = (uint8_t)ttl;
		if (ttl == server_hop)
			answer(r, ans_ttl);
		else if (ttl <= 2)
			icmp(r, family == 4 ? 11 : 3, 0, router(family, ttl),
			    65 - ttl);
		/* hops beyond r2 (asymmetric paths): silent */
	}
	return tcp;
}

static const struct ep_finding *
finding(const char *id)
{
	for (int i = 0; i < target.nfindings; i++)
		if (strcmp(ep_finding_name(target.findings[i].id), id) == 0) {
			/* Every finding cites evidence and gives advice. */
			assert_true(target.findings[i].nprobes > 0);
			assert_true(target.findings[i].nframes > 0);
			assert_true(target.findings[i].advice[0] != '\0');
			return &target.findings[i];
		}
	return NULL;
}

static int
cites(const struct ep_finding *f, int probe_id, uint32_t frame)
{
	int p = probe_id == 0, fr = frame == 0;

	for (int i = 0; i < f->nprobes; i++)
		p |= f->probes[i] == probe_id;
	for (int i = 0; i < f->nframes; i++)
		fr |= f->frames[i] == frame;
	return p && fr;
}

static const struct ep_drop *
drop(const char *what)
{
	for (int i = 0; i < target.path.ndrops; i++)
		if (strcmp(target.path.drops[i].what, what) == 0)
			return &target.path.drops[i];
	return NULL;
}

static int
forged_findings(void)
{
	return (finding("TCP_RESET_FORGED") != NULL) +
	    (finding("ICMP_FORGED") != NULL) +
	    (finding("ANSWER_FORGED") != NULL);
}

/* 64, 128, 255: the smallest not below the TTL seen. */
static void
test_ttl_inference(void **state)
{
	static const struct { int ttl, initial, crossed; } cases[] = {
		{ 64, 64, 0 }, { 63, 64, 1 }, { 62, 64, 2 }, { 1, 64, 63 },
		{ 65, 128, 63 }, { 127, 128, 1 }, { 128, 128, 0 },
		{ 129, 255, 126 }, { 250, 255, 5 }, { 255, 255, 0 },
		{ 0, 0, -1 }, { 256, 0, -1 }, { -1, 0, -1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(ep_ttl_initial(cases[i].ttl),
		    cases[i].initial);
		assert_int_equal(ep_ttl_crossed(cases[i].ttl),
		    cases[i].crossed);
	}
}

/*
 * The lab's tcp-reset: r2 answers the SYNs with resets in the server's
 * name (TTL 63: one router crossed), the server's answers 62: hop 2,
 * named from the ladder; the SYN's drop_hop entry.  Both families.
 */
static void
test_reset_forged(void **state)
{
	(void)state;
	for (int fam = 4; fam <= 6; fam += 2) {
		struct ep_probe_record *tcp = path(fam, 62, 1, 3);
		const struct ep_finding *f;
		const struct ep_drop *d;
		char want[256];

		reset(tcp, 63, 0);
		ep_verdict(&target);
		assert_int_equal(target.path.server_ttl, 3);
		assert_non_null(finding("TCP_RESET"));
		assert_non_null(f = finding("TCP_RESET_FORGED"));
		snprintf(want, sizeof(want), "TCP/53 resets come from hop 2 "
		    "(%s), not from the server 3 hops away: their %s 63 says "
		    "1 router crossed, the server's answers 62 say 2",
		    router(fam, 2), fam == 4 ? "TTL" : "hop limit");
		assert_string_equal(f->summary, want);
		/* The reset and its frame, the answer compared with, the
		 * TTL probe that named r2 (probe 5: TTL 2). */
		assert_true(cites(f, tcp->spec.id,
		    tcp->wire.reset_ttl.frame[0]));
		assert_true(cites(f, 1,
		    target.probes[0].wire.reply_ttl.frame[0]));
		assert_true(cites(f, 5, 0));
		assert_non_null(d = drop("tcp-syn"));
		assert_int_equal(d->dir, EP_DROP_OUT);
		assert_int_equal(d->ttl, 3);
		assert_string_equal(d->addr, router(fam, 2));
		assert_null(finding("ANSWER_FORGED"));
		assert_null(finding("ICMP_FORGED"));
	}
}

/* A reset with the server's own distance is the server's; a reset at the
 * server's distance with another initial TTL (128 - 2) too. */
static void
test_reset_by_server(void **state)
{
	static const int ttls[] = { 62, 126 };

	(void)state;
	for (size_t i = 0; i < sizeof(ttls) / sizeof(ttls[0]); i++) {
		reset(path(4, 62, 1, 3), ttls[i], 0);
		ep_verdict(&target);
		assert_non_null(finding("TCP_RESET"));
		assert_int_equal(forged_findings(), 0);
		assert_null(drop("tcp-syn"));
	}
}

/* A reset injected after the connection (the query seen): forged, but
 * the SYN passed: no drop_hop entry. */
static void
test_reset_injected(void **state)
{
	(void)state;
	reset(path(6, 62, 1, 3), 63, 1);
	ep_verdict(&target);
	assert_non_null(finding("TCP_RESET_FORGED"));
	assert_null(drop("tcp-syn"));
}

/*
 * Without the TTL ladder (no raw sockets) the hop is counted from the
 * TTLs alone: named by number, no address, no drop_hop (the way out is
 * not measured).  With a ladder that puts the server farther than its
 * answers do (routes differ by direction), or TTL probes none of which
 * was answered: the same, each advice saying why.
 */
static void
test_reset_unnamed(void **state)
{
	const struct ep_finding *f;

	(void)state;
	reset(path(4, 62, 0, 0), 63, 0);
	ep_verdict(&target);
	assert_int_equal(target.path.server_ttl, 0);
	assert_non_null(f = finding("TCP_RESET_FORGED"));
	assert_non_null(strstr(f->summary, "come from hop 2, not from the "
	    "server 3 hops away"));
	assert_non_null(strstr(f->advice, "traceroute"));
	assert_null(drop("tcp-syn"));

	reset(path(4, 62, 1, 4), 63, 0);
	ep_verdict(&target);
	assert_int_equal(target.path.server_ttl, 4);
	assert_non_null(f = finding("TCP_RESET_FORGED"));
	assert_non_null(strstr(f->summary, "come from hop 2, not from the "
	    "server 3 hops away"));
	assert_non_null(strstr(f->advice, "differ by direction"));
	assert_null(drop("tcp-syn"));

	/* TTL probes that ran but were never answered: no count out. */
	reset(path(4, 62, 1, 3), 63, 0);
	target.probes[target.nprobes - 1].res.outcome = EP_OUT_TIMEOUT;
	target.probes[target.nprobes - 1].wire.reply_ttl.n = 0;
	ep_verdict(&target);
	assert_int_equal(target.path.server_ttl, 0);
	assert_non_null(f = finding("TCP_RESET_FORGED"));
	assert_non_null(strstr(f->advice, "No TTL probe was answered"));
	assert_null(drop("tcp-syn"));
}

/* No capture, or one that missed frames: nothing judged. */
static void
test_no_capture(void **state)
{
	static const int caps[] = { 0, -1 };

	(void)state;
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		reset(path(4, 62, 1, 3), 63, 0);
		target.capture = caps[i];
		ep_verdict(&target);
		assert_non_null(finding("TCP_RESET"));
		assert_int_equal(forged_findings(), 0);
		assert_null(drop("tcp-syn"));
	}
}

/*
 * A clean path (LARGE_UNTESTED aside: these answers are small), and one
 * with random loss (some probes timed out, some answers seen by the
 * socket but not the capture): every answer crosses the same routers,
 * nothing is forged.  Answers at 62 and at 126 (a
 * server whose TCP uses 128) are both 2 routers away.
 */
static void
test_clean_and_loss(void **state)
{
	struct ep_probe_record *tcp;

	(void)state;
	for (int fam = 4; fam <= 6; fam += 2) {
		answer(path(fam, 62, 1, 3), 62);
		ep_verdict(&target);
		assert_int_equal(ep_verdict_worst(&target), EP_SEV_INFO);
		assert_int_equal(forged_findings(), 0);

		tcp = path(fam, 62, 1, 3);
		answer(tcp, 126);
		target.probes[0].res.outcome = EP_OUT_TIMEOUT;	/* lost */
		target.probes[0].wire.reply_ttl.n = 0;
		target.probes[1].wire.reply_ttl.n = 0;	/* not captured */
		ep_verdict(&target);
		assert_int_equal(forged_findings(), 0);
	}
}

/*
 * An answer injected before the server's own (two TTLs on one probe),
 * and a box answering a whole probe alone: ANSWER_FORGED at hop 2,
 * citing both probes and the forged frames; not the server's answers.
 */
static void
test_answer_forged(void **state)
{
	struct ep_probe_record *r, *tcp;
	const struct ep_finding *f;

	(void)state;
	for (int fam = 4; fam <= 6; fam += 2) {
		char want[200];

		tcp = path(fam, 62, 1, 3);
		answer(tcp, 62);
		r = &target.probes[1];
		r->wire.reply_ttl.ttl[0] = 63;	/* the injected one first */
		r->wire.reply_ttl.ttl[1] = 62;
		r->wire.reply_ttl.frame[1] = ++frame_no;
		r->wire.reply_ttl.n = 2;
		target.probes[0].wire.reply_ttl.ttl[0] = 63;
		ep_verdict(&target);
		assert_non_null(f = finding("ANSWER_FORGED"));
		snprintf(want, sizeof(want), "DNS answers to 2 probes come "
		    "from hop 2 (%s), not from the server 3 hops away",
		    router(fam, 2));
		assert_non_null(strstr(f->summary, want));
		assert_true(cites(f, 1,
		    target.probes[0].wire.reply_ttl.frame[0]));
		assert_true(cites(f, 2, r->wire.reply_ttl.frame[0]));
		assert_int_equal(f->severity, EP_SEV_WARNING);
		assert_null(finding("TCP_RESET_FORGED"));
		assert_null(finding("ICMP_FORGED"));
	}
}

/*
 * A box at hop 2 that answers every UDP query (TTL 63) answers the TTL
 * probes that reach it too: the ladder ends at hop 2, TCP reaches the
 * server (62, hop 3).  The box is hop 2, with no address (it sent no Time
 * Exceeded), and the summary says why the ladder ends there.
 */
static void
test_answer_forged_box(void **state)
{
	const struct ep_finding *f;

	(void)state;
	answer(path(4, 63, 1, 2), 62);
	ep_verdict(&target);
	assert_int_equal(target.path.server_ttl, 2);
	assert_non_null(f = finding("ANSWER_FORGED"));
	assert_string_equal(f->summary, "DNS answers to 3 probes come from "
	    "hop 2, not from the server 3 hops away: their TTL 63 says 1 "
	    "router crossed, the server's other answers 62 say 2; the TTL "
	    "probes are answered there too");
	assert_non_null(strstr(f->advice, "The TTL probes end at that hop "
	    "too"));
	assert_true(cites(f, 3, target.probes[2].wire.reply_ttl.frame[0]));
	assert_int_equal(forged_findings(), 1);
}

/*
 * ICMP port unreachable in the server's name: from hop 2 (TTL 63),
 * forged; from the server's distance (TTL 62, or 254 from a stack that
 * starts ICMP at 255), its own; from a router's own address, not in the
 * server's name at all.
 */
static void
test_icmp_forged(void **state)
{
	static const struct { int ttl; int by_router, forged; } cases[] = {
		{ 63, 0, 1 }, { 62, 0, 0 }, { 253, 0, 0 }, { 63, 1, 0 },
		{ 61, 0, 1 },
	};

	(void)state;
	for (int fam = 4; fam <= 6; fam += 2)
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct ep_probe_record *tcp = path(fam, 62, 1, 3), *r;
			const struct ep_finding *f;

			answer(tcp, 62);
			r = probe(EP_UDP, EP_ROLE_LADDER, EP_SUBJ_LARGE);
			r->spec.edns = 1;
			r->spec.bufsize = 4096;
			icmp(r, fam == 4 ? 3 : 1, fam == 4 ? 3 : 4,
			    cases[i].by_router ? router(fam, 2) :
			    server_addr(fam), cases[i].ttl);
			ep_verdict(&target);
			f = finding("ICMP_FORGED");
			assert_int_equal(f != NULL, cases[i].forged);
			assert_null(finding("TCP_RESET_FORGED"));
			assert_null(finding("ANSWER_FORGED"));
			if (f == NULL)
				continue;
			assert_true(cites(f, r->spec.id, r->wire.icmp.frame));
			if (cases[i].ttl == 63) {
				char want[80];

				snprintf(want, sizeof(want), "come from hop 2 "
				    "(%s)", router(fam, 2));
				assert_non_null(strstr(f->summary, want));
			} else
				assert_non_null(strstr(f->summary,
				    "are not the server's"));
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ttl_inference),
		cmocka_unit_test(test_reset_forged),
		cmocka_unit_test(test_reset_by_server),
		cmocka_unit_test(test_reset_injected),
		cmocka_unit_test(test_reset_unnamed),
		cmocka_unit_test(test_no_capture),
		cmocka_unit_test(test_clean_and_loss),
		cmocka_unit_test(test_answer_forged),
		cmocka_unit_test(test_answer_forged_box),
		cmocka_unit_test(test_icmp_forged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
