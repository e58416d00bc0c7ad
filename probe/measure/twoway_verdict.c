/* probe/measure/twoway_verdict.c: two-ended mode, the client's side: is the server
 * `ednsprobe respond`, what its log says of our queries, and in which
 * direction and at which size packets die (twoway.h, plan.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <ldns/ldns.h>

#include "engine/log.h"
#include "engine/query.h"
#include "measure/finding.h"
#include "measure/measures.h"
#include "measure/plan.h"
#include "measure/twoway.h"
#include "measure/twoway_verdict.h"
#include "measure/verdict.h"

extern const struct ep_measure ep_measure_twoway;

/* No two-ended facts: what a target that is no responder reads. */
static const struct ep_twoway none;

const struct ep_twoway *
ep_tw_facts(const struct ep_target *t)
{
	return ep_target_result(t, &ep_measure_twoway);
}

struct ep_twoway *
ep_tw_facts_new(struct ep_target *t)
{
	return ep_target_result_new(t, &ep_measure_twoway,
	    sizeof(struct ep_twoway));
}

/* t's facts to change, NULL when it has none. */
static struct ep_twoway *
tw_mut(struct ep_target *t)
{
	return ep_target_result(t, &ep_measure_twoway);
}

/* t's facts to read: none's when it has none. */
static const struct ep_twoway *
tw_get(const struct ep_target *t)
{
	const struct ep_twoway *w = ep_tw_facts(t);

	return w != NULL ? w : &none;
}

/* Call fn with every TXT string of msg's answer section; the number of
 * strings, or -1 when msg is not a DNS message. */
static int
each_txt(const uint8_t *msg, size_t len,
    void (*fn)(void *arg, const char *s, size_t n), void *arg)
{
	ldns_pkt *pkt = NULL;
	ldns_rr_list *an;
	int count = 0;

	if (msg == NULL || ldns_wire2pkt(&pkt, msg, len) != LDNS_STATUS_OK)
		return -1;
	an = ldns_pkt_answer(pkt);
	for (size_t i = 0; an && i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT)
			continue;
		for (size_t k = 0; k < ldns_rr_rd_count(rr); k++) {
			ldns_rdf *f = ldns_rr_rdf(rr, k);
			const uint8_t *d = ldns_rdf_data(f);
			size_t n = ldns_rdf_size(f);

			/* A character-string: its length byte, then it. */
			if (n == 0 || (size_t)d[0] + 1 != n)
				continue;
			fn(arg, (const char *)d + 1, d[0]);
			count++;
		}
	}
	ldns_pkt_free(pkt);
	return count;
}

static void
hello_string(void *arg, const char *s, size_t n)
{
	int *found = arg;

	if (n == strlen(EP_TW_HELLO) && memcmp(s, EP_TW_HELLO, n) == 0)
		*found = 1;
}

int
ep_tw_is_hello(const uint8_t *msg, size_t len)
{
	int found = 0;

	each_txt(msg, len, hello_string, &found);
	return found;
}

int
ep_tw_hello_name(const uint8_t *qname, size_t qlen)
{
	size_t hl = strlen(EP_TW_HELLO_LABEL);

	return qlen > hl && qname[0] == hl &&
	    strncasecmp((const char *)qname + 1, EP_TW_HELLO_LABEL, hl) == 0;
}

int
ep_tw_name_role(const uint8_t *qname, size_t qlen)
{
	size_t i = 0;

	if (ep_tw_hello_name(qname, qlen))
		return EP_ROLE_HELLO;
	/* Leading labels of the scheme, up to a t<TOKEN> one. */
	while (i < qlen && qname[i] != 0 && qname[i] <= 63 &&
	    i + 1 + qname[i] <= qlen) {
		struct ep_tw_req req;
		struct ep_err err;
		uint8_t zone[1] = { 0 };
		uint8_t one[EP_DNAME_MAX];
		size_t n = 1 + (size_t)qname[i];

		/* One label as a name below the root: a scheme label?
		 * ("log" is one only beside its token.) */
		if (n == 4 && strncasecmp((const char *)qname + i + 1, "log",
		    3) == 0) {
			i += n;
			continue;
		}
		memcpy(one, qname + i, n);
		one[n] = 0;
		if (ep_tw_parse_name(one, n + 1, zone, 1, &req, &err) != 0)
			return -1;
		if (req.token[0] != '\0')
			return EP_ROLE_TWIN;
		i += n;
	}
	return -1;
}

/* One log line: the probes whose query had its DNS id. */
static void
log_line(void *arg, const char *s, size_t n)
{
	struct ep_target *t = arg;
	struct ep_tw_entry e;

	if (ep_tw_entry_parse(s, n, &e) == -1)
		return;
	tw_mut(t)->entries++;
	for (int i = 0; i < t->nprobes; i++) {
		struct ep_probe_record *r = &t->probes[i];

		if (r->spec.tw_want == 0 || r->res.qid != e.id ||
		    (r->spec.transport == EP_TCP) != (e.tcp != 0))
			continue;
		r->far.seen++;
		r->far.qsize = e.qsize;
		if (e.frag > r->far.frag)
			r->far.frag = e.frag;
		if (e.sent > r->far.sent)
			r->far.sent = e.sent;
		r->far.tc = e.tc;
		r->far.pkts = e.out_frags;
		snprintf(r->far.how, sizeof(r->far.how), "%s", e.how);
		/* A resend's answer may draw the Time Exceeded the first
		 * one did not (a rate-limited router): any of them. */
		r->far.ttl = e.ttl;
		if (e.te[0] != '\0')
			snprintf(r->far.te, sizeof(r->far.te), "%s", e.te);
	}
}

static void
no_string(void *arg, const char *s, size_t n)
{
	(void)arg;
	(void)s;
	(void)n;
}

