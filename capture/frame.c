/* capture/frame.c: one frame, link layer to the DNS header (IEEE 802.1Q,
 * Linux cooked SLL/SLL2, RFC 791, RFC 8200, RFC 768, RFC 9293, RFC 792,
 * RFC 4443, RFC 1035 4.2, RFC 7766 8). */
#include <stddef.h>
#include <string.h>

#include "ednsprobe/cursor.h"
#include "ednsprobe/frame.h"

#define ETHERTYPE_IPV4	0x0800
#define ETHERTYPE_IPV6	0x86dd
#define ETHERTYPE_VLAN	0x8100		/* 802.1Q */
#define ETHERTYPE_QINQ	0x88a8		/* 802.1ad */
#define ETHERTYPE_QINQ1	0x9100		/* pre-802.1ad double tagging */
#define ETHERTYPE_RAW	(-1)		/* raw IP: the version nibble says */
#define VLAN_MAX	2

#define ETHER_HDR	14
#define SLL_HDR		16		/* protocol at offset 14 */
#define SLL2_HDR	20		/* protocol at offset 0 */

#define PROTO_HOPOPTS	0
#define PROTO_ICMP	1
#define PROTO_TCP	6
#define PROTO_UDP	17
#define PROTO_ROUTING	43
#define PROTO_FRAGMENT	44
#define PROTO_AH	51
#define PROTO_ICMP6	58
#define PROTO_DSTOPTS	60
#define PROTO_MOBILITY	135
#define PROTO_HIP	139
#define PROTO_SHIM6	140

#define IP4_HDR		20
#define IP6_HDR		40
#define UDP_HDR		8
#define TCP_HDR		20
#define DNS_PORT	53

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
	case EP_LINK_NULL:		return "NULL";
	case EP_LINK_LOOP:		return "LOOP";
	case EP_LINK_IEEE802_11:	return "IEEE802_11";
	case EP_LINK_RADIOTAP:		return "IEEE802_11_RADIO";
	case EP_LINK_NFLOG:		return "NFLOG";
	case EP_LINK_PKTAP:		return "PKTAP";
	}
	return NULL;
}

/* n bytes at c into out, or nothing and c->err. */
static void
take(struct ep_cursor *c, uint8_t *out, size_t n)
{
	if (ep_cursor_need(c, n)) {
		memcpy(out, c->p, n);
		c->p += n;
	}
}

static int
is_vlan(int type)
{
	return type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ ||
	    type == ETHERTYPE_QINQ1;
}

/*
 * Link types that carry another link layer, and the little-endian ones
 * (radiotap, PKTAP, NFLOG from most hosts): BSD loopback (DLT_NULL,
 * DLT_LOOP), Linux NFLOG (libpcap's LINKTYPE_NFLOG page), Apple PKTAP
 * (net/pktap.h), radiotap (radiotap.org), IEEE 802.11-2020 9.2-9.3 with
 * RFC 1042 LLC/SNAP.
 */
#define AF_INET_ANY	2		/* every system */
#define AF_INET6_LINUX	10
#define AF_INET6_NETBSD	24		/* also OpenBSD */
#define AF_INET6_FREEBSD 28		/* also DragonFly */
#define AF_INET6_DARWIN	30

#define NFLOG_TLV_MAX	32		/* TLVs walked before the payload */
#define NFULA_PAYLOAD	9
#define PKTAP_HDR	108		/* Apple's fixed pktap_header */
#define PKTAP_REC_PACKET 1
#define PKTAP_DLT_RAW	12		/* DLT_RAW on the BSDs and macOS */
#define RADIOTAP_HDR	8
#define WLAN_TYPE_DATA	2

static const char *link_layer(int, struct ep_cursor *, int *);

static uint16_t
u16le(struct ep_cursor *c)
{
	uint16_t v = ep_cursor_u16(c);

	return (uint16_t)(v >> 8 | v << 8);
}

static uint32_t
swap32(uint32_t v)
{
	return v >> 24 | (v >> 8 & 0xff00) | (v << 8 & 0xff0000) | v << 24;
}

static uint32_t
u32le(struct ep_cursor *c)
{
	return swap32(ep_cursor_u32(c));
}

/* An address family number as an ethertype; 0 (not IP) if neither. */
static int
af_type(uint32_t af)
{
	switch (af) {
	case AF_INET_ANY:
		return ETHERTYPE_IPV4;
	case AF_INET6_LINUX:
	case AF_INET6_NETBSD:
	case AF_INET6_FREEBSD:
	case AF_INET6_DARWIN:
		return ETHERTYPE_IPV6;
	}
	return 0;
}

/*
 * BSD loopback: a 4-byte address family.  LOOP has it in network order;
 * NULL in the capturing host's, which the file does not say, but every
 * family is below 256, so the end that is not zero tells.
 */
static const char *
loopback(struct ep_cursor *c, int host_order, int *type)
{
	uint32_t af = ep_cursor_u32(c);

	if (c->err)
		return "truncated loopback header";
	if (host_order && af > 0xffff)
		af = swap32(af);
	*type = af_type(af);
	return NULL;
}

