/* probe/engine/lookup.h: one DNS question to one server address, asked on the
 * run's loop (paced, retransmitted, over TCP when the UDP answer is
 * truncated), its answer kept whole for its records (ldns).  The zone
 * command's discovery asks its questions this way; the path probes are
 * probes (probe.h) of their own. */
#ifndef EP_LOOKUP_H
#define EP_LOOKUP_H

#include <stdint.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "ednsprobe/err.h"
#include "ednsprobe/result.h"
#include "engine/loop.h"
#include "engine/probe.h"

struct ep_lookup;
typedef void ep_lookup_cb(struct ep_lookup *, void *arg);

struct ep_lookup {
	/* What to ask, where (set before ep_lookup_start). */
	struct sockaddr_storage	 addr;		/* the port in it */
	socklen_t		 addrlen;
	uint8_t			 qname[EP_DNAME_MAX];	/* wire form */
	size_t			 qname_len;
	uint16_t		 qtype;
	int			 dnssec_ok;	/* DO (EDNS 1232 always) */
	int			 recurse;	/* RD: asked of a resolver */
	/* What came back. */
	enum ep_outcome		 outcome;	/* ANSWER (also TC over TCP
						   failing: TRUNCATED), ... */
	ldns_pkt		*pkt;		/* the answer; NULL if none or
						   unparsable (owned) */
	double			 rtt_ms;
	int			 tcp;		/* asked over TCP (after TC) */
	/* The caller's. */
	int			 tag;		/* what it is for */
	int			 index;		/* and about whom */
	/* Private. */
	struct ep_probe_record	 rec;
	struct ep_probe		 probe;
	struct ep_loop		*loop;
	uint32_t		 timeout_ms;
	int			 tries;
	ep_lookup_cb		*cb;
	void			*arg;
	int			 busy;
};

/*
 * Ask l's question of l->addr within timeout_ms (tries UDP sends); cb
 * runs once with l filled.  A truncated UDP answer is asked again over
 * TCP.  Returns 0, or -1 with err (no socket, no memory): cb not run.
 */
int	ep_lookup_start(struct ep_loop *loop, struct ep_lookup *l,
	    uint32_t timeout_ms, int tries, ep_lookup_cb *cb, void *arg,
	    struct ep_err *err);

/* Stop l if it is still asking (cb is not run); free what it kept. */
void	ep_lookup_fini(struct ep_lookup *l);

/* Field i of rr as an unsigned number (a 1-, 2- or 4-byte field, big
 * endian); 0 when rr has no such field: answers from the wire may lack
 * fields, and ldns's own readers assert. */
uint32_t ep_rdf_uint(const ldns_rr *rr, size_t i);

/* A socket address of family (4 or 6), address bytes and port into ss;
 * its length. */
socklen_t ep_lookup_sockaddr(int family, const uint8_t *addr, uint16_t port,
	    struct sockaddr_storage *ss);

/*
 * The questions of one command, bounded: each ep_lookups_ask() makes a
 * lookup (DO set; RD when recurse) and starts it; cb gets it with its tag
 * and index.  outstanding counts those not yet answered.
 */
#define EP_LOOKUPS_MAX	512
struct ep_lookups {
	struct ep_loop		*loop;
	uint32_t		 timeout_ms;
	int			 tries;
	ep_lookup_cb		*cb;
	void			*arg;
	struct ep_lookup	*lk[EP_LOOKUPS_MAX];
	int			 n, outstanding, cut;
};

/* 0, or -1 when the bound is spent or it could not be sent (it then
 * counts as unanswered: cb is not run). */
int	ep_lookups_ask(struct ep_lookups *ls, const struct sockaddr_storage *ss,
	    const uint8_t *qname, size_t qname_len, uint16_t qtype,
	    int recurse, int tag, int index);
/* Stop every question still out (the loop is ending). */
void	ep_lookups_stop(struct ep_lookups *ls);
/* Free them all. */
void	ep_lookups_free(struct ep_lookups *ls);

#endif
