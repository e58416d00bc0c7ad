/* tests/unit/test_exthdr.c: the IPv6 extension header measurement
 * (probe/measure/exthdr.c): its plan, and its verdict on simulated
 * results of the real plan. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/options.h"
#include "measure/measures.h"
#include "measure/plan.h"
#include "measure/verdict.h"

static struct ep_target target;
static struct ep_options opts;

/* The path's plan of sizes, fragout, hops and exthdr for family, with
 * --max-hops 4. */
static void
plan(int family)
{
	char a0[] = "ednsprobe", a1[] = "path", a2[] = "@2001:db8::53",
	    a3[] = "probe.test", a4[] = "--max-hops=4";
	char *argv[] = { a0, a1, a2, a3, a4, NULL };
	struct ep_measure_set set;
	struct ep_err err;
	int id = 1;

	assert_int_equal(ep_options_parse(5, argv, &opts, &err), 0);
	ep_target_fini(&target);
	memset(&target, 0, sizeof(target));
	target.family = family;
	target.path.iface_mtu = 1500;
	target.timeout_ms = 1000;
	snprintf(target.addr_str, sizeof(target.addr_str), "2001:db8::53");
	assert_int_equal(ep_measures_named("sizes,fragout,hops,exthdr", &set),
	    0);
	assert_int_equal(ep_measure_plan(&set, &opts, &target, &id, &err), 0);
}

static void
answer(struct ep_probe_record *r)
{
	r->res.outcome = EP_OUT_ANSWER;
	r->res.tries = 1;
	r->res.rtt_ms = 0.3;
	r->res.reply.length = 90;
	r->res.reply.flags = EP_DNS_QR;
	r->res.reply.opt_count = r->spec.edns;
}

static void
lost(struct ep_probe_record *r)
{
	r->res.outcome = EP_OUT_TIMEOUT;
	r->res.tries = 3;
}

static void
time_exceeded(struct ep_probe_record *r)
{
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)&r->res.icmp_from;

	r->res.outcome = EP_OUT_ICMP;
	r->res.tries = 1;
	r->res.icmp_type = 3;
	a->sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:12::2", &a->sin6_addr);
}

/* A clean path: every probe answered, TTL probes by hop 3 (the server),
 * skipped past it. */
static void
simulate_clean(void)
{
	for (int i = 0; i < target.nprobes; i++) {
		struct ep_probe_record *r = &target.probes[i];

		if (r->spec.role != EP_ROLE_HOP || r->spec.ttl == 3)
			answer(r);
		else if (r->spec.ttl < 3)
			time_exceeded(r);
		else
			r->res.outcome = EP_OUT_SKIPPED;
	}
}

/* The extension header probes of kind eh (0: all), in plan order. */
static int
eh_probes(uint8_t eh, struct ep_probe_record **out)
{
	int n = 0;

	for (int i = 0; i < target.nprobes; i++)
		if (target.probes[i].spec.role == EP_ROLE_EH &&
		    (eh == 0 || target.probes[i].spec.eh == eh))
			out[n++] = &target.probes[i];
	return n;
}

static const struct ep_finding *
finding(enum ep_finding_id id)
{
	for (int i = 0; i < target.nfindings; i++)
		if (target.findings[i].id == id)
			return &target.findings[i];
	return NULL;
}

/* Findings above info (the simulation's small answers leave the large
 * one untested: LARGE_UNTESTED, info). */
static int
warnings(void)
{
	int n = 0;

	for (int i = 0; i < target.nfindings; i++)
		n += target.findings[i].severity != EP_SEV_INFO;
	return n;
}

/* f's summary holds text (out of line: GCC 12 misreads the inlined
 * pointer into target.findings as a zero-sized region). */
static __attribute__((noinline)) int
says(const struct ep_finding *f, const char *text)
{
	return strstr(f->summary, text) != NULL;
}

static int
cites(const struct ep_finding *f, int id)
{
	for (int i = 0; i < f->nprobes; i++)
		if (f->probes[i] == id)
			return 1;
	return 0;
}

/* Two per kind, interleaved, after every other probe of the plan: small
 * SOA queries without EDNS in one raw packet; none for IPv4. */
