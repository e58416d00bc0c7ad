/* tests/fuzz/fuzz_zone.c: fuzz entry for the zone command's DNSSEC
 * checks and verdict (probe/cmd/dnssec.c, probe/cmd/zone_verdict.c): the input is
 * one DNS answer; its DS, DNSKEY and signed RRsets of the question name
 * (as discovery keeps them from the parent's and the child's answers) go
 * through ep_zone_dnssec at a fixed time, then ep_zone_verdict. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dnssec.h"
#include "cmd/zone_verdict.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ldns_rr_list *
of_type(const ldns_pkt *p, ldns_rr_type t)
{
	ldns_rr_list *a = ldns_pkt_rr_list_by_type(p, t, LDNS_SECTION_ANY);

	return a;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ep_zone z;
	ldns_pkt *p = NULL;
	ldns_rr_list *ds, *keys, *sets[3];
	const ldns_rr_type types[3] = { LDNS_RR_TYPE_SOA, LDNS_RR_TYPE_NS,
	    LDNS_RR_TYPE_DNSKEY };

	if (ldns_wire2pkt(&p, data, size) != LDNS_STATUS_OK)
		return 0;
	memset(&z, 0, sizeof(z));
	z.checked_at = 1764460800;	/* 2025-11-30: signatures judged then */
	z.nsec3param = -1;
	ds = of_type(p, LDNS_RR_TYPE_DS);
	keys = of_type(p, LDNS_RR_TYPE_DNSKEY);
	/* Each "signed set": every record of the answer that is of the type
	 * or an RRSIG (the checks must cope with RRSIGs over other types,
	 * owners and signers). */
	for (int i = 0; i < 3; i++) {
		ldns_rr_list *l = of_type(p, types[i]);
		ldns_rr_list *sigs = of_type(p, LDNS_RR_TYPE_RRSIG);

		if (l != NULL && sigs != NULL) {
			ldns_rr_list_cat(l, sigs);
			ldns_rr_list_free(sigs);	/* records moved */
		} else
			ldns_rr_list_deep_free(sigs);
		sets[i] = l;
	}
	ep_zone_dnssec(&z, ds, keys, (const ldns_rr_list *const *)sets, 3,
	    (time_t)z.checked_at);
	if (z.nds > EP_ZONE_KEYS_MAX || z.ndnskey > EP_ZONE_KEYS_MAX ||
	    z.nrrsig > EP_ZONE_KEYS_MAX)
		abort();
	ep_zone_verdict(&z, NULL);
	for (int i = 0; i < z.nfindings; i++)
		if ((unsigned)z.findings[i].f.id >= EP_F_COUNT || z.findings[i].ncites >
		    EP_ZONE_CITES_MAX || memchr(z.findings[i].f.summary, '\0',
		    sizeof(z.findings[i].f.summary)) == NULL)
			abort();
	for (int i = 0; i < 3; i++)
		ldns_rr_list_deep_free(sets[i]);
	ldns_rr_list_deep_free(ds);
	ldns_rr_list_deep_free(keys);
	ldns_pkt_free(p);
	return 0;
}
