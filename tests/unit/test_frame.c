/* tests/unit/test_frame.c: the frame dissector (capture/frame.c) on frames
 * built here byte by byte: every link type, IPv4 options and fragments,
 * IPv6 extension header chains, UDP/TCP DNS, ICMP errors and their quotes,
 * every prefix of a frame, and random bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ednsprobe/frame.h"

/*
 * A frame under construction, and where its layers start (0: absent), so
 * the prefix test knows which fields each capture length must yield.
 */
struct pkt {
	uint8_t	b[2048];
	size_t	n;
	size_t	l3;		/* the frame's IP header */
	size_t	l3end;		/* its base header read: dissect returns 0 */
	size_t	l4;		/* its UDP/TCP/ICMP header */
	size_t	dns;		/* DNS header (after a TCP length prefix) */
	size_t	qip;		/* quoted IP header */
	size_t	qipend;		/* quoted base header read: has_quote */
	size_t	ql4;		/* quoted UDP/TCP header */
};

static void
put8(struct pkt *p, unsigned v)
{
	assert_true(p->n < sizeof(p->b));
	p->b[p->n++] = (uint8_t)v;
}

static void
put16(struct pkt *p, unsigned v)
{
	put8(p, v >> 8);
	put8(p, v & 0xff);
}

static void
put32(struct pkt *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p, v & 0xffff);
}

static void
putn(struct pkt *p, const void *v, size_t n)
{
	assert_true(n <= sizeof(p->b) - p->n);
	memcpy(p->b + p->n, v, n);
	p->n += n;
}

static void
fill(struct pkt *p, size_t n, unsigned v)
{
	while (n-- > 0)
		put8(p, v);
}

static void
patch16(struct pkt *p, size_t at, size_t v)
{
	assert_true(v <= 0xffff);
	p->b[at] = (uint8_t)(v >> 8);
	p->b[at + 1] = (uint8_t)v;
}

static const uint8_t mac[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };
static const uint8_t v4c[4] = { 192, 0, 2, 10 };	/* client */
static const uint8_t v4s[4] = { 203, 0, 113, 53 };	/* server */
static const uint8_t v4r[4] = { 198, 51, 100, 1 };	/* router */
static const uint8_t v6c[16] = { 0x20, 1, 0xd, 0xb8, 0, 1, [15] = 0x10 };
static const uint8_t v6s[16] = { 0x20, 1, 0xd, 0xb8, 0, 0x53, [15] = 0x53 };
static const uint8_t v6r[16] = { 0x20, 1, 0xd, 0xb8, 0, 0x99, [15] = 1 };

/* The link header for link, carrying ethertype type (under vlans tags). */
static void
link_hdr(struct pkt *p, int link, unsigned type, int vlans)
{
	switch (link) {
	case EP_LINK_ETHERNET:
		putn(p, mac, 12);
		for (int i = 0; i < vlans; i++) {
			put16(p, i == 0 && vlans == 2 ? 0x88a8 : 0x8100);
			put16(p, 100 + (unsigned)i);
		}
		put16(p, type);
		break;
	case EP_LINK_LINUX_SLL:
		put16(p, 0);		/* to us */
		put16(p, 1);		/* ARPHRD_ETHER */
		put16(p, 6);
		putn(p, mac, 6);
		put16(p, 0);		/* address padding */
		put16(p, vlans ? 0x8100 : type);
		break;
	case EP_LINK_LINUX_SLL2:
		put16(p, vlans ? 0x8100 : type);
		put16(p, 0);		/* reserved */
		put32(p, 2);		/* interface index */
		put16(p, 1);		/* ARPHRD_ETHER */
		put8(p, 4);		/* outgoing */
		put8(p, 6);
		putn(p, mac, 6);
		put16(p, 0);
		break;
	default:			/* raw: no link header */
		break;
	}
	/* libpcap puts a VLAN tag back after a cooked header. */
	if (link == EP_LINK_LINUX_SLL || link == EP_LINK_LINUX_SLL2) {
		for (int i = 0; i < vlans; i++) {
			put16(p, 200 + (unsigned)i);
			put16(p, i + 1 < vlans ? 0x8100 : type);
		}
	}
}

/* IPv4 header with optlen bytes of options; ip4_end sets its length. */
static size_t
ip4(struct pkt *p, unsigned proto, unsigned id, unsigned fragword,
    size_t optlen, const uint8_t *src, const uint8_t *dst)
{
	size_t at = p->n;

	assert_true(optlen % 4 == 0 && optlen <= 40);
	put8(p, 0x40 | (unsigned)(5 + optlen / 4));
	put8(p, 0);
	put16(p, 0);			/* total length: ip4_end */
	put16(p, id);
	put16(p, fragword);
	put8(p, 57);
	put8(p, proto);
	put16(p, 0);
	putn(p, src, 4);
	putn(p, dst, 4);
	for (size_t i = 0; i + 1 < optlen; i++)
		put8(p, 1);		/* NOP */
	if (optlen > 0)
		put8(p, 0);		/* EOL */
	return at;
}

static void
ip4_end(struct pkt *p, size_t at)
{
	patch16(p, at + 2, p->n - at);
}

static size_t
ip6(struct pkt *p, unsigned next, const uint8_t *src, const uint8_t *dst)
{
	size_t at = p->n;

	put32(p, 0x60012345u);
	put16(p, 0);			/* payload length: ip6_end */
	put8(p, next);
	put8(p, 63);
	putn(p, src, 16);
	putn(p, dst, 16);
	return at;
}

static void
ip6_end(struct pkt *p, size_t at)
{
	patch16(p, at + 4, p->n - at - 40);
}

/* Hop-by-hop, destination options or routing: (len + 1) * 8 bytes. */
static void
ext6(struct pkt *p, unsigned next, unsigned len)
{
	size_t pad = (len + 1) * 8 - 2;

	put8(p, next);
	put8(p, len);
	put8(p, 1);			/* PadN */
	put8(p, (unsigned)pad - 2);
	fill(p, pad - 2, 0);
}

/* Authentication header: (len + 2) * 4 bytes. */
static void
ah6(struct pkt *p, unsigned next, unsigned len)
{
	put8(p, next);
	put8(p, len);
	put16(p, 0);
	put32(p, 0x1000);		/* SPI */
	put32(p, 1);			/* sequence */
	fill(p, (len + 2) * 4 - 12, 0xa5);	/* ICV */
}

static void
frag6(struct pkt *p, unsigned next, unsigned off, int more, uint32_t id)
{
	assert_true(off % 8 == 0);
	put8(p, next);
	put8(p, 0);
	put16(p, off | (more ? 1 : 0));
	put32(p, id);
}

static size_t
udp(struct pkt *p, unsigned sport, unsigned dport)
{
	size_t at = p->n;

	put16(p, sport);
	put16(p, dport);
	put16(p, 0);			/* length: udp_end */
	put16(p, 0);
	return at;
}

static void
udp_end(struct pkt *p, size_t at)
{
	patch16(p, at + 4, p->n - at);
}

static void
tcp(struct pkt *p, unsigned sport, unsigned dport, uint32_t seq,
    uint32_t ack, unsigned flags, size_t optlen)
{
	put16(p, sport);
	put16(p, dport);
	put32(p, seq);
	put32(p, ack);
	put8(p, (unsigned)(5 + optlen / 4) << 4);
	put8(p, flags);
	put16(p, 65535);
	put16(p, 0);
	put16(p, 0);
	for (size_t i = 0; i < optlen; i++)
		put8(p, 1);		/* NOP */
}

static void
icmp(struct pkt *p, unsigned type, unsigned code, uint32_t rest)
{
	put8(p, type);
	put8(p, code);
	put16(p, 0);
	put32(p, rest);
}

static const uint8_t qname[] = { 5, 'p', 'r', 'o', 'b', 'e', 4, 't', 'e',
    's', 't', 0 };

/* A query for probe.test DNSKEY with OPT (udp, DO): 39 bytes. */
#define QUERY_LEN	39
static void
dns_query(struct pkt *p, unsigned id, unsigned udpsize, int dnssec)
{
	put16(p, id);
	put16(p, 0x0100);		/* RD */
	put16(p, 1);
	put16(p, 0);
	put16(p, 0);
	put16(p, 1);
	putn(p, qname, sizeof(qname));
	put16(p, 48);
	put16(p, 1);
	put8(p, 0);			/* OPT: root */
	put16(p, 41);
	put16(p, udpsize);
	put32(p, dnssec ? 0x8000 : 0);
	put16(p, 0);
}

