/* probe/measure/hops.c: where packets die: TTL-limited twins of the
 * path's probes, hop by hop, each router's Time Exceeded (RFC 792, RFC
 * 4443) telling how far a kind of packet got.
 *
 * Small, large DF and fragmented queries go out on every path (the small
 * ones find the server's distance).  A kind another measurement found
 * lost (TCP/53 SYNs, EDNS queries, queries with an EDNS option, IPv6
 * queries behind an extension header) gets a
 * ladder of its own once its loss is seen, up to the server only: no
 * extra probe on a clean path.  Routers rate-limit ICMP (Linux: a burst
 * of 6, then 1 per second per destination), so the hop a kind seems to
 * die at is asked once more, spread over more than a second, before it is
 * named; a hop that answers no TTL probe at all is reported as silent,
 * never taken for the place of the loss. */
#include <arpa/inet.h>
#include <stdio.h>

#include "engine/query.h"
#include "measure/finding.h"
#include "measure/plan.h"
#include "measure/verdict.h"
#include "measure/measures.h"

#define TYPE_SOA	6
#define HOP_TRIES	2	/* many probes, mostly answered by routers */
/* A recheck: three sends over 1.8 s, the last more than a second after
 * the first, when a rate-limited router has a token again. */
#define RECHECK_TRIES	3
#define RECHECK_WAIT_MS	1800
#define RECHECK_ROUNDS	2	/* a recheck may move the hop once */
#define HOP_WAIT_MIN_MS	250	/* as run.c's raw probes' EVIDENCE_MIN_MS */

/* The kinds of packet located hop by hop. */
enum hop_kind {
	HK_SMALL,	/* SOA without EDNS: the reference, never lost */
	HK_DF,		/* the largest size, DF set */
	HK_FRAG,	/* the fragment test's query, in fragments */
	HK_TCP,		/* a TCP/53 SYN */
	HK_EDNS,	/* a small query with EDNS */
	HK_OPTION,	/* a small query with EDNS and a client cookie */
	HK_EH_DST,	/* IPv6: the small one behind Destination Options */
	HK_EH_HBH,	/* IPv6: the small one behind Hop-by-Hop Options */
	HK_COUNT
};

static const struct {
	const char	*what;		/* JSON: path.drop_hop[].what */
	const char	*name;		/* text */
	int		 always;	/* its ladder goes out on every path */
} kinds[HK_COUNT] = {
	[HK_SMALL] = { "small", "Small queries", 1 },
	[HK_DF] = { "large-df", "Large packets with DF set", 1 },
	[HK_FRAG] = { "fragments", "Fragmented packets", 1 },
	[HK_TCP] = { "tcp-syn", "TCP/53 SYNs", 0 },
	[HK_EDNS] = { "edns", "Queries with EDNS", 0 },
	[HK_OPTION] = { "edns-option", "Queries with an EDNS option", 0 },
	[HK_EH_DST] = { "eh-dst-opts", "IPv6 packets with a Destination "
	    "Options header", 0 },
	[HK_EH_HBH] = { "eh-hop-by-hop", "IPv6 packets with a Hop-by-Hop "
	    "Options header", 0 },
};

/* What the live run planned (the engine zeroes it per target). */
struct hop_state {
	uint8_t		 ladder[HK_COUNT];	/* follow-up ladder planned */
	uint8_t		 rounds[HK_COUNT];	/* rechecks made */
	uint8_t		 asked[HK_COUNT];	/* the hop last rechecked */
};

static int
owns(const struct ep_probe_spec *s)
{
	return s->ctest == 0 && s->role == EP_ROLE_HOP;
}

/* The kind of a hop probe, by its shape: the same live and offline. */
static enum hop_kind
kind_of(const struct ep_probe_spec *s)
{
	if (s->transport == EP_TCP)
		return HK_TCP;
	if (s->eh & EP_EH_HBH)
		return HK_EH_HBH;
	if (s->eh & EP_EH_DST)
		return HK_EH_DST;
	if (s->raw == EP_RAW_DF)
		return HK_DF;
	if (s->raw == EP_RAW_FRAG)
		return HK_FRAG;
	if (s->edns && s->opts_len > 0)
		return HK_OPTION;
	return s->edns ? HK_EDNS : HK_SMALL;
}

