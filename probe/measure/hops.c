/* probe/measure/hops.c: where packets die: TTL-limited queries hop by hop
 * (a small one, a large one with DF, a fragmented one), each router's
 * Time Exceeded (RFC 792, RFC 4443) telling how far it got. */
#include "measure/plan.h"
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

const struct ep_measure ep_measure_hops = {
	.name = "hops",
	.path = 1,
	.owns = owns,
	.plan = plan,
	.next = next,
	.identify = identify,
};
