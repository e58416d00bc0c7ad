/* probe/cmd/zone_verdict.h: the zone command's findings, judged from the
 * plain facts of include/ednsprobe/zone.h alone. */
#ifndef EP_ZONE_VERDICT_H
#define EP_ZONE_VERDICT_H

#include "ednsprobe/result.h"
#include "ednsprobe/zone.h"

/*
 * The findings of z from its facts (delegation, then DNSSEC) into
 * z->findings; r (NULL: none) is the run whose targets are z's server
 * addresses.  Pure: reads nothing but z and r.
 */
void	ep_zone_verdict(struct ep_zone *z, const struct ep_report *r);

#endif
