/* probe/cmd/analyze.c: `ednsprobe analyze FILE`: the probes of a capture
 * (ours, tcpdump's, Wireshark's), rebuilt from the DNS queries and
 * answers in it, then the same matcher (capture/wire.c) and verdicts as a
 * live run.  What a capture cannot know (route MTU, our timeouts) stays
 * unknown. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/analyze.h"
#include "measure/measures.h"
#include "measure/comply.h"
#include "evidence.h"
#include "measure/plan.h"
#include "engine/privs.h"
#include "engine/query.h"
#include "engine/run.h"
#include "engine/sniffer.h"
#include "sniff.h"
#include "tcpstream.h"
#include "measure/twoway_verdict.h"
#include "measure/verdict.h"

#define TARGETS_MAX	64	/* servers analysed in one file */
#define CONNS_MAX	1024	/* TCP connections followed */
#define TYPE_SOA	6
#define WATCH_MIN_MS	100	/* see unseen() */
#define STREAMS_MAX	(2 * CONNS_MAX)	/* TCP streams reassembled at once */

/* A TCP connection to a server's DNS port. */
struct conn {
	int		 family;
	uint8_t		 client[16], server[16];
	uint16_t	 cport, sport;
	int		 synack, rst;
	int		 cut;		/* DNS bytes cut by the snap length */
	int		 closed;	/* a FIN or reset, from either side */
	int		 holed;		/* the capture missed bytes the server
					   sent: answers after them unknown */
	uint64_t	 server_bytes;	/* payload from the server */
	uint64_t	 syn_us, synack_us;
};

struct analysis {
	struct ep_report	*r;
	int			 link;
	uint32_t		 nframes;
	struct conn		*conns;
	int			 nconns;
	struct ep_tcpstream	*streams;	/* DNS over TCP, owned */
	uint16_t		 port;		/* the servers' DNS port */
	uint64_t		 queries_over;	/* not kept: limits reached */
	int			 from_targets;	/* a frame from a target seen */
	uint64_t		 orphan_replies;	/* answering no query seen */
	uint64_t		 first_us, last_us;	/* capture times */
	uint32_t		 watch_ms;	/* of the target settled now */
	int			 file_cut;	/* the file ends mid-record */
};

static size_t
alen(int family)
{
	return family == 4 ? 4 : 16;
}

/* The address bytes of t (network order). */
static const void *
target_addr(const struct ep_target *t)
{
	const struct sockaddr_storage *ss = &t->addr;

	return t->family == 4 ?
	    (const void *)&((const struct sockaddr_in *)
	    (const void *)ss)->sin_addr :
	    (const void *)&((const struct sockaddr_in6 *)
	    (const void *)ss)->sin6_addr;
}

/* The target at addr, any port, or NULL. */
static struct ep_target *
target_find_addr(struct analysis *a, int family, const uint8_t *addr)
{
	for (int i = 0; i < a->r->ntargets; i++)
		if (a->r->targets[i].family == family &&
		    memcmp(target_addr(&a->r->targets[i]), addr,
		    alen(family)) == 0)
			return &a->r->targets[i];
	return NULL;
}

/* The target at addr and port, or NULL: never makes one. */
static struct ep_target *
target_find(struct analysis *a, int family, const uint8_t *addr,
    uint16_t port)
{
	struct ep_target *t = target_find_addr(a, family, addr);
	const struct sockaddr_in *sin;

	if (t == NULL)
		return NULL;
	sin = (const struct sockaddr_in *)(const void *)&t->addr;
	/* sin_port and sin6_port sit at the same offset. */
	return ntohs(sin->sin_port) == port ? t : NULL;
}

static struct ep_target *
target_for(struct analysis *a, int family, const uint8_t *addr,
    uint16_t port)
{
	struct ep_report *r = a->r;
	struct ep_target *t;

	if ((t = target_find_addr(a, family, addr)) != NULL)
		return t;
	if (r->ntargets == TARGETS_MAX)
		return NULL;
	t = &r->targets[r->ntargets++];
	memset(t, 0, sizeof(*t));
	t->family = family;
	t->base_rtt_ms = -1;
	t->path.udp_max_response = -1;	/* none, until a verdict says */
	t->path.pmtu = -1;
	if (family == 4) {
		struct sockaddr_in *sin = (void *)&t->addr;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, addr, 4);
		t->addrlen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (void *)&t->addr;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, addr, 16);
		t->addrlen = sizeof(*sin6);
	}
	inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, t->addr_str,
	    sizeof(t->addr_str));
	return t;
}

/* The probe of t for (transport, client port, DNS id); id < 0: any. */
static struct ep_probe_record *
probe_for(struct ep_target *t, enum ep_transport tr, uint16_t cport,
    long id)
{
	for (int i = t->nprobes - 1; i >= 0; i--) {
		struct ep_probe_record *p = &t->probes[i];

		if ((p->spec.transport == tr || (tr == EP_UDP &&
		    p->spec.transport == EP_RAW)) && p->res.nlports > 0 &&
		    p->res.lports[0] == cport &&
		    (id < 0 || p->res.qid == id || p->res.tries == 0))
			return p;
	}
	return NULL;
}