/* A TTL-limited probe of kind k at ttl, at the end of t (NULL: full). */
static struct ep_probe_spec *
add(const struct ep_options *o, struct ep_target *t, int *next_id,
    enum hop_kind k, int ttl)
{
	int mtu = ep_plan_mtu(t);
	int hdr = t->family == 4 ? 20 : 40;
	struct ep_probe_spec *s = NULL;

	switch (k) {
	case HK_DF:
		s = ep_plan_add_raw(t, next_id, EP_ROLE_HOP, EP_RAW_DF,
		    (uint16_t)mtu, 0, o);
		break;
	case HK_FRAG:
		/* In the larger pieces: fewer packets per hop. */
		s = ep_plan_add_raw(t, next_id, EP_ROLE_HOP, EP_RAW_FRAG,
		    EP_PLAN_FRAGOUT_SIZE, (uint16_t)(2 * o->frag_size), o);
		break;
	case HK_TCP:
		s = ep_plan_add(t, next_id, EP_TCP, EP_ROLE_HOP,
		    EP_SUBJ_SMALL, o->qname, o->qname_len, TYPE_SOA, 0, 0, 0,
		    o);
		break;
	case HK_EH_DST:
	case HK_EH_HBH:
		s = ep_plan_add_eh(t, next_id, EP_ROLE_HOP, k == HK_EH_DST ?
		    EP_EH_DST : EP_EH_HBH, o);
		break;
	default:
		/* The small one without EDNS must pass where EDNS or size
		 * is the fault, to find the server's distance. */
		s = ep_plan_add(t, next_id, EP_RAW, EP_ROLE_HOP,
		    EP_SUBJ_SMALL, o->qname, o->qname_len, TYPE_SOA,
		    k != HK_SMALL, 1232, k == HK_OPTION, o);
		if (s == NULL)
			break;
		if (k == HK_OPTION)	/* as ednsopt.c's cookie query */
			ep_query_put_cookie(s, NULL, 0);
		s->raw = EP_RAW_WHOLE;
		s->ip_size = (uint16_t)(hdr + 8 + 12 + o->qname_len + 4 +
		    (k != HK_SMALL ? 11 + s->opts_len : 0));
		break;
	}
	if (s != NULL) {
		s->ttl = (uint8_t)ttl;
		s->tries = HOP_TRIES;
	}
	return s;
}

/* Per hop, a small query, a large one with DF and a fragmented one. */
static int
plan(struct ep_mrun *m, enum ep_plan_stage stage, struct ep_err *err)
{
	const struct ep_options *o = m->o;

	if (stage != EP_PLAN_MAIN || !o->udp || !o->raw)
		return 0;
	for (int ttl = 1; ttl <= o->max_hops; ttl++)
		for (int k = 0; k < HK_COUNT; k++)
			if (kinds[k].always &&
			    add(o, m->t, m->next_id, k, ttl) == NULL)
				return ep_err_set(err, EP_EINTERNAL,
				    "more than %d probes", EP_PROBES_MAX);
	return 0;
}

static int
time_exceeded(const struct ep_probe_record *r)
{
	return r->res.outcome == EP_OUT_ICMP &&
	    ((r->res.icmp_from.ss_family == AF_INET && r->res.icmp_type == 11) ||
	    (r->res.icmp_from.ss_family == AF_INET6 &&
	    r->res.icmp_type == 3));
}

/*
 * The server's distance: the smallest TTL a small hop probe was answered
 * at, once every small one below it is over (live: started and ended;
 * offline, over is NULL: all are).  0: not known (yet).
 */
