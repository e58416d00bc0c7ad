/* probe/cmd/zone.c: the zone command: the delegation discovered on the run's
 * loop while the path probes of each server address already run. */
#include <errno.h>
#include <stdarg.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/dnssec.h"
#include "cmd/options.h"
#include "engine/log.h"
#include "engine/lookup.h"
#include "measure/plan.h"
#include "engine/query.h"
#include "engine/run.h"
#include "measure/measures.h"
#include "measure/verdict.h"
#include "cmd/zone.h"
#include "cmd/zone_verdict.h"

#define Z_WALK_SERVERS	16	/* servers of one zone cut tried */
#define Z_WALK_DEPTH	16	/* zone cuts followed down */
#define Z_WALKS_MAX	(2 * EP_ZONE_NS_MAX + 1)
#define Z_TIMEOUT_MS	2000	/* a question's wait (capped by --timeout) */
#define Z_SETS		3	/* signed RRsets kept: SOA, NS, DNSKEY */
#define Z_DISCOVERY_MS	20000	/* discovery's own time bound */

/* What a question is for (ep_lookup.tag); index says about whom. */
enum {
	T_WALK,		/* a step down from the root (index: walk) */
	T_DS,		/* the parent's DS RRset */
	T_SOA,		/* a server's SOA (index: address) */
	T_NS,		/* a server's NS RRset (index: address) */
	T_DNSKEY,	/* a server's DNSKEY RRset (index: address) */
	T_ADDR,		/* A or AAAA of an NS name (index: name) */
	T_APEXDS,	/* a DS at the child's apex */
	T_NX,		/* a negative answer: NSEC or NSEC3 */
	T_N3P,		/* NSEC3PARAM at the apex */
};

/* A walk down the zone cuts to one question, the way an iterative
 * resolver goes: ns -1 for the delegation itself (NAME NS), else the
 * A/AAAA of NS name ns (an out-of-zone name). */
struct walk {
	uint8_t			 qname[EP_DNAME_MAX];
	size_t			 qname_len;
	uint16_t		 qtype;
	int			 ns;
	ldns_rdf		*cut;	/* zone of the servers asked (owned) */
	struct sockaddr_storage	 srv[Z_WALK_SERVERS];
	int			 nsrv, cur, depth;
	int			 refused, silent;
	char			 rcodes[96];	/* "203.0.113.54 REFUSED" */
};

struct zrun {
	const struct ep_options	*o;
	struct ep_zone		*z;
	struct ep_lookups	 ls;		/* discovery's questions */
	uint64_t		 started_us;	/* discovery's start */
	double			 max_rtt_ms;	/* of every answer so far */
	struct walk		 walks[Z_WALKS_MAX];
	int			 nwalks;
	struct sockaddr_storage	 start[Z_WALK_SERVERS];
	int			 nstart;
	int			 first_auth;	/* address, -1: none yet */
	int			 ns_from_child;	/* the child's NS RRset read */
	ldns_rdf		*zname;		/* owned */
	ldns_rr_list		*ds, *dnskey;	/* owned, NULL: none */
	ldns_rr_list		*sets[Z_SETS];	/* RRset + its RRSIGs */
	struct ep_target	*targets;	/* owned until handed to r */
	int			 ntargets;
};

/* The root servers (IANA root hints), when neither --parent nor --hints
 * gives the servers to start from. */
static const char *const root_servers[] = {
	"198.41.0.4", "2001:503:ba3e::2:30", "170.247.170.2", "2801:1b8:10::b",
	"192.33.4.12", "2001:500:2::c", "199.7.91.13", "2001:500:2d::d",
	"192.203.230.10", "2001:500:a8::e", "192.5.5.241", "2001:500:2f::f",
	"192.112.36.4", "2001:500:12::d0d", "198.97.190.53", "2001:500:1::53",
	"192.36.148.17", "2001:7fe::53", "192.58.128.30", "2001:503:c27::2:30",
	"193.0.14.129", "2001:7fd::1", "199.7.83.42", "2001:500:9f::42",
	"202.12.27.33", "2001:dc3::35",
};

static void answered(struct ep_lookup *l, void *arg);

static const char *
rdf_str(const ldns_rdf *rdf, char *buf, size_t len)
{
	char *s = rdf != NULL ? ldns_rdf2str(rdf) : NULL;

	snprintf(buf, len, "%s", s != NULL ? s : "?");
	free(s);
	return buf;
}

/* Ask a question (DO, no RD); 0 or -1 (see ep_lookups_ask). */
static int
ask(struct zrun *zr, const struct sockaddr_storage *ss, const uint8_t *qname,
    size_t qname_len, uint16_t qtype, int tag, int index)
{
	zr->z->queries++;
	return ep_lookups_ask(&zr->ls, ss, qname, qname_len, qtype, 0, tag,
	    index);
}

static int
zask(struct zrun *zr, int a, uint16_t qtype, int tag)
{
	struct sockaddr_storage ss;

	ep_lookup_sockaddr(zr->z->addrs[a].family, zr->z->addrs[a].addr,
	    zr->o->port, &ss);
	return ask(zr, &ss, zr->z->wire, zr->z->wire_len, qtype, tag, a);
}

/* ---------------------------------------------------------- names, addresses */

static int
find_ns(const struct ep_zone *z, const ldns_rdf *name)
{
	for (int i = 0; i < z->nns; i++)
		if (z->ns[i].wire_len == ldns_rdf_size(name) &&
		    strncasecmp((const char *)z->ns[i].wire,
		    (const char *)ldns_rdf_data(name), z->ns[i].wire_len) == 0)
			return i;
	return -1;
}

static void ns_resolve(struct zrun *zr, int n);

/* NS name name (from the parent: at_parent, else the child), its index;
 * -1 when the list is full. */
