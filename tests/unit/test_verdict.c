/* tests/unit/test_verdict.c: path facts and findings from simulated probe
 * results. */
#include <arpa/inet.h>
#include <errno.h>
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

/*
 * A simulated server and path.  The plan is the real one; each probe's
 * outcome is what a server with answers of these sizes would give over a
 * path with these faults.  The lab tests do the same with real packets.
 */
struct net {
	long	size[EP_SUBJ_COUNT];	/* full answer sizes */
	int	mtu;
	int	frag_drop;		/* drop datagrams over the MTU */
	long	size_limit;		/* drop UDP answers over this, 0: none */
	int	edns_drop;		/* drop queries with OPT */
	int	no_edns;		/* server answers FORMERR without OPT */
	int	tcp;			/* 0 ok, 1 timeout, 2 reset, 3 hole */
	int	dead;			/* nothing answers */
	int	unreach;		/* no route */
	int	oversize;		/* ignores the EDNS buffer size */
	int	badvers;		/* BADVERS to version 0 */
	int	udp_refused;		/* the host: ICMP port unreachable */
	int	opt_drop;		/* drop queries whose OPT has options */
};

static struct ep_target target;

static void
plan(int family, const char *type)
{
	char a0[] = "ednsprobe", a1[] = "path", a2[] = "@192.0.2.1",
	    a3[] = "probe.test", a4[16];
	char *argv[] = { a0, a1, a2, a3, a4, NULL };
	struct ep_options o;
	struct ep_err err;
	struct ep_measure_set set;
	int id = 1;

	snprintf(a4, sizeof(a4), "%s", type ? type : "");
	assert_int_equal(ep_options_parse(type ? 5 : 4, argv, &o, &err), 0);
	ep_target_fini(&target);
	memset(&target, 0, sizeof(target));
	target.family = family;
	target.path.iface_mtu = 1500;
	target.timeout_ms = 1000;
	snprintf(target.addr_str, sizeof(target.addr_str), "192.0.2.1");
	assert_int_equal(ep_measures_named("sizes,ednsopt,twoway", &set), 0);
	assert_int_equal(ep_measure_plan(&set, &o, &target, &id, &err), 0);
	/* 21 path probes and the two-ended hello, last. */
	assert_int_equal(target.nprobes, 22);
	assert_int_equal(target.probes[21].spec.role, EP_ROLE_HELLO);
}

static void
reply(struct ep_probe_record *r, long len, int tc, int opt, uint16_t rcode)
{
	r->res.outcome = tc ? EP_OUT_TRUNCATED : EP_OUT_ANSWER;
	r->res.tries = 1;
	r->res.rtt_ms = 0.2;
	r->res.reply.length = (size_t)len;
	r->res.reply.flags = (uint16_t)(EP_DNS_QR | (tc ? EP_DNS_TC : 0) |
	    (rcode & 0xf));
	r->res.reply.rcode = rcode;
	r->res.reply.opt_count = opt;
	r->res.reply.edns_udp = opt ? 4096 : 0;
}

static void
simulate(const struct net *n)
{
	int hdr = target.family == 4 ? 28 : 48;

	for (int i = 0; i < target.nprobes; i++) {
		struct ep_probe_record *r = &target.probes[i];
		long full = n->size[r->spec.subject];

		r->res.tries = 3;
		if (n->unreach) {
			r->res.outcome = EP_OUT_ERROR;
			r->res.sys_errno = ENETUNREACH;
			continue;
		}
		if (n->dead) {
			r->res.outcome = r->spec.role == EP_ROLE_BASE ?
			    EP_OUT_TIMEOUT : EP_OUT_SKIPPED;
			continue;
		}
		if (r->spec.transport == EP_TCP) {
			r->res.tries = 1;
			if (n->tcp == 1)
				r->res.outcome = EP_OUT_TIMEOUT;
			else if (n->tcp == 2)
				r->res.outcome = EP_OUT_RESET;
			else if (n->tcp == 3 && full + 40 > 1280) {
				r->res.outcome = EP_OUT_NOANSWER;
				r->res.connected = 1;
			} else {
				reply(r, full, 0, 1, 0);
				r->res.connected = 1;
			}
			continue;
		}
		if (n->udp_refused) {
			r->res.outcome = EP_OUT_ICMP;
			r->res.icmp_type = 3;
			r->res.icmp_code = 3;
			memcpy(&r->res.icmp_from, &target.addr,
			    sizeof(target.addr));
			continue;
		}
		if ((r->spec.edns && n->edns_drop) ||
		    (r->spec.opts_len > 0 && n->opt_drop)) {
			r->res.outcome = EP_OUT_TIMEOUT;
			continue;
		}
		if (r->spec.edns && n->no_edns) {
			reply(r, 40, 0, 0, 1);
			continue;
		}
		if (r->spec.edns && n->badvers) {
			reply(r, 40, 0, 1, 16);
			continue;
		}
		long limit = r->spec.edns ? r->spec.bufsize : 512;
		int tc = full > limit && !n->oversize;
		long len = tc ? 60 : full;

		if ((n->frag_drop && len + hdr > n->mtu) ||
		    (n->size_limit && len > n->size_limit)) {
			r->res.outcome = EP_OUT_TIMEOUT;
			continue;
		}
		reply(r, len, tc, r->spec.edns, 0);
	}
	ep_verdict(&target);
}

static int
has(const char *id)
{
	for (int i = 0; i < target.nfindings; i++)
		if (strcmp(ep_finding_name(target.findings[i].id), id) == 0) {
			/* Every finding cites evidence and gives advice. */
			assert_true(target.findings[i].nprobes > 0 ||
			    target.findings[i].severity == EP_SEV_INFO);
			assert_true(target.findings[i].advice[0] != '\0');
			return 1;
		}
	return 0;
}

