/* probe/measure/comply.c: EDNS compliance tests (RFC 6891, RFC 1035 4.1.1, RFC
 * 7873): ISC's DNS compliance tester's queries and verdict words, DNS
 * cookies, and a re-ask over TCP that tells a server that ignores a query
 * from a path that drops it. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "engine/log.h"
#include "measure/comply.h"
#include "measure/measures.h"
#include "measure/finding.h"
#include "measure/plan.h"
#include "engine/query.h"
#include "measure/verdict.h"

#define TYPE_SOA	6
#define TYPE_DNSKEY	48
#define TYPE_666	666
#define RCODE_NOERROR	0
#define RCODE_NOTIMP	4
#define RCODE_BADVERS	16
#define RCODE_BADCOOKIE	23
#define OPT_NSID	3
#define OPT_SUBNET	8
#define OPT_EXPIRE	9
#define OPT_COOKIE	EP_OPT_COOKIE
#define OPT_UNKNOWN	100	/* the tester's unknown option */
#define EDNS_UNKNOWN_FLAG 0x0080	/* the tester's unknown EDNS flag */

/* Which set a test belongs to. */
enum {
	G_EDNS = 1,	/* the tester's default set */
	G_FULL = 2,	/* its -f set (with --full) */
	G_OURS = 4,	/* not the tester's: cookies (RFC 7873) */
	G_NEXT = 8,	/* a follow-up, planned by ep_comply_next */
	G_PSEUDO = 16,	/* no query: "signed" reads "do" */
};

/* The EDNS options a test sends, in wire form (RFC 6891 6.1.2). */
enum opts {
	O_NONE, O_UNKNOWN, O_NSID, O_SUBNET, O_EXPIRE, O_COOKIE8, O_LIST,
	O_COOKIE, O_COOKIE_ECHO, O_COOKIE_BAD,
};

static const struct {
	const uint8_t	*bytes;
	size_t		 len;
} opt_bytes[] = {
	[O_NONE] = { NULL, 0 },
	[O_UNKNOWN] = { (const uint8_t[]){ 0, OPT_UNKNOWN, 0, 0 }, 4 },
	[O_NSID] = { (const uint8_t[]){ 0, OPT_NSID, 0, 0 }, 4 },
	/* family 1, source and scope prefix 0: no address */
	[O_SUBNET] = { (const uint8_t[]){ 0, OPT_SUBNET, 0, 4, 0, 1, 0, 0 },
	    8 },
	[O_EXPIRE] = { (const uint8_t[]){ 0, OPT_EXPIRE, 0, 0 }, 4 },
	[O_COOKIE8] = { (const uint8_t[]){ 0, OPT_COOKIE, 0, 8,
	    1, 2, 3, 4, 5, 6, 7, 8 }, 12 },
	[O_LIST] = { (const uint8_t[]){ 0, OPT_NSID, 0, 0,
	    0, OPT_SUBNET, 0, 4, 0, 1, 0, 0, 0, OPT_EXPIRE, 0, 0,
	    0, OPT_COOKIE, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8 }, 28 },
	/* Our cookies: made per run (put_cookie). */
	[O_COOKIE] = { NULL, 0 },
	[O_COOKIE_ECHO] = { NULL, 0 },
	[O_COOKIE_BAD] = { NULL, 0 },
};

struct ctest {
	const char	*name;
	unsigned	 group;
	uint16_t	 qtype;
	uint16_t	 hdr;		/* header bits the query sets */
	uint8_t		 opcode;
	uint8_t		 edns;
	uint8_t		 version;
	uint16_t	 bufsize;
	uint8_t		 dnssec;
	uint16_t	 eflags;	/* EDNS flags besides DO */
	enum opts	 opts;
	enum ep_transport transport;
	uint8_t		 ign_tc;	/* TC is no reason to ask again */
	uint8_t		 ck;		/* the tester's cookie tests */
};

#define E(v, sz, d, fl, op)	1, v, sz, d, fl, op
#define NOEDNS			0, 0, 0, 0, 0, O_NONE

/*
 * Every test in the tester's output order (its -f order; the default set
 * is the G_EDNS ones), then ours.  Queries as genreport.c sends them,
 * with two exceptions that follow its documentation instead: "aa" sets
 * AA, and "edns@512" sets DO (both as in ednscomp's dig commands).
 */