static void
test_plan(void **state)
{
	struct ep_probe_record *p[8];

	(void)state;
	plan(6);
	assert_int_equal(eh_probes(0, p), 4);
	assert_int_equal(p[0]->spec.eh, EP_EH_DST);
	assert_int_equal(p[1]->spec.eh, EP_EH_HBH);
	assert_int_equal(p[2]->spec.eh, EP_EH_DST);
	assert_int_equal(p[3]->spec.eh, EP_EH_HBH);
	assert_ptr_equal(p[3], &target.probes[target.nprobes - 1]);
	assert_ptr_equal(p[0], &target.probes[target.nprobes - 4]);
	for (int i = 0; i < 4; i++) {
		const struct ep_probe_spec *s = &p[i]->spec;

		assert_int_equal(s->transport, EP_RAW);
		assert_int_equal(s->raw, EP_RAW_WHOLE);
		assert_int_equal(s->qtype, 6);
		assert_false(s->edns);
		assert_int_equal(s->ttl, 0);
		assert_int_equal(s->msg_len, 0);
		/* 40 + 8 + UDP 8 + DNS 12 + probe.test (12) + 4. */
		assert_int_equal(s->ip_size, 84);
	}
	plan(4);
	assert_int_equal(eh_probes(0, p), 0);
	simulate_clean();
	ep_verdict(&target);
	assert_int_equal(target.path.eh_dst, EP_FACT_UNTESTED);
	assert_int_equal(target.path.eh_hbh, EP_FACT_UNTESTED);
	assert_string_equal(ep_fact_str("ext_headers", target.path.eh_dst),
	    "untested");
}

/* The plan helper the hops module will use: IPv6 only, any kinds. */
static void
test_plan_helper(void **state)
{
	struct ep_probe_spec *s;
	int id = 500, n;

	(void)state;
	plan(6);
	n = target.nprobes;
	s = ep_plan_add_eh(&target, &id, EP_ROLE_HOP, EP_EH_HBH | EP_EH_DST,
	    &opts);
	assert_non_null(s);
	assert_int_equal(s->id, 500);
	assert_int_equal(s->role, EP_ROLE_HOP);
	assert_int_equal(s->ip_size, 92);
	assert_int_equal(target.nprobes, n + 1);
	assert_null(ep_plan_add_eh(&target, &id, EP_ROLE_EH, 0, &opts));
	target.family = 4;
	assert_null(ep_plan_add_eh(&target, &id, EP_ROLE_EH, EP_EH_DST,
	    &opts));
	assert_int_equal(target.nprobes, n + 1);
}

static void
test_clean(void **state)
{
	(void)state;
	plan(6);
	simulate_clean();
	ep_verdict(&target);
	assert_int_equal(target.path.eh_dst, EP_FACT_OK);
	assert_int_equal(target.path.eh_hbh, EP_FACT_OK);
	assert_string_equal(ep_fact_str("ext_headers", EP_FACT_OK), "pass");
	assert_int_equal(warnings(), 0);
}

/* Both kinds lost: one finding naming both, citing the four and the
 * answered plain query (the small TTL probe at the server). */
static void
test_both_dropped(void **state)
{
	struct ep_probe_record *p[8];
	const struct ep_finding *f;
	int n;

	(void)state;
	plan(6);
	simulate_clean();
	n = eh_probes(0, p);
	for (int i = 0; i < n; i++)
		lost(p[i]);
	ep_verdict(&target);
	assert_int_equal(target.path.eh_dst, EP_FACT_DROPPED);
	assert_int_equal(target.path.eh_hbh, EP_FACT_DROPPED);
	assert_string_equal(ep_fact_str("ext_headers", EP_FACT_DROPPED),
	    "drop");
	assert_int_equal(warnings(), 1);
	if ((f = finding(EP_F_EH_DROPPED)) == NULL)
		fail_msg("no EH_DROPPED");
	assert_int_equal(f->severity, EP_SEV_WARNING);
	assert_true(says(f, "Destination Options or a "
	    "Hop-by-Hop Options header"));
	assert_true(says(f, "3 tries"));
	for (int i = 0; i < n; i++)
		assert_true(cites(f, p[i]->spec.id));
	assert_int_equal(f->nprobes, 5);
	for (int i = 0; i < target.nprobes; i++) {
		const struct ep_probe_spec *s = &target.probes[i].spec;

		if (s->role == EP_ROLE_HOP && s->ttl == 3 && !s->edns)
			assert_true(cites(f, s->id));
	}
}

/* Hop-by-Hop only: Destination Options pass and are not named. */
static void
test_hbh_dropped(void **state)
{
	struct ep_probe_record *p[8];
	const struct ep_finding *f;

	(void)state;
	plan(6);
	simulate_clean();
	for (int i = 0, n = eh_probes(EP_EH_HBH, p); i < n; i++)
		lost(p[i]);
	ep_verdict(&target);
	assert_int_equal(target.path.eh_dst, EP_FACT_OK);
	assert_int_equal(target.path.eh_hbh, EP_FACT_DROPPED);
	if ((f = finding(EP_F_EH_DROPPED)) == NULL)
		fail_msg("no EH_DROPPED");
	assert_true(says(f, "a Hop-by-Hop Options header"));
	assert_false(says(f, "Destination"));
	assert_int_equal(f->nprobes, 3);
	assert_true(cites(f, p[0]->spec.id) && cites(f, p[1]->spec.id));
	eh_probes(EP_EH_DST, p);
	assert_false(cites(f, p[0]->spec.id) || cites(f, p[1]->spec.id));
}