/*
 * NFLOG: family, version, resource id, then TLVs (length counting its
 * 4-byte head, padded to 4) until NFULA_PAYLOAD, the IP packet.  Lengths
 * and types are in the logging host's order: a type is below 256, so the
 * first TLV's says which order.
 */
static const char *
nflog(struct ep_cursor *c, int *type)
{
	uint8_t family = ep_cursor_u8(c);
	int be;

	ep_cursor_skip(c, 3);			/* version, resource id */
	if (!ep_cursor_need(c, 4))
		return "truncated NFLOG header";
	/* The flag bits NLA_F_NESTED, NLA_F_NET_BYTEORDER aside. */
	be = (c->p[2] & 0x3f) == 0 && c->p[3] != 0;
	*type = family == AF_INET_ANY ? ETHERTYPE_IPV4 :
	    family == AF_INET6_LINUX ? ETHERTYPE_IPV6 : 0;
	for (int n = 0; n < NFLOG_TLV_MAX; n++) {
		uint16_t len, tlv;

		/* Running out here is running out before the payload. */
		len = be ? ep_cursor_u16(c) : u16le(c);
		tlv = be ? ep_cursor_u16(c) : u16le(c);
		if (c->err)
			return "truncated NFLOG TLV";
		if (len < 4) {
			c->err = EP_EMALFORMED;
			return "NFLOG TLV length below 4";
		}
		if ((tlv & 0x3fff) == NFULA_PAYLOAD) {
			/* The payload alone; a cut one is the IP layer's. */
			if (ep_cursor_left(c) > (size_t)len - 4)
				c->end = c->p + (len - 4);
			return NULL;
		}
		ep_cursor_skip(c, (((size_t)len + 3) & ~(size_t)3) - 4);
		if (c->err)
			return "truncated NFLOG TLV";
	}
	c->err = EP_EMALFORMED;
	return "no NFLOG payload in 32 TLVs";
}

/*
 * PKTAP: header length, record type and the DLT of the packet after it
 * (little endian: macOS on x86 and ARM); then that link layer, of the
 * ones a PKTAP carries in practice.
 */
static const char *
pktap(struct ep_cursor *c, int *type)
{
	const uint8_t *start = c->p;
	uint32_t hl = u32le(c), rec = u32le(c), dlt = u32le(c);
	int inner;

	if (c->err)
		return "truncated PKTAP header";
	if (hl < PKTAP_HDR) {
		c->err = EP_EMALFORMED;
		return "PKTAP header length below 108";
	}
	ep_cursor_skip(c, hl - (size_t)(c->p - start));
	if (c->err)
		return "truncated PKTAP header";
	if (rec != PKTAP_REC_PACKET)
		return "PKTAP record without a packet";
	switch (dlt) {
	case 0:
		inner = EP_LINK_NULL;
		break;
	case EP_LINK_ETHERNET:
		inner = EP_LINK_ETHERNET;
		break;
	case PKTAP_DLT_RAW:
	case EP_LINK_RAW:
		inner = EP_LINK_RAW;
		break;
	default:
		return "PKTAP packet of another link type";
	}
	return link_layer(inner, c, type);
}

/*
 * An 802.11 frame: data frames only, their body an RFC 1042 LLC/SNAP
 * header and the ethertype.  The header grows by address 4 (ToDS and
 * FromDS: a wireless bridge), QoS control (QoS subtypes) and HT control
 * (QoS with the Order bit).  A protected body is ciphertext.
 */
static const char *
wlan(struct ep_cursor *c, int *type)
{
	static const uint8_t snap[] = { 0xaa, 0xaa, 0x03, 0x00, 0x00 };
	uint8_t fc0 = ep_cursor_u8(c), fc1 = ep_cursor_u8(c), llc[6];

	ep_cursor_skip(c, 2 + 3 * 6 + 2);	/* duration, 3 addresses, seq */
	if (c->err)
		return "truncated 802.11 header";
	if ((fc0 & 0x03) != 0 || (fc0 >> 2 & 0x03) != WLAN_TYPE_DATA)
		return "802.11 frame not data";
	if (fc0 & 0x40)
		return "802.11 data frame without a body";
	if ((fc1 & 0x03) == 0x03)
		ep_cursor_skip(c, 6);		/* address 4 */
	if (fc0 & 0x80) {
		uint8_t qos = ep_cursor_u8(c);

		ep_cursor_skip(c, 1);
		if (fc1 & 0x80)
			ep_cursor_skip(c, 4);	/* HT control */
		if (c->err)
			return "truncated 802.11 header";
		if (qos & 0x80)
			return "802.11 A-MSDU";
	}
	if (c->err)
		return "truncated 802.11 header";
	if (fc1 & 0x40)
		return "802.11 frame protected";
	take(c, llc, sizeof(llc));
	*type = ep_cursor_u16(c);
	if (c->err)
		return "truncated LLC/SNAP header";
	/* OUI 0 (RFC 1042) or 00-00-f8 (802.1H bridge tunnel). */
	if (memcmp(llc, snap, sizeof(snap)) != 0 ||
	    (llc[5] != 0x00 && llc[5] != 0xf8))
		return "802.11 frame without LLC/SNAP";
	return NULL;
}

