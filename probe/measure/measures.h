/* probe/measure/measures.h: the measurement modules (engine/measure.h):
 * which a command runs, and the few module helpers unit tests reach. */
#ifndef EP_MEASURES_H
#define EP_MEASURES_H

#include <stdint.h>

#include "ednsprobe/result.h"
#include "engine/measure.h"
#include "ednsprobe/options.h"

/* The measurements o's command runs (path and the commands built on it:
 * its own; compliance: the tests; --compliance adds them), in the
 * table's order. */
void	ep_measures_for(const struct ep_options *o, struct ep_measure_set *set);

/* Every measurement, in the table's order: analyze identifies a
 * capture's probes with them; the output writes their sections. */
const struct ep_measure_set *ep_measures_all(void);

/* The measurements named in names ("sizes,pmtu"), in that order, into
 * set: unit tests plan and judge with a few.  0, or -1 for an unknown
 * name. */
int	ep_measures_named(const char *names, struct ep_measure_set *set);

/* ednsopt.c: UDP option queries per target; their TCP twin (appended
 * to t, a copy of udp over TCP), -1 when t is full. */
#define EP_PLAN_OPTION_TWINS	2
int	ep_plan_option_tcp(struct ep_target *t, int *next_id,
	    const struct ep_probe_spec *udp);

/*
 * pmtu.c: after a round of DF probes, the sizes of the next round into
 * sizes (at most max): the MTU a router reported, if it lies between the
 * largest size that passed and the smallest that failed, or else max
 * sizes splitting that gap.  0 when the gap is closed (8 bytes or less)
 * or nothing passed or failed.
 */
#define EP_PLAN_PMTU_NEXT	6
int	ep_plan_pmtu_next(const struct ep_target *t, uint16_t *sizes, int max);

/*
 * twoway_verdict.c: t is `ednsprobe respond` (its hello answered) with
 * the log token of its two-ended facts.  The ladder and TCP probes not started
 * yet (m: the run's view of t, NULL: none started) ask for answers of
 * exact sizes instead; appended: answers as big as each rung
 * (EP_ROLE_TWIN), queries padded to each rung's size (EP_ROLE_TWOUT),
 * answers in the responder's fragments and with DF (TWIN).  As many as
 * fit in t.
 */
#define EP_TW_SMALL	200	/* the answer to an outbound probe */
void	ep_plan_twoway(const struct ep_options *o, struct ep_target *t,
	    int *next_id, const struct ep_mrun *m);
/* The log fetch (EP_ROLE_TWLOG): over TCP unless udp or TCP is off
 * (then UDP, buffer 65535).  0, or -1 when t is full. */
int	ep_plan_twoway_log(const struct ep_options *o, struct ep_target *t,
	    int *next_id, int udp);

#endif
