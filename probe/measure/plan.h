/* probe/measure/plan.h: which probes a command sends to one target, and in which
 * phase. */
#ifndef EP_PLAN_H
#define EP_PLAN_H

#include "ednsprobe/err.h"
#include "ednsprobe/result.h"
#include "ednsprobe/options.h"

/* The label prepended to NAME for the negative (medium-size) answer. */
#define EP_PLAN_NXLABEL	"ednsprobe-nx"

/*
 * A new probe at the end of t->probes, zeroed but for its id (from
 * *next_id) and "no RTT yet"; NULL when t holds EP_PROBES_MAX.
 */
struct ep_probe_spec *ep_plan_new_probe(struct ep_target *t, int *next_id);

/*
 * Fill t->probes with the specs of the path command: baseline probes
 * (role EP_ROLE_BASE, phase 1) first, then the ladder and the TCP size
 * probes (phase 2), numbered from *next_id on.  Returns 0 or -1.
 */
int	ep_plan_path(const struct ep_options *o, struct ep_target *t,
	    int *next_id, struct ep_err *err);

/* TTL probes: hops 1..o->max_hops (--max-hops). */
#define EP_HOPS_DEFAULT		16
#define EP_HOPS_MAX		30

/* Outbound fragments: IP payload per fragment, o->frag_size
 * (--frag-size, a multiple of 8), and twice that. */
#define EP_FRAG_DEFAULT		256
#define EP_FRAG_MAX		584	/* twice it still cuts 1180 bytes */

/* Outbound fragments: a query padded to this IP size (below the IPv6
 * minimum MTU, so it fits every path whole); the fragment size is
 * o->frag_size. */
#define EP_PLAN_FRAGOUT_SIZE	1200
/* Path MTU: sizes of the second round, at most. */
#define EP_PLAN_PMTU_NEXT	6

/*
 * Append the raw probes (phase 2, sent through a raw socket): the
 * outbound fragment pair and the first round of DF probes for the path
 * MTU (the usual MTUs up to the route's).  Needs t->family and
 * t->path.iface_mtu.  Returns 0 or -1.
 */
int	ep_plan_raw(const struct ep_options *o, struct ep_target *t,
	    int *next_id, struct ep_err *err);

/*
 * After a round of DF probes: the sizes of the next round into sizes
 * (at most max): the MTU a router reported, if it lies between the
 * largest size that passed and the smallest that failed, or else max
 * sizes splitting that gap.  0 when the gap is closed (8 bytes or less)
 * or nothing passed or failed.
 */
int	ep_plan_pmtu_next(const struct ep_target *t, uint16_t *sizes, int max);
int	ep_plan_pmtu_add(const struct ep_options *o, struct ep_target *t,
	    int *next_id, uint16_t size);

/*
 * The adaptive timeout: ten round trips of the baseline, within
 * [floor_ms, cap_ms].
 */
uint32_t ep_plan_timeout(double rtt_ms, uint32_t floor_ms, uint32_t cap_ms);

#define EP_PLAN_OPTION_TWINS	2	/* UDP option queries per target */

/* The option query (EP_ROLE_OPTION) went unanswered over UDP: the same
 * query over TCP, added to t, tells a filter on the path (TCP answered)
 * from a server that ignores it.  -1 when t is full. */
int	ep_plan_option_tcp(struct ep_target *t, int *next_id,
	    const struct ep_probe_spec *udp);

/*
 * Two-ended mode: t is `ednsprobe respond` (its hello answered) with the
 * log token t->twoway.token.  The ladder and TCP probes not started yet
 * (started[i] 0) ask for answers of exact sizes instead; appended:
 * answers as big as each rung (EP_ROLE_TWIN), queries padded to each
 * rung's size (EP_ROLE_TWOUT), answers in the responder's fragments and
 * with DF (TWIN).  As many as fit in t.
 */
#define EP_TW_SMALL	200	/* the answer to an outbound probe */
void	ep_plan_twoway(const struct ep_options *o, struct ep_target *t,
	    int *next_id, const int *started);
/* The log fetch (EP_ROLE_TWLOG): over TCP unless udp or TCP is off
 * (then UDP, buffer 65535).  0, or -1 when t is full. */
int	ep_plan_twoway_log(const struct ep_options *o, struct ep_target *t,
	    int *next_id, int udp);

#endif