static int
server_distance(struct ep_probe_record *const *p, int n,
    const struct ep_mrun *m)
{
	int srv = 0;

	for (int i = 0; i < n; i++)
		if (p[i]->spec.role == EP_ROLE_HOP &&
		    kind_of(&p[i]->spec) == HK_SMALL && ep_replied(p[i]) &&
		    (srv == 0 || p[i]->spec.ttl < srv))
			srv = p[i]->spec.ttl;
	if (m == NULL || srv == 0)
		return srv;
	for (int i = 0; i < n; i++)
		if (p[i]->spec.role == EP_ROLE_HOP &&
		    kind_of(&p[i]->spec) == HK_SMALL && p[i]->spec.ttl < srv &&
		    !ep_mrun_over(m, i))
			return 0;
	return srv;
}

/*
 * Live: is kind k seen lost yet, by the probes over so far (the same
 * signs the verdict reads, before it runs)?  TCP: a connect that timed
 * out while UDP was answered; EDNS: the EDNS baseline lost while the
 * plain one was answered; an option: every cookie query lost while the
 * EDNS baseline was answered.
 */
static int
seen_lost(const struct ep_mrun *m, enum hop_kind k)
{
	const struct ep_target *t = m->t;
	int lost = 0, ok = 0, nopt = 0, optlost = 0;

	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];
		int over = ep_mrun_over(m, i);

		if (r->spec.ctest != 0 || r->spec.role == EP_ROLE_HOP)
			continue;
		switch (k) {
		case HK_TCP:
			lost |= over && r->spec.transport == EP_TCP &&
			    r->spec.role != EP_ROLE_OPTION &&
			    r->res.outcome == EP_OUT_TIMEOUT &&
			    !r->res.connected;
			ok |= r->spec.transport == EP_UDP && ep_replied(r);
			break;
		case HK_EDNS:
			if (r->spec.role != EP_ROLE_BASE ||
			    r->spec.transport != EP_UDP)
				break;
			lost |= over && r->spec.edns &&
			    r->res.outcome == EP_OUT_TIMEOUT;
			ok |= !r->spec.edns && ep_replied(r);
			break;
		case HK_OPTION:
			if (r->spec.transport != EP_UDP)
				break;
			if (r->spec.role == EP_ROLE_OPTION) {
				nopt++;
				optlost += over &&
				    r->res.outcome == EP_OUT_TIMEOUT;
			} else if (r->spec.role == EP_ROLE_BASE &&
			    r->spec.edns && ep_replied(r))
				ok = 1;
			break;
		case HK_EH_DST:
		case HK_EH_HBH:
			/* exthdr.c's queries of the kind, every one lost
			 * (or refused by ICMP), a raw one without a header
			 * answered. */
			if (r->spec.transport != EP_RAW)
				break;
			if (r->spec.role == EP_ROLE_EH &&
			    (r->spec.eh & EP_EH_HBH ? HK_EH_HBH : HK_EH_DST)
			    == k) {
				nopt++;
				optlost += over && (r->res.outcome ==
				    EP_OUT_TIMEOUT || r->res.outcome ==
				    EP_OUT_ICMP);
			} else if (r->spec.eh == 0 && ep_replied(r))
				ok = 1;
			break;
		default:
			return 0;
		}
	}
	if (k == HK_OPTION || k == HK_EH_DST || k == HK_EH_HBH)
		return ok && nopt > 0 && optlost == nopt;
	return lost && ok;
}

/*
 * Hop ttl's router, as its answers to the TTL probes show: 0 silent (no
 * Time Exceeded at all), 1 rate-limited (one came only on a later try, or
 * a kind that went farther got none there), 2 heard (every kind that
 * went farther got its Time Exceeded on the first try).  Only a heard
 * hop's silence about a kind says the kind did not get there.
 */
static int
hop_state(struct ep_probe_record *const *p, int n, int ttl)
{
	int far[HK_COUNT] = { 0 }, te = 0, late = 0, missing = 0;

	for (int i = 0; i < n; i++)
		if (p[i]->spec.role == EP_ROLE_HOP && p[i]->spec.ttl > ttl &&
		    (time_exceeded(p[i]) || ep_replied(p[i])))
			far[kind_of(&p[i]->spec)] = 1;
	for (int i = 0; i < n; i++) {
		const struct ep_probe_record *r = p[i];

		if (r->spec.role != EP_ROLE_HOP || r->spec.ttl != ttl ||
		    !ep_ran(r))
			continue;
		if (time_exceeded(r)) {
			te = 1;
			late |= r->res.tries > 1;
		} else if (far[kind_of(&r->spec)])
			missing = 1;
	}
	return !te ? 0 : late || missing ? 1 : 2;
}

