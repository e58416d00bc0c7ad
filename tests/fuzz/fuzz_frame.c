/* tests/fuzz/fuzz_frame.c: fuzz entry for the frame dissector
 * (capture/frame.c, link layer to DNS), the fragment table
 * (capture/frag.c), the TCP stream reassembler (capture/tcpstream.c) on
 * the frame's payload, and the matcher behind it (capture/wire.c through
 * capture/evidence.c), with a small fake target made from the frame's own
 * addresses and ports so the matching code is reached.
 *
 * Input: one byte b, then the frame.  The link type is links[b % 12];
 * (b / 12) & 1 says the frame was cut by the snap length (its wire length
 * 100 bytes more than captured); (b / 24) & 1 makes the fake target the
 * frame's destination instead of its source (the frame leaves toward the
 * target instead of coming from it); b / 48, when not 0, cuts the comment
 * buffer of a third pass through the matcher to 8 times that. */
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ednsprobe/frame.h"
#include "ednsprobe/wire.h"
#include "evidence.h"
#include "tcpstream.h"
#include "wire.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int links[] = {
	EP_LINK_ETHERNET, EP_LINK_RAW, EP_LINK_LINUX_SLL, EP_LINK_IPV4,
	EP_LINK_IPV6, EP_LINK_LINUX_SLL2, EP_LINK_NULL, EP_LINK_LOOP,
	EP_LINK_NFLOG, EP_LINK_PKTAP, EP_LINK_RADIOTAP, EP_LINK_IEEE802_11,
};
#define NLINKS	(sizeof(links) / sizeof(links[0]))

/* What frame.h and frag.c promise of any datagram. */
static void
check_dgram(const struct ep_frag_dgram *d)
{
	if (d->nranges < 0 || d->nranges > EP_FRAG_RANGES ||
	    d->nframes < 0 || d->nframes > EP_FRAG_FRAMES)
		abort();
	for (int i = 0; i < d->nranges; i++) {
		if (d->ranges[i].from >= d->ranges[i].to)
			abort();	/* empty ranges are never kept */
		if (i > 0 && d->ranges[i].from <= d->ranges[i - 1].to)
			abort();	/* sorted, merged, not touching */
	}
	if (d->complete && (!d->first_seen || !d->last_seen ||
	    d->nranges != 1 || d->ranges[0].from != 0 ||
	    d->ranges[0].to != d->total))
		abort();
}

/* The fragment table alone: the frame three times with ids that collide
 * in a table of two (eviction, backward shift), then once more. */
static void
frag_table(const struct ep_frame *f)
{
	struct ep_frag_table *t = ep_frag_new(2);
	const struct ep_frag_dgram *d;
	struct ep_frame g = *f;
	int n = 0;

	if (t == NULL)
		abort();
	for (uint32_t k = 0; k < 4; k++) {
		g.ip.ip_id = f->ip.ip_id + (k == 3 ? 0 : k);
		g.ip.frag_off = k == 1 ? f->ip.frag_off + 8 : f->ip.frag_off;
		if ((d = ep_frag_add(t, &g)) != NULL)
			check_dgram(d);
	}
	while ((d = ep_frag_at(t, n)) != NULL) {
		check_dgram(d);
		n++;
	}
	if (n > 2 || (f->ip.is_frag && (f->ip.family == 4 ||
	    f->ip.family == 6) && ep_frag_evicted(t) != 2))
		abort();
	ep_frag_free(t);
}

static void
stream_msg(void *arg, const struct ep_tcpstream_msg *m)
{
	(void)arg;
	if (m->len > 65535 || (m->len > 0 && m->data == NULL))
		abort();
}

/* The TCP payload frame.h promises (inside the captured bytes, no more
 * than the segment), fed to the reassembler as a SYN's first data, then
 * again one byte on (an overlapping copy). */
static void
tcp_stream(const struct ep_frame *f, const uint8_t *pkt, uint32_t caplen)
{
	struct ep_tcpstream *t;
	struct ep_tcpstream_seg g;

	if (f->tcp_data == NULL)
		return;
	if (f->l4 != EP_L4_TCP || f->tcp_data < pkt ||
	    f->tcp_datalen > caplen - (uint32_t)(f->tcp_data - pkt) ||
	    f->tcp_datalen > f->l4_len)
		abort();
	if ((t = ep_tcpstream_new(1, EP_TCPSTREAM_BYTES, stream_msg, NULL,
	    NULL)) == NULL)
		abort();
	memset(&g, 0, sizeof(g));
	g.key.family = f->ip.family;
	memcpy(g.key.src, f->ip.src, sizeof(g.key.src));
	memcpy(g.key.dst, f->ip.dst, sizeof(g.key.dst));
	g.key.sport = f->ip.sport;
	g.key.dport = f->ip.dport;
	g.seq = f->tcp_seq - 1;
	g.flags = 0x02;
	ep_tcpstream_add(t, &g);
	g.seq = f->tcp_seq;
	g.flags = f->tcp_flags & 0x15;	/* never another SYN */
	g.data = f->tcp_data;
	g.caplen = f->tcp_datalen;
	g.len = f->l4_len;
	ep_tcpstream_add(t, &g);
	if (g.caplen > 1) {
		g.seq++;
		g.data++;
		g.caplen--;
		g.len--;
		ep_tcpstream_add(t, &g);
	}
	ep_tcpstream_finish(t);
	ep_tcpstream_free(t);
}

