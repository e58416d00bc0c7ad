/* tests/unit/test_capture.c: the frame dissector, the fragment table, the
 * matcher and its view of targets, and the capture writer, on frames
 * built here byte by byte. */
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "ednsprobe/frame.h"
#include "ednsprobe/result.h"
#include "engine/sniffer.h"
#include "pcapw.h"
#include "wire.h"

/* A frame under construction. */
struct pkt {
	uint8_t	b[4096];
	size_t	n;
};

static void
u8(struct pkt *p, unsigned v)
{
	p->b[p->n++] = (uint8_t)v;
}

static void
u16(struct pkt *p, unsigned v)
{
	u8(p, v >> 8);
	u8(p, v);
}

static void
u32(struct pkt *p, uint32_t v)
{
	u16(p, v >> 16);
	u16(p, v & 0xffff);
}

static void
bytes(struct pkt *p, const void *v, size_t n)
{
	memcpy(p->b + p->n, v, n);
	p->n += n;
}

static void
ether(struct pkt *p, unsigned type, int vlans)
{
	static const uint8_t mac[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };

	bytes(p, mac, 12);
	for (int i = 0; i < vlans; i++) {
		u16(p, i ? 0x8100 : 0x88a8);
		u16(p, 100 + i);
	}
	u16(p, type);
}

static const uint8_t v4a[4] = { 192, 0, 2, 10 }, v4b[4] = { 203, 0, 113, 53 };
static const uint8_t v6a[16] = { 0x20, 1, 0xd, 0xb8, 0, 1, [15] = 0x10 };
static const uint8_t v6b[16] = { 0x20, 1, 0xd, 0xb8, 0, 0x53, [15] = 0x53 };

/* IPv4 header with options of optlen bytes; total = header + payload. */
static void
ipv4(struct pkt *p, unsigned proto, unsigned payload, unsigned id,
    unsigned fragword, size_t optlen, int rev)
{
	u8(p, 0x40 | (unsigned)(5 + optlen / 4));
	u8(p, 0);
	u16(p, (unsigned)(20 + optlen + payload));
	u16(p, id);
	u16(p, fragword);
	u8(p, 64);
	u8(p, proto);
	u16(p, 0);
	bytes(p, rev ? v4b : v4a, 4);
	bytes(p, rev ? v4a : v4b, 4);
	for (size_t i = 0; i < optlen; i++)
		u8(p, 1);	/* NOP options */
}

static void
ipv6(struct pkt *p, unsigned next, unsigned plen, int rev)
{
	u32(p, 0x60000000u);
	u16(p, plen);
	u8(p, next);
	u8(p, 64);
	bytes(p, rev ? v6b : v6a, 16);
	bytes(p, rev ? v6a : v6b, 16);
}

static void
udp(struct pkt *p, unsigned sport, unsigned dport, unsigned len)
{
	u16(p, sport);
	u16(p, dport);
	u16(p, len);
	u16(p, 0);
}

/* A DNS query for probe.test DNSKEY with OPT (4096, DO): 39 bytes. */
static void
dns_query(struct pkt *p, unsigned id, unsigned flags)
{
	static const uint8_t q[] = { 5, 'p', 'r', 'o', 'b', 'e', 4, 't', 'e',
	    's', 't', 0, 0, 48, 0, 1 };

	u16(p, id);
	u16(p, flags);
	u16(p, 1);
	u16(p, 0);
	u16(p, 0);
	u16(p, 1);
	bytes(p, q, sizeof(q));
	u8(p, 0);		/* OPT: root name */
	u16(p, 41);
	u16(p, 4096);
	u32(p, 0x00008000u);	/* DO */
	u16(p, 0);
}

/*
 * Dissect p, and again with every shorter capture length in a buffer of
 * exactly that size (ASan catches any read past the end).
 */
static int
dissect_all(int link, const struct pkt *p, struct ep_frame *f)
{
	for (size_t cut = 0; cut < p->n; cut++) {
		uint8_t *b = malloc(cut ? cut : 1);
		struct ep_frame g;

		assert_non_null(b);
		memcpy(b, p->b, cut);
		(void)ep_frame_dissect(link, b, (uint32_t)cut,
		    (uint32_t)p->n, 1, 0, &g);
		if (g.stop != NULL && cut < p->n)
			assert_true(g.cut || g.ip.family == 0 ||
			    g.stop != NULL);
		free(b);
	}
	return ep_frame_dissect(link, p->b, (uint32_t)p->n, (uint32_t)p->n,
	    7, 1234, f);
}

static void
test_ethernet_udp_query(void **state)
{
	struct pkt p = { .n = 0 };
	struct ep_frame f;

	(void)state;
	ether(&p, 0x0800, 0);
	ipv4(&p, 17, 8 + 39, 0x1234, 0x4000, 0, 0);
	udp(&p, 40000, 53, 8 + 39);
	dns_query(&p, 0xbeef, 0x0100);
	assert_int_equal(dissect_all(EP_LINK_ETHERNET, &p, &f), 0);
	assert_null(f.stop);
	assert_int_equal(f.number, 7);
	assert_int_equal(f.ip.family, 4);
	assert_memory_equal(f.ip.src, v4a, 4);
	assert_true(f.ip.df);
	assert_false(f.ip.is_frag);
	assert_int_equal(f.l4, EP_L4_UDP);
	assert_int_equal(f.ip.sport, 40000);
	assert_int_equal(f.ip.dport, 53);
	assert_true(f.has_dns);
	assert_int_equal(f.dns.id, 0xbeef);
	assert_int_equal(f.dns.status, EP_DNS_OK);
	assert_int_equal(f.dns.length, 39);
	assert_int_equal(f.dns.opt_count, 1);
	assert_int_equal(f.dns.edns_udp, 4096);
	assert_true(f.dns.edns_flags & EP_DNS_EDNS_DO);
	assert_int_equal(f.dns.qtype, 48);
}