/*
 * The start of an answer of `len` bytes: header, question, and its first
 * DNSKEY record, whose RDATA (4000 bytes) runs on past what is put here
 * (n bytes in all, at least 40).
 */
static void
dns_answer_start(struct pkt *p, unsigned id, size_t n)
{
	size_t at = p->n;

	put16(p, id);
	put16(p, 0x8500);		/* QR AA RD */
	put16(p, 1);
	put16(p, 2);
	put16(p, 0);
	put16(p, 1);
	putn(p, qname, sizeof(qname));
	put16(p, 48);
	put16(p, 1);
	put16(p, 0xc00c);
	put16(p, 48);
	put16(p, 1);
	put32(p, 3600);
	put16(p, 4000);
	assert_true(n >= p->n - at);
	fill(p, n - (p->n - at), 0x5a);
}

/*
 * Dissect the first caplen bytes of p from a heap block of exactly that
 * size (ASan catches a read past it), the wire having had wirelen.
 */
static int
dis(int link, const struct pkt *p, size_t caplen, size_t wirelen,
    struct ep_frame *f)
{
	uint8_t *b = malloc(caplen ? caplen : 1);
	int rc;

	assert_non_null(b);
	memcpy(b, p->b, caplen);
	rc = ep_frame_dissect(link, b, (uint32_t)caplen, (uint32_t)wirelen,
	    42, 1700000000123456ull, f);
	free(b);
	return rc;
}

/* The whole frame. */
static int
whole(int link, const struct pkt *p, struct ep_frame *f)
{
	int rc = dis(link, p, p->n, p->n, f);

	assert_int_equal(f->number, 42);
	assert_true(f->ts_us == 1700000000123456ull);
	assert_int_equal(f->caplen, p->n);
	assert_int_equal(f->wirelen, p->n);
	return rc;
}

/* ------------------------------------------------------------ frames */

/* link, IPv4 (optlen of options) or IPv6, UDP 40000 -> 53, the query. */
static void
mk_udp_query(struct pkt *p, int link, int vlans, int family, size_t optlen)
{
	size_t ip, u;

	memset(p, 0, sizeof(*p));
	link_hdr(p, link, family == 4 ? 0x0800 : 0x86dd, vlans);
	p->l3 = p->n;
	if (family == 4) {
		ip = ip4(p, 17, 0x1234, 0x4000, optlen, v4c, v4s);
		p->l3end = p->n;
	} else {
		ip = ip6(p, 17, v6c, v6s);
		p->l3end = p->n;
	}
	p->l4 = u = udp(p, 40000, 53);
	p->dns = p->n;
	dns_query(p, 0xbeef, 1232, 1);
	udp_end(p, u);
	if (family == 4)
		ip4_end(p, ip);
	else
		ip6_end(p, ip);
}

/*
 * SLL2, IPv6, hop-by-hop, destination options, routing, Fragment (offset
 * 0, M) and UDP 53 -> 40000 with the start of a 2000-byte answer.
 */
static void
mk_v6_chain(struct pkt *p)
{
	size_t ip, u;

	memset(p, 0, sizeof(*p));
	link_hdr(p, EP_LINK_LINUX_SLL2, 0x86dd, 0);
	p->l3 = p->n;
	ip = ip6(p, 0, v6s, v6c);
	p->l3end = p->n;
	ext6(p, 60, 0);
	ext6(p, 43, 1);
	ext6(p, 44, 0);
	frag6(p, 17, 0, 1, 0xdeadbeef);
	p->l4 = u = udp(p, 53, 40000);
	p->dns = p->n;
	dns_answer_start(p, 0xcafe, 200);
	patch16(p, u + 4, 8 + 2000);
	ip6_end(p, ip);
}

/* Raw IPv4, TCP 53 -> 40001 with 12 bytes of options, one answer. */
static void
mk_tcp_answer(struct pkt *p)
{
	size_t ip;

	memset(p, 0, sizeof(*p));
	p->l3 = p->n;
	ip = ip4(p, 6, 7, 0x4000, 0, v4s, v4c);
	p->l3end = p->n;
	p->l4 = p->n;
	tcp(p, 53, 40001, 1000, 2000, 0x18, 12);
	put16(p, 120);			/* the message: 120 bytes */
	p->dns = p->n;
	dns_answer_start(p, 0x4444, 120);
	ip4_end(p, ip);
}

/* Raw IPv4: the router's ICMP error quoting our UDP query (all of it). */
static void
mk_icmp4_quote(struct pkt *p, unsigned type, unsigned code, uint32_t rest)
{
	size_t ip, qip, u;

	memset(p, 0, sizeof(*p));
	p->l3 = p->n;
	ip = ip4(p, 1, 9, 0, 0, v4r, v4c);
	p->l3end = p->n;
	p->l4 = p->n;
	icmp(p, type, code, rest);
	p->qip = qip = ip4(p, 17, 77, 0x4000, 0, v4c, v4s);
	p->qipend = p->n;
	p->ql4 = u = udp(p, 40002, 53);
	p->dns = p->n;
	dns_query(p, 0x7777, 4096, 1);
	udp_end(p, u);
	ip4_end(p, qip);
	ip4_end(p, ip);
}

/* Link IPV6: the router's ICMPv6 error quoting our IPv6 UDP query. */
static void
mk_icmp6_quote(struct pkt *p, unsigned type, unsigned code, uint32_t rest)
{
	size_t ip, qip, u;

	memset(p, 0, sizeof(*p));
	p->l3 = p->n;
	ip = ip6(p, 58, v6r, v6c);
	p->l3end = p->n;
	p->l4 = p->n;
	icmp(p, type, code, rest);
	p->qip = qip = ip6(p, 17, v6c, v6s);
	p->qipend = p->n;
	p->ql4 = u = udp(p, 40003, 53);
	p->dns = p->n;
	dns_query(p, 0x8888, 4096, 1);
	udp_end(p, u);
	ip6_end(p, qip);
	ip6_end(p, ip);
}

/* The fields of the query mk_udp_query and the quotes carry. */
static void
check_query(const struct ep_frame *f, unsigned id, unsigned udpsize)
{
	assert_true(f->has_dns);
	assert_int_equal(f->dns.status, EP_DNS_OK);
	assert_int_equal(f->dns.length, QUERY_LEN);
	assert_int_equal(f->dns.id, id);
	assert_int_equal(f->dns.flags, 0x0100);
	assert_int_equal(f->dns.qdcount, 1);
	assert_int_equal(f->dns.arcount, 1);
	assert_true(f->dns.has_question);
	assert_int_equal(f->dns.qname_len, sizeof(qname));
	assert_memory_equal(f->dns.qname, qname, sizeof(qname));
	assert_int_equal(f->dns.qtype, 48);
	assert_int_equal(f->dns.opt_count, 1);
	assert_int_equal(f->dns.edns_udp, udpsize);
	assert_int_equal(f->dns.edns_version, 0);
	assert_int_equal(f->dns.edns_flags, EP_DNS_EDNS_DO);
}

/* ------------------------------------------------------------- tests */