static const struct ctest tests[] = {
	{ "dns", G_EDNS, TYPE_SOA, 0, 0, NOEDNS, EP_UDP, 0, 0 },
	{ "aa", G_FULL, TYPE_SOA, EP_DNS_AA, 0, NOEDNS, EP_UDP, 0, 0 },
	{ "ad", G_FULL, TYPE_SOA, EP_DNS_AD, 0, NOEDNS, EP_UDP, 0, 0 },
	{ "cd", G_FULL, TYPE_SOA, EP_DNS_CD, 0, NOEDNS, EP_UDP, 0, 0 },
	{ "ra", G_FULL, TYPE_SOA, EP_DNS_RA, 0, NOEDNS, EP_UDP, 0, 0 },
	{ "rd", G_FULL, TYPE_SOA, EP_DNS_RD, 0, NOEDNS, EP_UDP, 0, 0 },
	{ "tc", G_FULL, TYPE_SOA, EP_DNS_TC, 0, NOEDNS, EP_UDP, 0, 0 },
	{ "zflag", G_FULL, TYPE_SOA, EP_DNS_Z, 0, NOEDNS, EP_UDP, 0, 0 },
	{ "opcode", G_FULL, 0, 0, 15, NOEDNS, EP_UDP, 0, 0 },
	{ "opcodeflg", G_FULL, 0, EP_DNS_TC | EP_DNS_RD | EP_DNS_RA |
	    EP_DNS_Z | EP_DNS_AD | EP_DNS_CD, 15, NOEDNS, EP_UDP, 0, 0 },
	{ "type666", G_FULL, TYPE_666, 0, 0, NOEDNS, EP_UDP, 0, 0 },
	{ "tcp", G_FULL, TYPE_SOA, 0, 0, NOEDNS, EP_TCP, 0, 0 },
	{ "edns", G_EDNS, TYPE_SOA, 0, 0, E(0, 4096, 0, 0, O_NONE), EP_UDP,
	    0, 0 },
	{ "edns1", G_EDNS, TYPE_SOA, 0, 0, E(1, 4096, 0, 0, O_NONE), EP_UDP,
	    0, 0 },
	{ "edns@512", G_EDNS, TYPE_DNSKEY, 0, 0, E(0, 512, 1, 0, O_NONE),
	    EP_UDP, 1, 0 },
	{ "ednsopt", G_EDNS, TYPE_SOA, 0, 0, E(0, 4096, 0, 0, O_UNKNOWN),
	    EP_UDP, 0, 0 },
	{ "edns1opt", G_EDNS, TYPE_SOA, 0, 0, E(1, 4096, 0, 0, O_UNKNOWN),
	    EP_UDP, 0, 0 },
	{ "do", G_EDNS, TYPE_SOA, 0, 0, E(0, 4096, 1, 0, O_NONE), EP_UDP,
	    0, 0 },
	{ "docd", G_FULL, TYPE_SOA, EP_DNS_CD, 0, E(0, 4096, 1, 0, O_NONE),
	    EP_UDP, 0, 0 },
	{ "edns1do", G_FULL, TYPE_SOA, 0, 0, E(1, 4096, 1, 0, O_NONE),
	    EP_UDP, 0, 0 },
	{ "ednsflags", G_EDNS, TYPE_SOA, 0, 0, E(0, 4096, 0,
	    EDNS_UNKNOWN_FLAG, O_NONE), EP_UDP, 0, 0 },
	{ "optlist", G_EDNS, TYPE_SOA, 0, 0, E(0, 4096, 0, 0, O_LIST),
	    EP_UDP, 0, 1 },
	{ "ednsnsid", G_FULL, TYPE_SOA, 0, 0, E(0, 4096, 0, 0, O_NSID),
	    EP_UDP, 0, 0 },
	{ "ednscookie", G_FULL, TYPE_SOA, 0, 0, E(0, 4096, 0, 0, O_COOKIE8),
	    EP_UDP, 0, 1 },
	{ "ednsexpire", G_FULL, TYPE_SOA, 0, 0, E(0, 4096, 0, 0, O_EXPIRE),
	    EP_UDP, 0, 0 },
	{ "ednssubnet", G_FULL, TYPE_SOA, 0, 0, E(0, 4096, 0, 0, O_SUBNET),
	    EP_UDP, 0, 0 },
	{ "edns1nsid", G_FULL, TYPE_SOA, 0, 0, E(1, 4096, 0, 0, O_NSID),
	    EP_UDP, 0, 0 },
	{ "edns1cookie", G_FULL, TYPE_SOA, 0, 0, E(1, 4096, 0, 0, O_COOKIE8),
	    EP_UDP, 0, 1 },
	{ "edns1expire", G_FULL, TYPE_SOA, 0, 0, E(1, 4096, 0, 0, O_EXPIRE),
	    EP_UDP, 0, 0 },
	{ "edns1subnet", G_FULL, TYPE_SOA, 0, 0, E(1, 4096, 0, 0, O_SUBNET),
	    EP_UDP, 0, 0 },
	{ "signed", G_EDNS | G_PSEUDO, 0, 0, 0, NOEDNS, EP_UDP, 0, 0 },
	{ "ednstcp", G_EDNS, TYPE_DNSKEY, 0, 0, E(0, 512, 1, 0, O_NONE),
	    EP_TCP, 0, 0 },
	/* RFC 7873: a client cookie alone; the server cookie sent back; a
	 * wrong server cookie (5.2.4: a fresh one, or BADCOOKIE with it). */
	{ "cookie", G_OURS, TYPE_SOA, 0, 0, E(0, 1232, 0, 0, O_COOKIE),
	    EP_UDP, 0, 0 },
	{ "cookie-echo", G_OURS | G_NEXT, TYPE_SOA, 0, 0, E(0, 1232, 0, 0,
	    O_COOKIE_ECHO), EP_UDP, 0, 0 },
	{ "cookie-bad", G_OURS | G_NEXT, TYPE_SOA, 0, 0, E(0, 1232, 0, 0,
	    O_COOKIE_BAD), EP_UDP, 0, 0 },
};

#define NTESTS	((int)(sizeof(tests) / sizeof(tests[0])))

extern const struct ep_measure ep_measure_comply;

/* No test graded: what a target without compliance tests reads. */
static const struct ep_comply_set no_tests;

const struct ep_comply_set *
ep_comply_results(const struct ep_target *t)
{
	const struct ep_comply_set *cs = ep_target_result(t,
	    &ep_measure_comply);

	return cs != NULL ? cs : &no_tests;
}

const char *
ep_cause_str(enum ep_cause c)
{
	switch (c) {
	case EP_CAUSE_NONE:	return "none";
	case EP_CAUSE_PATH:	return "path";
	case EP_CAUSE_SERVER:	return "server";
	case EP_CAUSE_UNKNOWN:	return "unknown";
	case EP_CAUSE_REPLIES:	return "replies";
	}
	return "unknown";
}

static int
test_index(const char *name)
{
	for (int i = 0; i < NTESTS; i++)
		if (strcmp(tests[i].name, name) == 0)
			return i;
	return -1;
}

/* The client cookie a query sent (the first 8 bytes of its COOKIE
 * option), or NULL: graded against what was sent, so a capture's
 * queries are graded like our own. */
static const uint8_t *
sent_cookie(const struct ep_probe_spec *s)
{
	for (size_t at = 0; at + 4 <= s->opts_len;) {
		uint16_t code = (uint16_t)(s->opts[at] << 8 | s->opts[at + 1]);
		size_t len = (size_t)(s->opts[at + 2] << 8 | s->opts[at + 3]);

		if (at + 4 + len > s->opts_len)
			break;
		if (code == OPT_COOKIE && len >= 8)
			return s->opts + at + 4;
		at += 4 + len;
	}
	return NULL;
}

static struct ep_probe_spec *
add_test(struct ep_target *t, int *next_id, const uint8_t *apex,
    size_t apex_len, int k, enum ep_role role, int rmode)
{
	const struct ctest *ct = &tests[k];
	struct ep_probe_spec *s = ep_plan_new_probe(t, next_id);

	if (s == NULL)
		return NULL;
	s->ctest = (uint8_t)(k + 1);
	s->transport = ct->transport;
	s->role = role;
	s->subject = ct->qtype == TYPE_DNSKEY ? EP_SUBJ_LARGE : EP_SUBJ_SMALL;
	s->opcode = ct->opcode;
	s->no_question = ct->opcode != 0;
	memcpy(s->qname, apex, apex_len);
	s->qname_len = apex_len;
	s->qtype = ct->qtype;
	s->rmode = (uint8_t)rmode;
	s->hdr_flags = (uint16_t)(ct->hdr | (rmode && ct->opcode == 0 ?
	    EP_DNS_RD : 0));
	s->recurse = (s->hdr_flags & EP_DNS_RD) != 0;
	s->edns = ct->edns;
	s->bufsize = ct->bufsize;
	s->dnssec_ok = ct->dnssec;
	s->edns_version = ct->version;
	s->edns_flags = ct->eflags;
	if (ct->opts == O_COOKIE)
		ep_query_put_cookie(s, NULL, 0);	/* the follow-ups add theirs */
	else if (opt_bytes[ct->opts].len > 0) {
		memcpy(s->opts, opt_bytes[ct->opts].bytes,
		    opt_bytes[ct->opts].len);
		s->opts_len = (uint8_t)opt_bytes[ct->opts].len;
	}
	return s;
}

