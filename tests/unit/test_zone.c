/* tests/unit/test_zone.c: the zone command's verdicts: delegation facts
 * in, findings out; and the DNSSEC checks with real keys and signatures
 * made here by ldns (a DS that matches, one that does not, signatures
 * expired, not yet valid, good). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cmd/dnssec.h"
#include "cmd/zone_verdict.h"

static struct ep_zone z;

static void
zone_init(void)
{
	memset(&z, 0, sizeof(z));
	snprintf(z.name, sizeof(z.name), "example.test.");
	snprintf(z.parent, sizeof(z.parent), "test.");
	snprintf(z.parent_addr, sizeof(z.parent_addr), "203.0.113.61");
	z.delegated = 1;
	z.nsec3param = -1;
	z.checked_at = (int64_t)time(NULL);
}

static int
ns(const char *name, int parent, int child)
{
	struct ep_zone_ns *n = &z.ns[z.nns];

	snprintf(n->name, sizeof(n->name), "%s", name);
	n->at_parent = parent;
	n->at_child = child;
	n->in_zone = 1;
	n->answered = 3;
	return z.nns++;
}

static int
addr(int n, const char *str, int glue, enum ep_zone_auth auth,
    uint32_t serial)
{
	struct ep_zone_addr *a = &z.addrs[z.naddrs];
	struct ep_zone_ns *s = &z.ns[n];

	snprintf(a->str, sizeof(a->str), "%s", str);
	a->family = strchr(str, ':') ? 6 : 4;
	a->ns = n;
	a->auth = auth;
	a->have_serial = auth == EP_ZAUTH_OK;
	a->serial = serial;
	a->target = -1;
	if (glue)
		s->glue[s->nglue++] = z.naddrs;
	else
		s->auth[s->nauth++] = z.naddrs;
	return z.naddrs++;
}

static const struct ep_zone_finding *
finding(const char *id)
{
	for (int i = 0; i < z.nfindings; i++)
		if (strcmp(ep_finding_name(z.findings[i].f.id), id) == 0)
			return &z.findings[i];
	return NULL;
}

static void
test_clean_delegation(void **state)
{
	int n1, n2, a;

	(void)state;
	zone_init();
	n1 = ns("ns1.example.test.", 1, 1);
	n2 = ns("ns2.example.test.", 1, 1);
	a = addr(n1, "203.0.113.62", 1, EP_ZAUTH_OK, 7);
	z.ns[n1].auth[z.ns[n1].nauth++] = a;
	a = addr(n2, "203.0.113.63", 1, EP_ZAUTH_OK, 7);
	z.ns[n2].auth[z.ns[n2].nauth++] = a;
	ep_zone_verdict(&z, NULL);
	assert_int_equal(z.nfindings, 0);
}

static void
test_ns_mismatch_and_serial(void **state)
{
	int n1, n2, n3;

	(void)state;
	zone_init();
	n1 = ns("ns1.example.test.", 1, 1);
	n2 = ns("ns2.example.test.", 1, 0);
	n3 = ns("ns3.example.test.", 0, 1);
	addr(n1, "203.0.113.62", 1, EP_ZAUTH_OK, 2);
	addr(n2, "203.0.113.63", 1, EP_ZAUTH_OK, 1);
	addr(n3, "203.0.113.64", 0, EP_ZAUTH_OK, 2);
	z.ns[n1].auth[z.ns[n1].nauth++] = 0;
	z.ns[n2].auth[z.ns[n2].nauth++] = 1;
	ep_zone_verdict(&z, NULL);
	assert_non_null(finding("ZONE_NS_MISMATCH"));
	assert_non_null(strstr(finding("ZONE_NS_MISMATCH")->f.summary,
	    "ns2.example.test. (parent only)"));
	assert_non_null(strstr(finding("ZONE_NS_MISMATCH")->f.summary,
	    "ns3.example.test. (child only)"));
	assert_non_null(finding("ZONE_SERIAL_MISMATCH"));
	assert_int_equal(finding("ZONE_SERIAL_MISMATCH")->ncites, 3);
	assert_null(finding("ZONE_LAME"));
}

static void
test_glue_mismatch(void **state)
{
	int n1;

	(void)state;
	zone_init();
	n1 = ns("ns1.example.test.", 1, 1);
	addr(n1, "203.0.113.64", 1, EP_ZAUTH_OK, 1);	/* glue */
	addr(n1, "203.0.113.63", 0, EP_ZAUTH_OK, 1);	/* zone's A */
	ep_zone_verdict(&z, NULL);
	assert_non_null(finding("ZONE_GLUE_MISMATCH"));
	assert_non_null(strstr(finding("ZONE_GLUE_MISMATCH")->f.summary,
	    "says 203.0.113.64, the zone says 203.0.113.63"));
	/* Same glue and zone address: no finding. */
	zone_init();
	n1 = ns("ns1.example.test.", 1, 1);
	addr(n1, "203.0.113.64", 1, EP_ZAUTH_OK, 1);
	z.ns[n1].auth[z.ns[n1].nauth++] = 0;
	ep_zone_verdict(&z, NULL);
	assert_null(finding("ZONE_GLUE_MISMATCH"));
	/* The zone's AAAA not asked (answered has only A): no claim. */
	zone_init();
	n1 = ns("ns1.example.test.", 1, 1);
	addr(n1, "2001:db8:53::64", 1, EP_ZAUTH_OK, 1);
	z.ns[n1].answered = 1;
	ep_zone_verdict(&z, NULL);
	assert_null(finding("ZONE_GLUE_MISMATCH"));
}