static struct net
base_net(void)
{
	struct net n = { { 100, 1100, 2000 }, 1500, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0 };

	return n;
}

static void
test_clean(void **state)
{
	struct net n = base_net();

	(void)state;
	plan(4, NULL);
	simulate(&n);
	assert_int_equal(target.nfindings, 0);
	assert_string_equal(ep_fact_str("edns", target.path.edns), "ok");
	assert_string_equal(ep_fact_str("frag_in", target.path.frag_in),
	    "pass");
	assert_string_equal(ep_fact_str("tcp", target.path.tcp), "ok");
	assert_int_equal(target.path.udp_max_response, 2000);
	assert_int_equal(target.path.size_known[EP_SUBJ_LARGE], 2000);
	assert_int_equal(ep_verdict_worst(&target), -1);
}

/* A server that ignores the EDNS buffer size: whole answers bigger than
 * the query allowed arrive (UDP_OVERSIZE), and nothing else is wrong. */
static void
test_oversize(void **state)
{
	struct net n = base_net();

	(void)state;
	plan(4, NULL);
	n.oversize = 1;
	simulate(&n);
	assert_true(has("UDP_OVERSIZE"));
	assert_int_equal(target.nfindings, 1);
	assert_non_null(strstr(target.findings[0].summary,
	    "2000 bytes where 512"));
	n.oversize = 0;
	simulate(&n);
	assert_false(has("UDP_OVERSIZE"));
}

/* A filter that drops queries whose OPT carries an option (the cookie
 * query, as resolvers send it): EDNS_OPTION_DROPPED citing the answered
 * EDNS baseline and the lost cookie query; nothing else.  With EDNS
 * dropped altogether it is EDNS_DROPPED alone. */
static void
test_option_drop(void **state)
{
	struct net n = base_net();
	const struct ep_finding *f;
	int opt = -1, base = -1;

	(void)state;
	plan(4, NULL);
	for (int i = 0; i < target.nprobes; i++) {
		const struct ep_probe_spec *s = &target.probes[i].spec;

		if (s->role == EP_ROLE_OPTION) {
			opt = s->id;
			/* a client cookie, DO, 1232: as BIND resolves */
			assert_int_equal(s->opts_len, 12);
			assert_int_equal(s->opts[1], 10);
			assert_true(s->dnssec_ok && s->bufsize == 1232);
		} else if (s->role == EP_ROLE_BASE && s->edns &&
		    s->transport == EP_UDP)
			base = s->id;
	}
	assert_true(opt > 0 && base > 0);
	n.opt_drop = 1;
	simulate(&n);
	assert_true(has("EDNS_OPTION_DROPPED"));
	assert_int_equal(target.nfindings, 1);
	f = &target.findings[0];
	assert_int_equal(f->nprobes, 1 + EP_PLAN_OPTION_TWINS);
	assert_int_equal(f->probes[0], base);
	assert_int_equal(f->probes[EP_PLAN_OPTION_TWINS], opt);
	assert_string_equal(ep_fact_str("edns", target.path.edns), "ok");
	assert_int_equal(target.path.udp_max_response, 2000);
	assert_non_null(strstr(f->summary, "or by the server itself"));
	assert_null(strstr(f->summary, "..."));
	/* The TCP twin run.c then asks: answered, the path; silent while
	 * TCP answers the rest, the server (and TCP stays "ok"). */
	{
		int id = 100, k;
		const struct ep_probe_spec *os = NULL;

		for (k = 0; k < target.nprobes; k++)
			if (target.probes[k].spec.role == EP_ROLE_OPTION)
				os = &target.probes[k].spec;
		assert_int_equal(ep_plan_option_tcp(&target, &id, os), 0);
		k = target.nprobes - 1;
		assert_int_equal(target.probes[k].spec.transport, EP_TCP);
		assert_int_equal(target.probes[k].spec.opts_len, 12);
		reply(&target.probes[k], 130, 0, 1, 0);
		target.probes[k].res.connected = 1;
		ep_verdict(&target);
		assert_true(has("EDNS_OPTION_DROPPED"));
		assert_int_equal(target.nfindings, 1);
		assert_non_null(strstr(target.findings[0].summary,
		    "a filter on the path"));
		assert_int_equal(target.findings[0].nprobes,
		    2 + EP_PLAN_OPTION_TWINS);
		target.probes[k].res.outcome = EP_OUT_NOANSWER;
		ep_verdict(&target);
		assert_true(has("EDNS_OPTION_IGNORED"));
		assert_false(has("EDNS_OPTION_DROPPED"));
		assert_false(has("TCP_NO_ANSWER"));
		assert_int_equal(target.nfindings, 1);
		assert_string_equal(ep_fact_str("tcp", target.path.tcp), "ok");
		plan(4, NULL);
	}
	/* One option query answered, the other lost all its tries: random
	 * loss, not a filter. */
	n = base_net();
	n.opt_drop = 1;
	simulate(&n);
	for (int i = 0; i < target.nprobes; i++)
		if (target.probes[i].spec.role == EP_ROLE_OPTION) {
			reply(&target.probes[i], 130, 0, 1, 0);
			break;
		}
	ep_verdict(&target);
	assert_false(has("EDNS_OPTION_DROPPED"));
	assert_int_equal(target.nfindings, 0);
	n.edns_drop = 1;
	simulate(&n);
	assert_true(has("EDNS_DROPPED"));
	assert_false(has("EDNS_OPTION_DROPPED"));
	/* Answered: no finding, and its answer (a server cookie more)
	 * is not the small answer's size. */
	n = base_net();
	simulate(&n);
	for (int i = 0; i < target.nprobes; i++)
		if (target.probes[i].spec.role == EP_ROLE_OPTION)
			target.probes[i].res.reply.length = 400;
	ep_verdict(&target);
	assert_int_equal(target.nfindings, 0);
	assert_int_equal(target.path.size_known[EP_SUBJ_SMALL], 100);
}

