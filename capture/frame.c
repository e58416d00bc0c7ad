/* capture/frame.c: frame dissector, link layer to the DNS header.  Every
 * read goes through the cursor (STYLE.md section 5): captured bytes are
 * hostile, and a frame cut by the snap length is normal. */
#include <stddef.h>
#include <string.h>

#include "ednsprobe/cursor.h"
#include "ednsprobe/frame.h"

#define ETHERTYPE_IPV4	0x0800
#define ETHERTYPE_IPV6	0x86dd
#define ETHERTYPE_VLAN	0x8100
#define ETHERTYPE_QINQ	0x88a8
#define VLAN_MAX	2

#define PROTO_ICMP	1
#define PROTO_TCP	6
#define PROTO_UDP	17
#define PROTO_ICMP6	58
#define IP6_HOPOPTS	0
#define IP6_ROUTING	43
#define IP6_FRAGMENT	44
#define IP6_AH		51
#define IP6_DSTOPTS	60

#define DNS_PORT	53
#define DNS_HDR		12

const char *
ep_link_name(int link)
{
	switch (link) {
	case EP_LINK_ETHERNET:		return "EN10MB";
	case EP_LINK_RAW:		return "RAW";
	case EP_LINK_LINUX_SLL:		return "LINUX_SLL";
	case EP_LINK_IPV4:		return "IPV4";
	case EP_LINK_IPV6:		return "IPV6";
	case EP_LINK_LINUX_SLL2:	return "LINUX_SLL2";
	}
	return NULL;
}

/* The link header: the ethertype of what follows, 0 for raw IP (the
 * version nibble decides), -1 when it cannot be read. */
static long
link_layer(int link, struct ep_cursor *c, const char **stop)
{
	uint16_t type;

	switch (link) {
	case EP_LINK_ETHERNET:
		ep_cursor_skip(c, 12);
		type = ep_cursor_u16(c);
		for (int i = 0; i < VLAN_MAX && (type == ETHERTYPE_VLAN ||
		    type == ETHERTYPE_QINQ); i++) {
			ep_cursor_skip(c, 2);
			type = ep_cursor_u16(c);
		}
		break;
	case EP_LINK_LINUX_SLL:
		ep_cursor_skip(c, 14);
		type = ep_cursor_u16(c);
		break;
	case EP_LINK_LINUX_SLL2:
		type = ep_cursor_u16(c);
		ep_cursor_skip(c, 18);
		break;
	case EP_LINK_RAW:
	case EP_LINK_IPV4:
	case EP_LINK_IPV6:
		return 0;
	default:
		*stop = "unknown link type";
		return -1;
	}
	if (c->err) {
		*stop = "truncated link-layer header";
		return -1;
	}
	return type;
}

/*
 * An IPv4 header at c into ip; c is left at the payload, limited to what
 * the total length claims.  Returns 0, or -1 with *stop.
 */
static int
ipv4(struct ep_cursor *c, struct ep_ip *ip, int quoted, const char **stop)
{
	const uint8_t *start = c->p;
	uint8_t vihl = ep_cursor_u8(c);
	uint16_t frag;
	size_t hl = (size_t)(vihl & 0x0f) * 4;

	if (c->err) {
		*stop = "truncated IPv4 header";
		return -1;
	}
	if (vihl >> 4 != 4 || hl < 20) {
		*stop = "malformed IPv4 header";
		return -1;
	}
	ep_cursor_skip(c, 1);			/* DSCP/ECN */
	ip->total_len = ep_cursor_u16(c);
	ip->ip_id = ep_cursor_u16(c);
	frag = ep_cursor_u16(c);
	ip->ttl = ep_cursor_u8(c);
	ip->proto = ep_cursor_u8(c);
	ep_cursor_skip(c, 2);			/* checksum */
	if (ep_cursor_need(c, 8)) {
		memcpy(ip->src, c->p, 4);
		memcpy(ip->dst, c->p + 4, 4);
	}
	ep_cursor_skip(c, 8);
	ep_cursor_skip(c, hl - 20);		/* options */
	if (c->err) {
		*stop = "truncated IPv4 header";
		return -1;
	}
	ip->family = 4;
	ip->hdr_len = (uint16_t)hl;
	ip->df = (frag & 0x4000) != 0;
	ip->more_frags = (frag & 0x2000) != 0;
	ip->frag_off = (uint32_t)(frag & 0x1fff) * 8;
	ip->is_frag = ip->more_frags || ip->frag_off != 0;
	if (ip->total_len < hl) {
		*stop = "IPv4 total length below its header";
		return -1;
	}
	/* An ICMP error quotes only the start: keep what is there. */
	if (!quoted && (size_t)(c->end - start) > ip->total_len)
		c->end = start + ip->total_len;
	return 0;
}

