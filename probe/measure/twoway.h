/* probe/measure/twoway.h: the two-ended protocol, shared by both ends: the names a
 * client asks of `ednsprobe respond` and the log lines the responder keeps
 * of what arrived (docs/responder.md). */
#ifndef EP_TWOWAY_H
#define EP_TWOWAY_H

#include <stddef.h>
#include <stdint.h>

#include "ednsprobe/dns.h"
#include "ednsprobe/err.h"

/*
 * Names, below the responder's zone Z, one label per request part in any
 * order (lower case; each at most once):
 *   s<N>      a TXT answer of exactly N bytes of DNS message (12..65535;
 *             below the smallest answer the name allows: that smallest)
 *   f<M>      over UDP, the answer sent as IP fragments of M bytes of IP
 *             payload (a multiple of 8, EP_TW_FRAG_MIN..EP_TW_FRAG_MAX)
 *   df        over UDP, the answer sent whole with DF (IPv6: never
 *             fragmented by the sender)
 *   h<N>      over UDP, the answer leaves with TTL / hop limit N
 *             (1..EP_TW_HOPS_MAX): it dies at the Nth router on the way
 *             back, whose Time Exceeded the responder logs (te=)
 *   t<TOKEN>  log this query under TOKEN (1..EP_TW_TOKEN_MAX of a-z 0-9)
 *   log       with t<TOKEN>, TXT: the log of TOKEN, one string per query
 * and two fixed names:
 *   _ednsprobe.Z TXT   the hello: EP_TW_HELLO, then "zone=Z"
 *   Z                  SOA and NS of the apex
 */
#define EP_TW_HELLO_LABEL	"_ednsprobe"
#define EP_TW_HELLO		"ednsprobe-responder 1"
#define EP_TW_TOKEN_MAX		16
#define EP_TW_FRAG_MIN		64
#define EP_TW_FRAG_MAX		1456
#define EP_TW_LOG_MAX		128	/* entries kept per token */
#define EP_TW_HOPS_MAX		30	/* h<N>: the largest N */
#define EP_TW_HOPS_PER_TOKEN	96	/* TTL-limited answers per token
					   (three ladders of 30, resends);
					   more go out with the default TTL */

enum ep_tw_kind {
	EP_TW_APEX,	/* Z itself */
	EP_TW_HELLO_NAME,	/* _ednsprobe.Z */
	EP_TW_TEST,	/* option labels (s, f, df, t) */
	EP_TW_LOG,	/* log.t<TOKEN>.Z */
};

struct ep_tw_req {
	enum ep_tw_kind	 kind;
	uint32_t	 size;		/* s<N>; 0: none asked */
	uint16_t	 frag;		/* f<M>; 0: none */
	int		 df;
	uint8_t		 ttl;		/* h<N>; 0: none */
	char		 token[EP_TW_TOKEN_MAX + 1];	/* "" : none */
};

/*
 * Read qname (wire form, any case) as a request below zone (wire form,
 * lower case).  0 and req filled; 1 when qname is not at or below zone;
 * -1 with err when it is below zone but not a name of the scheme (an
 * unknown label, a bad number, a label twice).
 */
int	ep_tw_parse_name(const uint8_t *qname, size_t qlen,
	    const uint8_t *zone, size_t zlen, struct ep_tw_req *req,
	    struct ep_err *err);

/*
 * The name for req below zone (both wire form) into out (EP_DNAME_MAX
 * bytes): kind TEST or LOG.  Returns its length, or 0 when it does not
 * fit.
 */
size_t	ep_tw_build_name(const struct ep_tw_req *req, const uint8_t *zone,
	    size_t zlen, uint8_t *out);

/* What the responder saw of one query, and what it did. */
struct ep_tw_entry {
	uint16_t	 id;		/* the query's DNS id */
	int		 tcp;
	uint32_t	 qsize;		/* DNS message bytes received */
	uint16_t	 frag;		/* largest IP fragment it came in
					   (IP_RECVFRAGSIZE); 0: whole */
	int32_t		 edns;		/* the query's OPT size; -1: none */
	int		 dnssec_ok;
	uint32_t	 want;		/* s<N> asked; 0: none */
	uint32_t	 sent;		/* DNS message bytes answered; 0:
					   nothing sent */
	int		 tc;		/* the answer had TC set */
	uint16_t	 out_frags;	/* IP packets the answer left in (raw
					   sends); 0: the kernel's choice */
	char		 how[16];	/* "udp", "df", "frag", "tcp", or why
					   nothing or less was sent:
					   "noraw", "sendfail" */
	uint8_t		 ttl;		/* the TTL / hop limit the answer
					   left with (h<N>); 0: the default */
	char		 te[48];	/* the router whose ICMP Time Exceeded
					   quoted the answer; "": none */
};

/*
 * One entry as one TXT string (at most 255 bytes, no quotes), keys in a
 * fixed order: "id=.. tcp=0|1 q=.. frag=.. edns=.. do=0|1 want=.. sent=..
 * tc=0|1 pkts=.. how=..", then " ttl=N te=ADDR|-" for a TTL-limited
 * answer (ttl non-zero) only.  Returns the length (buf has len bytes, at
 * least 256), or 0.
 */
size_t	ep_tw_entry_format(const struct ep_tw_entry *e, char *buf,
	    size_t len);

/* Read one entry from a TXT string of len bytes (not terminated).  0, or
 * -1 when it is not one (a key missing, a value out of range).  ttl and
 * te are optional (0 and "" without them: older responders). */
int	ep_tw_entry_parse(const char *s, size_t len, struct ep_tw_entry *e);

#endif