/* Random loss: one twin of each kind lost is no fault. */
static void
test_one_lost_twin_is_not_a_finding(void **state)
{
	struct ep_probe_record *p[8];

	(void)state;
	plan(6);
	simulate_clean();
	eh_probes(0, p);
	lost(p[0]);
	lost(p[3]);
	ep_verdict(&target);
	assert_int_equal(target.path.eh_dst, EP_FACT_OK);
	assert_int_equal(target.path.eh_hbh, EP_FACT_OK);
	assert_null(finding(EP_F_EH_DROPPED));
}

/* A Parameter Problem about the Destination Options queries: dropped,
 * and the finding says who sent what. */
static void
test_parameter_problem(void **state)
{
	struct ep_probe_record *p[8];
	const struct ep_finding *f;
	int n = 0;

	(void)state;
	plan(6);
	simulate_clean();
	n = eh_probes(EP_EH_DST, p);
	for (int i = 0; i < n; i++) {
		time_exceeded(p[i]);
		p[i]->res.icmp_type = 4;
		p[i]->res.icmp_code = 1;
	}
	ep_verdict(&target);
	assert_int_equal(target.path.eh_dst, EP_FACT_DROPPED);
	assert_int_equal(target.path.eh_hbh, EP_FACT_OK);
	if ((f = finding(EP_F_EH_DROPPED)) == NULL)
		fail_msg("no EH_DROPPED");
	assert_true(says(f, "2001:db8:12::2 sent ICMPv6 "
	    "Parameter Problem (type 4 code 1)"));
}

/* Without a raw query answered that carried no header, a loss proves
 * nothing about the headers: untested.  Nor when a probe did not run. */
static void
test_untested(void **state)
{
	struct ep_probe_record *p[8];
	int n;

	(void)state;
	plan(6);
	simulate_clean();
	for (int i = 0; i < target.nprobes; i++)
		if (target.probes[i].spec.transport == EP_RAW)
			lost(&target.probes[i]);
	ep_verdict(&target);
	assert_int_equal(target.path.eh_dst, EP_FACT_UNTESTED);
	assert_int_equal(target.path.eh_hbh, EP_FACT_UNTESTED);
	assert_null(finding(EP_F_EH_DROPPED));

	plan(6);
	simulate_clean();
	n = eh_probes(EP_EH_DST, p);
	lost(p[0]);
	p[1]->res.outcome = EP_OUT_INTERRUPTED;
	(void)n;
	ep_verdict(&target);
	assert_int_equal(target.path.eh_dst, EP_FACT_UNTESTED);
	assert_null(finding(EP_F_EH_DROPPED));
}

/* analyze: a raw query behind a header is this module's, not the
 * outbound fragment test's; a TTL-limited one is the hops module's. */
static void
test_identify(void **state)
{
	struct ep_measure_set set;
	struct ep_probe_spec s;

	(void)state;
	assert_int_equal(ep_measures_named("fragout,hops,exthdr", &set), 0);
	memset(&s, 0, sizeof(s));
	s.transport = EP_RAW;
	s.raw = EP_RAW_WHOLE;
	s.eh = EP_EH_DST;
	s.role = EP_ROLE_NONE;
	assert_int_equal(set.m[0]->identify(NULL, &s), 0);	/* fragout */
	assert_int_equal(set.m[1]->identify(NULL, &s), 0);	/* hops */
	assert_int_equal(set.m[2]->identify(NULL, &s), 1);
	assert_int_equal(s.role, EP_ROLE_EH);
	memset(&s, 0, sizeof(s));
	s.transport = EP_RAW;
	s.raw = EP_RAW_WHOLE;
	s.eh = EP_EH_HBH;
	s.ttl = 2;
	assert_int_equal(set.m[2]->identify(NULL, &s), 0);
	assert_int_equal(set.m[1]->identify(NULL, &s), 1);
	memset(&s, 0, sizeof(s));
	s.transport = EP_RAW;
	s.raw = EP_RAW_WHOLE;
	assert_int_equal(set.m[2]->identify(NULL, &s), 0);
	assert_int_equal(set.m[0]->identify(NULL, &s), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_plan_helper),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_both_dropped),
		cmocka_unit_test(test_hbh_dropped),
		cmocka_unit_test(test_one_lost_twin_is_not_a_finding),
		cmocka_unit_test(test_parameter_problem),
		cmocka_unit_test(test_untested),
		cmocka_unit_test(test_identify),
	};

	return cmocka_run_group_tests_name("exthdr", tests, NULL, NULL);
}
