/* probe/measure/sizes.c: the baselines, the EDNS buffer-size ladder over
 * UDP (RFC 6891) and the same questions over TCP (RFC 7766): is the
 * server there, does EDNS pass, how large an answer comes whole. */
#include <string.h>

#include "engine/query.h"
#include "measure/plan.h"
#include "measure/measures.h"

#define TYPE_SOA	6
#define TYPE_A		1
#define TYPE_DNSKEY	48

static int
owns(const struct ep_probe_spec *s)
{
	return s->ctest == 0 && (s->role == EP_ROLE_BASE ||
	    s->role == EP_ROLE_LADDER || s->role == EP_ROLE_TCPSIZE);
}

/* Phase 1: is the server there, and how far away. */
static int
plan_baselines(const struct ep_options *o, struct ep_target *t, int *next_id)
{
	struct ep_probe_spec *s[3] = { NULL, NULL, NULL };
	int n = 0, want = 0;

	if (o->udp) {
		want += 2;
		s[n++] = ep_plan_add(t, next_id, EP_UDP, EP_ROLE_BASE,
		    EP_SUBJ_SMALL, o->qname, o->qname_len, TYPE_SOA, 0, 0, 0,
		    o);
		s[n++] = ep_plan_add(t, next_id, EP_UDP, EP_ROLE_BASE,
		    EP_SUBJ_SMALL, o->qname, o->qname_len, TYPE_SOA, 1, 1232,
		    0, o);
	}
	if (o->tcp) {
		want++;
		s[n++] = ep_plan_add(t, next_id, EP_TCP, EP_ROLE_BASE,
		    EP_SUBJ_SMALL, o->qname, o->qname_len, TYPE_SOA, 1, 1232,
		    0, o);
	}
	for (int i = 0; i < n; i++) {
		if (s[i] == NULL)
			return 0;
		s[i]->first = 1;
	}
	return n == want;
}

/* Phase 2: the ladder for a large and a medium answer, then TCP. */
static int
plan_ladder(const struct ep_options *o, struct ep_target *t, int *next_id)
{
	uint8_t nx[EP_DNAME_MAX];
	size_t nxlen = 0, lbl = strlen(EP_PLAN_NXLABEL);
	uint16_t large = o->qtype ? o->qtype : TYPE_DNSKEY;
	uint16_t tcpsize = ep_plan_largest(o);
	int ok = 1;

	/* The negative answer: a name that does not exist under NAME. */
	if (1 + lbl + o->qname_len <= EP_DNAME_MAX) {
		nx[0] = (uint8_t)lbl;
		memcpy(nx + 1, EP_PLAN_NXLABEL, lbl);
		memcpy(nx + 1 + lbl, o->qname, o->qname_len);
		nxlen = 1 + lbl + o->qname_len;
	}
	if (o->udp) {
		for (int i = 0; i < o->nsizes; i++)
			ok &= ep_plan_add(t, next_id, EP_UDP, EP_ROLE_LADDER,
			    EP_SUBJ_LARGE, o->qname, o->qname_len, large, 1,
			    o->sizes[i], o->dnssec, o) != NULL;
		for (int i = 0; nxlen && i < o->nsizes; i++)
			ok &= ep_plan_add(t, next_id, EP_UDP, EP_ROLE_LADDER,
			    EP_SUBJ_MEDIUM, nx, nxlen, TYPE_A, 1, o->sizes[i],
			    o->dnssec, o) != NULL;
	}
	if (o->tcp) {
		ok &= ep_plan_add(t, next_id, EP_TCP, EP_ROLE_TCPSIZE,
		    EP_SUBJ_LARGE, o->qname, o->qname_len, large, 1, tcpsize,
		    o->dnssec, o) != NULL;
		if (nxlen)
			ok &= ep_plan_add(t, next_id, EP_TCP,
			    EP_ROLE_TCPSIZE, EP_SUBJ_MEDIUM, nx, nxlen, TYPE_A,
			    1, tcpsize, o->dnssec, o) != NULL;
	}
	return ok;
}

static int
plan(struct ep_mrun *m, enum ep_plan_stage stage, struct ep_err *err)
{
	int ok = stage == EP_PLAN_BASELINE ?
	    plan_baselines(m->o, m->t, m->next_id) :
	    plan_ladder(m->o, m->t, m->next_id);

	if (!ok)
		return ep_err_set(err, EP_EINTERNAL, "more than %d probes",
		    EP_PROBES_MAX);
	return 0;
}

/*
 * analyze: the probes no other module took.  SOA and queries without
 * EDNS are baselines; among the rest, the question with the largest
 * answer is the large subject (and names the target's NAME and TYPE),
 * the others medium.  The fastest baseline gives the baseline RTT.
 */
static int
identify_target(struct ep_target *t)
{
	const struct ep_probe_record *big = NULL;
	long bigsize = -1;

	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *p = &t->probes[i];
		long n = p->res.outcome == EP_OUT_ANSWER ?
		    (long)p->res.reply.length : -1;

		if (p->spec.role == EP_ROLE_NONE &&
		    p->spec.qtype != TYPE_SOA && p->spec.qname_len > 0 &&
		    n > bigsize) {
			bigsize = n;
			big = p;
		}
	}
	for (int i = 0; i < t->nprobes; i++) {
		struct ep_probe_spec *s = &t->probes[i].spec;
		int same = big != NULL && s->qtype == big->spec.qtype &&
		    s->qname_len == big->spec.qname_len &&
		    memcmp(s->qname, big->spec.qname, s->qname_len) == 0;

		if (s->role != EP_ROLE_NONE)
			continue;
		if (s->qtype == TYPE_SOA || s->qname_len == 0) {
			s->subject = EP_SUBJ_SMALL;
			s->role = EP_ROLE_BASE;
			continue;
		}
		s->subject = same || big == NULL ? EP_SUBJ_LARGE :
		    EP_SUBJ_MEDIUM;
		s->role = s->transport == EP_TCP ? EP_ROLE_TCPSIZE :
		    s->edns ? EP_ROLE_LADDER : EP_ROLE_BASE;
	}
	if (big != NULL) {
		ep_dns_name_str(big->spec.qname, big->spec.qname_len, t->name,
		    sizeof(t->name));
		ep_query_type_str(big->spec.qtype, t->qtype_str,
		    sizeof(t->qtype_str));
	}
	/* The baseline RTT: the fastest baseline's. */
	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *p = &t->probes[i];

		if (p->spec.role == EP_ROLE_BASE && p->res.rtt_ms >= 0 &&
		    (t->base_rtt_ms < 0 || p->res.rtt_ms < t->base_rtt_ms))
			t->base_rtt_ms = p->res.rtt_ms;
	}
	return big != NULL;
}

const struct ep_measure ep_measure_sizes = {
	.name = "sizes",
	.path = 1,
	.catch_all = 1,
	.owns = owns,
	.plan = plan,
	.identify_target = identify_target,
};