static int
add_ns(struct zrun *zr, const ldns_rdf *name, int parent)
{
	struct ep_zone *z = zr->z;
	int i = find_ns(z, name);

	if (i == -1) {
		struct ep_zone_ns *ns;
		ldns_rdf *lower;

		if (z->nns == EP_ZONE_NS_MAX) {
			z->ns_left_out++;
			return -1;
		}
		ns = &z->ns[i = z->nns++];
		memset(ns, 0, sizeof(*ns));
		lower = ldns_rdf_clone(name);
		ldns_dname2canonical(lower);
		ns->wire_len = ldns_rdf_size(lower);
		memcpy(ns->wire, ldns_rdf_data(lower), ns->wire_len);
		rdf_str(lower, ns->name, sizeof(ns->name));
		ns->in_zone = ldns_dname_compare(lower, zr->zname) == 0 ||
		    ldns_dname_is_subdomain(lower, zr->zname);
		ldns_rdf_deep_free(lower);
	}
	if (parent)
		z->ns[i].at_parent = 1;
	else
		z->ns[i].at_child = 1;
	return i;
}

static void child_questions(struct zrun *zr, int a);

/* Address of NS name n (glue or an authoritative answer): its index in
 * z->addrs, new ones asked their questions; -1 when beyond the lists. */
static int
add_addr(struct zrun *zr, int n, int family, const uint8_t *bytes, int glue)
{
	struct ep_zone *z = zr->z;
	struct ep_zone_ns *ns = n >= 0 ? &z->ns[n] : NULL;
	int alen = family == 4 ? 4 : 16, a;
	char str[64];

	for (a = 0; a < z->naddrs; a++)
		if (z->addrs[a].family == family &&
		    memcmp(z->addrs[a].addr, bytes, (size_t)alen) == 0)
			break;
	inet_ntop(family == 4 ? AF_INET : AF_INET6, bytes, str, sizeof(str));
	if (a == z->naddrs) {
		if (zr->o->family != 0 && zr->o->family != family)
			return -1;	/* -4 / -6 */
		if (a == EP_ZONE_ADDR_MAX || a >= zr->o->max_addresses) {
			size_t used = strlen(z->left_out);

			if (ns != NULL)
				ns->left_out++;	/* its facts are partial */
			if (z->addrs_left_out++ < 8)
				snprintf(z->left_out + used,
				    sizeof(z->left_out) - used, "%s%s",
				    used ? " " : "", str);
			return -1;
		}
		memset(&z->addrs[a], 0, sizeof(z->addrs[a]));
		z->addrs[a].family = family;
		memcpy(z->addrs[a].addr, bytes, (size_t)alen);
		snprintf(z->addrs[a].str, sizeof(z->addrs[a].str), "%s", str);
		z->addrs[a].ns = n;
		z->addrs[a].rtt_ms = -1;
		z->addrs[a].target = -1;
		z->naddrs++;
		/* --rate is per server: each address (and the parents, one
		 * share) gets about what path would send it alone; the run
		 * at most EP_RATE_MAX.  Its questions and probes follow. */
		ep_loop_set_rate(zr->ls.loop, ep_options_rate(zr->o, a + 2));
		child_questions(zr, a);
	}
	if (glue)
		z->addrs[a].from_glue = 1;
	else
		z->addrs[a].from_auth = 1;
	if (ns != NULL) {
		int *list = glue ? ns->glue : ns->auth;
		int *cnt = glue ? &ns->nglue : &ns->nauth, k;

		for (k = 0; k < *cnt && list[k] != a; k++)
			;
		if (k == *cnt && *cnt < EP_ZONE_ADDR_MAX / 4)
			list[(*cnt)++] = a;
	}
	return a;
}

/* The A/AAAA records of pkt's section owned by name: to the addresses
 * of NS name n (n -1: not kept there), and to out (at most max) when
 * given.  Returns how many. */
static int
take_addrs(struct zrun *zr, const ldns_pkt *pkt, ldns_pkt_section sec,
    const ldns_rdf *name, int n, int glue, struct sockaddr_storage *out,
    int *nout, int max)
{
	int got = 0;

	if (name == NULL)
		return 0;	/* an NS record without its name */

	for (int t = 0; t < 2; t++) {
		ldns_rr_type type = t == 0 ? LDNS_RR_TYPE_A :
		    LDNS_RR_TYPE_AAAA;
		ldns_rr_list *l = ldns_pkt_rr_list_by_name_and_type(pkt,
		    name, type, sec);

		for (size_t i = 0; l != NULL && i < ldns_rr_list_rr_count(l);
		    i++) {
			const ldns_rdf *rd = ldns_rr_rdf(ldns_rr_list_rr(l, i),
			    0);
			int fam = t == 0 ? 4 : 6;

			if (rd == NULL || ldns_rdf_size(rd) != (t == 0 ? 4u :
			    16u))
				continue;
			got++;
			if (n >= 0)
				add_addr(zr, n, fam, ldns_rdf_data(rd), glue);
			if (out != NULL && *nout < max)
				*nout += ep_lookup_sockaddr(fam, ldns_rdf_data(rd),
				    zr->o->port, &out[*nout]) > 0;
		}
		ldns_rr_list_deep_free(l);
	}
	return got;
}

/* -------------------------------------------------------------- the walk */

static void walk_ask(struct zrun *zr, int w);