/* BADVERS to every version-0 EDNS query: EDNS refused by the server. */
static void
test_badvers(void **state)
{
	struct net n = base_net();

	(void)state;
	plan(4, NULL);
	n.badvers = 1;
	simulate(&n);
	assert_true(has("EDNS_BADVERS"));
	assert_false(has("EDNS_UNSUPPORTED"));
	assert_string_equal(ep_fact_str("edns", target.path.edns),
	    "unsupported");
}

/* ICMP port unreachable from the server's own address to every UDP
 * query, TCP fine: nothing listens on UDP there (not the path). */
static void
test_udp_refused(void **state)
{
	struct net n = base_net();
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)&target.addr;

	(void)state;
	plan(4, NULL);
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.1", &sin->sin_addr);
	n.udp_refused = 1;
	simulate(&n);
	assert_true(has("UDP_REFUSED"));
	assert_false(has("UDP_NO_REPLY"));
	/* Hosts rate-limit ICMP: some queries just time out. */
	for (int i = 0; i < target.nprobes; i += 2)
		if (target.probes[i].spec.transport == EP_UDP)
			target.probes[i].res.outcome = EP_OUT_TIMEOUT;
	ep_verdict(&target);
	assert_true(has("UDP_REFUSED"));
	/* From a router instead: the path (UDP_NO_REPLY). */
	inet_pton(AF_INET, "198.51.100.1", &sin->sin_addr);
	simulate(&n);
	for (int i = 0; i < target.nprobes; i++)
		inet_pton(AF_INET, "192.0.2.1", &((struct sockaddr_in *)(void *)
		    &target.probes[i].res.icmp_from)->sin_addr);
	ep_verdict(&target);
	assert_false(has("UDP_REFUSED"));
	assert_true(has("UDP_NO_REPLY"));
}

static void
test_one_lost_probe_is_not_a_finding(void **state)
{
	struct net n = base_net();

	(void)state;
	plan(4, NULL);
	simulate(&n);
	/* The 4000 rung of the large answer lost all its tries, 4096 not. */
	for (int i = 0; i < target.nprobes; i++)
		if (target.probes[i].spec.subject == EP_SUBJ_LARGE &&
		    target.probes[i].spec.bufsize == 4000 &&
		    target.probes[i].spec.transport == EP_UDP)
			target.probes[i].res.outcome = EP_OUT_TIMEOUT;
	ep_verdict(&target);
	assert_int_equal(target.nfindings, 0);
}

/* loss5: the large question's TCP probe never connected (its SYNs lost,
 * every try) while the other TCP probes connected and answered: random
 * loss, not TRUNCATED_NO_TCP. */
static void
test_one_lost_connect_is_not_a_finding(void **state)
{
	struct net n = base_net();

	(void)state;
	plan(4, NULL);
	simulate(&n);
	for (int i = 0; i < target.nprobes; i++) {
		struct ep_probe_record *r = &target.probes[i];

		if (r->spec.transport == EP_TCP &&
		    r->spec.role == EP_ROLE_TCPSIZE &&
		    r->spec.subject == EP_SUBJ_LARGE) {
			r->res.outcome = EP_OUT_TIMEOUT;
			r->res.connected = 0;
			r->res.tries = 3;
		}
	}
	ep_verdict(&target);
	assert_false(has("TRUNCATED_NO_TCP"));
	assert_int_equal(target.nfindings, 0);
}

static void
test_frag_drop(void **state)
{
	struct net n = base_net();

	(void)state;
	n.frag_drop = 1;
	plan(4, NULL);
	simulate(&n);
	assert_true(has("FRAG_IN_DROPPED"));
	assert_int_equal(target.nfindings, 1);
	assert_string_equal(ep_fact_str("frag_in", target.path.frag_in),
	    "drop");
	assert_int_equal(target.path.udp_max_response, 1100);
	assert_int_equal(ep_verdict_worst(&target), EP_SEV_ERROR);
}

static void
test_frag_drop_v6(void **state)
{
	struct net n = base_net();

	(void)state;
	n.frag_drop = 1;
	plan(6, NULL);
	simulate(&n);
	assert_true(has("FRAG_IN_DROPPED"));
	assert_string_equal(ep_fact_str("frag_in", target.path.frag_in),
	    "drop");
}

static void
test_frag_drop_without_tcp_uses_tc_bound(void **state)
{
	struct net n = base_net();

	(void)state;
	n.frag_drop = 1;
	n.tcp = 1;
	plan(4, NULL);
	simulate(&n);
	/* No TCP answer gives the full size: TC at 1480 bounds it. */
	assert_int_equal(target.path.size_known[EP_SUBJ_LARGE], -1);
	assert_true(has("FRAG_IN_DROPPED"));
	assert_true(has("TCP_TIMEOUT"));
	assert_true(has("TRUNCATED_NO_TCP"));
}

static void
test_size_limit_512(void **state)
{
	struct net n = base_net();

	(void)state;
	n.size_limit = 512;
	plan(4, NULL);
	simulate(&n);
	assert_true(has("UDP_SIZE_LIMIT"));
	assert_false(has("FRAG_IN_DROPPED"));
	assert_string_equal(ep_fact_str("frag_in", target.path.frag_in),
	    "untested");
	assert_true(target.path.udp_max_response <= 512);
}

static void
test_large_lost_ambiguous(void **state)
{
	struct net n = base_net();

	(void)state;
	n.frag_drop = 1;
	n.size[EP_SUBJ_MEDIUM] = 300;	/* nothing between 512 and MTU */
	plan(4, NULL);
	simulate(&n);
	assert_true(has("UDP_LARGE_LOST"));
	assert_false(has("FRAG_IN_DROPPED"));
	assert_false(has("UDP_SIZE_LIMIT"));
}