/* The same query over every link type we know. */
static void
test_link_types(void **state)
{
	static const struct {
		int	link, vlans, family;
		size_t	l2;
	} t[] = {
		{ EP_LINK_ETHERNET, 0, 4, 14 },
		{ EP_LINK_ETHERNET, 0, 6, 14 },
		{ EP_LINK_ETHERNET, 1, 4, 18 },
		{ EP_LINK_ETHERNET, 2, 6, 22 },
		{ EP_LINK_LINUX_SLL, 0, 4, 16 },
		{ EP_LINK_LINUX_SLL, 0, 6, 16 },
		{ EP_LINK_LINUX_SLL, 1, 6, 20 },
		{ EP_LINK_LINUX_SLL2, 0, 4, 20 },
		{ EP_LINK_LINUX_SLL2, 0, 6, 20 },
		{ EP_LINK_LINUX_SLL2, 2, 4, 28 },
		{ EP_LINK_RAW, 0, 4, 0 },
		{ EP_LINK_RAW, 0, 6, 0 },
		{ EP_LINK_IPV4, 0, 4, 0 },
		{ EP_LINK_IPV6, 0, 6, 0 },
	};
	struct pkt p;
	struct ep_frame f;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		mk_udp_query(&p, t[i].link, t[i].vlans, t[i].family, 0);
		assert_int_equal(p.l3, t[i].l2);
		assert_int_equal(whole(t[i].link, &p, &f), 0);
		assert_null(f.stop);
		assert_false(f.cut);
		assert_int_equal(f.ip.family, t[i].family);
		if (t[i].family == 4) {
			assert_memory_equal(f.ip.src, v4c, 4);
			assert_memory_equal(f.ip.dst, v4s, 4);
			assert_int_equal(f.ip.hdr_len, 20);
			assert_int_equal(f.ip.total_len, 20 + 8 + QUERY_LEN);
			assert_int_equal(f.ip.ttl, 57);
			assert_int_equal(f.ip.ip_id, 0x1234);
			assert_true(f.ip.df);
		} else {
			assert_memory_equal(f.ip.src, v6c, 16);
			assert_memory_equal(f.ip.dst, v6s, 16);
			assert_int_equal(f.ip.hdr_len, 40);
			assert_int_equal(f.ip.total_len, 40 + 8 + QUERY_LEN);
			assert_int_equal(f.ip.ttl, 63);
			assert_int_equal(f.ip.ip_id, 0);
			assert_false(f.ip.df);
		}
		assert_int_equal(f.ip.proto, 17);
		assert_false(f.ip.is_frag);
		assert_int_equal(f.l4, EP_L4_UDP);
		assert_int_equal(f.l4_len, 8 + QUERY_LEN);
		assert_true(f.ip.has_ports);
		assert_int_equal(f.ip.sport, 40000);
		assert_int_equal(f.ip.dport, 53);
		assert_false(f.has_quote);
		check_query(&f, 0xbeef, 1232);
	}
	assert_string_equal(ep_link_name(EP_LINK_ETHERNET), "EN10MB");
	assert_string_equal(ep_link_name(EP_LINK_RAW), "RAW");
	assert_string_equal(ep_link_name(EP_LINK_LINUX_SLL), "LINUX_SLL");
	assert_string_equal(ep_link_name(EP_LINK_LINUX_SLL2), "LINUX_SLL2");
	assert_string_equal(ep_link_name(EP_LINK_IPV4), "IPV4");
	assert_string_equal(ep_link_name(EP_LINK_IPV6), "IPV6");
	assert_string_equal(ep_link_name(EP_LINK_NULL), "NULL");
	assert_null(ep_link_name(147));
	assert_null(ep_link_name(-1));
}

/* Frames that are not IP, or not what their link type says. */
static void
test_not_ip(void **state)
{
	struct pkt p;
	struct ep_frame f;

	(void)state;
	mk_udp_query(&p, EP_LINK_ETHERNET, 0, 4, 0);
	assert_int_equal(whole(147, &p, &f), -1);
	assert_string_equal(f.stop, "unknown link type");
	assert_int_equal(f.ip.family, 0);
	assert_false(f.cut);

	memset(&p, 0, sizeof(p));	/* ARP */
	link_hdr(&p, EP_LINK_ETHERNET, 0x0806, 0);
	fill(&p, 28, 0);
	assert_int_equal(whole(EP_LINK_ETHERNET, &p, &f), -1);
	assert_string_equal(f.stop, "not IP");
	assert_int_equal(f.ip.family, 0);
	assert_int_equal(f.l4, EP_L4_NONE);

	memset(&p, 0, sizeof(p));	/* ARP in cooked captures */
	link_hdr(&p, EP_LINK_LINUX_SLL, 0x0806, 0);
	fill(&p, 28, 0);
	assert_int_equal(whole(EP_LINK_LINUX_SLL, &p, &f), -1);
	assert_string_equal(f.stop, "not IP");
	memset(&p, 0, sizeof(p));
	link_hdr(&p, EP_LINK_LINUX_SLL2, 0x0806, 0);
	fill(&p, 28, 0);
	assert_int_equal(whole(EP_LINK_LINUX_SLL2, &p, &f), -1);
	assert_string_equal(f.stop, "not IP");

	memset(&p, 0, sizeof(p));	/* three VLAN tags: past our bound */
	putn(&p, mac, 12);
	for (int i = 0; i < 3; i++) {
		put16(&p, 0x8100);
		put16(&p, 7);
	}
	put16(&p, 0x0800);
	(void)ip4(&p, 17, 1, 0, 0, v4c, v4s);
	assert_int_equal(whole(EP_LINK_ETHERNET, &p, &f), -1);
	assert_string_equal(f.stop, "more than two VLAN tags");

	/* Raw IP of version 5; IPv6 bytes on the IPv4 link type and back. */
	mk_udp_query(&p, EP_LINK_RAW, 0, 4, 0);
	p.b[0] = 0x55;
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), -1);
	assert_string_equal(f.stop, "not IP");
	mk_udp_query(&p, EP_LINK_RAW, 0, 6, 0);
	assert_int_equal(whole(EP_LINK_IPV4, &p, &f), -1);
	assert_string_equal(f.stop, "IPv4 header with another version");
	mk_udp_query(&p, EP_LINK_RAW, 0, 4, 0);
	assert_int_equal(whole(EP_LINK_IPV6, &p, &f), -1);
	assert_string_equal(f.stop, "IPv6 header with another version");
	/* Ethertype IPv4 over an IPv6 packet. */
	mk_udp_query(&p, EP_LINK_ETHERNET, 0, 6, 0);
	patch16(&p, 12, 0x0800);
	assert_int_equal(whole(EP_LINK_ETHERNET, &p, &f), -1);
	assert_string_equal(f.stop, "IPv4 header with another version");
	/* An 802.3 length field of 0 is no raw IP, whatever follows. */
	mk_udp_query(&p, EP_LINK_ETHERNET, 0, 4, 0);
	patch16(&p, 12, 0x0000);
	assert_int_equal(whole(EP_LINK_ETHERNET, &p, &f), -1);
	assert_string_equal(f.stop, "not IP");
	/* An empty raw frame. */
	assert_int_equal(dis(EP_LINK_RAW, &p, 0, 0, &f), -1);
	assert_string_equal(f.stop, "empty frame");
	assert_false(f.cut);
}

/* IPv4 options are skipped by IHL; bad IHL and total length stop. */
static void
test_ipv4_header(void **state)
{
	struct pkt p;
	struct ep_frame f;

	(void)state;
	for (size_t opt = 4; opt <= 40; opt += 4) {
		mk_udp_query(&p, EP_LINK_ETHERNET, 1, 4, opt);
		assert_int_equal(whole(EP_LINK_ETHERNET, &p, &f), 0);
		assert_null(f.stop);
		assert_int_equal(f.ip.hdr_len, 20 + opt);
		assert_int_equal(f.ip.total_len, 20 + opt + 8 + QUERY_LEN);
		assert_int_equal(f.ip.sport, 40000);
		check_query(&f, 0xbeef, 1232);
	}

	/* IHL 4: not a header. */
	mk_udp_query(&p, EP_LINK_RAW, 0, 4, 0);
	p.b[0] = 0x44;
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), -1);
	assert_string_equal(f.stop, "IPv4 header length below 20");
	assert_int_equal(f.ip.family, 0);

	/* Total length 19: the header was read, nothing past it. */
	mk_udp_query(&p, EP_LINK_RAW, 0, 4, 0);
	patch16(&p, 2, 19);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_string_equal(f.stop,
	    "IPv4 total length below its header length");
	assert_false(f.cut);
	assert_int_equal(f.ip.family, 4);
	assert_int_equal(f.ip.total_len, 19);
	assert_memory_equal(f.ip.dst, v4s, 4);
	assert_int_equal(f.l4, EP_L4_NONE);
	assert_false(f.ip.has_ports);
	assert_false(f.has_dns);

	/* IHL 15 but only 30 bytes: a header cut short. */
	mk_udp_query(&p, EP_LINK_RAW, 0, 4, 0);
	p.b[0] = 0x4f;
	assert_int_equal(dis(EP_LINK_RAW, &p, 30, 30, &f), -1);
	assert_string_equal(f.stop, "truncated IPv4 header");
	assert_false(f.cut);

	/*
	 * Ethernet padding and trailing bytes past the total length are
	 * not payload: the query still ends where its UDP length says, and
	 * a pure ACK carries 0 bytes.
	 */
	mk_udp_query(&p, EP_LINK_ETHERNET, 0, 4, 0);
	fill(&p, 20, 0xee);
	assert_int_equal(whole(EP_LINK_ETHERNET, &p, &f), 0);
	assert_null(f.stop);
	check_query(&f, 0xbeef, 1232);
	memset(&p, 0, sizeof(p));
	link_hdr(&p, EP_LINK_ETHERNET, 0x0800, 0);
	{
		size_t ip = ip4(&p, 6, 5, 0x4000, 0, v4c, v4s);

		tcp(&p, 40001, 53, 11, 22, 0x10, 0);
		ip4_end(&p, ip);
	}
	fill(&p, 6, 0);			/* pad to 60 bytes */
	assert_int_equal(p.n, 60);
	assert_int_equal(whole(EP_LINK_ETHERNET, &p, &f), 0);
	assert_null(f.stop);
	assert_int_equal(f.l4, EP_L4_TCP);
	assert_int_equal(f.l4_len, 0);
	assert_int_equal(f.tcp_flags, 0x10);
	assert_int_equal(f.tcp_seq, 11);
	assert_int_equal(f.tcp_ack, 22);
	assert_false(f.has_dns);
}

