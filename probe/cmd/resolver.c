/* probe/cmd/resolver.c: the resolver command: the path probes through each
 * resolver (RD set), and the same questions asked directly of NAME's
 * authoritative servers (found through the resolver), at once in one
 * loop; then where a failure lies: between us and the resolver, or
 * behind it. */
#include <errno.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"
#include "measure/finding.h"
#include "engine/log.h"
#include "engine/lookup.h"
#include "cmd/resolver.h"
#include "engine/run.h"
#include "measure/measures.h"

#define RES_TIMEOUT_MS	2000	/* a discovery question's wait */

enum { T_APEX, T_NS, T_ADDR };

struct raddr {
	int		 family;
	uint8_t		 addr[16];
	char		 str[64];
	const char	*role;		/* EP_ROLE_RESOLVER / _AUTH */
	int		 probed;
};

struct rrun {
	const struct ep_options	*o;
	struct ep_lookups	 ls;
	struct raddr		 addrs[EP_RESOLVERS_MAX + EP_RESOLVER_AUTH_MAX];
	int			 naddrs, nresolvers, nauth, nprobed;
	int			 alive;		/* the resolver asked answered */
	int			 asking;	/* the resolver discovery uses */
	uint8_t			 apex[EP_DNAME_MAX];
	size_t			 apex_len;
	char			 names[EP_RESOLVER_AUTH_MAX][EP_DNAME_STRMAX];
	int			 nnames;
	struct ep_target	*targets;
	int			 ntargets;
	char			*note;		/* why no comparison */
	size_t			 note_len;
};

const char EP_ROLE_RESOLVER[] = "resolver";
const char EP_ROLE_AUTH[] = "authoritative";

static int
add_addr(struct rrun *rr, int family, const uint8_t *a, const char *role)
{
	int alen = family == 4 ? 4 : 16;
	struct raddr *ra;

	if (rr->o->family != 0 && rr->o->family != family)
		return 0;
	for (int i = 0; i < rr->naddrs; i++)
		if (rr->addrs[i].family == family &&
		    memcmp(rr->addrs[i].addr, a, (size_t)alen) == 0)
			return 0;	/* a resolver that is also a server */
	if (role == EP_ROLE_AUTH ? rr->nauth == EP_RESOLVER_AUTH_MAX :
	    rr->nresolvers == EP_RESOLVERS_MAX)
		return 0;
	ra = &rr->addrs[rr->naddrs++];
	memset(ra, 0, sizeof(*ra));
	ra->family = family;
	memcpy(ra->addr, a, (size_t)alen);
	inet_ntop(family == 4 ? AF_INET : AF_INET6, a, ra->str,
	    sizeof(ra->str));
	ra->role = role;
	if (role == EP_ROLE_AUTH)
		rr->nauth++;
	else
		rr->nresolvers++;
	return 1;
}

static void
note(struct rrun *rr, const char *why)
{
	if (rr->note[0] == '\0')
		snprintf(rr->note, rr->note_len, "%s", why);
}

/* Ask the resolver now in use (RD set). */
static void
ask(struct rrun *rr, const uint8_t *qname, size_t len, uint16_t qtype,
    int tag, int index)
{
	struct sockaddr_storage ss;
	const struct raddr *ra = &rr->addrs[rr->asking];

	ep_lookup_sockaddr(ra->family, ra->addr, rr->o->port, &ss);
	ep_lookups_ask(&rr->ls, &ss, qname, len, qtype, 1, tag, index);
}

