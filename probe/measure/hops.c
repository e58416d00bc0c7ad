/* probe/measure/hops.c: where packets die: TTL-limited queries hop by hop
 * (a small one, a large one with DF, a fragmented one), each router's
 * Time Exceeded (RFC 792, RFC 4443) telling how far it got. */
#include <arpa/inet.h>
#include <stdio.h>

#include "measure/finding.h"
#include "measure/plan.h"
#include "measure/verdict.h"
#include "measure/measures.h"

#define TYPE_SOA	6
#define HOP_TRIES	2	/* many probes, mostly answered by routers */

static int
owns(const struct ep_probe_spec *s)
{
	return s->ctest == 0 && s->role == EP_ROLE_HOP;
}

/* A TTL-limited twin of a raw probe just planned (NULL: t was full). */
static int
limit(struct ep_probe_spec *s, int ttl)
{
	if (s == NULL)
		return 0;
	s->ttl = (uint8_t)ttl;
	s->tries = HOP_TRIES;
	return 1;
}

/* Per hop, a small query, a large one with DF and a fragmented one. */
static int
plan(struct ep_mrun *m, enum ep_plan_stage stage, struct ep_err *err)
{
	const struct ep_options *o = m->o;
	struct ep_target *t = m->t;
	int mtu = t->path.iface_mtu > 0 ? t->path.iface_mtu : 1500;
	int hdr = t->family == 4 ? 20 : 40, ok = 1;

	if (stage != EP_PLAN_MAIN || !o->udp || !o->raw)
		return 0;
	for (int ttl = 1; ttl <= o->max_hops; ttl++) {
		struct ep_probe_spec *s;

		/* The small one without EDNS: it must pass where EDNS or
		 * size is the fault, to find the server's distance. */
		s = ep_plan_add(t, m->next_id, EP_RAW, EP_ROLE_HOP,
		    EP_SUBJ_SMALL, o->qname, o->qname_len, TYPE_SOA, 0, 0, 0,
		    o);
		if (s != NULL) {
			s->raw = EP_RAW_WHOLE;
			s->ip_size = (uint16_t)(hdr + 8 + 12 + o->qname_len +
			    4);
		}
		ok &= limit(s, ttl);
		ok &= limit(ep_plan_add_raw(t, m->next_id, EP_ROLE_HOP,
		    EP_RAW_DF, (uint16_t)mtu, 0, o), ttl);
		/* In the larger pieces: fewer packets per hop. */
		ok &= limit(ep_plan_add_raw(t, m->next_id, EP_ROLE_HOP,
		    EP_RAW_FRAG, EP_PLAN_FRAGOUT_SIZE,
		    (uint16_t)(2 * o->frag_size), o), ttl);
	}
	if (!ok)
		return ep_err_set(err, EP_EINTERNAL, "more than %d probes",
		    EP_PROBES_MAX);
	return 0;
}

/*
 * A TTL probe got an answer: the server is ttl hops away, and TTL probes
 * with a larger TTL would only ask it again.  Those not answered yet end
 * now as skipped (the verdict reads hops up to the server only).
 */
static void
next(struct ep_mrun *m, const struct ep_probe_record *done)
{
	struct ep_target *t = m->t;

	if (done->spec.role != EP_ROLE_HOP ||
	    done->res.outcome != EP_OUT_ANSWER || ep_mrun_halted(m))
		return;
	for (int i = 0; i < t->nprobes; i++)
		if (t->probes[i].spec.role == EP_ROLE_HOP &&
		    t->probes[i].spec.ttl > done->spec.ttl &&
		    ep_mrun_started(m, i) && !ep_mrun_over(m, i))
			ep_mrun_end(m, i, EP_OUT_SKIPPED);
}

/* analyze: a raw query whose TTL was limited (pass 1 read it). */
static int
identify(struct ep_probe_spec *s)
{
	if (s->transport != EP_RAW || s->ttl == 0)
		return 0;
	s->subject = EP_SUBJ_SMALL;
	s->role = EP_ROLE_HOP;
	return 1;
}

static int
time_exceeded(const struct ep_probe_record *r)
{
	return r->res.outcome == EP_OUT_ICMP &&
	    ((r->res.icmp_from.ss_family == AF_INET && r->res.icmp_type == 11) ||
	    (r->res.icmp_from.ss_family == AF_INET6 &&
	    r->res.icmp_type == 3));
}