static void
test_no_address_cname_lame(void **state)
{
	int n1, n2, n3;

	(void)state;
	zone_init();
	n1 = ns("ns1.example.test.", 1, 1);
	n2 = ns("ns2.example.test.", 1, 1);	/* no address at all */
	n3 = ns("ns3.example.test.", 1, 1);
	snprintf(z.ns[n3].cname, sizeof(z.ns[n3].cname), "ns1.example.test.");
	addr(n1, "203.0.113.62", 1, EP_ZAUTH_OK, 1);
	z.ns[n1].auth[z.ns[n1].nauth++] = 0;
	addr(n1, "203.0.113.66", 0, EP_ZAUTH_SILENT, 0);
	addr(n1, "203.0.113.54", 0, EP_ZAUTH_REFUSED, 0);
	ep_zone_verdict(&z, NULL);
	assert_non_null(finding("ZONE_NS_NO_ADDRESS"));
	assert_non_null(strstr(finding("ZONE_NS_NO_ADDRESS")->f.summary,
	    "ns2.example.test."));
	assert_non_null(finding("ZONE_NS_CNAME"));
	assert_non_null(finding("ZONE_LAME"));
	assert_int_equal(finding("ZONE_LAME")->ncites, 2);
	assert_non_null(strstr(finding("ZONE_LAME")->cites[0], "silent"));
	assert_non_null(strstr(finding("ZONE_LAME")->cites[1], "refused"));
	/* Its addresses beyond --max-addresses: no claim either. */
	zone_init();
	n2 = ns("ns2.example.test.", 1, 1);
	z.ns[n2].left_out = 2;
	ep_zone_verdict(&z, NULL);
	assert_null(finding("ZONE_NS_NO_ADDRESS"));
	/* Not asked (answered 0): no NO_ADDRESS claim. */
	zone_init();
	n2 = ns("ns2.example.test.", 1, 1);
	z.ns[n2].answered = 0;
	ep_zone_verdict(&z, NULL);
	assert_null(finding("ZONE_NS_NO_ADDRESS"));
}

static void
test_error_no_findings(void **state)
{
	(void)state;
	zone_init();
	ns("ns1.example.test.", 1, 0);
	snprintf(z.error, sizeof(z.error), "nosuch.test. does not exist");
	ep_zone_verdict(&z, NULL);
	assert_int_equal(z.nfindings, 0);
}

/* ----------------------------------------------------------- DNSSEC */