static void
answered(struct ep_lookup *l, void *arg)
{
	struct rrun *rr = arg;
	ldns_pkt *pkt = l->pkt;
	ldns_rr_list *set = NULL;

	if (pkt != NULL)
		rr->alive = 1;	/* the resolver answers, whatever it says */
	if (pkt == NULL || ldns_pkt_get_rcode(pkt) != LDNS_RCODE_NOERROR) {
		if (l->tag == T_APEX)
			note(rr, "the resolver did not answer NAME's SOA");
		return;
	}
	switch (l->tag) {
	case T_APEX:
		/* The zone NAME is in: the owner of the SOA, in the answer
		 * (NAME is an apex) or the authority section. */
		if ((set = ldns_pkt_rr_list_by_type(pkt, LDNS_RR_TYPE_SOA,
		    LDNS_SECTION_ANSWER)) == NULL)
			set = ldns_pkt_rr_list_by_type(pkt, LDNS_RR_TYPE_SOA,
			    LDNS_SECTION_AUTHORITY);
		if (set == NULL) {
			note(rr, "no SOA came back for NAME's zone");
			break;
		}
		{
			const ldns_rdf *o = ldns_rr_owner(ldns_rr_list_rr(set,
			    0));

			rr->apex_len = ldns_rdf_size(o);
			memcpy(rr->apex, ldns_rdf_data(o), rr->apex_len);
		}
		ask(rr, rr->apex, rr->apex_len, LDNS_RR_TYPE_NS, T_NS, 0);
		break;
	case T_NS:
		set = ldns_pkt_rr_list_by_type(pkt, LDNS_RR_TYPE_NS,
		    LDNS_SECTION_ANSWER);
		for (size_t i = 0; set != NULL && i < ldns_rr_list_rr_count(set)
		    && rr->nnames < EP_RESOLVER_AUTH_MAX; i++) {
			const ldns_rdf *n = ldns_rr_rdf(ldns_rr_list_rr(set, i),
			    0);
			char *s = n != NULL ? ldns_rdf2str(n) : NULL;

			if (s == NULL)
				continue;
			snprintf(rr->names[rr->nnames], sizeof(rr->names[0]),
			    "%s", s);
			free(s);
			ask(rr, ldns_rdf_data(n), ldns_rdf_size(n),
			    LDNS_RR_TYPE_A, T_ADDR, rr->nnames);
			ask(rr, ldns_rdf_data(n), ldns_rdf_size(n),
			    LDNS_RR_TYPE_AAAA, T_ADDR, rr->nnames);
			rr->nnames++;
		}
		if (set == NULL)
			note(rr, "the resolver gave no NS RRset for NAME's "
			    "zone");
		break;
	case T_ADDR:
		set = ldns_pkt_rr_list_by_type(pkt, l->qtype,
		    LDNS_SECTION_ANSWER);
		for (size_t i = 0; set != NULL &&
		    i < ldns_rr_list_rr_count(set); i++) {
			const ldns_rdf *a = ldns_rr_rdf(ldns_rr_list_rr(set, i),
			    0);

			if (a != NULL && ldns_rdf_size(a) == (l->qtype ==
			    LDNS_RR_TYPE_A ? 4u : 16u))
				add_addr(rr, l->qtype == LDNS_RR_TYPE_A ? 4 :
				    6, ldns_rdf_data(a), EP_ROLE_AUTH);
		}
		break;
	}
	ldns_rr_list_deep_free(set);
}

/* ---------------------------------------------------------------- the feed */

static int
feed_start(void *arg, struct ep_loop *loop, struct ep_err *err)
{
	struct rrun *rr = arg;

	(void)err;
	rr->ls.loop = loop;
	ask(rr, rr->o->qname, rr->o->qname_len, LDNS_RR_TYPE_SOA, T_APEX, 0);
	return 0;
}

static int
feed_next(void *arg, struct ep_target *t, struct ep_options *o)
{
	struct rrun *rr = arg;

	for (int i = 0; i < rr->naddrs; i++) {
		struct raddr *ra = &rr->addrs[i];

		if (ra->probed)
			continue;
		ra->probed = 1;
		/* --rate is per address, as for zone. */
		rr->nprobed++;
		ep_loop_set_rate(rr->ls.loop, ep_options_rate(rr->o,
		    rr->nprobed));
		t->addrlen = ep_lookup_sockaddr(ra->family, ra->addr,
		    rr->o->port, &t->addr);
		t->family = ra->family;
		snprintf(t->addr_str, sizeof(t->addr_str), "%s", ra->str);
		t->role = ra->role;
		o->recurse = ra->role == EP_ROLE_RESOLVER;
		return 1;
	}
	return 0;
}

static int
feed_more(void *arg)
{
	struct rrun *rr = arg;

	if (rr->ls.outstanding > 0)
		return 1;
	for (int i = 0; i < rr->naddrs; i++)
		if (!rr->addrs[i].probed)
			return 1;
	return 0;
}