/* Radiotap: version 0, its length (little endian), then 802.11. */
static const char *
radiotap(struct ep_cursor *c, int *type)
{
	uint8_t version = ep_cursor_u8(c);
	uint16_t len;

	ep_cursor_skip(c, 1);			/* pad */
	len = u16le(c);
	if (c->err)
		return "truncated radiotap header";
	if (version != 0 || len < RADIOTAP_HDR) {
		c->err = EP_EMALFORMED;
		return "radiotap header of another version or below 8 bytes";
	}
	ep_cursor_skip(c, (size_t)len - 4);	/* present words, fields */
	if (c->err)
		return "truncated radiotap header";
	/* A trailing FCS (radiotap flag 0x10) is past the IP length, cut
	 * off like Ethernet padding. */
	return wlan(c, type);
}

/*
 * The link header: leaves c at the network layer and *type at its
 * ethertype (ETHERTYPE_RAW when the version nibble decides).  libpcap
 * puts the VLAN tags it took from the kernel back after the cooked
 * headers too, so they are skipped after any of the three.
 */
static const char *
link_layer(int link, struct ep_cursor *c, int *type)
{
	switch (link) {
	case EP_LINK_ETHERNET:
		ep_cursor_skip(c, ETHER_HDR - 2);	/* MAC addresses */
		*type = ep_cursor_u16(c);
		break;
	case EP_LINK_LINUX_SLL:
		ep_cursor_skip(c, SLL_HDR - 2);
		*type = ep_cursor_u16(c);
		break;
	case EP_LINK_LINUX_SLL2:
		*type = ep_cursor_u16(c);
		ep_cursor_skip(c, SLL2_HDR - 2);
		break;
	case EP_LINK_RAW:
		*type = ETHERTYPE_RAW;
		return NULL;
	case EP_LINK_IPV4:
		*type = ETHERTYPE_IPV4;
		return NULL;
	case EP_LINK_IPV6:
		*type = ETHERTYPE_IPV6;
		return NULL;
	case EP_LINK_NULL:
	case EP_LINK_LOOP:
		return loopback(c, link == EP_LINK_NULL, type);
	case EP_LINK_NFLOG:
		return nflog(c, type);
	case EP_LINK_PKTAP:
		return pktap(c, type);
	case EP_LINK_RADIOTAP:
		return radiotap(c, type);
	case EP_LINK_IEEE802_11:
		return wlan(c, type);
	default:
		return "unknown link type";
	}
	for (int tags = 0; c->err == 0 && is_vlan(*type); tags++) {
		if (tags == VLAN_MAX)
			return "more than two VLAN tags";
		ep_cursor_skip(c, 2);			/* PCP, DEI, VID */
		*type = ep_cursor_u16(c);
	}
	if (c->err)
		return "truncated link-layer header";
	return NULL;
}

/*
 * An IPv4 header at c into ip.  The frame's own header (quoted 0) limits
 * c to the total length; a quoted one does not, since its total length is
 * the original packet's and only the start of that was quoted.  *past is
 * set when the total length runs past the captured bytes.
 */
static const char *
ipv4(struct ep_cursor *c, struct ep_ip *ip, int quoted, int *past)
{
	const uint8_t *start = c->p;
	uint8_t vihl = ep_cursor_u8(c);
	size_t hl = (size_t)(vihl & 0x0f) * 4;
	uint16_t total, frag;

	if (c->err)
		return "truncated IPv4 header";
	if (vihl >> 4 != 4) {
		c->err = EP_EMALFORMED;
		return "IPv4 header with another version";
	}
	if (hl < IP4_HDR) {
		c->err = EP_EMALFORMED;
		return "IPv4 header length below 20";
	}
	ep_cursor_skip(c, 1);				/* DSCP, ECN */
	total = ep_cursor_u16(c);
	ip->ip_id = ep_cursor_u16(c);
	frag = ep_cursor_u16(c);
	ip->ttl = ep_cursor_u8(c);
	ip->proto = ep_cursor_u8(c);
	ep_cursor_skip(c, 2);				/* checksum */
	take(c, ip->src, 4);
	take(c, ip->dst, 4);
	ep_cursor_skip(c, hl - IP4_HDR);		/* options */
	if (c->err)
		return "truncated IPv4 header";
	ip->family = 4;
	ip->total_len = total;
	ip->hdr_len = (uint16_t)hl;
	ip->df = (frag & 0x4000) != 0;
	ip->more_frags = (frag & 0x2000) != 0;
	ip->frag_off = (uint32_t)(frag & 0x1fff) * 8;
	ip->is_frag = ip->more_frags || ip->frag_off != 0;
	if (quoted)
		return NULL;
	if (total < hl) {
		c->err = EP_EMALFORMED;
		return "IPv4 total length below its header length";
	}
	/* Ethernet pads short frames: the payload ends where IP says. */
	if ((size_t)(c->end - start) > total)
		c->end = start + total;
	else
		*past = (size_t)(c->end - start) < total;
	return NULL;
}