/* A target's evidence and its probes'. */
struct fake {
	struct ep_wire_target	 t;
	struct ep_wire_sig	 sigs[3];
	struct ep_probe_wire	 ev[3];
	struct ep_wire_icmp	 ptb;
	uint32_t		 orphan_frames[EP_WIRE_FRAMES];
	int			 orphan_dgrams, orphan_frags, norphan_frames;
};

/* A target at addr (family 4 or 6) with probes of every transport (UDP,
 * TCP, raw: UDP again) on local ports lport and lport + 1, asked with DNS
 * id qid. */
static void
fake_target(struct fake *k, int family, const uint8_t *addr,
    uint16_t lport, uint16_t qid)
{
	static const uint8_t proto[] = { IPPROTO_UDP, IPPROTO_TCP,
	    IPPROTO_UDP };
	static const char *const label[] = { "probe 1 udp 1232 small",
	    "probe 2 tcp small", "probe 3 raw 1232 small" };

	memset(k, 0, sizeof(*k));
	k->t.family = family;
	memcpy(k->t.addr, addr, family == 4 ? 4 : 16);
	k->t.sigs = k->sigs;
	k->t.orphan_dgrams = &k->orphan_dgrams;
	k->t.orphan_frags = &k->orphan_frags;
	k->t.orphan_frames = k->orphan_frames;
	k->t.norphan_frames = &k->norphan_frames;
	k->t.ptb = &k->ptb;
	for (int i = 0; i < 3; i++) {
		struct ep_wire_sig *s = &k->sigs[k->t.nsigs++];

		s->proto = proto[i];
		s->qid = qid;
		s->lports[0] = lport;
		s->lports[1] = (uint16_t)(lport + 1);
		s->nlports = 2;
		s->ev = &k->ev[i];
		snprintf(s->label, sizeof(s->label), "%s", label[i]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fake target;
	struct ep_evidence ev;
	char error[256];
	struct ep_frame f;
	const struct ep_ip *ip;
	const uint8_t *pkt;
	uint32_t caplen, wirelen;
	int link, outbound;
	char comment[256];
	size_t clen;

	if (size < 1 || size - 1 > 262144)
		return 0;
	link = links[data[0] % NLINKS];
	pkt = data + 1;
	caplen = (uint32_t)(size - 1);
	wirelen = (data[0] / NLINKS) & 1 ? caplen + 100 : caplen;
	outbound = (data[0] / (2 * NLINKS)) & 1;
	clen = data[0] / (4 * NLINKS) ? (size_t)(data[0] / (4 * NLINKS)) * 8 :
	    sizeof(comment);

	if (ep_frame_dissect(link, pkt, caplen, wirelen, 1, 1000000, &f) == -1) {
		if (f.ip.family != 0 || f.stop == NULL)
			abort();	/* -1 means no IP header, and says why */
		return 0;
	}
	if ((f.ip.family != 4 && f.ip.family != 6) ||
	    (f.cut && caplen >= wirelen) ||
	    (f.has_dns && f.dns.qname_len > EP_DNAME_MAX))
		abort();
	frag_table(&f);
	tcp_stream(&f, pkt, caplen);

	/* The matcher: a target on one end of the frame (or of the packet
	 * an ICMP error quotes), its probes on the other end's port. */
	ip = f.has_quote && f.quote.family != 0 ? &f.quote : &f.ip;
	if (f.has_quote && f.quote.family != 0)
		outbound = !outbound;	/* a quote is of a packet we sent */
	fake_target(&target, ip->family, outbound ? ip->dst : ip->src,
	    outbound ? ip->sport : ip->dport, f.has_dns ? f.dns.id : 0);
	memset(&ev, 0, sizeof(ev));
	error[0] = '\0';
	ev.link = link;
	ev.error = error;
	ev.error_len = sizeof(error);
	if ((ev.wire = ep_wire_new(&target.t, 1, NULL, NULL)) == NULL)
		abort();
	/* Twice: a repeated fragment is an overlap.  Without a file
	 * evidence.c asks for no comment: once more with one, in a buffer
	 * of clen bytes. */
	ep_evidence_frame(&ev, 1000000, pkt, caplen, wirelen);
	ep_evidence_frame(&ev, 1000001, pkt, caplen, wirelen);
	memset(comment, 'x', sizeof(comment));
	ep_wire_frame(ev.wire, &f, comment, clen);
	if (memchr(comment, '\0', clen) == NULL)
		abort();
	ep_wire_finish(ev.wire);
	ep_wire_free(ev.wire);
	if (ev.nframes != 2 || ev.undissected != 0)
		abort();
	for (int i = 0; i < target.t.nsigs; i++)
		if (target.ev[i].nframes > EP_WIRE_FRAMES)
			abort();
	if (target.norphan_frames > EP_WIRE_FRAMES)
		abort();
	return 0;
}
