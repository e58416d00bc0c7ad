/* tests/unit/test_resolver.c: where the resolver command says a failure
 * lies, from the probes of a resolver target and of an authoritative
 * target (results written here as the probes would have them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "measure/finding.h"
#include "cmd/resolver.h"

static struct ep_target tg[2];
static struct ep_report r;

/* A large probe of t: transport tr, outcome, rcode, RRSIG, AD. */
static void
large(struct ep_target *t, enum ep_transport tr, enum ep_outcome out,
    int rcode, int rrsig, int ad)
{
	struct ep_probe_record *p = &t->probes[t->nprobes];

	memset(p, 0, sizeof(*p));
	p->spec.id = t->nprobes + 1;
	p->spec.transport = tr;
	p->spec.role = tr == EP_TCP ? EP_ROLE_TCPSIZE : EP_ROLE_LADDER;
	p->spec.subject = EP_SUBJ_LARGE;
	p->res.outcome = out;
	p->res.reply.rcode = (uint16_t)rcode;
	p->res.reply.an_rrsig = rrsig;
	p->res.reply.flags = ad ? EP_DNS_AD : 0;
	t->nprobes++;
}

static void
setup(void)
{
	memset(tg, 0, sizeof(tg));
	memset(&r, 0, sizeof(r));
	tg[0].role = EP_ROLE_RESOLVER;
	tg[0].base_rtt_ms = 1;
	snprintf(tg[0].name, sizeof(tg[0].name), "probe.test");
	snprintf(tg[0].addr_str, sizeof(tg[0].addr_str), "192.0.2.153");
	tg[1].role = EP_ROLE_AUTH;
	tg[1].base_rtt_ms = 1;
	snprintf(tg[1].addr_str, sizeof(tg[1].addr_str), "203.0.113.53");
	r.targets = tg;
	r.ntargets = 2;
}

static int
found(const struct ep_target *t, const char *id)
{
	for (int i = 0; i < t->nfindings; i++)
		if (strcmp(ep_finding_name(t->findings[i].id), id) == 0)
			return 1;
	return 0;
}

static void
test_upstream_fails(void **state)
{
	(void)state;
	setup();
	large(&tg[0], EP_UDP, EP_OUT_ANSWER, 2, 0, 0);
	large(&tg[0], EP_UDP, EP_OUT_TIMEOUT, 0, 0, 0);
	large(&tg[0], EP_TCP, EP_OUT_ANSWER, 2, 0, 0);
	large(&tg[1], EP_UDP, EP_OUT_ANSWER, 0, 1, 0);
	ep_resolver_verdict(&r, NULL);
	assert_true(found(&tg[0], "RESOLVER_UPSTREAM_FAILS"));
	assert_non_null(strstr(tg[0].findings[0].summary, "2 SERVFAIL"));
	assert_int_equal(tg[0].findings[0].nprobes, 3);
	assert_int_equal(tg[1].nfindings, 0);	/* auth targets: none */
	/* The servers fail us too: nothing to put behind the resolver. */
	setup();
	large(&tg[0], EP_UDP, EP_OUT_ANSWER, 2, 0, 0);
	large(&tg[1], EP_UDP, EP_OUT_TIMEOUT, 0, 0, 0);
	ep_resolver_verdict(&r, NULL);
	assert_false(found(&tg[0], "RESOLVER_UPSTREAM_FAILS"));
	/* Silent for NAME altogether, but alive (discovery with CD). */
	setup();
	tg[0].base_rtt_ms = -1;
	large(&tg[0], EP_UDP, EP_OUT_TIMEOUT, 0, 0, 0);
	large(&tg[1], EP_TCP, EP_OUT_ANSWER, 0, 0, 0);
	ep_resolver_verdict(&r, NULL);
	assert_false(found(&tg[0], "RESOLVER_UPSTREAM_FAILS"));
	tg[0].alive = 1;
	ep_resolver_verdict(&r, NULL);
	assert_true(found(&tg[0], "RESOLVER_UPSTREAM_FAILS"));
}

static void
test_path_loses_and_copes(void **state)
{
	(void)state;
	setup();
	large(&tg[0], EP_UDP, EP_OUT_TIMEOUT, 0, 0, 0);
	large(&tg[0], EP_TCP, EP_OUT_ANSWER, 0, 0, 0);
	ep_finding_add(&tg[0], EP_F_FRAG_IN_DROPPED, "x");
	ep_resolver_verdict(&r, NULL);
	assert_true(found(&tg[0], "RESOLVER_PATH_LOSES"));
	assert_false(found(&tg[0], "RESOLVER_UPSTREAM_FAILS"));
	setup();
	large(&tg[0], EP_UDP, EP_OUT_ANSWER, 0, 0, 0);
	large(&tg[1], EP_UDP, EP_OUT_TIMEOUT, 0, 0, 0);
	large(&tg[1], EP_TCP, EP_OUT_ANSWER, 0, 0, 0);
	ep_finding_add(&tg[1], EP_F_FRAG_IN_DROPPED, "x");
	ep_resolver_verdict(&r, NULL);
	assert_true(found(&tg[0], "RESOLVER_COPES"));
	assert_non_null(strstr(tg[0].findings[0].summary, "203.0.113.53"));
}

static void
test_do_and_ad(void **state)
{
	(void)state;
	setup();
	large(&tg[0], EP_UDP, EP_OUT_ANSWER, 0, 0, 0);
	large(&tg[1], EP_UDP, EP_OUT_ANSWER, 0, 1, 0);
	ep_resolver_verdict(&r, NULL);
	assert_true(found(&tg[0], "RESOLVER_NO_DO"));
	setup();
	large(&tg[0], EP_UDP, EP_OUT_ANSWER, 0, 1, 0);
	large(&tg[1], EP_UDP, EP_OUT_ANSWER, 0, 1, 0);
	ep_resolver_verdict(&r, NULL);
	assert_true(found(&tg[0], "RESOLVER_NOT_VALIDATING"));
	setup();
	large(&tg[0], EP_UDP, EP_OUT_ANSWER, 0, 1, 1);
	large(&tg[1], EP_UDP, EP_OUT_ANSWER, 0, 1, 0);
	ep_resolver_verdict(&r, NULL);
	assert_int_equal(tg[0].nfindings, 0);
	/* Unsigned zone: DO and AD are not judged. */
	setup();
	large(&tg[0], EP_UDP, EP_OUT_ANSWER, 0, 0, 0);
	large(&tg[1], EP_UDP, EP_OUT_ANSWER, 0, 0, 0);
	ep_resolver_verdict(&r, NULL);
	assert_int_equal(tg[0].nfindings, 0);
}

static void
test_no_comparison(void **state)
{
	(void)state;
	setup();
	r.ntargets = 1;
	large(&tg[0], EP_UDP, EP_OUT_ANSWER, 2, 0, 0);
	ep_resolver_verdict(&r, "no NS came back");
	assert_true(found(&tg[0], "RESOLVER_NO_COMPARISON"));
	assert_false(found(&tg[0], "RESOLVER_UPSTREAM_FAILS"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upstream_fails),
		cmocka_unit_test(test_path_loses_and_copes),
		cmocka_unit_test(test_do_and_ad),
		cmocka_unit_test(test_no_comparison),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
