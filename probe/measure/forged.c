/* probe/measure/forged.c: TCP resets, ICMP errors and DNS answers that
 * claim to come from the server but were made by a hop before it: the
 * IP TTL (RFC 791) or IPv6 hop limit (RFC 8200) they arrived with against
 * the server's own answers' and the hops module's TTL ladder.  No probes
 * of its own: it judges what the capture saw of the path's. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "measure/finding.h"
#include "measure/forged.h"
#include "measure/verdict.h"
#include "measure/measures.h"

int
ep_ttl_initial(int ttl)
{
	if (ttl < 1 || ttl > 255)
		return 0;
	return ttl <= 64 ? 64 : ttl <= 128 ? 128 : 255;
}

int
ep_ttl_crossed(int ttl)
{
	int init = ep_ttl_initial(ttl);

	return init ? init - ttl : -1;
}

/* One packet that came back, as far away as its TTL says. */
struct seen {
	const struct ep_probe_record *r;	/* its probe */
	int		 ttl;
	int		 crossed;	/* routers; -1: none seen */
	uint32_t	 frame;
};

/* What the verdict compares everything with: the server's answers. */
struct server {
	struct seen	 far;	/* the farthest answer: the server's own (a
				   box on the path is in front of it) */
	int		 hop;	/* far.crossed + 1: its distance */
	int		 ladder;	/* the TTL ladder's count agrees (1),
				   says nothing (0), differs (-1) */
};

static int
time_exceeded(const struct ep_probe_record *r)
{
	int fam = r->res.icmp_from.ss_family;

	return r->res.outcome == EP_OUT_ICMP &&
	    ((fam == AF_INET && r->res.icmp_type == 11) ||
	    (fam == AF_INET6 && r->res.icmp_type == 3));
}

/* The router at hop, from the TTL ladder: its address into buf and the
 * probe that showed it; NULL when no TTL probe expired there. */
static const struct ep_probe_record *
ladder_at(const struct ep_view *v, int hop, char *buf, size_t len)
{
	for (int i = 0; i < v->n; i++) {
		const struct ep_probe_record *r = v->p[i];

		if (r->spec.role == EP_ROLE_HOP && r->spec.ttl == hop &&
		    time_exceeded(r)) {
			ep_sockaddr_str(&r->res.icmp_from, buf, len);
			return r;
		}
	}
	return NULL;
}

/* The server's distance from its answers; 0 when none was seen. */
static int
server_of(const struct ep_target *t, const struct ep_view *v,
    struct server *s)
{
	memset(s, 0, sizeof(*s));
	s->far.crossed = -1;
	for (int i = 0; i < v->n; i++) {
		const struct ep_wire_ttl *k = &v->p[i]->wire.reply_ttl;

		for (int j = 0; j < k->n; j++) {
			int c = ep_ttl_crossed(k->ttl[j]);

			if (c > s->far.crossed) {
				s->far.r = v->p[i];
				s->far.ttl = k->ttl[j];
				s->far.crossed = c;
				s->far.frame = k->frame[j];
			}
		}
	}
	if (s->far.crossed < 0)
		return 0;
	s->hop = s->far.crossed + 1;
	if (t->path.server_ttl != 0)
		s->ladder = t->path.server_ttl == s->hop ? 1 : -1;
	return 1;
}

/*
 * The router a packet that crossed c routers came from: its address into
 * addr (len bytes) and the TTL probe that showed it into *hp when the
 * ladder agrees with the answers' count and a TTL probe expired there;
 * else "" and NULL.
 */
static void
name_hop(const struct ep_view *v, const struct server *s, int c,
    char *addr, size_t len, const struct ep_probe_record **hp)
{
	addr[0] = '\0';
	*hp = NULL;
	if (s->ladder == 1 && (*hp = ladder_at(v, c + 1, addr, len)) == NULL)
		addr[0] = '\0';
}

