/* capture/tcpstream.h: DNS messages out of TCP byte streams (RFC 9293
 * sequence numbers, RFC 1035 4.2.2 / RFC 7766 8 length prefixes), per
 * connection and direction, bounded.
 *
 * Concepts:
 * - A stream is one direction of one connection, keyed by family,
 *   source and destination address and port.  Its bytes are numbered
 *   from the SYN's ISN + 1, or, in a capture that starts mid-stream
 *   (no SYN), from the first segment that looks like the start of a
 *   message (a length >= 12 and a DNS header with QDCOUNT <= 1); such a
 *   stream's messages are flagged as not sure to start on a boundary.
 * - Segments may come in any order and more than once: the first copy of
 *   a byte wins (as most stacks keep it); bytes already passed on are
 *   ignored.
 * - A message is emitted when its 2-byte length and all its bytes are
 *   contiguous.  A gap that never fills, or bytes a snap length cut
 *   (caplen < payload length), leave the stream holed: nothing after
 *   the gap is emitted, ever (its content is unknown, not guessed).
 *   The other direction's ACKs tell the two kinds of gap apart: bytes
 *   the receiver acknowledged reached it and only the capture missed
 *   them (unseen); bytes it never acknowledged were lost on the way.
 * - Bounds: at most max_streams streams (the least recently fed is
 *   evicted, counted), at most max_bytes buffered per stream from its
 *   first unconsumed byte (bytes past that window are dropped, counted;
 *   a later copy may still bring them).  EP_TCPSTREAM_BYTES, one whole
 *   message, is the smallest useful window.
 */
#ifndef EP_CAPTURE_TCPSTREAM_H
#define EP_CAPTURE_TCPSTREAM_H

#include <stddef.h>
#include <stdint.h>

#define EP_TCPSTREAM_BYTES	(65535 + 2)	/* largest prefixed message */
#define EP_TCPSTREAM_PIECES	32	/* disjoint byte ranges per stream */

/* One direction of a connection: src sends, dst receives.  Addresses in
 * network order, IPv4 in the first 4 bytes, the rest zero. */
struct ep_tcpstream_key {
	int		 family;	/* 4 or 6 */
	uint8_t		 src[16], dst[16];
	uint16_t	 sport, dport;
};

/* One TCP segment as captured; data is borrowed for the call. */
struct ep_tcpstream_seg {
	struct ep_tcpstream_key key;
	uint32_t	 seq, ack;
	uint8_t		 flags;		/* FIN 0x01 SYN 0x02 RST 0x04 ACK 0x10 */
	const uint8_t	*data;		/* payload as captured */
	uint32_t	 caplen;	/* bytes at data */
	uint32_t	 len;		/* payload bytes on the wire */
	uint64_t	 ts_us;
	uint32_t	 frame;
};

/* One whole DNS message, without its length prefix; data is borrowed for
 * the callback. */
struct ep_tcpstream_msg {
	const struct ep_tcpstream_key *key;	/* its direction */
	const uint8_t	*data;
	size_t		 len;
	uint64_t	 first_us, last_us;	/* segments that brought its
						   first and its last byte */
	uint32_t	 first_frame, last_frame;
	int		 sure;		/* starts on a boundary counted from
					   a SYN, not from a guessed start */
};

/* What a stream saw, handed over when it ends (finish or eviction). */
struct ep_tcpstream_stats {
	const struct ep_tcpstream_key *key;
	int		 syn;		/* numbered from a SYN */
	int		 synced;	/* a start was found */
	int		 holed;		/* bytes were missing before later
					   ones: what follows is unknown */
	int		 unseen;	/* holed, and the receiver acknowledged
					   bytes of the gap: it got what the
					   capture lacks (else they were lost
					   before the capture point) */
	int		 partial;	/* a message started but its end
					   never came (the stream ended) */
	int		 evicted;	/* ended by the stream bound */
	uint32_t	 messages;	/* emitted */
	uint64_t	 bytes;		/* payload on the wire, copies too */
	uint64_t	 dropped;	/* bytes past the window */
	uint64_t	 skipped;	/* bytes before a mid-stream start */
};

typedef void ep_tcpstream_msg_cb(void *arg, const struct ep_tcpstream_msg *);
typedef void ep_tcpstream_end_cb(void *arg, const struct ep_tcpstream_stats *);

struct ep_tcpstream;

/*
 * A reassembler of at most max_streams streams (1..1048576) of at most
 * max_bytes buffered each (EP_TCPSTREAM_BYTES..16 MiB).  msg gets every
 * whole message, end (may be NULL) every stream's stats once.  NULL on
 * bad bounds or no memory.
 */
struct ep_tcpstream *ep_tcpstream_new(size_t max_streams, size_t max_bytes,
	    ep_tcpstream_msg_cb *msg, ep_tcpstream_end_cb *end, void *arg);

/* Feed one segment; messages it completes are emitted before it returns. */
void	 ep_tcpstream_add(struct ep_tcpstream *, const struct ep_tcpstream_seg *);

/* The end of the capture: every stream still held ends (end callback),
 * holed or not, and is freed.  The table can be fed again afterwards. */
void	 ep_tcpstream_finish(struct ep_tcpstream *);

/* Streams evicted by the bound, and streams that ended holed, so far. */
uint64_t ep_tcpstream_evicted(const struct ep_tcpstream *);
uint64_t ep_tcpstream_holed(const struct ep_tcpstream *);

/* Frees every stream without ending it (no callbacks); NULL is a no-op. */
void	 ep_tcpstream_free(struct ep_tcpstream *);

#endif