static int
is_exthdr(uint8_t proto)
{
	switch (proto) {
	case PROTO_HOPOPTS:
	case PROTO_ROUTING:
	case PROTO_FRAGMENT:
	case PROTO_AH:
	case PROTO_DSTOPTS:
	case PROTO_MOBILITY:
	case PROTO_HIP:
	case PROTO_SHIM6:
		return 1;
	}
	return 0;
}

static uint8_t
eh_bit(uint8_t proto)
{
	switch (proto) {
	case PROTO_HOPOPTS:	return EP_IP6_EH_HBH;
	case PROTO_DSTOPTS:	return EP_IP6_EH_DST;
	case PROTO_ROUTING:	return EP_IP6_EH_ROUTING;
	case PROTO_FRAGMENT:	return EP_IP6_EH_FRAG;
	}
	return EP_IP6_EH_OTHER;
}

/*
 * An IPv6 header and its extension headers at c into ip; c is left at the
 * upper layer, limited (own header only) to the payload length.  A
 * payload length of 0 (jumbogram, or a GSO packet captured before it was
 * cut up) limits nothing.
 */
static const char *
ipv6(struct ep_cursor *c, struct ep_ip *ip, int quoted, int *past)
{
	const uint8_t *start = c->p;
	uint8_t vtc = ep_cursor_u8(c), next;
	uint16_t plen;
	size_t total;

	if (c->err)
		return "truncated IPv6 header";
	if (vtc >> 4 != 6) {
		c->err = EP_EMALFORMED;
		return "IPv6 header with another version";
	}
	ep_cursor_skip(c, 3);				/* class, flow */
	plen = ep_cursor_u16(c);
	next = ep_cursor_u8(c);
	ip->ttl = ep_cursor_u8(c);
	take(c, ip->src, 16);
	take(c, ip->dst, 16);
	if (c->err)
		return "truncated IPv6 header";
	ip->family = 6;
	total = (size_t)IP6_HDR + plen;
	ip->total_len = (uint16_t)(total > 65535 ? 65535 : total);
	if (!quoted && plen != 0) {
		if ((size_t)(c->end - start) > total)
			c->end = start + total;
		else
			*past = (size_t)(c->end - start) < total;
	} else if (!quoted)
		*past = 1;
	/* Hard bound on the chain (RFC 8200 4.1 sets none). */
	for (int n = 0; is_exthdr(next); n++) {
		uint8_t nh, len;

		if (n == EP_IP6_EXTHDR_MAX) {
			ip->proto = next;
			ip->hdr_len = (uint16_t)(c->p - start);
			c->err = EP_EMALFORMED;
			return "IPv6 extension header chain too long";
		}
		nh = ep_cursor_u8(c);
		len = ep_cursor_u8(c);			/* Fragment: reserved */
		ip->eh |= eh_bit(next);
		if (next == PROTO_FRAGMENT) {
			uint16_t off = ep_cursor_u16(c);

			ip->ip_id = ep_cursor_u32(c);
			if (c->err)
				break;
			ip->is_frag = 1;
			ip->frag_hdr_end = (uint16_t)(c->p - start);
			ip->frag_next = nh;
			ip->frag_off = off & 0xfff8;	/* 13 bits of 8 bytes */
			ip->more_frags = off & 1;
			if (ip->frag_off != 0) {
				/* What follows is payload, not headers. */
				next = nh;
				break;
			}
		} else if (next == PROTO_AH)
			ep_cursor_skip(c, ((size_t)len + 2) * 4 - 2);
		else
			ep_cursor_skip(c, ((size_t)len + 1) * 8 - 2);
		if (c->err)
			break;
		next = nh;
	}
	ip->proto = next;
	ip->hdr_len = (uint16_t)(c->p - start);
	if (c->err)
		return "truncated IPv6 extension header";
	return NULL;
}

static const char *
ip_layer(struct ep_cursor *c, int type, struct ep_ip *ip, int quoted,
    int *past)
{
	if (type == ETHERTYPE_RAW) {
		if (!ep_cursor_need(c, 1))
			return "empty frame";
		switch (c->p[0] >> 4) {
		case 4:
			type = ETHERTYPE_IPV4;
			break;
		case 6:
			type = ETHERTYPE_IPV6;
			break;
		}
	}
	if (type == ETHERTYPE_IPV4)
		return ipv4(c, ip, quoted, past);
	if (type == ETHERTYPE_IPV6)
		return ipv6(c, ip, quoted, past);
	return "not IP";
}

/* Source and destination port, or nothing. */
static int
ports(struct ep_cursor *c, struct ep_ip *ip)
{
	uint16_t sport = ep_cursor_u16(c), dport = ep_cursor_u16(c);

	if (c->err)
		return -1;
	ip->sport = sport;
	ip->dport = dport;
	ip->has_ports = 1;
	return 0;
}

static int
is_dns(const struct ep_frame *f, const struct ep_ip *ip)
{
	return ip->sport == f->dns_port || ip->dport == f->dns_port;
}

