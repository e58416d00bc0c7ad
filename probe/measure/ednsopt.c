/* probe/measure/ednsopt.c: do queries with EDNS options pass the path?
 * The EDNS baseline asked again with a client cookie (RFC 7873) and DO, as
 * a validating resolver asks; unanswered over UDP, the same over TCP tells
 * a filter on the path from a server that ignores them. */
#include "engine/query.h"
#include "measure/plan.h"
#include "measure/measures.h"

#define TYPE_SOA	6

static int
owns(const struct ep_probe_spec *s)
{
	return s->ctest == 0 && s->role == EP_ROLE_OPTION;
}

/*
 * Planned with the baselines, sent in phase 2: filters that drop queries
 * whose OPT carries options break resolvers while plain EDNS passes.  (DO
 * keeps it unlike every compliance test's shape.)  Two of them, each with
 * its tries: random loss is not a filter.
 */
static int
plan(struct ep_mrun *m, enum ep_plan_stage stage, struct ep_err *err)
{
	const struct ep_options *o = m->o;

	if (stage != EP_PLAN_BASELINE || !o->udp)
		return 0;
	for (int k = 0; k < EP_PLAN_OPTION_TWINS; k++) {
		struct ep_probe_spec *s = ep_plan_add(m->t, m->next_id, EP_UDP,
		    EP_ROLE_OPTION, EP_SUBJ_SMALL, o->qname, o->qname_len,
		    TYPE_SOA, 1, 1232, 1, o);

		if (s == NULL)
			return ep_err_set(err, EP_EINTERNAL, "more than %d "
			    "probes", EP_PROBES_MAX);
		ep_query_put_cookie(s, NULL, 0);
	}
	return 0;
}

int
ep_plan_option_tcp(struct ep_target *t, int *next_id,
    const struct ep_probe_spec *udp)
{
	struct ep_probe_spec *s = ep_plan_new_probe(t, next_id);
	int id;

	if (s == NULL)
		return -1;
	id = s->id;
	*s = *udp;
	s->id = id;
	s->transport = EP_TCP;
	return 0;
}

/*
 * Every UDP option query is done and none was answered (each lost all
 * its tries): the same query over TCP tells a filter on the path from a
 * server that ignores options (the verdict).
 */
static void
next(struct ep_mrun *m, const struct ep_probe_record *done)
{
	const struct ep_probe_spec *udp = NULL;
	struct ep_target *t = m->t;

	if (done->spec.role != EP_ROLE_OPTION ||
	    done->spec.transport != EP_UDP)
		return;
	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];

		if (r->spec.role != EP_ROLE_OPTION)
			continue;
		if (r->spec.transport != EP_UDP || !ep_mrun_over(m, i) ||
		    r->res.outcome != EP_OUT_TIMEOUT)
			return;
		udp = &r->spec;
	}
	if (udp != NULL && m->o->tcp && !ep_mrun_halted(m))
		ep_plan_option_tcp(t, m->next_id, udp);
}

/* analyze: path's cookie query (SOA with an option; not a raw probe's
 * padding). */
static int
identify(struct ep_probe_spec *s)
{
	if (s->transport == EP_RAW || !(s->qtype == TYPE_SOA ||
	    s->qname_len == 0) || !s->edns || s->opts_len == 0)
		return 0;
	s->subject = EP_SUBJ_SMALL;
	s->role = EP_ROLE_OPTION;
	return 1;
}

const struct ep_measure ep_measure_ednsopt = {
	.name = "ednsopt",
	.path = 1,
	.own_wait = 1,
	.owns = owns,
	.plan = plan,
	.next = next,
	.identify = identify,
};
