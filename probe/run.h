/* probe/run.h: one run of a command: targets, phases, the loop, the
 * verdicts. */
#ifndef EP_RUN_H
#define EP_RUN_H

#include "ednsprobe/err.h"
#include "ednsprobe/result.h"
#include "options.h"

/*
 * Resolve o->server into targets (one per address and family) in r.
 * Returns 0, or -1 with err->code EP_ERESOLVE when the name has no
 * address of the wanted family.
 */
int	ep_run_targets(const struct ep_options *o, struct ep_report *r,
	    struct ep_err *err);

/*
 * Run the path command against every target of r at once in one event
 * loop, then compute each target's path facts and findings.  Returns 0
 * (also when interrupted: r->interrupted says so) or -1 on an internal
 * error.
 */
int	ep_run_path(const struct ep_options *o, struct ep_report *r,
	    struct ep_err *err);

/* Free what r owns (not r itself). */
void	ep_report_fini(struct ep_report *r);

#endif