/*
 * The start of a DNS message at c that its transport says is len bytes:
 * whatever of it was captured (and no more than len) is dissected, and
 * dns.length is len.  Returns -1 when not even a header is here.
 */
static int
dns(struct ep_frame *f, const struct ep_cursor *c, size_t len)
{
	size_t have = ep_cursor_left(c);

	if (have > len)
		have = len;
	if (have < EP_DNS_HDR_LEN)
		return -1;
	(void)ep_dns_dissect(c->p, have, &f->dns);
	f->dns.length = len;
	f->has_dns = 1;
	f->dns_data = c->p;
	f->dns_caplen = (uint32_t)have;
	return 0;
}

/*
 * Why the DNS message at c (len bytes, as its transport says) stopped
 * short, when it did for lack of captured bytes: snap says the capture
 * ended where the packet went on.
 */
static const char *
dns_cut(const struct ep_frame *f, const struct ep_cursor *c, size_t len,
    int snap)
{
	if (!snap || ep_cursor_left(c) >= len)
		return NULL;
	if (!f->has_dns)
		return "truncated DNS header";
	if (f->dns.status == EP_DNS_TRUNCATED || f->dns.status == EP_DNS_SHORT)
		return "DNS message cut by the snap length";
	return NULL;
}

static const char *
udp(struct ep_frame *f, struct ep_cursor *c, int snap)
{
	uint16_t ulen;

	if (ports(c, &f->ip) == -1)
		return "truncated UDP header";
	ulen = ep_cursor_u16(c);
	ep_cursor_skip(c, 2);				/* checksum */
	if (c->err)
		return "truncated UDP header";
	f->l4_len = ulen;
	if (ulen < UDP_HDR) {
		c->err = EP_EMALFORMED;
		return "UDP length below its header";
	}
	/* A first fragment has only the start of what ulen counts. */
	if (!is_dns(f, &f->ip) || ulen < UDP_HDR + EP_DNS_HDR_LEN)
		return NULL;
	(void)dns(f, c, (size_t)ulen - UDP_HDR);
	return dns_cut(f, c, (size_t)ulen - UDP_HDR, snap);
}

/*
 * TCP.  DNS over TCP is a stream of messages, each after a two-byte length
 * (RFC 1035 4.2.2).  Streams are reassembled by the caller when it needs
 * whole messages (analyze: capture/tcpstream.c, fed with tcp_data); this
 * one-segment look serves the matcher, so a segment is taken to start a
 * message when its first bytes look like a prefix and a header: prefix >= 12 and QDCOUNT <= 1 (every query, and every answer
 * to one, has 0 or 1).  Two random bytes pass the QDCOUNT test once in
 * 32768, so a segment that continues a message rarely passes; if one
 * does, its "DNS id" and length are noise, and only comparing the id
 * with the query's tells.
 */
static const char *
tcp(struct ep_frame *f, struct ep_cursor *c, int snap)
{
	const struct ep_ip *ip = &f->ip;
	struct ep_cursor h;
	uint32_t seq, ack;
	uint16_t mlen, qd;
	uint8_t off, flags;
	size_t hl;

	if (ports(c, &f->ip) == -1)
		return "truncated TCP header";
	seq = ep_cursor_u32(c);
	ack = ep_cursor_u32(c);
	off = ep_cursor_u8(c);
	flags = ep_cursor_u8(c);
	if (c->err)
		return "truncated TCP header";
	f->tcp_seq = seq;
	f->tcp_ack = ack;
	f->tcp_flags = flags;
	hl = (size_t)(off >> 4) * 4;
	if (hl < TCP_HDR) {
		c->err = EP_EMALFORMED;
		return "TCP data offset below 20";
	}
	/* What the segment carries, as its headers say: known even when
	 * the snap length cuts its options. */
	if ((size_t)ip->total_len >= ip->hdr_len + hl)
		f->l4_len = (uint32_t)(ip->total_len - ip->hdr_len - hl);
	ep_cursor_skip(c, hl - 14);	/* window, checksum, urgent, options */
	if (c->err)
		return "truncated TCP header";
	/* The captured payload, for the stream reassembler (tcpstream.h). */
	f->tcp_data = c->p;
	f->tcp_datalen = (uint32_t)(ep_cursor_left(c) < f->l4_len ?
	    ep_cursor_left(c) : f->l4_len);
	if (!is_dns(f, ip) || f->l4_len < 2 + EP_DNS_HDR_LEN)
		return NULL;
	h = *c;
	mlen = ep_cursor_u16(&h);
	ep_cursor_skip(&h, 4);				/* id, flags */
	qd = ep_cursor_u16(&h);
	if (h.err)
		return snap ? "truncated DNS header" : NULL;
	if (mlen < EP_DNS_HDR_LEN || qd > 1)
		return NULL;		/* not the start of a message */
	ep_cursor_skip(c, 2);
	(void)dns(f, c, mlen);
	return dns_cut(f, c, mlen, snap);
}

