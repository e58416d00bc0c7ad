/* probe/measure/plan.c: the probes of one target: baseline, EDNS ladder (RFC 6891),
 * TCP (RFC 7766). */
#include <stdio.h>
#include <string.h>

#include "measure/plan.h"
#include "engine/query.h"
#include "measure/twoway.h"

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

static struct ep_probe_spec *
add(struct ep_target *t, int *next_id, enum ep_transport tr, enum ep_role role,
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

/* The hello of two-ended mode (twoway.h): _ednsprobe.NAME TXT, which
 * any other server answers with a name error. */
static int
plan_hello(const struct ep_options *o, struct ep_target *t, int *next_id)
{
	uint8_t name[EP_DNAME_MAX];
	size_t lbl = strlen(EP_TW_HELLO_LABEL);

	if (1 + lbl + o->qname_len > EP_DNAME_MAX)
		return 1;	/* NAME too long to be a responder's zone */
	name[0] = (uint8_t)lbl;
	memcpy(name + 1, EP_TW_HELLO_LABEL, lbl);
	memcpy(name + 1 + lbl, o->qname, o->qname_len);
	return add(t, next_id, EP_UDP, EP_ROLE_HELLO, EP_SUBJ_SMALL, name,
	    1 + lbl + o->qname_len, TYPE_TXT, 1, 1232, 0, o) != NULL;
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

	/*
	 * Phase 2: the EDNS baseline again with a client cookie and DO, as
	 * a validating resolver (BIND) asks: filters that drop queries
	 * whose OPT carries options break resolvers while plain EDNS
	 * passes.  (DO keeps it unlike every compliance test's shape.)  Two
	 * of them, each with its tries: random loss is not a filter.
	 */
	for (int k = 0; o->udp && k < EP_PLAN_OPTION_TWINS; k++) {
		struct ep_probe_spec *s = add(t, next_id, EP_UDP,
		    EP_ROLE_OPTION, EP_SUBJ_SMALL, o->qname, o->qname_len,
		    TYPE_SOA, 1, 1232, 1, o);

		ok &= s != NULL;
		if (s != NULL)
			ep_query_put_cookie(s, NULL, 0);
	}
	/* The ladder for a large and a medium answer, then TCP. */
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
	/* Phase 1 too (run.c starts it with the baselines), last so the
	 * others keep their places: is it `ednsprobe respond`, and phase 2
	 * then two-ended. */
	if (o->udp && o->cmd == EP_CMD_PATH)
		ok &= plan_hello(o, t, next_id);
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

/* A raw probe: SOA of NAME with EDNS, padded so the IP datagram is
 * ip_size bytes. */
static int
add_raw(struct ep_target *t, int *next_id, enum ep_role role, int raw,
    uint16_t ip_size, uint16_t frag_size, const struct ep_options *o)
{
	int hdr = t->family == 4 ? 20 : 40;
	struct ep_probe_spec *s;

	if ((s = add(t, next_id, EP_RAW, role, EP_SUBJ_SMALL, o->qname,
	    o->qname_len, TYPE_SOA, 1, 1232, 0, o)) == NULL)
		return 0;
	s->raw = raw;
	s->ip_size = ip_size;
	s->msg_len = (uint16_t)(ip_size - hdr - 8);
	s->frag_size = frag_size;
	return 1;
}

int
ep_plan_raw(const struct ep_options *o, struct ep_target *t, int *next_id,
    struct ep_err *err)
{
	static const uint16_t pmtu[] = { 1280, 1400, 1450, 1480 };
	int mtu = t->path.iface_mtu > 0 ? t->path.iface_mtu : 1500, ok = 1;

	if (!o->udp || !o->raw)
		return 0;
	/* Outbound fragments: the same query whole, in 5 fragments and in
	 * 3: two fragmented twins, so random loss is not a fault. */
	ok &= add_raw(t, next_id, EP_ROLE_FRAGOUT, EP_RAW_WHOLE,
	    EP_PLAN_FRAGOUT_SIZE, 0, o);
	ok &= add_raw(t, next_id, EP_ROLE_FRAGOUT, EP_RAW_FRAG,
	    EP_PLAN_FRAGOUT_SIZE, o->frag_size, o);
	ok &= add_raw(t, next_id, EP_ROLE_FRAGOUT, EP_RAW_FRAG,
	    EP_PLAN_FRAGOUT_SIZE, (uint16_t)(2 * o->frag_size), o);
	/* Path MTU, first round: DF at the usual MTUs up to ours. */
	for (size_t i = 0; i < sizeof(pmtu) / sizeof(pmtu[0]); i++)
		if (pmtu[i] < mtu)
			ok &= add_raw(t, next_id, EP_ROLE_PMTU, EP_RAW_DF,
			    pmtu[i], 0, o);
	ok &= add_raw(t, next_id, EP_ROLE_PMTU, EP_RAW_DF, (uint16_t)mtu, 0,
	    o);
	/* Where packets die: per hop, a small query, a large one with DF
	 * and a fragmented one, with that TTL. */
	for (int ttl = 1; ttl <= o->max_hops; ttl++) {
		int hdr = t->family == 4 ? 20 : 40;
		struct ep_probe_spec *s;

		/* The small one without EDNS: it must pass where EDNS or
		 * size is the fault, to find the server's distance. */
		if ((s = add(t, next_id, EP_RAW, EP_ROLE_HOP, EP_SUBJ_SMALL,
		    o->qname, o->qname_len, TYPE_SOA, 0, 0, 0, o)) == NULL)
			ok = 0;
		else {
			s->raw = EP_RAW_WHOLE;
			s->ttl = (uint8_t)ttl;
			s->ip_size = (uint16_t)(hdr + 8 + 12 + o->qname_len +
			    4);
		}
		ok &= add_raw(t, next_id, EP_ROLE_HOP, EP_RAW_DF,
		    (uint16_t)mtu, 0, o);
		if (ok)
			t->probes[t->nprobes - 1].spec.ttl = (uint8_t)ttl;
		/* In the larger pieces: fewer packets per hop. */
		ok &= add_raw(t, next_id, EP_ROLE_HOP, EP_RAW_FRAG,
		    EP_PLAN_FRAGOUT_SIZE, (uint16_t)(2 * o->frag_size), o);
		if (ok)
			t->probes[t->nprobes - 1].spec.ttl = (uint8_t)ttl;
	}
	if (!ok)
		return ep_err_set(err, EP_EINTERNAL, "more than %d probes",
		    EP_PROBES_MAX);
	return 0;
}

int
ep_plan_pmtu_next(const struct ep_target *t, uint16_t *sizes, int max)
{
	long pass = 0, fail = 65536, icmp = 0;
	int n = 0;

	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];
		long sz = r->spec.ip_size;

		if (r->spec.role != EP_ROLE_PMTU)
			continue;
		if (r->res.outcome == EP_OUT_ANSWER ||
		    r->res.outcome == EP_OUT_TRUNCATED) {
			if (sz > pass)
				pass = sz;
		} else if (r->res.outcome == EP_OUT_ICMP && r->res.icmp_mtu) {
			if (sz < fail)
				fail = sz;
			if (icmp == 0 || r->res.icmp_mtu < icmp)
				icmp = r->res.icmp_mtu;
		} else if (r->res.outcome == EP_OUT_TIMEOUT && sz < fail)
			fail = sz;
	}
	if (pass == 0 || fail == 65536 || fail <= pass)
		return 0;
	/* A router named the MTU: check exactly that size. */
	if (icmp > pass && icmp < fail) {
		sizes[n++] = (uint16_t)icmp;
		return n;
	}
	/* Otherwise split the gap in max + 1 parts (a k-ary bisection). */
	for (int k = 1; k <= max && fail - pass > 8; k++) {
		long sz = pass + (fail - pass) * k / (max + 1);

		if (sz > pass && sz < fail && (n == 0 || sz != sizes[n - 1]))
			sizes[n++] = (uint16_t)sz;
	}
	return n;
}

