/* probe/lookup.c: one DNS question on the loop, its answer parsed by ldns. */
#include <string.h>

#include "lookup.h"

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