static void
zone_error(struct zrun *zr, int kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
zone_error(struct zrun *zr, int kind, const char *fmt, ...)
{
	va_list ap;

	if (zr->z->error[0] != '\0')
		return;
	zr->z->error_kind = kind;
	va_start(ap, fmt);
	vsnprintf(zr->z->error, sizeof(zr->z->error), fmt, ap);
	va_end(ap);
}

static int
new_walk(struct zrun *zr, const uint8_t *qname, size_t len, uint16_t qtype,
    int ns)
{
	struct walk *w;

	if (zr->nwalks == Z_WALKS_MAX)
		return -1;
	w = &zr->walks[zr->nwalks];
	memset(w, 0, sizeof(*w));
	memcpy(w->qname, qname, len);
	w->qname_len = len;
	w->qtype = qtype;
	w->ns = ns;
	w->cut = ldns_dname_new_frm_str(".");
	memcpy(w->srv, zr->start, sizeof(zr->start[0]) * (size_t)zr->nstart);
	w->nsrv = zr->nstart;
	walk_ask(zr, zr->nwalks++);
	return 0;
}

/* Who w's servers are: "a server of ZONE", or the --parent ones (the
 * walk does not know their zone). */
static const char *
whose(const struct zrun *zr, const struct walk *w, char *buf, size_t len)
{
	char cut[EP_DNAME_STRMAX];

	if (w->depth == 0 && zr->o->nparents > 0)
		return "given by --parent";
	snprintf(buf, len, "of %.1000s", rdf_str(w->cut, cut, sizeof(cut)));
	return buf;
}

/* The walk w could not reach an answer. */
static void
walk_failed(struct zrun *zr, struct walk *w, const char *why)
{
	char buf[EP_DNAME_STRMAX + 8];
	const char *cut = whose(zr, w, buf, sizeof(buf));
	if (w->ns >= 0) {
		ep_verbose(EP_VERB_OPS, "zone: %s of %s not found: %s",
		    w->qtype == LDNS_RR_TYPE_A ? "A" : "AAAA",
		    zr->z->ns[w->ns].name, why);
		return;
	}
	if (w->refused > 0 && w->silent == 0)
		zone_error(zr, EP_ZONE_EREFUSED, "every server %s asked "
		    "refused or failed (%s)", cut, w->rcodes);
	else if (w->silent > 0 && w->refused == 0)
		zone_error(zr, EP_ZONE_ESILENT, "no server %s answered "
		    "(%d asked)", cut, w->silent);
	else
		zone_error(zr, EP_ZONE_EWALK, "the walk down stopped at the "
		    "servers %s: %s", cut, why);
}

static void
walk_ask(struct zrun *zr, int wi)
{
	struct walk *w = &zr->walks[wi];

	for (; w->cur < w->nsrv; w->cur++)
		if (ask(zr, &w->srv[w->cur], w->qname, w->qname_len, w->qtype,
		    T_WALK, wi) == 0)
			return;
	walk_failed(zr, w, w->nsrv == 0 ? "no server address" :
	    "no server answered");
}

/* The NS names of nsrrs (parent: the referral's, else the zone's own)
 * with their addresses from pkt's additional section (glue when parent),
 * then every name's addresses looked up. */
static void
take_ns_set(struct zrun *zr, const ldns_pkt *pkt, const ldns_rr_list *nsrrs,
    int parent)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(nsrrs); i++) {
		const ldns_rdf *name = ldns_rr_rdf(ldns_rr_list_rr(nsrrs, i),
		    0);
		int n = name != NULL ? add_ns(zr, name, parent) : -1;

		if (n >= 0)
			take_addrs(zr, pkt, LDNS_SECTION_ADDITIONAL, name, n,
			    parent, NULL, NULL, 0);
	}
	for (int n = 0; n < zr->z->nns; n++)
		ns_resolve(zr, n);
}

/* The parent's referral to the zone: its NS set, glue and DS. */
static void
delegation(struct zrun *zr, struct walk *w, const ldns_pkt *pkt,
    const ldns_rr_list *nsrrs)
{
	struct ep_zone *z = zr->z;
	struct sockaddr_storage parent = w->srv[w->cur];

	z->delegated = 1;
	rdf_str(w->cut, z->parent, sizeof(z->parent));
	ep_sockaddr_str(&parent, z->parent_addr, sizeof(z->parent_addr));
	ask(zr, &parent, z->wire, z->wire_len, LDNS_RR_TYPE_DS, T_DS, 0);
	take_ns_set(zr, pkt, nsrrs, 1);
}

/* The server asked answers for the zone itself: no parent view. */
static void
parent_is_child(struct zrun *zr, struct walk *w, const ldns_pkt *pkt,
    const ldns_rr_list *nsrrs)
{
	zr->z->parent_is_child = 1;
	zr->ns_from_child = 1;
	ep_sockaddr_str(&w->srv[w->cur], zr->z->parent_addr,
	    sizeof(zr->z->parent_addr));
	take_ns_set(zr, pkt, nsrrs, 0);
}

/* A referral from w's servers: go one cut down, to the glue of its
 * servers.  0, or -1 when it cannot be followed. */
static int
descend(struct zrun *zr, struct walk *w, const ldns_pkt *pkt,
    const ldns_rr_list *nsrrs, ldns_rdf *owner)
{
	struct sockaddr_storage next[Z_WALK_SERVERS];
	int n = 0;

	for (size_t i = 0; i < ldns_rr_list_rr_count(nsrrs); i++)
		take_addrs(zr, pkt, LDNS_SECTION_ADDITIONAL,
		    ldns_rr_rdf(ldns_rr_list_rr(nsrrs, i), 0), -1, 0, next,
		    &n, Z_WALK_SERVERS);
	if (n == 0 || ++w->depth > Z_WALK_DEPTH)
		return -1;
	ldns_rdf_deep_free(w->cut);
	w->cut = ldns_rdf_clone(owner);
	memcpy(w->srv, next, sizeof(next[0]) * (size_t)n);
	w->nsrv = n;
	w->cur = 0;
	return 0;
}

