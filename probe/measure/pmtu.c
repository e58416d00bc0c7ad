/* probe/measure/pmtu.c: the path MTU toward the server and PMTUD black
 * holes (RFC 1191, RFC 8201): padded queries with DF by size, through
 * the raw socket, a second round narrowing the gap. */
#include <arpa/inet.h>
#include <stdio.h>

#include "measure/finding.h"
#include "measure/plan.h"
#include "measure/verdict.h"
#include "measure/measures.h"

struct pmtu_state {
	int	rounds;		/* DF rounds after the first, started */
};

static int
owns(const struct ep_probe_spec *s)
{
	return s->ctest == 0 && s->role == EP_ROLE_PMTU;
}

/* First round: DF at the usual MTUs up to the route's. */
static int
plan(struct ep_mrun *m, enum ep_plan_stage stage, struct ep_err *err)
{
	static const uint16_t pmtu[] = { 1280, 1400, 1450, 1480 };
	const struct ep_options *o = m->o;
	int mtu = ep_plan_mtu(m->t);
	int ok = 1;

	if (stage != EP_PLAN_MAIN || !o->udp || !o->raw)
		return 0;
	for (size_t i = 0; i < sizeof(pmtu) / sizeof(pmtu[0]); i++)
		if (pmtu[i] < mtu)
			ok &= ep_plan_add_raw(m->t, m->next_id, EP_ROLE_PMTU,
			    EP_RAW_DF, pmtu[i], 0, o) != NULL;
	ok &= ep_plan_add_raw(m->t, m->next_id, EP_ROLE_PMTU, EP_RAW_DF,
	    (uint16_t)mtu, 0, o) != NULL;
	if (!ok)
		return ep_err_set(err, EP_EINTERNAL, "more than %d probes",
		    EP_PROBES_MAX);
	return 0;
}

int
ep_plan_pmtu_next(const struct ep_target *t, uint16_t *sizes, int max)
{
	long pass = 0, fail = 65536, icmp = 0;
	int n = 0;

	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];
		long sz = r->spec.ip_size;

		if (r->spec.role != EP_ROLE_PMTU)
			continue;
		if (r->res.outcome == EP_OUT_ANSWER ||
		    r->res.outcome == EP_OUT_TRUNCATED) {
			if (sz > pass)
				pass = sz;
		} else if (r->res.outcome == EP_OUT_ICMP && r->res.icmp_mtu) {
			if (sz < fail)
				fail = sz;
			if (icmp == 0 || r->res.icmp_mtu < icmp)
				icmp = r->res.icmp_mtu;
		} else if (r->res.outcome == EP_OUT_TIMEOUT && sz < fail)
			fail = sz;
	}
	if (pass == 0 || fail == 65536 || fail <= pass)
		return 0;
	/* A router named the MTU: check exactly that size. */
	if (icmp > pass && icmp < fail) {
		sizes[n++] = (uint16_t)icmp;
		return n;
	}
	/* Otherwise split the gap in max + 1 parts (a k-ary bisection). */
	for (int k = 1; k <= max && fail - pass > 8; k++) {
		long sz = pass + (fail - pass) * k / (max + 1);

		if (sz > pass && sz < fail && (n == 0 || sz != sizes[n - 1]))
			sizes[n++] = (uint16_t)sz;
	}
	return n;
}

/*
 * A round of DF probes is over: the next one narrows the path MTU (the
 * size a router reported, or the gap split again): one round after the
 * first, so the whole search costs about two waits.
 */
static void
next(struct ep_mrun *m, const struct ep_probe_record *done)
{
	struct pmtu_state *st = m->state;
	uint16_t sizes[EP_PLAN_PMTU_NEXT];
	struct ep_target *t = m->t;
	int n;

	if (done->spec.role != EP_ROLE_PMTU || ep_mrun_phase(m) != 2)
		return;
	for (int i = 0; i < t->nprobes; i++)
		if (t->probes[i].spec.role == EP_ROLE_PMTU &&
		    !ep_mrun_over(m, i))
			return;
	if (st->rounds >= 1 || ep_mrun_halted(m))
		return;
	n = ep_plan_pmtu_next(t, sizes, EP_PLAN_PMTU_NEXT);
	for (int k = 0; k < n; k++)
		if (ep_plan_add_raw(t, m->next_id, EP_ROLE_PMTU, EP_RAW_DF,
		    sizes[k], 0, m->o) == NULL)
			break;
	st->rounds++;
}