int
ep_plan_comply(const struct ep_options *o, struct ep_target *t,
    int *next_id, struct ep_err *err)
{
	unsigned want = G_EDNS | G_OURS | (o->full ? G_FULL : 0);

	for (int k = 0; k < NTESTS; k++) {
		const struct ctest *ct = &tests[k];
		/* Alone, dns and edns are the baselines; in path, its own. */
		int base = o->cmd == EP_CMD_COMPLY &&
		    (strcmp(ct->name, "dns") == 0 ||
		    strcmp(ct->name, "edns") == 0);

		if (!(ct->group & want) || (ct->group & (G_NEXT | G_PSEUDO)))
			continue;
		if (add_test(t, next_id, o->qname, o->qname_len, k, base ?
		    EP_ROLE_BASE : EP_ROLE_COMPLY, o->resolver) == NULL)
			return ep_err_set(err, EP_EINTERNAL, "more than %d "
			    "probes", EP_PROBES_MAX);
	}
	return 0;
}

static int
answered(const struct ep_probe_record *r)
{
	return r->res.outcome == EP_OUT_ANSWER ||
	    r->res.outcome == EP_OUT_TRUNCATED ||
	    (r->res.outcome == EP_OUT_MALFORMED &&
	    r->res.reply.status == EP_DNS_OK);
}

/* The record of test k (not its re-ask), or NULL when it did not run. */
static const struct ep_probe_record *
test_probe(const struct ep_target *t, int k, enum ep_role not_role)
{
	for (int i = 0; i < t->nprobes; i++)
		if (t->probes[i].spec.ctest == k + 1 &&
		    t->probes[i].spec.role != not_role)
			return &t->probes[i];
	return NULL;
}

int
ep_comply_next(struct ep_target *t, int *next_id)
{
	const struct ep_probe_record *ck;
	int any = 0, n = t->nprobes, added = 0, k;

	for (int i = 0; i < n; i++)
		any |= t->probes[i].spec.ctest != 0 && answered(&t->probes[i]);
	if (!any)
		return 0;	/* a dead server: asking again tells nothing */
	for (int i = 0; i < n; i++) {
		struct ep_probe_record *r = &t->probes[i];
		struct ep_probe_spec *s;
		int id;

		/* No answer; or TC where the tester follows it over TCP. */
		if (r->spec.ctest == 0 || r->spec.transport != EP_UDP ||
		    (r->res.outcome != EP_OUT_TIMEOUT &&
		    (r->res.outcome != EP_OUT_TRUNCATED ||
		    tests[r->spec.ctest - 1].ign_tc)))
			continue;
		if ((s = ep_plan_new_probe(t, next_id)) == NULL)
			break;
		id = s->id;
		*s = r->spec;
		s->id = id;
		s->transport = EP_TCP;
		s->role = EP_ROLE_RECHECK;
		added++;
	}
	k = test_index("cookie");
	ck = test_probe(t, k, EP_ROLE_RECHECK);
	if (ck && answered(ck) && ck->res.reply.edns_cookie_len >= 16 &&
	    sent_cookie(&ck->spec) != NULL &&
	    memcmp(ck->res.reply.edns_cookie, sent_cookie(&ck->spec), 8) ==
	    0) {
		const struct ep_dns_msg *m = &ck->res.reply;
		uint8_t wrong[8];
		struct ep_probe_spec *s;

		if ((s = add_test(t, next_id, ck->spec.qname,
		    ck->spec.qname_len, test_index("cookie-echo"),
		    EP_ROLE_COMPLY, ck->spec.rmode)) != NULL) {
			ep_query_put_cookie(s, m->edns_cookie + 8,
			    m->edns_cookie_len - 8);
			added++;
		}
		/* A server cookie it cannot have made: ours, inverted. */
		for (int i = 0; i < 8; i++)
			wrong[i] = (uint8_t)~m->edns_cookie[8 + i];
		if ((s = add_test(t, next_id, ck->spec.qname,
		    ck->spec.qname_len, test_index("cookie-bad"),
		    EP_ROLE_COMPLY, ck->spec.rmode)) != NULL) {
			ep_query_put_cookie(s, wrong, sizeof(wrong));
			added++;
		}
	}
	return added;
}

/* ------------------------------------------------------------ analyze */

/* The option codes and lengths of a spec's options; their number. */
static int
spec_opts(const struct ep_probe_spec *s, uint16_t *codes, uint16_t *lens,
    int max)
{
	int n = 0;

	for (size_t at = 0; at + 4 <= s->opts_len && n < max; n++) {
		codes[n] = (uint16_t)(s->opts[at] << 8 | s->opts[at + 1]);
		lens[n] = (uint16_t)(s->opts[at + 2] << 8 | s->opts[at + 3]);
		at += 4 + (size_t)lens[n];
	}
	return n;
}

/* Whether query s has the shape of test ct (the transport aside); rmode:
 * as the tester's -R sends it, RD set on every query. */