/* IPv6 header and extension headers; c is left at the upper layer. */
static int
ipv6(struct ep_cursor *c, struct ep_ip *ip, int quoted, const char **stop)
{
	const uint8_t *start = c->p;
	uint8_t next;
	uint16_t plen;

	if ((ep_cursor_u8(c) >> 4) != 6 && c->err == 0) {
		*stop = "malformed IPv6 header";
		return -1;
	}
	ep_cursor_skip(c, 3);
	plen = ep_cursor_u16(c);
	next = ep_cursor_u8(c);
	ip->ttl = ep_cursor_u8(c);
	if (ep_cursor_need(c, 32)) {
		memcpy(ip->src, c->p, 16);
		memcpy(ip->dst, c->p + 16, 16);
	}
	ep_cursor_skip(c, 32);
	if (c->err) {
		*stop = "truncated IPv6 header";
		return -1;
	}
	ip->family = 6;
	ip->total_len = (uint16_t)(plen > 65535 - 40 ? 65535 : 40 + plen);
	if (!quoted && (size_t)(c->end - start) > ip->total_len)
		c->end = start + ip->total_len;
	for (int n = 0;; n++) {
		uint8_t nh, len;
		uint16_t off;

		if (next != IP6_HOPOPTS && next != IP6_ROUTING &&
		    next != IP6_FRAGMENT && next != IP6_AH &&
		    next != IP6_DSTOPTS)
			break;
		if (n == EP_IP6_EXTHDR_MAX) {
			*stop = "IPv6 extension header chain too long";
			ip->proto = next;
			ip->hdr_len = (uint16_t)(c->p - start);
			return -1;
		}
		nh = ep_cursor_u8(c);
		len = ep_cursor_u8(c);
		if (next == IP6_FRAGMENT) {
			off = ep_cursor_u16(c);
			ip->ip_id = ep_cursor_u32(c);
			ip->is_frag = 1;
			ip->frag_off = (uint32_t)(off & 0xfff8);
			ip->more_frags = off & 1;
		} else if (next == IP6_AH)
			ep_cursor_skip(c, (size_t)(len + 2) * 4 - 2);
		else
			ep_cursor_skip(c, (size_t)(len + 1) * 8 - 2);
		if (c->err) {
			*stop = "truncated IPv6 extension header";
			return -1;
		}
		next = nh;
	}
	ip->proto = next;
	ip->hdr_len = (uint16_t)(c->p - start);
	return 0;
}

static int
ip_layer(struct ep_cursor *c, long ethertype, struct ep_ip *ip, int quoted,
    const char **stop)
{
	uint8_t v;

	if (ethertype == 0) {
		if (!ep_cursor_need(c, 1)) {
			*stop = "empty frame";
			return -1;
		}
		v = (uint8_t)(c->p[0] >> 4);
		ethertype = v == 4 ? ETHERTYPE_IPV4 : v == 6 ?
		    ETHERTYPE_IPV6 : -1;
	}
	if (ethertype == ETHERTYPE_IPV4)
		return ipv4(c, ip, quoted, stop);
	if (ethertype == ETHERTYPE_IPV6)
		return ipv6(c, ip, quoted, stop);
	*stop = "not IP";
	return -1;
}

/* The DNS message at c: len is what the headers claim it is. */
static void
dns(struct ep_frame *f, struct ep_cursor *c, size_t len)
{
	size_t have = ep_cursor_left(c);

	if (have < DNS_HDR)
		return;
	ep_dns_dissect(c->p, have < len ? have : len, &f->dns);
	f->dns.length = len;
	f->has_dns = 1;
}