/* analyze: a raw query with DF that is not TTL-limited. */
static int
identify(const struct ep_target *t, struct ep_probe_spec *s)
{
	(void)t;
	if (s->transport != EP_RAW || s->ttl != 0 || s->raw != EP_RAW_DF)
		return 0;
	s->subject = EP_SUBJ_SMALL;
	s->role = EP_ROLE_PMTU;
	return 1;
}

static int
is_pmtu(const struct ep_probe_record *r)
{
	return r->spec.role == EP_ROLE_PMTU && ep_ran(r);
}

/*
 * Path MTU from the DF probes: the largest size answered; ICMP
 * frag-needed / packet-too-big for a larger one means discovery works, a
 * larger one lost without any ICMP is a black hole.
 */
static void
pmtu(struct ep_target *t, const struct ep_view *v)
{
	long pass = 0, silent = 0, toobig = 0, icmp_mtu = 0;
	const struct ep_probe_record *best = NULL;
	struct ep_finding *f;
	int mtu = t->path.iface_mtu;

	for (int i = 0; i < v->n; i++) {
		const struct ep_probe_record *r = v->p[i];
		long sz = r->spec.ip_size;

		if (r->spec.role != EP_ROLE_PMTU || !ep_ran(r))
			continue;
		if (ep_replied(r) && sz > pass) {
			pass = sz;
			best = r;
		} else if (r->res.outcome == EP_OUT_ICMP && r->res.icmp_mtu) {
			if (toobig == 0 || sz < toobig)
				toobig = sz;
			if (icmp_mtu == 0 || r->res.icmp_mtu < icmp_mtu)
				icmp_mtu = r->res.icmp_mtu;
		} else if (r->res.outcome == EP_OUT_TIMEOUT &&
		    (silent == 0 || sz < silent))
			silent = sz;
	}
	if (best == NULL)
		return;
	t->path.pmtu = pass;
	if (toobig > pass)
		t->path.pmtud = EP_FACT_OK;
	if (silent > pass && (toobig == 0 || silent < toobig) &&
	    icmp_mtu == 0) {
		t->path.pmtud = EP_FACT_DROPPED;
		f = ep_finding_add(t, EP_F_PMTU_BLACKHOLE, "Packets with DF set vanish above %ld bytes without any "
		    "ICMP 'too big': a path MTU black hole (a %ld-byte probe "
		    "got no answer after all tries, %ld bytes did)", pass,
		    silent, pass);
		ep_finding_advise(f, "Let ICMP 'fragmentation needed' (type 3 code 4) "
		    "and ICMPv6 'packet too big' through the firewalls of the "
		    "path, or lower the MTU / clamp the TCP MSS to %ld on the "
		    "link that needs it.", pass);
		ep_cite_all(f, v, EP_RAW, -1, is_pmtu);
	} else if (pass < mtu && toobig > pass) {
		f = ep_finding_add(t, EP_F_PMTU_REDUCED, "The path MTU toward %s is %ld bytes, below this host's "
		    "%d: a router reported %ld (ICMP), and path MTU discovery "
		    "works", t->addr_str, pass, mtu, icmp_mtu);
		ep_finding_advise(f, "Nothing to fix while ICMP gets through; answers "
		    "over %ld bytes are fragmented or need TCP.", pass);
		ep_cite_all(f, v, EP_RAW, -1, is_pmtu);
	}
}

static void
verdict(struct ep_target *t, const struct ep_view *v,
    enum ep_judge_stage stage)
{
	if (stage == EP_JUDGE_MAIN && v->replied)
		pmtu(t, v);
}

const struct ep_measure ep_measure_pmtu = {
	.name = "pmtu",
	.path = 1,
	.state_size = sizeof(struct pmtu_state),
	.owns = owns,
	.plan = plan,
	.next = next,
	.identify = identify,
	.verdict = verdict,
};
