/* capture/wire.c: the matcher.  A frame belongs to a probe through its
 * ports (each probe has its own sockets), checked by the DNS id when the
 * frame carries a DNS header; a non-first fragment through the first
 * fragment of its datagram; an ICMP error through the packet it quotes.
 * What comes back (replies, TCP resets, ICMP errors) keeps its IP TTL /
 * hop limit: how far away its sender is.  Probes are known by their
 * signatures alone (ednsprobe/wire.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ednsprobe/dns.h"
#include "wire.h"

#define DGRAMS_MAX	4096	/* fragmented datagrams tracked per run */
#define DGRAM_BYTES_MAX	(8u << 20)	/* bytes held for reassembly at once:
					   128 datagrams of 64 KiB, more of
					   the usual 2-4 KiB answers */

struct ep_wire {
	struct ep_wire_target	*targets;	/* not owned */
	int			 ntargets;
	ep_wire_sync_cb		*sync;
	void			*arg;		/* sync's */
	struct ep_frag_table	*frags;		/* owned */
	int			 finished;
};

struct ep_wire *
ep_wire_new(struct ep_wire_target *targets, int ntargets,
    ep_wire_sync_cb *sync, void *arg)
{
	struct ep_wire *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	if ((w->frags = ep_frag_new(DGRAMS_MAX)) == NULL) {
		free(w);
		return NULL;
	}
	ep_frag_keep_bytes(w->frags, DGRAM_BYTES_MAX);
	w->targets = targets;
	w->ntargets = ntargets;
	w->sync = sync;
	w->arg = arg;
	return w;
}

void
ep_wire_free(struct ep_wire *w)
{
	if (w == NULL)
		return;
	ep_frag_free(w->frags);
	free(w);
}

/* The target whose address is addr (family 4 or 6), or NULL. */
static struct ep_wire_target *
target_at(struct ep_wire *w, int family, const uint8_t *addr)
{
	size_t n = family == 4 ? 4 : 16;

	for (int i = 0; i < w->ntargets; i++) {
		struct ep_wire_target *t = &w->targets[i];

		if (t->family == family && memcmp(t->addr, addr, n) == 0)
			return t;
	}
	return NULL;
}

/*
 * The probe of t with local port lport over proto; among several (a port
 * reused by a later probe) the one whose DNS id is id, when id >= 0.
 */
static struct ep_wire_sig *
probe_at(struct ep_wire *w, struct ep_wire_target *t, uint8_t proto,
    uint16_t lport, long id)
{
	struct ep_wire_sig *found = NULL;

	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return NULL;
	if (t->stale && w->sync != NULL)
		w->sync(w->arg, t);
	for (int i = 0; i < t->nsigs; i++) {
		struct ep_wire_sig *s = &t->sigs[i];

		if (s->proto != proto)
			continue;
		for (int k = 0; k < s->nlports; k++) {
			if (s->lports[k] != lport)
				continue;
			if (id < 0 || s->qid == id)
				return s;
			if (found == NULL)
				found = s;
		}
	}
	return found;
}

static void
keep_frame(uint32_t *frames, int *n, int *more, uint32_t frame)
{
	for (int i = 0; i < *n; i++)
		if (frames[i] == frame)
			return;
	if (*n < EP_WIRE_FRAMES)
		frames[(*n)++] = frame;
	else if (more != NULL)
		(*more)++;
}

static void
tie(struct ep_wire_sig *s, uint32_t frame)
{
	keep_frame(s->ev->frames, &s->ev->nframes, &s->ev->frames_more, frame);
}

/* One more frame of a kind arrived with ttl. */
static void
keep_ttl(struct ep_wire_ttl *k, uint8_t ttl, uint32_t frame)
{
	for (int i = 0; i < k->n; i++)
		if (k->ttl[i] == ttl)
			return;
	if (k->n == EP_WIRE_TTLS) {
		k->more++;
		return;
	}
	k->ttl[k->n] = ttl;
	k->frame[k->n++] = frame;
}