/* Two VLAN tags, IPv4 options, and the cooked link types. */
static void
test_vlan_options_and_cooked(void **state)
{
	struct pkt p = { .n = 0 }, s = { .n = 0 }, s2 = { .n = 0 };
	struct ep_frame f;

	(void)state;
	ether(&p, 0x0800, 2);
	ipv4(&p, 17, 8 + 39, 1, 0, 8, 0);
	udp(&p, 40000, 53, 8 + 39);
	dns_query(&p, 7, 0);
	assert_int_equal(dissect_all(EP_LINK_ETHERNET, &p, &f), 0);
	assert_int_equal(f.ip.hdr_len, 28);
	assert_int_equal(f.dns.id, 7);

	u16(&s, 0);	/* SLL: packet type, ARPHRD, addr len, addr(8) */
	u16(&s, 1);
	u16(&s, 6);
	bytes(&s, "\0\0\0\0\0\0\0\0", 8);
	u16(&s, 0x86dd);
	ipv6(&s, 17, 8 + 39, 0);
	udp(&s, 40001, 53, 8 + 39);
	dns_query(&s, 8, 0);
	assert_int_equal(dissect_all(EP_LINK_LINUX_SLL, &s, &f), 0);
	assert_int_equal(f.ip.family, 6);
	assert_int_equal(f.dns.id, 8);

	u16(&s2, 0x0800);	/* SLL2: protocol first, 20 bytes */
	u16(&s2, 0);
	u32(&s2, 2);
	u16(&s2, 1);
	u8(&s2, 0);
	u8(&s2, 6);
	bytes(&s2, "\0\0\0\0\0\0\0\0", 8);
	ipv4(&s2, 17, 8 + 39, 2, 0, 0, 1);
	udp(&s2, 53, 40002, 8 + 39);
	dns_query(&s2, 9, 0x8000);
	assert_int_equal(dissect_all(EP_LINK_LINUX_SLL2, &s2, &f), 0);
	assert_int_equal(f.ip.sport, 53);
	assert_true(f.dns.flags & EP_DNS_QR);
	assert_string_equal(ep_link_name(EP_LINK_LINUX_SLL2), "LINUX_SLL2");
	assert_null(ep_link_name(147));
	assert_int_equal(ep_frame_dissect(147, p.b, (uint32_t)p.n,
	    (uint32_t)p.n, 1, 0, &f), -1);
	assert_non_null(f.stop);
}

/* A first fragment carries the start of a 2037-byte answer. */
static void
test_ipv4_fragments(void **state)
{
	struct pkt p = { .n = 0 }, q = { .n = 0 };
	struct ep_frame f;

	(void)state;
	u8(&p, 0);	/* raw IP: no link header */
	p.n = 0;
	ipv4(&p, 17, 1480, 0x4242, 0x2000, 0, 1);	/* MF, offset 0 */
	udp(&p, 53, 40000, 8 + 2037);
	dns_query(&p, 0x1111, 0x8000);
	while (p.n < 20 + 1480)
		u8(&p, 0);
	assert_int_equal(dissect_all(EP_LINK_RAW, &p, &f), 0);
	assert_true(f.ip.is_frag);
	assert_true(f.ip.more_frags);
	assert_int_equal(f.ip.frag_off, 0);
	assert_int_equal(f.ip.ip_id, 0x4242);
	assert_true(f.ip.has_ports);
	assert_true(f.has_dns);
	assert_int_equal(f.dns.length, 2037);
	assert_int_equal(f.dns.id, 0x1111);

	ipv4(&q, 17, 565, 0x4242, 1480 / 8, 0, 1);	/* last fragment */
	for (int i = 0; i < 565; i++)
		u8(&q, 0xaa);
	assert_int_equal(dissect_all(EP_LINK_IPV4, &q, &f), 0);
	assert_true(f.ip.is_frag);
	assert_false(f.ip.more_frags);
	assert_int_equal(f.ip.frag_off, 1480);
	assert_false(f.ip.has_ports);
	assert_false(f.has_dns);
	assert_int_equal(f.l4, EP_L4_NONE);
	assert_int_equal(f.ip.total_len - f.ip.hdr_len, 565);
}

/* Hop-by-hop and destination options, then a Fragment header. */
static void
test_ipv6_chain(void **state)
{
	struct pkt p = { .n = 0 }, q = { .n = 0 };
	struct ep_frame f;

	(void)state;
	ipv6(&p, 0, 8 + 8 + 8 + 8 + 39, 0);
	u8(&p, 60);		/* hop-by-hop -> dst opts */
	u8(&p, 0);
	bytes(&p, "\1\4\0\0\0\0", 6);
	u8(&p, 44);		/* dst opts -> fragment */
	u8(&p, 0);
	bytes(&p, "\1\4\0\0\0\0", 6);
	u8(&p, 17);		/* fragment -> UDP, offset 0, M */
	u8(&p, 0);
	u16(&p, 0x0001);
	u32(&p, 0xdeadbeef);
	udp(&p, 40000, 53, 8 + 39);
	dns_query(&p, 5, 0);
	assert_int_equal(dissect_all(EP_LINK_IPV6, &p, &f), 0);
	assert_int_equal(f.ip.hdr_len, 40 + 24);
	assert_true(f.ip.is_frag);
	assert_true(f.ip.more_frags);
	assert_int_equal(f.ip.ip_id, 0xdeadbeef);
	assert_int_equal(f.ip.proto, 17);
	assert_true(f.has_dns);

	/* Nine destination-options headers: past the bound, stopped. */
	ipv6(&q, 60, 9 * 8, 0);
	for (int i = 0; i < 9; i++) {
		u8(&q, 60);
		u8(&q, 0);
		bytes(&q, "\1\4\0\0\0\0", 6);
	}
	assert_int_equal(dissect_all(EP_LINK_IPV6, &q, &f), 0);
	assert_non_null(f.stop);
	assert_int_equal(f.l4, EP_L4_NONE);
}