static void
walk_next_server(struct zrun *zr, int wi)
{
	zr->walks[wi].cur++;
	walk_ask(zr, wi);
}

/* NS records in the authority section make a referral when they are
 * owned by a zone below the cut asked and at or above the name asked. */
static int
referral(const struct walk *w, const ldns_rdf *qn, const ldns_rr_list *nsrrs)
{
	ldns_rdf *owner = ldns_rr_owner(ldns_rr_list_rr(nsrrs, 0));

	return ldns_dname_is_subdomain(owner, w->cut) &&
	    (ldns_dname_compare(owner, qn) == 0 ||
	    ldns_dname_is_subdomain(qn, owner));
}

static void
walk_answer(struct zrun *zr, int wi, struct ep_lookup *l)
{
	struct walk *w = &zr->walks[wi];
	const ldns_pkt *pkt = l->pkt;
	ldns_rdf *qn;
	ldns_rr_list *ans, *cname, *nsrrs;
	ldns_pkt_rcode rc;
	char at[64], buf[EP_DNAME_STRMAX];

	ep_sockaddr_str(&l->addr, at, sizeof(at));
	if (pkt == NULL) {
		w->silent++;
		walk_next_server(zr, wi);
		return;
	}
	rc = ldns_pkt_get_rcode(pkt);
	if (rc != LDNS_RCODE_NOERROR && rc != LDNS_RCODE_NXDOMAIN) {
		size_t used = strlen(w->rcodes);
		char rcs[16];

		w->refused++;
		snprintf(w->rcodes + used, sizeof(w->rcodes) - used, "%s%s %s",
		    used ? ", " : "", at, ep_dns_rcode_str(rc, rcs,
		    sizeof(rcs)));
		walk_next_server(zr, wi);
		return;
	}
	qn = ldns_dname_new_frm_data((uint16_t)w->qname_len, w->qname);
	if (rc == LDNS_RCODE_NXDOMAIN) {
		if (w->ns < 0)
			zone_error(zr, EP_ZONE_ENXDOMAIN, "%s does not exist: "
			    "NXDOMAIN from %s (a server %s)", zr->z->name, at,
			    whose(zr, w, buf, sizeof(buf)));
		else {
			zr->z->ns[w->ns].nxdomain = 1;
			zr->z->ns[w->ns].answered |= w->qtype ==
			    LDNS_RR_TYPE_A ? 1 : 2;
		}
		ldns_rdf_deep_free(qn);
		return;
	}
	ans = ldns_pkt_rr_list_by_name_and_type(pkt, qn, w->qtype,
	    LDNS_SECTION_ANSWER);
	cname = ldns_pkt_rr_list_by_name_and_type(pkt, qn,
	    LDNS_RR_TYPE_CNAME, LDNS_SECTION_ANSWER);
	nsrrs = ldns_pkt_rr_list_by_type(pkt, LDNS_RR_TYPE_NS,
	    LDNS_SECTION_AUTHORITY);
	if (cname != NULL) {
		rdf_str(ldns_rr_rdf(ldns_rr_list_rr(cname, 0), 0), buf,
		    sizeof(buf));
		if (w->ns < 0)
			zone_error(zr, EP_ZONE_EALIAS, "%s is an alias (CNAME "
			    "to %s at %s), not a zone", zr->z->name, buf, at);
		else
			snprintf(zr->z->ns[w->ns].cname,
			    sizeof(zr->z->ns[w->ns].cname), "%s", buf);
	} else if (ans != NULL && w->ns < 0)
		parent_is_child(zr, w, pkt, ans);
	else if (ans != NULL) {
		take_addrs(zr, pkt, LDNS_SECTION_ANSWER, qn, w->ns, 0, NULL,
		    NULL, 0);
		zr->z->ns[w->ns].answered |= w->qtype == LDNS_RR_TYPE_A ? 1 : 2;
	} else if (nsrrs != NULL && referral(w, qn, nsrrs)) {
		ldns_rdf *owner = ldns_rr_owner(ldns_rr_list_rr(nsrrs, 0));
		int exact = ldns_dname_compare(owner, qn) == 0;

		if (exact && w->ns < 0)
			delegation(zr, w, pkt, nsrrs);
		else if (descend(zr, w, pkt, nsrrs, owner) == 0)
			walk_ask(zr, wi);
		else
			walk_failed(zr, w, "a referral without glue (servers "
			    "named outside their zone are not looked up)");
	} else if (ldns_pkt_aa(pkt)) {
		if (w->ns < 0) {
			ldns_rr_list *soa = ldns_pkt_rr_list_by_type(pkt,
			    LDNS_RR_TYPE_SOA, LDNS_SECTION_AUTHORITY);

			zone_error(zr, EP_ZONE_ENOTZONE, "%s is not a zone: "
			    "it has no NS records; %s answers for it as part "
			    "of zone %s", zr->z->name, at, soa != NULL ?
			    rdf_str(ldns_rr_owner(ldns_rr_list_rr(soa, 0)),
			    buf, sizeof(buf)) : "?");
			ldns_rr_list_deep_free(soa);
		} else
			zr->z->ns[w->ns].answered |= w->qtype ==
			    LDNS_RR_TYPE_A ? 1 : 2;
	} else
		walk_next_server(zr, wi);	/* lame: no answer, no referral */
	ldns_rr_list_deep_free(ans);
	ldns_rr_list_deep_free(cname);
	ldns_rr_list_deep_free(nsrrs);
	ldns_rdf_deep_free(qn);
}

/* ----------------------------------------------------- the child's servers */

/* Addresses of NS name n: in-zone names from a child server (once one
 * answers for the zone), others walked down from the start servers. */
