/* probe/engine/loop.h: the one event loop: epoll, a timer heap, signals, pacing. */
#ifndef EP_LOOP_H
#define EP_LOOP_H

#include <stdint.h>

#include "ednsprobe/err.h"

/*
 * Concepts:
 * - fd watches: a callback per fd, called with the ready events;
 * - timers: one-shot, re-armable, kept in a min-heap on monotonic time;
 * - pacing: every packet the program sends is queued with ep_loop_pace()
 *   and sent from the loop when the packet-rate token bucket allows;
 * - stop: SIGINT/SIGTERM (through a signalfd) or ep_loop_stop() ends
 *   ep_loop_run() at the end of the turn.
 * The loop runs while anything is watched, armed or queued.
 */
struct ep_loop;
struct ep_timer;

enum {
	EP_EV_READ = 1,
	EP_EV_WRITE = 2,
	EP_EV_ERROR = 4,	/* EPOLLERR/EPOLLHUP; always reported */
};

typedef void ep_io_cb(void *arg, int fd, unsigned events);
typedef void ep_timer_cb(void *arg);
typedef void ep_pace_cb(void *arg);

/* A queued send; storage belongs to the caller (usually a probe). */
struct ep_pace {
	ep_pace_cb	*cb;
	void		*arg;
	unsigned	 cost;	/* packets the send makes; 0 counts as 1 */
	struct ep_pace	*next;	/* loop's queue, not owned */
	int		 queued;
};

/* New loop; pps is the packet-rate cap, burst the bucket depth. */
struct ep_loop	*ep_loop_new(unsigned pps, unsigned burst, struct ep_err *err);
void		 ep_loop_free(struct ep_loop *);

/* Watch fd for events (replaces an earlier watch of the same fd). */
int		 ep_loop_watch(struct ep_loop *, int fd, unsigned events,
		    ep_io_cb *cb, void *arg, struct ep_err *err);
/* Stop watching fd; call before closing it. */
void		 ep_loop_unwatch(struct ep_loop *, int fd);

struct ep_timer	*ep_timer_new(struct ep_loop *, ep_timer_cb *cb, void *arg);
void		 ep_timer_arm(struct ep_timer *, uint32_t ms);	/* re-arm ok */
void		 ep_timer_arm_at(struct ep_timer *, uint64_t when_us);
void		 ep_timer_disarm(struct ep_timer *);
void		 ep_timer_free(struct ep_timer *);	/* NULL ok */

/* Queue a send; cb runs from the loop once a token is free. */
void		 ep_loop_pace(struct ep_loop *, struct ep_pace *, ep_pace_cb *,
		    void *arg);
/* Remove a queued send (no-op when not queued). */
void		 ep_loop_unpace(struct ep_loop *, struct ep_pace *);
/* Change the packet-rate cap from now on (zone: as servers are found). */
void		 ep_loop_set_rate(struct ep_loop *, unsigned pps);
/* Count n packets the kernel sent (or is sending now) for a send that
 * was paced earlier: a TCP connection's ACKs, its FIN, a retransmitted
 * SYN.  They are taken from the bucket at once, below zero if need be,
 * and every queued send waits until the debt is paid, so the wire keeps
 * to the cap (docs/design.md, "The rate cap"). */
void		 ep_loop_charge(struct ep_loop *, unsigned n);
/* Packets charged so far: the paced sends' costs and ep_loop_charge(). */
uint64_t	 ep_loop_sent(const struct ep_loop *);
/* Packets queued for pacing now (the sum of their costs). */
uint64_t	 ep_loop_backlog(const struct ep_loop *);

/* Monotonic time in microseconds, read once per turn. */
uint64_t	 ep_loop_now(const struct ep_loop *);
/* Monotonic time read now (for precise RTTs). */
uint64_t	 ep_clock_us(void);

/* Run until no work is left or a stop; -1 on a failure of epoll itself. */
int		 ep_loop_run(struct ep_loop *, struct ep_err *err);
void		 ep_loop_stop(struct ep_loop *);
/* Non-zero when the run ended by a signal. */
int		 ep_loop_interrupted(const struct ep_loop *);

#endif