/* ICMP frag-needed and ICMPv6 packet-too-big quoting our query. */
static void
test_icmp_quotes(void **state)
{
	struct pkt p = { .n = 0 }, q = { .n = 0 };
	struct ep_frame f;

	(void)state;
	ipv4(&p, 1, 8 + 20 + 8 + 39, 9, 0, 0, 1);
	u8(&p, 3);
	u8(&p, 4);
	u16(&p, 0);
	u32(&p, 1280);
	ipv4(&p, 17, 8 + 39, 77, 0x4000, 0, 0);
	udp(&p, 40000, 53, 8 + 39);
	dns_query(&p, 0x7777, 0);
	assert_int_equal(dissect_all(EP_LINK_RAW, &p, &f), 0);
	assert_int_equal(f.l4, EP_L4_ICMP);
	assert_int_equal(f.icmp_mtu, 1280);
	assert_true(f.has_quote);
	assert_int_equal(f.quote.family, 4);
	assert_memory_equal(f.quote.dst, v4b, 4);
	assert_true(f.quote.has_ports);
	assert_int_equal(f.quote.sport, 40000);
	assert_int_equal(f.dns.id, 0x7777);

	ipv6(&q, 58, 8 + 40 + 8 + 39, 1);
	u8(&q, 2);
	u8(&q, 0);
	u16(&q, 0);
	u32(&q, 1280);
	ipv6(&q, 17, 8 + 39, 0);
	udp(&q, 40001, 53, 8 + 39);
	dns_query(&q, 0x8888, 0);
	assert_int_equal(dissect_all(EP_LINK_RAW, &q, &f), 0);
	assert_int_equal(f.l4, EP_L4_ICMP6);
	assert_int_equal(f.icmp_type, 2);
	assert_int_equal(f.icmp_mtu, 1280);
	assert_int_equal(f.quote.family, 6);
	assert_int_equal(f.quote.sport, 40001);
}

/*
 * The matcher: an ICMP error quoting our query is the probe's ICMP; one
 * our own host sent about the server's reply (port unreachable toward a
 * reply from another port: the hostile server's wrong-src-port) is tied
 * to the probe as a frame, but is no ICMP error about our packets.
 */
static void
test_wire_icmp_direction(void **state)
{
	struct ep_probe_wire pw;
	struct ep_wire_sig sig;
	struct ep_wire_target t;
	struct ep_wire_icmp ptb;
	uint32_t orphan_frames[EP_WIRE_FRAMES];
	int orphan_dgrams = 0, orphan_frags = 0, norphan_frames = 0;
	struct ep_wire *w;
	struct pkt p = { .n = 0 }, q = { .n = 0 };
	struct ep_frame f;
	char c[256];

	(void)state;
	memset(&pw, 0, sizeof(pw));
	memset(&ptb, 0, sizeof(ptb));
	memset(&sig, 0, sizeof(sig));
	sig.proto = IPPROTO_UDP;
	sig.qid = 0x7777;
	sig.lports[0] = 40000;
	sig.nlports = 1;
	sig.ev = &pw;
	snprintf(sig.label, sizeof(sig.label), "probe 1 udp small");
	memset(&t, 0, sizeof(t));
	t.family = 4;
	memcpy(t.addr, v4b, 4);
	t.sigs = &sig;
	t.nsigs = 1;
	t.orphan_dgrams = &orphan_dgrams;
	t.orphan_frags = &orphan_frags;
	t.orphan_frames = orphan_frames;
	t.norphan_frames = &norphan_frames;
	t.ptb = &ptb;
	assert_non_null(w = ep_wire_new(&t, 1, NULL, NULL));

	/* Ours, port unreachable, about the reply from port 5353. */
	ipv4(&p, 1, 8 + 20 + 8 + 39, 9, 0, 0, 0);
	u8(&p, 3);
	u8(&p, 3);
	u16(&p, 0);
	u32(&p, 0);
	ipv4(&p, 17, 8 + 39, 78, 0, 0, 1);
	udp(&p, 5353, 40000, 8 + 39);
	dns_query(&p, 0x7777, 0x8000);
	assert_int_equal(ep_frame_dissect(EP_LINK_RAW, p.b, (uint32_t)p.n,
	    (uint32_t)p.n, 1, 0, &f), 0);
	ep_wire_frame(w, &f, c, sizeof(c));
	assert_int_equal(pw.nframes, 1);
	assert_int_equal(pw.icmp.family, 0);
	assert_int_equal(ptb.family, 0);

	/* The server's frag-needed about our query. */
	ipv4(&q, 1, 8 + 20 + 8 + 39, 9, 0, 0, 1);
	u8(&q, 3);
	u8(&q, 4);
	u16(&q, 0);
	u32(&q, 1280);
	ipv4(&q, 17, 8 + 39, 77, 0x4000, 0, 0);
	udp(&q, 40000, 53, 8 + 39);
	dns_query(&q, 0x7777, 0);
	assert_int_equal(ep_frame_dissect(EP_LINK_RAW, q.b, (uint32_t)q.n,
	    (uint32_t)q.n, 2, 0, &f), 0);
	ep_wire_frame(w, &f, c, sizeof(c));
	assert_int_equal(pw.nframes, 2);
	assert_int_equal(pw.icmp.family, 4);
	assert_int_equal(pw.icmp.type, 3);
	assert_int_equal(pw.icmp.code, 4);
	assert_int_equal(pw.icmp.frame, 2);
	assert_int_equal(ptb.mtu, 1280);
	ep_wire_free(w);
}