/* Ports (and for a UDP datagram or TCP segment of DNS, its message). */
static void
transport(struct ep_frame *f, struct ep_ip *ip, struct ep_cursor *c,
    int quoted)
{
	if (ip->proto == PROTO_UDP) {
		uint16_t ulen;

		ip->sport = ep_cursor_u16(c);
		ip->dport = ep_cursor_u16(c);
		ulen = ep_cursor_u16(c);
		ep_cursor_skip(c, 2);
		if (c->err)
			return;
		ip->has_ports = 1;
		if (!quoted)
			f->l4_len = ulen;
		if ((ip->sport == DNS_PORT || ip->dport == DNS_PORT) &&
		    ulen >= 8 + DNS_HDR)
			dns(f, c, (size_t)ulen - 8);
	} else if (ip->proto == PROTO_TCP) {
		uint8_t off, flags;
		size_t hl;
		uint32_t seq, ack;

		ip->sport = ep_cursor_u16(c);
		ip->dport = ep_cursor_u16(c);
		if (c->err)
			return;
		ip->has_ports = 1;
		seq = ep_cursor_u32(c);
		ack = ep_cursor_u32(c);
		off = ep_cursor_u8(c);
		flags = ep_cursor_u8(c);
		hl = (size_t)(off >> 4) * 4;
		if (quoted || c->err || hl < 20)
			return;
		ep_cursor_skip(c, hl - 14);
		if (c->err)
			return;
		f->tcp_seq = seq;
		f->tcp_ack = ack;
		f->tcp_flags = flags;
		if (ip->total_len >= ip->hdr_len + hl)
			f->l4_len = (uint32_t)(ip->total_len - ip->hdr_len - hl);
		/*
		 * A DNS message starts a segment when the segment begins with
		 * its length prefix.  Segments that continue a message are
		 * taken as a start too (no stream reassembly here); the
		 * matcher checks the DNS id against the probe's query.
		 */
		if ((ip->sport == DNS_PORT || ip->dport == DNS_PORT) &&
		    f->l4_len >= 2 + DNS_HDR) {
			uint16_t mlen = ep_cursor_u16(c);

			if (c->err == 0 && mlen >= DNS_HDR)
				dns(f, c, mlen);
		}
	}
}

/* An ICMP / ICMPv6 error: type, code, MTU and the quoted packet. */
static void
icmp(struct ep_frame *f, struct ep_cursor *c, int v6)
{
	uint32_t rest;
	int error;

	f->icmp_type = ep_cursor_u8(c);
	f->icmp_code = ep_cursor_u8(c);
	ep_cursor_skip(c, 2);
	rest = ep_cursor_u32(c);
	if (c->err)
		return;
	if (v6) {
		error = f->icmp_type >= 1 && f->icmp_type <= 4;
		if (f->icmp_type == 2)
			f->icmp_mtu = rest;
	} else {
		error = f->icmp_type == 3 || f->icmp_type == 11 ||
		    f->icmp_type == 12;
		if (f->icmp_type == 3 && f->icmp_code == 4)
			f->icmp_mtu = rest & 0xffff;
	}
	if (!error)
		return;
	{
		const char *stop = NULL;
		struct ep_cursor q = *c;

		if (ip_layer(&q, v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4,
		    &f->quote, 1, &stop) == -1)
			return;
		f->has_quote = 1;
		if (f->quote.frag_off == 0)
			transport(f, &f->quote, &q, 1);
	}
}

int
ep_frame_dissect(int link, const uint8_t *pkt, uint32_t caplen,
    uint32_t wirelen, uint32_t number, uint64_t ts_us, struct ep_frame *f)
{
	struct ep_cursor c;
	long type;

	/* Everything but the big DNS part, which has_dns guards. */
	memset(f, 0, offsetof(struct ep_frame, dns));
	f->stop = NULL;
	f->cut = 0;
	f->number = number;
	f->ts_us = ts_us;
	f->caplen = caplen;
	f->wirelen = wirelen;
	ep_cursor_init(&c, pkt, caplen);
	if ((type = link_layer(link, &c, &f->stop)) == -1 ||
	    ip_layer(&c, type, &f->ip, 0, &f->stop) == -1) {
		f->cut = caplen < wirelen && c.err == EP_ETRUNC;
		return f->ip.family ? 0 : -1;
	}
	if (f->ip.frag_off != 0) {
		f->l4 = EP_L4_NONE;
		return 0;
	}
	switch (f->ip.proto) {
	case PROTO_UDP:
		f->l4 = EP_L4_UDP;
		transport(f, &f->ip, &c, 0);
		break;
	case PROTO_TCP:
		f->l4 = EP_L4_TCP;
		transport(f, &f->ip, &c, 0);
		break;
	case PROTO_ICMP:
		f->l4 = EP_L4_ICMP;
		icmp(f, &c, 0);
		break;
	case PROTO_ICMP6:
		f->l4 = EP_L4_ICMP6;
		icmp(f, &c, 1);
		break;
	default:
		f->l4 = EP_L4_OTHER;
		break;
	}
	if (c.err) {
		f->stop = "truncated transport header";
		f->cut = caplen < wirelen;
	}
	return 0;
}