static void
test_edns_drop(void **state)
{
	struct net n = base_net();

	(void)state;
	n.edns_drop = 1;
	plan(4, NULL);
	simulate(&n);
	assert_true(has("EDNS_DROPPED"));
	assert_string_equal(ep_fact_str("edns", target.path.edns), "dropped");
	/* Lost ladder probes are explained by EDNS, not by size. */
	assert_false(has("FRAG_IN_DROPPED"));
	assert_false(has("UDP_SIZE_LIMIT"));
	assert_false(has("UDP_LARGE_LOST"));
}

static void
test_edns_unsupported(void **state)
{
	struct net n = base_net();

	(void)state;
	n.no_edns = 1;
	plan(4, NULL);
	simulate(&n);
	assert_true(has("EDNS_UNSUPPORTED"));
	assert_string_equal(ep_fact_str("edns", target.path.edns),
	    "unsupported");
}

static void
test_tcp_reset(void **state)
{
	struct net n = base_net();

	(void)state;
	n.tcp = 2;
	plan(4, NULL);
	simulate(&n);
	assert_true(has("TCP_RESET"));
	assert_true(has("TRUNCATED_NO_TCP"));
	assert_false(has("TCP_TIMEOUT"));
	assert_string_equal(ep_fact_str("tcp", target.path.tcp), "reset");
}

static void
test_tcp_timeout(void **state)
{
	struct net n = base_net();

	(void)state;
	n.tcp = 1;
	plan(6, NULL);
	simulate(&n);
	assert_true(has("TCP_TIMEOUT"));
	assert_false(has("TCP_RESET"));
	assert_string_equal(ep_fact_str("tcp", target.path.tcp), "timeout");
	/* UDP still measured the full size of the large answer. */
	assert_int_equal(target.path.size_known[EP_SUBJ_LARGE], 2000);
}

static void
test_tcp_blackhole(void **state)
{
	struct net n = base_net();

	(void)state;
	n.tcp = 3;
	plan(4, NULL);
	simulate(&n);
	assert_true(has("TCP_LARGE_LOST"));
	assert_string_equal(ep_fact_str("tcp", target.path.tcp), "partial");
	assert_false(has("TCP_TIMEOUT"));
}

static void
test_no_reply(void **state)
{
	struct net n = base_net();

	(void)state;
	n.dead = 1;
	plan(4, NULL);
	simulate(&n);
	assert_true(has("NO_REPLY"));
	assert_int_equal(target.nfindings, 1);
	assert_string_equal(ep_fact_str("tcp", target.path.tcp), "untested");
	assert_int_equal(target.path.udp_max_response, -1);
}

/*
 * Silent on UDP, and TCP/53 answers the SYN with a reset (in
 * microseconds): the host is up.  Not NO_REPLY's "no reply over UDP or
 * TCP ... tcp untested": NO_REPLY_TCP_RESET, tcp "reset", citing the
 * TCP probes; with ICMP port unreachable on UDP, nothing listens.
 */
static void
test_no_reply_tcp_reset(void **state)
{
	struct net n = base_net();
	const struct ep_finding *f;
	int tcp = 0;

	(void)state;
	n.dead = 1;
	plan(4, NULL);
	target.timeout_ms = 5000;
	simulate(&n);
	for (int i = 0; i < target.nprobes; i++) {
		struct ep_probe_record *r = &target.probes[i];

		if (r->spec.transport != EP_TCP ||
		    r->res.outcome == EP_OUT_SKIPPED)
			continue;
		r->res.outcome = EP_OUT_RESET;
		r->res.sys_errno = ECONNREFUSED;
		r->res.waited_ms = 0;
		tcp = r->spec.id;
	}
	assert_true(tcp > 0);
	ep_verdict(&target);
	assert_false(has("NO_REPLY"));
	assert_true(has("NO_REPLY_TCP_RESET"));
	assert_int_equal(target.nfindings, 1);
	f = &target.findings[0];
	assert_int_equal(f->severity, EP_SEV_ERROR);
	assert_non_null(strstr(f->summary, "No reply from 192.0.2.1 over UDP "
	    "within 5000 ms, and TCP port 53 refused with a reset (1 probe)"));
	assert_null(strstr(f->summary, "UDP or TCP"));
	assert_string_equal(ep_fact_str("tcp", target.path.tcp), "reset");
	for (int k = 0; k < f->nprobes; k++)
		if (f->probes[k] == tcp)
			tcp = 0;
	assert_int_equal(tcp, 0);	/* the reset is evidence */
	/* UDP refused by the host too: nothing listens on port 53. */
	for (int i = 0; i < target.nprobes; i++) {
		struct ep_probe_record *r = &target.probes[i];

		if (r->spec.transport == EP_UDP &&
		    r->res.outcome == EP_OUT_TIMEOUT) {
			r->res.outcome = EP_OUT_ICMP;
			r->res.icmp_type = 3;
			r->res.icmp_code = 3;
			r->res.sys_errno = ECONNREFUSED;
		}
	}
	ep_verdict(&target);
	assert_true(has("NO_REPLY_TCP_RESET"));
	assert_non_null(strstr(target.findings[0].summary, "(ICMP port "
	    "unreachable), and TCP port 53 refused"));
	assert_non_null(strstr(target.findings[0].summary, "nothing listens "
	    "on port 53 there"));
}

/* Replies whose content was cut (the snap length, a first fragment
 * alone): their missing OPT is unknown, not missing. */
static void
test_edns_cut_is_unknown(void **state)
{
	struct net n = base_net();

	(void)state;
	n.no_edns = 1;
	plan(4, NULL);
	simulate(&n);
	for (int i = 0; i < target.nprobes; i++)
		target.probes[i].res.reply.status = EP_DNS_TRUNCATED;
	target.nfindings = 0;
	ep_verdict(&target);
	assert_false(has("EDNS_UNSUPPORTED"));
	assert_false(has("EDNS_DROPPED"));
	assert_string_equal(ep_fact_str("edns", target.path.edns),
	    "untested");
}