/* A TCP header with flags and no payload: 20 bytes. */
static void
tcp(struct pkt *p, unsigned sport, unsigned dport, unsigned flags)
{
	u16(p, sport);
	u16(p, dport);
	u32(p, 1000);
	u32(p, 2000);
	u8(p, 0x50);
	u8(p, flags);
	u16(p, 65535);
	u16(p, 0);
	u16(p, 0);
}

/* p dissected as a raw IP frame numbered n, through w; its comment. */
static int
wire_frame(struct ep_wire *w, const struct pkt *p, uint32_t n, char *c,
    size_t len)
{
	struct ep_frame f;

	assert_int_equal(ep_frame_dissect(EP_LINK_RAW, p->b, (uint32_t)p->n,
	    (uint32_t)p->n, n, 0, &f), 0);
	return ep_wire_frame(w, &f, c, len);
}

/*
 * The probe side's view of a target (probe/engine/sniffer.c): one
 * signature per probe, in order, a raw probe's as UDP, labelled as the
 * capture file's comments always named probes; the evidence lands in the
 * probe records and the target's orphan fields.
 */
static void
test_wire_view(void **state)
{
	static const struct {
		int id;
		enum ep_transport tr;
		int edns, dnssec_ok;
		uint16_t bufsize;
		enum ep_subject subject;
		uint16_t qid, lport[2];
		int nlports;
	} pr[] = {
		{ 9, EP_UDP, 1, 1, 4000, EP_SUBJ_LARGE, 0x1111, { 40000 }, 1 },
		{ 10, EP_RAW, 0, 0, 0, EP_SUBJ_SMALL, 0x2222, { 40001 }, 1 },
		{ 11, EP_TCP, 1, 0, 1232, EP_SUBJ_MEDIUM, 0x3333,
		    { 40002, 40003 }, 2 },
	};
	static const char *const label[] = { "probe 9 udp 4000 do large",
	    "probe 10 raw small", "probe 11 tcp 1232 medium" };
	struct ep_target *t = calloc(1, sizeof(*t));
	struct ep_wire_sig sigs[3];
	struct ep_wire_target wt;
	struct sockaddr_in *sin;
	struct ep_wire *w;
	struct pkt p;
	char c[256];

	(void)state;
	assert_non_null(t);
	sin = (struct sockaddr_in *)&t->addr;
	sin->sin_family = AF_INET;
	memcpy(&sin->sin_addr, v4b, 4);
	t->family = 4;
	for (int i = 0; i < 3; i++) {
		struct ep_probe_record *r = &t->probes[t->nprobes++];

		r->spec.id = pr[i].id;
		r->spec.transport = pr[i].tr;
		r->spec.edns = pr[i].edns;
		r->spec.dnssec_ok = pr[i].dnssec_ok;
		r->spec.bufsize = pr[i].bufsize;
		r->spec.subject = pr[i].subject;
		r->res.qid = pr[i].qid;
		memcpy(r->res.lports, pr[i].lport, sizeof(pr[i].lport));
		r->res.nlports = pr[i].nlports;
	}
	ep_sniffer_view(t, &wt, sigs);
	assert_int_equal(wt.family, 4);
	assert_memory_equal(wt.addr, v4b, 4);
	assert_int_equal(wt.nsigs, 3);
	assert_int_equal(wt.stale, 0);
	assert_ptr_equal(wt.sigs, sigs);
	assert_ptr_equal(wt.ptb, &t->ptb);
	assert_ptr_equal(wt.orphan_dgrams, &t->orphan_dgrams);
	assert_ptr_equal(wt.orphan_frags, &t->orphan_frags);
	assert_ptr_equal(wt.orphan_frames, t->orphan_frames);
	assert_ptr_equal(wt.norphan_frames, &t->norphan_frames);
	for (int i = 0; i < 3; i++) {
		assert_string_equal(sigs[i].label, label[i]);
		assert_int_equal(sigs[i].proto, pr[i].tr == EP_TCP ?
		    IPPROTO_TCP : IPPROTO_UDP);
		assert_int_equal(sigs[i].qid, pr[i].qid);
		assert_int_equal(sigs[i].nlports, pr[i].nlports);
		assert_int_equal(sigs[i].lports[pr[i].nlports - 1],
		    pr[i].lport[pr[i].nlports - 1]);
		assert_ptr_equal(sigs[i].ev, &t->probes[i].wire);
	}
	assert_non_null(w = ep_wire_new(&wt, 1, NULL, NULL));

	/* Our query, the raw probe's reply, a SYN-ACK to the second connect
	 * attempt of the TCP probe: each on its probe, as the file says. */
	p.n = 0;
	ipv4(&p, 17, 8 + 39, 1, 0, 0, 0);
	udp(&p, 40000, 53, 8 + 39);
	dns_query(&p, 0x1111, 0);
	assert_int_equal(wire_frame(w, &p, 1, c, sizeof(c)), 1);
	assert_string_equal(c, "probe 9 udp 4000 do large: query id 4369, "
	    "39 bytes");
	assert_int_equal(t->probes[0].wire.queries, 1);
	p.n = 0;
	ipv4(&p, 17, 8 + 39, 2, 0, 0, 1);
	udp(&p, 53, 40001, 8 + 39);
	dns_query(&p, 0x2222, 0x8200);
	assert_int_equal(wire_frame(w, &p, 2, c, sizeof(c)), 1);
	assert_string_equal(c, "probe 10 raw small: reply id 8738, 39 bytes, "
	    "TC");
	assert_int_equal(t->probes[1].wire.replies, 1);
	assert_int_equal(t->probes[1].wire.reply_bytes, 39);
	p.n = 0;
	ipv4(&p, 6, 20, 3, 0, 0, 1);
	tcp(&p, 53, 40003, 0x12);
	assert_int_equal(wire_frame(w, &p, 3, c, sizeof(c)), 1);
	assert_string_equal(c, "probe 11 tcp 1232 medium: TCP SYN-ACK, "
	    "0 bytes");
	assert_int_equal(t->probes[2].wire.nframes, 1);
	assert_int_equal(t->probes[2].wire.frames[0], 3);
	/* Without a comment, the same evidence. */
	assert_int_equal(wire_frame(w, &p, 4, NULL, 0), 1);
	assert_int_equal(t->probes[2].wire.nframes, 2);

	/* A fragment from the target whose first fragment never came: the
	 * target's orphan once settled. */
	p.n = 0;
	ipv4(&p, 17, 16, 77, 0x2000 | 1, 0, 1);
	for (int i = 0; i < 16; i++)
		u8(&p, 0);
	assert_int_equal(wire_frame(w, &p, 5, c, sizeof(c)), 1);
	assert_string_equal(c, "");
	assert_int_equal(t->orphan_dgrams, 0);
	ep_wire_settle(w, &wt);
	assert_int_equal(t->orphan_dgrams, 1);
	assert_int_equal(t->orphan_frags, 1);
	assert_int_equal(t->norphan_frames, 1);
	assert_int_equal(t->orphan_frames[0], 5);
	ep_wire_free(w);
	free(t);
}

