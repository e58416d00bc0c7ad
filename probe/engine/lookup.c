/* probe/engine/lookup.c: one DNS question on the loop, its answer parsed by ldns. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "engine/log.h"
#include "engine/lookup.h"

#define LOOKUP_BUFSIZE	1232	/* DNS flag day 2020: fits every path */

static int ask(struct ep_lookup *l, enum ep_transport tr, struct ep_err *err);

static void
asked(struct ep_probe *p, void *arg)
{
	struct ep_lookup *l = arg;
	struct ep_err err;

	l->outcome = p->rec->res.outcome;
	l->rtt_ms = p->rec->res.rtt_ms;
	if (p->kept != NULL && (l->outcome == EP_OUT_ANSWER ||
	    l->outcome == EP_OUT_TRUNCATED)) {
		ldns_pkt_free(l->pkt);
		l->pkt = NULL;
		if (ldns_wire2pkt(&l->pkt, p->kept, p->kept_len) !=
		    LDNS_STATUS_OK) {
			l->pkt = NULL;
			l->outcome = EP_OUT_MALFORMED;
		}
	}
	free(p->kept);
	p->kept = NULL;
	/* Truncated over UDP: the same question over TCP (RFC 7766). */
	if (l->outcome == EP_OUT_TRUNCATED && !l->tcp) {
		l->tcp = 1;
		if (ask(l, EP_TCP, &err) == 0)
			return;
	}
	l->busy = 0;
	l->cb(l, l->arg);
}

static int
ask(struct ep_lookup *l, enum ep_transport tr, struct ep_err *err)
{
	struct ep_probe_spec *s = &l->rec.spec;
	struct ep_probe *p = &l->probe;

	memset(&l->rec, 0, sizeof(l->rec));
	s->transport = tr;
	memcpy(s->qname, l->qname, l->qname_len);
	s->qname_len = l->qname_len;
	s->qtype = l->qtype;
	s->edns = 1;
	s->bufsize = LOOKUP_BUFSIZE;
	s->dnssec_ok = l->dnssec_ok;
	s->recurse = l->recurse;
	/* Through a resolver, CD: the records even when the resolver
	 * cannot validate them (the resolver command's discovery must
	 * work where the answers it diagnoses fail). */
	if (l->recurse)
		s->hdr_flags |= EP_DNS_CD;
	l->rec.res.rtt_ms = -1;
	l->rec.res.connect_ms = -1;
	memset(p, 0, sizeof(*p));
	p->rec = &l->rec;
	p->ops = tr == EP_TCP ? &ep_probe_tcp_ops : &ep_probe_udp_ops;
	p->loop = l->loop;
	p->addr = &l->addr;
	p->addrlen = l->addrlen;
	p->timeout_ms = l->timeout_ms;
	p->tries_max = tr == EP_TCP ? 1 : l->tries;
	p->rawfd = -1;
	p->keep = 1;
	p->done = asked;
	p->done_arg = l;
	l->busy = 1;
	if (p->ops->start(p, err) == -1) {
		p->done = NULL;		/* our own failure: no answer to give */
		ep_probe_done(p, EP_OUT_ERROR);
		l->busy = 0;
		return -1;
	}
	return 0;
}

int
ep_lookup_start(struct ep_loop *loop, struct ep_lookup *l,
    uint32_t timeout_ms, int tries, ep_lookup_cb *cb, void *arg,
    struct ep_err *err)
{
	l->loop = loop;
	l->timeout_ms = timeout_ms;
	l->tries = tries;
	l->cb = cb;
	l->arg = arg;
	l->tcp = 0;
	l->pkt = NULL;
	l->outcome = EP_OUT_PENDING;
	return ask(l, EP_UDP, err);
}

void
ep_lookup_fini(struct ep_lookup *l)
{
	if (l->busy && !l->probe.finished) {
		l->probe.done = NULL;
		ep_probe_done(&l->probe, EP_OUT_INTERRUPTED);
	}
	l->busy = 0;
	free(l->probe.kept);
	l->probe.kept = NULL;
	ldns_pkt_free(l->pkt);
	l->pkt = NULL;
}

uint32_t
ep_rdf_uint(const ldns_rr *rr, size_t i)
{
	const ldns_rdf *r = ldns_rr_rdf(rr, i);
	size_t n = r != NULL ? ldns_rdf_size(r) : 0;
	uint32_t v = 0;

	if (n != 1 && n != 2 && n != 4)
		return 0;
	for (size_t k = 0; k < n; k++)
		v = v << 8 | ldns_rdf_data(r)[k];
	return v;
}

socklen_t
ep_lookup_sockaddr(int family, const uint8_t *a, uint16_t port,
    struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a, 4);
		return sizeof(*s4);
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	memcpy(&s6->sin6_addr, a, 16);
	return sizeof(*s6);
}

static void
lookups_answered(struct ep_lookup *l, void *arg)
{
	struct ep_lookups *ls = arg;

	ls->outstanding--;
	ls->cb(l, ls->arg);
	/* The answer is read: its memory goes back at once. */
	ldns_pkt_free(l->pkt);
	l->pkt = NULL;
}

int
ep_lookups_ask(struct ep_lookups *ls, const struct sockaddr_storage *ss,
    const uint8_t *qname, size_t qname_len, uint16_t qtype, int recurse,
    int tag, int index)
{
	struct ep_lookup *l;
	struct ep_err err;

	if (ls->n == EP_LOOKUPS_MAX) {
		ls->cut++;
		return -1;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return -1;
	ls->lk[ls->n++] = l;
	l->addrlen = ss->ss_family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	memcpy(&l->addr, ss, l->addrlen);
	memcpy(l->qname, qname, qname_len);
	l->qname_len = qname_len;
	l->qtype = qtype;
	l->dnssec_ok = 1;
	l->recurse = recurse;
	l->tag = tag;
	l->index = index;
	ls->outstanding++;
	if (ep_lookup_start(ls->loop, l, ls->timeout_ms, ls->tries,
	    lookups_answered, ls, &err) == -1) {
		ep_verbose(EP_VERB_OPS, "a question could not be asked: %s",
		    err.msg);
		ls->outstanding--;
		return -1;
	}
	return 0;
}

void
ep_lookups_stop(struct ep_lookups *ls)
{
	for (int i = 0; i < ls->n; i++)
		ep_lookup_fini(ls->lk[i]);
	ls->outstanding = 0;
}

void
ep_lookups_free(struct ep_lookups *ls)
{
	for (int i = 0; i < ls->n; i++) {
		ep_lookup_fini(ls->lk[i]);
		free(ls->lk[i]);
	}
	ls->n = 0;
}