int
ep_plan_pmtu_add(const struct ep_options *o, struct ep_target *t,
    int *next_id, uint16_t size)
{
	return add_raw(t, next_id, EP_ROLE_PMTU, EP_RAW_DF, size, 0, o) ?
	    0 : -1;
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

/* The name of req below NAME into s (qname, TXT); 0 when it does not
 * fit. */
static int
tw_name(const struct ep_options *o, const struct ep_tw_req *req,
    struct ep_probe_spec *s)
{
	size_t n = ep_tw_build_name(req, o->qname, o->qname_len, s->qname);

	if (n == 0)
		return 0;
	s->qname_len = n;
	s->qtype = TYPE_TXT;
	s->tw_want = (uint16_t)req->size;
	s->tw_frag = req->frag;
	s->tw_df = (uint8_t)req->df;
	return 1;
}

/* A two-ended probe: answer size want (f frag, DF df) at buffer bufsize,
 * the query padded to qsize (0: not padded). */
static int
tw_add(const struct ep_options *o, struct ep_target *t, int *next_id,
    enum ep_role role, uint16_t want, uint16_t frag, int df, uint16_t bufsize,
    uint16_t qsize)
{
	struct ep_tw_req req = { .kind = EP_TW_TEST, .size = want,
	    .frag = frag, .df = df };
	struct ep_probe_spec *s;

	memcpy(req.token, t->twoway.token, sizeof(req.token));
	if ((s = add(t, next_id, EP_UDP, role, EP_SUBJ_LARGE, o->qname,
	    o->qname_len, TYPE_TXT, 1, bufsize, o->dnssec, o)) == NULL)
		return 0;
	if (!tw_name(o, &req, s)) {
		t->nprobes--;
		(*next_id)--;
		return 0;
	}
	s->msg_len = qsize;
	return 1;
}

void
ep_plan_twoway(const struct ep_options *o, struct ep_target *t, int *next_id,
    const int *started)
{
	static const uint16_t df_ip[] = { 1280, 1400, 1450, 1480, 1500 };
	uint16_t large = 0, frag = (uint16_t)(o->frag_size & ~7u);
	int hdr = t->family == 4 ? 28 : 48;
	int mtu = t->path.iface_mtu > 0 ? t->path.iface_mtu : 1500;

	for (int i = 0; i < o->nsizes; i++)
		if (o->sizes[i] > large)
			large = o->sizes[i];
	/*
	 * The ladder not started yet asks for answers of exact sizes: the
	 * largest rung's size (LARGE), 1200 bytes (MEDIUM: one packet on any
	 * path); the verdict then knows each answer's size, not a guess.
	 */
	for (int i = 0; i < t->nprobes; i++) {
		struct ep_probe_spec *s = &t->probes[i].spec;
		struct ep_tw_req req = { .kind = EP_TW_TEST };

		if (started[i] || (s->role != EP_ROLE_LADDER &&
		    s->role != EP_ROLE_TCPSIZE) || s->subject == EP_SUBJ_SMALL)
			continue;
		req.size = s->subject == EP_SUBJ_LARGE ? large : 1200;
		memcpy(req.token, t->twoway.token, sizeof(req.token));
		tw_name(o, &req, s);
	}
	snprintf(t->qtype_str, sizeof(t->qtype_str), "TXT");
	if (!o->udp)
		return;
	/* Inbound: answers as big as each rung's buffer. */
	for (int i = 0; i < o->nsizes; i++)
		tw_add(o, t, next_id, EP_ROLE_TWIN, o->sizes[i], 0, 0,
		    o->sizes[i], 0);
	/* Outbound: queries as big as each rung (above the MTU our kernel
	 * sends them in fragments), a small answer each. */
	for (int i = 0; i < o->nsizes; i++)
		tw_add(o, t, next_id, EP_ROLE_TWOUT, EP_TW_SMALL, 0, 0, 1232,
		    o->sizes[i]);
	/* Inbound fragments the responder makes, two sizes (as FRAGOUT). */
	if (frag >= EP_TW_FRAG_MIN && frag <= EP_TW_FRAG_MAX / 2) {
		tw_add(o, t, next_id, EP_ROLE_TWIN, EP_PLAN_FRAGOUT_SIZE, frag,
		    0, 1232, 0);
		tw_add(o, t, next_id, EP_ROLE_TWIN, EP_PLAN_FRAGOUT_SIZE,
		    (uint16_t)(2 * frag), 0, 1232, 0);
	}
	/* The inbound path MTU: answers with DF at the usual sizes. */
	for (size_t i = 0; i < sizeof(df_ip) / sizeof(df_ip[0]); i++)
		if (df_ip[i] <= mtu)
			tw_add(o, t, next_id, EP_ROLE_TWIN,
			    (uint16_t)(df_ip[i] - hdr), 0, 1,
			    (uint16_t)(df_ip[i] - hdr), 0);
}

int
ep_plan_twoway_log(const struct ep_options *o, struct ep_target *t,
    int *next_id, int udp)
{
	struct ep_tw_req req = { .kind = EP_TW_LOG };
	struct ep_probe_spec *s;

	memcpy(req.token, t->twoway.token, sizeof(req.token));
	if ((s = add(t, next_id, o->tcp && !udp ? EP_TCP : EP_UDP, EP_ROLE_TWLOG,
	    EP_SUBJ_SMALL, o->qname, o->qname_len, TYPE_TXT, 1, 65535, 0,
	    o)) == NULL)
		return -1;
	if (!tw_name(o, &req, s)) {
		t->nprobes--;
		(*next_id)--;
		return -1;
	}
	return 0;
}