/* An IP header of family fam (rev: from the server) with its TTL / hop
 * limit set to ttl. */
static void
ip_ttl(struct pkt *p, int fam, unsigned proto, unsigned payload, int rev,
    unsigned ttl)
{
	size_t at = p->n;

	if (fam == 4) {
		ipv4(p, proto == 58 ? 1 : proto, payload, 5, 0, 0, rev);
		p->b[at + 8] = (uint8_t)ttl;
	} else {
		ipv6(p, proto, payload, rev);
		p->b[at + 7] = (uint8_t)ttl;
	}
}

/*
 * What comes back keeps its TTL (hop limit), both families: each distinct
 * value of the replies once, with its first frame (a resend's answer adds
 * nothing, an injected one adds its own), the resets from the server (not
 * a SYN-ACK, not our own reset), the ICMP error's; a reply with another
 * id says nothing; values beyond EP_WIRE_TTLS are counted.
 */
static void
test_wire_ttls(void **state)
{
	(void)state;
	for (int fam = 4; fam <= 6; fam += 2) {
		struct ep_probe_wire pu, pt;
		struct ep_wire_sig sig[2];
		struct ep_wire_target t;
		struct ep_wire_icmp ptb;
		uint32_t orphan_frames[EP_WIRE_FRAMES];
		int orphan_dgrams = 0, orphan_frags = 0, norphan_frames = 0;
		struct ep_wire *w;
		struct pkt p;
		uint32_t n = 0;
		char c[256];
		static const unsigned ttls[] = { 62, 62, 63, 0, 61, 60, 59 };

		memset(&pu, 0, sizeof(pu));
		memset(&pt, 0, sizeof(pt));
		memset(&ptb, 0, sizeof(ptb));
		memset(sig, 0, sizeof(sig));
		sig[0].proto = IPPROTO_UDP;
		sig[0].qid = 0x1111;
		sig[0].lports[0] = 40000;
		sig[0].nlports = 1;
		sig[0].ev = &pu;
		sig[1].proto = IPPROTO_TCP;
		sig[1].qid = 0x2222;
		sig[1].lports[0] = 40010;
		sig[1].nlports = 1;
		sig[1].ev = &pt;
		memset(&t, 0, sizeof(t));
		t.family = fam;
		memcpy(t.addr, fam == 4 ? v4b : v6b, fam == 4 ? 4 : 16);
		t.sigs = sig;
		t.nsigs = 2;
		t.orphan_dgrams = &orphan_dgrams;
		t.orphan_frags = &orphan_frags;
		t.orphan_frames = orphan_frames;
		t.norphan_frames = &norphan_frames;
		t.ptb = &ptb;
		assert_non_null(w = ep_wire_new(&t, 1, NULL, NULL));

		/* Replies (0: one with another id) at these TTLs. */
		for (size_t i = 0; i < sizeof(ttls) / sizeof(ttls[0]); i++) {
			p.n = 0;
			ip_ttl(&p, fam, 17, 8 + 39, 1, ttls[i] ? ttls[i] : 50);
			udp(&p, 53, 40000, 8 + 39);
			dns_query(&p, ttls[i] ? 0x1111 : 0x1112, 0x8000);
			assert_int_equal(wire_frame(w, &p, ++n, c, sizeof(c)),
			    1);
		}
		assert_int_equal(pu.replies, 6);
		assert_int_equal(pu.reply_ttl.n, EP_WIRE_TTLS);
		assert_int_equal(pu.reply_ttl.more, 1);	/* 59 */
		assert_int_equal(pu.reply_ttl.ttl[0], 62);
		assert_int_equal(pu.reply_ttl.frame[0], 1);
		assert_int_equal(pu.reply_ttl.ttl[1], 63);
		assert_int_equal(pu.reply_ttl.frame[1], 3);
		assert_int_equal(pu.reply_ttl.ttl[2], 61);
		assert_int_equal(pu.reply_ttl.frame[2], 5);
		assert_int_equal(pu.reset_ttl.n, 0);

		/* A SYN-ACK, a reset from the server, our own reset. */
		p.n = 0;
		ip_ttl(&p, fam, 6, 20, 1, 62);
		tcp(&p, 53, 40010, 0x12);
		assert_int_equal(wire_frame(w, &p, ++n, c, sizeof(c)), 1);
		assert_int_equal(pt.reset_ttl.n, 0);
		p.n = 0;
		ip_ttl(&p, fam, 6, 20, 1, 63);
		tcp(&p, 53, 40010, 0x14);
		assert_int_equal(wire_frame(w, &p, ++n, c, sizeof(c)), 1);
		assert_string_equal(c, ": TCP RST, 0 bytes");
		p.n = 0;
		ip_ttl(&p, fam, 6, 20, 0, 64);
		tcp(&p, 40010, 53, 0x04);
		assert_int_equal(wire_frame(w, &p, ++n, c, sizeof(c)), 1);
		assert_int_equal(pt.reset_ttl.n, 1);
		assert_int_equal(pt.reset_ttl.ttl[0], 63);
		assert_int_equal(pt.reset_ttl.frame[0], n - 1);
		assert_int_equal(pt.reply_ttl.n, 0);
		assert_int_equal(pt.nframes, 3);

		/* Port unreachable from the server's address about our
		 * query. */
		p.n = 0;
		ip_ttl(&p, fam, 58, 8 + (fam == 4 ? 20 : 40) + 8 + 39, 1, 250);
		u8(&p, fam == 4 ? 3 : 1);
		u8(&p, fam == 4 ? 3 : 4);
		u16(&p, 0);
		u32(&p, 0);
		if (fam == 4)
			ipv4(&p, 17, 8 + 39, 78, 0, 0, 0);
		else
			ipv6(&p, 17, 8 + 39, 0);
		udp(&p, 40000, 53, 8 + 39);
		dns_query(&p, 0x1111, 0);
		assert_int_equal(wire_frame(w, &p, ++n, c, sizeof(c)), 1);
		assert_int_equal(pu.icmp.family, fam);
		assert_int_equal(pu.icmp.ttl, 250);
		assert_int_equal(pu.icmp.frame, n);
		assert_memory_equal(pu.icmp.from, fam == 4 ? v4b : v6b,
		    fam == 4 ? 4 : 16);
		ep_wire_free(w);
	}
}