/* A shortage in a quote: the snap length's when the frame ran on. */
static const char *
quote_cut(const struct ep_cursor *c, int snap)
{
	return snap && c->err == EP_ETRUNC ?
	    "ICMP quote cut by the snap length" : NULL;
}

/*
 * The packet an ICMP error quotes, into f->quote: its IP header, its
 * ports when they are there, and the start of its DNS message when it is
 * UDP of port 53.  A quote is often short (RFC 792 asks for 8 bytes past
 * the IP header), which is no failure of the frame; only a quote cut by
 * our snap length is reported, as the reason to stop.
 */
static const char *
quote(struct ep_frame *f, struct ep_cursor *c, int type, int snap)
{
	struct ep_ip *q = &f->quote;
	uint16_t ulen;
	int qpast = 0;

	if (ip_layer(c, type, q, 1, &qpast) != NULL) {
		/* An IPv6 header whose extension headers are not all here. */
		f->has_quote = q->family != 0;
		return quote_cut(c, snap);
	}
	f->has_quote = 1;
	if (q->frag_off != 0 || (q->proto != PROTO_UDP &&
	    q->proto != PROTO_TCP))
		return NULL;
	if (ports(c, q) == -1)
		return quote_cut(c, snap);
	if (q->proto != PROTO_UDP || !is_dns(f, q))
		return NULL;
	ulen = ep_cursor_u16(c);
	ep_cursor_skip(c, 2);				/* checksum */
	if (c->err)
		return quote_cut(c, snap);
	if (ulen < UDP_HDR + EP_DNS_HDR_LEN)
		return NULL;
	(void)dns(f, c, (size_t)ulen - UDP_HDR);
	return dns_cut(f, c, (size_t)ulen - UDP_HDR, snap) != NULL ?
	    "ICMP quote cut by the snap length" : NULL;
}

/* ICMP or ICMPv6: type, code, MTU, and the quote of an error. */
static const char *
icmp(struct ep_frame *f, struct ep_cursor *c, int v6, int snap)
{
	struct ep_cursor q;
	uint32_t rest;
	int error;

	f->icmp_type = ep_cursor_u8(c);
	f->icmp_code = ep_cursor_u8(c);
	ep_cursor_skip(c, 2);				/* checksum */
	rest = ep_cursor_u32(c);
	if (c->err)
		return v6 ? "truncated ICMPv6 header" : "truncated ICMP header";
	if (v6) {
		/* Unreachable, packet too big, time exceeded, parameter. */
		error = f->icmp_type >= 1 && f->icmp_type <= 4;
		if (f->icmp_type == 2)
			f->icmp_mtu = rest;
	} else {
		/* Unreachable, time exceeded, parameter problem. */
		error = f->icmp_type == 3 || f->icmp_type == 11 ||
		    f->icmp_type == 12;
		if (f->icmp_type == 3 && f->icmp_code == 4)
			f->icmp_mtu = rest & 0xffff;	/* RFC 1191 */
	}
	if (!error)
		return NULL;
	q = *c;		/* the quote's failures are its own */
	return quote(f, &q, v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, snap);
}

/* The data of fragment f, whose IP header starts at l3 and whose bytes
 * end at end (the captured ones, up to the IP length). */
static void
frag_data(struct ep_frame *f, const uint8_t *l3, const uint8_t *end)
{
	size_t off = f->ip.frag_hdr_end ? f->ip.frag_hdr_end : f->ip.hdr_len;

	if (end > l3 && (size_t)(end - l3) > off) {
		f->frag_data = l3 + off;
		f->frag_caplen = (uint32_t)((size_t)(end - l3) - off);
	}
}

/*
 * Tunnels with DNS inside: GRE (RFC 2784, RFC 2890 keys and sequence
 * numbers) with IPv4, IPv6, transparent Ethernet (0x6558) or ERSPAN
 * (type II 0x88be, type III 0x22eb: draft-foschiano-erspan), VXLAN (RFC
 * 7348), Geneve (RFC 8926), GTP-U (3GPP TS 29.281 5.1-5.2).
 */
#define PROTO_GRE	47
#define ETHERTYPE_TEB	0x6558		/* transparent Ethernet bridging */
#define ETHERTYPE_ERSPAN2 0x88be
#define ETHERTYPE_ERSPAN3 0x22eb
#define VXLAN_PORT	4789
#define GENEVE_PORT	6081
#define GTPU_PORT	2152
#define GTP_GPDU	0xff		/* a user packet follows */
#define GTP_EXT_MAX	8		/* extension headers walked */

enum tunnel_kind { TUN_NONE = 0, TUN_GRE, TUN_VXLAN, TUN_GENEVE, TUN_GTPU };