static void
feed_done(void *arg, const struct ep_target *t, const struct ep_options *o,
    int finished)
{
	struct rrun *rr = arg;

	(void)o;
	(void)finished;
	if (rr->ntargets < EP_RESOLVERS_MAX + EP_RESOLVER_AUTH_MAX)
		rr->targets[rr->ntargets++] = *t;
}

static void
feed_stop(void *arg)
{
	ep_lookups_stop(&((struct rrun *)arg)->ls);
}

/* ------------------------------------------------------------ resolvers */

/* The nameserver lines of a resolv.conf (numeric addresses; a scoped
 * link-local address is skipped with a note). */
static int
read_resolv_conf(struct rrun *rr, const char *path, struct ep_err *err)
{
	FILE *fp = fopen(path, "r");
	char line[512];

	if (fp == NULL)
		return ep_err_set(err, errno, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), fp) != NULL) {
		char word[64], addr[128];
		uint8_t a[16];

		if (sscanf(line, "%63s %127s", word, addr) != 2 ||
		    strcmp(word, "nameserver") != 0)
			continue;
		if (inet_pton(AF_INET, addr, a) == 1)
			add_addr(rr, 4, a, EP_ROLE_RESOLVER);
		else if (inet_pton(AF_INET6, addr, a) == 1)
			add_addr(rr, 6, a, EP_ROLE_RESOLVER);
		else
			ep_verbose(EP_VERB_OPS, "%s: nameserver %s skipped "
			    "(not a plain address)", path, addr);
	}
	fclose(fp);
	if (rr->nresolvers == 0)
		return ep_err_set(err, EP_EUSAGE, "%s: no nameserver line "
		    "with a usable address%s", path, rr->o->family ?
		    " of the family asked" : "");
	return 0;
}

static int
resolvers(struct rrun *rr, struct ep_err *err)
{
	struct ep_report tmp;

	if (rr->o->server[0] == '\0')
		return read_resolv_conf(rr, rr->o->resolv_conf[0] ?
		    rr->o->resolv_conf : "/etc/resolv.conf", err);
	memset(&tmp, 0, sizeof(tmp));
	if (ep_run_targets(rr->o, &tmp, err) == -1) {
		ep_report_fini(&tmp);
		return -1;
	}
	for (int i = 0; i < tmp.ntargets; i++) {
		const struct ep_target *t = &tmp.targets[i];
		const void *a = t->family == 4 ?
		    (const void *)&((const struct sockaddr_in *)
		    (const void *)&t->addr)->sin_addr :
		    (const void *)&((const struct sockaddr_in6 *)
		    (const void *)&t->addr)->sin6_addr;

		add_addr(rr, t->family, a, EP_ROLE_RESOLVER);
	}
	ep_report_fini(&tmp);
	return 0;
}

int
ep_resolver_run(const struct ep_options *o, struct ep_report *r,
    struct ep_err *err)
{
	struct ep_measure_set set;
	char note_buf[256] = "";
	struct rrun rr = { .o = o, .note = note_buf,
	    .note_len = sizeof(note_buf) };
	struct ep_feed feed = { .next = feed_next, .done = feed_done,
	    .start = feed_start, .more = feed_more, .stop = feed_stop,
	    .arg = &rr, .slots = EP_RESOLVERS_MAX + EP_RESOLVER_AUTH_MAX };
	int rc = -1;