/* " (ADDR)" for a summary, "" when the address is not known. */
static const char *
paren(const char *addr, char *buf, size_t len)
{
	if (addr[0] == '\0')
		return "";
	snprintf(buf, len, " (%s)", addr);
	return buf;
}

static const char *
ttl_word(const struct ep_target *t)
{
	return t->family == 6 ? "hop limit" : "TTL";
}

/* Why the hop is not named, for the advice. */
static const char *
unnamed(const struct ep_target *t, const struct ep_view *v,
    const struct server *s, int hop)
{
	int ladder = 0;

	for (int i = 0; i < v->n && !ladder; i++)
		ladder = v->p[i]->spec.role == EP_ROLE_HOP &&
		    ep_ran(v->p[i]);
	if (!ladder)
		return " Without TTL probes (raw sockets) its address is not "
		    "known: a traceroute to the server names it.";
	if (t->path.server_ttl == hop)
		return " The TTL probes end at that hop too: it answers them, "
		    "sends no Time Exceeded, and its address is not known "
		    "(the hop after the last router that did).";
	if (s->ladder == 0)
		return " No TTL probe was answered, so the hops are the TTLs' "
		    "count alone and no address is named.";
	if (s->ladder == -1)
		return " The hops are counted on the way back: the TTL ladder "
		    "puts the server at another distance, so the routes "
		    "differ by direction and no address is named.";
	return " That hop sent no Time Exceeded to the TTL probes, so its "
	    "address is not known.";
}

/* Cite the server's answer the others are compared with, and the hop
 * probe that named the forger. */
static void
cite_ref(struct ep_finding *f, const struct server *s,
    const struct ep_probe_record *hp)
{
	ep_finding_cite(f, s->far.r);
	ep_finding_cite_frame(f, s->far.frame);
	if (hp != NULL)
		ep_finding_cite(f, hp);
}

/*
 * DNS answers closer than the server's farthest: made up on the way (a
 * DNS-inspecting middlebox answering in the server's name).  The first
 * such answer is named; every probe that got one is cited.
 */
static void
answers(struct ep_target *t, const struct ep_view *v, const struct server *s)
{
	const struct ep_probe_record *hp;
	struct ep_finding *f = NULL;
	struct seen first = { .crossed = -1 };
	int nprobes = 0, other = 0, boxed;
	char addr[64], name[80];

	for (int i = 0; i < v->n; i++) {
		const struct ep_wire_ttl *k = &v->p[i]->wire.reply_ttl;
		int forged = 0;

		for (int j = 0; j < k->n; j++) {
			int c = ep_ttl_crossed(k->ttl[j]);

			if (c < 0 || c >= s->far.crossed)
				continue;
			forged = 1;
			if (first.crossed < 0) {
				first.r = v->p[i];
				first.ttl = k->ttl[j];
				first.crossed = c;
				first.frame = k->frame[j];
			} else if (c != first.crossed)
				other = 1;
		}
		nprobes += forged;
	}
	if (first.crossed < 0)
		return;
	/* A box that answers queries answers the TTL probes that reach it
	 * too: the ladder then ends at its hop, not the server's. */
	boxed = t->path.server_ttl == first.crossed + 1;
	name_hop(v, s, first.crossed, addr, sizeof(addr), &hp);
	f = ep_finding_add(t, EP_F_ANSWER_FORGED,
	    "DNS answers to %d probe%s come from hop %d%s, not from "
	    "the server %d hops away: their %s %d says %d router%s "
	    "crossed, the server's other answers %d say %d%s%s", nprobes,
	    nprobes == 1 ? "" : "s", first.crossed + 1,
	    paren(addr, name, sizeof(name)), s->hop,
	    ttl_word(t), first.ttl, first.crossed, first.crossed == 1 ? "" :
	    "s", s->far.ttl, s->far.crossed, other ? " (others from "
	    "other hops)" : "", boxed ? "; the TTL probes are answered "
	    "there too" : "");
	ep_finding_advise(f,
	    "A middlebox (DNS inspection, a transparent proxy, a captive "
	    "portal) answers in the server's name: these answers are its. "
	    "Turn its interception off, or ask the server from elsewhere "
	    "to compare.%s",
	    addr[0] ? "" : unnamed(t, v, s, first.crossed + 1));
	for (int i = 0; i < v->n; i++) {
		const struct ep_wire_ttl *k = &v->p[i]->wire.reply_ttl;

		for (int j = 0; j < k->n; j++) {
			int c = ep_ttl_crossed(k->ttl[j]);

			if (c >= 0 && c < s->far.crossed) {
				ep_finding_cite(f, v->p[i]);
				ep_finding_cite_frame(f, k->frame[j]);
			}
		}
	}
	cite_ref(f, s, hp);
}

