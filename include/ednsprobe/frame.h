/* include/ednsprobe/frame.h: one captured frame, dissected (link layer to
 * the DNS header), and the fragment bookkeeping of IP datagrams. */
#ifndef EDNSPROBE_FRAME_H
#define EDNSPROBE_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "ednsprobe/dns.h"

/* Link types we dissect (values of pcap's LINKTYPE_*, as in files). */
#define EP_LINK_NULL		0	/* BSD loopback: AF in host order */
#define EP_LINK_ETHERNET	1	/* DLT_EN10MB */
#define EP_LINK_RAW		101	/* LINKTYPE_RAW: IPv4 or IPv6 */
#define EP_LINK_IEEE802_11	105	/* 802.11 without radio header */
#define EP_LINK_LOOP		108	/* OpenBSD loopback: AF in network
					   order */
#define EP_LINK_LINUX_SLL	113
#define EP_LINK_RADIOTAP	127	/* radiotap header, then 802.11 */
#define EP_LINK_IPV4		228
#define EP_LINK_IPV6		229
#define EP_LINK_NFLOG		239	/* Linux NFLOG: TLVs, then IP */
#define EP_LINK_PKTAP		258	/* Apple PKTAP: header, then its DLT */
#define EP_LINK_LINUX_SLL2	276

/*
 * Tunnels looked into (GRE and ERSPAN, VXLAN, Geneve, GTP-U): the frame's
 * ip is the innermost packet, at most this many tunnels deep.
 */
#define EP_TUNNEL_MAX		3

/* Bound on IPv6 extension headers walked before giving up. */
#define EP_IP6_EXTHDR_MAX	8

/* The IPv6 extension headers walked (struct ep_ip's eh). */
#define EP_IP6_EH_HBH		0x01	/* Hop-by-Hop Options */
#define EP_IP6_EH_DST		0x02	/* Destination Options */
#define EP_IP6_EH_ROUTING	0x04
#define EP_IP6_EH_FRAG		0x08	/* Fragment */
#define EP_IP6_EH_OTHER		0x10	/* AH, Mobility, HIP, Shim6 */

enum ep_l4 {
	EP_L4_NONE = 0,		/* non-first fragment, or not reached */
	EP_L4_UDP,
	EP_L4_TCP,
	EP_L4_ICMP,		/* ICMPv4 */
	EP_L4_ICMP6,
	EP_L4_OTHER,
};

/*
 * One IP header: the frame's own, or the one quoted inside an ICMP error.
 * Addresses are in network order, IPv4 in the first 4 bytes.
 */
struct ep_ip {
	int		 family;	/* 4 or 6; 0: no IP header */
	uint8_t		 src[16], dst[16];
	uint8_t		 proto;		/* upper layer after IPv6 ext headers */
	uint8_t		 ttl;		/* TTL / hop limit */
	uint16_t	 total_len;	/* IPv4 total length; IPv6 40 + payload */
	uint16_t	 hdr_len;	/* IP header incl. options / ext headers */
	int		 df;		/* IPv4 DF */
	/* Fragments: IPv4 MF/offset != 0, or an IPv6 Fragment header. */
	int		 is_frag;
	int		 more_frags;	/* MF */
	uint32_t	 frag_off;	/* bytes */
	uint32_t	 ip_id;		/* IPv4 id, IPv6 fragment identification;
					   an unfragmented IPv6 packet: 0 */
	uint8_t		 eh;		/* IPv6: EP_IP6_EH_* headers walked */
	uint16_t	 frag_hdr_end;	/* IPv6 fragment: bytes from the IP
					   header to the end of the Fragment
					   header, where the fragment's data
					   begins (headers after it, such as
					   Destination Options, are data of
					   the fragmentable part); 0 else */
	uint8_t		 frag_next;	/* IPv6 fragment: the Fragment
					   header's Next Header, the same in
					   every fragment of a datagram */
	/* UDP/TCP ports: only in an unfragmented packet or a first fragment
	 * (frag_off 0) whose transport header was captured. */
	int		 has_ports;
	uint16_t	 sport, dport;
};

struct ep_frame {
	uint32_t	 number;	/* 1-based position in the capture */
	uint16_t	 dns_port;	/* DNS is read on this port (53) */
	uint64_t	 ts_us;		/* capture time, microseconds (epoch) */
	uint32_t	 caplen, wirelen;
	struct ep_ip	 ip;
	enum ep_l4	 l4;
	uint32_t	 l4_len;	/* UDP length field; TCP: segment payload
					   bytes as the IP header says */
	uint8_t		 tcp_flags;	/* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08
					   ACK 0x10 */
	uint32_t	 tcp_seq, tcp_ack;
	const uint8_t	*tcp_data;	/* TCP payload as captured, borrowed:
					   valid during the frame callback */
	uint32_t	 tcp_datalen;	/* bytes at tcp_data (<= l4_len) */
	/* ICMP / ICMPv6 error (dest unreachable, frag-needed, packet too
	 * big, time exceeded, parameter problem) with its quoted packet. */
	uint8_t		 icmp_type, icmp_code;
	uint32_t	 icmp_mtu;	/* frag-needed next-hop MTU, PTB MTU */
	int		 has_quote;
	struct ep_ip	 quote;		/* ports and id filled when quoted */
	/* A DNS message that starts in this frame (UDP payload, or a TCP
	 * segment starting with the length prefix), or the quoted one of an
	 * ICMP error: dissected from the captured bytes with ep_dns_dissect
	 * (status EP_DNS_TRUNCATED when only its start is here, e.g. a first
	 * fragment); dns.length is the length the headers claim. */
	int		 has_dns;
	struct ep_dns_msg dns;
	const uint8_t	*dns_data;	/* its captured bytes, dns_caplen of
					   them: valid while the frame's are */
	uint32_t	 dns_caplen;
	/* A fragment's data as captured (IPv4: after the IP header; IPv6:
	 * after the Fragment header), what reassembly copies (ep_frag_add);
	 * points into the frame's bytes, valid only while they are.  NULL
	 * when not a fragment or none of its data was captured. */
	const uint8_t	*frag_data;
	uint32_t	 frag_caplen;
	/* Dissection stopped early: why (static string), NULL if it did
	 * not.  Whatever was read before stays valid. */
	const char	*stop;
	int		 cut;		/* stopped because caplen < wirelen */
};