static ldns_key *
new_key(ldns_rdf *owner, int ksk)
{
	ldns_key *k = ldns_key_new_frm_algorithm(LDNS_SIGN_ECDSAP256SHA256,
	    256);
	ldns_rr *rr;

	assert_non_null(k);
	ldns_key_set_pubkey_owner(k, ldns_rdf_clone(owner));
	ldns_key_set_flags(k, ksk ? 257 : 256);
	rr = ldns_key2rr(k);	/* the tag covers the flags */
	ldns_key_set_keytag(k, ldns_calc_keytag(rr));
	ldns_rr_free(rr);
	return k;
}

/* The zone's SOA and DNSKEY RRsets signed by ksk and zsk with the given
 * validity; DS of dskey (NULL: of ksk). */
static void
sign_and_judge(time_t inception, time_t expiration, int foreign_ds)
{
	ldns_rdf *owner = ldns_dname_new_frm_str("example.test.");
	ldns_key *ksk = new_key(owner, 1), *zsk = new_key(owner, 0), *other;
	ldns_key_list *kl = ldns_key_list_new();
	ldns_rr_list *dnskey = ldns_rr_list_new(), *ds = ldns_rr_list_new();
	ldns_rr_list *soa = ldns_rr_list_new(), *sets[2], *sigs;
	ldns_rr *rr = NULL;

	assert_int_equal(ldns_rr_new_frm_str(&rr, "example.test. 3600 IN SOA "
	    "ns1.example.test. h.example.test. 1 3600 900 604800 300", 0,
	    NULL, NULL), LDNS_STATUS_OK);
	ldns_rr_list_push_rr(soa, rr);
	ldns_rr_list_push_rr(dnskey, ldns_key2rr(ksk));
	ldns_rr_list_push_rr(dnskey, ldns_key2rr(zsk));
	if (foreign_ds) {
		other = new_key(owner, 1);
		rr = ldns_key2rr(other);
		ldns_rr_list_push_rr(ds, ldns_key_rr2ds(rr, LDNS_SHA256));
		ldns_rr_free(rr);
		ldns_key_deep_free(other);
	} else
		ldns_rr_list_push_rr(ds, ldns_key_rr2ds(
		    ldns_rr_list_rr(dnskey, 0), LDNS_SHA256));
	ldns_key_set_inception(ksk, (uint32_t)inception);
	ldns_key_set_expiration(ksk, (uint32_t)expiration);
	ldns_key_set_inception(zsk, (uint32_t)inception);
	ldns_key_set_expiration(zsk, (uint32_t)expiration);
	ldns_key_list_push_key(kl, ksk);
	sigs = ldns_sign_public(dnskey, kl);
	sets[1] = ldns_rr_list_clone(dnskey);
	ldns_rr_list_cat(sets[1], sigs);	/* moves the records */
	ldns_rr_list_free(sigs);
	ldns_key_list_set_key_count(kl, 0);
	ldns_key_list_push_key(kl, zsk);
	sigs = ldns_sign_public(soa, kl);
	sets[0] = ldns_rr_list_clone(soa);
	ldns_rr_list_cat(sets[0], sigs);
	ldns_rr_list_free(sigs);
	ep_zone_dnssec(&z, ds, dnskey, (const ldns_rr_list *const *)sets, 2,
	    (time_t)z.checked_at);
	ep_zone_verdict(&z, NULL);
	ldns_rr_list_deep_free(sets[0]);
	ldns_rr_list_deep_free(sets[1]);
	ldns_rr_list_deep_free(soa);
	ldns_rr_list_deep_free(ds);
	ldns_rr_list_deep_free(dnskey);
	ldns_key_list_set_key_count(kl, 0);
	ldns_key_list_free(kl);
	ldns_key_deep_free(ksk);
	ldns_key_deep_free(zsk);
	ldns_rdf_deep_free(owner);
}

static void
dnssec_zone(void)
{
	int n1;

	zone_init();
	n1 = ns("ns1.example.test.", 1, 1);
	addr(n1, "203.0.113.62", 1, EP_ZAUTH_OK, 1);
	z.ns[n1].auth[z.ns[n1].nauth++] = 0;
	snprintf(z.keys_from, sizeof(z.keys_from), "203.0.113.62");
}