int
ep_tw_read_log(struct ep_target *t, const uint8_t *msg, size_t len)
{
	struct ep_twoway *w = ep_tw_facts_new(t);

	if (w == NULL)
		return -1;
	/* Not a DNS answer: a log read before (the hop ladder's second
	 * read failed) stands. */
	if (each_txt(msg, len, no_string, NULL) == -1) {
		if (w->log != 1)
			w->log = -1;
		return -1;
	}
	/* The whole log each time (read again after the hop ladder). */
	w->entries = 0;
	for (int i = 0; i < t->nprobes; i++)
		if (t->probes[i].spec.tw_want != 0)
			memset(&t->probes[i].far, 0, sizeof(t->probes[i].far));
	if (each_txt(msg, len, log_line, t) == -1) {
		w->log = -1;
		return -1;
	}
	w->log = 1;
	for (int i = 0; i < t->nprobes; i++)
		if (t->probes[i].spec.tw_want != 0)
			t->probes[i].far.known = 1;
	return 0;
}

/* ------------------------------------------------------------ verdict */

static int
got(const struct ep_probe_record *r)
{
	return r->res.outcome == EP_OUT_ANSWER;
}

static int
lost(const struct ep_probe_record *r)
{
	return r->res.outcome == EP_OUT_TIMEOUT;
}

/* IP bytes of a UDP datagram of n DNS bytes. */
static uint32_t
ip_size(const struct ep_target *t, uint32_t n)
{
	return n + 8 + (t->family == 4 ? 20 : 40);
}

static int
mtu_of(const struct ep_target *t)
{
	return t->path.iface_mtu > 0 ? t->path.iface_mtu : 1500;
}

/* Kinds of two-ended probe, by what their loss would say. */
static int
is_out(const struct ep_probe_record *r)
{
	return r->spec.role == EP_ROLE_TWOUT && r->far.known;
}

static int
is_in_plain(const struct ep_probe_record *r)
{
	return r->spec.role == EP_ROLE_TWIN && !r->spec.tw_frag &&
	    !r->spec.tw_df && !r->spec.tw_ttl && r->far.known;
}

/* Its query reached the responder, which sent the whole answer. */
static int
sent_whole(const struct ep_probe_record *r)
{
	return r->far.seen && r->far.sent > 0 && !r->far.tc &&
	    strcmp(r->far.how, "sendfail") != 0;
}

/* Outbound: which query sizes reached it, and fragments. */
static void
outbound(struct ep_target *t)
{
	struct ep_twoway *w = tw_mut(t);
	int frag_sent = 0, frag_seen = 0;

	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];
		uint32_t q = r->spec.msg_len;

		if (!is_out(r) || r->res.outcome == EP_OUT_SKIPPED)
			continue;
		if (r->far.seen) {
			if (q > w->out_max)
				w->out_max = q;
		} else if (w->out_lost == 0 || q < w->out_lost)
			w->out_lost = q;
		if (ip_size(t, q) > (uint32_t)mtu_of(t) || r->far.frag) {
			frag_sent++;
			frag_seen += r->far.seen && r->far.frag;
		}
	}
	if (frag_seen > 0)
		w->frag_out = EP_FACT_OK;
	else if (frag_sent > 0 && w->out_max > 0 && w->out_lost > 0 &&
	    ip_size(t, w->out_lost) > (uint32_t)mtu_of(t))
		w->frag_out = EP_FACT_DROPPED;
}

/* Inbound: which answer sizes reached us, fragments, DF sizes. */
static void
inbound(struct ep_target *t)
{
	struct ep_twoway *w = tw_mut(t);
	int fsent = 0, fgot = 0;

	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];
		uint32_t a = r->spec.tw_want, ip = ip_size(t, a);

		if (r->spec.role != EP_ROLE_TWIN || r->spec.tw_ttl ||
		    !r->far.known || !sent_whole(r))
			continue;
		if (r->spec.tw_frag && strcmp(r->far.how, "frag") == 0 &&
		    r->far.pkts > 1) {
			fsent++;
			fgot += got(r);
		} else if (r->spec.tw_df && strcmp(r->far.how, "df") == 0) {
			if (got(r) && ip > w->mtu_in)
				w->mtu_in = ip;
			else if (lost(r) && (w->mtu_in_lost == 0 ||
			    ip < w->mtu_in_lost))
				w->mtu_in_lost = ip;
		} else if (is_in_plain(r)) {
			if (got(r) && a > w->in_max)
				w->in_max = a;
			else if (lost(r) && (w->in_lost == 0 ||
			    a < w->in_lost))
				w->in_lost = a;
		}
	}
	if (fgot > 0)
		w->frag_in = EP_FACT_OK;
	else if (fsent > 0 && w->in_max > 0)
		w->frag_in = EP_FACT_DROPPED;
	/* A plain answer above the MTU that arrived came in fragments. */
	if (w->frag_in == EP_FACT_UNTESTED && ip_size(t, w->in_max) >
	    (uint32_t)mtu_of(t))
		w->frag_in = EP_FACT_OK;
}

static void
cite_role(struct ep_finding *f, const struct ep_target *t,
    int (*pred)(const struct ep_probe_record *, const void *), const void *a)
{
	for (int i = 0; i < t->nprobes; i++)
		if (pred(&t->probes[i], a))
			ep_finding_cite(f, &t->probes[i]);
}

static int
out_lost_pred(const struct ep_probe_record *r, const void *a)
{
	(void)a;
	return is_out(r) && !r->far.seen && lost(r);
}

static int
out_seen_pred(const struct ep_probe_record *r, const void *a)
{
	(void)a;
	return is_out(r) && r->far.seen;
}

static int
in_frag_pred(const struct ep_probe_record *r, const void *a)
{
	(void)a;
	return r->spec.role == EP_ROLE_TWIN && r->spec.tw_frag &&
	    !r->spec.tw_ttl && r->far.known;
}

static int
in_size_pred(const struct ep_probe_record *r, const void *a)
{
	const uint32_t *from = a;

	return is_in_plain(r) && sent_whole(r) &&
	    (got(r) ? r->spec.tw_want <= *from : lost(r));
}

static int
df_pred(const struct ep_probe_record *r, const void *a)
{
	(void)a;
	return r->spec.role == EP_ROLE_TWIN && r->spec.tw_df &&
	    !r->spec.tw_ttl && r->far.known && sent_whole(r);
}