/* The first, a middle and the last fragment of a 4037-byte answer. */
static void
test_ipv4_fragments(void **state)
{
	struct pkt p;
	struct ep_frame f;
	size_t ip, u;

	(void)state;
	memset(&p, 0, sizeof(p));
	ip = ip4(&p, 17, 0x4242, 0x2000, 0, v4s, v4c);	/* MF, offset 0 */
	u = udp(&p, 53, 40000);
	dns_answer_start(&p, 0x1111, 1472);
	patch16(&p, u + 4, 8 + 4037);
	ip4_end(&p, ip);
	assert_int_equal(p.n, 1500);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_null(f.stop);
	assert_false(f.cut);
	assert_true(f.ip.is_frag);
	assert_true(f.ip.more_frags);
	assert_false(f.ip.df);
	assert_int_equal(f.ip.frag_off, 0);
	assert_int_equal(f.ip.ip_id, 0x4242);
	assert_int_equal(f.ip.total_len, 1500);
	assert_int_equal(f.l4, EP_L4_UDP);
	assert_int_equal(f.l4_len, 8 + 4037);
	assert_true(f.ip.has_ports);
	assert_int_equal(f.ip.sport, 53);
	assert_int_equal(f.ip.dport, 40000);
	/* Only the start is here: the header is right, the rest is cut. */
	assert_true(f.has_dns);
	assert_int_equal(f.dns.length, 4037);
	assert_int_equal(f.dns.status, EP_DNS_TRUNCATED);
	assert_int_equal(f.dns.id, 0x1111);
	assert_int_equal(f.dns.flags, 0x8500);
	assert_true(f.dns.flags & EP_DNS_QR);
	assert_int_equal(f.dns.qdcount, 1);
	assert_int_equal(f.dns.ancount, 2);
	assert_int_equal(f.dns.arcount, 1);
	assert_int_equal(f.dns.qtype, 48);

	memset(&p, 0, sizeof(p));	/* middle: MF, offset 1480 */
	ip = ip4(&p, 17, 0x4242, 0x2000 | 1480 / 8, 0, v4s, v4c);
	put16(&p, 53);			/* payload that looks like ports */
	put16(&p, 53);
	fill(&p, 1476, 0xaa);
	ip4_end(&p, ip);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_null(f.stop);
	assert_true(f.ip.is_frag);
	assert_true(f.ip.more_frags);
	assert_int_equal(f.ip.frag_off, 1480);
	assert_int_equal(f.ip.proto, 17);
	assert_int_equal(f.l4, EP_L4_NONE);
	assert_int_equal(f.l4_len, 0);
	assert_false(f.ip.has_ports);
	assert_false(f.has_dns);

	memset(&p, 0, sizeof(p));	/* last: offset 2960, no MF */
	ip = ip4(&p, 17, 0x4242, 2960 / 8, 0, v4s, v4c);
	fill(&p, 4045 - 2960, 0xbb);
	ip4_end(&p, ip);
	assert_int_equal(whole(EP_LINK_IPV4, &p, &f), 0);
	assert_null(f.stop);
	assert_true(f.ip.is_frag);
	assert_false(f.ip.more_frags);
	assert_int_equal(f.ip.frag_off, 2960);
	assert_int_equal(f.ip.total_len - f.ip.hdr_len, 4045 - 2960);
	assert_int_equal(f.l4, EP_L4_NONE);
	assert_false(f.ip.has_ports);

	/* The largest offset the field holds. */
	memset(&p, 0, sizeof(p));
	ip = ip4(&p, 17, 1, 0x1fff, 0, v4s, v4c);
	fill(&p, 8, 0);
	ip4_end(&p, ip);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_int_equal(f.ip.frag_off, 0x1fff * 8);
}

/* Hop-by-hop, destination options, routing, then a Fragment header. */
static void
test_ipv6_chain(void **state)
{
	struct pkt p;
	struct ep_frame f;
	size_t ip, u;

	(void)state;
	mk_v6_chain(&p);
	assert_int_equal(whole(EP_LINK_LINUX_SLL2, &p, &f), 0);
	assert_null(f.stop);
	assert_int_equal(f.ip.family, 6);
	assert_memory_equal(f.ip.src, v6s, 16);
	assert_int_equal(f.ip.hdr_len, 40 + 8 + 8 + 16 + 8);
	assert_int_equal(f.ip.total_len, p.n - 20);
	/* Which headers were walked (analyze tells probes apart by them);
	 * nothing after the Fragment header: the data starts there. */
	assert_int_equal(f.ip.eh, EP_IP6_EH_HBH | EP_IP6_EH_DST |
	    EP_IP6_EH_ROUTING | EP_IP6_EH_FRAG);
	assert_int_equal(f.ip.frag_hdr_end, f.ip.hdr_len);
	assert_int_equal(f.ip.frag_next, 17);
	assert_int_equal(f.ip.proto, 17);
	assert_true(f.ip.is_frag);
	assert_true(f.ip.more_frags);
	assert_int_equal(f.ip.frag_off, 0);
	assert_true(f.ip.ip_id == 0xdeadbeef);
	assert_int_equal(f.l4, EP_L4_UDP);
	assert_int_equal(f.l4_len, 8 + 2000);
	assert_int_equal(f.ip.sport, 53);
	assert_true(f.has_dns);
	assert_int_equal(f.dns.length, 2000);
	assert_int_equal(f.dns.status, EP_DNS_TRUNCATED);
	assert_int_equal(f.dns.id, 0xcafe);
	assert_int_equal(f.dns.ancount, 2);

	/* Authentication header: (len + 2) * 4 bytes. */
	memset(&p, 0, sizeof(p));
	ip = ip6(&p, 0, v6c, v6s);
	ext6(&p, 51, 0);
	ah6(&p, 17, 4);
	u = udp(&p, 40000, 53);
	dns_query(&p, 3, 512, 0);
	udp_end(&p, u);
	ip6_end(&p, ip);
	assert_int_equal(whole(EP_LINK_IPV6, &p, &f), 0);
	assert_null(f.stop);
	assert_int_equal(f.ip.hdr_len, 40 + 8 + 24);
	assert_int_equal(f.ip.proto, 17);
	assert_false(f.ip.is_frag);
	assert_int_equal(f.ip.sport, 40000);
	assert_true(f.has_dns);
	assert_int_equal(f.dns.edns_udp, 512);
	assert_int_equal(f.dns.edns_flags, 0);

	/*
	 * A later fragment whose datagram started with destination options:
	 * after its Fragment header comes payload, never read as headers.
	 */
	memset(&p, 0, sizeof(p));
	ip = ip6(&p, 44, v6s, v6c);
	frag6(&p, 60, 1448, 0, 0x01020304);
	put8(&p, 17);
	put8(&p, 255);			/* "2048 bytes": were it a header */
	fill(&p, 552, 0x77);
	ip6_end(&p, ip);
	assert_int_equal(whole(EP_LINK_IPV6, &p, &f), 0);
	assert_null(f.stop);
	assert_true(f.ip.is_frag);
	assert_false(f.ip.more_frags);
	assert_int_equal(f.ip.frag_off, 1448);
	assert_int_equal(f.ip.ip_id, 0x01020304);
	assert_int_equal(f.ip.proto, 60);
	assert_int_equal(f.ip.hdr_len, 48);
	assert_int_equal(f.ip.total_len - f.ip.hdr_len, 554);
	assert_int_equal(f.l4, EP_L4_NONE);
	assert_false(f.ip.has_ports);

	/* The offset field's top bit: 8191 * 8 bytes. */
	memset(&p, 0, sizeof(p));
	ip = ip6(&p, 44, v6s, v6c);
	frag6(&p, 17, 0xfff8, 1, 9);
	fill(&p, 8, 0);
	ip6_end(&p, ip);
	assert_int_equal(whole(EP_LINK_IPV6, &p, &f), 0);
	assert_int_equal(f.ip.frag_off, 65528);
	assert_true(f.ip.more_frags);

	/* An atomic fragment (offset 0, no M) is a fragment all the same. */
	memset(&p, 0, sizeof(p));
	ip = ip6(&p, 44, v6s, v6c);
	frag6(&p, 17, 0, 0, 0x55);
	u = udp(&p, 53, 40000);
	dns_query(&p, 0x99, 1232, 1);
	udp_end(&p, u);
	ip6_end(&p, ip);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_null(f.stop);
	assert_true(f.ip.is_frag);
	assert_false(f.ip.more_frags);
	assert_int_equal(f.ip.frag_off, 0);
	assert_int_equal(f.ip.ip_id, 0x55);
	assert_int_equal(f.ip.hdr_len, 48);
	assert_true(f.ip.has_ports);
	check_query(&f, 0x99, 1232);

	/* Extension headers running past the payload length. */
	memset(&p, 0, sizeof(p));
	ip = ip6(&p, 60, v6c, v6s);
	ext6(&p, 17, 3);
	patch16(&p, ip + 4, 16);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_string_equal(f.stop, "truncated IPv6 extension header");
	assert_false(f.cut);
	assert_int_equal(f.l4, EP_L4_NONE);
}

