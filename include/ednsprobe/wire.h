/* include/ednsprobe/wire.h: what the capture's matcher (capture/wire.h)
 * knows of a probe, its signature, and the evidence it gathers for it;
 * the types the probe side and capture/ share, none of a command's. */
#ifndef EDNSPROBE_WIRE_H
#define EDNSPROBE_WIRE_H

#include <stdint.h>

#include "ednsprobe/dns.h"

#define EP_WIRE_FRAMES	32	/* frame numbers kept per probe or target */
#define EP_WIRE_LPORTS	4	/* local ports kept per probe */
#define EP_WIRE_LABEL	40	/* "probe 128 raw 65535 do medium" fits */
#define EP_WIRE_TTLS	4	/* distinct TTLs kept per kind of frame */

/* ICMP error seen on the wire about our packets. */
struct ep_wire_icmp {
	int		 family;	/* 0: none */
	uint8_t		 type, code;
	uint32_t	 mtu;		/* frag-needed / packet-too-big */
	uint8_t		 from[16];	/* the router or host that sent it */
	uint8_t		 ttl;		/* its IP TTL / hop limit on arrival */
	uint32_t	 frame;
};

/*
 * The IP TTLs (IPv6 hop limits) one kind of frame coming back arrived
 * with: each distinct value once, in the order first seen, with the first
 * frame that carried it.  How far away its sender was (probe/measure/
 * forged.c).
 */
struct ep_wire_ttl {
	uint8_t		 ttl[EP_WIRE_TTLS];
	uint32_t	 frame[EP_WIRE_TTLS];
	int		 n;
	int		 more;		/* distinct values not kept */
};

/*
 * What the capture saw of one probe: the frames tied to it (by ports,
 * DNS id, IP id through the first fragment, headers quoted in ICMP) and
 * what they say.  All zero without a capture.
 */
struct ep_probe_wire {
	uint32_t	 frames[EP_WIRE_FRAMES];	/* capture frame numbers */
	int		 nframes;
	int		 frames_more;	/* tied but not kept */
	int		 queries;	/* query transmissions seen leaving */
	int		 replies;	/* replies seen arriving: datagrams or
					   first fragments with the DNS header,
					   TCP segments starting a message */
	uint32_t	 reply_bytes;	/* largest DNS length claimed by those */
	int		 frag_dgrams;	/* fragmented reply datagrams */
	int		 frag_complete;	/* of those: every fragment arrived */
	int		 frag_overlap;	/* of the complete ones: fragments that
					   overlapped (exact copies aside), which
					   receivers may drop (RFC 5722) */
	int		 frags;		/* reply fragments seen */
	struct ep_wire_icmp icmp;	/* the first ICMP error quoting us */
	struct ep_wire_ttl reply_ttl;	/* of the replies counted above */
	struct ep_wire_ttl reset_ttl;	/* of TCP resets from the target */
	/* A reply that came in IP fragments, reassembled (complete, no
	 * overlaps): its whole DNS message. */
	int		 has_whole_reply;
	struct ep_dns_msg whole_reply;
};

/*
 * One probe as the matcher sees it (STYLE.md section 4: a probe declares
 * what it sent): the sockets it sent from and the DNS id of its query.
 * Frames are tied to it by the local port of their UDP or TCP header (of
 * the packet an ICMP error quotes; of the first fragment for the other
 * fragments of a datagram), and among probes sharing a port by the id.
 */
struct ep_wire_sig {
	uint8_t		 proto;		/* IPPROTO_UDP or IPPROTO_TCP (a raw
					   probe's query is UDP) */
	uint16_t	 qid;		/* its query's DNS id */
	uint16_t	 lports[EP_WIRE_LPORTS];	/* local ports of its
					   sockets (TCP: one per connect
					   attempt) */
	int		 nlports;
	struct ep_probe_wire *ev;	/* not owned: its evidence goes here */
	char		 label[EP_WIRE_LABEL];	/* how the capture file's
					   comments name it: "probe 9 udp
					   4000 do large" */
};

/*
 * One server, for the matcher: its address, the signatures of the probes
 * sent to it, and where the evidence that belongs to no single probe
 * goes.  Frames to or from the address are about it (an ICMP error: when
 * the packet it quotes is).  The local address is not compared: the
 * ports tell our probes apart.
 */
struct ep_wire_target {
	int		 family;	/* 4 or 6; 0: an empty slot, about
					   nothing */
	uint8_t		 addr[16];	/* network order, IPv4 in the first 4 */
	struct ep_wire_sig *sigs;	/* not owned; in the probes' order:
					   the first that matches wins */
	int		 nsigs;
	int		 stale;		/* set by the owner: sigs may be out of
					   date; the matcher calls its sync
					   callback before reading them */
	/* Where its own evidence goes (not owned, all set): fragmented
	 * datagrams from it whose first fragment never came, so tied to no
	 * probe (orphan_frames holds EP_WIRE_FRAMES), and the first ICMP
	 * frag-needed / packet too big about our packets to it. */
	int		*orphan_dgrams;
	int		*orphan_frags;
	uint32_t	*orphan_frames;
	int		*norphan_frames;
	struct ep_wire_icmp *ptb;
};

#endif