/* What sync_cb does to the target view it is handed. */
struct sync_state {
	int		 calls;
	uint16_t	 lport;		/* the probe's port now */
	struct ep_wire_sig sig;
	struct ep_probe_wire ev;
};

static void
sync_cb(void *arg, struct ep_wire_target *wt)
{
	struct sync_state *s = arg;

	s->calls++;
	memset(&s->sig, 0, sizeof(s->sig));
	s->sig.proto = IPPROTO_UDP;
	s->sig.qid = 0x4444;
	s->sig.lports[0] = s->lport;
	s->sig.nlports = 1;
	s->sig.ev = &s->ev;
	snprintf(s->sig.label, sizeof(s->sig.label), "probe 1 udp small");
	wt->sigs = &s->sig;
	wt->nsigs = 1;
	wt->stale = 0;
}

/*
 * A live view: signatures marked stale are brought up to date through
 * the callback when a frame about the target needs them, once; a slot
 * left empty (family 0) is about nothing.
 */
static void
test_wire_sync(void **state)
{
	struct sync_state ss = { .lport = 41000 };
	struct ep_wire_icmp ptb;
	uint32_t orphan_frames[EP_WIRE_FRAMES];
	int orphan_dgrams = 0, orphan_frags = 0, norphan_frames = 0;
	struct ep_wire_target wt = { .family = 4, .stale = 1,
	    .orphan_dgrams = &orphan_dgrams, .orphan_frags = &orphan_frags,
	    .orphan_frames = orphan_frames, .norphan_frames = &norphan_frames,
	    .ptb = &ptb };
	struct ep_wire *w;
	struct pkt p = { .n = 0 }, q = { .n = 0 };
	char c[256];

	(void)state;
	memset(&ptb, 0, sizeof(ptb));
	memcpy(wt.addr, v4b, 4);
	assert_non_null(w = ep_wire_new(&wt, 1, sync_cb, &ss));
	ipv4(&p, 17, 8 + 39, 1, 0, 0, 0);
	udp(&p, 41000, 53, 8 + 39);
	dns_query(&p, 0x4444, 0);
	assert_int_equal(wire_frame(w, &p, 1, c, sizeof(c)), 1);
	assert_int_equal(ss.calls, 1);
	assert_string_equal(c, "probe 1 udp small: query id 17476, 39 bytes");
	assert_int_equal(wire_frame(w, &p, 2, c, sizeof(c)), 1);
	assert_int_equal(ss.calls, 1);
	assert_int_equal(ss.ev.queries, 2);

	/* The slot is emptied: its frames are about nothing. */
	wt.family = 0;
	wt.stale = 1;
	assert_int_equal(wire_frame(w, &p, 3, c, sizeof(c)), 0);
	assert_string_equal(c, "");
	assert_int_equal(ss.calls, 1);

	/* Taken again, the probe on another port now. */
	wt.family = 4;
	ss.lport = 41001;
	ipv4(&q, 17, 8 + 39, 2, 0, 0, 0);
	udp(&q, 41001, 53, 8 + 39);
	dns_query(&q, 0x4444, 0);
	assert_int_equal(wire_frame(w, &q, 4, c, sizeof(c)), 1);
	assert_int_equal(ss.calls, 2);
	assert_string_equal(c, "probe 1 udp small: query id 17476, 39 bytes");
	assert_int_equal(ss.ev.nframes, 3);	/* frames 1, 2, 4 */
	assert_int_equal(ss.ev.frames[2], 4);
	ep_wire_free(w);
}

