/* probe/engine/run.h: one run of a command: targets, phases, the loop, the
 * verdicts. */
#ifndef EP_RUN_H
#define EP_RUN_H

#include "ednsprobe/err.h"
#include "ednsprobe/result.h"
#include "engine/loop.h"
#include "engine/measure.h"
#include "ednsprobe/options.h"

/* The run's packet-rate cap (o->rate, --rate), packets per second. */
#define EP_RATE_DEFAULT		100
#define EP_RATE_MAX		1000
/* The adaptive timeout's cap (o->timeout_ms, --timeout) and floor. */
#define EP_TIMEOUT_DEFAULT_MS	5000	/* like dig's +timeout */
#define EP_TIMEOUT_FLOOR_MS	1000
/* Sends per UDP probe, connects per TCP probe (o->tries, --tries). */
#define EP_TRIES_DEFAULT	3

/*
 * Resolve o->server into targets (one per address and family) in r.
 * Returns 0, or -1 with err->code EP_ERESOLVE when the name has no
 * address of the wanted family.
 */
int	ep_run_targets(const struct ep_options *o, struct ep_report *r,
	    struct ep_err *err);

/*
 * Run the measurements of set (measure/measures.h: the command's) against
 * every target of r at once in one event loop, then compute each target's
 * facts and findings.  Returns 0
 * (also when interrupted: r->interrupted says so) or -1 on an internal
 * error.
 */
int	ep_run_path(const struct ep_options *o,
	    const struct ep_measure_set *set, struct ep_report *r,
	    struct ep_err *err);

/*
 * Where the targets of a survey come from, and where each goes when it
 * is over.  next() fills t (zeroed: addr, addrlen, family, addr_str; the
 * port in addr) and o (a copy of the run's options whose name, qname and
 * qtype it may change) and returns 1, or 0 when it has no target now.
 * done() gets t with its verdict (finished 1), or cut short by the end
 * of the run (finished 0); the slot is reused after it returns.  At most
 * slots targets are probed at once.
 */
struct ep_feed {
	int	(*next)(void *arg, struct ep_target *t, struct ep_options *o);
	void	(*done)(void *arg, const struct ep_target *t,
		    const struct ep_options *o, int finished);
	/* Optional.  start: called once with the run's loop, before the
	 * first next(), for work of the feed's own on the loop (the zone
	 * command's discovery); -1 with err fails the run.  more: non-zero
	 * while next() may still give targets later, though it has none now
	 * (the run then asks again every few ms instead of ending). */
	int	(*start)(void *arg, struct ep_loop *loop, struct ep_err *err);
	int	(*more)(void *arg);
	/* stop: the loop is over (ended or interrupted); end the work
	 * start began, before the loop is freed. */
	void	(*stop)(void *arg);
	void	*arg;
	int	 slots;
};

/*
 * Run the measurements of set of every target the feed gives, at most feed->slots at once, in one event loop
 * at o->rate, each within o->budget_ms (0: the run's own bound).  r
 * keeps the capture, the raw-socket notes and r->packets; r->targets are
 * the slots.  Returns 0 (also when interrupted) or -1 on an internal
 * error.
 */
int	ep_run_feed(const struct ep_options *o,
	    const struct ep_measure_set *set, const struct ep_feed *feed,
	    struct ep_report *r, struct ep_err *err);

/* Free what r owns (not r itself). */
void	ep_report_fini(struct ep_report *r);

#endif
