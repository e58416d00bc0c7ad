/* probe/engine/raw.c: UDP datagrams built by hand as IPv4 or IPv6 packets (DF,
 * TTL, fragments, IPv6 Hop-by-Hop and Destination Options headers: RFC
 * 8200 4.1-4.6) and sent through a raw socket.  The answer comes back to
 * the probe's ordinary UDP socket, whose address and port the packets
 * carry; ICMP errors about them reach that socket's error queue and the
 * capture. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/random.h>
#include <unistd.h>

#include "engine/raw.h"

#define IP4_HDR		20
#define IP6_HDR		40
#define FRAG6_HDR	8
#define UDP_HDR		8
#define PROTO_HOPOPTS	0
#define PROTO_UDP	17
#define PROTO_FRAG6	44
#define PROTO_DSTOPTS	60
#define OPT_PADN	1

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* One's-complement sum of n bytes, added to sum. */
static uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)(p[n - 1] << 8);
	return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* An 8-byte options header (Hop-by-Hop or Destination Options, RFC 8200
 * 4.3, 4.6): next header, length 0 (8 bytes), one PadN option (type 1,
 * RFC 8200 4.2) of 4 zero bytes filling the rest. */
static void
put_opts(uint8_t *p, uint8_t next)
{
	memset(p, 0, EP_RAW_EH_LEN);
	p[0] = next;
	p[2] = OPT_PADN;
	p[3] = EP_RAW_EH_LEN - 4;
}

int
ep_raw_build(const struct ep_raw_spec *s, const uint8_t *msg, size_t len,
    struct ep_raw_pkts *out, struct ep_err *err)
{
	size_t ulen = UDP_HDR + len, alen = s->family == 4 ? 4 : 16;
	size_t hdr = s->family == 4 ? IP4_HDR : IP6_HDR, off = 0;
	int hbh = (s->eh & EP_RAW_EH_HBH) != 0;
	int dst = (s->eh & EP_RAW_EH_DST) != 0;
	/* The fragmentable part: [Destination Options] UDP datagram. */
	size_t pre = dst ? EP_RAW_EH_LEN : 0, plen_all = pre + ulen;
	size_t per = s->frag_size ? s->frag_size : plen_all;
	uint8_t pseudo[40], *udp = out->udp + pre;
	uint32_t sum;
	uint16_t ck;

	if (s->family == 4 && s->eh != 0)
		return ep_err_set(err, EP_EUSAGE, "IPv6 extension headers in "
		    "an IPv4 packet");
	if (ulen > 65535 - (s->family == 4 ? IP4_HDR : 0) ||
	    plen_all + (hbh ? EP_RAW_EH_LEN : 0) > 65535 ||
	    ulen > sizeof(out->udp) - pre)
		return ep_err_set(err, EP_EUSAGE, "a %zu-byte DNS message does "
		    "not fit in one UDP datagram", len);
	if (s->frag_size != 0 && (s->frag_size % 8 != 0 ||
	    s->frag_size < 8))
		return ep_err_set(err, EP_EUSAGE, "fragment size %u is not a "
		    "positive multiple of 8", s->frag_size);
	/* The first fragment holds the whole header chain and the UDP
	 * header (RFC 7112), or receivers may drop it. */
	if (s->frag_size != 0 && s->frag_size < pre + UDP_HDR)
		return ep_err_set(err, EP_EUSAGE, "fragment size %u cannot "
		    "hold the header chain in the first fragment (RFC 7112)",
		    s->frag_size);
	/* The UDP datagram, its checksum over the whole of it: each
	 * fragment carries a piece, the checksum is the datagram's.  The
	 * pseudo-header counts the UDP length only, never the extension
	 * headers (RFC 8200 8.1). */
	put16(udp, s->sport);
	put16(udp + 2, s->dport);
	put16(udp + 4, (uint32_t)ulen);
	put16(udp + 6, 0);
	memcpy(udp + UDP_HDR, msg, len);
	memset(pseudo, 0, sizeof(pseudo));
	if (s->family == 4) {
		memcpy(pseudo, s->src, 4);
		memcpy(pseudo + 4, s->dst, 4);
		pseudo[9] = PROTO_UDP;
		put16(pseudo + 10, (uint32_t)ulen);
		sum = csum_add(0, pseudo, 12);
	} else {
		memcpy(pseudo, s->src, 16);
		memcpy(pseudo + 16, s->dst, 16);
		put32(pseudo + 32, (uint32_t)ulen);
		pseudo[39] = PROTO_UDP;
		sum = csum_add(0, pseudo, 40);
	}
	ck = csum_fold(csum_add(sum, udp, ulen));
	put16(udp + 6, ck ? ck : 0xffff);
	if (dst)
		put_opts(out->udp, PROTO_UDP);