/* The farthest hop below the server whose Time Exceeded of kind k came
 * back (0: none); *last its probe. */
static int
farthest(struct ep_probe_record *const *p, int n, enum hop_kind k, int srv,
    const struct ep_probe_record **last)
{
	int h = 0;

	if (last != NULL)
		*last = NULL;
	for (int i = 0; i < n; i++)
		if (p[i]->spec.role == EP_ROLE_HOP && p[i]->spec.ttl < srv &&
		    kind_of(&p[i]->spec) == k && time_exceeded(p[i]) &&
		    p[i]->spec.ttl > h) {
			h = p[i]->spec.ttl;
			if (last != NULL)
				*last = p[i];
		}
	return h;
}

/*
 * Once every probe of kind k below the server is over: the farthest hop
 * that returned it (h), and h + 1 (not the server) returned none of it.
 * Unless h + 1 is heard (its router answered everything else on the
 * first try), a rate-limited router may have kept that one to itself:
 * ask hop h + 1 again, spread over more than a second, with a small query
 * too when nothing at all came back from it (the kind first, so that it
 * gets the router's next token).  Again once if that moved h.
 */
static void
recheck(struct ep_mrun *m, struct hop_state *st, enum hop_kind k, int srv,
    struct ep_probe_record *const *view)
{
	struct ep_target *t = m->t;
	int h, any = 0, state, lost_at_srv = !kinds[k].always;

	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];

		if (r->spec.role != EP_ROLE_HOP || kind_of(&r->spec) != k)
			continue;
		if (r->spec.ttl < srv || (r->spec.ttl == srv &&
		    kinds[k].always)) {
			if (!ep_mrun_over(m, i))
				return;		/* not yet */
			any = 1;
		}
		/* An always-sent kind: only when lost at the server's
		 * distance. */
		lost_at_srv |= r->spec.ttl == srv &&
		    r->res.outcome == EP_OUT_TIMEOUT;
	}
	h = farthest(view, t->nprobes, k, srv, NULL);
	if (!any || !lost_at_srv || h + 1 >= srv ||
	    (st->rounds[k] > 0 && st->asked[k] == h + 1))
		return;
	state = hop_state(view, t->nprobes, h + 1);
	if (state == 2)
		return;		/* heard: its silence about k is a fact */
	st->rounds[k]++;
	st->asked[k] = (uint8_t)(h + 1);
	for (int pass = 0; pass < 1 + (state == 0); pass++) {
		struct ep_probe_spec *s = add(m->o, t, m->next_id,
		    pass == 0 ? k : HK_SMALL, h + 1);

		if (s == NULL)
			return;
		s->tries = RECHECK_TRIES;
		s->wait_ms = RECHECK_WAIT_MS;
	}
}

/* A TTL-limited connect's wait: two baseline round trips, at least
 * HOP_WAIT_MIN_MS, at most the target's timeout. */
static uint16_t
hop_wait(const struct ep_target *t)
{
	double w = 2 * (t->base_rtt_ms > 0 ? t->base_rtt_ms : 0);

	if (w < HOP_WAIT_MIN_MS)
		w = HOP_WAIT_MIN_MS;
	if (t->timeout_ms > 0 && w > t->timeout_ms)
		w = t->timeout_ms;
	return (uint16_t)w;
}

/*
 * A probe of the target is over.  A TTL probe that got an answer: the
 * server is ttl hops away, and TTL probes with a larger TTL would only
 * ask it again: those not answered yet end now as skipped (the verdict
 * reads hops up to the server only).  Then: a kind newly seen lost gets
 * its ladder (hops 1 .. server - 1), and a kind whose ladder is over has
 * its drop hop rechecked.
 */
