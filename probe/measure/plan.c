/* probe/measure/plan.c: building probe specs for the measurement modules. */
#include <stdio.h>
#include <string.h>

#include "measure/plan.h"
#include "engine/query.h"

#define TYPE_SOA	6
#define TYPE_A		1
#define TYPE_TXT	16
#define TYPE_DNSKEY	48

struct ep_probe_spec *
ep_plan_new_probe(struct ep_target *t, int *next_id)
{
	struct ep_probe_spec *s;

	if (t->nprobes == EP_PROBES_MAX)
		return NULL;
	memset(&t->probes[t->nprobes], 0, sizeof(t->probes[0]));
	t->probes[t->nprobes].res.rtt_ms = -1;
	t->probes[t->nprobes].res.connect_ms = -1;
	s = &t->probes[t->nprobes++].spec;
	s->id = (*next_id)++;
	return s;
}

void
ep_plan_undo(struct ep_target *t, int *next_id)
{
	t->nprobes--;
	(*next_id)--;
}

struct ep_probe_spec *
ep_plan_add(struct ep_target *t, int *next_id, enum ep_transport tr, enum ep_role role,
    enum ep_subject subj, const uint8_t *qname, size_t qlen, uint16_t qtype,
    int edns, uint16_t bufsize, int dnssec_ok, const struct ep_options *o)
{
	struct ep_probe_spec *s = ep_plan_new_probe(t, next_id);

	if (s == NULL)
		return NULL;
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

struct ep_probe_spec *
ep_plan_add_raw(struct ep_target *t, int *next_id, enum ep_role role, int raw,
    uint16_t ip_size, uint16_t frag_size, const struct ep_options *o)
{
	int hdr = t->family == 4 ? 20 : 40;
	struct ep_probe_spec *s;

	if ((s = ep_plan_add(t, next_id, EP_RAW, role, EP_SUBJ_SMALL,
	    o->qname, o->qname_len, TYPE_SOA, 1, 1232, 0, o)) == NULL)
		return NULL;
	s->raw = raw;
	s->ip_size = ip_size;
	s->msg_len = (uint16_t)(ip_size - hdr - 8);
	s->frag_size = frag_size;
	return s;
}

struct ep_probe_spec *
ep_plan_add_eh(struct ep_target *t, int *next_id, enum ep_role role,
    uint8_t eh, const struct ep_options *o)
{
	struct ep_probe_spec *s;
	int headers = ((eh & EP_EH_HBH) != 0) + ((eh & EP_EH_DST) != 0);

	if (t->family != 6 || headers == 0 ||
	    (s = ep_plan_add(t, next_id, EP_RAW, role, EP_SUBJ_SMALL,
	    o->qname, o->qname_len, TYPE_SOA, 0, 0, 0, o)) == NULL)
		return NULL;
	s->raw = EP_RAW_WHOLE;
	s->eh = eh;
	/* IPv6, the headers, UDP, DNS header, question. */
	s->ip_size = (uint16_t)(40 + 8 * headers + 8 + 12 + o->qname_len + 4);
	return s;
}

int
ep_plan_mtu(const struct ep_target *t)
{
	int mtu = t->path.iface_mtu > 0 ? t->path.iface_mtu : 1500;

	/* A larger size wraps in the 16-bit sizes (DF 0 for 65536). */
	return mtu > EP_PLAN_IP_MAX ? EP_PLAN_IP_MAX : mtu;
}

uint16_t
ep_plan_largest(const struct ep_options *o)
{
	uint16_t large = 0;

	for (int i = 0; i < o->nsizes; i++)
		if (o->sizes[i] > large)
			large = o->sizes[i];
	return large;
}
