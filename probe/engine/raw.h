/* probe/engine/raw.h: hand-built UDP packets for the raw probes (fragments, DF,
 * TTL, IPv6 extension headers) and the raw sockets that send them.  Our
 * own builder, not libnet: see docs/design.md ("Raw packets"). */
#ifndef EP_RAW_H
#define EP_RAW_H

#include <stddef.h>
#include <stdint.h>

#include "ednsprobe/err.h"

#define EP_RAW_PKTS_MAX	64

/* One UDP datagram and how it leaves. */
struct ep_raw_spec {
	int		 family;	/* 4 or 6 */
	uint8_t		 src[16], dst[16];	/* network order */
	uint16_t	 sport, dport;
	uint8_t		 ttl;		/* TTL / hop limit */
	int		 df;		/* IPv4 DF */
	uint16_t	 frag_size;	/* IP payload per fragment, multiple of
					   8; 0: one packet */
	uint32_t	 ident;		/* IPv4 id (low 16 bits) / IPv6
					   fragment identification */
	uint8_t		 eh;		/* IPv6 extension headers, EP_RAW_EH_*
					   bits (8 bytes each, PadN); 0 none */
};

/* The extension headers (RFC 8200 4.1 order): Hop-by-Hop in every packet
 * before the Fragment header; Destination Options after it, so in the
 * first fragment only (part of the fragmentable part, 4.5). */
#define EP_RAW_EH_HBH	0x01
#define EP_RAW_EH_DST	0x02
#define EP_RAW_EH_LEN	8

/* The packets of one datagram, back to back in buf. */
struct ep_raw_pkts {
	uint8_t		 udp[65536 + EP_RAW_EH_LEN];	/* what the fragments
					   carve: a Destination Options
					   header if any, then the UDP
					   datagram, checksummed */
	uint8_t		 buf[65536 + EP_RAW_PKTS_MAX * 64];
	size_t		 off[EP_RAW_PKTS_MAX], len[EP_RAW_PKTS_MAX];
	int		 n;
	size_t		 used;
};

/* Build msg (a DNS message) as the packets s describes: 0, or -1 with
 * err (sizes out of range, not a multiple of 8, too many fragments,
 * extension headers on IPv4). */
int	 ep_raw_build(const struct ep_raw_spec *s, const uint8_t *msg,
	    size_t len, struct ep_raw_pkts *out, struct ep_err *err);

/* A raw socket of the family (IP header included), sending our sizes
 * whatever path MTU the kernel learnt.  -1 with err (EPERM without
 * CAP_NET_RAW). */
int	 ep_raw_open(int family, struct ep_err *err);

/* A random identification with non-zero low 16 bits. */
uint32_t ep_raw_ident(void);

/* Send every packet of pk; -1 with errno. */
int	 ep_raw_send(int fd, const struct ep_raw_spec *s,
	    const struct ep_raw_pkts *pk);

#endif
