/* probe/cmd/dnssec.c: the zone's DNSSEC records summarised and checked with
 * ldns: which DS matches which DNSKEY, and whether each RRSIG verifies
 * with the zone's keys at the time of the check. */
#include <string.h>

#include "cmd/dnssec.h"
#include "engine/lookup.h"

/* Does any record of list match rr as DS and DNSKEY (either way)? */
static int
ds_key_match(const ldns_rr *rr, const ldns_rr_list *list)
{
	for (size_t i = 0; list != NULL && i < ldns_rr_list_rr_count(list);
	    i++)
		if (ldns_rr_compare_ds(rr, ldns_rr_list_rr(list, i)))
			return 1;
	return 0;
}

/* One RRSIG of set (set holds the RRset and its RRSIGs) checked against
 * the keys at now. */
static void
judge_sig(struct ep_zone_key *k, const ldns_rr *sig, const ldns_rr_list *set,
    const ldns_rr_list *keys, time_t now)
{
	ldns_rr_list *rrset = ldns_rr_list_new(), *good = ldns_rr_list_new();
	ldns_status st;

	/* Read field by field: a hostile answer's RRSIG may lack some. */
	k->covered = ep_rdf_uint(sig, 0);
	k->alg = ep_rdf_uint(sig, 1);
	k->tag = ep_rdf_uint(sig, 6);
	k->inception = ep_rdf_uint(sig, 5);
	k->expiration = ep_rdf_uint(sig, 4);
	if (ldns_rr_rd_count(sig) < 9) {
		snprintf(k->why, sizeof(k->why), "malformed RRSIG");
		ldns_rr_list_free(rrset);
		ldns_rr_list_free(good);
		return;
	}
	for (size_t i = 0; i < ldns_rr_list_rr_count(set); i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(set, i)) ==
		    k->covered)
			ldns_rr_list_push_rr(rrset, ldns_rr_list_rr(set, i));
	if (ldns_rr_list_rr_count(rrset) == 0) {
		/* ldns dereferences the RRset's first record */
		snprintf(k->why, sizeof(k->why), "covers no record here");
	} else if (keys == NULL || ldns_rr_list_rr_count(keys) == 0) {
		snprintf(k->why, sizeof(k->why), "no DNSKEY to check it with");
	} else {
		st = ldns_verify_rrsig_keylist_time(rrset, sig,
		    keys, now, good);
		k->matches = st == LDNS_STATUS_OK;
		k->crypto_ok = k->matches ||
		    ldns_verify_rrsig_keylist_notime(rrset, sig, keys, NULL) ==
		    LDNS_STATUS_OK;
		if (!k->matches)
			snprintf(k->why, sizeof(k->why), "%s",
			    ldns_get_errorstr_by_id(st));
	}
	ldns_rr_list_free(rrset);	/* shallow: the records are set's */
	ldns_rr_list_free(good);
}

void
ep_zone_dnssec(struct ep_zone *z, const ldns_rr_list *ds,
    const ldns_rr_list *dnskey, const ldns_rr_list *const *signed_sets,
    int nsets, time_t now)
{
	z->nds = z->ndnskey = z->nrrsig = 0;
	for (size_t i = 0; ds != NULL && i < ldns_rr_list_rr_count(ds) &&
	    z->nds < EP_ZONE_KEYS_MAX; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(ds, i);
		struct ep_zone_key *k = &z->ds[z->nds++];

		memset(k, 0, sizeof(*k));
		k->tag = ep_rdf_uint(rr, 0);
		k->alg = ep_rdf_uint(rr, 1);
		k->digest_type = ep_rdf_uint(rr, 2);
		k->matches = ds_key_match(rr, dnskey);
	}
	for (size_t i = 0; dnskey != NULL &&
	    i < ldns_rr_list_rr_count(dnskey) &&
	    z->ndnskey < EP_ZONE_KEYS_MAX; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(dnskey, i);
		struct ep_zone_key *k = &z->dnskey[z->ndnskey++];

		memset(k, 0, sizeof(*k));
		k->tag = ldns_calc_keytag(rr);
		k->flags = ep_rdf_uint(rr, 0);
		k->alg = ep_rdf_uint(rr, 2);
		k->matches = ds_key_match(rr, ds);
	}
	for (int s = 0; s < nsets; s++) {
		const ldns_rr_list *set = signed_sets[s];

		for (size_t i = 0; set != NULL &&
		    i < ldns_rr_list_rr_count(set) &&
		    z->nrrsig < EP_ZONE_KEYS_MAX; i++) {
			const ldns_rr *rr = ldns_rr_list_rr(set, i);
			struct ep_zone_key *k;

			if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_RRSIG)
				continue;
			k = &z->rrsig[z->nrrsig++];
			memset(k, 0, sizeof(*k));
			judge_sig(k, rr, set, dnskey, now);
		}
	}
}