static void
ns_resolve(struct zrun *zr, int n)
{
	struct ep_zone_ns *ns = &zr->z->ns[n];
	struct sockaddr_storage ss;

	if (ns->asked)
		return;
	if (ns->in_zone) {
		if (zr->first_auth < 0)
			return;		/* asked when a server answers */
		ns->asked = 1;
		ep_lookup_sockaddr(zr->z->addrs[zr->first_auth].family,
		    zr->z->addrs[zr->first_auth].addr, zr->o->port, &ss);
		ask(zr, &ss, ns->wire, ns->wire_len, LDNS_RR_TYPE_A, T_ADDR, n);
		ask(zr, &ss, ns->wire, ns->wire_len, LDNS_RR_TYPE_AAAA, T_ADDR,
		    n);
		return;
	}
	ns->asked = 1;
	new_walk(zr, ns->wire, ns->wire_len, LDNS_RR_TYPE_A, n);
	new_walk(zr, ns->wire, ns->wire_len, LDNS_RR_TYPE_AAAA, n);
}

static void
child_questions(struct zrun *zr, int a)
{
	zask(zr, a, LDNS_RR_TYPE_SOA, T_SOA);
	zask(zr, a, LDNS_RR_TYPE_NS, T_NS);
	zask(zr, a, LDNS_RR_TYPE_DNSKEY, T_DNSKEY);
}

/* An authoritative answer's RRset of type owned by the zone, with the
 * RRSIGs over it; NULL when it has none. */
static ldns_rr_list *
signed_set(const struct zrun *zr, const ldns_pkt *pkt, ldns_rr_type type)
{
	ldns_rr_list *set = ldns_pkt_rr_list_by_name_and_type(pkt, zr->zname,
	    type, LDNS_SECTION_ANSWER);
	ldns_rr_list *sigs = ldns_pkt_rr_list_by_name_and_type(pkt,
	    zr->zname, LDNS_RR_TYPE_RRSIG, LDNS_SECTION_ANSWER);

	for (size_t i = 0; set != NULL && sigs != NULL &&
	    i < ldns_rr_list_rr_count(sigs); i++) {
		ldns_rr *sig = ldns_rr_list_rr(sigs, i);
		const ldns_rdf *cov = ldns_rr_rrsig_typecovered(sig);

		if (cov != NULL && ldns_rdf2rr_type(cov) == type)
			ldns_rr_list_push_rr(set, ldns_rr_clone(sig));
	}
	ldns_rr_list_deep_free(sigs);
	return set;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The NS RRset of an answer as one sorted string of names. */
static void
nsset_str(const ldns_rr_list *set, char *buf, size_t len)
{
	char *names[64];
	size_t n = 0, used = 0;

	for (size_t i = 0; i < ldns_rr_list_rr_count(set) && n < 64; i++) {
		const ldns_rdf *rd = ldns_rr_rdf(ldns_rr_list_rr(set, i), 0);
		ldns_rdf *r = rd != NULL ? ldns_rdf_clone(rd) : NULL;

		if (r == NULL)
			continue;
		ldns_dname2canonical(r);
		names[n++] = ldns_rdf2str(r);
		ldns_rdf_deep_free(r);
	}
	qsort(names, n, sizeof(names[0]), cmp_str);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (names[i] != NULL && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
			    used ? " " : "", names[i]);
		free(names[i]);
	}
}

static enum ep_zone_auth
auth_of(const struct ep_lookup *l, uint16_t *rcode)
{
	*rcode = 0;
	switch (l->outcome) {
	case EP_OUT_ANSWER:
	case EP_OUT_TRUNCATED:
		break;
	case EP_OUT_ICMP:
	case EP_OUT_ERROR:
		return EP_ZAUTH_UNREACHABLE;
	case EP_OUT_MALFORMED:
		return EP_ZAUTH_MALFORMED;
	default:
		return EP_ZAUTH_SILENT;
	}
	if (l->pkt == NULL)
		return EP_ZAUTH_MALFORMED;
	*rcode = (uint16_t)ldns_pkt_get_rcode(l->pkt);
	if (*rcode == LDNS_RCODE_REFUSED)
		return EP_ZAUTH_REFUSED;
	if (*rcode != LDNS_RCODE_NOERROR)
		return EP_ZAUTH_SERVFAIL;
	return ldns_pkt_aa(l->pkt) ? EP_ZAUTH_OK : EP_ZAUTH_NOTAUTH;
}

static void
keep_set(struct zrun *zr, int k, ldns_rr_list *set)
{
	if (zr->sets[k] == NULL && set != NULL)
		zr->sets[k] = set;
	else
		ldns_rr_list_deep_free(set);
}

/* The first server to answer for the zone is asked what one server
 * tells of the whole zone: a DS at its apex (there should be none), how
 * it denies a name (NSEC or NSEC3), NSEC3PARAM, and the addresses of the
 * in-zone name servers. */
static void
apex_questions(struct zrun *zr, int a)
{
	struct ep_zone *z = zr->z;
	uint8_t nx[EP_DNAME_MAX];
	size_t lab = sizeof(EP_PLAN_NXLABEL) - 1;
	struct sockaddr_storage ss;

	zr->first_auth = a;
	zask(zr, a, LDNS_RR_TYPE_DS, T_APEXDS);
	zask(zr, a, LDNS_RR_TYPE_NSEC3PARAM, T_N3P);
	if (1 + lab + z->wire_len <= EP_DNAME_MAX) {
		nx[0] = (uint8_t)lab;
		memcpy(nx + 1, EP_PLAN_NXLABEL, lab);
		memcpy(nx + 1 + lab, z->wire, z->wire_len);
		ep_lookup_sockaddr(z->addrs[a].family, z->addrs[a].addr, zr->o->port,
		    &ss);
		ask(zr, &ss, nx, 1 + lab + z->wire_len, LDNS_RR_TYPE_A, T_NX,
		    a);
	}
	for (int n = 0; n < z->nns; n++)
		ns_resolve(zr, n);
}