static void
findings_out(struct ep_target *t)
{
	struct ep_twoway *w = tw_mut(t);
	struct ep_finding *f;

	if (w->frag_out == EP_FACT_DROPPED) {
		f = ep_finding_add(t, EP_F_TWOWAY_FRAG_OUT_DROPPED, "Fragmented queries never reached the responder: its log "
		    "has our queries up to %u bytes and none of %u bytes or "
		    "more, which left here in IP fragments (link MTU %d)",
		    w->out_max, w->out_lost, mtu_of(t));
		ep_finding_advise(f, "Fragments toward the server are dropped "
		    "on the path (this direction only if the answers' "
		    "fragments arrive): find the firewall or ACL that drops "
		    "non-first fragments or fragmented UDP and let them "
		    "through; meanwhile queries (and so EDNS padding, large "
		    "UPDATEs) must stay below %d bytes.", mtu_of(t) -
		    (t->family == 4 ? 28 : 48));
	} else if (w->out_lost > 0 && w->out_lost > w->out_max &&
	    w->out_max > 0) {
		f = ep_finding_add(t, EP_F_TWOWAY_OUT_LIMIT, "Queries of %u bytes and more never reached the responder "
		    "(its log), queries up to %u bytes did: packets toward it "
		    "die by size, not for being fragments", w->out_lost,
		    w->out_max);
		ep_finding_advise(f, "Look for a length limit on the path "
		    "toward the server (a DNS-inspection rule, a UDP length "
		    "ACL) and raise it to 4096 bytes or more.");
	} else
		return;
	cite_role(f, t, out_lost_pred, NULL);
	cite_role(f, t, out_seen_pred, NULL);
}

static void
findings_in(struct ep_target *t)
{
	struct ep_twoway *w = tw_mut(t);
	struct ep_finding *f;

	if (w->frag_in == EP_FACT_DROPPED) {
		f = ep_finding_add(t, EP_F_TWOWAY_FRAG_IN_DROPPED, "The responder got our queries and sent its answers in IP "
		    "fragments (its log), none of which reached us, while "
		    "whole answers up to %u bytes did", w->in_max);
		ep_finding_advise(f, "Fragments toward us are dropped on the "
		    "path: find the firewall or ACL (stateful ones drop "
		    "fragments they cannot match) and let fragments through, "
		    "or keep answers whole: set the resolvers' EDNS buffer "
		    "to 1232 (DNS Flag Day 2020).");
		cite_role(f, t, in_frag_pred, NULL);
	}
	if (w->in_lost > 0 && w->in_lost > w->in_max && w->in_max > 0 &&
	    w->frag_in != EP_FACT_DROPPED) {
		f = ep_finding_add(t, EP_F_TWOWAY_IN_LIMIT, "Answers of %u bytes and more that the responder sent (its "
		    "log) never reached us; answers up to %u bytes did",
		    w->in_lost, w->in_max);
		ep_finding_advise(f, "Packets toward us die by size: look for "
		    "a UDP length limit or DNS-inspection rule on the way "
		    "back; until it is fixed, an EDNS buffer of %u or less "
		    "gets answers through.", w->in_max);
		cite_role(f, t, in_size_pred, &w->in_max);
	}
}

/* The path MTU measured each way differs: outbound from the DF probes
 * (t->path.pmtu), inbound from the responder's DF answers. */
static void
findings_mtu(struct ep_target *t)
{
	struct ep_twoway *w = tw_mut(t);
	long out = t->path.pmtu;
	struct ep_finding *f;
	char back[64];

	if (out <= 0 || w->mtu_in == 0)
		return;
	if (w->mtu_in > (uint32_t)out)
		snprintf(back, sizeof(back), "%s%u", w->mtu_in_lost ? "" :
		    "at least ", w->mtu_in);
	else if (w->mtu_in_lost > 0 && w->mtu_in_lost <= (uint32_t)out)
		snprintf(back, sizeof(back), "%u (less than %u)", w->mtu_in,
		    w->mtu_in_lost);
	else
		return;
	f = ep_finding_add(t, EP_F_TWOWAY_MTU_DIFFERS, "The path MTU differs by direction: %ld bytes toward the "
	    "responder, %s back (its DF answers)", out, back);
	ep_finding_advise(f, "Asymmetric routing or a tunnel on one way "
	    "only: a size that passes one way can be a black hole the "
	    "other way.  Test both directions after each change, and keep "
	    "DNS answers within the smaller MTU (EDNS buffer 1232).");
	for (int i = 0; i < t->nprobes; i++)
		if (t->probes[i].spec.role == EP_ROLE_PMTU)
			ep_finding_cite(f, &t->probes[i]);
	cite_role(f, t, df_pred, NULL);
}

/*
 * Inbound hop location (the responder's h<N> answers).  For a kind of
 * answer that died on the way back, the responder sent the same answer
 * with TTL 1..L, and small answers as the reference; its log has the
 * router whose Time Exceeded each drew.  The kind's farthest hop j to
 * answer it saw it (its TTL ran out there, before any forwarding
 * filter); hop j + 1 never did, if it answers at all: a hop that drew
 * no Time Exceeded for any answer is silent (rate limits, a router that
 * never sends them) and widens the location, never moves it closer.
 */
static const struct {
	int		 frag;
	const char	*what, *name;
} in_kinds[] = {
	{ 1, "fragments", "Fragmented answers" },
	{ 0, "large", "Large answers" },
};

/* A ladder probe: the reference (small) or kind k's, at any TTL. */
static int
is_hop(const struct ep_probe_record *r)
{
	return r->spec.role == EP_ROLE_TWIN && r->spec.tw_ttl &&
	    r->far.known;
}

static int
is_ref(const struct ep_probe_record *r)
{
	return is_hop(r) && r->spec.subject == EP_SUBJ_SMALL;
}

static int
of_kind(const struct ep_probe_record *r, size_t k)
{
	return is_hop(r) && r->spec.subject != EP_SUBJ_SMALL &&
	    (r->spec.tw_frag != 0) == in_kinds[k].frag;
}