/* A TCP segment starting a DNS message after its length prefix. */
static void
test_tcp_dns(void **state)
{
	struct pkt p = { .n = 0 };
	struct ep_frame f;

	(void)state;
	ipv4(&p, 6, 20 + 2 + 39, 3, 0x4000, 0, 0);
	u16(&p, 40000);
	u16(&p, 53);
	u32(&p, 1000);
	u32(&p, 2000);
	u8(&p, 5 << 4);
	u8(&p, 0x18);	/* PSH ACK */
	u16(&p, 65535);
	u32(&p, 0);
	u16(&p, 39);
	dns_query(&p, 0x4444, 0);
	assert_int_equal(dissect_all(EP_LINK_RAW, &p, &f), 0);
	assert_int_equal(f.l4, EP_L4_TCP);
	assert_int_equal(f.tcp_flags, 0x18);
	assert_int_equal(f.l4_len, 41);
	assert_true(f.has_dns);
	assert_int_equal(f.dns.length, 39);
	assert_int_equal(f.dns.id, 0x4444);
}

/* Random bytes on every link type: no crash, no read past the end. */
static void
test_garbage(void **state)
{
	static const int links[] = { EP_LINK_ETHERNET, EP_LINK_RAW,
	    EP_LINK_LINUX_SLL, EP_LINK_LINUX_SLL2, EP_LINK_IPV4, EP_LINK_IPV6 };
	uint32_t seed = 12345;
	struct ep_frame f;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		size_t n = 1 + (seed = seed * 1103515245u + 12345u) % 200;
		uint8_t *b = malloc(n);

		assert_non_null(b);
		for (size_t k = 0; k < n; k++)
			b[k] = (uint8_t)((seed = seed * 1103515245u +
			    12345u) >> 16);
		if (n > 1 && (i & 1))
			b[i % 3 == 0 ? 0 : 1 % n] = i & 2 ? 0x45 : 0x60;
		(void)ep_frame_dissect(links[i % 6], b, (uint32_t)n,
		    (uint32_t)n, (uint32_t)i, 0, &f);
		free(b);
	}
}

/* ------------------------------------------------------ fragment table */

static struct ep_frame
frag(uint32_t id, uint32_t off, uint32_t len, int mf, uint32_t number)
{
	struct ep_frame f;

	memset(&f, 0, sizeof(f));
	f.number = number;
	f.ip.family = 4;
	memcpy(f.ip.src, v4b, 4);
	memcpy(f.ip.dst, v4a, 4);
	f.ip.proto = 17;
	f.ip.ip_id = id;
	f.ip.is_frag = 1;
	f.ip.more_frags = mf;
	f.ip.frag_off = off;
	f.ip.hdr_len = 20;
	f.ip.total_len = (uint16_t)(20 + len);
	if (off == 0) {
		f.ip.has_ports = 1;
		f.ip.sport = 53;
		f.ip.dport = 40000;
	}
	return f;
}

static void
test_frag_table(void **state)
{
	struct ep_frag_table *t = ep_frag_new(4);
	struct ep_frame f;
	struct ep_frag_dgram *d;

	(void)state;
	assert_non_null(t);
	/* Out of order, with a duplicate: complete once all arrived. */
	f = frag(1, 1480, 557, 0, 3);
	d = ep_frag_add(t, &f);
	assert_false(d->complete);
	assert_true(d->last_seen);
	assert_int_equal(d->total, 2037);
	f = frag(1, 0, 1480, 1, 4);
	d = ep_frag_add(t, &f);
	assert_true(d->complete);
	assert_int_equal(d->dport, 40000);
	f = frag(1, 0, 1480, 1, 5);
	d = ep_frag_add(t, &f);
	assert_false(d->overlap);	/* an exact copy: a duplicate */
	assert_int_equal(d->duplicates, 1);
	assert_true(d->complete);
	assert_int_equal(d->nfrags, 3);
	assert_int_equal(d->nframes, 3);
	/* Missing middle: first and last, not complete. */
	f = frag(2, 0, 800, 1, 6);
	ep_frag_add(t, &f);
	f = frag(2, 1600, 100, 0, 7);
	d = ep_frag_add(t, &f);
	assert_true(d->first_seen && d->last_seen);
	assert_false(d->complete);
	assert_int_equal(d->nranges, 2);
	/* Headless: no first fragment, no ports. */
	f = frag(3, 1480, 557, 0, 8);
	d = ep_frag_add(t, &f);
	assert_false(d->first_seen);
	assert_false(d->has_ports);
	/* Not a fragment. */
	f = frag(4, 0, 10, 0, 9);
	f.ip.is_frag = 0;
	assert_null(ep_frag_add(t, &f));
	/* Full (4): the oldest (id 1) goes. */
	f = frag(5, 0, 8, 1, 10);
	ep_frag_add(t, &f);
	f = frag(6, 0, 8, 1, 11);
	ep_frag_add(t, &f);
	assert_int_equal(ep_frag_evicted(t), 1);
	for (int i = 0; ep_frag_at(t, i) != NULL; i++)
		assert_int_not_equal(ep_frag_at(t, i)->id, 1);
	/* Id 2 is still found (its slot survived the eviction). */
	f = frag(2, 800, 800, 1, 12);
	d = ep_frag_add(t, &f);
	assert_int_equal(d->id, 2);
	assert_true(d->complete);
	ep_frag_free(t);
}

