/* tests/unit/test_comply.c: EDNS compliance verdicts (probe/measure/comply.c)
 * from simulated servers: the real plan and follow-ups, each probe's
 * reply what a server with these faults would send.  The lab tests do the
 * same against real servers and the hostile one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "measure/comply.h"
#include "cmd/options.h"
#include "measure/measures.h"
#include "measure/plan.h"
#include "measure/verdict.h"

/* A simulated server (and path): every fault off is RFC-compliant. */
struct server {
	int	dead;
	int	resolver;	/* RA, no AA, RD copied */
	int	tc_udp;		/* every UDP answer TC, empty */
	int	wrong_id_udp;	/* UDP replies with another id only */
	int	edns1_ignored;	/* answers version 1 as version 0 */
	int	opt_echo;	/* echoes the query's options */
	int	flags_echo;	/* echoes the EDNS flags */
	int	no_aa;
	int	big512;		/* ignores a 512-byte buffer */
	int	cookies;	/* RFC 7873 server */
	int	path_drops_opts;	/* UDP queries with options die */
	int	server_drops_opts;	/* ... on both transports */
};

static struct ep_target target;

/* full: 1 --full, 2 --resolver */
static void
plan(int full)
{
	char a0[] = "ednsprobe", a1[] = "compliance", a2[] = "@192.0.2.1",
	    a3[] = "probe.test", a4[] = "--full", a5[] = "--resolver";
	char *argv[] = { a0, a1, a2, a3, full == 2 ? a5 : a4, NULL };
	struct ep_options o;
	struct ep_err err;
	int id = 1;

	assert_int_equal(ep_options_parse(full ? 5 : 4, argv, &o, &err), 0);
	ep_target_fini(&target);
	memset(&target, 0, sizeof(target));
	target.family = 4;
	target.timeout_ms = 1000;
	snprintf(target.addr_str, sizeof(target.addr_str), "192.0.2.1");
	snprintf(target.name, sizeof(target.name), "probe.test");
	assert_int_equal(ep_plan_comply(&o, &target, &id, &err), 0);
}

/* The option codes a query carries, and where each one's data is. */
static int
opt_codes(const struct ep_probe_spec *s, uint16_t *codes, size_t *data)
{
	int n = 0;

	for (size_t at = 0; at + 4 <= s->opts_len && n < EP_EDNS_OPTS_MAX;
	    n++) {
		codes[n] = (uint16_t)(s->opts[at] << 8 | s->opts[at + 1]);
		data[n] = at + 4;
		at += 4 + (size_t)(s->opts[at + 2] << 8 | s->opts[at + 3]);
	}
	return n;
}