/* EP_IP6_EXTHDR_MAX extension headers are walked; one more stops. */
static void
test_ipv6_chain_bound(void **state)
{
	struct pkt p;
	struct ep_frame f;

	(void)state;
	for (int n = EP_IP6_EXTHDR_MAX; n <= EP_IP6_EXTHDR_MAX + 1; n++) {
		size_t ip, u;

		memset(&p, 0, sizeof(p));
		ip = ip6(&p, 60, v6c, v6s);
		for (int i = 0; i < n; i++)
			ext6(&p, i + 1 < n ? 60 : 17, 0);
		u = udp(&p, 40000, 53);
		dns_query(&p, 0x1001, 1232, 1);
		udp_end(&p, u);
		ip6_end(&p, ip);
		assert_int_equal(whole(EP_LINK_IPV6, &p, &f), 0);
		assert_int_equal(f.ip.family, 6);
		if (n == EP_IP6_EXTHDR_MAX) {
			assert_null(f.stop);
			assert_int_equal(f.ip.hdr_len, 40 + 8 * n);
			assert_int_equal(f.ip.proto, 17);
			assert_int_equal(f.l4, EP_L4_UDP);
			check_query(&f, 0x1001, 1232);
		} else {
			assert_string_equal(f.stop,
			    "IPv6 extension header chain too long");
			assert_false(f.cut);
			assert_int_equal(f.ip.hdr_len,
			    40 + 8 * EP_IP6_EXTHDR_MAX);
			assert_int_equal(f.ip.proto, 60);
			assert_int_equal(f.l4, EP_L4_NONE);
			assert_false(f.ip.has_ports);
			assert_false(f.has_dns);
		}
	}
}

/* UDP: an answer from 53, other ports, and lengths that lie. */
static void
test_udp(void **state)
{
	struct pkt p;
	struct ep_frame f;
	size_t ip, u;

	(void)state;
	/* Port 53 as source: an answer, with an OPT of 1232 bytes. */
	memset(&p, 0, sizeof(p));
	ip = ip4(&p, 17, 1, 0, 0, v4s, v4c);
	u = udp(&p, 53, 40000);
	put16(&p, 0xbeef);
	put16(&p, 0x8180);		/* QR RD RA */
	put16(&p, 1);
	put16(&p, 0);
	put16(&p, 0);
	put16(&p, 1);
	putn(&p, qname, sizeof(qname));
	put16(&p, 48);
	put16(&p, 1);
	put8(&p, 0);
	put16(&p, 41);
	put16(&p, 1232);
	put32(&p, 0x01008000);		/* extended rcode 1: BADVERS */
	put16(&p, 4);			/* one empty option */
	put16(&p, 10);
	put16(&p, 0);
	udp_end(&p, u);
	ip4_end(&p, ip);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_null(f.stop);
	assert_true(f.has_dns);
	assert_int_equal(f.dns.status, EP_DNS_OK);
	assert_int_equal(f.dns.length, 43);
	assert_true(f.dns.flags & EP_DNS_QR);
	assert_int_equal(f.dns.edns_udp, 1232);
	assert_int_equal(f.dns.edns_flags, EP_DNS_EDNS_DO);
	assert_int_equal(f.dns.edns_options, 1);
	assert_int_equal(f.dns.rcode, 16);

	/* Not port 53: ports, no DNS. */
	mk_udp_query(&p, EP_LINK_RAW, 0, 4, 0);
	patch16(&p, 20 + 2, 5353);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_null(f.stop);
	assert_int_equal(f.ip.dport, 5353);
	assert_int_equal(f.l4_len, 8 + QUERY_LEN);
	assert_false(f.has_dns);
	assert_int_equal(f.dns.id, 0);

	/* UDP length 7: below its own header. */
	mk_udp_query(&p, EP_LINK_RAW, 0, 4, 0);
	patch16(&p, 20 + 4, 7);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_string_equal(f.stop, "UDP length below its header");
	assert_false(f.cut);
	assert_true(f.ip.has_ports);
	assert_int_equal(f.l4_len, 7);
	assert_false(f.has_dns);

	/* UDP length 8 + 11: not even a DNS header, by its own count. */
	mk_udp_query(&p, EP_LINK_RAW, 0, 4, 0);
	patch16(&p, 20 + 4, 8 + 11);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_null(f.stop);
	assert_false(f.has_dns);

	/* UDP length 8 + 20: the DNS dissector sees only 20 bytes. */
	mk_udp_query(&p, EP_LINK_RAW, 0, 4, 0);
	patch16(&p, 20 + 4, 8 + 20);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_true(f.has_dns);
	assert_int_equal(f.dns.length, 20);
	assert_int_equal(f.dns.status, EP_DNS_TRUNCATED);

	/* The IP total length ends inside the UDP header. */
	mk_udp_query(&p, EP_LINK_RAW, 0, 4, 0);
	patch16(&p, 2, 20 + 6);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_string_equal(f.stop, "truncated UDP header");
	assert_false(f.cut);
	assert_true(f.ip.has_ports);
	assert_int_equal(f.l4_len, 0);

	/* A frame reused: nothing of the last dissection survives. */
	mk_udp_query(&p, EP_LINK_RAW, 0, 4, 0);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_true(f.has_dns);
	memset(&p, 0, sizeof(p));
	ip = ip4(&p, 50, 1, 0, 0, v4c, v4s);	/* ESP */
	fill(&p, 16, 0);
	ip4_end(&p, ip);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_int_equal(f.l4, EP_L4_OTHER);
	assert_int_equal(f.ip.proto, 50);
	assert_false(f.has_dns);
	assert_int_equal(f.dns.id, 0);
	assert_int_equal(f.dns.length, 0);
	assert_false(f.ip.has_ports);
}