/* GRE and what it carries: an ethertype, or Ethernet under ERSPAN. */
static const char *
gre(struct ep_cursor *c, int *type)
{
	uint16_t flags = ep_cursor_u16(c), proto = ep_cursor_u16(c);

	if (c->err)
		return "truncated GRE header";
	/* Version 1 is PPTP's; routing (RFC 1701's R bit) is obsolete. */
	if ((flags & 0x0007) != 0 || (flags & 0x4000) != 0)
		return "GRE of another version";
	if (flags & 0x8000)
		ep_cursor_skip(c, 4);		/* checksum, reserved */
	if (flags & 0x2000)
		ep_cursor_skip(c, 4);		/* key */
	if (flags & 0x1000)
		ep_cursor_skip(c, 4);		/* sequence number */
	if (c->err)
		return "truncated GRE header";
	switch (proto) {
	case ETHERTYPE_IPV4:
	case ETHERTYPE_IPV6:
		*type = proto;
		return NULL;
	case ETHERTYPE_TEB:
		break;
	case ETHERTYPE_ERSPAN2:
		/* Type I has no header and no sequence number. */
		if (flags & 0x1000) {
			if (ep_cursor_u8(c) >> 4 != 1)
				return c->err ? "truncated ERSPAN header" :
				    "ERSPAN type II of another version";
			ep_cursor_skip(c, 7);
		}
		break;
	case ETHERTYPE_ERSPAN3: {
		uint8_t ver = ep_cursor_u8(c), o;

		ep_cursor_skip(c, 10);
		o = ep_cursor_u8(c) & 0x01;	/* platform subheader */
		ep_cursor_skip(c, o ? 8 : 0);
		if (c->err)
			return "truncated ERSPAN header";
		if (ver >> 4 != 2)
			return "ERSPAN type III of another version";
		break;
	}
	default:
		return "GRE of another protocol";
	}
	if (c->err)
		return "truncated ERSPAN header";
	return link_layer(EP_LINK_ETHERNET, c, type);
}

static const char *
vxlan(struct ep_cursor *c, int *type)
{
	uint8_t flags = ep_cursor_u8(c);

	ep_cursor_skip(c, 7);			/* reserved, VNI, reserved */
	if (c->err)
		return "truncated VXLAN header";
	if ((flags & 0x08) == 0)
		return "VXLAN header without a VNI";
	return link_layer(EP_LINK_ETHERNET, c, type);
}

static const char *
geneve(struct ep_cursor *c, int *type)
{
	uint8_t vlen = ep_cursor_u8(c);
	uint16_t proto;

	ep_cursor_skip(c, 1);			/* O, C flags */
	proto = ep_cursor_u16(c);
	ep_cursor_skip(c, 4);			/* VNI, reserved */
	ep_cursor_skip(c, (size_t)(vlen & 0x3f) * 4);	/* options */
	if (c->err)
		return "truncated Geneve header";
	if (vlen >> 6 != 0)
		return "Geneve of another version";
	if (proto == ETHERTYPE_IPV4 || proto == ETHERTYPE_IPV6) {
		*type = proto;
		return NULL;
	}
	if (proto != ETHERTYPE_TEB)
		return "Geneve of another protocol";
	return link_layer(EP_LINK_ETHERNET, c, type);
}

/*
 * GTP-U v1: flags, message type, length (of what follows the first 8
 * bytes), TEID; with any of E, S, PN the next 4 bytes (sequence, N-PDU,
 * next extension type) are there; each extension header is a length in
 * 4-byte units, its content, and the next type (0: the end).
 */
static const char *
gtpu(struct ep_cursor *c, int *type)
{
	uint8_t flags = ep_cursor_u8(c), msg = ep_cursor_u8(c), next = 0;
	uint16_t len = ep_cursor_u16(c);

	ep_cursor_skip(c, 4);			/* TEID */
	if (c->err)
		return "truncated GTP-U header";
	if (flags >> 5 != 1 || (flags & 0x10) == 0)
		return "GTP of another version";
	if (msg != GTP_GPDU)
		return "GTP-U message without a packet";
	if (ep_cursor_left(c) > len)
		c->end = c->p + len;
	if (flags & 0x07) {
		ep_cursor_skip(c, 3);		/* sequence, N-PDU number */
		next = ep_cursor_u8(c);
	}
	for (int n = 0; next != 0 && (flags & 0x04); n++) {
		uint8_t units = ep_cursor_u8(c);

		if (c->err)
			break;
		if (n == GTP_EXT_MAX || units == 0) {
			c->err = EP_EMALFORMED;
			return "GTP-U extension headers too long or empty";
		}
		ep_cursor_skip(c, (size_t)units * 4 - 2);
		next = ep_cursor_u8(c);
	}
	if (c->err)
		return "truncated GTP-U header";
	*type = ETHERTYPE_RAW;
	return NULL;
}

/*
 * The tunnel whose header is at c, in a packet of protocol proto: c is
 * left past the UDP header (limited to its length) for the UDP ones.  DNS
 * (to or from dns_port) is never taken for a tunnel.
 */