static int
same_shape(const struct ctest *ct, const struct ep_probe_spec *s, int rmode)
{
	uint16_t c1[EP_EDNS_OPTS_MAX], l1[EP_EDNS_OPTS_MAX];
	uint16_t c2[EP_EDNS_OPTS_MAX], l2[EP_EDNS_OPTS_MAX];
	struct ep_probe_spec want = { 0 };
	int n1, n2;

	uint16_t hdr = (uint16_t)(ct->hdr | (rmode && ct->opcode == 0 ?
	    EP_DNS_RD : 0));

	if (ct->group & G_PSEUDO || s->opcode != ct->opcode ||
	    s->hdr_flags != hdr || s->edns != ct->edns)
		return 0;
	if (ct->opcode != 0)
		return s->no_question;
	if (s->qtype != ct->qtype || s->no_question)
		return 0;
	if (!ct->edns)
		return 1;
	if (s->edns_version != ct->version || s->bufsize != ct->bufsize ||
	    s->dnssec_ok != ct->dnssec || s->edns_flags != ct->eflags)
		return 0;
	/* Our cookie tests: one COOKIE, client only or with a server's. */
	if (ct->opts >= O_COOKIE) {
		n1 = spec_opts(s, c1, l1, EP_EDNS_OPTS_MAX);
		return n1 == 1 && c1[0] == OPT_COOKIE && (ct->opts ==
		    O_COOKIE ? l1[0] == 8 : l1[0] >= 16 && l1[0] <= 40);
	}
	memcpy(want.opts, opt_bytes[ct->opts].bytes ? opt_bytes[ct->opts].
	    bytes : (const uint8_t *)"", opt_bytes[ct->opts].len);
	want.opts_len = (uint8_t)opt_bytes[ct->opts].len;
	n1 = spec_opts(s, c1, l1, EP_EDNS_OPTS_MAX);
	n2 = spec_opts(&want, c2, l2, EP_EDNS_OPTS_MAX);
	if (n1 != n2)
		return 0;
	for (int i = 0; i < n1; i++)
		if (c1[i] != c2[i] || l1[i] != l2[i])
			return 0;
	return 1;
}

/* The test a query of a capture is, by shape and transport, or -1.  A
 * test already taken (its first query) makes a TCP twin a re-ask. */
static int
identify(const struct ep_probe_spec *s, const int *taken,
    const uint8_t *server_cookie, size_t sc_len, int rmode,
    enum ep_role *role)
{
	int udp_twin = -1;

	for (int k = 0; k < NTESTS; k++) {
		const struct ctest *ct = &tests[k];

		if (!same_shape(ct, s, rmode))
			continue;
		if (ct->opts == O_COOKIE_ECHO || ct->opts == O_COOKIE_BAD) {
			/* Echo: the server cookie the cookie test got. */
			int echo = sc_len > 8 && s->opts_len >= 4 + sc_len &&
			    memcmp(s->opts + 4 + 8, server_cookie + 8,
			    sc_len - 8) == 0;

			if (echo != (ct->opts == O_COOKIE_ECHO))
				continue;
		}
		if (ct->transport == s->transport && !taken[k]) {
			*role = strcmp(ct->name, "dns") == 0 ||
			    strcmp(ct->name, "edns") == 0 ? EP_ROLE_BASE :
			    EP_ROLE_COMPLY;
			return k;
		}
		if (ct->transport == EP_UDP && s->transport == EP_TCP &&
		    taken[k] && udp_twin == -1)
			udp_twin = k;
	}
	*role = EP_ROLE_RECHECK;
	return udp_twin;
}

/* One pass of naming t's probes (rmode: as -R sends them); the number of
 * tests found, and whether one goes beyond plain EDNS. */
static int
identify_pass(const struct ep_target *t, int rmode, int *kind,
    enum ep_role *role, int *beyond)
{
	int taken[NTESTS] = { 0 };
	const uint8_t *sc = NULL;
	size_t sc_len = 0;
	int seen = 0;

	*beyond = 0;
	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];
		const struct ctest *ct;

		kind[i] = r->spec.transport == EP_RAW ? -1 : identify(&r->spec,
		    taken, sc, sc_len, rmode, &role[i]);
		if (kind[i] < 0 || role[i] == EP_ROLE_RECHECK)
			continue;
		ct = &tests[kind[i]];
		taken[kind[i]] = 1;
		seen++;
		*beyond |= ct->version != 0 || ct->opts != O_NONE ||
		    ct->eflags != 0 || ct->opcode != 0 ||
		    (ct->group & G_FULL);
		if (ct->opts == O_COOKIE && answered(r) &&
		    r->res.reply.edns_cookie_len >= 16) {
			sc = r->res.reply.edns_cookie;
			sc_len = r->res.reply.edns_cookie_len;
		}
	}
	return seen;
}

int
ep_comply_identify(struct ep_target *t)
{
	static int kinds[2][EP_PROBES_MAX];
	static enum ep_role roles[2][EP_PROBES_MAX];
	int seen[2], beyond[2], rmode, full = 0;
	const int *kind;
	const enum ep_role *role;

	/* As sent by default, or as the tester's -R sends them: whichever
	 * names more of the queries. */
	for (int m = 0; m <= 1; m++)
		seen[m] = identify_pass(t, m, kinds[m], roles[m], &beyond[m]);
	rmode = seen[0] < seen[1];
	kind = kinds[rmode];
	role = roles[rmode];
	if (seen[rmode] < 3 || !beyond[rmode])
		return 0;
	/* One header test alone is path's own query (SOA with RD looks like
	 * "rd"): the -f set is there when several are. */
	for (int i = 0; i < t->nprobes; i++)
		full += kind[i] >= 0 && role[i] != EP_ROLE_RECHECK &&
		    (tests[kind[i]].group & G_FULL);
	for (int i = 0; i < t->nprobes; i++) {
		if (kind[i] < 0 || (full < 2 &&
		    (tests[kind[i]].group & G_FULL)))
			continue;
		t->probes[i].spec.ctest = (uint8_t)(kind[i] + 1);
		t->probes[i].spec.role = role[i];
		t->probes[i].spec.rmode = (uint8_t)rmode;
	}
	return 1;
}

/* ------------------------------------------------------------ grading */

struct words {
	char	*buf;
	size_t	 len;
	int	 n;
};

static void
word(struct words *w, const char *s)
{
	size_t at = strlen(w->buf);

	snprintf(w->buf + at, w->len - at, "%s%s", w->n++ ? "," : "", s);
}