/* DNS over TCP: the length prefix, and segments that start no message. */
static void
test_tcp_dns(void **state)
{
	struct pkt p;
	struct ep_frame f;
	size_t ip;

	(void)state;
	mk_tcp_answer(&p);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_null(f.stop);
	assert_int_equal(f.l4, EP_L4_TCP);
	assert_int_equal(f.ip.sport, 53);
	assert_int_equal(f.ip.dport, 40001);
	assert_int_equal(f.tcp_seq, 1000);
	assert_int_equal(f.tcp_ack, 2000);
	assert_int_equal(f.tcp_flags, 0x18);
	assert_int_equal(f.l4_len, 2 + 120);
	assert_true(f.has_dns);
	assert_int_equal(f.dns.length, 120);
	assert_int_equal(f.dns.id, 0x4444);
	assert_true(f.dns.flags & EP_DNS_QR);
	/* The message claims more records than 120 bytes hold. */
	assert_int_equal(f.dns.status, EP_DNS_TRUNCATED);

	/* A query whose message runs on into the next segment. */
	memset(&p, 0, sizeof(p));
	ip = ip6(&p, 6, v6c, v6s);
	tcp(&p, 40001, 53, 5, 6, 0x18, 0);
	put16(&p, 300);
	dns_query(&p, 0x5151, 4096, 1);
	ip6_end(&p, ip);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_null(f.stop);
	assert_int_equal(f.l4_len, 2 + QUERY_LEN);
	assert_true(f.has_dns);
	assert_int_equal(f.dns.length, 300);
	assert_int_equal(f.dns.id, 0x5151);
	assert_int_equal(f.dns.edns_udp, 4096);

	/* Two messages in one segment: the first, bounded by its prefix. */
	memset(&p, 0, sizeof(p));
	ip = ip4(&p, 6, 8, 0x4000, 0, v4c, v4s);
	tcp(&p, 40001, 53, 5, 6, 0x18, 0);
	put16(&p, QUERY_LEN);
	dns_query(&p, 0x6161, 4096, 1);
	put16(&p, QUERY_LEN);
	dns_query(&p, 0x6262, 4096, 1);
	ip4_end(&p, ip);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_int_equal(f.l4_len, 2 * (2 + QUERY_LEN));
	check_query(&f, 0x6161, 4096);

	/* A segment in the middle of a message: QDCOUNT 0x5a5a, no DNS. */
	memset(&p, 0, sizeof(p));
	ip = ip4(&p, 6, 8, 0x4000, 0, v4s, v4c);
	tcp(&p, 53, 40001, 5, 6, 0x10, 0);
	fill(&p, 1000, 0x5a);
	ip4_end(&p, ip);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_null(f.stop);
	assert_int_equal(f.l4_len, 1000);
	assert_false(f.has_dns);

	/* A prefix below a DNS header: no message. */
	memset(&p, 0, sizeof(p));
	ip = ip4(&p, 6, 8, 0x4000, 0, v4s, v4c);
	tcp(&p, 53, 40001, 5, 6, 0x10, 0);
	put16(&p, 11);
	fill(&p, 20, 0);
	ip4_end(&p, ip);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_false(f.has_dns);

	/* 13 bytes of payload: too few for a prefix and a header. */
	memset(&p, 0, sizeof(p));
	ip = ip4(&p, 6, 8, 0x4000, 0, v4s, v4c);
	tcp(&p, 53, 40001, 5, 6, 0x10, 0);
	put16(&p, 12);
	fill(&p, 11, 0);
	ip4_end(&p, ip);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_int_equal(f.l4_len, 13);
	assert_false(f.has_dns);

	/* SYN with options, no payload. */
	memset(&p, 0, sizeof(p));
	ip = ip4(&p, 6, 8, 0x4000, 0, v4c, v4s);
	tcp(&p, 40001, 53, 0xfffffff0u, 0, 0x02, 20);
	ip4_end(&p, ip);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_null(f.stop);
	assert_int_equal(f.tcp_flags, 0x02);
	assert_true(f.tcp_seq == 0xfffffff0u);
	assert_int_equal(f.l4_len, 0);
	assert_false(f.has_dns);

	/* Data offset 4: malformed, the fields before it kept. */
	mk_tcp_answer(&p);
	p.b[20 + 12] = 4 << 4;
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_string_equal(f.stop, "TCP data offset below 20");
	assert_false(f.cut);
	assert_true(f.ip.has_ports);
	assert_int_equal(f.tcp_seq, 1000);
	assert_false(f.has_dns);

	/* Data offset 15 in a 40-byte packet: header past the IP length. */
	memset(&p, 0, sizeof(p));
	ip = ip4(&p, 6, 8, 0x4000, 0, v4c, v4s);
	tcp(&p, 40001, 53, 1, 2, 0x10, 0);
	ip4_end(&p, ip);
	p.b[20 + 12] = 15 << 4;
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_string_equal(f.stop, "truncated TCP header");
	assert_false(f.cut);
}

/* ICMP fragmentation needed quoting our UDP query. */
static void
test_icmp_frag_needed(void **state)
{
	struct pkt p;
	struct ep_frame f;

	(void)state;
	mk_icmp4_quote(&p, 3, 4, 1400);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_null(f.stop);
	assert_int_equal(f.ip.family, 4);
	assert_memory_equal(f.ip.src, v4r, 4);
	assert_int_equal(f.ip.proto, 1);
	assert_false(f.ip.has_ports);
	assert_int_equal(f.l4, EP_L4_ICMP);
	assert_int_equal(f.icmp_type, 3);
	assert_int_equal(f.icmp_code, 4);
	assert_int_equal(f.icmp_mtu, 1400);
	assert_true(f.has_quote);
	assert_int_equal(f.quote.family, 4);
	assert_memory_equal(f.quote.src, v4c, 4);
	assert_memory_equal(f.quote.dst, v4s, 4);
	assert_int_equal(f.quote.proto, 17);
	assert_int_equal(f.quote.ip_id, 77);
	assert_true(f.quote.df);
	assert_int_equal(f.quote.total_len, 20 + 8 + QUERY_LEN);
	assert_true(f.quote.has_ports);
	assert_int_equal(f.quote.sport, 40002);
	assert_int_equal(f.quote.dport, 53);
	check_query(&f, 0x7777, 4096);

	/* Bytes 4-5 are unused: only 6-7 are the MTU (RFC 1191). */
	mk_icmp4_quote(&p, 3, 4, 0xabcd0000u | 576);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_int_equal(f.icmp_mtu, 576);

	/*
	 * RFC 792 quotes: IP header and 8 bytes.  The quote's total length
	 * still says 67: the original, not what is left of it.
	 */
	mk_icmp4_quote(&p, 3, 4, 1280);
	p.n = p.ql4 + 8;
	ip4_end(&p, 0);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_null(f.stop);
	assert_true(f.has_quote);
	assert_int_equal(f.quote.total_len, 20 + 8 + QUERY_LEN);
	assert_true(f.quote.has_ports);
	assert_int_equal(f.quote.sport, 40002);
	assert_false(f.has_dns);

	/* 4 bytes of UDP: the ports and no more. */
	p.n = p.ql4 + 4;
	ip4_end(&p, 0);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_null(f.stop);
	assert_true(f.quote.has_ports);
	assert_int_equal(f.quote.dport, 53);

	/* 3 bytes: no ports, but the quoted header stands. */
	p.n = p.ql4 + 3;
	ip4_end(&p, 0);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_null(f.stop);
	assert_false(f.cut);
	assert_true(f.has_quote);
	assert_false(f.quote.has_ports);
	assert_int_equal(f.quote.sport, 0);

	/* Half a quoted header: no quote, yet the frame is whole. */
	p.n = p.qip + 10;
	ip4_end(&p, 0);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_null(f.stop);
	assert_int_equal(f.icmp_mtu, 1280);
	assert_false(f.has_quote);
	assert_int_equal(f.quote.family, 0);

	/* Port unreachable: a quote, no MTU. */
	mk_icmp4_quote(&p, 3, 3, 0);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_int_equal(f.icmp_code, 3);
	assert_int_equal(f.icmp_mtu, 0);
	assert_true(f.quote.has_ports);

	/* An ICMPv4 error quoting an IPv6 header: no quote. */
	mk_icmp4_quote(&p, 3, 4, 1400);
	p.b[p.qip] = 0x60;
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_null(f.stop);
	assert_false(f.has_quote);
	assert_false(f.has_dns);
}

/* ICMPv6 packet too big quoting our IPv6 UDP query. */
static void
test_icmp6_too_big(void **state)
{
	struct pkt p;
	struct ep_frame f;

	(void)state;
	mk_icmp6_quote(&p, 2, 0, 1280);
	assert_int_equal(whole(EP_LINK_IPV6, &p, &f), 0);
	assert_null(f.stop);
	assert_int_equal(f.ip.family, 6);
	assert_memory_equal(f.ip.src, v6r, 16);
	assert_int_equal(f.ip.proto, 58);
	assert_int_equal(f.l4, EP_L4_ICMP6);
	assert_int_equal(f.icmp_type, 2);
	assert_int_equal(f.icmp_code, 0);
	assert_int_equal(f.icmp_mtu, 1280);
	assert_true(f.has_quote);
	assert_int_equal(f.quote.family, 6);
	assert_memory_equal(f.quote.src, v6c, 16);
	assert_memory_equal(f.quote.dst, v6s, 16);
	assert_int_equal(f.quote.proto, 17);
	assert_int_equal(f.quote.hdr_len, 40);
	assert_true(f.quote.has_ports);
	assert_int_equal(f.quote.sport, 40003);
	assert_int_equal(f.quote.dport, 53);
	check_query(&f, 0x8888, 4096);

	/* The MTU is 32 bits. */
	mk_icmp6_quote(&p, 2, 0, 0x00012345u);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_true(f.icmp_mtu == 0x00012345u);

	/* Quoting a fragment of ours: id and offset from its header. */
	{
		size_t ip, qip;

		memset(&p, 0, sizeof(p));
		ip = ip6(&p, 58, v6r, v6c);
		icmp(&p, 2, 0, 1280);
		qip = ip6(&p, 44, v6c, v6s);
		frag6(&p, 17, 0, 1, 0x31337);
		(void)udp(&p, 40004, 53);
		patch16(&p, p.n - 4, 8 + 3000);
		dns_query(&p, 0x9999, 4096, 1);
		patch16(&p, qip + 4, 1448);
		ip6_end(&p, ip);
	}
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_null(f.stop);
	assert_true(f.quote.is_frag);
	assert_true(f.quote.more_frags);
	assert_int_equal(f.quote.ip_id, 0x31337);
	assert_int_equal(f.quote.hdr_len, 48);
	assert_int_equal(f.quote.total_len, 40 + 1448);
	assert_int_equal(f.quote.sport, 40004);
	assert_true(f.has_dns);
	assert_int_equal(f.dns.id, 0x9999);
	assert_int_equal(f.dns.length, 3000);
}

