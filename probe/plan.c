/* probe/plan.c: the probes of one target: baseline, EDNS ladder (RFC 6891),
 * TCP (RFC 7766). */
#include <string.h>

#include "plan.h"

#define TYPE_SOA	6
#define TYPE_A		1
#define TYPE_DNSKEY	48

static struct ep_probe_spec *
add(struct ep_target *t, int *next_id, enum ep_transport tr, enum ep_role role,
    enum ep_subject subj, const uint8_t *qname, size_t qlen, uint16_t qtype,
    int edns, uint16_t bufsize, int dnssec_ok, const struct ep_options *o)
{
	struct ep_probe_spec *s;

	if (t->nprobes == EP_PROBES_MAX)
		return NULL;
	memset(&t->probes[t->nprobes], 0, sizeof(t->probes[0]));
	t->probes[t->nprobes].res.rtt_ms = -1;
	t->probes[t->nprobes].res.connect_ms = -1;
	s = &t->probes[t->nprobes++].spec;
	s->id = (*next_id)++;
	s->transport = tr;
	s->role = role;
	s->subject = subj;
	memcpy(s->qname, qname, qlen);
	s->qname_len = qlen;
	s->qtype = qtype;
	s->edns = edns;
	s->bufsize = edns ? bufsize : 0;
	s->dnssec_ok = edns && dnssec_ok;
	s->recurse = o->recurse;
	return s;
}

int
ep_plan_path(const struct ep_options *o, struct ep_target *t, int *next_id,
    struct ep_err *err)
{
	uint8_t nx[EP_DNAME_MAX];
	size_t nxlen = 0, lbl = strlen(EP_PLAN_NXLABEL);
	uint16_t large = o->qtype ? o->qtype : TYPE_DNSKEY, tcpsize = 0;
	int ok = 1;

	/* The negative answer: a name that does not exist under NAME. */
	if (1 + lbl + o->qname_len <= EP_DNAME_MAX) {
		nx[0] = (uint8_t)lbl;
		memcpy(nx + 1, EP_PLAN_NXLABEL, lbl);
		memcpy(nx + 1 + lbl, o->qname, o->qname_len);
		nxlen = 1 + lbl + o->qname_len;
	}
	for (int i = 0; i < o->nsizes; i++)
		if (o->sizes[i] > tcpsize)
			tcpsize = o->sizes[i];

	/* Phase 1: is the server there, and how far away. */
	if (o->udp) {
		ok &= add(t, next_id, EP_UDP, EP_ROLE_BASE, EP_SUBJ_SMALL,
		    o->qname, o->qname_len, TYPE_SOA, 0, 0, 0, o) != NULL;
		ok &= add(t, next_id, EP_UDP, EP_ROLE_BASE, EP_SUBJ_SMALL,
		    o->qname, o->qname_len, TYPE_SOA, 1, 1232, 0, o) != NULL;
	}
	if (o->tcp)
		ok &= add(t, next_id, EP_TCP, EP_ROLE_BASE, EP_SUBJ_SMALL,
		    o->qname, o->qname_len, TYPE_SOA, 1, 1232, 0, o) != NULL;

	/* Phase 2: the ladder for a large and a medium answer, then TCP. */
	if (o->udp) {
		for (int i = 0; i < o->nsizes; i++)
			ok &= add(t, next_id, EP_UDP, EP_ROLE_LADDER,
			    EP_SUBJ_LARGE, o->qname, o->qname_len, large, 1,
			    o->sizes[i], o->dnssec, o) != NULL;
		for (int i = 0; nxlen && i < o->nsizes; i++)
			ok &= add(t, next_id, EP_UDP, EP_ROLE_LADDER,
			    EP_SUBJ_MEDIUM, nx, nxlen, TYPE_A, 1, o->sizes[i],
			    o->dnssec, o) != NULL;
	}
	if (o->tcp) {
		ok &= add(t, next_id, EP_TCP, EP_ROLE_TCPSIZE, EP_SUBJ_LARGE,
		    o->qname, o->qname_len, large, 1, tcpsize, o->dnssec, o)
		    != NULL;
		if (nxlen)
			ok &= add(t, next_id, EP_TCP, EP_ROLE_TCPSIZE,
			    EP_SUBJ_MEDIUM, nx, nxlen, TYPE_A, 1, tcpsize,
			    o->dnssec, o) != NULL;
	}
	if (!ok)
		return ep_err_set(err, EP_EINTERNAL, "more than %d probes",
		    EP_PROBES_MAX);
	return 0;
}

uint32_t
ep_plan_timeout(double rtt_ms, uint32_t floor_ms, uint32_t cap_ms)
{
	double t = rtt_ms * 10.0;

	if (t < floor_ms)
		t = floor_ms;
	if (t > cap_ms)
		t = cap_ms;
	return (uint32_t)t;
}