/*
 * TCP resets closer than the server's answers: a firewall on the way
 * resets TCP/53 in the server's name.  When one answered a SYN (the probe
 * never connected), the SYN died there: a drop_hop entry.
 */
static void
resets(struct ep_target *t, const struct ep_view *v, const struct server *s)
{
	const struct ep_probe_record *hp;
	struct ep_finding *f;
	struct seen first = { .crossed = -1 };
	int syn = 0, other = 0;
	char name[80], addr[64];

	for (int i = 0; i < v->n; i++) {
		const struct ep_probe_record *r = v->p[i];
		const struct ep_wire_ttl *k = &r->wire.reset_ttl;

		for (int j = 0; j < k->n && r->spec.transport == EP_TCP; j++) {
			int c = ep_ttl_crossed(k->ttl[j]);

			if (c < 0 || c >= s->far.crossed)
				continue;
			syn |= !r->res.connected;
			if (first.crossed < 0) {
				first.r = r;
				first.ttl = k->ttl[j];
				first.crossed = c;
				first.frame = k->frame[j];
			} else if (c != first.crossed)
				other = 1;
		}
	}
	if (first.crossed < 0)
		return;
	name_hop(v, s, first.crossed, addr, sizeof(addr), &hp);
	f = ep_finding_add(t, EP_F_TCP_RESET_FORGED,
	    "TCP/53 resets come from hop %d%s, not from the "
	    "server %d hops away: their %s %d says %d router%s crossed, "
	    "the server's answers %d say %d%s", first.crossed + 1,
	    paren(addr, name, sizeof(name)),
	    s->hop, ttl_word(t), first.ttl, first.crossed,
	    first.crossed == 1 ? "" : "s", s->far.ttl, s->far.crossed,
	    other ? " (others from other hops)" : "");
	ep_finding_advise(f,
	    "The resets are not the server's: a firewall or middlebox at "
	    "hop %d rejects TCP/53 in its name (nftables 'reject with tcp "
	    "reset', an ACL). Let TCP/53 through it (RFC 7766).%s",
	    first.crossed + 1, addr[0] ? "" : unnamed(t, v, s,
	    first.crossed + 1));
	for (int i = 0; i < v->n; i++) {
		const struct ep_probe_record *r = v->p[i];
		const struct ep_wire_ttl *k = &r->wire.reset_ttl;

		for (int j = 0; j < k->n && r->spec.transport == EP_TCP; j++) {
			int c = ep_ttl_crossed(k->ttl[j]);

			if (c >= 0 && c < s->far.crossed) {
				ep_finding_cite(f, r);
				ep_finding_cite_frame(f, k->frame[j]);
			}
		}
	}
	cite_ref(f, s, hp);
	/* The SYN's hop counted outward: only when the TTL ladder measured
	 * the way out as long as the answers' way back. */
	if (syn && s->ladder == 1)
		ep_drop_add(t, "tcp-syn", EP_DROP_OUT, first.crossed + 2,
		    addr, 0);
}