static void
answer(const struct server *sv, struct ep_probe_record *r)
{
	const struct ep_probe_spec *s = &r->spec;
	struct ep_dns_msg *m = &r->res.reply;
	uint16_t codes[EP_EDNS_OPTS_MAX];
	size_t data[EP_EDNS_OPTS_MAX];
	int nopts = opt_codes(s, codes, data);

	memset(m, 0, sizeof(*m));
	if (sv->wrong_id_udp && s->transport == EP_UDP) {
		r->res.outcome = EP_OUT_TIMEOUT;
		r->res.ignored = 3;
		return;
	}
	if (sv->dead || (nopts > 0 && (sv->server_drops_opts ||
	    (sv->path_drops_opts && s->transport == EP_UDP)))) {
		r->res.outcome = s->transport == EP_TCP && !sv->dead ?
		    EP_OUT_NOANSWER : EP_OUT_TIMEOUT;
		r->res.connected = s->transport == EP_TCP && !sv->dead;
		return;
	}
	r->res.outcome = EP_OUT_ANSWER;
	m->status = EP_DNS_OK;
	m->flags = (uint16_t)(EP_DNS_QR | (s->opcode << 11) |
	    (sv->no_aa || sv->resolver || s->opcode ? 0 : EP_DNS_AA) |
	    (sv->resolver && !s->opcode ? EP_DNS_RA : 0) |
	    (s->opcode ? 0 : s->hdr_flags & (EP_DNS_RD | EP_DNS_CD)));
	if (s->no_question) {
		m->rcode = 4;		/* NOTIMP */
		m->flags |= 4;
		m->length = 12;
		return;
	}
	m->has_question = 1;
	m->qdcount = 1;
	m->length = 100;
	if (s->edns) {
		m->opt_count = 1;
		m->arcount = 1;
		m->edns_udp = 1232;
		m->edns_flags = (uint16_t)((s->dnssec_ok ? EP_DNS_EDNS_DO : 0) |
		    (sv->flags_echo ? s->edns_flags : 0));
		for (int i = 0; sv->opt_echo && i < nopts; i++)
			m->edns_opt[m->edns_options++].code = codes[i];
		for (int i = 0; sv->cookies && i < nopts; i++)
			if (codes[i] == 10) {
				/* client cookie back, a server cookie */
				memcpy(m->edns_cookie, s->opts + data[i], 8);
				memset(m->edns_cookie + 8, 0xab, 8);
				m->edns_cookie_len = 16;
				m->edns_opt[m->edns_options].code = 10;
				m->edns_opt[m->edns_options++].len = 16;
			}
	}
	if (s->edns && s->edns_version > 0 && !sv->edns1_ignored) {
		m->rcode = 16;		/* BADVERS */
		m->edns_ext_rcode = 1;
		m->flags &= (uint16_t)~EP_DNS_AA;
		return;
	}
	if (sv->tc_udp && s->transport == EP_UDP) {
		m->flags |= EP_DNS_TC;
		r->res.outcome = EP_OUT_TRUNCATED;
		return;
	}
	m->ancount = 1;
	m->an_soa = s->qtype == 6;
	m->an_rrsig = s->edns && s->dnssec_ok;
	if (s->qtype == 48 && s->transport == EP_UDP && s->edns &&
	    s->bufsize <= 512) {
		m->length = sv->big512 ? 900 : 480;
		m->flags |= sv->big512 ? 0 : EP_DNS_TC;
		r->res.outcome = sv->big512 ? EP_OUT_ANSWER :
		    EP_OUT_TRUNCATED;
	}
}

/* Answer every probe, the follow-ups too, and grade. */
static void
run(const struct server *sv)
{
	int id = target.nprobes + 1, first = target.nprobes;

	for (int i = 0; i < target.nprobes; i++)
		answer(sv, &target.probes[i]);
	ep_comply_next(&target, &id);
	for (int i = first; i < target.nprobes; i++)
		answer(sv, &target.probes[i]);
	ep_comply_verdict(&target, 1);
}

static const char *
words(const char *test)
{
	for (int i = 0; i < ep_comply_results(&target)->n; i++)
		if (strcmp(ep_comply_results(&target)->r[i].test, test) == 0)
			return ep_comply_results(&target)->r[i].words;
	return "(not run)";
}

static const struct ep_comply_result *
result(const char *test)
{
	for (int i = 0; i < ep_comply_results(&target)->n; i++)
		if (strcmp(ep_comply_results(&target)->r[i].test, test) == 0)
			return &ep_comply_results(&target)->r[i];
	fail_msg("test %s not run", test);
	return NULL;
}

static void
show(void)
{
	for (int i = 0; i < ep_comply_results(&target)->n; i++)
		print_message("%s=%s ", ep_comply_results(&target)->r[i].test,
		    ep_comply_results(&target)->r[i].words);
	for (int i = 0; i < target.nfindings; i++)
		print_message("\n%s: %s", ep_finding_name(target.findings[i].id),
		    target.findings[i].summary);
	print_message("\n");
}

static int
has_finding(const char *id)
{
	for (int i = 0; i < target.nfindings; i++)
		if (strcmp(ep_finding_name(target.findings[i].id), id) == 0)
			return 1;
	return 0;
}