static struct ep_probe_record *
new_probe(struct analysis *a, struct ep_target *t, enum ep_transport tr,
    uint16_t cport)
{
	struct ep_probe_record *p;

	if (t->nprobes == EP_PROBES_MAX) {
		a->queries_over++;
		return NULL;
	}
	p = &t->probes[t->nprobes++];
	memset(p, 0, sizeof(*p));
	p->spec.transport = tr;
	p->spec.role = EP_ROLE_NONE;	/* settled in identify() */
	p->res.lports[0] = cport;
	p->res.nlports = 1;
	p->res.rtt_ms = -1;
	p->res.connect_ms = -1;
	p->res.outcome = EP_OUT_PENDING;
	return p;
}

/* The connection between client and server on cport and sport. */
static struct conn *
conn_find(struct analysis *a, int family, const uint8_t *src,
    const uint8_t *dst, uint16_t sport, uint16_t dport, int from_client)
{
	const uint8_t *client = from_client ? src : dst;
	const uint8_t *server = from_client ? dst : src;
	uint16_t cp = from_client ? sport : dport;
	uint16_t sp = from_client ? dport : sport;

	for (int i = a->nconns - 1; i >= 0; i--) {
		struct conn *c = &a->conns[i];

		if (c->family == family && c->cport == cp && c->sport == sp &&
		    memcmp(c->client, client, alen(c->family)) == 0 &&
		    memcmp(c->server, server, alen(c->family)) == 0)
			return c;
	}
	return NULL;
}

static struct conn *
conn_for(struct analysis *a, const struct ep_frame *f, int from_client)
{
	return conn_find(a, f->ip.family, f->ip.src, f->ip.dst, f->ip.sport,
	    f->ip.dport, from_client);
}

/*
 * ednsprobe's raw probes, as they look on the wire: a query in IP
 * fragments (outbound fragment test), padded to an IP size of 512 or
 * more (path MTU probes with DF; the outbound twin of EP_PLAN_FRAGOUT_SIZE
 * without), or behind an IPv6 Hop-by-Hop or Destination Options header
 * (the extension header test; the system sends none).  Ordinary queries
 * are none of these.
 */
static void
raw_from(struct ep_probe_spec *s, const struct ep_frame *f)
{
	int hdr = f->ip.family == 4 ? 20 : 40;
	uint8_t eh = (uint8_t)(((f->ip.eh & EP_IP6_EH_HBH) ? EP_EH_HBH : 0) |
	    ((f->ip.eh & EP_IP6_EH_DST) ? EP_EH_DST : 0));
	size_t ip_size = f->dns.length + 8 + (size_t)hdr +
	    (eh & EP_EH_HBH ? 8 : 0) + (eh & EP_EH_DST ? 8 : 0);
	int hop = f->ip.ttl <= EP_HOPS_MAX;	/* the system sends 64 */

	if (f->ip.is_frag) {
		s->raw = EP_RAW_FRAG;
		/* The data after the Fragment header (frame.h). */
		s->frag_size = (uint16_t)(f->ip.total_len -
		    (f->ip.frag_hdr_end ? f->ip.frag_hdr_end :
		    f->ip.hdr_len));
	} else if (f->dns.length >= 512)
		s->raw = !hop && ip_size == EP_PLAN_FRAGOUT_SIZE &&
		    (f->ip.family == 6 || !f->ip.df) ? EP_RAW_WHOLE : EP_RAW_DF;
	else if (hop || eh != 0)
		s->raw = EP_RAW_WHOLE;
	else
		return;
	s->eh = eh;
	s->ttl = hop ? f->ip.ttl : 0;
	s->transport = EP_RAW;
	/* An IPv6 datagram past 65535 bytes (a loopback capture) as the
	 * largest size a probe is made as, not wrapped. */
	s->ip_size = (uint16_t)(ip_size > EP_PLAN_IP_MAX ? EP_PLAN_IP_MAX :
	    ip_size);
	s->msg_len = (uint16_t)f->dns.length;
}

/*
 * The EDNS options of a query, as compliance tests send them (comply.c
 * reads their codes and the client cookie): codes, lengths, the COOKIE's
 * data, zeros for the rest.  None when they do not all fit (a padded
 * query).
 */
static void
opts_from(struct ep_probe_spec *s, const struct ep_dns_msg *m)
{
	size_t n = 0;

	if (m->edns_options > EP_EDNS_OPTS_MAX)
		return;
	for (int i = 0; i < m->edns_options; i++) {
		uint16_t code = m->edns_opt[i].code, len = m->edns_opt[i].len;

		if (n + 4 + len > sizeof(s->opts))
			return;
		s->opts[n] = (uint8_t)(code >> 8);
		s->opts[n + 1] = (uint8_t)code;
		s->opts[n + 2] = (uint8_t)(len >> 8);
		s->opts[n + 3] = (uint8_t)len;
		memset(s->opts + n + 4, 0, len);
		if (code == 10 && m->edns_cookie_len == len)
			memcpy(s->opts + n + 4, m->edns_cookie, len);
		n += 4 + len;
	}
	s->opts_len = (uint8_t)n;
}