/* DNS over TCP alone (+tcp, a TCP-only capture): nothing said of UDP. */
static void
test_tcp_only_says_nothing_of_udp(void **state)
{
	struct net n = base_net();

	(void)state;
	plan(4, NULL);
	simulate(&n);
	for (int i = 0; i < target.nprobes; i++)
		if (target.probes[i].spec.transport != EP_TCP)
			target.probes[i].res.outcome = EP_OUT_SKIPPED;
	target.nfindings = 0;
	ep_verdict(&target);
	assert_false(has("UDP_NO_REPLY"));
	/* One UDP query asked and lost: then it is said. */
	target.probes[0].res.outcome = EP_OUT_TIMEOUT;
	target.nfindings = 0;
	ep_verdict(&target);
	assert_true(has("UDP_NO_REPLY"));
}

/* A capture without replies: what it could not see is info, not "down". */
static void
test_capture_no_reply(void **state)
{
	struct net n = base_net();

	(void)state;
	n.dead = 1;
	plan(4, NULL);
	simulate(&n);
	target.capture = 1;
	target.timeout_ms = 0;		/* analyze */
	for (int i = 0; i < target.nprobes; i++)
		target.probes[i].res.waited_ms = 300;
	target.nfindings = 0;
	ep_verdict(&target);
	assert_true(has("CAPTURE_NO_REPLY"));
	assert_false(has("NO_REPLY"));
	assert_non_null(strstr(target.findings[0].summary, "in the 0.3 s"));
	/* Long enough, with other servers heard: the server is silent. */
	for (int i = 0; i < target.nprobes; i++)
		target.probes[i].res.waited_ms = 6000;
	target.nfindings = 0;
	ep_verdict(&target);
	assert_true(has("NO_REPLY"));
	assert_non_null(strstr(target.findings[0].summary, "in the 6.0 s"));
	/* One direction only: nothing can be said, however long. */
	target.one_way = 1;
	target.nfindings = 0;
	ep_verdict(&target);
	assert_true(has("CAPTURE_NO_REPLY"));
	assert_false(has("NO_REPLY"));
	/* Cut exchanges only: said as such. */
	target.one_way = 0;
	target.cut_exchanges = 3;
	target.nfindings = 0;
	ep_verdict_capture_gaps(&target);
	assert_true(has("CAPTURE_INCOMPLETE"));
	assert_non_null(strstr(target.findings[0].summary, "3 exchanges"));
}

static void
test_unreachable(void **state)
{
	struct net n = base_net();

	(void)state;
	n.unreach = 1;
	plan(4, NULL);
	simulate(&n);
	assert_true(has("UNREACHABLE"));
}

static void
test_small_answers_untested(void **state)
{
	struct net n = base_net();

	(void)state;
	n.size[EP_SUBJ_LARGE] = 900;
	n.frag_drop = 1;	/* invisible: nothing needs fragments */
	plan(4, "TXT");
	simulate(&n);
	assert_true(has("LARGE_UNTESTED"));
	assert_int_equal(ep_verdict_worst(&target), EP_SEV_INFO);
	assert_string_equal(ep_fact_str("frag_in", target.path.frag_in),
	    "untested");
}

/*
 * Frag drop with a complete capture: what the wire saw of each lost probe
 * decides the finding.  kind 0: nothing; 1: first fragments only; 2:
 * complete datagrams; 3: headless datagrams (target level).
 */
static void
frag_wire(int kind, int capture)
{
	struct net n = base_net();

	n.frag_drop = 1;
	plan(4, NULL);
	simulate(&n);
	target.capture = capture;
	for (int i = 0; i < target.nprobes; i++) {
		struct ep_probe_record *r = &target.probes[i];

		r->wire.nframes = 1;
		r->wire.frames[0] = (uint32_t)(100 + i);
		if (r->res.outcome != EP_OUT_TIMEOUT)
			continue;
		if (kind == 1 || kind == 2) {
			r->wire.replies = 3;
			r->wire.frag_dgrams = 3;
			r->wire.frag_complete = kind == 2 ? 3 : 0;
		}
	}
	if (kind == 3) {
		target.orphan_dgrams = 6;
		target.orphan_frames[0] = 7;
		target.norphan_frames = 1;
	}
	ep_verdict(&target);
}

static const struct ep_finding *
get(const char *id)
{
	for (int i = 0; i < target.nfindings; i++)
		if (strcmp(ep_finding_name(target.findings[i].id), id) == 0)
			return &target.findings[i];
	fail_msg("no finding %s", id);
	return &target.findings[0];	/* not reached */
}

static void
test_wire_nothing_arrived(void **state)
{
	const struct ep_finding *f;

	(void)state;
	frag_wire(0, 1);
	f = get("FRAG_IN_DROPPED");
	assert_non_null(strstr(f->summary, "capture saw no fragment"));
	/* The frames of the cited probes are cited too. */
	assert_true(f->nframes >= f->nprobes);
	assert_string_equal(ep_fact_str("frag_in", target.path.frag_in),
	    "drop");
}

static void
test_wire_nonfirst_dropped(void **state)
{
	(void)state;
	frag_wire(1, 1);
	assert_true(has("FRAG_NONFIRST_DROPPED"));
	assert_false(has("FRAG_IN_DROPPED"));
	assert_string_equal(ep_fact_str("frag_in", target.path.frag_in),
	    "partial");
}

static void
test_wire_complete_not_delivered(void **state)
{
	(void)state;
	frag_wire(2, 1);
	assert_true(has("ANSWER_NOT_DELIVERED"));
	assert_false(has("FRAG_IN_DROPPED"));
	assert_false(has("FRAG_NONFIRST_DROPPED"));
}