/* Time exceeded, parameter problem, and ICMP that is no error. */
static void
test_icmp_other(void **state)
{
	struct pkt p;
	struct ep_frame f;
	size_t ip;

	(void)state;
	mk_icmp4_quote(&p, 11, 0, 0);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_null(f.stop);
	assert_int_equal(f.icmp_type, 11);
	assert_int_equal(f.icmp_mtu, 0);
	assert_true(f.has_quote);
	assert_int_equal(f.quote.sport, 40002);
	assert_int_equal(f.dns.id, 0x7777);

	mk_icmp4_quote(&p, 12, 0, 0x14000000u);	/* pointer 20 */
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_int_equal(f.icmp_type, 12);
	assert_int_equal(f.icmp_mtu, 0);
	assert_true(f.quote.has_ports);

	mk_icmp6_quote(&p, 3, 0, 0);
	assert_int_equal(whole(EP_LINK_IPV6, &p, &f), 0);
	assert_int_equal(f.icmp_type, 3);
	assert_int_equal(f.icmp_mtu, 0);
	assert_true(f.quote.has_ports);
	assert_int_equal(f.quote.sport, 40003);

	mk_icmp6_quote(&p, 1, 4, 0);		/* port unreachable */
	assert_int_equal(whole(EP_LINK_IPV6, &p, &f), 0);
	assert_int_equal(f.icmp_code, 4);
	assert_true(f.has_quote);

	mk_icmp6_quote(&p, 4, 1, 40);		/* parameter problem */
	assert_int_equal(whole(EP_LINK_IPV6, &p, &f), 0);
	assert_int_equal(f.icmp_type, 4);
	assert_int_equal(f.icmp_mtu, 0);
	assert_true(f.quote.has_ports);

	/* Echo requests carrying what looks like a quote: none taken. */
	mk_icmp4_quote(&p, 8, 0, 0x00010002u);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_null(f.stop);
	assert_int_equal(f.l4, EP_L4_ICMP);
	assert_int_equal(f.icmp_type, 8);
	assert_false(f.has_quote);
	assert_false(f.has_dns);
	mk_icmp4_quote(&p, 5, 1, 0xc0000201u);	/* redirect: no error */
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_int_equal(f.icmp_type, 5);
	assert_false(f.has_quote);
	mk_icmp6_quote(&p, 128, 0, 0x00010002u);
	assert_int_equal(whole(EP_LINK_IPV6, &p, &f), 0);
	assert_int_equal(f.icmp_type, 128);
	assert_false(f.has_quote);

	/* 7 bytes of ICMP header. */
	memset(&p, 0, sizeof(p));
	ip = ip4(&p, 1, 1, 0, 0, v4r, v4c);
	put8(&p, 3);
	put8(&p, 4);
	fill(&p, 5, 0);
	ip4_end(&p, ip);
	assert_int_equal(whole(EP_LINK_RAW, &p, &f), 0);
	assert_string_equal(f.stop, "truncated ICMP header");
	assert_false(f.cut);
	assert_int_equal(f.l4, EP_L4_ICMP);
	assert_false(f.has_quote);
}

/* Cut by the snap length (caplen < wirelen) or short on the wire. */
static void
test_cut(void **state)
{
	struct pkt p;
	struct ep_frame f;

	(void)state;
	mk_udp_query(&p, EP_LINK_ETHERNET, 0, 4, 0);
	assert_int_equal(dis(EP_LINK_ETHERNET, &p, 10, p.n, &f), -1);
	assert_string_equal(f.stop, "truncated link-layer header");
	assert_true(f.cut);
	assert_int_equal(dis(EP_LINK_ETHERNET, &p, 10, 10, &f), -1);
	assert_false(f.cut);

	assert_int_equal(dis(EP_LINK_ETHERNET, &p, 14 + 19, p.n, &f), -1);
	assert_string_equal(f.stop, "truncated IPv4 header");
	assert_true(f.cut);

	assert_int_equal(dis(EP_LINK_ETHERNET, &p, 14 + 20 + 6, p.n, &f), 0);
	assert_string_equal(f.stop, "truncated UDP header");
	assert_true(f.cut);
	assert_true(f.ip.has_ports);
	assert_int_equal(f.ip.dport, 53);
	/* The same bytes were all the wire had: short, not cut. */
	assert_int_equal(dis(EP_LINK_ETHERNET, &p, 14 + 20 + 6, 14 + 20 + 6,
	    &f), 0);
	assert_string_equal(f.stop, "truncated UDP header");
	assert_false(f.cut);

	assert_int_equal(dis(EP_LINK_ETHERNET, &p, 14 + 20 + 8 + 11, p.n, &f),
	    0);
	assert_string_equal(f.stop, "truncated DNS header");
	assert_true(f.cut);
	assert_false(f.has_dns);

	assert_int_equal(dis(EP_LINK_ETHERNET, &p, 14 + 20 + 8 + 20, p.n, &f),
	    0);
	assert_string_equal(f.stop, "DNS message cut by the snap length");
	assert_true(f.cut);
	assert_true(f.has_dns);
	assert_int_equal(f.dns.length, QUERY_LEN);
	assert_int_equal(f.dns.id, 0xbeef);
	assert_int_equal(f.dns.status, EP_DNS_TRUNCATED);
	/* Short on the wire: the message is just short, nothing stopped. */
	assert_int_equal(dis(EP_LINK_ETHERNET, &p, 14 + 20 + 8 + 20,
	    14 + 20 + 8 + 20, &f), 0);
	assert_null(f.stop);
	assert_false(f.cut);
	assert_int_equal(f.dns.status, EP_DNS_TRUNCATED);

	/* A frame whose last bytes were only Ethernet padding: not cut. */
	mk_udp_query(&p, EP_LINK_ETHERNET, 0, 4, 0);
	assert_int_equal(dis(EP_LINK_ETHERNET, &p, p.n, p.n + 4, &f), 0);
	assert_null(f.stop);
	assert_false(f.cut);

	/* An ICMP quote cut by the snap length. */
	mk_icmp4_quote(&p, 3, 4, 1400);
	assert_int_equal(dis(EP_LINK_RAW, &p, p.ql4 + 2, p.n, &f), 0);
	assert_string_equal(f.stop, "ICMP quote cut by the snap length");
	assert_true(f.cut);
	assert_true(f.has_quote);
	assert_false(f.quote.has_ports);
	assert_int_equal(f.icmp_mtu, 1400);

	/* A first fragment cut: its message is cut twice over. */
	mk_v6_chain(&p);
	assert_int_equal(dis(EP_LINK_LINUX_SLL2, &p, p.dns + 40, p.n + 1000,
	    &f), 0);
	assert_string_equal(f.stop, "DNS message cut by the snap length");
	assert_true(f.cut);
	assert_int_equal(f.dns.length, 2000);
	assert_int_equal(f.dns.id, 0xcafe);
}

/*
 * Every prefix of a frame, each in a heap block of exactly its length:
 * no read past it, and each yields what its bytes hold and no more.
 */