/* The question and EDNS of a query frame into a probe's spec. */
static void
spec_from(struct ep_probe_spec *s, const struct ep_dns_msg *m)
{
	if (m->has_question && m->qname_len <= sizeof(s->qname)) {
		memcpy(s->qname, m->qname, m->qname_len);
		s->qname_len = m->qname_len;
		s->qtype = m->qtype;
		s->qclass = m->qclass;
	}
	s->opcode = (uint8_t)EP_DNS_OPCODE(m->flags);
	s->no_question = m->qdcount == 0;
	s->hdr_flags = m->flags & (EP_DNS_AA | EP_DNS_TC | EP_DNS_RD |
	    EP_DNS_RA | EP_DNS_Z | EP_DNS_AD | EP_DNS_CD);
	s->edns = m->opt_count > 0;
	s->bufsize = s->edns ? m->edns_udp : 0;
	s->dnssec_ok = s->edns && (m->edns_flags & EP_DNS_EDNS_DO);
	s->recurse = (m->flags & EP_DNS_RD) != 0;
	if (s->edns) {
		s->edns_version = m->edns_version;
		s->edns_flags = m->edns_flags & 0x7fff;
		opts_from(s, m);
	}
}

/* A query seen (again): its first transmission says what the probe
 * asked; its RTT runs from the last.  UDP and TCP alike. */
static void
query_seen(struct ep_probe_record *p, const struct ep_dns_msg *d,
    uint64_t ts_us)
{
	if (p->res.tries++ == 0) {
		p->res.started_us = ts_us;
		p->res.qid = d->id;
		p->res.sent_bytes = d->length;
		spec_from(&p->spec, d);
	}
	p->res.last_us = ts_us;
}

/* As live (probe/engine/query.c): a reply with another opcode or
 * question answers some other message. */
static int
answers(const struct ep_probe_spec *s, const struct ep_dns_msg *d)
{
	return EP_DNS_OPCODE(d->flags) == s->opcode && (!d->has_question ||
	    s->qname_len == 0 || (d->qtype == s->qtype &&
	    d->qclass == s->qclass && d->qname_len == s->qname_len &&
	    memcmp(d->qname, s->qname, s->qname_len) == 0));
}

/* The connection of a stream, either way; NULL if no SYN was seen. */
static struct conn *
conn_of(struct analysis *a, const struct ep_tcpstream_key *k)
{
	return conn_find(a, k->family, k->src, k->dst, k->sport, k->dport,
	    k->dport == a->port);	/* as tcp_frame's SYN */
}

/* A whole query from a client makes (or re-sends) its probe, as a UDP
 * query does in pass1: one probe per DNS id on a connection. */
static void
tcp_query(struct analysis *a, const struct ep_tcpstream_msg *m,
    const struct ep_dns_msg *d)
{
	const struct ep_tcpstream_key *k = m->key;
	struct ep_target *t;
	struct ep_probe_record *p;

	if ((t = target_for(a, k->family, k->dst, k->dport)) == NULL)
		return;
	p = probe_for(t, EP_TCP, k->sport, d->id);
	if (p == NULL && (p = new_probe(a, t, EP_TCP, k->sport)) == NULL)
		return;
	query_seen(p, d, m->last_us);	/* sent once its last byte left */
}

/* A whole reply settles the probe that asked it, as live
 * (probe/engine/query.c): the id, then the opcode and question. */
static void
tcp_reply(struct analysis *a, const struct ep_tcpstream_msg *m,
    const struct ep_dns_msg *d)
{
	const struct ep_tcpstream_key *k = m->key;
	struct ep_target *t;
	struct ep_probe_record *p;

	if ((t = target_find(a, k->family, k->src, k->sport)) == NULL ||
	    (p = probe_for(t, EP_TCP, k->dport, d->id)) == NULL ||
	    p->res.outcome != EP_OUT_PENDING)
		return;
	if (!answers(&p->spec, d)) {
		p->res.ignored++;
		return;
	}
	p->res.reply = *d;
	/* A whole reply came over a connection, whether or not the
	 * capture holds its handshake (it may start mid-stream). */
	p->res.connected = 1;
	/* The RTT ends when the reply starts to arrive (its first byte),
	 * as it did when segments were read one by one. */
	if (p->res.tries > 0 && m->first_us >= p->res.last_us)
		p->res.rtt_ms = (double)(m->first_us - p->res.last_us) /
		    1000.0;	/* none when its query is not in the file */
	if (d->status == EP_DNS_OK)
		p->res.outcome = d->flags & EP_DNS_TC ? EP_OUT_TRUNCATED :
		    EP_OUT_ANSWER;
	else
		p->res.outcome = EP_OUT_MALFORMED;
}

/* The reassembler's messages (capture/tcpstream.h).  A message shorter
 * than a header names no id: nothing to tie it to. */
static void
tcp_message(void *arg, const struct ep_tcpstream_msg *m)
{
	struct analysis *a = arg;
	struct ep_dns_msg d;

	if (m->len < EP_DNS_HDR_LEN)
		return;
	(void)ep_dns_dissect(m->data, m->len, &d);
	d.length = m->len;
	if (d.flags & EP_DNS_QR)
		tcp_reply(a, m, &d);
	else
		tcp_query(a, m, &d);
}

