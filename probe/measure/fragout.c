/* probe/measure/fragout.c: do fragmented queries reach the server?  The
 * same padded query whole and in IP fragments of two sizes (RFC 791,
 * RFC 8200 section 4.5), through the raw socket. */
#include "measure/plan.h"
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
 * TTL-limited and not DF. */
static int
identify(struct ep_probe_spec *s)
{
	if (s->transport != EP_RAW || s->ttl != 0 || s->raw == EP_RAW_DF)
		return 0;
	s->subject = EP_SUBJ_SMALL;
	s->role = EP_ROLE_FRAGOUT;
	return 1;
}

const struct ep_measure ep_measure_fragout = {
	.name = "fragout",
	.path = 1,
	.owns = owns,
	.plan = plan,
	.identify = identify,
};