static void
server_answer(struct zrun *zr, struct ep_lookup *l)
{
	struct ep_zone *z = zr->z;
	struct ep_zone_addr *a = &z->addrs[l->index];
	uint16_t rcode;
	enum ep_zone_auth auth = auth_of(l, &rcode);
	ldns_rr_list *set;

	if (l->tag == T_SOA) {
		a->auth = auth;
		a->rcode = rcode;
		a->rtt_ms = l->rtt_ms;
	}
	if (auth != EP_ZAUTH_OK)
		return;
	switch (l->tag) {
	case T_SOA:
		set = signed_set(zr, l->pkt, LDNS_RR_TYPE_SOA);
		for (size_t i = 0; set != NULL &&
		    i < ldns_rr_list_rr_count(set); i++) {
			ldns_rr *rr = ldns_rr_list_rr(set, i);

			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA &&
			    ldns_rr_rd_count(rr) >= 3) {
				a->have_serial = 1;
				a->serial = ep_rdf_uint(rr, 2);
			}
		}
		if (!a->have_serial) {
			a->auth = EP_ZAUTH_NOTAUTH;	/* AA, but no SOA */
			ldns_rr_list_deep_free(set);
			return;
		}
		keep_set(zr, 0, set);
		if (zr->first_auth < 0)
			apex_questions(zr, l->index);
		break;
	case T_NS:
		set = ldns_pkt_rr_list_by_name_and_type(l->pkt, zr->zname,
		    LDNS_RR_TYPE_NS, LDNS_SECTION_ANSWER);
		if (set == NULL)
			return;
		nsset_str(set, a->nsset, sizeof(a->nsset));
		a->have_nsset = 1;
		if (!zr->ns_from_child) {
			zr->ns_from_child = 1;
			for (size_t i = 0; i < ldns_rr_list_rr_count(set); i++) {
				const ldns_rdf *name = ldns_rr_rdf(
				    ldns_rr_list_rr(set, i), 0);
				int n = name != NULL ? add_ns(zr, name, 0) : -1;

				if (n >= 0)
					ns_resolve(zr, n);
			}
		}
		ldns_rr_list_deep_free(set);
		keep_set(zr, 1, signed_set(zr, l->pkt, LDNS_RR_TYPE_NS));
		break;
	case T_DNSKEY:
		set = signed_set(zr, l->pkt, LDNS_RR_TYPE_DNSKEY);
		if (set != NULL && zr->dnskey == NULL) {
			zr->dnskey = ldns_pkt_rr_list_by_name_and_type(l->pkt,
			    zr->zname, LDNS_RR_TYPE_DNSKEY,
			    LDNS_SECTION_ANSWER);
			snprintf(z->keys_from, sizeof(z->keys_from), "%s",
			    a->str);
		}
		keep_set(zr, 2, set);
		break;
	}
}

/* The parent zone's name, from its answer to the DS question: the
 * signer of the DS RRset, or the owner of the SOA of a NODATA answer
 * (the walk knows it only when it came down from the root). */
static void
parent_name(struct zrun *zr, const ldns_pkt *pkt)
{
	ldns_rr_list *l = ldns_pkt_rr_list_by_type(pkt, LDNS_RR_TYPE_RRSIG,
	    LDNS_SECTION_ANSWER);
	const ldns_rdf *name = NULL;

	if (l != NULL)
		name = ldns_rr_rrsig_signame(ldns_rr_list_rr(l, 0));
	else if ((l = ldns_pkt_rr_list_by_type(pkt, LDNS_RR_TYPE_SOA,
	    LDNS_SECTION_AUTHORITY)) != NULL)
		name = ldns_rr_owner(ldns_rr_list_rr(l, 0));
	if (name != NULL)
		rdf_str(name, zr->z->parent, sizeof(zr->z->parent));
	ldns_rr_list_deep_free(l);
}

static void
zone_answer(struct zrun *zr, struct ep_lookup *l)
{
	struct ep_zone *z = zr->z;
	ldns_rr_list *set;
	uint16_t rcode;

	if (auth_of(l, &rcode) == EP_ZAUTH_SILENT ||
	    auth_of(l, &rcode) == EP_ZAUTH_UNREACHABLE || l->pkt == NULL)
		return;
	switch (l->tag) {
	case T_DS:
		parent_name(zr, l->pkt);
		set = ldns_pkt_rr_list_by_name_and_type(l->pkt, zr->zname,
		    LDNS_RR_TYPE_DS, LDNS_SECTION_ANSWER);
		if (set == NULL && rcode == LDNS_RCODE_NOERROR)
			z->ds_nodata = 1;
		if (zr->ds == NULL)
			zr->ds = set;
		else
			ldns_rr_list_deep_free(set);
		break;
	case T_APEXDS:
		set = ldns_pkt_rr_list_by_name_and_type(l->pkt, zr->zname,
		    LDNS_RR_TYPE_DS, LDNS_SECTION_ANSWER);
		z->ds_at_apex = set != NULL && ldns_pkt_aa(l->pkt);
		ldns_rr_list_deep_free(set);
		break;
	case T_NX:
		set = ldns_pkt_rr_list_by_type(l->pkt, LDNS_RR_TYPE_NSEC3,
		    LDNS_SECTION_AUTHORITY);
		z->nsec3 = set != NULL;
		ldns_rr_list_deep_free(set);
		break;
	case T_N3P:
		set = ldns_pkt_rr_list_by_name_and_type(l->pkt, zr->zname,
		    LDNS_RR_TYPE_NSEC3PARAM, LDNS_SECTION_ANSWER);
		z->nsec3param = set != NULL;
		ldns_rr_list_deep_free(set);
		break;
	}
}