static void
compliant(void **state)
{
	struct server sv = { 0 };
	char line[2048];

	(void)state;
	plan(0);
	run(&sv);
	assert_int_equal(target.nfindings, 0);
	assert_string_equal(ep_comply_line(&target, "ns1.probe.test", line,
	    sizeof(line)), "probe.test. @192.0.2.1 (ns1.probe.test.): "
	    "dns=ok edns=ok edns1=ok edns@512=ok ednsopt=ok edns1opt=ok "
	    "do=ok ednsflags=ok optlist=ok signed=ok,yes ednstcp=ok");
	/* No server cookie: ours says so without failing. */
	assert_string_equal(words("cookie"), "nocookie");
	assert_true(result("cookie")->ok);
	assert_string_equal(words("cookie-echo"), "(not run)");
}

static void
full_set(void **state)
{
	struct server sv = { 0 };

	(void)state;
	plan(1);
	run(&sv);
	if (target.nfindings != 0)
		show();
	assert_int_equal(target.nfindings, 0);
	assert_string_equal(words("opcode"), "ok");
	assert_string_equal(words("opcodeflg"), "ok");
	assert_string_equal(words("rd"), "ok");
	assert_string_equal(words("docd"), "ok");
	assert_string_equal(words("edns1nsid"), "ok");
	assert_string_equal(words("tcp"), "ok");
}

static void
edns_faults(void **state)
{
	struct server sv = { .edns1_ignored = 1, .opt_echo = 1,
	    .flags_echo = 1, .big512 = 1 };

	(void)state;
	plan(0);
	run(&sv);
	assert_string_equal(words("dns"), "ok");
	assert_string_equal(words("edns1"), "noerror,badversion,soa");
	assert_string_equal(words("edns1opt"),
	    "noerror,badversion,soa,echoed");
	assert_string_equal(words("ednsopt"), "echoed");
	assert_string_equal(words("ednsflags"), "mbz");
	assert_string_equal(words("edns@512"), "toobig");
	assert_false(result("edns1")->ok);
	assert_true(has_finding("COMPLY_FAILED"));
	assert_false(has_finding("COMPLY_PATH_DROPS"));
	/* No test was re-asked: every one was answered. */
	for (int i = 0; i < ep_comply_results(&target)->n; i++)
		assert_int_equal(ep_comply_results(&target)->r[i].recheck, -1);
}

static void
no_aa(void **state)
{
	struct server sv = { .no_aa = 1 };

	(void)state;
	plan(0);
	run(&sv);
	assert_string_equal(words("dns"), "noaa");
	assert_string_equal(words("edns1"), "ok");	/* BADVERS: no AA due */
}

static void
path_drops_options(void **state)
{
	struct server sv = { .path_drops_opts = 1 };
	const struct ep_comply_result *c;

	(void)state;
	plan(0);
	run(&sv);
	c = result("ednsopt");
	assert_string_equal(c->words, "timeout");
	assert_true(c->recheck >= 0);
	assert_int_equal(target.probes[c->recheck].spec.transport, EP_TCP);
	assert_string_equal(c->recheck_words, "ok");
	assert_int_equal(c->cause, EP_CAUSE_PATH);
	assert_int_equal(result("optlist")->cause, EP_CAUSE_PATH);
	assert_int_equal(result("edns")->recheck, -1);
	assert_true(has_finding("COMPLY_PATH_DROPS"));
	assert_false(has_finding("COMPLY_SERVER_DROPS"));
	assert_false(has_finding("COMPLY_FAILED"));
}

static void
server_drops_options(void **state)
{
	struct server sv = { .server_drops_opts = 1 };

	(void)state;
	plan(0);
	run(&sv);
	assert_string_equal(words("ednsopt"), "timeout");
	assert_string_equal(result("ednsopt")->recheck_words, "timeout");
	assert_int_equal(result("ednsopt")->cause, EP_CAUSE_SERVER);
	assert_true(has_finding("COMPLY_SERVER_DROPS"));
	assert_false(has_finding("COMPLY_PATH_DROPS"));
}