/* Many datagrams through a small table: bounded, every lookup right. */
static void
test_frag_churn(void **state)
{
	struct ep_frag_table *t = ep_frag_new(64);
	struct ep_frame f;

	(void)state;
	for (uint32_t i = 0; i < 200000; i++) {
		struct ep_frag_dgram *d;

		f = frag(i, 0, 1480, 1, i);
		d = ep_frag_add(t, &f);
		assert_int_equal(d->id, i);
		f = frag(i, 1480, 10, 0, i);
		d = ep_frag_add(t, &f);
		assert_int_equal(d->id, i);
		if (!d->complete)
			fail_msg("datagram %u not complete", i);
		/* Hostile: offsets at the top of the range. */
		f = frag(i, 65528, 65535, i & 1, i);
		(void)ep_frag_add(t, &f);
	}
	assert_int_equal(ep_frag_evicted(t), 200000 - 64);
	ep_frag_free(t);
}

/* ------------------------------------------------------------- writer */

static void
roundtrip(enum ep_pcap_format fmt)
{
	char dir[] = "/tmp/ep-pcapw.XXXXXX", path[64], ebuf[PCAP_ERRBUF_SIZE];
	struct pkt p = { .n = 0 };
	struct ep_pcapw *w;
	struct ep_err err;
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pc;
	int n = 0;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/x.cap", dir);
	ether(&p, 0x0800, 0);
	ipv4(&p, 17, 8 + 39, 1, 0, 0, 0);
	udp(&p, 40000, 53, 8 + 39);
	dns_query(&p, 1, 0);
	w = ep_pcapw_open(path, fmt, EP_LINK_ETHERNET, 65535, "to-r1",
	    "ednsprobe test", "a comment", &err);
	assert_non_null(w);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ep_pcapw_write(w, 1700000000000000ull +
		    (uint64_t)i * 1500, p.b, (uint32_t)p.n, (uint32_t)p.n,
		    i == 1 ? "probe 1: query" : NULL, &err), 0);
	assert_int_equal(ep_pcapw_count(w), 3);
	assert_int_equal(ep_pcapw_stats(w, 1, 2, 3, 0, &err), 0);
	assert_int_equal(ep_pcapw_close(w, &err), 0);

	pc = pcap_open_offline_with_tstamp_precision(path,
	    PCAP_TSTAMP_PRECISION_MICRO, ebuf);
	if (pc == NULL)
		fail_msg("libpcap cannot read our file: %s", ebuf);
	assert_int_equal(pcap_datalink(pc), DLT_EN10MB);
	while (pcap_next_ex(pc, &h, &data) == 1) {
		assert_int_equal(h->caplen, p.n);
		assert_int_equal(h->len, p.n);
		assert_int_equal(h->ts.tv_sec, 1700000000);
		assert_int_equal(h->ts.tv_usec, n * 1500);
		assert_memory_equal(data, p.b, p.n);
		n++;
	}
	assert_int_equal(n, 3);
	pcap_close(pc);
	/* Never through a symlink. */
	unlink(path);
	assert_int_equal(symlink("/tmp/ep-pcapw-target", path), 0);
	assert_null(ep_pcapw_open(path, fmt, 1, 65535, NULL, NULL, NULL,
	    &err));
	assert_true(err.msg[0] != '\0');
	unlink(path);
	rmdir(dir);
	/* An unwritable place: an error that says where. */
	assert_null(ep_pcapw_open("/nonexistent/dir/x.cap", fmt, 1, 65535,
	    NULL, NULL, NULL, &err));
	assert_non_null(strstr(err.msg, "/nonexistent/dir/x.cap"));
}

static void
test_pcapng_roundtrip(void **state)
{
	(void)state;
	roundtrip(EP_PCAP_NG);
}

static void
test_pcap_roundtrip(void **state)
{
	(void)state;
	roundtrip(EP_PCAP_CLASSIC);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ethernet_udp_query),
		cmocka_unit_test(test_vlan_options_and_cooked),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_ipv6_chain),
		cmocka_unit_test(test_icmp_quotes),
		cmocka_unit_test(test_wire_icmp_direction),
		cmocka_unit_test(test_wire_view),
		cmocka_unit_test(test_wire_sync),
		cmocka_unit_test(test_wire_ttls),
		cmocka_unit_test(test_tcp_dns),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_frag_table),
		cmocka_unit_test(test_frag_churn),
		cmocka_unit_test(test_pcapng_roundtrip),
		cmocka_unit_test(test_pcap_roundtrip),
	};

	return cmocka_run_group_tests_name("capture", tests, NULL, NULL);
}