/* The TTL probe of kind raw at ttl, NULL if none ran. */
static const struct ep_probe_record *
hop_probe(const struct ep_view *v, int raw, int ttl)
{
	for (int i = 0; i < v->n; i++) {
		const struct ep_probe_record *r = v->p[i];

		if (r->spec.role == EP_ROLE_HOP && r->spec.raw == raw &&
		    r->spec.ttl == ttl && ep_ran(r))
			return r;
	}
	return NULL;
}

/*
 * Where packets die.  Small TTL probes find the server's distance S (the
 * smallest TTL ep_replied).  A kind (fragments, large DF) whose farthest
 * "TTL exceeded" came from hop H but gets no answer at S, after all its
 * tries, dies after hop H: that router saw it (its TTL ran out there) but
 * nothing after it did.  A kind that meets "too big" is not lost: the
 * path MTU says the rest.
 */
static void
hops(struct ep_target *t, const struct ep_view *v)
{
	/* A kind is located only when its loss is established on its own
	 * (fragmented queries lost while the whole one passed; a path MTU
	 * black hole): otherwise size or EDNS could be the cause. */
	const struct { int raw, lost; const char *what, *name; } kinds[] = {
		{ EP_RAW_FRAG, t->path.frag_out == EP_FACT_DROPPED,
		    "fragments", "Fragmented packets" },
		{ EP_RAW_DF, t->path.pmtud == EP_FACT_DROPPED, "large DF",
		    "Large packets with DF set" },
	};
	const struct ep_probe_record *r, *last;
	struct ep_finding *f;
	struct ep_drop *d;
	char from[64];
	int srv = 0;

	for (int ttl = 1; ttl <= EP_HOPS_MAX && srv == 0; ttl++)
		if ((r = hop_probe(v, EP_RAW_WHOLE, ttl)) != NULL &&
		    ep_replied(r))
			srv = ttl;
	t->path.server_ttl = srv;
	if (srv == 0)
		return;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		const struct ep_probe_record *at_srv =
		    hop_probe(v, kinds[k].raw, srv);
		int h = 0;

		if (!kinds[k].lost || at_srv == NULL ||
		    at_srv->res.outcome != EP_OUT_TIMEOUT)
			continue;
		/* The farthest hop that returned it: routers rate-limit
		 * ICMP, so a silent hop before it is no proof of loss. */
		last = NULL;
		for (int ttl = 1; ttl < srv; ttl++) {
			r = hop_probe(v, kinds[k].raw, ttl);
			if (r != NULL && time_exceeded(r)) {
				h = ttl;
				last = r;
			}
		}
		d = ep_drop_add(t, kinds[k].what, EP_DROP_OUT, h + 1, last ?
		    ep_sockaddr_str(&last->res.icmp_from, from, sizeof(from)) :
		    NULL, 0);
		if (last != NULL)
			f = ep_finding_add(t, EP_F_DROP_HOP, "%s die after hop %d (%s): that router returns "
			    "them when their TTL runs out there, but they "
			    "never reach hop %d%s, while small packets reach "
			    "the server %d hops away", kinds[k].name, h,
			    d->addr, h + 1, h + 1 == srv ?
			    " (the server)" : "", srv);
		else
			f = ep_finding_add(t, EP_F_DROP_HOP, "%s die before hop 1: not even the first router "
			    "returns them when their TTL runs out, while small "
			    "packets reach the server %d hops away: this "
			    "host or its first link drops them",
			    kinds[k].name, srv);
		ep_finding_advise(f, "Look at the filters of the router at hop %d and "
		    "of the link after it (%s); the capture has the ICMP "
		    "'TTL exceeded' of each hop.", h ? h : 1,
		    d->addr[0] ? d->addr : "first hop");
		for (int ttl = 1; ttl <= srv; ttl++) {
			if ((r = hop_probe(v, kinds[k].raw, ttl)) != NULL)
				ep_finding_cite(f, r);
			if ((r = hop_probe(v, EP_RAW_WHOLE, ttl)) != NULL)
				ep_finding_cite(f, r);
		}
		break;	/* one location: the first kind that dies */
	}
}

static void
verdict(struct ep_target *t, const struct ep_view *v,
    enum ep_judge_stage stage)
{
	if (stage == EP_JUDGE_MAIN && v->replied)
		hops(t, v);
}

const struct ep_measure ep_measure_hops = {
	.name = "hops",
	.path = 1,
	.owns = owns,
	.plan = plan,
	.next = next,
	.identify = identify,
	.verdict = verdict,
};