/* A stream ends: a gap in what a server sent, which the client
 * acknowledged (it got the bytes, the capture did not), leaves its
 * connection's later answers unknown (conn_facts).  A gap the client
 * never acknowledged was a loss on the path, as today: no answer. */
static void
tcp_stream_end(void *arg, const struct ep_tcpstream_stats *st)
{
	struct analysis *a = arg;
	struct conn *c;

	if (st->unseen)
		a->r->capture.tcp_unseen++;
	if (st->unseen && st->key->sport == a->port &&
	    (c = conn_of(a, st->key)) != NULL)
		c->holed = 1;
}

/* Every segment to or from the DNS port goes to the reassembler. */
static void
tcp_feed(struct analysis *a, const struct ep_frame *f)
{
	struct ep_tcpstream_seg g;
	const struct ep_ip *ip = &f->ip;

	if (a->streams == NULL || (ip->sport != a->port && ip->dport != a->port))
		return;
	memset(&g, 0, sizeof(g));
	g.key.family = ip->family;
	memcpy(g.key.src, ip->src, alen(ip->family));
	memcpy(g.key.dst, ip->dst, alen(ip->family));
	g.key.sport = ip->sport;
	g.key.dport = ip->dport;
	g.seq = f->tcp_seq;
	g.ack = f->tcp_ack;
	g.flags = f->tcp_flags;
	g.data = f->tcp_data;
	g.caplen = f->tcp_datalen;
	g.len = f->l4_len;
	g.ts_us = f->ts_us;
	g.frame = f->number;
	ep_tcpstream_add(a->streams, &g);
}

static void
tcp_frame(struct analysis *a, const struct ep_frame *f)
{
	const struct ep_ip *ip = &f->ip;
	int syn = f->tcp_flags & 0x02, ack = f->tcp_flags & 0x10;
	struct ep_probe_record *p;
	struct conn *c;
	int from_client;

	if (syn && !ack && ip->dport == a->port) {
		struct ep_target *t;

		if ((c = conn_for(a, f, 1)) == NULL && a->nconns < CONNS_MAX) {
			c = &a->conns[a->nconns++];
			memset(c, 0, sizeof(*c));
			c->family = ip->family;
			memcpy(c->client, ip->src, 16);
			memcpy(c->server, ip->dst, 16);
			c->cport = ip->sport;
			c->sport = ip->dport;
			c->syn_us = f->ts_us;
		}
		t = target_for(a, ip->family, ip->dst, ip->dport);
		if (t != NULL && probe_for(t, EP_TCP, ip->sport, -1) == NULL &&
		    (p = new_probe(a, t, EP_TCP, ip->sport)) != NULL) {
			p->res.started_us = f->ts_us;	/* waited from here */
			if (ip->ttl <= EP_HOPS_MAX)	/* the system: 64 */
				p->spec.ttl = ip->ttl;	/* a hop probe's */
		}
		tcp_feed(a, f);
		return;
	}
	tcp_feed(a, f);
	from_client = ip->dport == a->port;
	if ((c = conn_for(a, f, from_client)) == NULL)
		return;		/* not of a connection we saw a SYN of */
	if (f->l4_len > 0 && f->caplen < f->wirelen)
		c->cut = 1;	/* a segment's bytes not all here */
	if (f->tcp_flags & 0x05)
		c->closed = 1;	/* FIN or RST: the exchange is over */
	if (from_client)
		return;
	if (syn && ack && !c->synack) {
		c->synack = 1;
		c->synack_us = f->ts_us;
	}
	if (f->tcp_flags & 0x04)
		c->rst = 1;
	c->server_bytes += f->l4_len;
}

/* Pass 1: every DNS query makes (or re-sends) a probe; replies give it
 * its result. */