static enum tunnel_kind
tunnel_kind(uint8_t proto, uint16_t dns_port, struct ep_cursor *c)
{
	uint16_t sport, dport, ulen;

	if (proto == PROTO_GRE)
		return TUN_GRE;
	if (proto != PROTO_UDP)
		return TUN_NONE;
	sport = ep_cursor_u16(c);
	dport = ep_cursor_u16(c);
	ulen = ep_cursor_u16(c);
	ep_cursor_skip(c, 2);			/* checksum */
	if (c->err || ulen < UDP_HDR || sport == dns_port || dport == dns_port)
		return TUN_NONE;
	if (ep_cursor_left(c) > (size_t)ulen - UDP_HDR)
		c->end = c->p + (ulen - UDP_HDR);
	switch (dport) {
	case VXLAN_PORT:
		return TUN_VXLAN;
	case GENEVE_PORT:
		return TUN_GENEVE;
	case GTPU_PORT:
		return TUN_GTPU;
	}
	return TUN_NONE;
}

static const char *
decap(enum tunnel_kind kind, struct ep_cursor *c, int *type)
{
	switch (kind) {
	case TUN_GRE:
		return gre(c, type);
	case TUN_VXLAN:
		return vxlan(c, type);
	case TUN_GENEVE:
		return geneve(c, type);
	case TUN_GTPU:
		return gtpu(c, type);
	case TUN_NONE:
		break;
	}
	return "not a tunnel";
}

/*
 * Replace f->ip, c, *past and *l3 (where its IP header starts) by the
 * packet inside each tunnel, as long as there is one (a fragment's
 * inside is not whole, so never).  A header
 * that is not the tunnel's, or carries no IP, leaves the outer packet as
 * it was, an ordinary one; only a tunnel cut by the snap length stops the
 * frame (c->err says so), since what it carried is unknown.
 */
static const char *
tunnel(struct ep_frame *f, struct ep_cursor *c, int *past,
    const uint8_t **l3)
{
	for (int depth = 0; !f->ip.is_frag; depth++) {
		struct ep_cursor t = *c;
		struct ep_ip inner;
		enum tunnel_kind kind;
		const uint8_t *start;
		const char *why;
		int type = 0, ipast = 0;

		if ((kind = tunnel_kind(f->ip.proto, f->dns_port, &t)) ==
		    TUN_NONE)
			return NULL;
		if (depth == EP_TUNNEL_MAX)
			return "tunnels nested too deep";
		memset(&inner, 0, sizeof(inner));
		start = NULL;
		if ((why = decap(kind, &t, &type)) == NULL) {
			start = t.p;
			why = ip_layer(&t, type, &inner, 0, &ipast);
		}
		if (why != NULL) {
			if (t.err != EP_ETRUNC || !*past ||
			    f->caplen >= f->wirelen)
				return NULL;
			c->err = t.err;
			return why;
		}
		f->ip = inner;
		*c = t;
		*past = ipast;
		*l3 = start;
	}
	return NULL;
}

int
ep_frame_dissect(int link, const uint8_t *pkt, uint32_t caplen,
    uint32_t wirelen, uint32_t number, uint64_t ts_us, struct ep_frame *f)
{
	return ep_frame_dissect_port(link, pkt, caplen, wirelen, number, ts_us,
	    DNS_PORT, f);
}

int
ep_frame_dissect_port(int link, const uint8_t *pkt, uint32_t caplen,
    uint32_t wirelen, uint32_t number, uint64_t ts_us, uint16_t port,
    struct ep_frame *f)
{
	struct ep_cursor c;
	const uint8_t *l3 = NULL;
	const char *why;
	int type, past = 0, snap;

	memset(f, 0, sizeof(*f));
	f->dns_port = port;
	f->number = number;
	f->ts_us = ts_us;
	f->caplen = caplen;
	f->wirelen = wirelen;
	ep_cursor_init(&c, pkt, caplen);
	if ((why = link_layer(link, &c, &type)) == NULL) {
		l3 = c.p;
		if ((why = ip_layer(&c, type, &f->ip, 0, &past)) == NULL)
			why = tunnel(f, &c, &past, &l3);
	}
	if (why != NULL) {		f->stop = why;
		/* Before the IP length is known, any shortage is the snap's. */
		f->cut = c.err == EP_ETRUNC && caplen < wirelen &&
		    (f->ip.family == 0 || past);
		return f->ip.family != 0 ? 0 : -1;
	}
	if (f->ip.is_frag)
		frag_data(f, l3, c.end);
	if (f->ip.frag_off != 0)
		return 0;			/* l4 EP_L4_NONE */
	/* From here a shortage is the snap length's only if the wire had
	 * more; else the packet itself is shorter than it says. */
	snap = past && caplen < wirelen;
	switch (f->ip.proto) {
	case PROTO_UDP:
		f->l4 = EP_L4_UDP;
		why = udp(f, &c, snap);
		break;
	case PROTO_TCP:
		f->l4 = EP_L4_TCP;
		why = tcp(f, &c, snap);
		break;
	case PROTO_ICMP:
		f->l4 = EP_L4_ICMP;
		why = icmp(f, &c, 0, snap);
		break;
	case PROTO_ICMP6:
		f->l4 = EP_L4_ICMP6;
		why = icmp(f, &c, 1, snap);
		break;
	default:
		f->l4 = EP_L4_OTHER;
		break;
	}
	if (why != NULL) {
		f->stop = why;
		f->cut = snap && c.err != EP_EMALFORMED;
	}
	return 0;
}