/* A/AAAA of an in-zone NS name from a child server. */
static void
addr_answer(struct zrun *zr, struct ep_lookup *l)
{
	struct ep_zone_ns *ns = &zr->z->ns[l->index];
	ldns_rdf *qn;
	ldns_rr_list *cname;
	uint16_t rcode;

	if (auth_of(l, &rcode) != EP_ZAUTH_OK &&
	    !(l->pkt != NULL && ldns_pkt_aa(l->pkt) &&
	    rcode == LDNS_RCODE_NXDOMAIN))
		return;
	ns->answered |= l->qtype == LDNS_RR_TYPE_A ? 1 : 2;
	if (rcode == LDNS_RCODE_NXDOMAIN) {
		ns->nxdomain = 1;
		return;
	}
	qn = ldns_dname_new_frm_data((uint16_t)ns->wire_len, ns->wire);
	cname = ldns_pkt_rr_list_by_name_and_type(l->pkt, qn,
	    LDNS_RR_TYPE_CNAME, LDNS_SECTION_ANSWER);
	if (cname != NULL)
		rdf_str(ldns_rr_rdf(ldns_rr_list_rr(cname, 0), 0), ns->cname,
		    sizeof(ns->cname));
	else
		take_addrs(zr, l->pkt, LDNS_SECTION_ANSWER, qn, l->index, 0,
		    NULL, NULL, 0);
	ldns_rr_list_deep_free(cname);
	ldns_rdf_deep_free(qn);
}

static void
answered(struct ep_lookup *l, void *arg)
{
	struct zrun *zr = arg;

	if (l->pkt != NULL && l->rtt_ms > zr->max_rtt_ms)
		zr->max_rtt_ms = l->rtt_ms;
	switch (l->tag) {
	case T_WALK:
		walk_answer(zr, l->index, l);
		break;
	case T_SOA:
	case T_NS:
	case T_DNSKEY:
		server_answer(zr, l);
		break;
	case T_ADDR:
		addr_answer(zr, l);
		break;
	default:
		zone_answer(zr, l);
		break;
	}
}

/* ---------------------------------------------------------------- the feed */

static int
feed_start(void *arg, struct ep_loop *loop, struct ep_err *err)
{
	struct zrun *zr = arg;

	(void)err;
	zr->ls.loop = loop;
	zr->started_us = ep_clock_us();
	zr->z->checked_at = (int64_t)time(NULL);
	return new_walk(zr, zr->z->wire, zr->z->wire_len, LDNS_RR_TYPE_NS,
	    -1) == -1 ? ep_err_set(err, EP_EINTERNAL, "no walk") : 0;
}

static uint32_t
zone_cap(const struct zrun *zr)
{
	double ten = 10 * zr->max_rtt_ms;

	return ten > Z_TIMEOUT_MS ? (uint32_t)ten : Z_TIMEOUT_MS;
}

static int
feed_next(void *arg, struct ep_target *t, struct ep_options *o)
{
	struct zrun *zr = arg;
	struct ep_zone *z = zr->z;

	if (zr->o->no_path)
		return 0;
	for (int a = 0; a < z->naddrs; a++) {
		struct ep_zone_addr *za = &z->addrs[a];

		if (za->probed)
			continue;
		za->probed = 1;
		t->addrlen = (socklen_t)ep_lookup_sockaddr(za->family, za->addr,
		    zr->o->port, &t->addr);
		t->family = za->family;
		snprintf(t->addr_str, sizeof(t->addr_str), "%s", za->str);
		o->recurse = 0;
		/* Before its own baseline answers, an address waits as long
		 * as discovery waits for any server (it has found the zone's
		 * servers answering within a tenth of that), not the full
		 * --timeout: a silent server of the zone costs 2 s, not 5. */
		if (zone_cap(zr) < o->timeout_ms)
			o->timeout_ms = zone_cap(zr);
		if (o->floor_ms > o->timeout_ms)
			o->floor_ms = o->timeout_ms;
		return 1;
	}
	return 0;
}

static int
feed_more(void *arg)
{
	struct zrun *zr = arg;

	if (zr->ls.outstanding > 0 && ep_clock_us() - zr->started_us >
	    Z_DISCOVERY_MS * 1000ull) {
		/* Servers that each wait out every try, one after another
		 * down a long walk: the run is bounded, say what is left. */
		zr->z->questions_cut = zr->ls.outstanding;
		ep_lookups_stop(&zr->ls);
		if (!zr->z->delegated && !zr->z->parent_is_child)
			zone_error(zr, EP_ZONE_EWALK, "discovery stopped after "
			    "%d s, the delegation not found (%d questions "
			    "unanswered)", Z_DISCOVERY_MS / 1000,
			    zr->z->questions_cut);
		return 0;
	}
	if (zr->ls.outstanding > 0)
		return 1;
	for (int a = 0; !zr->o->no_path && a < zr->z->naddrs; a++)
		if (!zr->z->addrs[a].probed)
			return 1;
	return 0;
}

static void
feed_done(void *arg, const struct ep_target *t, const struct ep_options *o,
    int finished)
{
	struct zrun *zr = arg;

	(void)o;
	(void)finished;	/* cut short: reported with what it measured */
	for (int a = 0; a < zr->z->naddrs; a++) {
		struct ep_zone_addr *za = &zr->z->addrs[a];

		if (za->target >= 0 || za->family != t->family ||
		    strcmp(za->str, t->addr_str) != 0)
			continue;
		za->target = zr->ntargets;
		zr->targets[zr->ntargets++] = *t;
		return;
	}
}