static void
pass1(void *arg, uint64_t ts_us, const uint8_t *data, uint32_t caplen,
    uint32_t wirelen)
{
	struct analysis *a = arg;
	struct ep_frame f;
	struct ep_target *t;
	struct ep_probe_record *p;

	a->nframes++;
	/* The capture's span: files are not always in time order. */
	if (a->nframes == 1 || ts_us < a->first_us)
		a->first_us = ts_us;
	if (ts_us > a->last_us)
		a->last_us = ts_us;
	if (ep_frame_dissect_port(a->link, data, caplen, wirelen, a->nframes,
	    ts_us, a->port, &f) == -1 || !f.ip.has_ports ||
	    (f.l4 != EP_L4_UDP && f.l4 != EP_L4_TCP))
		return;
	/* Whether the capture sees the servers' side at all: once is
	 * enough, and the lookup is not free per frame. */
	if (a->from_targets == 0 &&
	    target_find_addr(a, f.ip.family, f.ip.src) != NULL)
		a->from_targets = 1;
	if (f.l4 == EP_L4_TCP) {
		/* DNS over TCP comes whole from the reassembler. */
		tcp_frame(a, &f);
		return;
	}
	/* From here UDP.  From a target to a probe's port, but no DNS
	 * header or QR clear: a reply that answers nothing (live: ignored),
	 * not a query. */
	if ((!f.has_dns || !(f.dns.flags & EP_DNS_QR)) &&
	    (t = target_find(a, f.ip.family, f.ip.src, f.ip.sport)) != NULL &&
	    (p = probe_for(t, EP_UDP, f.ip.dport, -1)) != NULL) {
		if (p->res.outcome == EP_OUT_PENDING && p->res.tries > 0)
			p->res.ignored++;
		return;
	}
	if (!f.has_dns)
		return;
	if (!(f.dns.flags & EP_DNS_QR)) {
		t = target_for(a, f.ip.family, f.ip.dst, f.ip.dport);
		if (t == NULL)
			return;
		/* Cut by the snap length: its question and EDNS are unknown,
		 * so it is no probe; its exchange is counted as unjudged. */
		if (f.dns.status == EP_DNS_TRUNCATED && f.caplen < f.wirelen) {
			t->cut_exchanges++;
			return;
		}
		p = probe_for(t, EP_UDP, f.ip.sport, f.dns.id);
		if (p == NULL && (p = new_probe(a, t, EP_UDP,
		    f.ip.sport)) == NULL)
			return;
		if (p->res.tries == 0)
			raw_from(&p->spec, &f);	/* the first says its shape */
		query_seen(p, &f.dns, ts_us);
		return;
	}
	/* Replies whose query is not in the file are counted (UDP only:
	 * TCP's come whole from the reassembler, tcp_reply). */
	if ((t = target_find(a, f.ip.family, f.ip.src, f.ip.sport)) == NULL) {
		a->orphan_replies++;
		return;
	}
	if ((p = probe_for(t, EP_UDP, f.ip.dport, f.dns.id)) == NULL) {
		/* Another id to a probe's port (live: ignored). */
		if ((p = probe_for(t, EP_UDP, f.ip.dport, -1)) != NULL &&
		    p->res.outcome == EP_OUT_PENDING)
			p->res.ignored++;
		else
			a->orphan_replies++;
		return;
	}
	if (p->res.outcome != EP_OUT_PENDING)
		return;
	if (!answers(&p->spec, &f.dns)) {
		p->res.ignored++;
		return;
	}
	p->res.reply = f.dns;
	p->res.hello = ep_tw_hello_name(p->spec.qname, p->spec.qname_len) &&
	    ep_tw_is_hello(f.dns_data, f.dns_caplen);
	if (ts_us >= p->res.last_us)
		p->res.rtt_ms = (double)(ts_us - p->res.last_us) / 1000.0;
	if (f.ip.is_frag)
		return;	/* a first fragment: settled by the wire (pass 2) */
	/* Cut by the snap length: the header stands for the message. */
	if (f.dns.status == EP_DNS_OK || (f.dns.status == EP_DNS_TRUNCATED &&
	    f.caplen < f.wirelen))
		p->res.outcome = f.dns.flags & EP_DNS_TC ? EP_OUT_TRUNCATED :
		    EP_OUT_ANSWER;
	else
		p->res.outcome = EP_OUT_MALFORMED;
}

static int icmp_outcome(struct ep_probe_record *p);

/*
 * A query without a reply that the capture did not watch long enough to
 * call lost: it ended less than a->watch_ms after the query (ten times the
 * slowest answer's RTT from that server, at least 100 ms, at most a live
 * run's timeout, which it is when none answered), and the client never sent it again (a
 * retransmission says the client itself gave up waiting).  A TTL-limited
 * probe waits its own while by design.  Such a probe stays unsettled, as
 * in a run stopped early.  Not a SYN left without SYN-ACK, unless the
 * file was cut short: the client's stack retries those on its own clock,
 * and ednsprobe's own captures end with its TCP hop ladder, whose last
 * SYNs the run stops waiting for.
 */
static int
unseen(const struct analysis *a, const struct ep_probe_record *p)
{
	return p->res.waited_ms < a->watch_ms && p->res.tries <= 1 &&
	    p->spec.ttl == 0 && p->spec.tw_ttl == 0;
}

/* The wait that makes a silent query lost, for target t (see unseen). */
static uint32_t
watch_ms(const struct ep_target *t)
{
	double slowest = -1;

	for (int i = 0; i < t->nprobes; i++)
		if (t->probes[i].res.rtt_ms > slowest)
			slowest = t->probes[i].res.rtt_ms;
	/* At most a live run's timeout: a clock step in the file (a far
	 * future stamp) makes RTTs of years. */
	if (slowest < 0 || slowest * 10 >= EP_TIMEOUT_DEFAULT_MS)
		return EP_TIMEOUT_DEFAULT_MS;
	return slowest * 10 < WATCH_MIN_MS ? WATCH_MIN_MS :
	    (uint32_t)(slowest * 10);
}

/* A TCP probe's connection: handshake, reset, bytes; and its outcome when
 * no whole reply settled it. */
static void
conn_facts(struct analysis *a, const struct ep_target *t,
    struct ep_probe_record *p)
{
	struct ep_probe_result *r = &p->res;