static void
next(struct ep_mrun *m, const struct ep_probe_record *done)
{
	struct ep_target *t = m->t;
	struct hop_state *st = m->state;
	struct ep_probe_record *view[EP_PROBES_MAX];
	int srv;

	if (ep_mrun_halted(m))
		return;
	if (done->spec.role == EP_ROLE_HOP &&
	    done->res.outcome == EP_OUT_ANSWER)
		for (int i = 0; i < t->nprobes; i++)
			if (t->probes[i].spec.role == EP_ROLE_HOP &&
			    t->probes[i].spec.ttl > done->spec.ttl &&
			    ep_mrun_started(m, i) && !ep_mrun_over(m, i))
				ep_mrun_end(m, i, EP_OUT_SKIPPED);
	for (int i = 0; i < t->nprobes; i++)
		view[i] = &t->probes[i];
	if ((srv = server_distance(view, t->nprobes, m)) < 2)
		return;		/* no router to locate anything at */
	for (int k = 0; k < HK_COUNT; k++) {
		if (k == HK_SMALL)
			continue;
		if (!kinds[k].always && !st->ladder[k] && seen_lost(m, k) &&
		    (k != HK_TCP || m->o->tcp)) {
			st->ladder[k] = 1;
			for (int ttl = 1; ttl < srv; ttl++) {
				struct ep_probe_spec *s = add(m->o, t,
				    m->next_id, k, ttl);

				if (s == NULL)
					return;
				/* A router's Time Exceeded is due within a
				 * round trip or two, as for raw probes. */
				if (k == HK_TCP)
					s->wait_ms = hop_wait(t);
			}
		}
		if ((kinds[k].always || st->ladder[k]) &&
		    st->rounds[k] < RECHECK_ROUNDS)
			recheck(m, st, k, srv, view);
	}
}

/* analyze: a query whose TTL was limited (pass 1 read it). */
static int
identify(const struct ep_target *t, struct ep_probe_spec *s)
{
	(void)t;
	if (s->ttl == 0 || (s->transport != EP_RAW &&
	    s->transport != EP_TCP))
		return 0;
	s->subject = EP_SUBJ_SMALL;
	s->role = EP_ROLE_HOP;
	return 1;
}

/* Is kind k lost, by the facts the other measurements established? */
static int
lost(const struct ep_target *t, enum hop_kind k)
{
	switch (k) {
	case HK_FRAG:
		return t->path.frag_out == EP_FACT_DROPPED;
	case HK_DF:
		return t->path.pmtud == EP_FACT_DROPPED;
	case HK_TCP:
		return t->path.tcp == EP_FACT_DROPPED;
	case HK_EDNS:
		return t->path.edns == EP_FACT_DROPPED;
	case HK_OPTION:
		return ep_finding_has(t, EP_F_EDNS_OPTION_DROPPED);
	case HK_EH_DST:
		return t->path.eh_dst == EP_FACT_DROPPED;
	case HK_EH_HBH:
		return t->path.eh_hbh == EP_FACT_DROPPED;
	default:
		return 0;
	}
}

/*
 * Where kind k dies, the server srv hops away.  Its farthest Time
 * Exceeded came from hop h: that router saw it (its TTL ran out there),
 * nothing after it did.  The hops after h that returned no TTL probe of
 * any kind are silent (rate limits, a router that never answers): the
 * kind dies at one of them or at the first that did answer.  The
 * always-sent kinds must also be lost at the server's own distance
 * (their TTL probe there unanswered); a kind that met "too big" is not
 * lost: the path MTU says the rest.
 */
/* A probe of kind k ran at ttl. */
static int
probed(const struct ep_view *v, enum hop_kind k, int ttl)
{
	for (int i = 0; i < v->n; i++)
		if (v->p[i]->spec.role == EP_ROLE_HOP &&
		    v->p[i]->spec.ttl == ttl && kind_of(&v->p[i]->spec) == k &&
		    ep_ran(v->p[i]))
			return 1;
	return 0;
}