static const char *
addr_str(int family, const uint8_t *a, char *buf, size_t len)
{
	if (inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf,
	    (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

static int
is_ptb(const struct ep_frame *f)
{
	return (f->l4 == EP_L4_ICMP && f->icmp_type == 3 &&
	    f->icmp_code == 4) || (f->l4 == EP_L4_ICMP6 && f->icmp_type == 2);
}

/* Comment c starts with the probe's name; its length, as snprintf's. */
static int
label(const struct ep_wire_sig *s, char *c, size_t len)
{
	return snprintf(c, len, "%s", s->label);
}

static int
icmp_frame(struct ep_wire *w, const struct ep_frame *f, char *c, size_t len)
{
	const struct ep_ip *q = &f->quote;
	struct ep_wire_sig *s = NULL;
	struct ep_wire_target *t;
	struct ep_wire_icmp ic;
	char from[INET6_ADDRSTRLEN];
	int n = 0, ours = 1;

	if (!f->has_quote || !q->has_ports)
		return 0;
	/* About our query to a target, or about its reply to us.  The
	 * latter can only be our own host's (port unreachable after the
	 * socket closed, or toward a reply from the wrong port): evidence
	 * tied to the probe, but no ICMP error about our packets. */
	if ((t = target_at(w, q->family, q->dst)) != NULL)
		s = probe_at(w, t, q->proto, q->sport, -1);
	else if ((t = target_at(w, q->family, q->src)) != NULL) {
		s = probe_at(w, t, q->proto, q->dport, -1);
		ours = 0;
	}
	if (t == NULL)
		return 0;
	memset(&ic, 0, sizeof(ic));
	ic.family = f->ip.family;
	ic.type = f->icmp_type;
	ic.code = f->icmp_code;
	ic.mtu = f->icmp_mtu;
	ic.ttl = f->ip.ttl;
	ic.frame = f->number;
	memcpy(ic.from, f->ip.src, sizeof(ic.from));
	if (ours && is_ptb(f) && t->ptb->family == 0)
		*t->ptb = ic;
	if (s != NULL) {
		tie(s, f->number);
		if (ours && s->ev->icmp.family == 0)
			s->ev->icmp = ic;
	}
	if (c == NULL)
		return 1;
	addr_str(f->ip.family, f->ip.src, from, sizeof(from));
	if (s != NULL) {
		n = label(s, c, len);
		n = n < 0 || (size_t)n >= len ? 0 : n;
	}
	snprintf(c + n, len - (size_t)n, "%sICMP%s type %u code %u%s from %s",
	    n ? ": " : "", f->l4 == EP_L4_ICMP6 ? "v6" : "", f->icmp_type,
	    f->icmp_code, is_ptb(f) ? " (too big)" : "", from);
	if (is_ptb(f))
		snprintf(c + strlen(c), len - strlen(c), ", MTU %u",
		    f->icmp_mtu);
	return 1;
}

int
ep_wire_frame(struct ep_wire *w, const struct ep_frame *f, char *c,
    size_t len)
{
	const struct ep_ip *ip = &f->ip;
	struct ep_frag_dgram *d = NULL;
	struct ep_wire_sig *s = NULL;
	struct ep_wire_target *t;
	int inbound, n;
	long id = f->has_dns ? (long)f->dns.id : -1;

	if (c != NULL)
		c[0] = '\0';
	if (ip->family == 0 || w->finished)
		return 0;
	if ((f->l4 == EP_L4_ICMP || f->l4 == EP_L4_ICMP6) && f->has_quote)
		return icmp_frame(w, f, c, len);
	if ((t = target_at(w, ip->family, ip->src)) != NULL)
		inbound = 1;
	else if ((t = target_at(w, ip->family, ip->dst)) != NULL)
		inbound = 0;
	else
		return 0;
	if (ip->is_frag)
		d = ep_frag_add(w->frags, f);
	if (ip->has_ports)
		s = probe_at(w, t, ip->proto, inbound ? ip->dport : ip->sport,
		    id);
	else if (d != NULL && d->first_seen && d->has_ports)
		s = probe_at(w, t, d->proto, inbound ? d->dport : d->sport,
		    d->has_dns ? (long)d->dns.id : -1);
	if (s == NULL)
		return 1;
	tie(s, f->number);
	/* A reply counts only with the query's id: a TCP segment that
	 * continues a message can pass for a message start by chance. */
	if (f->has_dns && (f->dns.flags & EP_DNS_QR) && inbound &&
	    f->dns.id == s->qid) {
		s->ev->replies++;
		if (f->dns.length > s->ev->reply_bytes)
			s->ev->reply_bytes = (uint32_t)f->dns.length;
		keep_ttl(&s->ev->reply_ttl, ip->ttl, f->number);
	} else if (inbound && f->l4 == EP_L4_TCP && (f->tcp_flags & 0x04))
		keep_ttl(&s->ev->reset_ttl, ip->ttl, f->number);
	else if (f->has_dns && !(f->dns.flags & EP_DNS_QR) && !inbound)
		s->ev->queries++;
	if (c == NULL)
		return 1;
	n = label(s, c, len);
	if (n < 0 || (size_t)n >= len)
		return 1;
	if (f->has_dns)
		snprintf(c + n, len - (size_t)n, ": %s id %u, %zu bytes%s",
		    f->dns.flags & EP_DNS_QR ? "reply" : "query", f->dns.id,
		    f->dns.length, f->dns.flags & EP_DNS_TC ? ", TC" : "");
	else if (ip->proto == IPPROTO_TCP)
		snprintf(c + n, len - (size_t)n, ": TCP%s%s%s%s, %u bytes",
		    f->tcp_flags & 0x02 ? " SYN" : "",
		    (f->tcp_flags & 0x12) == 0x12 ? "-ACK" : "",
		    f->tcp_flags & 0x01 ? " FIN" : "",
		    f->tcp_flags & 0x04 ? " RST" : "", f->l4_len);
	if (ip->is_frag) {
		n = (int)strlen(c);
		snprintf(c + n, len - (size_t)n, "%sfragment at %u%s",
		    f->has_dns || ip->proto == IPPROTO_TCP ? ", " : ": ",
		    ip->frag_off, ip->more_frags ? "" : ", last");
	}
	return 1;
}

/* The fragmented datagrams from only (all targets when only is NULL) not
 * yet settled: tied to their probe, or counted as their target's
 * orphans. */
static void
settle(struct ep_wire *w, const struct ep_wire_target *only)
{
	struct ep_frag_dgram *d;

	for (int i = 0; (d = ep_frag_at_mut(w->frags, i)) != NULL; i++) {
		struct ep_wire_target *t = target_at(w, d->family, d->src);
		struct ep_wire_sig *s = NULL;

		if (t == NULL || d->settled || (only != NULL && t != only))
			continue;	/* our own fragmented queries: issue 4 */
		d->settled = 1;
		if (d->first_seen && d->has_ports)
			s = probe_at(w, t, d->proto, d->dport,
			    d->has_dns ? (long)d->dns.id : -1);
		if (s == NULL) {
			(*t->orphan_dgrams)++;
			*t->orphan_frags += d->nfrags;
			for (int k = 0; k < d->nframes; k++)
				keep_frame(t->orphan_frames,
				    t->norphan_frames, NULL, d->frames[k]);
			continue;
		}
		s->ev->frag_dgrams++;
		/* The reply as the client's stack got it: its whole message,
		 * not the first fragment's start (analyze reads it). */
		if (d->complete && !d->overlap && d->dns_whole &&
		    (d->dns.flags & EP_DNS_QR) && d->dns.id == s->qid &&
		    !s->ev->has_whole_reply) {
			s->ev->whole_reply = d->dns;
			s->ev->has_whole_reply = 1;
		}
		s->ev->frag_complete += d->complete;
		s->ev->frag_overlap += d->complete && d->overlap;
		s->ev->frags += d->nfrags;
		for (int k = 0; k < d->nframes; k++)
			tie(s, d->frames[k]);
	}
}

void
ep_wire_settle(struct ep_wire *w, const struct ep_wire_target *t)
{
	if (!w->finished)
		settle(w, t);
}

void
ep_wire_finish(struct ep_wire *w)
{
	if (w->finished)
		return;
	settle(w, NULL);
	w->finished = 1;
}
