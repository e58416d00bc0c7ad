/* probe/engine/probe.h: what the run knows of a probe: a record, a callback table. */
#ifndef EP_PROBE_H
#define EP_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "ednsprobe/err.h"
#include "ednsprobe/result.h"
#include "engine/loop.h"

struct ep_probe;

typedef void ep_probe_done_cb(struct ep_probe *, void *arg);

/*
 * A probe kind.  The loop knows nothing of probes; the run knows only
 * this table.  Each callback a kind registers with the loop ends in one
 * of: arm I/O or a timer, move to its next state, or ep_probe_done().
 */
struct ep_probe_ops {
	const char *name;
	/* Open sockets and queue the first send.  -1 with err on failure. */
	int	(*start)(struct ep_probe *, struct ep_err *err);
	/* Move the deadline to when_us (monotonic), earlier or later. */
	void	(*set_deadline)(struct ep_probe *, uint64_t when_us);
	/* Free the kind's state: sockets, timers, queued sends. */
	void	(*free)(struct ep_probe *);
};

struct ep_probe {
	struct ep_probe_record	*rec;	/* not owned: lives in the target */
	const struct ep_probe_ops *ops;
	struct ep_loop		*loop;	/* not owned */
	const struct sockaddr_storage *addr;	/* not owned */
	socklen_t		 addrlen;
	uint32_t		 timeout_ms;	/* from the first send */
	int			 tries_max;	/* UDP sends, TCP connects */
	int			 rawfd;		/* raw probes: the run's raw
						   socket, not owned */
	ep_probe_done_cb	*done;
	void			*done_arg;
	int			 finished;
	void			*state;	/* owned by ops */
	/* Set keep to have the answer's bytes kept (lookup.c reads its
	 * records): kept (malloc, the caller frees it) and kept_len. */
	int			 keep;
	uint8_t			*kept;
	size_t			 kept_len;
};

extern const struct ep_probe_ops ep_probe_udp_ops;
extern const struct ep_probe_ops ep_probe_tcp_ops;

/*
 * Read one ICMP error about our packets from fd's error queue (IP_RECVERR
 * set): its type, code, MTU and sender into the result; 1 when it was an
 * ICMP error, 0 when the queue held another error (its errno kept), -1
 * when it was empty.
 */
int	ep_probe_errqueue(struct ep_probe *p, int fd);

/* Ask fd's family for ICMP errors on the error queue (IP_RECVERR). */
void	ep_probe_recverr(const struct ep_probe *p, int fd);

/* Record outcome, free the kind's state and tell the run.  Once only. */
void	ep_probe_done(struct ep_probe *, enum ep_outcome);

/* Store a matched reply (len bytes at buf) in the result and finish
 * with its outcome. */
void	ep_probe_answer(struct ep_probe *, const struct ep_dns_msg *m,
	    enum ep_outcome outcome, const uint8_t *buf, size_t len);

/*
 * A probe kind's state of size bytes, zeroed except the query buffer at
 * wire_off (EP_QUERY_MAX bytes, of which a query uses a few hundred):
 * its untouched pages cost no memory, and a survey holds thousands of
 * probes at once.  NULL when out of memory.
 */
void	*ep_probe_state_new(size_t size, size_t wire_off);

/* A non-blocking socket of type for the probe's address family, or -1. */
int	ep_probe_socket(const struct ep_probe *, int type, struct ep_err *err);

/* Remember fd's local port (after connect) for the capture's matcher. */
void	ep_probe_note_port(struct ep_probe *, int fd);

#endif