static void
locate(struct ep_target *t, const struct ep_view *v, enum hop_kind k,
    int srv)
{
	const struct ep_probe_record *last;
	struct ep_finding *f;
	struct ep_drop *d;
	char from[64], sil[32];
	int h, silent = 0, any = 0, at_srv = !kinds[k].always;

	for (int i = 0; i < v->n; i++) {
		const struct ep_probe_record *r = v->p[i];

		if (r->spec.role != EP_ROLE_HOP || kind_of(&r->spec) != k ||
		    !ep_ran(r))
			continue;
		if (r->spec.ttl == srv && r->res.outcome == EP_OUT_TIMEOUT)
			at_srv = 1;
		if (r->spec.ttl < srv)
			any = 1;
	}
	if (!any || !at_srv)
		return;
	h = farthest(v->p, v->n, k, srv, &last);
	/* Hops after h that are not heard, or where no probe of k ran (a
	 * full plan), cannot say k did not get there. */
	while (h + 1 + silent < srv &&
	    (hop_state(v->p, v->n, h + 1 + silent) != 2 ||
	    !probed(v, k, h + 1 + silent)))
		silent++;
	d = ep_drop_add(t, kinds[k].what, EP_DROP_OUT, h + 1, last ?
	    ep_sockaddr_str(&last->res.icmp_from, from, sizeof(from)) :
	    NULL, silent);
	if (d == NULL)
		return;
	if (silent > 0) {
		/* Not heard: the loss is somewhere in hops h+1 .. h+1+silent. */
		if (silent == 1)
			snprintf(sil, sizeof(sil), "hop %d", h + 1);
		else
			snprintf(sil, sizeof(sil), "hops %d-%d", h + 1,
			    h + silent);
		if (last != NULL)
			f = ep_finding_add(t, EP_F_DROP_HOP, "%s die after "
			    "hop %d (%s), at one of hops %d-%d: %s answered "
			    "TTL probes only in part or not at all (ICMP rate "
			    "limit or a silent router); small packets reach "
			    "the server %d hops away", kinds[k].name, h,
			    d->addr, h + 1, h + 1 + silent, sil, srv);
		else
			f = ep_finding_add(t, EP_F_DROP_HOP, "%s die at one "
			    "of hops 1-%d: no router returned them, and %s "
			    "answered TTL probes only in part or not at all "
			    "(ICMP rate limit or a silent router); small "
			    "packets reach the server %d hops away",
			    kinds[k].name, 1 + silent, sil, srv);
	} else if (last != NULL)
		f = ep_finding_add(t, EP_F_DROP_HOP, "%s die after hop %d "
		    "(%s): that router returns them when their TTL runs out "
		    "there, but they never reach hop %d%s, while small "
		    "packets reach the server %d hops away", kinds[k].name,
		    h, d->addr, h + 1, h + 1 == srv ? " (the server)" : "",
		    srv);
	else
		f = ep_finding_add(t, EP_F_DROP_HOP, "%s die before hop 1: "
		    "not even the first router returns them when their TTL "
		    "runs out, while small packets reach the server %d hops "
		    "away: this host or its first link drops them",
		    kinds[k].name, srv);
	ep_finding_advise(f, "Look at the filters of the router at hop %d "
	    "and of the link after it (%s); the capture has the ICMP 'TTL "
	    "exceeded' of each hop.", h ? h : 1, d->addr[0] ? d->addr :
	    "first hop");
	/* Hop by hop: its probes, then the small ones. */
	for (int ttl = 1; ttl <= srv; ttl++)
		for (int pass = 0; pass < 2; pass++)
			for (int i = 0; i < v->n; i++) {
				const struct ep_probe_record *r = v->p[i];

				if (r->spec.role == EP_ROLE_HOP &&
				    r->spec.ttl == ttl && ep_ran(r) &&
				    kind_of(&r->spec) == (pass ? HK_SMALL :
				    k))
					ep_finding_cite(f, r);
			}
}

static void
hops(struct ep_target *t, const struct ep_view *v)
{
	int srv = server_distance(v->p, v->n, NULL);

	t->path.server_ttl = srv;
	if (srv == 0)
		return;
	for (int k = 0; k < HK_COUNT; k++)
		if (lost(t, k))
			locate(t, v, k, srv);
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
	.state_size = sizeof(struct hop_state),
	.owns = owns,
	.plan = plan,
	.next = next,
	.identify = identify,
	.verdict = verdict,
};