/* The router that returned a ladder probe's answer at ttl (its log's
 * te, the answer having left with that TTL), or NULL. */
static const char *
te_of(const struct ep_probe_record *r)
{
	return r->far.ttl == r->spec.tw_ttl && r->far.te[0] != '\0' ?
	    r->far.te : NULL;
}

/* Did any ladder answer at ttl draw a Time Exceeded from that hop? */
static int
hop_answers(const struct ep_target *t, int ttl)
{
	for (int i = 0; i < t->nprobes; i++)
		if (is_hop(&t->probes[i]) && t->probes[i].spec.tw_ttl == ttl &&
		    te_of(&t->probes[i]) != NULL)
			return 1;
	return 0;
}

static int
hop_pred(const struct ep_probe_record *r, const void *a)
{
	const size_t *k = a;

	return is_ref(r) || of_kind(r, *k);
}

static void
hops_in(struct ep_target *t)
{
	int near = 0, len = 0, applied = 0, heard = 0;

	/* The reference: the first TTL a small answer reached us at. */
	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];

		if (!is_hop(r))
			continue;
		if (r->spec.tw_ttl > len)
			len = r->spec.tw_ttl;
		applied |= r->far.ttl == r->spec.tw_ttl;
		heard |= te_of(r) != NULL;
		if (is_ref(r) && got(r) && (near == 0 || r->spec.tw_ttl < near))
			near = r->spec.tw_ttl;
	}
	/* No ladder, a responder without h<N>, or not one Time Exceeded
	 * reached it (ICMP filtered toward it): nothing to tell. */
	if (!applied || !heard)
		return;
	for (size_t k = 0; k < sizeof(in_kinds) / sizeof(in_kinds[0]); k++) {
		const char *addr = NULL;
		int j = 0, n = 0, arrived = 0, silent = 0, bound;
		struct ep_finding *f;
		struct ep_drop *d;
		char hops[192] = "";

		for (int i = 0; i < t->nprobes; i++) {
			const struct ep_probe_record *r = &t->probes[i];

			if (!of_kind(r, k))
				continue;
			n++;
			arrived |= got(r);
			if (te_of(r) != NULL && r->spec.tw_ttl > j) {
				j = r->spec.tw_ttl;
				addr = te_of(r);
			}
		}
		/* Not lost this time, beyond the ladder, or a Time Exceeded
		 * from farther than we are: no location. */
		if (n == 0 || arrived || (near == 0 && j == len) ||
		    (near > 0 && j >= near))
			continue;
		bound = near > 0 ? near : len + 1;
		while (j + 1 + silent < bound && !hop_answers(t, j + 1 + silent))
			silent++;
		if ((d = ep_drop_add(t, in_kinds[k].what, EP_DROP_IN, j + 1,
		    addr, silent)) == NULL)
			continue;
		if (silent == 1)
			snprintf(hops, sizeof(hops), "; hop %d did not answer "
			    "(silent or rate-limited): they miss hop %d or %d",
			    j + 1, j + 1, j + 2);
		else if (silent > 1)
			snprintf(hops, sizeof(hops), "; hops %d..%d did not "
			    "answer (silent or rate-limited): they miss one of "
			    "hops %d..%d", j + 1, j + silent, j + 1,
			    j + 1 + silent);
		if (j > 0)
			f = ep_finding_add(t, EP_F_DROP_HOP_IN, "%s die after hop %d from the server's side (%s), "
			    "never reaching hop %d%s (Time Exceeded in the "
			    "responder's log)%s",
			    in_kinds[k].name, j, d->addr, j + 1,
			    near == j + 1 ? " (us)" : "", hops);
		else
			f = ep_finding_add(t, EP_F_DROP_HOP_IN, "%s die before hop 1 from the server's side: not "
			    "even the first router returned them (no Time "
			    "Exceeded in the responder's log)%s", in_kinds[k].name,
			    hops);
		/* Our distance, when the summary has room for it. */
		snprintf(hops, sizeof(hops), "; small answers reach us %d hops "
		    "away", near);
		if (near > 0 && strlen(f->summary) + strlen(hops) <
		    sizeof(f->summary))
			strcat(f->summary, hops);
		ep_finding_advise(f, "Look at the filters of the router %d hop%s "
		    "from the server (%s) and of its link toward us; the "
		    "responder's log (and its --pcap) has each hop's Time "
		    "Exceeded.", j ? j : 1, j > 1 ? "s" : "",
		    d->addr[0] ? d->addr : "its first router");
		cite_role(f, t, hop_pred, &k);
	}
}

void
ep_tw_verdict(struct ep_target *t)
{
	struct ep_twoway *w = tw_mut(t);
	struct ep_finding *f;

	if (w == NULL || !w->responder)
		return;
	w->out_max = w->out_lost = w->in_max = w->in_lost = 0;
	w->mtu_in = w->mtu_in_lost = 0;
	w->frag_out = w->frag_in = EP_FACT_UNTESTED;
	if (w->log != 1) {
		f = ep_finding_add(t, EP_F_TWOWAY_NO_LOG, "The server is an ednsprobe responder, but its log of "
		    "this run (token %s) could not be read: %s", w->token,
		    w->log == 0 ? "the run ended before it was asked" :
		    "no answer to the log query");
		ep_finding_advise(f, "Without the far end's log, the "
		    "direction of a loss is not known: check that TCP to the "
		    "responder works, or read its own capture and output.");
		for (int i = 0; i < t->nprobes; i++)
			if (t->probes[i].spec.role == EP_ROLE_TWLOG)
				ep_finding_cite(f, &t->probes[i]);
		return;
	}
	outbound(t);
	inbound(t);
	findings_out(t);
	findings_in(t);
	findings_mtu(t);
	hops_in(t);
}

/*
 * The module (engine/measure.h): the hello, the two-ended plan once the
 * server answered it, the log fetch once every logged probe is over.
 */
#define TYPE_TXT	16

struct tw_state {
	int	planned;	/* ep_plan_twoway done */
	int	logged;		/* the log fetch planned */
	int	ladder;		/* the hop ladder: 1 planned, -1 none
				   needed (or no room), 0 not decided */
	int	relogged;	/* the log asked again after it */
};