	for (int k = 0; k < a->nconns; k++) {
		const struct conn *c = &a->conns[k];

		if (c->family != t->family || c->cport != r->lports[0] ||
		    memcmp(c->server, target_addr(t), alen(c->family)) != 0)
			continue;
		r->connected = c->synack || r->connected;
		/* A SYN-ACK stamped before its SYN (a clock step, a merged
		 * file): connected, but how fast is unknown. */
		if (c->synack && c->synack_us >= c->syn_us)
			r->connect_ms = (double)(c->synack_us - c->syn_us) /
			    1000.0;
		r->stream_bytes = c->server_bytes;
		if (r->outcome != EP_OUT_PENDING)
			return;
		/* Whole replies settled their probes in pass 1 (tcp_reply);
		 * after a gap in what the server sent nothing is known.  A
		 * connection cut before its question is no probe (prune_cut). */
		if (c->cut && r->tries == 0) {
			r->outcome = EP_OUT_UNKNOWN;
			r->cut = 1;
		} else if (c->holed)
			r->outcome = EP_OUT_UNKNOWN;
		else if (c->rst)
			r->outcome = EP_OUT_RESET;
		else if (c->synack && !c->closed && unseen(a, p))
			r->outcome = EP_OUT_INTERRUPTED;	/* see unseen() */
		else if (!c->synack && a->file_cut && unseen(a, p))
			r->outcome = EP_OUT_INTERRUPTED;	/* the cut's */
		else if (c->synack || !icmp_outcome(p))
			r->outcome = c->synack ? EP_OUT_NOANSWER :
			    EP_OUT_TIMEOUT;
		return;
	}
}

/* The router that sent an ICMP error, as a live run records it. */
static void
icmp_from(struct ep_probe_result *r, const struct ep_wire_icmp *ic)
{
	memset(&r->icmp_from, 0, sizeof(r->icmp_from));
	if (ic->family == 4) {
		struct sockaddr_in *sin = (void *)&r->icmp_from;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, ic->from, 4);
	} else {
		struct sockaddr_in6 *sin6 = (void *)&r->icmp_from;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, ic->from, 16);
	}
}

/* An ICMP error about p's query (too big, TTL exceeded...) settles it. */
static int
icmp_outcome(struct ep_probe_record *p)
{
	struct ep_probe_result *r = &p->res;

	if (p->wire.icmp.family == 0)
		return 0;
	r->outcome = EP_OUT_ICMP;
	r->icmp_type = p->wire.icmp.type;
	r->icmp_code = p->wire.icmp.code;
	r->icmp_mtu = p->wire.icmp.mtu;
	icmp_from(r, &p->wire.icmp);
	return 1;
}

/* Outcomes the replies did not settle. */
static void
settle(struct analysis *a, struct ep_target *t)
{
	for (int i = 0; i < t->nprobes; i++) {
		struct ep_probe_record *p = &t->probes[i];
		struct ep_probe_result *r = &p->res;

		if (p->spec.transport == EP_TCP)
			conn_facts(a, t, p);
		if (r->outcome != EP_OUT_PENDING)
			continue;
		if (p->spec.transport != EP_TCP) {
			/* A fragmented reply that was whole on the wire (not
			 * in overlapping pieces: receivers drop those). */
			if (p->wire.frag_complete > p->wire.frag_overlap &&
			    r->reply.length > 0) {
				/* Read whole, as the client's stack got it:
				 * the first fragment holds no OPT record. */
				if (p->wire.has_whole_reply)
					r->reply = p->wire.whole_reply;
				r->outcome = r->reply.flags & EP_DNS_TC ?
				    EP_OUT_TRUNCATED : EP_OUT_ANSWER;
			}
			else if (!icmp_outcome(p)) {
				r->outcome = unseen(a, p) ? EP_OUT_INTERRUPTED :
				    EP_OUT_TIMEOUT;
				r->rtt_ms = -1;
				memset(&r->reply, 0, sizeof(r->reply));
			}
			continue;
		}
		if (r->outcome == EP_OUT_PENDING)
			r->outcome = EP_OUT_TIMEOUT;
		if (r->outcome != EP_OUT_ANSWER) {
			r->rtt_ms = -1;
			memset(&r->reply, 0, sizeof(r->reply));
		}
	}
}

/*
 * A live TCP probe races several connect attempts; in a capture each
 * attempt looks like a connection of its own.  Attempts that never
 * carried a question and never connected, toward a server that did
 * accept another connection, were such extra attempts (a lost SYN or
 * SYN-ACK): not probes of their own.
 */
static void
prune_attempts(struct ep_target *t)
{
	int connected = 0, n = 0;

	for (int i = 0; i < t->nprobes; i++)
		connected |= t->probes[i].spec.transport == EP_TCP &&
		    t->probes[i].res.connected;
	if (!connected)
		return;
	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *p = &t->probes[i];

		if (p->spec.transport == EP_TCP && p->spec.qname_len == 0 &&
		    !p->res.connected && p->spec.ttl == 0)
			continue;
		if (n != i)
			t->probes[n] = *p;
		n++;
	}
	t->nprobes = n;
}

/* TCP connections whose DNS bytes the snap length cut before their
 * question: no probes, counted as exchanges the capture cut. */