static void
rcode_word(struct words *w, uint16_t rcode)
{
	char buf[16];

	ep_dns_rcode_str(rcode, buf, sizeof(buf));
	for (char *p = buf; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	word(w, buf);
}

/* The tester's words for an ICMP error about the query. */
static const char *
icmp_word(const struct ep_probe_result *res, int family)
{
	static const char *v4[] = {
		"net-unreachable", "host-unreachable", "proto-unreachable",
		"port-unreachable", "need-frag", "source-fail", "net-unknown",
		"host-unknown", "isolated", "net-prohibited",
		"host-prohibited", "net-tos", "host-tos", "filter-prohibited",
	};
	static const char *v6[] = {
		"unreachable-noroute", "unreachable-admin",
		"unreachable-scope", "unreachable-address", "unreachable-port",
	};

	if (family == 4 && res->icmp_type == 3 && res->icmp_code >= 0 &&
	    res->icmp_code < (int)(sizeof(v4) / sizeof(v4[0])))
		return v4[res->icmp_code];
	if (family == 6 && res->icmp_type == 1 && res->icmp_code >= 0 &&
	    res->icmp_code < (int)(sizeof(v6) / sizeof(v6[0])))
		return v6[res->icmp_code];
	if (res->icmp_type == 11 || res->icmp_type == 3)
		return family == 4 && res->icmp_type == 11 ?
		    "time-exceeded" : "unreachable";
	return "unreachable";
}

/* No DNS reply: what happened instead, in the tester's words. */
static const char *
failure_word(const struct ep_probe_record *r, int family)
{
	switch (r->res.outcome) {
	case EP_OUT_TIMEOUT:	return "timeout";
	case EP_OUT_ICMP:	return icmp_word(&r->res, family);
	case EP_OUT_RESET:
		return r->res.connected ? "reset" : "connection-refused";
	case EP_OUT_NOANSWER:	return r->res.peer_closed ? "eof" : "timeout";
	case EP_OUT_MALFORMED:	return "malformed";
	case EP_OUT_ERROR:	return "failed";
	case EP_OUT_INTERRUPTED: return "interrupted";
	case EP_OUT_UNKNOWN:	return "unknown";
	default:		return "skipped";
	}
}

static int
has_option(const struct ep_dns_msg *m, uint16_t code, int min_len,
    int max_len)
{
	int n = m->edns_options < EP_EDNS_OPTS_MAX ? m->edns_options :
	    EP_EDNS_OPTS_MAX;

	for (int i = 0; i < n; i++)
		if (m->edns_opt[i].code == code &&
		    (int)m->edns_opt[i].len >= min_len &&
		    (int)m->edns_opt[i].len <= max_len)
			return 1;
	return 0;
}

/*
 * The tester's checks of one reply, in its order (genreport.c): each
 * failed check adds its word; none failed is "ok"; then information
 * that never fails a test (nsid, expire, cookie, subnet).
 */
static int
grade_reply(const struct ctest *ct, const struct ep_probe_spec *s,
    const struct ep_dns_msg *m, struct words *w)
{
	int opt = m->opt_count > 0, v = s->edns_version, op = s->opcode;
	int R = s->rmode, bad;
	int sent_do = s->edns && s->dnssec_ok;
	uint16_t f = m->flags, rc = m->rcode;
	/* RFC 7873 4: a server cookie is 8..32 bytes after our 8. */
	const uint8_t *ours = sent_cookie(s);
	int cookie = m->edns_cookie_len >= 16 && m->edns_cookie_len <= 40;
	int good_cookie = cookie && ours &&
	    memcmp(m->edns_cookie, ours, 8) == 0;

	if (op != 0) {
		if (m->qdcount)
			word(w, "non-empty-question-section");
		if (m->ancount)
			word(w, "non-empty-answer-section");
		if (m->nscount)
			word(w, "non-empty-authority-section");
		if (m->arcount)
			word(w, "non-empty-additional-section");
	}
	if (v == 0 && op == 0 && rc != RCODE_NOERROR &&
	    !(ct->ck && rc == RCODE_BADCOOKIE && cookie))
		rcode_word(w, rc);
	else if (v == 0 && op != 0 && rc != RCODE_NOTIMP)
		rcode_word(w, rc);
	if (v != 0 && rc != RCODE_BADVERS)
		rcode_word(w, rc);
	if (opt && m->edns_version != 0)
		word(w, "version-not-zero");
	if (opt && ((m->edns_version < v && rc != RCODE_BADVERS) ||
	    (m->edns_version >= v && rc == RCODE_BADVERS)))
		word(w, "badversion");
	if (s->edns && !opt)
		word(w, "noopt");
	if (!s->edns && opt)
		word(w, "opt");
	if (s->qtype == TYPE_SOA && v == 0 && !ct->ign_tc &&
	    rc == RCODE_NOERROR && !m->an_soa)
		word(w, "nosoa");
	if (s->qtype == TYPE_SOA && m->an_soa && (v != 0 ||
	    rc != RCODE_NOERROR))
		word(w, "soa");
	if (has_option(m, OPT_UNKNOWN, 0, 65535))
		word(w, "echoed");
	if (sent_do && opt && !(m->edns_flags & EP_DNS_EDNS_DO) &&
	    m->an_rrsig)
		word(w, "nodo");
	if (sent_do && (s->hdr_flags & EP_DNS_CD) &&
	    (m->edns_flags & EP_DNS_EDNS_DO) && !(f & EP_DNS_CD) &&
	    m->an_rrsig)
		word(w, "nocd");
	if (!R && !(f & EP_DNS_AA) && v == 0 && rc == RCODE_NOERROR &&
	    op == 0)
		word(w, "noaa");
	if ((f & EP_DNS_AA) && (op != 0 || R))
		word(w, "aa");
	if ((f & EP_DNS_RA) && op != 0)
		word(w, "ra");
	if (!R && (f & EP_DNS_RD) && (op != 0 || !(ct->hdr & EP_DNS_RD)))
		word(w, "rd");
	if (!(f & EP_DNS_RD) && ((ct->hdr & EP_DNS_RD) || R) && op == 0)
		word(w, "nord");
	if ((f & EP_DNS_AD) && (op != 0 || (!(s->hdr_flags & EP_DNS_AD) &&
	    !sent_do)))
		word(w, "ad");
	if ((f & EP_DNS_CD) && (op != 0 || !(s->hdr_flags & EP_DNS_CD)))
		word(w, "cd");
	if (f & EP_DNS_Z)
		word(w, "z");
	if (opt && (m->edns_flags & 0x7fff))
		word(w, "mbz");
	if (ct->ign_tc && m->length > (s->edns ? s->bufsize : 512u))
		word(w, "toobig");
	/* A wrong server cookie fails a cookie test, but its word comes
	 * with the information, as the tester writes it. */
	bad = w->n > 0 || (ct->ck && cookie && !good_cookie);
	if (!bad)
		word(w, "ok");
	if (has_option(m, OPT_NSID, 1, 65535))
		word(w, "nsid");
	if (has_option(m, OPT_EXPIRE, 4, 4))
		word(w, "expire");
	if (cookie && !ct->ck)
		word(w, "cookie");
	else if (cookie && good_cookie)
		word(w, rc == RCODE_BADCOOKIE ? "cookie+badcookie" : "cookie");
	else if (cookie)
		word(w, rc == RCODE_BADCOOKIE ? "cookie-mismatch+badcookie" :
		    "cookie-mismatch");
	if (has_option(m, OPT_SUBNET, 0, 65535))
		word(w, "subnet");
	return !bad;
}

/*
 * Our cookie tests (RFC 7873): "cookie" wants a server cookie behind our
 * client cookie ("nocookie" is no failure: cookies are optional);
 * "cookie-echo" wants the exchange accepted and a cookie again;
 * "cookie-bad" wants a fresh server cookie, NOERROR or BADCOOKIE (5.2.4).
 */
static int
grade_cookie(const struct ctest *ct, const struct ep_probe_spec *s,
    const struct ep_dns_msg *m, struct words *w)
{
	const uint8_t *sent = sent_cookie(s);
	size_t n = m->edns_cookie_len;
	int ours = n >= 8 && sent && memcmp(m->edns_cookie, sent, 8) == 0;
	int fine;

	if (ct->opts == O_COOKIE_BAD ? m->rcode != RCODE_NOERROR &&
	    m->rcode != RCODE_BADCOOKIE : m->rcode != RCODE_NOERROR)
		rcode_word(w, m->rcode);
	if (n == 0)
		word(w, "nocookie");
	else if (n < 16 || n > 40)
		word(w, "cookie-badlen");
	else if (!ours)
		word(w, "cookie-mismatch");
	else if (ct->opts == O_COOKIE_BAD && sent && s->opts_len >= 20 &&
	    memcmp(m->edns_cookie + 8, sent + 8, 8) == 0)
		word(w, "cookie-echoed");	/* took the wrong one back */
	fine = w->n == 0 || (ct->opts == O_COOKIE && w->n == 1 && n == 0);
	if (w->n == 0)
		word(w, "ok");
	if (m->rcode == RCODE_BADCOOKIE && fine)
		word(w, "badcookie");
	return fine;
}

static int
grade(const struct ctest *ct, const struct ep_probe_record *r, int family,
    char *buf, size_t len)
{
	struct words w = { buf, len, 0 };

	buf[0] = '\0';
	if (!answered(r)) {
		word(&w, failure_word(r, family));
		return 0;
	}
	if (ct->group & G_OURS)
		return grade_cookie(ct, &r->spec, &r->res.reply, &w);
	return grade_reply(ct, &r->spec, &r->res.reply, &w);
}

/* ----------------------------------------------------------- findings */

/* What a test's query carries that a filter may object to. */
static const char *
feature(const struct ctest *ct)
{
	if (ct->opts != O_NONE)
		return "EDNS options";
	if (ct->version != 0)
		return "EDNS version 1";
	if (ct->eflags != 0)
		return "an unknown EDNS flag";
	if (ct->edns && ct->dnssec)
		return "the DO bit";
	if (ct->edns)
		return "EDNS";
	if (ct->opcode != 0)
		return "an unknown opcode";
	if (ct->hdr != 0)
		return "unusual header flags";
	if (ct->qtype == TYPE_666)
		return "an unknown type";
	return "no EDNS (plain DNS)";
}

/*
 * The tests of t whose result satisfies pred: "test=words" for a summary
 * into buf, what their queries carry (distinct, "EDNS options or EDNS
 * version 1") into what, each probe cited in f; returns how many.
 */
static int
list_tests(struct ep_target *t, struct ep_finding *f, char *buf, size_t len,
    char *what, size_t wlen, int (*pred)(const struct ep_comply_result *))
{
	const struct ep_comply_set *cs = ep_comply_results(t);
	const char *seen[EP_COMPLY_MAX];
	size_t at = 0, wat = 0;
	int n = 0, nseen = 0;

	buf[0] = '\0';
	what[0] = '\0';
	for (int i = 0; i < cs->n; i++) {
		const struct ep_comply_result *c = &cs->r[i];
		const char *ft;
		int dup = 0;

		if (!pred(c))
			continue;
		n++;
		at += (size_t)snprintf(buf + at, at < len ? len - at : 0,
		    "%s%s=%s", at ? " " : "", c->test, c->words);
		if (c->probe < 0)
			continue;
		ep_finding_cite(f, &t->probes[c->probe]);
		if (c->recheck >= 0)
			ep_finding_cite(f, &t->probes[c->recheck]);
		ft = feature(&tests[t->probes[c->probe].spec.ctest - 1]);
		for (int k = 0; k < nseen; k++)
			dup |= seen[k] == ft;
		if (dup)
			continue;
		seen[nseen++] = ft;
		wat += (size_t)snprintf(what + wat, wat < wlen ? wlen - wat :
		    0, "%s%s", wat ? " or " : "", ft);
	}
	if (at >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
	return n;
}

static int
is_path(const struct ep_comply_result *c)
{
	return c->cause == EP_CAUSE_PATH;
}

static int
is_server_drop(const struct ep_comply_result *c)
{
	return c->cause == EP_CAUSE_SERVER;
}

static int
is_unknown_drop(const struct ep_comply_result *c)
{
	return c->cause == EP_CAUSE_UNKNOWN;
}

/* Failed, and not for want of an answer (path, or silence): replies
 * that were wrong or no answer at all.  "signed" repeats do. */
static int
is_fault(const struct ep_comply_result *c)
{
	return !c->ok && (c->cause == EP_CAUSE_NONE ||
	    c->cause == EP_CAUSE_REPLIES) &&
	    strcmp(c->test, "signed") != 0 &&
	    strcmp(c->words, "skipped") != 0 &&
	    strcmp(c->words, "interrupted") != 0;
}

/* The evidence list_tests gathered in a scratch finding, into f. */
static void
take_evidence(struct ep_finding *f, const struct ep_finding *scratch)
{
	memcpy(f->probes, scratch->probes, sizeof(f->probes));
	f->nprobes = scratch->nprobes;
	memcpy(f->frames, scratch->frames, sizeof(f->frames));
	f->nframes = scratch->nframes;
}

static void
findings(struct ep_target *t)
{
	const struct ep_comply_set *cs = ep_comply_results(t);
	struct ep_finding scratch, *f;
	char list[200], what[160];
	int n = 0, bad;

	for (int i = 0; i < cs->n; i++)
		n += cs->r[i].genreport;
	memset(&scratch, 0, sizeof(scratch));
	if (list_tests(t, &scratch, list, sizeof(list), what, sizeof(what),
	    is_path) > 0) {
		f = ep_finding_add(t, EP_F_COMPLY_PATH_DROPS, "Queries with %s get no answer over UDP but do over TCP: "
		    "dropped on the path (or by the server's UDP handling): "
		    "%s", what, list);
		take_evidence(f, &scratch);
		ep_finding_advise(f, "Look for a DNS-aware firewall or "
		    "load balancer between here and %s that filters UDP DNS "
		    "by content, and let EDNS (RFC 6891) through unchanged; "
		    "if there is none, the server drops these over UDP only.",
		    t->addr_str);
	}
	memset(&scratch, 0, sizeof(scratch));
	if (list_tests(t, &scratch, list, sizeof(list), what, sizeof(what),
	    is_server_drop) > 0) {
		f = ep_finding_add(t, EP_F_COMPLY_SERVER_DROPS, "The server ignores queries with %s, over UDP and TCP "
		    "(other TCP queries are answered): %s", what, list);
		take_evidence(f, &scratch);
		ep_finding_advise(f, "Resolvers take silence for a dead "
		    "server (DNS Flag Day 2019): upgrade or reconfigure the "
		    "server (or the filter in front of it on both transports) "
		    "to answer, with FORMERR, NOTIMP or BADVERS if need be.");
	}
	memset(&scratch, 0, sizeof(scratch));
	if (list_tests(t, &scratch, list, sizeof(list), what, sizeof(what),
	    is_unknown_drop) > 0) {
		f = ep_finding_add(t, EP_F_COMPLY_NO_ANSWER, "Queries with %s get no answer over UDP, and TCP fails "
		    "too: server or path, cannot tell: %s", what, list);
		take_evidence(f, &scratch);
		ep_finding_advise(f, "Run `ednsprobe path` to this server: "
		    "it says whether TCP is blocked on the path.");
	}
	memset(&scratch, 0, sizeof(scratch));
	if ((bad = list_tests(t, &scratch, list, sizeof(list), what,
	    sizeof(what), is_fault)) > 0) {
		f = ep_finding_add(t, EP_F_COMPLY_FAILED, "%d of %d compliance tests fail: %s", bad, n,
		    list);
		take_evidence(f, &scratch);
		ep_finding_advise(f, "Each word is ISC's compliance "
		    "tester's (docs/faults.md; a timeout here had replies "
		    "that answer nothing: ignored_replies): fix or upgrade "
		    "the server software; ednscomp.isc.org explains each "
		    "test.");
	}
}

/* Why a test got nothing over UDP, from its re-ask over TCP. */
static enum ep_cause
cause(const struct ep_target *t, const struct ep_probe_record *r,
    const struct ep_probe_record *re)
{
	/* The server did reply over UDP, but nothing that answers the
	 * query: not the path's doing. */
	if (r->res.ignored > 0)
		return EP_CAUSE_REPLIES;
	if (answered(re))
		return EP_CAUSE_PATH;
	for (int i = 0; i < t->nprobes; i++)
		if (t->probes[i].spec.transport == EP_TCP &&
		    t->probes[i].spec.ctest != 0 && answered(&t->probes[i]))
			return EP_CAUSE_SERVER;	/* TCP works */
	return EP_CAUSE_UNKNOWN;
}

void
ep_comply_verdict(struct ep_target *t, int alone)
{
	struct ep_comply_set *cs = ep_target_result_new(t,
	    &ep_measure_comply, sizeof(*cs));
	int ido = test_index("do");

	if (cs == NULL)
		return;		/* out of memory: no grades */
	if (alone)
		t->nfindings = 0;
	cs->n = 0;
	for (int k = 0; k < NTESTS && cs->n < EP_COMPLY_MAX; k++) {
		const struct ctest *ct = &tests[k];
		const struct ep_probe_record *r = test_probe(t, (ct->group &
		    G_PSEUDO) ? ido : k, EP_ROLE_RECHECK);
		struct ep_comply_result *c = &cs->r[cs->n];

		if (r == NULL)
			continue;
		memset(c, 0, sizeof(*c));
		cs->n++;
		c->test = ct->name;
		c->genreport = !(ct->group & G_OURS);
		c->probe = (int)(r - t->probes);
		c->recheck = -1;
		if (ct->group & G_PSEUDO) {
			/* "signed": do's result (do comes first), ",yes"
			 * when the answer graded had an RRSIG. */
			const struct ep_comply_result *d = cs->r;
			const struct ep_probe_record *a;

			while (d < cs->r + cs->n - 1 &&
			    strcmp(d->test, "do") != 0)
				d++;
			a = d->recheck >= 0 &&
			    r->res.outcome == EP_OUT_TRUNCATED ?
			    &t->probes[d->recheck] : r;

			c->ok = d->ok;
			memcpy(c->words, d->words, sizeof(c->words));
			if (answered(a) && a->res.reply.an_rrsig)
				strncat(c->words, ",yes", sizeof(c->words) -
				    strlen(c->words) - 1);
			continue;
		}
		c->ok = grade(ct, r, t->family, c->words, sizeof(c->words));
		for (int i = 0; i < t->nprobes; i++) {
			const struct ep_probe_record *re = &t->probes[i];

			if (re->spec.role != EP_ROLE_RECHECK ||
			    re->spec.ctest != k + 1)
				continue;
			c->recheck = i;
			if (r->res.outcome == EP_OUT_TRUNCATED) {
				/* As the tester: the answer over TCP is the
				 * test's. */
				c->ok = grade(ct, re, t->family, c->words,
				    sizeof(c->words));
				memcpy(c->recheck_words, c->words,
				    sizeof(c->recheck_words));
				continue;
			}
			(void)grade(ct, re, t->family, c->recheck_words,
			    sizeof(c->recheck_words));
			c->cause = cause(t, r, re);
		}
	}
	/* Nothing came back at all (malformed replies are replies). */
	if (alone) {
		int any = 0;

		for (int i = 0; i < t->nprobes; i++)
			any |= answered(&t->probes[i]) ||
			    t->probes[i].res.outcome == EP_OUT_MALFORMED;
		if (!any && ep_verdict_silent(t))
			return;
	}
	findings(t);
}

int
ep_comply_alone(const struct ep_target *t)
{
	for (int i = 0; i < t->nprobes; i++)
		if (t->probes[i].spec.ctest == 0)
			return 0;
	return t->nprobes > 0;
}

const char *
ep_comply_line(const struct ep_target *t, const char *server, char *buf,
    size_t len)
{
	const struct ep_comply_set *cs = ep_comply_results(t);
	char zone[EP_DNAME_STRMAX];
	uint8_t a[16];
	int addr;
	size_t at;

	if (server == NULL || server[0] == '\0')
		server = t->addr_str;	/* analyze: no @SERVER */
	addr = inet_pton(AF_INET, server, a) == 1 ||
	    inet_pton(AF_INET6, server, a) == 1;

	/* The zone with its dot; a server given as a name gets one too. */
	if (t->nprobes > 0)
		ep_dns_name_str(t->probes[0].spec.qname,
		    t->probes[0].spec.qname_len, zone, sizeof(zone));
	else
		snprintf(zone, sizeof(zone), "%s", t->name);
	snprintf(buf, len, "%s @%s (%s%s):", zone, t->addr_str, server,
	    addr || (server[0] && server[strlen(server) - 1] == '.') ? "" :
	    ".");
	at = strlen(buf);
	for (int i = 0; i < cs->n && at < len; i++) {
		if (!cs->r[i].genreport)
			continue;
		at += (size_t)snprintf(buf + at, len - at, " %s=%s",
		    cs->r[i].test, cs->r[i].words);
	}
	return buf;
}

/* The module (engine/measure.h): the tests, their follow-ups once all
 * are over, the tests recognised in a capture by their queries' shape. */
struct comply_state {
	int	followed;	/* the follow-ups planned */
};

static int
comply_owns(const struct ep_probe_spec *s)
{
	return s->ctest != 0 || s->role == EP_ROLE_COMPLY ||
	    s->role == EP_ROLE_RECHECK;
}

/* Alone (the compliance command), every test starts at once: each is a
 * verdict of its own, whatever the others get; the first answer still
 * shortens the waits of the rest. */
static int
comply_plan(struct ep_mrun *m, enum ep_plan_stage stage, struct ep_err *err)
{
	int first = m->t->nprobes;

	if (stage != EP_PLAN_MAIN)
		return 0;
	if (ep_plan_comply(m->o, m->t, m->next_id, err) == -1)
		return -1;
	for (int i = first; m->o->cmd == EP_CMD_COMPLY && i < m->t->nprobes;
	    i++)
		m->t->probes[i].spec.first = 1;
	return 0;
}

/* Every test is done: re-ask over TCP what UDP did not answer, and
 * follow the server cookie up, all at once. */
static void
comply_quiet(struct ep_mrun *m)
{
	struct comply_state *st = m->state;
	int first = m->t->nprobes;

	if (st->followed || ep_mrun_halted(m) ||
	    (m->o->cmd != EP_CMD_COMPLY && ep_mrun_phase(m) != 2))
		return;
	st->followed = 1;
	if (ep_comply_next(m->t, m->next_id) > 0)
		ep_verbose(EP_VERB_OPS, "%s: %d compliance follow-ups",
		    m->t->addr_str, m->t->nprobes - first);
}

/* The compliance tests of t (docs/json.md), or null. */
static json_t *
comply_json(const struct ep_target *t, const char *server)
{
	const struct ep_comply_set *cs = ep_comply_results(t);
	json_t *o, *list;
	char line[2048];
	int all_ok = 1;

	if (cs->n == 0)
		return json_null();
	o = json_object();
	list = json_array();
	for (int i = 0; i < cs->n; i++) {
		const struct ep_comply_result *c = &cs->r[i];
		json_t *to = json_object();

		all_ok &= !c->genreport || c->ok;
		json_object_set_new(to, "test", json_string(c->test));
		json_object_set_new(to, "genreport", json_boolean(
		    c->genreport));
		json_object_set_new(to, "result", json_string(c->words));
		json_object_set_new(to, "ok", json_boolean(c->ok));
		json_object_set_new(to, "probe", c->probe >= 0 ?
		    json_integer(t->probes[c->probe].spec.id) : json_null());
		if (c->recheck >= 0) {
			json_t *re = json_object();

			json_object_set_new(re, "probe", json_integer(
			    t->probes[c->recheck].spec.id));
			json_object_set_new(re, "transport", json_string(
			    ep_transport_str(t->probes[c->recheck].spec.
			    transport)));
			json_object_set_new(re, "result", json_string(
			    c->recheck_words));
			json_object_set_new(to, "recheck", re);
			json_object_set_new(to, "cause", json_string(
			    ep_cause_str(c->cause)));
		} else {
			json_object_set_new(to, "recheck", json_null());
			json_object_set_new(to, "cause", json_null());
		}
		json_array_append_new(list, to);
	}
	json_object_set_new(o, "all_ok", json_boolean(all_ok));
	json_object_set_new(o, "genreport", json_string(ep_comply_line(t,
	    server, line, sizeof(line))));
	json_object_set_new(o, "tests", list);
	return o;
}

/* The compliance list of t: result, re-ask, cause; the tester's line. */
static void
comply_text(FILE *fp, const struct ep_target *t, const char *server)
{
	const struct ep_comply_set *cs = ep_comply_results(t);
	char line[2048];

	if (cs->n == 0)
		return;
	fprintf(fp, "  %-12s %-34s %5s  %s\n", "test", "result", "probe",
	    "no answer (or TC) over UDP: asked again over TCP");
	for (int i = 0; i < cs->n; i++) {
		const struct ep_comply_result *c = &cs->r[i];
		char id[16] = "-";

		if (c->probe >= 0 && strcmp(c->test, "signed") != 0)
			snprintf(id, sizeof(id), "%d",
			    t->probes[c->probe].spec.id);
		fprintf(fp, "  %-12s %-34s %5s", c->test, c->words, id);
		if (c->recheck >= 0)
			fprintf(fp, "  probe %d: %s -> %s", t->probes[
			    c->recheck].spec.id, c->recheck_words,
			    c->cause == EP_CAUSE_PATH ? "the path drops it" :
			    c->cause == EP_CAUSE_SERVER ? "the server "
			    "ignores it" : c->cause == EP_CAUSE_UNKNOWN ?
			    "cannot tell (TCP fails too)" : c->cause ==
			    EP_CAUSE_REPLIES ? "UDP replies came, none an "
			    "answer to it" : "TC over UDP: graded over TCP, as "
			    "the tester does");
		fprintf(fp, "\n");
	}
	fprintf(fp, "\n  %s\n\n", ep_comply_line(t, server, line,
	    sizeof(line)));
}

/* Alone (no path probe in t), its findings are the target's; else they
 * follow the path's. */
static void
comply_judge(struct ep_target *t, const struct ep_view *v,
    enum ep_judge_stage stage)
{
	(void)v;
	if (stage == EP_JUDGE_LAST)
		ep_comply_verdict(t, ep_comply_alone(t));
}

const struct ep_measure ep_measure_comply = {
	.name = "comply",
	.own_wait = 1,
	.state_size = sizeof(struct comply_state),
	.owns = comply_owns,
	.plan = comply_plan,
	.quiet = comply_quiet,
	.identify_target = ep_comply_identify,
	.verdict = comply_judge,
	.json_key = "compliance",
	.json_at = EP_JSON_AFTER_FINDINGS,
	.json = comply_json,
	.text_at = EP_TEXT_BEFORE_PROBES,
	.text = comply_text,
};