static void
test_dnssec_good(void **state)
{
	time_t now = time(NULL);

	(void)state;
	dnssec_zone();
	sign_and_judge(now - 3600, now + 30 * 86400, 0);
	assert_int_equal(z.nds, 1);
	assert_int_equal(z.ndnskey, 2);
	assert_true(z.ds[0].matches);
	assert_true(z.dnskey[0].matches);
	assert_false(z.dnskey[1].matches);
	assert_int_equal(z.nrrsig, 2);
	assert_true(z.rrsig[0].matches);
	assert_true(z.rrsig[1].matches);
	assert_int_equal(z.nfindings, 0);
}

static void
test_dnssec_ds_no_key(void **state)
{
	time_t now = time(NULL);

	(void)state;
	dnssec_zone();
	sign_and_judge(now - 3600, now + 30 * 86400, 1);
	assert_false(z.ds[0].matches);
	assert_non_null(finding("DNSSEC_DS_NO_KEY"));
	assert_int_equal(finding("DNSSEC_DS_NO_KEY")->f.severity,
	    EP_SEV_ERROR);
	/* No DS matches: whether the DNSKEY RRset is signed by "the DS
	 * key" is moot, not a second finding. */
	assert_null(finding("DNSSEC_DNSKEY_NOT_SIGNED_BY_DS"));
}

static void
test_dnssec_times(void **state)
{
	time_t now = time(NULL);

	(void)state;
	dnssec_zone();
	sign_and_judge(now - 60 * 86400, now - 30 * 86400, 0);
	assert_non_null(finding("DNSSEC_RRSIG_EXPIRED"));
	assert_int_equal(finding("DNSSEC_RRSIG_EXPIRED")->ncites, 2);
	/* Expired, but made by the DS's key: not a second finding. */
	assert_null(finding("DNSSEC_DNSKEY_NOT_SIGNED_BY_DS"));
	dnssec_zone();
	sign_and_judge(now + 86400, now + 30 * 86400, 0);
	assert_non_null(finding("DNSSEC_RRSIG_NOT_YET_VALID"));
	assert_non_null(strstr(finding("DNSSEC_RRSIG_NOT_YET_VALID")->f.advice,
	    "clock"));
	dnssec_zone();
	sign_and_judge(now - 3600, now + 86400, 0);
	assert_non_null(finding("DNSSEC_RRSIG_EXPIRING"));
	assert_null(finding("DNSSEC_RRSIG_EXPIRED"));
}

static void
test_dnssec_misc(void **state)
{
	(void)state;
	dnssec_zone();
	z.nsec3 = 1;
	z.nsec3param = 0;
	z.ds_at_apex = 1;
	ep_zone_verdict(&z, NULL);
	assert_non_null(finding("DNSSEC_NSEC3PARAM_MISSING"));
	assert_non_null(finding("DNSSEC_DS_AT_APEX"));
	/* The DS points at a zone key without SEP (flags 256): info. */
	dnssec_zone();
	z.ndnskey = 1;
	z.dnskey[0].tag = 7;
	z.dnskey[0].flags = 256;
	z.dnskey[0].matches = 1;
	ep_zone_verdict(&z, NULL);
	assert_non_null(finding("DNSSEC_DS_KEY_NOT_SEP"));
	assert_null(finding("DNSSEC_DS_KEY_NOT_ZONE"));
	z.dnskey[0].flags = 1;	/* SEP, but not a zone key */
	ep_zone_verdict(&z, NULL);
	assert_non_null(finding("DNSSEC_DS_KEY_NOT_ZONE"));
	assert_null(finding("DNSSEC_DS_KEY_NOT_SEP"));
	dnssec_zone();
	z.nsec3 = 1;
	z.nsec3param = -1;	/* not asked: no claim */
	ep_zone_verdict(&z, NULL);
	assert_null(finding("DNSSEC_NSEC3PARAM_MISSING"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_delegation),
		cmocka_unit_test(test_ns_mismatch_and_serial),
		cmocka_unit_test(test_glue_mismatch),
		cmocka_unit_test(test_no_address_cname_lame),
		cmocka_unit_test(test_error_no_findings),
		cmocka_unit_test(test_dnssec_good),
		cmocka_unit_test(test_dnssec_ds_no_key),
		cmocka_unit_test(test_dnssec_times),
		cmocka_unit_test(test_dnssec_misc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