static void
dead_server(void **state)
{
	struct server sv = { .dead = 1 };
	int n;

	(void)state;
	plan(0);
	/* As run.c sends them: every test, each timing out. */
	n = target.nprobes;
	run(&sv);
	assert_int_equal(target.nprobes, n);	/* nothing to re-ask */
	assert_true(has_finding("NO_REPLY"));
	assert_int_equal(target.nfindings, 1);
	assert_string_equal(words("dns"), "timeout");
	assert_string_equal(words("edns1"), "timeout");
	assert_string_equal(words("ednstcp"), "timeout");
}

static void
cookies(void **state)
{
	struct server sv = { .cookies = 1 };

	(void)state;
	plan(0);
	run(&sv);
	assert_string_equal(words("cookie"), "ok");
	assert_string_equal(words("cookie-echo"), "ok");
	assert_string_equal(words("cookie-bad"), "ok");
	assert_string_equal(words("optlist"), "ok,cookie");
	assert_int_equal(target.nfindings, 0);
}

/* UDP replies that answer nothing (another id): the tester's timeout,
 * but the path is not to blame. */
static void
wrong_ids(void **state)
{
	struct server sv = { .wrong_id_udp = 1 };

	(void)state;
	plan(0);
	run(&sv);
	assert_string_equal(words("edns"), "timeout");
	assert_int_equal(result("edns")->cause, EP_CAUSE_REPLIES);
	assert_string_equal(result("edns")->recheck_words, "ok");
	assert_string_equal(words("ednstcp"), "ok");
	assert_true(has_finding("COMPLY_FAILED"));
	assert_false(has_finding("COMPLY_PATH_DROPS"));
	assert_false(has_finding("NO_REPLY"));
}

/* TC over UDP: the tester follows it over TCP and grades that answer
 * (edns@512 excepted: TC is what it wants). */
static void
truncated(void **state)
{
	struct server sv = { .tc_udp = 1 };
	const struct ep_comply_result *c;

	(void)state;
	plan(0);
	run(&sv);
	c = result("edns");
	assert_true(c->recheck >= 0);
	assert_int_equal(target.probes[c->recheck].spec.transport, EP_TCP);
	assert_string_equal(c->words, "ok");
	assert_int_equal(c->cause, EP_CAUSE_NONE);
	assert_string_equal(words("dns"), "ok");
	assert_int_equal(result("edns@512")->recheck, -1);
	if (target.nfindings)
		show();
	assert_int_equal(target.nfindings, 0);
}

/* The tester's -R: a resolver answers without AA, RD on every query. */
static void
resolver(void **state)
{
	struct server sv = { .resolver = 1 };

	(void)state;
	plan(0);
	run(&sv);
	assert_string_equal(words("dns"), "noaa");	/* not -R: due */
	plan(2);
	for (int i = 0; i < target.nprobes; i++)
		if (target.probes[i].spec.opcode == 0)
			assert_true(target.probes[i].spec.hdr_flags &
			    EP_DNS_RD);
	run(&sv);
	assert_string_equal(words("dns"), "ok");
	assert_string_equal(words("edns"), "ok");
	assert_int_equal(target.nfindings, 0);
	sv.resolver = 0;	/* an authoritative answer to -R: "aa" */
	run(&sv);
	assert_string_equal(words("dns"), "aa");
}

/* path --compliance: the tests follow path's plan, none a baseline; the
 * path verdict reads its own probes only, the compliance one adds. */
