/* probe/respond/respond.h: `ednsprobe respond`, the far-end responder of the
 * two-ended tests: answers of exactly the size asked, as fragments or
 * with DF, and a log of what arrived (twoway.h, docs/responder.md). */
#ifndef EP_RESPOND_H
#define EP_RESPOND_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "ednsprobe/dns.h"
#include "ednsprobe/err.h"
#include "ednsprobe/options.h"
#include "measure/twoway.h"

/*
 * Concepts:
 * - the answer engine (ep_respond_new, ep_respond_answer,
 *   ep_respond_record): one query in, one answer out, no I/O, so the unit
 *   tests drive it with bytes;
 * - the server (ep_respond_run): UDP and TCP listeners, raw sockets for
 *   fragmented and DF answers, a capture, on the one event loop;
 * - bounds: EP_RESP_* below; memory is allocated at the start.
 */
#define EP_RESP_MSG_MAX		65535	/* largest DNS message either way */
#define EP_RESP_TOKENS		256	/* tokens whose logs are kept; the
					   oldest is replaced */
#define EP_RESP_CLIENTS		4096	/* rate-limit table; the least
					   recently seen client is replaced */
#define EP_RESP_BURST_FACTOR	2	/* a client's bucket: 2 s of --rate */
#define EP_RESP_GLOBAL_PPS	5000	/* answers per second, all clients */
#define EP_RESP_TCP_MAX		64	/* TCP connections at once */
#define EP_RESP_TCP_IDLE_MS	10000	/* a silent connection is closed */
#define EP_RESP_EDNS_SIZE	1232	/* our OPT's UDP payload size */
#define EP_RESP_UDP_MIN		512	/* RFC 1035: always allowed */
#define EP_RESP_HOPS_PENDING	256	/* TTL-limited answers awaiting their
					   Time Exceeded; the oldest goes */
#define EP_RESP_HOP_WAIT_MS	5000	/* a Time Exceeded later: not ours */
#define EP_RESPOND_RATE_DEFAULT	50	/* o->rate: queries/s per client */
#define EP_DURATION_MAX		604800	/* o->duration_ms, in seconds */

struct ep_respond;

/* What one query was and what the engine made of it. */
struct ep_respond_query {
	struct ep_tw_req	req;	/* the name as a request (kind TEST,
					   LOG, APEX, HELLO_NAME) */
	int			in_zone;	/* the name is at or below
						   the zone (parsed) */
	int			has_question;
	uint8_t			qname[EP_DNAME_MAX];	/* lower case */
	size_t			qname_len;
	uint16_t		qtype;
	uint16_t		rcode;	/* of the answer (12 bits) */
	int			raw;	/* UDP: f<M> or df asked */
	struct ep_tw_entry	entry;	/* sent, tc, how "udp"/"tcp": the
					   sender corrects how, pkts */
};

/*
 * The engine for zone (wire form, lower case, zlen bytes): its log store
 * (EP_RESP_TOKENS x EP_TW_LOG_MAX entries) allocated now.  NULL with err.
 */
struct ep_respond *ep_respond_new(const uint8_t *zone, size_t zlen,
	    struct ep_err *err);
void	ep_respond_free(struct ep_respond *);	/* NULL ok */

/*
 * Answer the query of qlen bytes at q, come over TCP (tcp) or UDP (frag:
 * the largest IP fragment it arrived in, 0 whole), into out (cap bytes,
 * at least EP_RESP_MSG_MAX).  The answer obeys the UDP size rule (512
 * without EDNS, else max(512, the OPT's size): above it, TC=1 with the
 * question and OPT only).  Returns the answer's length, or 0 when the
 * query is dropped (shorter than a header, or QR=1); qi is filled in
 * both cases (entry.ttl: h<N> of a test name over UDP, for
 * ep_respond_hop_admit).
 */
size_t	ep_respond_answer(struct ep_respond *, const uint8_t *q, size_t qlen,
	    int tcp, uint16_t frag, uint8_t *out, size_t cap,
	    struct ep_respond_query *qi);

/* Log qi->entry under qi's token when it is a test name with one (after
 * the send, with how and pkts final).  1 logged, 0 not a logged query, -1
 * the token's log is full (EP_TW_LOG_MAX; counted). */
int	ep_respond_record(struct ep_respond *, const struct ep_respond_query *);

/*
 * h<N>: may qi's answer (UDP, entry.ttl set by ep_respond_answer) leave
 * TTL-limited?  Only under a token (its log records the Time Exceeded),
 * at most EP_TW_HOPS_PER_TOKEN per token: 1 and counted; else 0 and
 * entry.ttl cleared (the answer leaves with the default TTL).
 */
int	ep_respond_hop_admit(struct ep_respond *, struct ep_respond_query *qi);

/*
 * A Time Exceeded from router (an address string) quoted the
 * TTL-limited answer to query id of token: the latest such entry of the
 * token's log without one gets te = router.  1 when one did, else 0.
 */
int	ep_respond_time_exceeded(struct ep_respond *, const char *token,
	    uint16_t id, const char *router);

/* Counters of one run, for the summary line. */
struct ep_respond_stats {
	uint64_t	answered;	/* NOERROR and NXDOMAIN answers */
	uint64_t	refused;	/* names outside the zone, not IN */
	uint64_t	limited;	/* dropped by the rate limits */
	uint64_t	malformed;	/* FORMERR, NOTIMP, BADVERS, dropped */
	uint64_t	tcp_conns;	/* TCP connections accepted */
	uint64_t	tcp_refused;	/* closed at once: table full, rate */
	uint64_t	log_full;	/* entries not logged: the token's log
					   was full */
	uint64_t	hop_answers;	/* sent TTL-limited (h<N>) */
	uint64_t	time_exceeded;	/* of them, a router's Time Exceeded
					   came back and was logged */
	uint64_t	capture_drops;	/* the kernel's, --pcap */
	uint32_t	frames;		/* written to --pcap */
	int		interrupted;	/* the signal that ended it; 0 */
};

/*
 * Parse a --listen value: "ADDR", dig's "ADDR#PORT" (either family, as
 * every message prints it), "[ADDR6]:PORT", "[ADDR6]#PORT", and the older
 * IPv4 "ADDR:PORT"; port 53 when not given.  A wildcard address is
 * refused (the raw answers need the address).  0, or -1 with err.
 */
int	ep_respond_parse_listen(const char *s, struct sockaddr_storage *ss,
	    socklen_t *len, struct ep_err *err);

/*
 * The responder of o (o->name the zone, o->listen, o->rate, o->pcap,
 * o->iface, o->duration_ms): open every socket, the raw sockets, the
 * capture and its file, drop privileges, then serve until SIGINT, SIGTERM
 * or the duration.  One line per query on out.  0 with st filled, or -1
 * with err (a port in use, an address not on the host, a capture that
 * cannot start): nothing is left open.
 */
int	ep_respond_run(const struct ep_options *o, FILE *out,
	    struct ep_respond_stats *st, struct ep_err *err);

#endif