static void
test_wire_headless(void **state)
{
	const struct ep_finding *f;
	int cited = 0;

	(void)state;
	frag_wire(3, 1);
	f = get("FRAG_FIRST_DROPPED");
	for (int i = 0; i < f->nframes; i++)
		cited |= f->frames[i] == 7;
	assert_true(cited);
}

/* A capture that dropped frames earns no wire distinction, and says so. */
static void
test_wire_incomplete_capture(void **state)
{
	(void)state;
	frag_wire(1, -1);
	assert_true(has("FRAG_IN_DROPPED"));
	assert_false(has("FRAG_NONFIRST_DROPPED"));
	assert_true(has("CAPTURE_INCOMPLETE"));
	/* Without a capture at all, wire counts are ignored. */
	frag_wire(2, 0);
	assert_true(has("FRAG_IN_DROPPED"));
	assert_false(has("ANSWER_NOT_DELIVERED"));
	assert_false(has("CAPTURE_INCOMPLETE"));
}

static void
test_icmp_too_big(void **state)
{
	struct net n = base_net();
	const struct ep_finding *f;

	(void)state;
	plan(4, NULL);
	simulate(&n);
	target.capture = 1;
	target.ptb.family = 4;
	target.ptb.type = 3;
	target.ptb.code = 4;
	target.ptb.mtu = 1280;
	target.ptb.frame = 42;
	memcpy(target.ptb.from, "\xc6\x33\x64\x02", 4);
	ep_verdict(&target);
	f = get("ICMP_TOO_BIG");
	assert_int_equal(f->severity, EP_SEV_INFO);
	assert_non_null(strstr(f->summary, "198.51.100.2"));
	assert_non_null(strstr(f->summary, "1280"));
	assert_int_equal(f->frames[0], 42);
	assert_int_equal(ep_verdict_worst(&target), EP_SEV_INFO);
	assert_null(strstr(f->summary, "forged"));

	/* MTUs no next hop can have (the hostile server's icmp-frag-*):
	 * below IPv4's 68, and not below the route's own MTU. */
	for (int i = 0; i < 2; i++) {
		plan(4, NULL);
		simulate(&n);
		target.capture = 1;
		target.ptb.family = 4;
		target.ptb.type = 3;
		target.ptb.code = 4;
		target.ptb.mtu = i == 0 ? 67 : 1500;
		target.ptb.frame = 42;
		ep_verdict(&target);
		f = get("ICMP_TOO_BIG");
		assert_int_equal(f->severity, EP_SEV_WARNING);
		assert_non_null(strstr(f->summary, "forged"));
	}
}

/*
 * Replies came, but none was an answer (the hostile server's wrong-id,
 * ptr-loop, malformed-edns): the server's replies are broken, not the
 * path blocking UDP or EDNS.
 */
static void
test_bad_replies(void **state)
{
	struct net n = base_net();

	(void)state;
	for (int edns_only = 0; edns_only <= 1; edns_only++)
		for (int mal = 0; mal <= 1; mal++) {
			plan(4, NULL);
			simulate(&n);
			for (int i = 0; i < target.nprobes; i++) {
				struct ep_probe_record *r = &target.probes[i];

				if (r->spec.transport != EP_UDP ||
				    (edns_only && !r->spec.edns))
					continue;
				memset(&r->res.reply, 0, sizeof(r->res.reply));
				r->res.outcome = mal ? EP_OUT_MALFORMED :
				    EP_OUT_TIMEOUT;
				r->res.ignored = mal ? 0 : 3;
			}
			ep_verdict(&target);
			assert_true(has("UDP_BAD_REPLIES"));
			assert_false(has("UDP_NO_REPLY"));
			assert_false(has("EDNS_DROPPED"));
		}
	/* Timeouts with no reply at all stay what they were. */
	plan(4, NULL);
	simulate(&n);
	for (int i = 0; i < target.nprobes; i++)
		if (target.probes[i].spec.transport == EP_UDP) {
			target.probes[i].res.outcome = EP_OUT_TIMEOUT;
			target.probes[i].res.ignored =
			    target.probes[i].spec.id == 1;
		}
	ep_verdict(&target);
	assert_true(has("UDP_NO_REPLY"));
	assert_false(has("UDP_BAD_REPLIES"));
}

/* Connected, then reset or a malformed answer on every TCP probe (the
 * hostile server's tcp-rst, tcp-len-short): TCP is not "ok". */
static void
test_tcp_broken_after_connect(void **state)
{
	struct net n = base_net();

	(void)state;
	for (int mal = 0; mal <= 1; mal++) {
		plan(4, NULL);
		simulate(&n);
		for (int i = 0; i < target.nprobes; i++) {
			struct ep_probe_record *r = &target.probes[i];

			if (r->spec.transport != EP_TCP)
				continue;
			r->res.connected = 1;
			r->res.outcome = mal ? EP_OUT_MALFORMED : EP_OUT_RESET;
		}
		ep_verdict(&target);
		assert_int_equal(target.path.tcp, EP_FACT_PARTIAL);
		assert_true(has("TCP_NO_ANSWER"));
		assert_false(has("TCP_RESET"));
		assert_false(has("TCP_LARGE_LOST"));
		assert_non_null(strstr(get("TCP_NO_ANSWER")->summary, mal ?
		    "malformed" : "reset"));
	}
}

/* IPv6 fragments lost, IPv4 ones from the same server pass. */
static void
test_frag6_only(void **state)
{
	static struct ep_target two[2];
	struct ep_report r;
	struct net n = base_net();
	int found = 0;

	(void)state;
	plan(4, NULL);
	simulate(&n);
	two[0] = target;
	n.frag_drop = 1;
	plan(6, NULL);
	simulate(&n);
	two[1] = target;
	memset(&r, 0, sizeof(r));
	r.targets = two;
	r.ntargets = 2;
	ep_verdict_report(&r);
	for (int i = 0; i < two[1].nfindings; i++)
		found |= strcmp(ep_finding_name(two[1].findings[i].id),
		    "FRAG6_ONLY_DROPPED") == 0;
	assert_true(found);
	assert_int_equal(two[0].nfindings, 0);
}