static void
feed_stop(void *arg)
{
	struct zrun *zr = arg;

	ep_lookups_stop(&zr->ls);
}

/* ------------------------------------------------------------ the command */

static int
add_start(struct zrun *zr, const char *s, struct ep_err *err)
{
	uint8_t a[16];
	int fam = inet_pton(AF_INET, s, a) == 1 ? 4 :
	    inet_pton(AF_INET6, s, a) == 1 ? 6 : 0;

	if (fam == 0)
		return ep_err_set(err, EP_EUSAGE, "--parent: \"%.64s\" is not "
		    "an IPv4 or IPv6 address", s);
	if (zr->o->family != 0 && zr->o->family != fam)
		return 0;
	if (zr->nstart < Z_WALK_SERVERS)
		ep_lookup_sockaddr(fam, a, zr->o->port, &zr->start[zr->nstart++]);
	return 0;
}

/* --hints FILE: the A and AAAA records of a root hints file (named.root
 * form) are the servers to start from. */
static int
read_hints(struct zrun *zr, const char *path, struct ep_err *err)
{
	FILE *fp = fopen(path, "r");
	uint32_t ttl = 0;
	ldns_rdf *origin = NULL, *prev = NULL;
	int line = 0;

	if (fp == NULL)
		return ep_err_set(err, errno, "--hints: %s: %s", path,
		    strerror(errno));
	while (!feof(fp)) {
		ldns_rr *rr = NULL;
		ldns_status st = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin,
		    &prev, &line);
		char buf[64];

		if (st == LDNS_STATUS_SYNTAX_EMPTY ||
		    st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN)
			continue;
		if (st != LDNS_STATUS_OK)
			break;
		if ((ldns_rr_get_type(rr) == LDNS_RR_TYPE_A ||
		    ldns_rr_get_type(rr) == LDNS_RR_TYPE_AAAA) &&
		    ldns_rr_rdf(rr, 0) != NULL)
			add_start(zr, rdf_str(ldns_rr_rdf(rr, 0), buf,
			    sizeof(buf)), err);
		ldns_rr_free(rr);
	}
	fclose(fp);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	if (zr->nstart == 0)
		return ep_err_set(err, EP_EUSAGE, "--hints: %s: no A or AAAA "
		    "record of a server (line %d)", path, line);
	return 0;
}

static void
zrun_free(struct zrun *zr)
{
	ep_lookups_free(&zr->ls);
	for (int i = 0; i < zr->nwalks; i++)
		ldns_rdf_deep_free(zr->walks[i].cut);
	for (int k = 0; k < Z_SETS; k++)
		ldns_rr_list_deep_free(zr->sets[k]);
	ldns_rr_list_deep_free(zr->ds);
	ldns_rr_list_deep_free(zr->dnskey);
	ldns_rdf_deep_free(zr->zname);
	free(zr->targets);
}

int
ep_zone_run(const struct ep_options *o, struct ep_report *r,
    struct ep_err *err)
{
	struct ep_measure_set set;
	struct zrun zr = { .o = o, .first_auth = -1 };
	struct ep_feed feed = { .next = feed_next, .done = feed_done,
	    .start = feed_start, .more = feed_more, .stop = feed_stop,
	    .arg = &zr, .slots = o->max_addresses };
	struct ep_zone *z;
	int rc = -1;

	if ((z = calloc(1, sizeof(*z))) == NULL ||
	    (zr.targets = calloc((size_t)o->max_addresses,
	    sizeof(*zr.targets))) == NULL) {
		free(z);
		return ep_err_set(err, ENOMEM, "out of memory");
	}
	zr.z = z;
	r->zone = z;
	memcpy(z->wire, o->qname, o->qname_len);
	z->wire_len = o->qname_len;
	ep_dns_name_str(z->wire, z->wire_len, z->name, sizeof(z->name));
	zr.zname = ldns_dname_new_frm_data((uint16_t)z->wire_len, z->wire);
	z->nsec3param = -1;
	zr.ls.timeout_ms = o->timeout_ms < Z_TIMEOUT_MS ? o->timeout_ms :
	    Z_TIMEOUT_MS;
	zr.ls.tries = o->tries;
	zr.ls.cb = answered;
	zr.ls.arg = &zr;
	for (int i = 0; i < o->nparents; i++)
		if (add_start(&zr, o->parents[i], err) == -1)
			goto out;
	if (o->hints[0] != '\0' && read_hints(&zr, o->hints, err) == -1)
		goto out;
	if (o->nparents == 0 && o->hints[0] == '\0')
		for (size_t i = 0; i < sizeof(root_servers) /
		    sizeof(root_servers[0]); i++)
			if (add_start(&zr, root_servers[i], err) == -1)
				goto out;
	if (zr.nstart == 0) {
		ep_err_set(err, EP_EUSAGE, "no server to start from in the "
		    "family asked (-4/-6)");
		goto out;
	}
	snprintf(r->server, sizeof(r->server), "%.255s", z->name);
	ep_measures_for(o, &set);
	if (ep_run_feed(o, &set, &feed, r, err) == -1)
		goto out;
	/* The report's targets are the addresses probed, not the slots. */
	free(r->targets);
	r->targets = zr.targets;
	r->ntargets = zr.ntargets;
	zr.targets = NULL;
	if (zr.ls.cut > 0)
		ep_verbose(EP_VERB_OPS, "zone: %d questions not asked: the "
		    "bound of %d was reached", zr.ls.cut, EP_LOOKUPS_MAX);
	ep_zone_dnssec(z, zr.ds, zr.dnskey,
	    (const ldns_rr_list *const *)zr.sets, Z_SETS,
	    (time_t)z->checked_at);
	ep_zone_verdict(z, r);
	rc = 0;
out:
	zrun_free(&zr);
	return rc;
}