static void
prune_cut(struct ep_target *t)
{
	int n = 0;

	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *p = &t->probes[i];

		if (p->res.cut) {
			t->cut_exchanges++;
			continue;
		}
		if (n != i)
			t->probes[n] = *p;
		n++;
	}
	t->nprobes = n;
}

/*
 * Which measurement each probe belongs to, by its shape: every module's
 * identify() in the table's order (the first that takes it), then each
 * module's look at the whole target: the catch-all (sizes) takes the
 * rest, compliance knows its tests by the set of their shapes.
 */
static void
identify(struct ep_target *t)
{
	const struct ep_measure_set *all = ep_measures_all();

	for (int i = 0; i < t->nprobes; i++) {
		struct ep_probe_spec *s = &t->probes[i].spec;

		s->id = i + 1;
		for (int k = 0; k < all->n; k++)
			if (!all->m[k]->catch_all &&
			    all->m[k]->identify != NULL &&
			    all->m[k]->identify(t, s))
				break;
	}
	for (int k = 0; k < all->n; k++)
		if (all->m[k]->catch_all && all->m[k]->identify_target != NULL)
			all->m[k]->identify_target(t);
	for (int k = 0; k < all->n; k++)
		if (!all->m[k]->catch_all && all->m[k]->identify_target != NULL)
			all->m[k]->identify_target(t);
}

static int
read_all(int fd, const char *path, ep_sniff_cb *cb, void *arg, int *link,
    struct ep_report *r, struct ep_err *err)
{
	struct ep_sniff *s = ep_sniff_file(fd, path, err);
	int n;

	if (s == NULL)
		return -1;
	*link = ep_sniff_link(s);
	r->capture.pcapng = ep_sniff_pcapng(s);
	if (ep_link_name(*link) == NULL) {
		ep_sniff_close(s);
		return ep_err_set(err, EINVAL, "%s: link type %d is not one "
		    "ednsprobe reads (Ethernet, Linux cooked, raw IP, BSD "
		    "loopback, NFLOG, PKTAP, 802.11, radiotap)", path,
		    *link);
	}
	while ((n = ep_sniff_read(s, 4096, cb, arg, err)) > 0)
		;
	ep_sniff_close(s);
	if (n == -1) {
		/* A cut file: what came before stands, and we say so. */
		snprintf(r->capture.error, sizeof(r->capture.error), "%s",
		    err->msg);
	}
	return 0;
}

/* A temporary file without a name in dir: -1 with errno. */
static int
tmp_open(const char *dir)
{
	char name[4096];
	int fd;

#ifdef O_TMPFILE
	if ((fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600))
	    != -1 || (errno != EOPNOTSUPP && errno != EISDIR &&
	    errno != EINVAL))
		return fd;
#endif
	if ((size_t)snprintf(name, sizeof(name), "%s/ednsprobe-XXXXXX", dir) >=
	    sizeof(name)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkostemp(name, O_CLOEXEC)) == -1)
		return -1;
	(void)unlink(name);
	return fd;
}

/*
 * Copy everything readable from in (a pipe: read to its end) into a new
 * temporary file that has no name: O_TMPFILE in $TMPDIR (else /tmp),
 * or mkstemp and unlink where the file system has no O_TMPFILE.  It is
 * bounded by the disk only: the analysis reads the capture twice, so it
 * must be kept whole.  Returns the file's descriptor (owned by the
 * caller, at offset 0), or -1 with err (a read or write error, a full
 * disk: the message says which and how many bytes were spooled; EINVAL
 * when in had no byte at all); in is not closed.
 */
static int
spool(int in, struct ep_err *err)
{
	const char *dir = getenv("TMPDIR");
	char buf[65536];
	unsigned long long total = 0;
	ssize_t n, w;
	size_t off;
	int fd, e;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	if ((fd = tmp_open(dir)) == -1)
		return ep_err_set(err, errno, "standard input: cannot make a "
		    "temporary file in %s: %s", dir, strerror(errno));
	for (;;) {
		if ((n = read(in, buf, sizeof(buf))) == -1) {
			if (errno == EINTR)
				continue;
			e = errno;
			close(fd);
			return ep_err_set(err, e, "standard input: %s (after "
			    "%llu bytes)", strerror(e), total);
		}
		if (n == 0)
			break;
		for (off = 0; off < (size_t)n; off += (size_t)w) {
			if ((w = write(fd, buf + off, (size_t)n - off)) == -1) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				e = errno;
				close(fd);
				return ep_err_set(err, e, "standard input: "
				    "spooling to %s: %s (after %llu bytes)",
				    dir, strerror(e), total + off);
			}
		}
		total += (unsigned long long)n;
	}
	if (total == 0) {
		close(fd);
		return ep_err_set(err, EINVAL, "standard input: empty, no "
		    "capture to read");
	}
	if (lseek(fd, 0, SEEK_SET) == -1) {
		e = errno;
		close(fd);
		return ep_err_set(err, e, "standard input: %s", strerror(e));
	}
	return fd;
}

/* The capture's descriptor: path opened, or standard input's ("-"): a
 * regular file in place, anything else spooled (read twice). */