static void
te(struct ep_probe_record *r, uint8_t router)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&r->res.icmp_from;

	r->res.outcome = EP_OUT_ICMP;
	r->res.icmp_type = 11;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(0xc6336400u | router);	/* 198.51.100.x */
}

/*
 * The target at server ("@ADDR" of family) planned by the raw modules
 * (fragout, pmtu, hops) with TTL probes up to max_hops (a string), its
 * route MTU iface_mtu (0: the kernel said none), over base_net's
 * simulated answers; plan_raw: IPv4's.
 */
static void
plan_raw_to(int family, char *server, char *max_hops, int iface_mtu)
{
	char a0[] = "ednsprobe", a1[] = "path", a3[] = "probe.test";
	char *argv[] = { a0, a1, server, a3, max_hops, NULL };
	struct net n = base_net();
	struct ep_options o;
	struct ep_err err;
	struct ep_measure_set set;
	int id = 100;

	plan(family, NULL);
	if (iface_mtu > 0)
		target.path.iface_mtu = iface_mtu;
	simulate(&n);
	assert_int_equal(ep_options_parse(5, argv, &o, &err), 0);
	assert_int_equal(ep_measures_named("fragout,pmtu,hops", &set), 0);
	assert_int_equal(ep_measure_plan(&set, &o, &target, &id, &err), 0);
}

static void
plan_raw(char *max_hops)
{
	char server[] = "@192.0.2.1";

	plan_raw_to(4, server, max_hops, 0);
}

/* A raw probe of fragout or pmtu: the fragmented ones lost, the rest
 * answered.  0 for a TTL probe (the test's to settle). */
static int
raw_base(struct ep_probe_record *r)
{
	if (r->spec.role == EP_ROLE_HOP)
		return 0;
	if (r->spec.raw == EP_RAW_FRAG)
		r->res.outcome = EP_OUT_TIMEOUT;
	else
		reply(r, 90, 0, 1, 0);
	return 1;
}

/*
 * Raw probes: fragmented queries lost while the whole one passes, and the
 * TTL probes locate it; a hop that stayed silent (ICMP rate limit) before
 * the farthest one that answered does not move the location.
 */
static void
test_raw_frag_out_and_hop(void **state)
{
	char mh[] = "--max-hops=4";

	(void)state;
	plan_raw(mh);
	for (int i = 0; i < target.nprobes; i++) {
		struct ep_probe_record *r = &target.probes[i];
		int frag = r->spec.raw == EP_RAW_FRAG;

		if (r->spec.transport != EP_RAW)
			continue;
		r->res.tries = 3;
		if (raw_base(r))
			continue;
		if (r->spec.ttl == 3 && !frag)
			reply(r, 90, 0, 1, 0);		/* the server */
		else if (r->spec.ttl == 4)
			r->res.outcome = EP_OUT_SKIPPED;
		else if (frag && r->spec.ttl == 1)
			r->res.outcome = EP_OUT_TIMEOUT;	/* rate limit */
		else if (frag && r->spec.ttl == 3)
			r->res.outcome = EP_OUT_TIMEOUT;	/* lost */
		else
			te(r, (uint8_t)r->spec.ttl);
	}
	ep_verdict(&target);
	assert_true(has("FRAG_OUT_DROPPED"));
	assert_true(has("DROP_HOP"));
	assert_string_equal(ep_fact_str("frag_out", target.path.frag_out),
	    "drop");
	assert_int_equal(target.path.server_ttl, 3);
	assert_int_equal(target.path.ndrops, 1);
	assert_int_equal(target.path.drops[0].ttl, 3);
	assert_string_equal(target.path.drops[0].addr, "198.51.100.2");
	assert_string_equal(target.path.drops[0].what, "fragments");
	assert_int_equal(target.path.drops[0].dir, EP_DROP_OUT);
	assert_int_equal(target.path.pmtu, 1500);
	assert_false(has("PMTU_BLACKHOLE"));
}

/*
 * Hop 2 as routers that rate-limit ICMP leave it.  Fragments die at the
 * server's distance (3) and drew a Time Exceeded from hop 1 only; at hop 2
 * the fragmented probe got none, and the others (the small one, the DF
 * one) show whether that router is heard: each on its first try (heard),
 * the small one only on its second (rate-limited), or none at all
 * (silent).  Only a heard hop's silence places the loss there.
 */
enum hop2 { HOP2_HEARD, HOP2_LATE, HOP2_SILENT };

static void
frag_lost_with_hop2(enum hop2 how)
{
	char mh[] = "--max-hops=3";

	plan_raw(mh);
	for (int i = 0; i < target.nprobes; i++) {
		struct ep_probe_record *r = &target.probes[i];
		int frag = r->spec.raw == EP_RAW_FRAG;

		if (r->spec.transport != EP_RAW)
			continue;
		r->res.tries = 1;
		if (raw_base(r))
			continue;
		if (r->spec.ttl == 3 && !frag)
			reply(r, 90, 0, 1, 0);		/* the server */
		else if (frag && r->spec.ttl >= 2) {
			r->res.outcome = EP_OUT_TIMEOUT;
			r->res.tries = 2;
		} else if (r->spec.ttl == 2 && how == HOP2_SILENT) {
			r->res.outcome = EP_OUT_TIMEOUT;
			r->res.tries = 2;
		} else {
			te(r, (uint8_t)r->spec.ttl);
			if (r->spec.ttl == 2 && how == HOP2_LATE &&
			    r->spec.raw == EP_RAW_WHOLE)
				r->res.tries = 2;
		}
	}
	ep_verdict(&target);
	assert_true(has("FRAG_OUT_DROPPED"));
	assert_true(has("DROP_HOP"));
	assert_int_equal(target.path.server_ttl, 3);
	assert_int_equal(target.path.ndrops, 1);
	assert_string_equal(target.path.drops[0].what, "fragments");
	assert_string_equal(target.path.drops[0].addr, "198.51.100.1");
	/* After hop 1 always; exactly at 2 only when hop 2 is heard. */
	assert_int_equal(target.path.drops[0].ttl, 2);
	assert_int_equal(target.path.drops[0].silent, how == HOP2_HEARD ? 0 :
	    1);
}