static void
path_section(void **state)
{
	char a0[] = "ednsprobe", a1[] = "path", a2[] = "@192.0.2.1",
	    a3[] = "probe.test", a4[] = "--compliance";
	char *argv[] = { a0, a1, a2, a3, a4, NULL };
	struct server sv = { 0 };
	struct ep_options o;
	struct ep_err err;
	struct ep_measure_set set;
	int id = 1, npath, ncomply = 0;

	(void)state;
	assert_int_equal(ep_options_parse(5, argv, &o, &err), 0);
	ep_target_fini(&target);
	memset(&target, 0, sizeof(target));
	target.family = 4;
	target.timeout_ms = 1000;
	target.path.iface_mtu = 1500;
	snprintf(target.addr_str, sizeof(target.addr_str), "192.0.2.1");
	assert_int_equal(ep_measures_named("sizes,ednsopt,twoway", &set), 0);
	assert_int_equal(ep_measure_plan(&set, &o, &target, &id, &err), 0);
	npath = target.nprobes;
	assert_int_equal(ep_plan_comply(&o, &target, &id, &err), 0);
	for (int i = npath; i < target.nprobes; i++) {
		assert_int_not_equal(target.probes[i].spec.ctest, 0);
		assert_int_equal(target.probes[i].spec.role, EP_ROLE_COMPLY);
		ncomply++;
	}
	assert_int_equal(ncomply, 11);	/* 10 of the tester's, cookie */
	/* Only the tests answered; path's probes never ran. */
	for (int i = npath; i < target.nprobes; i++)
		answer(&sv, &target.probes[i]);
	for (int i = 0; i < npath; i++)
		target.probes[i].res.outcome = EP_OUT_TIMEOUT;
	/* The path's verdict, then the tests' (one table, in order). */
	ep_verdict(&target);
	assert_int_equal(target.path.udp_max_response, -1);
	assert_true(has_finding("NO_REPLY"));	/* kept by the tests' */
	assert_string_equal(words("edns1"), "ok");
	assert_int_equal(ep_comply_alone(&target), 0);
	/* And with the compliance command: no --compliance there. */
	{
		char c1[] = "compliance";
		char *argv2[] = { a0, c1, a2, a3, a4, NULL };

		assert_int_equal(ep_options_parse(5, argv2, &o, &err), -1);
	}
}

/* analyze: the same queries read back from a capture (no test names,
 * no roles) are named again by their shape, re-asks included. */
static void
identify(void **state)
{
	struct server sv = { .cookies = 1, .path_drops_opts = 1 };
	uint8_t ctest[EP_PROBES_MAX];
	enum ep_role role[EP_PROBES_MAX];
	int rechecks = 0;

	(void)state;
	plan(1);
	run(&sv);
	for (int i = 0; i < target.nprobes; i++) {
		ctest[i] = target.probes[i].spec.ctest;
		role[i] = target.probes[i].spec.role;
		rechecks += role[i] == EP_ROLE_RECHECK;
		target.probes[i].spec.ctest = 0;
		target.probes[i].spec.role = EP_ROLE_BASE;
	}
	assert_true(rechecks >= 10);
	assert_int_equal(ep_comply_identify(&target), 1);
	for (int i = 0; i < target.nprobes; i++) {
		assert_int_equal(target.probes[i].spec.ctest, ctest[i]);
		assert_int_equal(target.probes[i].spec.role, role[i]);
	}
	/* The tester's -R: every query with RD, named as such. */
	plan(2);
	run(&sv);
	for (int i = 0; i < target.nprobes; i++) {
		ctest[i] = target.probes[i].spec.ctest;
		target.probes[i].spec.ctest = 0;
		target.probes[i].spec.rmode = 0;
	}
	assert_int_equal(ep_comply_identify(&target), 1);
	for (int i = 0; i < target.nprobes; i++) {
		assert_int_equal(target.probes[i].spec.ctest, ctest[i]);
		assert_int_equal(target.probes[i].spec.rmode,
		    target.probes[i].spec.ctest ? 1 : 0);
	}
	/* And a path run's queries are not a compliance run. */
	{
		struct ep_probe_spec *s = &target.probes[0].spec;

		target.nprobes = 2;
		s->ctest = 0;
		assert_int_equal(ep_comply_identify(&target), 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(compliant),
		cmocka_unit_test(full_set),
		cmocka_unit_test(edns_faults),
		cmocka_unit_test(no_aa),
		cmocka_unit_test(path_drops_options),
		cmocka_unit_test(server_drops_options),
		cmocka_unit_test(dead_server),
		cmocka_unit_test(cookies),
		cmocka_unit_test(identify),
		cmocka_unit_test(resolver),
		cmocka_unit_test(path_section),
		cmocka_unit_test(truncated),
		cmocka_unit_test(wrong_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
