/* probe/plan.h: which probes a command sends to one target, and in which
 * phase. */
#ifndef EP_PLAN_H
#define EP_PLAN_H

#include "ednsprobe/err.h"
#include "ednsprobe/result.h"
#include "options.h"

/* The label prepended to NAME for the negative (medium-size) answer. */
#define EP_PLAN_NXLABEL	"ednsprobe-nx"

/*
 * Fill t->probes with the specs of the path command: baseline probes
 * (role EP_ROLE_BASE, phase 1) first, then the ladder and the TCP size
 * probes (phase 2), numbered from *next_id on.  Returns 0 or -1.
 */
int	ep_plan_path(const struct ep_options *o, struct ep_target *t,
	    int *next_id, struct ep_err *err);

/*
 * The adaptive timeout: ten round trips of the baseline, within
 * [floor_ms, cap_ms].
 */
uint32_t ep_plan_timeout(double rtt_ms, uint32_t floor_ms, uint32_t cap_ms);

#endif