/* ic was sent from t's own address. */
static int
from_server(const struct ep_target *t, const struct ep_wire_icmp *ic)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&t->addr;
	const struct sockaddr_in6 *sin6 =
	    (const struct sockaddr_in6 *)&t->addr;

	if (ic->family == 4 && t->addr.ss_family == AF_INET)
		return memcmp(ic->from, &sin->sin_addr, 4) == 0;
	if (ic->family == 6 && t->addr.ss_family == AF_INET6)
		return memcmp(ic->from, &sin6->sin6_addr, 16) == 0;
	return 0;
}

/*
 * ICMP errors from the server's address whose distance is not its
 * answers': made on the way (closer), or not by the server (farther, or
 * with an initial TTL it does not use).  The first is named.
 */
static void
icmps(struct ep_target *t, const struct ep_view *v, const struct server *s)
{
	const struct ep_probe_record *hp = NULL;
	const struct ep_wire_icmp *ic = NULL;
	struct ep_finding *f;
	int c = -1;
	char addr[64] = "", name[80];

	for (int i = 0; i < v->n; i++) {
		const struct ep_wire_icmp *x = &v->p[i]->wire.icmp;
		int cx = ep_ttl_crossed(x->ttl);

		if (x->family == 0 || !from_server(t, x) || cx < 0 ||
		    cx == s->far.crossed)
			continue;
		if (ic == NULL) {
			ic = x;
			c = cx;
		}
	}
	if (ic == NULL)
		return;
	if (c < s->far.crossed) {
		name_hop(v, s, c, addr, sizeof(addr), &hp);
		f = ep_finding_add(t, EP_F_ICMP_FORGED,
		    "ICMP errors (type %u code %u) in the server's name "
		    "come from hop %d%s, not from the server %d hops away: "
		    "their %s %d says %d router%s crossed, the server's "
		    "answers %d say %d", ic->type, ic->code, c + 1,
		    paren(addr, name, sizeof(name)),
		    s->hop, ttl_word(t), ic->ttl, c, c == 1 ? "" : "s",
		    s->far.ttl, s->far.crossed);
		ep_finding_advise(f,
		    "A firewall or middlebox at hop %d rejects these "
		    "packets in the server's name: look at its rules.%s",
		    c + 1, addr[0] ? "" : unnamed(t, v, s, c + 1));
	} else {
		f = ep_finding_add(t, EP_F_ICMP_FORGED,
		    "ICMP errors (type %u code %u) in the server's name "
		    "are not the server's: their %s %d says %d routers "
		    "crossed, the server's answers %d say %d", ic->type,
		    ic->code, ttl_word(t), ic->ttl, c, s->far.ttl,
		    s->far.crossed);
		ep_finding_advise(f,
		    "Something other than the server sends ICMP errors "
		    "with its address, from no hop of the path the answers "
		    "take: look at the firewalls near the server.");
	}
	for (int i = 0; i < v->n; i++) {
		const struct ep_wire_icmp *x = &v->p[i]->wire.icmp;
		int cx = ep_ttl_crossed(x->ttl);

		if (x->family != 0 && from_server(t, x) && cx >= 0 &&
		    cx != s->far.crossed) {
			ep_finding_cite(f, v->p[i]);
			ep_finding_cite_frame(f, x->frame);
		}
	}
	cite_ref(f, s, hp);
}

/* LAST: the hops module's server_ttl is made (MAIN).  A capture that
 * missed frames could miss the server's own answers: nothing then. */
static void
verdict(struct ep_target *t, const struct ep_view *v,
    enum ep_judge_stage stage)
{
	struct server s;

	if (stage != EP_JUDGE_LAST || t->capture != 1 || !server_of(t, v, &s))
		return;
	answers(t, v, &s);
	resets(t, v, &s);
	icmps(t, v, &s);
}

const struct ep_measure ep_measure_forged = {
	.name = "forged",
	.path = 1,
	.verdict = verdict,
};