	if (resolvers(&rr, err) == -1)
		return -1;
	if ((rr.targets = calloc(EP_RESOLVERS_MAX + EP_RESOLVER_AUTH_MAX,
	    sizeof(*rr.targets))) == NULL)
		return ep_err_set(err, ENOMEM, "out of memory");
	rr.ls.timeout_ms = o->timeout_ms < RES_TIMEOUT_MS ? o->timeout_ms :
	    RES_TIMEOUT_MS;
	rr.ls.tries = o->tries;
	rr.ls.cb = answered;
	rr.ls.arg = &rr;
	snprintf(r->server, sizeof(r->server), "%s", o->server[0] ?
	    o->server : "resolv.conf");
	ep_measures_for(o, &set);
	if (ep_run_feed(o, &set, &feed, r, err) == -1)
		goto out;
	free(r->targets);
	r->targets = rr.targets;
	r->ntargets = rr.ntargets;
	rr.targets = NULL;
	for (int i = 0; i < r->ntargets; i++)
		r->targets[i].alive = rr.alive && r->targets[i].role ==
		    EP_ROLE_RESOLVER && strcmp(r->targets[i].addr_str,
		    rr.addrs[rr.asking].str) == 0;
	if (rr.nauth == 0)
		note(&rr, "no address of NAME's authoritative servers came "
		    "back through the resolver");
	ep_resolver_verdict(r, rr.nauth == 0 ? note_buf : NULL);
	r->resolver = 1;
	rc = 0;
out:
	ep_lookups_free(&rr.ls);
	free(rr.targets);
	return rc;
}

/* ------------------------------------------------------------- the verdict */

/* The large question's answers of t over transport tr (UDP: the ladder;
 * TCP: its TCP probe): how many NOERROR (TC clear), SERVFAIL, with an
 * RRSIG, with AD. */
struct large {
	int	 ok, servfail, rrsig, ad, asked;
};

static struct large
large_of(const struct ep_target *t, enum ep_transport tr)
{
	struct large l = { 0 };

	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *p = &t->probes[i];

		if (p->spec.subject != EP_SUBJ_LARGE || p->spec.transport != tr ||
		    (p->spec.role != EP_ROLE_LADDER &&
		    p->spec.role != EP_ROLE_TCPSIZE))
			continue;
		l.asked++;
		if (p->res.outcome != EP_OUT_ANSWER)
			continue;
		l.ok += p->res.reply.rcode == 0;
		l.servfail += p->res.reply.rcode == 2;
		l.rrsig += p->res.reply.an_rrsig != 0;
		l.ad += (p->res.reply.flags & EP_DNS_AD) != 0;
	}
	return l;
}

static int
has_finding(const struct ep_target *t, const enum ep_finding_id *ids)
{
	for (int k = 0; ids[k] != EP_F_COUNT; k++)
		if (ep_finding_has(t, ids[k]))
			return 1;
	return 0;
}

/* Findings that large UDP answers are lost on the way to us. */
static const enum ep_finding_id udp_loss[] = { EP_F_FRAG_IN_DROPPED,
	EP_F_UDP_LARGE_LOST, EP_F_UDP_SIZE_LIMIT, EP_F_FRAG_NONFIRST_DROPPED,
	EP_F_FRAG_FIRST_DROPPED, EP_F_FRAG6_ONLY_DROPPED,
	EP_F_FRAG4_ONLY_DROPPED, EP_F_PMTU_BLACKHOLE, EP_F_COUNT };

static void
cite_large(struct ep_finding *f, const struct ep_target *t)
{
	for (int i = 0; i < t->nprobes; i++)
		if (t->probes[i].spec.subject == EP_SUBJ_LARGE &&
		    (t->probes[i].spec.role == EP_ROLE_LADDER ||
		    t->probes[i].spec.role == EP_ROLE_TCPSIZE))
			ep_finding_cite(f, &t->probes[i]);
}

