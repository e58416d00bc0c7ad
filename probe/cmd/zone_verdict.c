/* probe/cmd/zone_verdict.c: the findings of a zone from what discovery
 * measured (include/ednsprobe/zone.h): the delegation (seeds 000-003),
 * then the DNSSEC chain (the JPRS checklist, seed 004).  Pure: a test
 * can feed it any facts. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "measure/finding.h"
#include "cmd/zone_verdict.h"

#define EXPIRING_S	(3 * 86400)	/* RRSIG: warn this long before */

/* A new finding of the zone (its citations empty), made as every
 * finding is (ep_finding_vset). */
static struct ep_zone_finding *
add(struct ep_zone *z, enum ep_finding_id id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static struct ep_zone_finding *
add(struct ep_zone *z, enum ep_finding_id id, const char *fmt, ...)
{
	static struct ep_zone_finding scratch;
	struct ep_zone_finding *f = z->nfindings < EP_ZONE_FINDINGS_MAX ?
	    &z->findings[z->nfindings++] : &scratch;
	va_list ap;

	memset(f, 0, sizeof(*f));
	va_start(ap, fmt);
	ep_finding_vset(&f->f, id, fmt, ap);
	va_end(ap);
	return f;
}

static void
cite(struct ep_zone_finding *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
cite(struct ep_zone_finding *f, const char *fmt, ...)
{
	va_list ap;

	if (f->ncites == EP_ZONE_CITES_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(f->cites[f->ncites++], sizeof(f->cites[0]), fmt, ap);
	va_end(ap);
}

/* "a. b." of the names flagged by sel (at_parent / at_child). */
static void
names_where(const struct ep_zone *z, int parent, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < z->nns && used < len; i++)
		if (parent ? z->ns[i].at_parent : z->ns[i].at_child)
			used += (size_t)snprintf(buf + used, len - used,
			    "%s%s", used ? " " : "", z->ns[i].name);
}

static int
first_auth(const struct ep_zone *z)
{
	for (int a = 0; a < z->naddrs; a++)
		if (z->addrs[a].auth == EP_ZAUTH_OK && z->addrs[a].have_nsset)
			return a;
	return -1;
}

static void
ns_sets(struct ep_zone *z)
{
	char pset[512], cset[512], only[512];
	int any_child = 0, a = first_auth(z);
	size_t po = 0, co = 0;
	struct ep_zone_finding *f;

	for (int i = 0; i < z->nns; i++)
		any_child |= z->ns[i].at_child;
	if (!z->delegated || !any_child)
		return;
	only[0] = '\0';
	for (int i = 0; i < z->nns; i++) {
		const struct ep_zone_ns *ns = &z->ns[i];

		if (ns->at_parent != ns->at_child)
			po += (size_t)snprintf(only + po, po < sizeof(only) ?
			    sizeof(only) - po : 0, "%s%s (%s only)",
			    po ? ", " : "", ns->name, ns->at_parent ?
			    "parent" : "child");
		co += ns->at_parent != ns->at_child;
	}
	if (co == 0)
		return;
	names_where(z, 1, pset, sizeof(pset));
	names_where(z, 0, cset, sizeof(cset));
	f = add(z, EP_F_ZONE_NS_MISMATCH, "The parent's NS set "
	    "for %s differs from the zone's own NS RRset: %s", z->name, only);
	ep_finding_advise(&f->f, "Make the NS set at the parent (%s, through "
	    "the registrar or the parent's operator) and the NS RRset in the "
	    "zone the same list: resolvers use either, so a name on one side "
	    "only gets queries it may not answer, or never gets any.",
	    z->parent);
	cite(f, "@%s (parent %s): %s NS %s", z->parent_addr, z->parent,
	    z->name, pset);
	if (a >= 0)
		cite(f, "@%s (child): %s NS %s", z->addrs[a].str, z->name,
		    cset);
}

static void
nsset_disagree(struct ep_zone *z)
{
	int a0 = first_auth(z);
	struct ep_zone_finding *f = NULL;

	for (int a = 0; a0 >= 0 && a < z->naddrs; a++) {
		const struct ep_zone_addr *za = &z->addrs[a];

		if (za->auth != EP_ZAUTH_OK || !za->have_nsset ||
		    strcmp(za->nsset, z->addrs[a0].nsset) == 0)
			continue;
		if (f == NULL) {
			f = add(z, EP_F_ZONE_NS_RRSET_DIFFERS, "The servers of %s give different NS RRsets",
			    z->name);
			ep_finding_advise(&f->f, "The servers serve different "
			    "copies of the zone: check zone transfers to the "
			    "secondaries.");
			cite(f, "@%s: %s NS %s", z->addrs[a0].str, z->name,
			    z->addrs[a0].nsset);
		}
		cite(f, "@%s: %s NS %s", za->str, z->name, za->nsset);
	}
}

/* "a b" of the addresses of family fam in list. */
static void
addr_list(const struct ep_zone *z, const int *list, int n, int fam,
    char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int k = 0; k < n && used < len; k++)
		if (z->addrs[list[k]].family == fam)
			used += (size_t)snprintf(buf + used, len - used,
			    "%s%s", used ? " " : "", z->addrs[list[k]].str);
}

static int
same_addrs(const struct ep_zone *z, const struct ep_zone_ns *ns, int fam)
{
	int ng = 0, na = 0;

	for (int k = 0; k < ns->nglue; k++) {
		int found = 0;

		if (z->addrs[ns->glue[k]].family != fam)
			continue;
		ng++;
		for (int j = 0; j < ns->nauth; j++)
			found |= ns->auth[j] == ns->glue[k];
		if (!found)
			return 0;
	}
	for (int j = 0; j < ns->nauth; j++)
		na += z->addrs[ns->auth[j]].family == fam;
	return ng == na;
}

static void
glue(struct ep_zone *z)
{
	for (int i = 0; i < z->nns; i++) {
		const struct ep_zone_ns *ns = &z->ns[i];

		for (int fam = 4; fam <= 6; fam += 2) {
			int bit = fam == 4 ? 1 : 2;
			char g[256], a[256];
			struct ep_zone_finding *f;

			if (ns->nglue == 0 || !(ns->answered & bit) ||
			    ns->left_out > 0 ||
			    ns->cname[0] != '\0' || same_addrs(z, ns, fam))
				continue;
			addr_list(z, ns->glue, ns->nglue, fam, g, sizeof(g));
			addr_list(z, ns->auth, ns->nauth, fam, a, sizeof(a));
			if (g[0] == '\0')
				continue;	/* no glue of this family */
			f = add(z, EP_F_ZONE_GLUE_MISMATCH, "The parent's glue for %s says %s, the zone says "
			    "%s", ns->name, g, a[0] ? a : "no address");
			ep_finding_advise(&f->f, "Resolvers that follow the "
			    "referral use the glue address, others the "
			    "zone's: correct the glue at the parent (%s) so "
			    "both give the same address.", z->parent);
			cite(f, "@%s (parent %s): %s %s %s", z->parent_addr,
			    z->parent, ns->name, fam == 4 ? "A" : "AAAA", g);
			cite(f, "zone %s: %s %s %s", z->name, ns->name,
			    fam == 4 ? "A" : "AAAA", a[0] ? a : "(none)");
		}
	}
}

static void
ns_names(struct ep_zone *z)
{
	for (int i = 0; i < z->nns; i++) {
		const struct ep_zone_ns *ns = &z->ns[i];
		struct ep_zone_finding *f;

		if (ns->cname[0] != '\0') {
			f = add(z, EP_F_ZONE_NS_CNAME, "Name server "
			    "name %s is an alias (CNAME to %s)", ns->name,
			    ns->cname);
			ep_finding_advise(&f->f, "An NS record must name a "
			    "host with A/AAAA records, not an alias (RFC 2181 "
			    "10.3): list the target name in the NS set "
			    "instead.");
			cite(f, "%s CNAME %s", ns->name, ns->cname);
			continue;
		}
		if (ns->nglue > 0 || ns->nauth > 0 || ns->left_out > 0 ||
		    !(ns->nxdomain || ns->answered == 3))
			continue;
		f = add(z, EP_F_ZONE_NS_NO_ADDRESS, "Name server "
		    "%s has no address: %s", ns->name, ns->nxdomain ?
		    "the name does not exist" : "no A or AAAA record, and "
		    "no glue at the parent");
		ep_finding_advise(&f->f, ns->in_zone ?
		    "Add A/AAAA records for %s to the "
		    "zone and glue at the parent, or take the name out of "
		    "the NS set: resolvers waste queries on it." : "Give %s "
		    "an address, or take it out of the NS set.", ns->name);
		cite(f, "%s: %s%s", ns->name, ns->nxdomain ? "NXDOMAIN" :
		    "A: NODATA, AAAA: NODATA", ns->at_parent ?
		    " (listed at the parent)" : "");
	}
}

static void
lame(struct ep_zone *z)
{
	struct ep_zone_finding *f = NULL;
	int bad = 0, tested = 0;

	for (int a = 0; a < z->naddrs; a++) {
		const struct ep_zone_addr *za = &z->addrs[a];

		if (za->auth == EP_ZAUTH_UNTESTED)
			continue;
		tested++;
		bad += za->auth != EP_ZAUTH_OK;
	}
	if (bad == 0)
		return;
	f = add(z, EP_F_ZONE_LAME, "%d of %d server addresses of "
	    "%s do not answer for it with authority", bad, tested, z->name);
	ep_finding_advise(&f->f, bad == tested ?
	    "No server answers for the zone: the "
	    "delegation is broken; fix the servers or the NS set." :
	    "Resolvers that pick these addresses wait or fail before they "
	    "try another (\"sometimes fails\"): configure the zone on them, "
	    "or take them out of the NS set and glue.");
	for (int a = 0; a < z->naddrs; a++) {
		const struct ep_zone_addr *za = &z->addrs[a];

		if (za->auth == EP_ZAUTH_UNTESTED || za->auth == EP_ZAUTH_OK)
			continue;
		cite(f, "@%s (%s): SOA %s", za->str, za->ns >= 0 ?
		    z->ns[za->ns].name : "?", ep_zone_auth_str(za->auth));
	}
}

static void
serials(struct ep_zone *z)
{
	int a0 = -1, differ = 0;
	struct ep_zone_finding *f;

	for (int a = 0; a < z->naddrs; a++) {
		if (!z->addrs[a].have_serial)
			continue;
		if (a0 < 0)
			a0 = a;
		else if (z->addrs[a].serial != z->addrs[a0].serial)
			differ = 1;
	}
	if (!differ)
		return;
	f = add(z, EP_F_ZONE_SERIAL_MISMATCH, "The servers of "
	    "%s serve different SOA serials", z->name);
	ep_finding_advise(&f->f, "A secondary is not up to date: check NOTIFY "
	    "and zone transfers from the primary, and the SOA refresh timers.");
	for (int a = 0; a < z->naddrs; a++)
		if (z->addrs[a].have_serial)
			cite(f, "@%s: SOA serial %u", z->addrs[a].str,
			    z->addrs[a].serial);
}

static void
bounds(struct ep_zone *z)
{
	struct ep_zone_finding *f;

	if (z->parent_is_child) {
		f = add(z, EP_F_ZONE_PARENT_NOT_SEEN, "%s "
		    "answered for %s itself: the parent's NS set, glue and DS "
		    "were not seen", z->parent_addr, z->name);
		ep_finding_advise(&f->f, "Start from the parent zone's "
		    "servers (--parent) or from the root to check the "
		    "delegation.");
	}
	if (z->addrs_left_out > 0 || z->ns_left_out > 0) {
		f = add(z, EP_F_ZONE_ADDRESSES_LEFT_OUT, "%d server "
		    "addresses and %d name server names were not checked: "
		    "beyond the bound", z->addrs_left_out, z->ns_left_out);
		ep_finding_advise(&f->f, "Raise --max-addresses to check them "
		    "too.");
		if (z->left_out[0] != '\0')
			cite(f, "not checked: %s%s", z->left_out,
			    z->addrs_left_out > 8 ? " ..." : "");
	}
	if (z->questions_cut > 0) {
		f = add(z, EP_F_ZONE_DISCOVERY_CUT, "Discovery "
		    "stopped at its time bound with %d questions unanswered: "
		    "facts that needed them are missing", z->questions_cut);
		ep_finding_advise(&f->f, "Servers that never answer make each "
		    "question wait out every try; the lame findings name "
		    "them.");
	}
	if (z->naddrs == 0 && z->nns > 0) {
		f = add(z, EP_F_ZONE_NO_ADDRESS, "No address was "
		    "found for any name server of %s", z->name);
		ep_finding_advise(&f->f, "Give the name servers addresses "
		    "(glue at the parent for names inside the zone).");
	}
}

/* ---------------------------------------------------------------- DNSSEC */

static const char *
type_str(uint16_t t)
{
	return t == 6 ? "SOA" : t == 2 ? "NS" : t == 48 ? "DNSKEY" : "RRset";
}

static void
ds_keys(struct ep_zone *z)
{
	int match = 0;
	struct ep_zone_finding *f;

	for (int i = 0; i < z->nds; i++)
		match += z->ds[i].matches;
	if (z->nds == 0 || match == z->nds)
		goto apex;
	if (match == 0)
		f = add(z, EP_F_DNSSEC_DS_NO_KEY, "No DS record of "
		    "%s at the parent matches a DNSKEY of the zone: the chain "
		    "of trust is broken", z->name);
	else
		f = add(z, EP_F_DNSSEC_DS_STALE, "%d DS records of "
		    "%s at the parent match no DNSKEY (the rest do)",
		    z->nds - match, z->name);
	ep_finding_advise(&f->f, match == 0 ?
	    "Validating resolvers answer SERVFAIL for "
	    "every name in the zone.  Publish the DS of the zone's current "
	    "KSK at the parent (%s), or put the key back (JPRS A-47, "
	    "A-49)." : "Remove the DS records of retired keys from the "
	    "parent (%s) once their TTL has passed.", z->parent);
	for (int i = 0; i < z->nds; i++)
		cite(f, "@%s (parent): DS %u %u %u (%s)", z->parent_addr,
		    z->ds[i].tag, z->ds[i].alg, z->ds[i].digest_type,
		    z->ds[i].matches ? "matches" : "no such DNSKEY");
	for (int i = 0; i < z->ndnskey; i++)
		cite(f, "@%s: DNSKEY %u flags %u alg %u", z->keys_from,
		    z->dnskey[i].tag, z->dnskey[i].flags, z->dnskey[i].alg);
	if (z->ndnskey == 0)
		cite(f, "zone %s: no DNSKEY", z->name);
apex:
	for (int i = 0; i < z->ndnskey; i++) {
		const struct ep_zone_key *k = &z->dnskey[i];

		if (!k->matches || (k->flags & 0x0100))
			continue;
		f = add(z, EP_F_DNSSEC_DS_KEY_NOT_ZONE, "The DS "
		    "of %s points at DNSKEY %u, which lacks the Zone Key flag",
		    z->name, k->tag);
		ep_finding_advise(&f->f, "Only zone keys (flags 256/257) "
		    "validate; publish the DS of the KSK (JPRS A-27).");
		cite(f, "@%s: DNSKEY %u flags %u", z->keys_from, k->tag,
		    k->flags);
	}
	for (int i = 0; i < z->ndnskey; i++) {
		const struct ep_zone_key *k = &z->dnskey[i];

		if (!k->matches || !(k->flags & 0x0100) || (k->flags & 1))
			continue;
		f = add(z, EP_F_DNSSEC_DS_KEY_NOT_SEP, "The DS of "
		    "%s points at DNSKEY %u, which lacks the SEP flag", z->name,
		    k->tag);
		ep_finding_advise(&f->f, "Validators do not need the flag, "
		    "but signers and operators take the SEP key for the KSK: "
		    "give the key the DS points at flags 257 (JPRS A-28).");
		cite(f, "@%s: DNSKEY %u flags %u", z->keys_from, k->tag,
		    k->flags);
	}
}

/* Is the DNSKEY RRset signed (a valid RRSIG) by a key a DS points at? */
static void
dnskey_signed(struct ep_zone *z)
{
	int ds_match = 0, ok = 0;
	struct ep_zone_finding *f;

	for (int i = 0; i < z->nds; i++)
		ds_match += z->ds[i].matches;
	if (ds_match == 0)
		return;
	for (int s = 0; s < z->nrrsig; s++) {
		const struct ep_zone_key *sig = &z->rrsig[s];

		/* Its times are sig_times()'s to judge. */
		if (sig->covered != 48 || !sig->crypto_ok)
			continue;
		for (int i = 0; i < z->nds; i++)
			ok |= z->ds[i].matches && z->ds[i].tag == sig->tag &&
			    z->ds[i].alg == sig->alg;
	}
	if (ok)
		return;
	f = add(z, EP_F_DNSSEC_DNSKEY_NOT_SIGNED_BY_DS, "The "
	    "DNSKEY RRset of %s carries no valid signature by the key the "
	    "parent's DS points at", z->name);
	ep_finding_advise(&f->f, "Sign the DNSKEY RRset with the KSK whose DS "
	    "is at the parent (JPRS A-58): until then the chain of trust is "
	    "broken.");
	for (int s = 0; s < z->nrrsig; s++)
		if (z->rrsig[s].covered == 48)
			cite(f, "@%s: RRSIG DNSKEY by key %u: %s", z->keys_from,
			    z->rrsig[s].tag, z->rrsig[s].matches ? "valid" :
			    z->rrsig[s].why);
}

static void
utc(uint32_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* What can be wrong with one signature, each a finding of its own
 * that cites every signature it applies to. */
static const struct sig_problem {
	enum ep_finding_id	 id;
	const char		*what;		/* "Signatures of ZONE %s" */
	const char		*advice;
	const char		*cite;		/* after "RRSIG TYPE by key N" */
} sig_problems[] = {
	{ EP_F_DNSSEC_RRSIG_EXPIRED, "have expired",
	  "Validating resolvers answer SERVFAIL: re-sign the zone and check "
	  "that the signer runs regularly (JPRS A-76, A-78).", "expired" },
	{ EP_F_DNSSEC_RRSIG_NOT_YET_VALID, "are not valid yet",
	  "The signer's clock runs ahead, or ours is behind: check NTP on the "
	  "signer and here; sign with an inception some time in the past "
	  "(JPRS A-79, A-80).", "valid from" },
	{ EP_F_DNSSEC_RRSIG_EXPIRING, "expire within 3 days",
	  "Re-sign the zone before then; resolvers keep answers up to their "
	  "TTL, so expiry must stay well beyond it (JPRS A-76).", "expires" },
	{ EP_F_DNSSEC_RRSIG_BOGUS, "do not verify",
	  "Re-sign the zone with the keys it publishes (JPRS A-58).", "" },
};

enum { SIG_EXPIRED, SIG_EARLY, SIG_EXPIRING, SIG_BOGUS, SIG_PROBLEMS };

static void
sig_times(struct ep_zone *z)
{
	struct ep_zone_finding *f[SIG_PROBLEMS] = { NULL };

	for (int s = 0; s < z->nrrsig; s++) {
		const struct ep_zone_key *k = &z->rrsig[s];
		const struct sig_problem *sp;
		char when[128];	/* ": " + why (96), or a cite word and a date */
		int p;

		if ((int64_t)k->expiration < z->checked_at)
			p = SIG_EXPIRED;
		else if ((int64_t)k->inception > z->checked_at)
			p = SIG_EARLY;
		else if ((int64_t)k->expiration - z->checked_at < EXPIRING_S)
			p = SIG_EXPIRING;
		else if (!k->matches)
			p = SIG_BOGUS;
		else
			continue;
		sp = &sig_problems[p];
		if (f[p] == NULL) {
			f[p] = add(z, sp->id, "Signatures of %s %s",
			    z->name, sp->what);
			ep_finding_advise(&f[p]->f, "%s", sp->advice);
		}
		if (p == SIG_BOGUS)
			snprintf(when, sizeof(when), ": %s", k->why);
		else
			utc(p == SIG_EARLY ? k->inception : k->expiration,
			    when + snprintf(when, sizeof(when), " %s ",
			    sp->cite), sizeof(when) - strlen(sp->cite) - 2);
		cite(f[p], "@%s: RRSIG %s by key %u%s", z->keys_from,
		    type_str(k->covered), k->tag, when);
	}
}

static void
dnssec_misc(struct ep_zone *z)
{
	struct ep_zone_finding *f;

	if (z->ndnskey > 0 && z->nds == 0 && z->ds_nodata) {
		f = add(z, EP_F_DNSSEC_NO_DS, "%s is signed, but the "
		    "parent has no DS for it: validators treat it as unsigned",
		    z->name);
		ep_finding_advise(&f->f, "Publish the DS of the KSK at the "
		    "parent (%s) to have the zone validated.", z->parent);
		cite(f, "@%s (parent): %s DS: NODATA", z->parent_addr,
		    z->name);
	}
	if (z->ds_at_apex) {
		f = add(z, EP_F_DNSSEC_DS_AT_APEX, "The zone %s "
		    "serves a DS record at its own apex", z->name);
		ep_finding_advise(&f->f, "DS records belong in the parent "
		    "zone only: remove it from the zone file (JPRS A-229).");
		cite(f, "@%s: %s DS (authoritative)", z->keys_from[0] ?
		    z->keys_from : "child", z->name);
	}
	if (z->nsec3 && z->nsec3param == 0) {
		f = add(z, EP_F_DNSSEC_NSEC3PARAM_MISSING, "%s "
		    "denies names with NSEC3 but publishes no NSEC3PARAM",
		    z->name);
		ep_finding_advise(&f->f, "Publish the NSEC3PARAM record at "
		    "the apex: secondaries and signers need it (JPRS A-61).");
		cite(f, "%s: NSEC3 in a negative answer; NSEC3PARAM: NODATA",
		    z->name);
	}
}

void
ep_zone_verdict(struct ep_zone *z, const struct ep_report *r)
{
	(void)r;
	z->nfindings = 0;
	if (z->error[0] != '\0')
		return;		/* no delegation to judge */
	ns_sets(z);
	nsset_disagree(z);
	glue(z);
	ns_names(z);
	lame(z);
	serials(z);
	bounds(z);
	ds_keys(z);
	dnskey_signed(z);
	sig_times(z);
	dnssec_misc(z);
}