/*
 * Dissect one frame of link type `link`.  Never reads outside
 * [pkt, pkt + caplen).  Returns 0 when an IP header was read (f->ip), -1
 * when the frame is not IP or the link type is unknown (f->stop says
 * why).  `number`, `ts_us` and `wirelen` are copied into f.
 */
int	ep_frame_dissect(int link, const uint8_t *pkt, uint32_t caplen,
	    uint32_t wirelen, uint32_t number, uint64_t ts_us,
	    struct ep_frame *f);

/* The same, with DNS on port instead of 53 (a server on another port:
 * path -p, analyze --port); TCP and UDP on any other port are not DNS. */
int	ep_frame_dissect_port(int link, const uint8_t *pkt, uint32_t caplen,
	    uint32_t wirelen, uint32_t number, uint64_t ts_us, uint16_t port,
	    struct ep_frame *f);

/* The link-type name ("EN10MB", "LINUX_SLL2"...) or NULL if unknown. */
const char *ep_link_name(int link);

/* ---------------------------------------------------------- fragments */

#define EP_FRAG_RANGES	16	/* byte ranges kept per datagram */
#define EP_FRAG_FRAMES	16	/* frame numbers kept per datagram */

/*
 * One fragmented IP datagram, as far as it was seen: key (family, src,
 * dst, proto, id), the byte ranges of its payload that arrived, and the
 * ports / DNS id from its first fragment when that arrived.
 */
struct ep_frag_dgram {
	int		 family;
	uint8_t		 src[16], dst[16];
	uint8_t		 proto;		/* the upper layer: its first
					   fragment's, once seen */
	uint8_t		 key_proto;	/* IPv4: proto; IPv6: the Fragment
					   header's Next Header (the key) */
	uint32_t	 id;
	struct { uint32_t from, to; } ranges[EP_FRAG_RANGES];	/* [from, to) */
	int		 nranges;	/* merged, sorted */
	int		 overflow;	/* more disjoint ranges than kept */
	int		 first_seen;	/* offset 0 arrived */
	int		 last_seen;	/* MF=0 arrived */
	uint32_t	 total;		/* payload bytes: known once last_seen */
	int		 complete;	/* first..last all arrived */
	int		 overlap;	/* overlapping fragments seen (exact
					   duplicates aside) */
	int		 duplicates;	/* exact copies of a fragment seen */
	int		 nfrags;	/* fragments seen (duplicates too) */
	struct { uint32_t from, to; int more; } pieces[EP_FRAG_FRAMES];
					/* the first fragments' own ranges
					   and MF */
	int		 npieces;
	uint32_t	 frames[EP_FRAG_FRAMES];
	int		 nframes;
	/* From the first fragment, when seen. */
	int		 has_ports;
	uint16_t	 sport, dport;
	int		 has_dns;
	struct ep_dns_msg dns;
	uint64_t	 first_us, last_us;	/* capture times */
	int		 settled;	/* the matcher has counted it (wire.h) */
	/* Reassembly, when the table keeps bytes (ep_frag_keep_bytes):
	 * the payload so far (owned by the table), and once the datagram is
	 * complete without overlaps, dns is the whole message's and
	 * dns_whole is set (the bytes are then freed). */
	uint8_t		*bytes;
	uint32_t	 bytes_cap;
	int		 bytes_short;	/* some data not captured, or over the
					   table's byte bound: no reassembly */
	uint16_t	 l4_off;	/* IPv6: extension headers after the
					   Fragment header, in the data */
	int		 dns_whole;
};

struct ep_frag_table;

/* A table of at most `max` datagrams; the oldest is evicted (and counted)
 * when full. */
struct ep_frag_table *ep_frag_new(int max);
void	 ep_frag_free(struct ep_frag_table *);

/*
 * Account fragment frame f (f->ip.is_frag must be set).  Returns the
 * datagram it belongs to (valid until the next call), NULL if f is not a
 * fragment.
 */
struct ep_frag_dgram *ep_frag_add(struct ep_frag_table *,
	    const struct ep_frame *f);

/*
 * Keep the payload bytes of datagrams (at most max bytes in all, freed as
 * each is reassembled or evicted), so the DNS message of a fragmented
 * UDP datagram is dissected whole (dns_whole), as the receiver's stack
 * reassembles it.  Off (0) by default.
 */
void	 ep_frag_keep_bytes(struct ep_frag_table *, size_t max);

/* Iterate: i from 0 while the result is not NULL. */
const struct ep_frag_dgram *ep_frag_at(const struct ep_frag_table *, int i);
struct ep_frag_dgram *ep_frag_at_mut(struct ep_frag_table *, int i);
int	 ep_frag_evicted(const struct ep_frag_table *);

#endif