#define TW_HOP_TRIES	2	/* a router's ICMP may be rate-limited */
#define TW_HOP_WAIT_MIN	250	/* ms: the hop ladder's least wait */

static int
tw_owns(const struct ep_probe_spec *s)
{
	return s->ctest == 0 && (s->role == EP_ROLE_HELLO ||
	    s->role == EP_ROLE_TWIN || s->role == EP_ROLE_TWOUT ||
	    s->role == EP_ROLE_TWLOG);
}

/* The hello (twoway.h): _ednsprobe.NAME TXT, which any other server
 * answers with a name error.  Phase 1 (started with the baselines, last
 * so the others keep their places); phase 2 waits for it a little. */
static int
tw_plan(struct ep_mrun *m, enum ep_plan_stage stage, struct ep_err *err)
{
	const struct ep_options *o = m->o;
	uint8_t name[EP_DNAME_MAX];
	size_t lbl = strlen(EP_TW_HELLO_LABEL);
	struct ep_probe_spec *s;

	if (stage != EP_PLAN_MAIN || !o->udp || o->cmd != EP_CMD_PATH)
		return 0;
	if (1 + lbl + o->qname_len > EP_DNAME_MAX)
		return 0;	/* NAME too long to be a responder's zone */
	name[0] = (uint8_t)lbl;
	memcpy(name + 1, EP_TW_HELLO_LABEL, lbl);
	memcpy(name + 1 + lbl, o->qname, o->qname_len);
	if ((s = ep_plan_add(m->t, m->next_id, EP_UDP, EP_ROLE_HELLO,
	    EP_SUBJ_SMALL, name, 1 + lbl + o->qname_len, TYPE_TXT, 1, 1232, 0,
	    o)) == NULL)
		return ep_err_set(err, EP_EINTERNAL, "more than %d probes",
		    EP_PROBES_MAX);
	s->first = s->hold = s->keep = 1;
	return 0;
}

/* The name of req below NAME into s (qname, TXT); 0 when it does not
 * fit. */
static int
tw_name(const struct ep_options *o, const struct ep_tw_req *req,
    struct ep_probe_spec *s)
{
	size_t n = ep_tw_build_name(req, o->qname, o->qname_len, s->qname);

	if (n == 0)
		return 0;
	s->qname_len = n;
	s->qtype = TYPE_TXT;
	s->tw_want = (uint16_t)req->size;
	s->tw_frag = req->frag;
	s->tw_df = (uint8_t)req->df;
	s->tw_ttl = req->ttl;
	return 1;
}

/* A two-ended probe of req (its token this run's) over UDP at buffer
 * bufsize; NULL when t is full or the name does not fit. */
static struct ep_probe_spec *
tw_add_req(const struct ep_options *o, struct ep_target *t, int *next_id,
    enum ep_role role, enum ep_subject subj, struct ep_tw_req *req,
    uint16_t bufsize)
{
	struct ep_probe_spec *s;

	memcpy(req->token, tw_get(t)->token, sizeof(req->token));
	if ((s = ep_plan_add(t, next_id, EP_UDP, role, subj, o->qname,
	    o->qname_len, TYPE_TXT, 1, bufsize, o->dnssec, o)) == NULL)
		return NULL;
	if (!tw_name(o, req, s)) {
		ep_plan_undo(t, next_id);
		return NULL;
	}
	return s;
}

/* A two-ended probe: answer size want (f frag, DF df) at buffer bufsize,
 * the query padded to qsize (0: not padded). */
static int
tw_add(const struct ep_options *o, struct ep_target *t, int *next_id,
    enum ep_role role, uint16_t want, uint16_t frag, int df, uint16_t bufsize,
    uint16_t qsize)
{
	struct ep_tw_req req = { .kind = EP_TW_TEST, .size = want,
	    .frag = frag, .df = df };
	struct ep_probe_spec *s = tw_add_req(o, t, next_id, role,
	    EP_SUBJ_LARGE, &req, bufsize);

	if (s == NULL)
		return 0;
	s->msg_len = qsize;
	return 1;
}

/* The lost answer of a kind of in_kinds (its name's size and fragments,
 * its buffer), from the first log read; want 0: none. */
struct tw_lost {
	uint16_t	 want, frag, bufsize;
};

/*
 * The hop ladder (hops_in), once the log showed answers lost on the way
 * back: fragmented ones (frag_in dropped) and whole ones by size (the
 * smallest lost, one packet): the same answer with TTL 1..L, and a small
 * answer as the reference, all at once.  L: the server's distance (the
 * small TTL probes' first answer, when they ran) + 2 for an asymmetric
 * way back, else --max-hops; at most EP_TW_HOPS_MAX, and fewer when the
 * probes or the responder's bound per token would not hold them.  The
 * number of probes planned (0: nothing lost, or no room).
 */