static void
judge(struct ep_target *rt, const struct ep_report *r)
{
	struct large ru = large_of(rt, EP_UDP), rtc = large_of(rt, EP_TCP);
	const struct ep_target *auth_ok = NULL, *auth_loss = NULL;
	int signed_zone = 0;
	struct ep_finding *f;

	for (int i = 0; i < r->ntargets; i++) {
		const struct ep_target *a = &r->targets[i];
		struct large au = large_of(a, EP_UDP), at = large_of(a, EP_TCP);

		if (a->role != EP_ROLE_AUTH)
			continue;
		if (au.ok + at.ok > 0 && auth_ok == NULL)
			auth_ok = a;
		if (has_finding(a, udp_loss) && auth_loss == NULL)
			auth_loss = a;
		signed_zone |= au.rrsig + at.rrsig > 0;
	}
	if ((rt->base_rtt_ms >= 0 || rt->alive) && ru.ok + rtc.ok == 0 &&
	    auth_ok != NULL) {
		f = ep_finding_add(rt, EP_F_RESOLVER_UPSTREAM_FAILS, "The resolver answers%s, but not %s %s (%d SERVFAIL, %d "
		    "of %d unanswered over UDP and TCP), while its "
		    "authoritative server %s gives it to us directly: the loss "
		    "lies behind the resolver, on its path to the servers or "
		    "in its settings", rt->base_rtt_ms >= 0 ? "" :
		    " (other questions, with CD)", rt->name, rt->qtype_str,
		    ru.servfail + rtc.servfail, ru.asked + rtc.asked -
		    ru.ok - rtc.ok - ru.servfail - rtc.servfail,
		    ru.asked + rtc.asked, auth_ok->addr_str);
		ep_finding_advise(f, "Check the resolver's own path to the "
		    "authoritative servers for fragment and TCP drops (run "
		    "ednsprobe path from the resolver's host), set its EDNS "
		    "buffer to 1232 (Unbound edns-buffer-size, BIND "
		    "edns-udp-size) so large answers come over TCP instead of "
		    "in fragments, and allow it TCP/53 outbound.");
		cite_large(f, rt);
	} else if (rtc.ok > 0 && has_finding(rt, udp_loss)) {
		f = ep_finding_add(rt, EP_F_RESOLVER_PATH_LOSES, "The resolver has %s %s (it gave it over TCP), but large "
		    "UDP answers from it are lost: the loss lies between us "
		    "and the resolver", rt->name, rt->qtype_str);
		ep_finding_advise(f, "See the path findings of this address: "
		    "fix the fragment or size rule between this host and the "
		    "resolver, or make the resolver answer with at most 1232 "
		    "bytes over UDP so clients fall back to TCP.");
		cite_large(f, rt);
	} else if (ru.ok > 0 && auth_loss != NULL) {
		f = ep_finding_add(rt, EP_F_RESOLVER_COPES, "Large "
		    "answers from the authoritative server %s are lost on our "
		    "direct path, but the resolver delivers %s %s: it fetches "
		    "it another way (TCP, a smaller buffer) or over another "
		    "path", auth_loss->addr_str, rt->name, rt->qtype_str);
		ep_finding_advise(f, "Clients behind this resolver are not "
		    "hurt; the direct path's findings still stand for hosts "
		    "that ask the servers themselves.");
		cite_large(f, rt);
	}
	if (!signed_zone || ru.ok + rtc.ok == 0)
		return;
	if (ru.rrsig + rtc.rrsig == 0) {
		f = ep_finding_add(rt, EP_F_RESOLVER_NO_DO, "The "
		    "resolver drops the DNSSEC records of %s: no RRSIG in its "
		    "answers to DO queries, though the zone is signed",
		    rt->name);
		ep_finding_advise(f, "A resolver must return RRSIGs when DO is "
		    "set (RFC 4035 3.2.1): upgrade it or remove the middlebox "
		    "that strips them.");
		cite_large(f, rt);
	} else if (ru.ad + rtc.ad == 0) {
		f = ep_finding_add(rt, EP_F_RESOLVER_NOT_VALIDATING, "The resolver returns %s's signatures but never sets AD: "
		    "it does not validate this zone (no trust anchor, or "
		    "validation off)", rt->name);
		ep_finding_advise(f, "Enable DNSSEC validation with the root "
		    "trust anchor if clients rely on this resolver for it.");
		cite_large(f, rt);
	}
}

void
ep_resolver_verdict(struct ep_report *r, const char *no_comparison)
{
	for (int i = 0; i < r->ntargets; i++) {
		struct ep_target *t = &r->targets[i];

		if (t->role != EP_ROLE_RESOLVER)
			continue;
		if (no_comparison != NULL) {
			struct ep_finding *f = ep_finding_add(t,
			    EP_F_RESOLVER_NO_COMPARISON, "The "
			    "authoritative servers could not be asked "
			    "directly (%s): whether a failure lies before or "
			    "behind the resolver is not told", no_comparison);
			ep_finding_advise(f, "Give a NAME whose servers this "
			    "host can reach.");
		}
		judge(t, r);
	}
}
