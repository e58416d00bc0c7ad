/* probe/measure/fragout.c: do fragmented queries reach the server?  The
 * same padded query whole and in IP fragments of two sizes (RFC 791,
 * RFC 8200 section 4.5), through the raw socket. */
#include <arpa/inet.h>
#include <stdio.h>

#include "measure/finding.h"
#include "measure/plan.h"
#include "measure/verdict.h"
#include "measure/measures.h"

static int
owns(const struct ep_probe_spec *s)
{
	return s->ctest == 0 && s->role == EP_ROLE_FRAGOUT;
}

/* The same query whole, in 5 fragments and in 3: two fragmented twins,
 * so random loss is not a fault. */
static int
plan(struct ep_mrun *m, enum ep_plan_stage stage, struct ep_err *err)
{
	const struct ep_options *o = m->o;
	int ok = 1;

	if (stage != EP_PLAN_MAIN || !o->udp || !o->raw)
		return 0;
	ok &= ep_plan_add_raw(m->t, m->next_id, EP_ROLE_FRAGOUT, EP_RAW_WHOLE,
	    EP_PLAN_FRAGOUT_SIZE, 0, o) != NULL;
	ok &= ep_plan_add_raw(m->t, m->next_id, EP_ROLE_FRAGOUT, EP_RAW_FRAG,
	    EP_PLAN_FRAGOUT_SIZE, o->frag_size, o) != NULL;
	ok &= ep_plan_add_raw(m->t, m->next_id, EP_ROLE_FRAGOUT, EP_RAW_FRAG,
	    EP_PLAN_FRAGOUT_SIZE, (uint16_t)(2 * o->frag_size), o) != NULL;
	if (!ok)
		return ep_err_set(err, EP_EINTERNAL, "more than %d probes",
		    EP_PROBES_MAX);
	return 0;
}

/* analyze: a raw query (pass 1 read its shape off the wire) that is not
 * TTL-limited, not DF and behind no IPv6 extension header (exthdr's). */
static int
identify(const struct ep_target *t, struct ep_probe_spec *s)
{
	(void)t;
	if (s->transport != EP_RAW || s->ttl != 0 || s->raw == EP_RAW_DF ||
	    s->eh != 0)
		return 0;
	s->subject = EP_SUBJ_SMALL;
	s->role = EP_ROLE_FRAGOUT;
	return 1;
}

static int
is_fragout(const struct ep_probe_record *r)
{
	return r->spec.role == EP_ROLE_FRAGOUT && ep_ran(r);
}

/*
 * Outbound fragments: the same padded query whole and in fragments.  The
 * whole one must be answered for the fragmented one to mean anything.
 */
static void
frag_out(struct ep_target *t, const struct ep_view *v)
{
	const struct ep_probe_record *whole = NULL, *frag = NULL;
	int nfrag = 0, lost = 0;
	struct ep_finding *f;

	for (int i = 0; i < v->n; i++) {
		const struct ep_probe_record *r = v->p[i];

		if (r->spec.role != EP_ROLE_FRAGOUT || !ep_ran(r))
			continue;
		if (r->spec.raw != EP_RAW_FRAG) {
			whole = r;
			continue;
		}
		nfrag++;
		frag = r;
		if (ep_replied(r)) {
			t->path.frag_out = EP_FACT_OK;
			return;
		}
		lost += r->res.outcome == EP_OUT_TIMEOUT;
	}
	/* Every fragmented twin lost after all tries, the whole one not. */
	if (whole == NULL || !ep_replied(whole) || nfrag == 0 || lost < nfrag)
		return;
	t->path.frag_out = EP_FACT_DROPPED;
	f = ep_finding_add(t, EP_F_FRAG_OUT_DROPPED, "Fragmented queries are lost: a %u-byte query in fragments got "
	    "no answer in %d fragmented forms after %d tries each, while the "
	    "same query in one packet was answered", frag->spec.ip_size,
	    nfrag, frag->res.tries);
	ep_finding_advise(f, "Allow IP fragments toward the server (IPv4 fragments, the "
	    "IPv6 Fragment header) on the firewalls of the path; large "
	    "queries (DNS UPDATE, big EDNS options) and some resolvers' "
	    "queries need them.");
	ep_cite_all(f, v, EP_RAW, -1, is_fragout);
}

static void
verdict(struct ep_target *t, const struct ep_view *v,
    enum ep_judge_stage stage)
{
	if (stage == EP_JUDGE_MAIN && v->replied)
		frag_out(t, v);
}

const struct ep_measure ep_measure_fragout = {
	.name = "fragout",
	.path = 1,
	.owns = owns,
	.plan = plan,
	.identify = identify,
	.verdict = verdict,
};