static int
tw_ladder(const struct ep_options *o, struct ep_target *t, int *next_id)
{
	struct ep_twoway *w = tw_mut(t);
	struct tw_lost lost_k[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
	int nk = 0, len = o->max_hops, dist = 0, room, n = 0;
	double wait;

	w->in_max = w->in_lost = w->mtu_in = w->mtu_in_lost = 0;
	w->frag_in = EP_FACT_UNTESTED;
	inbound(t);
	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];

		if (r->spec.role == EP_ROLE_HOP && r->spec.subject ==
		    EP_SUBJ_SMALL && got(r) && (dist == 0 || r->spec.ttl < dist))
			dist = r->spec.ttl;
		if (r->spec.role != EP_ROLE_TWIN || r->spec.tw_ttl ||
		    !r->far.known || !sent_whole(r) || !lost(r))
			continue;
		if (w->frag_in == EP_FACT_DROPPED && lost_k[0].want == 0 &&
		    r->spec.tw_frag && strcmp(r->far.how, "frag") == 0)
			lost_k[0] = (struct tw_lost){ r->spec.tw_want,
			    r->spec.tw_frag, r->spec.bufsize };
		if (is_in_plain(r) && r->spec.tw_want == w->in_lost &&
		    w->in_max > 0 && w->in_lost > w->in_max &&
		    ip_size(t, w->in_lost) <= (uint32_t)mtu_of(t))
			lost_k[1] = (struct tw_lost){ r->spec.tw_want, 0,
			    r->spec.bufsize };
	}
	nk = (lost_k[0].want != 0) + (lost_k[1].want != 0);
	if (nk == 0)
		return 0;
	if (dist > 0 && dist + 2 < len)
		len = dist + 2;
	if (len > EP_TW_HOPS_MAX)
		len = EP_TW_HOPS_MAX;
	room = EP_PROBES_MAX - t->nprobes - 2;	/* the log, twice */
	/* Its answers are due at once (the responder has them at hand) and
	 * die or arrive within a round trip; a Time Exceeded is at the
	 * responder within one more: four baseline RTTs, at least
	 * TW_HOP_WAIT_MIN, no more than the target's timeout. */
	wait = 4 * (t->base_rtt_ms > 0 ? t->base_rtt_ms : 0);
	if (wait < TW_HOP_WAIT_MIN)
		wait = TW_HOP_WAIT_MIN;
	if (wait > t->timeout_ms)
		wait = t->timeout_ms;
	if (wait > UINT16_MAX)	/* spec.wait_ms: a long path's */
		wait = UINT16_MAX;
	while (len > 0 && ((nk + 1) * len > room ||
	    (nk + 1) * len * TW_HOP_TRIES > EP_TW_HOPS_PER_TOKEN))
		len--;
	for (int ttl = 1; ttl <= len; ttl++) {
		struct ep_tw_req ref = { .kind = EP_TW_TEST,
		    .size = EP_TW_SMALL, .ttl = (uint8_t)ttl };
		struct ep_probe_spec *s;

		if ((s = tw_add_req(o, t, next_id, EP_ROLE_TWIN, EP_SUBJ_SMALL,
		    &ref, 1232)) != NULL) {
			s->tries = TW_HOP_TRIES;
			s->wait_ms = (uint16_t)wait;
			n++;
		}
		for (int k = 0; k < 2; k++) {
			struct ep_tw_req req = { .kind = EP_TW_TEST,
			    .size = lost_k[k].want, .frag = lost_k[k].frag,
			    .ttl = (uint8_t)ttl };

			if (lost_k[k].want == 0 || (s = tw_add_req(o, t,
			    next_id, EP_ROLE_TWIN, EP_SUBJ_LARGE, &req,
			    lost_k[k].bufsize)) == NULL)
				continue;
			s->tries = TW_HOP_TRIES;
			s->wait_ms = (uint16_t)wait;
			n++;
		}
	}
	ep_verbose(EP_VERB_OPS, "%s: answers lost on the way back: a hop "
	    "ladder of %d TTLs, %d probes, %.0f ms each", t->addr_str, len, n,
	    wait);
	return n;
}

void
ep_plan_twoway(const struct ep_options *o, struct ep_target *t, int *next_id,
    const struct ep_mrun *m)
{
	static const uint16_t df_ip[] = { 1280, 1400, 1450, 1480, 1500 };
	uint16_t large = ep_plan_largest(o);
	uint16_t frag = (uint16_t)(o->frag_size & ~7u);
	int hdr = t->family == 4 ? 28 : 48;
	int mtu = t->path.iface_mtu > 0 ? t->path.iface_mtu : 1500;

	/*
	 * The ladder not started yet asks for answers of exact sizes: the
	 * largest rung's size (LARGE), 1200 bytes (MEDIUM: one packet on any
	 * path); the verdict then knows each answer's size, not a guess.
	 */
	for (int i = 0; i < t->nprobes; i++) {
		struct ep_probe_spec *s = &t->probes[i].spec;
		struct ep_tw_req req = { .kind = EP_TW_TEST };

		if ((m != NULL && ep_mrun_started(m, i)) ||
		    (s->role != EP_ROLE_LADDER &&
		    s->role != EP_ROLE_TCPSIZE) || s->subject == EP_SUBJ_SMALL)
			continue;
		req.size = s->subject == EP_SUBJ_LARGE ? large : 1200;
		memcpy(req.token, tw_get(t)->token, sizeof(req.token));
		tw_name(o, &req, s);
	}
	snprintf(t->qtype_str, sizeof(t->qtype_str), "TXT");
	if (!o->udp)
		return;
	/* Inbound: answers as big as each rung's buffer. */
	for (int i = 0; i < o->nsizes; i++)
		tw_add(o, t, next_id, EP_ROLE_TWIN, o->sizes[i], 0, 0,
		    o->sizes[i], 0);
	/* Outbound: queries as big as each rung (above the MTU our kernel
	 * sends them in fragments), a small answer each. */
	for (int i = 0; i < o->nsizes; i++)
		tw_add(o, t, next_id, EP_ROLE_TWOUT, EP_TW_SMALL, 0, 0, 1232,
		    o->sizes[i]);
	/* Inbound fragments the responder makes, two sizes (as FRAGOUT). */
	if (frag >= EP_TW_FRAG_MIN && frag <= EP_TW_FRAG_MAX / 2) {
		tw_add(o, t, next_id, EP_ROLE_TWIN, EP_PLAN_FRAGOUT_SIZE, frag,
		    0, 1232, 0);
		tw_add(o, t, next_id, EP_ROLE_TWIN, EP_PLAN_FRAGOUT_SIZE,
		    (uint16_t)(2 * frag), 0, 1232, 0);
	}
	/* The inbound path MTU: answers with DF at the usual sizes. */
	for (size_t i = 0; i < sizeof(df_ip) / sizeof(df_ip[0]); i++)
		if (df_ip[i] <= mtu)
			tw_add(o, t, next_id, EP_ROLE_TWIN,
			    (uint16_t)(df_ip[i] - hdr), 0, 1,
			    (uint16_t)(df_ip[i] - hdr), 0);
}