	out->n = 0;
	out->used = 0;
	while (off < plen_all) {
		size_t piece = plen_all - off < per ? plen_all - off : per;
		int more = off + piece < plen_all;
		int frag = s->frag_size != 0;
		/* Per packet, before the piece: Hop-by-Hop, Fragment. */
		size_t unfrag = (hbh ? EP_RAW_EH_LEN : 0) +
		    (frag && s->family == 6 ? FRAG6_HDR : 0);
		size_t plen = hdr + unfrag + piece;
		/* What follows the fixed header, then the Hop-by-Hop
		 * header, then the Fragment header. */
		uint8_t inner = dst ? PROTO_DSTOPTS : PROTO_UDP;
		uint8_t after_hbh = frag ? PROTO_FRAG6 : inner;
		uint8_t *p = out->buf + out->used;

		if (out->n == EP_RAW_PKTS_MAX ||
		    out->used + plen > sizeof(out->buf))
			return ep_err_set(err, EP_EUSAGE, "%zu bytes in "
			    "fragments of %u make more than %d packets", ulen,
			    s->frag_size, EP_RAW_PKTS_MAX);
		memset(p, 0, hdr);
		if (s->family == 4) {
			p[0] = 0x45;
			put16(p + 2, (uint32_t)plen);
			put16(p + 4, s->ident & 0xffff);
			put16(p + 6, (uint32_t)((s->df ? 0x4000 : 0) |
			    (more ? 0x2000 : 0) | (off / 8)));
			p[8] = s->ttl;
			p[9] = PROTO_UDP;
			memcpy(p + 12, s->src, alen);
			memcpy(p + 16, s->dst, alen);
			put16(p + 10, csum_fold(csum_add(0, p, IP4_HDR)));
		} else {
			uint8_t *x = p + IP6_HDR;

			p[0] = 0x60;
			put16(p + 4, (uint32_t)(plen - IP6_HDR));
			p[6] = hbh ? PROTO_HOPOPTS : after_hbh;
			p[7] = s->ttl;
			memcpy(p + 8, s->src, alen);
			memcpy(p + 24, s->dst, alen);
			if (hbh) {
				put_opts(x, after_hbh);
				x += EP_RAW_EH_LEN;
			}
			if (frag) {
				/* Network order, offset in 8-byte units in
				 * the top 13 bits, M in the lowest. */
				x[0] = inner;
				x[1] = 0;
				put16(x + 2, (uint32_t)(off | (more ? 1 : 0)));
				put32(x + 4, s->ident);
			}
		}
		memcpy(p + plen - piece, out->udp + off, piece);
		out->off[out->n] = out->used;
		out->len[out->n] = plen;
		out->n++;
		out->used += plen;
		off += piece;
	}
	return 0;
}

int
ep_raw_open(int family, struct ep_err *err)
{
	int af = family == 4 ? AF_INET : AF_INET6;
	int fd = socket(af, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	int probe;

	if (fd == -1)
		return ep_err_set(err, errno, "raw IPv%d socket: %s", family,
		    strerror(errno));
	/* Send our sizes as they are, whatever path MTU the kernel learnt:
	 * the MTU probes must reach the wire to be measured. */
	if (family == 4) {
		probe = IP_PMTUDISC_PROBE;
		setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &probe,
		    sizeof(probe));
	} else {
		probe = IPV6_PMTUDISC_PROBE;
		setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &probe,
		    sizeof(probe));
	}
	return fd;
}

uint32_t
ep_raw_ident(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = (uint32_t)getpid() * 2654435761u;
	/* IPv4 id 0 would let the kernel pick one per fragment. */
	return (v & 0xffff) ? v : v | 1;
}

int
ep_raw_send(int fd, const struct ep_raw_spec *s, const struct ep_raw_pkts *pk)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	memset(&ss, 0, sizeof(ss));
	if (s->family == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, s->dst, 4);
		sl = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, s->dst, 16);
		sl = sizeof(*sin6);
	}
	for (int i = 0; i < pk->n; i++)
		if (sendto(fd, pk->buf + pk->off[i], pk->len[i], 0,
		    (struct sockaddr *)&ss, sl) == -1)
			return -1;
	return 0;
}