static void
prefixes(int link, const struct pkt *p, uint16_t dns_id, int v6)
{
	struct ep_frame full, f;

	assert_int_equal(whole(link, p, &full), 0);
	assert_null(full.stop);
	assert_false(full.cut);
	assert_true(full.has_dns);
	assert_int_equal(full.dns.id, dns_id);
	for (size_t cap = 0; cap < p->n; cap++) {
		int rc = dis(link, p, cap, p->n, &f);

		/* Every byte counts in these frames: any prefix is cut. */
		assert_true(f.cut);
		assert_non_null(f.stop);
		assert_int_equal(f.caplen, cap);
		assert_int_equal(rc, cap >= p->l3end ? 0 : -1);
		assert_int_equal(f.ip.family, rc == 0 ? full.ip.family : 0);
		if (rc == -1)
			continue;
		assert_memory_equal(f.ip.src, full.ip.src, v6 ? 16 : 4);
		assert_memory_equal(f.ip.dst, full.ip.dst, v6 ? 16 : 4);
		assert_int_equal(f.ip.total_len, full.ip.total_len);
		assert_int_equal(f.ip.has_ports, cap >= p->l4 + 4 &&
		    full.ip.has_ports);
		if (f.ip.has_ports) {
			assert_int_equal(f.ip.sport, full.ip.sport);
			assert_int_equal(f.ip.dport, full.ip.dport);
		}
		if (p->qip != 0) {
			assert_int_equal(f.has_quote, cap >= p->qipend);
			assert_int_equal(f.quote.has_ports, cap >= p->ql4 + 4);
			assert_int_equal(f.icmp_type, cap >= p->l4 + 1 ?
			    full.icmp_type : 0);
		}
		assert_int_equal(f.has_dns, cap >= p->dns + 12);
		if (f.has_dns) {
			assert_int_equal(f.dns.id, dns_id);
			assert_int_equal(f.dns.length, full.dns.length);
			assert_int_equal(f.dns.qdcount, full.dns.qdcount);
		}
	}
}

static void
test_prefixes(void **state)
{
	struct pkt p;

	(void)state;
	mk_udp_query(&p, EP_LINK_ETHERNET, 2, 4, 12);
	prefixes(EP_LINK_ETHERNET, &p, 0xbeef, 0);
	mk_udp_query(&p, EP_LINK_LINUX_SLL, 0, 6, 0);
	prefixes(EP_LINK_LINUX_SLL, &p, 0xbeef, 1);
	mk_v6_chain(&p);
	prefixes(EP_LINK_LINUX_SLL2, &p, 0xcafe, 1);
	mk_tcp_answer(&p);
	prefixes(EP_LINK_RAW, &p, 0x4444, 0);
	mk_icmp4_quote(&p, 3, 4, 1400);
	prefixes(EP_LINK_RAW, &p, 0x7777, 0);
	mk_icmp6_quote(&p, 2, 0, 1280);
	prefixes(EP_LINK_IPV6, &p, 0x8888, 1);
}

/* What any dissection, of any bytes, must hold to. */
static void
invariants(int rc, const struct ep_frame *f, size_t caplen, size_t wirelen)
{
	assert_int_equal(f->number, 42);
	assert_int_equal(f->caplen, caplen);
	assert_int_equal(f->wirelen, wirelen);
	assert_int_equal(rc, f->ip.family != 0 ? 0 : -1);
	assert_true(f->ip.family == 0 || f->ip.family == 4 ||
	    f->ip.family == 6);
	if (rc == -1)
		assert_non_null(f->stop);
	if (f->cut) {
		assert_non_null(f->stop);
		assert_true(caplen < wirelen);
	}
	if (f->ip.family == 4)
		assert_true(f->ip.hdr_len >= 20 && f->ip.hdr_len <= 60);
	if (f->ip.family == 6)
		assert_true(f->ip.hdr_len >= 40);
	assert_true(f->ip.hdr_len <= caplen);
	assert_true(f->ip.frag_off % 8 == 0);
	if (f->ip.frag_off != 0 || f->ip.more_frags)
		assert_true(f->ip.is_frag);
	if (f->l4 != EP_L4_NONE)
		assert_int_equal(f->ip.frag_off, 0);
	if (f->ip.has_ports)
		assert_true(f->l4 == EP_L4_UDP || f->l4 == EP_L4_TCP);
	if (f->has_quote || f->quote.family != 0)
		assert_true(f->l4 == EP_L4_ICMP || f->l4 == EP_L4_ICMP6);
	if (f->quote.has_ports)
		assert_true(f->has_quote);
	if (f->has_dns) {
		assert_true(f->dns.length >= 12);
		assert_true(f->ip.has_ports || f->quote.has_ports);
	} else
		assert_int_equal(f->dns.id, 0);
	if (f->l4 != EP_L4_ICMP && f->l4 != EP_L4_ICMP6)
		assert_int_equal(f->icmp_type, 0);
}

static uint32_t
rnd(uint32_t *s)
{
	/* xorshift32: the same sequence on every machine. */
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Random bytes, and valid frames with random bytes changed and cut. */
static void
test_garbage(void **state)
{
	static const int links[] = { EP_LINK_ETHERNET, EP_LINK_RAW,
	    EP_LINK_LINUX_SLL, EP_LINK_LINUX_SLL2, EP_LINK_IPV4, EP_LINK_IPV6 };
	struct pkt t[6];
	int tlink[6] = { EP_LINK_ETHERNET, EP_LINK_LINUX_SLL2, EP_LINK_RAW,
	    EP_LINK_RAW, EP_LINK_IPV6, EP_LINK_LINUX_SLL };
	uint32_t seed = 0x2545f491u;
	int ip = 0, dns = 0, quote = 0;
	struct ep_frame f;

	(void)state;
	mk_udp_query(&t[0], EP_LINK_ETHERNET, 1, 4, 8);
	mk_v6_chain(&t[1]);
	mk_tcp_answer(&t[2]);
	mk_icmp4_quote(&t[3], 3, 4, 1400);
	mk_icmp6_quote(&t[4], 2, 0, 1280);
	mk_udp_query(&t[5], EP_LINK_LINUX_SLL, 0, 6, 0);
	for (int i = 0; i < 4000; i++) {
		struct pkt p;
		size_t n = rnd(&seed) % 300, wire;
		int link = links[i % 6], rc;

		memset(&p, 0, sizeof(p));
		for (size_t k = 0; k < n; k++)
			p.b[k] = (uint8_t)rnd(&seed);
		/* Half of them start as IPv4 or IPv6 where IP belongs. */
		if (n > 24 && (i & 1)) {
			size_t at = link == EP_LINK_ETHERNET ? 14 :
			    link == EP_LINK_LINUX_SLL ? 16 :
			    link == EP_LINK_LINUX_SLL2 ? 20 : 0;

			p.b[at] = i & 2 ? 0x45 : 0x60;
			if (link == EP_LINK_ETHERNET)
				patch16(&p, 12, i & 2 ? 0x0800 : 0x86dd);
			if (link == EP_LINK_LINUX_SLL)
				patch16(&p, 14, i & 2 ? 0x0800 : 0x86dd);
			if (link == EP_LINK_LINUX_SLL2)
				patch16(&p, 0, i & 2 ? 0x0800 : 0x86dd);
		}
		p.n = n;
		wire = n + (i & 4 ? rnd(&seed) % 100 : 0);
		rc = dis(link, &p, n, wire, &f);
		invariants(rc, &f, n, wire);
		ip += rc == 0;
	}
	for (int i = 0; i < 6000; i++) {
		const struct pkt *tp = &t[i % 6];
		struct pkt p = *tp;
		int flips = 1 + (int)(rnd(&seed) % 4), rc;
		size_t cap, wire;

		for (int k = 0; k < flips; k++)
			p.b[rnd(&seed) % p.n] = (uint8_t)rnd(&seed);
		cap = i & 1 ? p.n : rnd(&seed) % (p.n + 1);
		wire = p.n + (i & 2 ? 0 : rnd(&seed) % 100);
		rc = dis(tlink[i % 6], &p, cap, wire, &f);
		invariants(rc, &f, cap, wire);
		dns += f.has_dns;
		quote += f.has_quote;
	}
	/* The random walk went deep, not only into early stops. */
	assert_true(ip > 100);
	assert_true(dns > 1000);
	assert_true(quote > 300);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_types),
		cmocka_unit_test(test_not_ip),
		cmocka_unit_test(test_ipv4_header),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_ipv6_chain),
		cmocka_unit_test(test_ipv6_chain_bound),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_tcp_dns),
		cmocka_unit_test(test_icmp_frag_needed),
		cmocka_unit_test(test_icmp6_too_big),
		cmocka_unit_test(test_icmp_other),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
