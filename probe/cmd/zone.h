/* probe/cmd/zone.h: the zone command: discover a zone's delegation as a
 * resolver sees it (parent's NS set, glue and DS; each child server's
 * SOA, NS, DNSKEY and name server addresses), judge it, and run the path
 * probes against every server address at once, in one loop. */
#ifndef EP_ZONE_H
#define EP_ZONE_H

#include "ednsprobe/err.h"
#include "ednsprobe/result.h"
#include "ednsprobe/zone.h"
#include "ednsprobe/options.h"

/* Why a zone could not be checked (ep_zone.error_kind). */
enum {
	EP_ZONE_ENONE = 0,
	EP_ZONE_ENXDOMAIN,	/* the parent says the name does not exist */
	EP_ZONE_ENOTZONE,	/* it exists, but no zone starts there */
	EP_ZONE_EALIAS,		/* it is a CNAME */
	EP_ZONE_EREFUSED,	/* every parent server refused or failed */
	EP_ZONE_ESILENT,	/* no parent server answered */
	EP_ZONE_EWALK,		/* the walk down could not go on */
};

/*
 * Run the zone command for o->name: discovery from o->parents (or the
 * root servers), the path probes of every server address (at most
 * o->max_addresses), the verdicts.  r gets the targets probed (one per
 * address), the capture and r->zone (owned: ep_report_fini frees it).
 * Returns 0 (also when interrupted, or when z->error says why no
 * delegation was found), -1 with err on an internal error.
 */
int	ep_zone_run(const struct ep_options *o, struct ep_report *r,
	    struct ep_err *err);

#endif