static int
open_capture(const char *path, struct ep_err *err)
{
	struct stat st;
	int fd;

	if (strcmp(path, "-") != 0) {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			return ep_err_set(err, errno, "%s: %s", path,
			    strerror(errno));
		return fd;
	}
	if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3)) == -1)
			return ep_err_set(err, errno, "standard input: %s",
			    strerror(errno));
		return fd;
	}
	return spool(STDIN_FILENO, err);
}

int
ep_analyze(const char *path, uint16_t port, struct ep_report *r,
    struct ep_err *err)
{
	struct analysis a;
	struct ep_evidence ev;
	struct ep_wire_target *views = NULL;
	struct ep_wire_sig *sigs = NULL;
	size_t nsigs = 0;
	int rc = -1, fd;

	memset(&a, 0, sizeof(a));
	memset(&ev, 0, sizeof(ev));
	/* Open the file as the user who ran us (it may be root's through
	 * sudo); parsing it needs no privilege at all.  Standard input is
	 * open already: spooled after the drop. */
	if (strcmp(path, "-") == 0) {
		if (ep_privs_drop(err) == -1 ||
		    (fd = open_capture(path, err)) == -1)
			return -1;
	} else {
		if ((fd = open_capture(path, err)) == -1)
			return -1;
		if (ep_privs_drop(err) == -1) {
			close(fd);
			return -1;
		}
	}
	a.r = r;
	a.port = port;
	r->targets = calloc(TARGETS_MAX, sizeof(*r->targets));
	a.conns = calloc(CONNS_MAX, sizeof(*a.conns));
	a.streams = ep_tcpstream_new(STREAMS_MAX, EP_TCPSTREAM_BYTES,
	    tcp_message, tcp_stream_end, &a);
	if (r->targets == NULL || a.conns == NULL || a.streams == NULL) {
		ep_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	snprintf(r->capture.path, sizeof(r->capture.path), "%s", path);
	if (read_all(fd, path, pass1, &a, &a.link, r, err) == -1)
		goto out;
	/* Streams still waiting for bytes end here: holed or cut short. */
	ep_tcpstream_finish(a.streams);
	r->capture.tcp_evicted = ep_tcpstream_evicted(a.streams);
	/* Pass 2: the live path's matcher over the same frames, against
	 * the probes pass 1 found. */
	for (int i = 0; i < r->ntargets; i++)
		nsigs += (size_t)r->targets[i].nprobes;
	views = calloc((size_t)r->ntargets + 1, sizeof(*views));
	sigs = calloc(nsigs + 1, sizeof(*sigs));
	if (views == NULL || sigs == NULL) {
		ep_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	nsigs = 0;
	for (int i = 0; i < r->ntargets; i++) {
		ep_sniffer_view(&r->targets[i], &views[i], sigs + nsigs);
		nsigs += (size_t)r->targets[i].nprobes;
	}
	ev.link = a.link;
	ev.dns_port = port;
	ev.error = r->capture.error;
	ev.error_len = sizeof(r->capture.error);
	if ((ev.wire = ep_wire_new(views, r->ntargets, NULL, NULL)) == NULL) {
		ep_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	r->capture.error[0] = '\0';
	if (read_all(fd, path, ep_evidence_frame, &ev, &a.link, r, err) == -1)
		goto out;
	ep_wire_finish(ev.wire);
	r->capture.on = 1;
	r->capture.link = a.link;
	r->capture.frames = ev.nframes;
	r->capture.cut = ev.cut;
	for (int i = 0; i < r->ntargets; i++) {
		struct ep_target *t = &r->targets[i];

		/* How long the capture waited for what never came. */
		for (int k = 0; k < t->nprobes; k++) {
			struct ep_probe_result *res = &t->probes[k].res;
			uint64_t w = (a.last_us - res->started_us) / 1000u;

			if (res->started_us && a.last_us > res->started_us)
				res->waited_ms = w > UINT32_MAX ? UINT32_MAX :
				    (uint32_t)w;
		}
		a.watch_ms = watch_ms(t);
		a.file_cut = t->file_cut = r->capture.error[0] != '\0';
		settle(&a, t);
		prune_attempts(t);
		prune_cut(t);
		identify(t);
		t->capture = 1;
		t->timeout_ms = 0;
		t->one_way = a.from_targets == 0;
		/* The verdicts of the measurements it holds, as live. */
		ep_measure_verdict(ep_measures_all(), t);
		ep_verdict_capture_gaps(t);
		if (ep_comply_alone(t))
			r->compliance = 1;
	}
	ep_verdict_report(r);
	r->unanalysed = a.queries_over;
	r->orphan_replies = a.orphan_replies;
	if (a.first_us) {
		time_t when = (time_t)(a.first_us / 1000000u);
		struct tm tm;

		gmtime_r(&when, &tm);
		strftime(r->started, sizeof(r->started),
		    "%Y-%m-%dT%H:%M:%SZ", &tm);
		r->duration_ms = (a.last_us - a.first_us) / 1000u;
	}
	rc = 0;
out:
	ep_wire_free(ev.wire);
	free(views);
	free(sigs);
	free(a.conns);
	ep_tcpstream_free(a.streams);
	close(fd);
	return rc;
}
