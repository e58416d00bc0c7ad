/* probe/cmd/dnssec.h: the zone's DNSSEC records (DS, DNSKEY, RRSIG)
 * summarised and checked with ldns into include/ednsprobe/zone.h's facts. */
#ifndef EP_DNSSEC_H
#define EP_DNSSEC_H

#include <time.h>

#include <ldns/ldns.h>

#include "ednsprobe/zone.h"

/*
 * DNSSEC facts of z at time now from the parent's DS RRset, the child's
 * DNSKEY RRset and the signatures (each an RRset with its RRSIGs from
 * one authoritative answer; NULL when not had): fills z->ds, z->dnskey,
 * z->rrsig.  The lists stay the caller's.
 */
void	ep_zone_dnssec(struct ep_zone *z, const ldns_rr_list *ds,
	    const ldns_rr_list *dnskey, const ldns_rr_list *const *signed_sets,
	    int nsets, time_t now);

#endif
