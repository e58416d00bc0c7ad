/* probe/measure/ednsopt.c: do queries with EDNS options pass the path?
 * The EDNS baseline asked again with a client cookie (RFC 7873) and DO, as
 * a validating resolver asks; unanswered over UDP, the same over TCP tells
 * a filter on the path from a server that ignores them. */
#include "engine/query.h"
#include <arpa/inet.h>
#include <stdio.h>

#include "measure/finding.h"
#include "measure/plan.h"
#include "measure/verdict.h"
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
identify(const struct ep_target *t, struct ep_probe_spec *s)
{
	(void)t;
	if (s->transport == EP_RAW || !(s->qtype == TYPE_SOA ||
	    s->qname_len == 0) || !s->edns || s->opts_len == 0)
		return 0;
	s->subject = EP_SUBJ_SMALL;
	s->role = EP_ROLE_OPTION;
	return 1;
}

/*
 * The EDNS baseline asked again with a client cookie and DO, as a
 * validating resolver asks: unanswered over UDP while the question
 * without the option was answered (and a DO query too), queries that
 * carry an option are dropped.  Its TCP twin (run.c asks it then) tells
 * where: ep_replied, a filter on the path; silent while TCP answers the
 * rest, the server ignores them; no twin, either.
 */
static void
options(struct ep_target *t, const struct ep_view *v)
{
	const struct ep_probe_record *opt = NULL, *twin = NULL, *base = NULL;
	const struct ep_probe_record *dok = NULL;
	struct ep_finding *f;
	int nopt = 0, lost = 0;

	for (int i = 0; i < v->n; i++) {
		const struct ep_probe_record *r = v->p[i];

		if (r->spec.role == EP_ROLE_OPTION) {
			if (r->spec.transport == EP_UDP) {
				opt = r;
				nopt++;
				lost += ep_timed_out(r);
			} else if (r->spec.transport == EP_TCP && ep_ran(r))
				twin = r;
		} else if (r->spec.transport == EP_UDP &&
		    r->spec.opts_len == 0 && r->spec.edns &&
		    r->res.outcome == EP_OUT_ANSWER) {
			if (r->spec.role == EP_ROLE_BASE)
				base = r;
			if (r->spec.dnssec_ok)
				dok = r;
		}
	}
	/* Every UDP option query lost all its tries: not random loss. */
	if (opt == NULL || base == NULL || dok == NULL || lost < nopt ||
	    t->path.edns != EP_FACT_OK)
		return;
	if (twin != NULL && twin->res.outcome != EP_OUT_ANSWER &&
	    t->path.tcp == EP_FACT_OK) {
		f = ep_finding_add(t, EP_F_EDNS_OPTION_IGNORED, "The server ignores queries with an EDNS option (a "
		    "cookie, as resolvers send): unanswered over UDP (%d x %d "
		    "tries) and TCP, while the same without it is answered",
		    nopt, opt->res.tries);
		ep_finding_advise(f, "Fix or upgrade the server (or the "
		    "load balancer in front of it): RFC 6891 says unknown "
		    "options are ignored, not the query; resolvers otherwise "
		    "time out, retry without EDNS and lose DNSSEC and large "
		    "answers.");
	} else {
		int path = twin != NULL && twin->res.outcome == EP_OUT_ANSWER;

		f = ep_finding_add(t, EP_F_EDNS_OPTION_DROPPED, "UDP queries with an EDNS option (a cookie, as resolvers "
		    "send) go unanswered (%d x %d tries) while the same "
		    "without it, and with DO, are answered: %s", nopt,
		    opt->res.tries,
		    path ? "a filter on the path drops them (TCP got the "
		    "answer)" : "dropped by a filter on the path or by the "
		    "server itself (no TCP twin to tell)");
		ep_finding_advise(f, "Find the firewall or DNS-inspection "
		    "rule that drops DNS queries with EDNS options (cookies, "
		    "NSID, client subnet, padding) and fix or remove it: RFC "
		    "6891 says unknown options are ignored, not dropped; "
		    "resolvers otherwise retry without EDNS and lose DNSSEC "
		    "and large answers.");
	}
	ep_finding_cite(f, base);
	for (int i = 0; i < v->n; i++)
		if (v->p[i]->spec.role == EP_ROLE_OPTION &&
		    ep_ran(v->p[i]))
			ep_finding_cite(f, v->p[i]);
}

static void
verdict(struct ep_target *t, const struct ep_view *v,
    enum ep_judge_stage stage)
{
	if (stage == EP_JUDGE_FIRST && v->replied)
		options(t, v);
}

const struct ep_measure ep_measure_ednsopt = {
	.name = "ednsopt",
	.path = 1,
	.own_wait = 1,
	.owns = owns,
	.plan = plan,
	.next = next,
	.identify = identify,
	.verdict = verdict,
};