int
ep_plan_twoway_log(const struct ep_options *o, struct ep_target *t,
    int *next_id, int udp)
{
	struct ep_tw_req req = { .kind = EP_TW_LOG };
	struct ep_probe_spec *s;

	memcpy(req.token, tw_get(t)->token, sizeof(req.token));
	if ((s = ep_plan_add(t, next_id, o->tcp && !udp ? EP_TCP : EP_UDP,
	    EP_ROLE_TWLOG, EP_SUBJ_SMALL, o->qname, o->qname_len, TYPE_TXT, 1,
	    65535, 0, o)) == NULL)
		return -1;
	if (!tw_name(o, &req, s)) {
		ep_plan_undo(t, next_id);
		return -1;
	}
	s->keep = 1;
	return 0;
}

/* Phase 2 begins: toward a responder, the two-ended plan. */
static void
tw_phase2(struct ep_mrun *m)
{
	struct tw_state *st = m->state;

	if (tw_get(m->t)->responder && !st->planned) {
		ep_plan_twoway(m->o, m->t, m->next_id, m);
		st->planned = 1;
	}
}

/*
 * The hello is over: a responder's answer makes the run two-ended (the
 * plan now if phase 2 started without it: what is not started yet is not
 * too late).  The log came, or not: over TCP not, it is asked again over
 * UDP (a path that drops TCP/53 may carry large UDP).
 */
static void
tw_done(struct ep_mrun *m, const struct ep_probe_record *r,
    const uint8_t *kept, size_t kept_len)
{
	struct tw_state *st = m->state;
	struct ep_target *t = m->t;

	if (r->spec.role == EP_ROLE_HELLO) {
		struct ep_twoway *w;

		if (r->res.outcome == EP_OUT_ANSWER &&
		    ep_tw_is_hello(kept, kept_len) &&
		    (w = ep_tw_facts_new(t)) != NULL) {
			w->responder = 1;
			snprintf(w->token, sizeof(w->token), "%04x%04x",
			    ep_query_random_id(), ep_query_random_id());
			ep_verbose(EP_VERB_OPS, "%s: an ednsprobe responder, "
			    "token %s", t->addr_str, w->token);
		}
		if (ep_mrun_phase(m) == 2 && tw_get(t)->responder &&
		    !st->planned && !ep_mrun_halted(m)) {
			ep_plan_twoway(m->o, t, m->next_id, m);
			st->planned = 1;
		}
	} else if (r->spec.role == EP_ROLE_TWLOG) {
		if (r->res.outcome == EP_OUT_ANSWER && kept != NULL) {
			/* The first read: answers lost on the way back get
			 * the hop ladder, then the log is read again. */
			if (ep_tw_read_log(t, kept, kept_len) == 0 &&
			    st->ladder == 0 && !ep_mrun_halted(m))
				st->ladder = tw_ladder(m->o, t, m->next_id) >
				    0 ? 1 : -1;
		} else if (r->spec.transport == EP_TCP && !ep_mrun_halted(m))
			ep_plan_twoway_log(m->o, t, m->next_id, 1);
	}
}

/* Every probe the responder logs is over: ask for its log; again once
 * the hop ladder is over. */
static void
tw_next(struct ep_mrun *m, const struct ep_probe_record *done)
{
	struct tw_state *st = m->state;
	struct ep_target *t = m->t;

	(void)done;
	if (ep_mrun_phase(m) != 2 || !st->planned || ep_mrun_halted(m))
		return;
	if (st->logged) {
		if (st->ladder != 1 || st->relogged)
			return;
		for (int i = 0; i < t->nprobes; i++)
			if (t->probes[i].spec.tw_ttl != 0 &&
			    !ep_mrun_over(m, i))
				return;
		st->relogged = 1;
		ep_plan_twoway_log(m->o, t, m->next_id, 0);
		return;
	}
	for (int i = 0; i < t->nprobes; i++)
		if (t->probes[i].spec.tw_want != 0 && !ep_mrun_over(m, i))
			return;
	st->logged = 1;
	if (ep_tw_facts_new(t) != NULL)
		ep_tw_facts_new(t)->log = -1;
	ep_plan_twoway_log(m->o, t, m->next_id, 0);
}

/* s is below the zone of a hello of t that a responder answered, and is
 * a two-ended request there (one with a token). */
static int
below_hello(const struct ep_target *t, const struct ep_probe_spec *s)
{
	size_t hl = 1 + strlen(EP_TW_HELLO_LABEL);

	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *h = &t->probes[i];
		struct ep_tw_req req;
		struct ep_err err;
		uint8_t zone[EP_DNAME_MAX];
		size_t zlen;

		if (!h->res.hello || h->spec.qname_len <= hl)
			continue;
		zlen = h->spec.qname_len - hl;
		for (size_t k = 0; k < zlen; k++)
			zone[k] = (uint8_t)tolower(h->spec.qname[hl + k]);
		if (ep_tw_parse_name(s->qname, s->qname_len, zone, zlen,
		    &req, &err) == 0 && req.token[0] != '\0')
			return 1;
	}
	return 0;
}

/* analyze: the hello by its name; the two-ended probes by theirs, but
 * only below a zone whose hello a responder answered in the capture:
 * "test." and "translate.example." have the shape of token labels (their
 * log, which their verdict needs, is not in a capture). */
static int
tw_identify(const struct ep_target *t, struct ep_probe_spec *s)
{
	int tw = ep_tw_name_role(s->qname, s->qname_len);

	if (tw == -1 || (tw == EP_ROLE_TWIN && !below_hello(t, s)))
		return 0;
	s->subject = EP_SUBJ_SMALL;
	s->role = (enum ep_role)tw;
	return 1;
}

/* A size, or null when not measured (0). */
static json_t *
size_or_null(uint32_t v)
{
	return v ? json_integer(v) : json_null();
}

