/* probe/measure/exthdr.c: do IPv6 packets behind an extension header reach
 * the server?  A small query behind a Destination Options header and one
 * behind a Hop-by-Hop Options header (RFC 8200 4.3, 4.6; 8 bytes of PadN
 * each), twice each, through the raw socket: RFC 7872 found a large share
 * of paths dropping them. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "measure/finding.h"
#include "measure/plan.h"
#include "measure/verdict.h"
#include "measure/measures.h"

#define EH_TWINS	2	/* per kind: one lost by chance is no fault */
#define ICMP6_PARAM	4	/* ICMPv6 Parameter Problem (RFC 4443 3.4) */

/* The kinds, in the order they are planned and reported. */
static const struct eh_kind {
	uint8_t		 eh;		/* EP_EH_* */
	const char	*name;		/* for people */
} kinds[] = {
	{ EP_EH_DST, "Destination Options" },
	{ EP_EH_HBH, "Hop-by-Hop Options" },
};
#define NKINDS	(sizeof(kinds) / sizeof(kinds[0]))

static int
owns(const struct ep_probe_spec *s)
{
	return s->ctest == 0 && s->role == EP_ROLE_EH;
}

/* Per header kind two queries (interleaved, so a burst of loss takes no
 * kind whole); IPv6 targets only. */
static int
plan(struct ep_mrun *m, enum ep_plan_stage stage, struct ep_err *err)
{
	const struct ep_options *o = m->o;

	if (stage != EP_PLAN_MAIN || !o->udp || !o->raw || m->t->family != 6)
		return 0;
	for (int i = 0; i < EH_TWINS; i++)
		for (size_t k = 0; k < NKINDS; k++)
			if (ep_plan_add_eh(m->t, m->next_id, EP_ROLE_EH,
			    kinds[k].eh, o) == NULL)
				return ep_err_set(err, EP_EINTERNAL, "more "
				    "than %d probes", EP_PROBES_MAX);
	return 0;
}

/* analyze: a raw query that carried a Hop-by-Hop or Destination Options
 * header (pass 1 read the chain), not TTL-limited (those are hops'). */
static int
identify(const struct ep_target *t, struct ep_probe_spec *s)
{
	(void)t;
	if (s->transport != EP_RAW || s->eh == 0 || s->ttl != 0)
		return 0;
	s->subject = EP_SUBJ_SMALL;
	s->role = EP_ROLE_EH;
	return 1;
}

static enum ep_fact *
fact_of(struct ep_target *t, uint8_t eh)
{
	return eh == EP_EH_DST ? &t->path.eh_dst : &t->path.eh_hbh;
}

/*
 * The twin without a header: a raw query in one packet, no extension
 * header, answered (the raw socket and the path carry our packets).  The
 * small one without EDNS (a TTL probe that reached the server) first,
 * else any (the outbound fragment test's whole query).
 */
static const struct ep_probe_record *
plain(const struct ep_view *v)
{
	const struct ep_probe_record *any = NULL;

	for (int i = 0; i < v->n; i++) {
		const struct ep_probe_record *r = v->p[i];

		if (r->spec.transport != EP_RAW || r->spec.eh != 0 ||
		    r->spec.raw != EP_RAW_WHOLE || !ep_replied(r))
			continue;
		if (!r->spec.edns)
			return r;
		if (any == NULL)
			any = r;
	}
	return any;
}

/*
 * Per kind: answered once -> pass.  Every query of the kind (two at
 * least) lost after all its tries, or refused by an ICMP error, while the
 * plain twin was answered -> drop.  Anything else (not sent, malformed,
 * no plain twin) leaves it untested.
 */
static void
judge(struct ep_target *t, const struct ep_view *v)
{
	const struct ep_probe_record *base = plain(v), *icmp = NULL;
	const struct eh_kind *dead[NKINDS];
	struct ep_finding *f;
	char names[96] = "", from[64], why[192] = "";
	int ndead = 0, tries = 0;

	for (size_t k = 0; k < NKINDS; k++) {
		int nran = 0, nlost = 0, pass = 0;

		for (int i = 0; i < v->n; i++) {
			const struct ep_probe_record *r = v->p[i];

			if (r->spec.role != EP_ROLE_EH ||
			    r->spec.eh != kinds[k].eh || !ep_ran(r))
				continue;
			nran++;
			pass |= ep_replied(r);
			nlost += ep_timed_out(r) ||
			    r->res.outcome == EP_OUT_ICMP;
			if (r->res.outcome == EP_OUT_ICMP && icmp == NULL)
				icmp = r;
			if (ep_timed_out(r) && r->res.tries > tries)
				tries = r->res.tries;
		}
		if (pass)
			*fact_of(t, kinds[k].eh) = EP_FACT_OK;
		else if (base != NULL && nran >= EH_TWINS && nlost == nran) {
			*fact_of(t, kinds[k].eh) = EP_FACT_DROPPED;
			dead[ndead++] = &kinds[k];
		}
	}
	if (ndead == 0)
		return;
	for (int i = 0; i < ndead; i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
		    "%s%s", i == 0 ? "" : " or a ", dead[i]->name);
	if (icmp != NULL)
		snprintf(why, sizeof(why), "; %s sent ICMPv6 %s (type %d code "
		    "%d) about one", ep_sockaddr_str(&icmp->res.icmp_from,
		    from, sizeof(from)), icmp->res.icmp_type == ICMP6_PARAM ?
		    "Parameter Problem" : icmp->res.icmp_type == 1 ?
		    "Destination Unreachable" : "error", icmp->res.icmp_type,
		    icmp->res.icmp_code);
	f = ep_finding_add(t, EP_F_EH_DROPPED, "IPv6 packets with a %s "
	    "header do not reach the server: %d small queries behind %s got "
	    "no answer (%d tries each%s), while a query sent the same way "
	    "without one (probe %d) was answered", names, EH_TWINS,
	    ndead > 1 ? "each header" : "it", tries ? tries : 1, why,
	    base->spec.id);
	ep_finding_advise(f, "A router or firewall on the path drops IPv6 "
	    "packets carrying %s (RFC 7872 measured it on many paths; RFC "
	    "9098 on why it hurts).  DNS over UDP and TCP does not need "
	    "them today, but applications and protocols that use IPv6 "
	    "options do; look for extension-header filters (\"exthdr\", "
	    "\"ipv6 header\" ACLs) on the path.", ndead > 1 ? "these headers"
	    : "this header");
	for (int i = 0; i < v->n; i++) {
		const struct ep_probe_record *r = v->p[i];

		for (int k = 0; k < ndead; k++)
			if (r->spec.role == EP_ROLE_EH &&
			    r->spec.eh == dead[k]->eh && ep_ran(r))
				ep_finding_cite(f, r);
	}
	ep_finding_cite(f, base);
}

static void
verdict(struct ep_target *t, const struct ep_view *v,
    enum ep_judge_stage stage)
{
	/* FIRST: the facts are there for the MAIN verdicts (hops). */
	if (stage == EP_JUDGE_FIRST && v->replied)
		judge(t, v);
}

const struct ep_measure ep_measure_exthdr = {
	.name = "exthdr",
	.path = 1,
	/* Its loss is the finding: another probe's answer shortens nothing. */
	.own_wait = 1,
	.owns = owns,
	.plan = plan,
	.identify = identify,
	.verdict = verdict,
};