static void
test_hop_heard(void **state)
{
	(void)state;
	frag_lost_with_hop2(HOP2_HEARD);
	assert_null(strstr(target.findings[target.nfindings - 1].summary,
	    "rate-limited"));
}

static void
test_hop_rate_limited(void **state)
{
	(void)state;
	frag_lost_with_hop2(HOP2_LATE);
	assert_non_null(strstr(target.findings[target.nfindings - 1].summary,
	    "die after hop 1 (198.51.100.1), at one of hops 2-3: hop 2 "
	    "answered TTL probes only in part"));
}

static void
test_hop_silent(void **state)
{
	(void)state;
	frag_lost_with_hop2(HOP2_SILENT);
	assert_non_null(strstr(target.findings[target.nfindings - 1].summary,
	    "hop 2 answered TTL probes only in part or not at all (ICMP "
	    "rate limit or a silent router)"));
}

/*
 * IPv6 over loopback: route MTU 65536, one more than the 16-bit sizes
 * hold.  The largest DF probe is 65535 bytes (it was "DF 0": wrapped),
 * every raw probe has a size, and all answered make the path MTU 65535,
 * no warning (a wrapped probe made a false TWOWAY_MTU_DIFFERS).
 */
static void
test_mtu_65536(void **state)
{
	char server[] = "@2001:db8::1", mh[] = "--max-hops=2";
	long largest = 0;
	int df = 0;

	(void)state;
	plan_raw_to(6, server, mh, 65536);
	for (int i = 0; i < target.nprobes; i++) {
		struct ep_probe_record *r = &target.probes[i];

		if (r->spec.transport != EP_RAW)
			continue;
		assert_true(r->spec.ip_size > 0);
		if (r->spec.raw == EP_RAW_DF) {
			df++;
			assert_true(r->spec.msg_len > 0);
			if (r->spec.ip_size > largest)
				largest = r->spec.ip_size;
		}
		r->res.tries = 1;
		reply(r, 90, 0, 1, 0);
	}
	assert_true(df > 0);
	assert_int_equal(largest, 65535);
	ep_verdict(&target);
	assert_int_equal(target.path.pmtu, 65535);
	/* LARGE_UNTESTED (info) alone: 2000 bytes fit in one packet. */
	assert_true(ep_verdict_worst(&target) < EP_SEV_WARNING);
	assert_false(has("PMTU_REDUCED"));
	assert_false(has("PMTU_BLACKHOLE"));
	assert_int_equal(target.path.iface_mtu, 65536);	/* the fact stays */
}

static void
test_fact_names(void **state)
{
	(void)state;
	assert_string_equal(ep_fact_str("pmtud", EP_FACT_DROPPED),
	    "blackhole");
	assert_string_equal(ep_fact_str("frag_out", EP_FACT_OK), "pass");
	assert_string_equal(ep_fact_str("frag_in", EP_FACT_PARTIAL),
	    "partial");
	assert_string_equal(ep_fact_str("edns", EP_FACT_UNTESTED),
	    "untested");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_oversize),
		cmocka_unit_test(test_badvers),
		cmocka_unit_test(test_option_drop),
		cmocka_unit_test(test_udp_refused),
		cmocka_unit_test(test_one_lost_probe_is_not_a_finding),
		cmocka_unit_test(test_one_lost_connect_is_not_a_finding),
		cmocka_unit_test(test_frag_drop),
		cmocka_unit_test(test_frag_drop_v6),
		cmocka_unit_test(test_frag_drop_without_tcp_uses_tc_bound),
		cmocka_unit_test(test_size_limit_512),
		cmocka_unit_test(test_large_lost_ambiguous),
		cmocka_unit_test(test_edns_drop),
		cmocka_unit_test(test_edns_unsupported),
		cmocka_unit_test(test_tcp_reset),
		cmocka_unit_test(test_tcp_timeout),
		cmocka_unit_test(test_tcp_blackhole),
		cmocka_unit_test(test_no_reply),
		cmocka_unit_test(test_no_reply_tcp_reset),
		cmocka_unit_test(test_edns_cut_is_unknown),
		cmocka_unit_test(test_tcp_only_says_nothing_of_udp),
		cmocka_unit_test(test_capture_no_reply),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_small_answers_untested),
		cmocka_unit_test(test_wire_nothing_arrived),
		cmocka_unit_test(test_wire_nonfirst_dropped),
		cmocka_unit_test(test_wire_complete_not_delivered),
		cmocka_unit_test(test_wire_headless),
		cmocka_unit_test(test_wire_incomplete_capture),
		cmocka_unit_test(test_icmp_too_big),
		cmocka_unit_test(test_bad_replies),
		cmocka_unit_test(test_tcp_broken_after_connect),
		cmocka_unit_test(test_frag6_only),
		cmocka_unit_test(test_raw_frag_out_and_hop),
		cmocka_unit_test(test_hop_heard),
		cmocka_unit_test(test_hop_rate_limited),
		cmocka_unit_test(test_hop_silent),
		cmocka_unit_test(test_mtu_65536),
		cmocka_unit_test(test_fact_names),
	};

	return cmocka_run_group_tests_name("verdict", tests, NULL, NULL);
}