/* Two-ended facts of t (docs/json.md), or null when t is no responder. */
static json_t *
tw_json(const struct ep_target *t, const char *server)
{
	const struct ep_twoway *w = tw_get(t);
	json_t *o;

	(void)server;
	if (!w->responder)
		return json_null();
	o = json_object();
	json_object_set_new(o, "token", json_string(w->token));
	json_object_set_new(o, "log", json_string(w->log == 1 ? "read" :
	    w->log == -1 ? "failed" : "not asked"));
	json_object_set_new(o, "log_entries", json_integer(w->entries));
	json_object_set_new(o, "out_max", size_or_null(w->out_max));
	json_object_set_new(o, "out_lost", size_or_null(w->out_lost));
	json_object_set_new(o, "in_max", size_or_null(w->in_max));
	json_object_set_new(o, "in_lost", size_or_null(w->in_lost));
	json_object_set_new(o, "frag_out", json_string(ep_fact_str(
	    "frag_out", w->frag_out)));
	json_object_set_new(o, "frag_in", json_string(ep_fact_str(
	    "frag_in", w->frag_in)));
	json_object_set_new(o, "mtu_in", size_or_null(w->mtu_in));
	json_object_set_new(o, "mtu_in_lost", size_or_null(w->mtu_in_lost));
	return o;
}

/* Size facts of one direction: "up to A bytes arrived, from L none". */
static void
tw_sizes(FILE *fp, const char *what, uint32_t max, uint32_t lost)
{
	if (max)
		fprintf(fp, "%s up to %u bytes arrived", what, max);
	else
		fprintf(fp, "no %s arrived", what);
	if (lost)
		fprintf(fp, ", none of %u bytes or more", lost);
}

/* What the responder's log and our side say of each direction. */
static void
tw_text(FILE *fp, const struct ep_target *t, const char *server)
{
	const struct ep_twoway *w = tw_get(t);

	(void)server;
	if (!w->responder)
		return;
	fprintf(fp, "  Two-ended: the server is an ednsprobe responder "
	    "(log token %s", w->token);
	if (w->log != 1) {
		fprintf(fp, "; its log could not be read)\n\n");
		return;
	}
	fprintf(fp, ", %d log entries)\n    toward it: ", w->entries);
	tw_sizes(fp, "queries", w->out_max, w->out_lost);
	fprintf(fp, "; fragmented queries: %s\n    back:      ",
	    ep_fact_str("frag_out", w->frag_out));
	tw_sizes(fp, "answers", w->in_max, w->in_lost);
	fprintf(fp, "; its fragments: %s", ep_fact_str("frag_in",
	    w->frag_in));
	if (w->mtu_in)
		fprintf(fp, "; DF answers up to %u IP bytes arrived", w->mtu_in);
	if (w->mtu_in_lost)
		fprintf(fp, ", of %u not", w->mtu_in_lost);
	fprintf(fp, "\n\n");
}

/* One two-ended probe: what left, what the responder's log says arrived
 * and what it sent, what came back here. */
static void
twoway_row(FILE *fp, const struct ep_probe_record *p)
{
	const struct ep_probe_far *f = &p->far;

	fprintf(fp, "| %d | ", p->spec.id);
	if (p->spec.role == EP_ROLE_TWOUT)
		fprintf(fp, "out | query of %u bytes | ", p->spec.msg_len);
	else
		fprintf(fp, "in | %s answer of %u bytes%s%s",
		    ep_transport_str(p->spec.transport), p->spec.tw_want, p->spec.tw_df ? ", DF" : "",
		    p->spec.tw_frag ? ", its fragments" : "");
	if (p->spec.role != EP_ROLE_TWOUT && p->spec.tw_ttl && f->te[0])
		fprintf(fp, ", TTL %u (Time Exceeded from %s)",
		    p->spec.tw_ttl, f->te);
	else if (p->spec.role != EP_ROLE_TWOUT && p->spec.tw_ttl)
		fprintf(fp, ", TTL %u (no Time Exceeded)", p->spec.tw_ttl);
	if (p->spec.role != EP_ROLE_TWOUT)
		fprintf(fp, " | ");
	if (!f->seen)
		fprintf(fp, "never arrived | - | ");
	else {
		fprintf(fp, "arrived");
		if (f->frag)
			fprintf(fp, " in fragments (largest %u bytes)", f->frag);
		fprintf(fp, " | %u bytes%s via %s", f->sent, f->tc ? " (TC)" :
		    "", f->how);
		if (f->pkts > 1)
			fprintf(fp, ", %u packets", f->pkts);
		fprintf(fp, " | ");
	}
	fprintf(fp, "%s |\n", ep_outcome_str(p->res.outcome));
}

/* Both ends' view of a responder target's two-ended probes. */
static void
tw_report(FILE *fp, const struct ep_target *t)
{
	const struct ep_twoway *w = tw_get(t);

	if (!w->responder)
		return;
	fprintf(fp, "## Both ends: %s\n\n", t->addr_str);
	if (w->log != 1) {
		fprintf(fp, "The server is an ednsprobe responder, but its log "
		    "of this run (token `%s`) could not be read.\n\n",
		    w->token);
		return;
	}
	fprintf(fp, "The server is an ednsprobe responder: its own log of "
	    "this run (token `%s`, %d entries, fetched over DNS) says which "
	    "of our queries arrived and what it sent back.\n\n"
	    "| probe | direction | what | at the responder | it sent | "
	    "here |\n|---|---|---|---|---|---|\n", w->token, w->entries);
	for (int i = 0; i < t->nprobes; i++)
		if (t->probes[i].far.known)
			twoway_row(fp, &t->probes[i]);
	fprintf(fp, "\n");
}

/* Its verdict reads every other's facts (the path MTU): last. */
static void
tw_judge(struct ep_target *t, const struct ep_view *v,
    enum ep_judge_stage stage)
{
	(void)v;
	if (stage == EP_JUDGE_LAST)
		ep_tw_verdict(t);
}

const struct ep_measure ep_measure_twoway = {
	.name = "twoway",
	.state_size = sizeof(struct tw_state),
	.owns = tw_owns,
	.plan = tw_plan,
	.phase2 = tw_phase2,
	.done = tw_done,
	.next = tw_next,
	.identify = tw_identify,
	.verdict = tw_judge,
	.json_key = "twoway",
	.json_at = EP_JSON_AFTER_PATH,
	.json = tw_json,
	.text_at = EP_TEXT_AFTER_PROBES,
	.text = tw_text,
	.report = tw_report,
};
