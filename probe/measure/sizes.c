/* probe/measure/sizes.c: the baselines, the EDNS buffer-size ladder over
 * UDP (RFC 6891) and the same questions over TCP (RFC 7766): is the
 * server there, does EDNS pass, how large an answer comes whole. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/query.h"
#include "measure/finding.h"
#include "measure/plan.h"
#include "measure/measures.h"
#include "measure/verdict.h"

#define TYPE_SOA	6
#define TYPE_A		1
#define TYPE_DNSKEY	48
#define UDP_CLASSIC	512	/* RFC 1035 2.3.4: UDP messages up to 512 */

static int
owns(const struct ep_probe_spec *s)
{
	return s->ctest == 0 && (s->role == EP_ROLE_BASE ||
	    s->role == EP_ROLE_LADDER || s->role == EP_ROLE_TCPSIZE);
}

/* Phase 1: is the server there, and how far away. */
static int
plan_baselines(const struct ep_options *o, struct ep_target *t, int *next_id)
{
	struct ep_probe_spec *s[3] = { NULL, NULL, NULL };
	int n = 0, want = 0;

	if (o->udp) {
		want += 2;
		s[n++] = ep_plan_add(t, next_id, EP_UDP, EP_ROLE_BASE,
		    EP_SUBJ_SMALL, o->qname, o->qname_len, TYPE_SOA, 0, 0, 0,
		    o);
		s[n++] = ep_plan_add(t, next_id, EP_UDP, EP_ROLE_BASE,
		    EP_SUBJ_SMALL, o->qname, o->qname_len, TYPE_SOA, 1, 1232,
		    0, o);
	}
	if (o->tcp) {
		want++;
		s[n++] = ep_plan_add(t, next_id, EP_TCP, EP_ROLE_BASE,
		    EP_SUBJ_SMALL, o->qname, o->qname_len, TYPE_SOA, 1, 1232,
		    0, o);
	}
	for (int i = 0; i < n; i++) {
		if (s[i] == NULL)
			return 0;
		s[i]->first = 1;
	}
	return n == want;
}

/* Phase 2: the ladder for a large and a medium answer, then TCP. */
static int
plan_ladder(const struct ep_options *o, struct ep_target *t, int *next_id)
{
	uint8_t nx[EP_DNAME_MAX];
	size_t nxlen = 0, lbl = strlen(EP_PLAN_NXLABEL);
	uint16_t large = o->qtype ? o->qtype : TYPE_DNSKEY;
	uint16_t tcpsize = ep_plan_largest(o);
	int ok = 1;

	/* The negative answer: a name that does not exist under NAME. */
	if (1 + lbl + o->qname_len <= EP_DNAME_MAX) {
		nx[0] = (uint8_t)lbl;
		memcpy(nx + 1, EP_PLAN_NXLABEL, lbl);
		memcpy(nx + 1 + lbl, o->qname, o->qname_len);
		nxlen = 1 + lbl + o->qname_len;
	}
	if (o->udp) {
		for (int i = 0; i < o->nsizes; i++)
			ok &= ep_plan_add(t, next_id, EP_UDP, EP_ROLE_LADDER,
			    EP_SUBJ_LARGE, o->qname, o->qname_len, large, 1,
			    o->sizes[i], o->dnssec, o) != NULL;
		for (int i = 0; nxlen && i < o->nsizes; i++)
			ok &= ep_plan_add(t, next_id, EP_UDP, EP_ROLE_LADDER,
			    EP_SUBJ_MEDIUM, nx, nxlen, TYPE_A, 1, o->sizes[i],
			    o->dnssec, o) != NULL;
	}
	if (o->tcp) {
		ok &= ep_plan_add(t, next_id, EP_TCP, EP_ROLE_TCPSIZE,
		    EP_SUBJ_LARGE, o->qname, o->qname_len, large, 1, tcpsize,
		    o->dnssec, o) != NULL;
		if (nxlen)
			ok &= ep_plan_add(t, next_id, EP_TCP,
			    EP_ROLE_TCPSIZE, EP_SUBJ_MEDIUM, nx, nxlen, TYPE_A,
			    1, tcpsize, o->dnssec, o) != NULL;
	}
	return ok;
}

static int
plan(struct ep_mrun *m, enum ep_plan_stage stage, struct ep_err *err)
{
	int ok = stage == EP_PLAN_BASELINE ?
	    plan_baselines(m->o, m->t, m->next_id) :
	    plan_ladder(m->o, m->t, m->next_id);

	if (!ok)
		return ep_err_set(err, EP_EINTERNAL, "more than %d probes",
		    EP_PROBES_MAX);
	return 0;
}

/*
 * analyze: the probes no other module took.  SOA and queries without
 * EDNS are baselines; among the rest, the question with the largest
 * answer is the large subject (and names the target's NAME and TYPE),
 * the others medium.  The fastest baseline gives the baseline RTT.
 */
static int
identify_target(struct ep_target *t)
{
	const struct ep_probe_record *big = NULL;
	long bigsize = -1;

	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *p = &t->probes[i];
		long n = p->res.outcome == EP_OUT_ANSWER ?
		    (long)p->res.reply.length : -1;

		if (p->spec.role == EP_ROLE_NONE &&
		    p->spec.qtype != TYPE_SOA && p->spec.qname_len > 0 &&
		    n > bigsize) {
			bigsize = n;
			big = p;
		}
	}
	for (int i = 0; i < t->nprobes; i++) {
		struct ep_probe_spec *s = &t->probes[i].spec;
		int same = big != NULL && s->qtype == big->spec.qtype &&
		    s->qname_len == big->spec.qname_len &&
		    memcmp(s->qname, big->spec.qname, s->qname_len) == 0;

		if (s->role != EP_ROLE_NONE)
			continue;
		if (s->qtype == TYPE_SOA || s->qname_len == 0) {
			s->subject = EP_SUBJ_SMALL;
			s->role = EP_ROLE_BASE;
			continue;
		}
		s->subject = same || big == NULL ? EP_SUBJ_LARGE :
		    EP_SUBJ_MEDIUM;
		s->role = s->transport == EP_TCP ? EP_ROLE_TCPSIZE :
		    s->edns ? EP_ROLE_LADDER : EP_ROLE_BASE;
	}
	if (big != NULL) {
		ep_dns_name_str(big->spec.qname, big->spec.qname_len, t->name,
		    sizeof(t->name));
		ep_query_type_str(big->spec.qtype, t->qtype_str,
		    sizeof(t->qtype_str));
	}
	/* The baseline RTT: the fastest baseline's. */
	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *p = &t->probes[i];

		if (p->spec.role == EP_ROLE_BASE && p->res.rtt_ms >= 0 &&
		    (t->base_rtt_ms < 0 || p->res.rtt_ms < t->base_rtt_ms))
			t->base_rtt_ms = p->res.rtt_ms;
	}
	return big != NULL;
}

static int
is_edns_udp(const struct ep_probe_record *r)
{
	return r->spec.transport == EP_UDP && r->spec.edns && ep_ran(r);
}

/* No answer, but replies: ignored ones (not ours) or a malformed one. */
static int
bad_reply(const struct ep_probe_record *r)
{
	return r->spec.transport == EP_UDP && !ep_replied(r) &&
	    (r->res.ignored > 0 || r->res.outcome == EP_OUT_MALFORMED);
}

static int
is_truncated(const struct ep_probe_record *r)
{
	return r->res.outcome == EP_OUT_TRUNCATED;
}

/* A UDP probe answered by an ICMP port unreachable from the target's
 * own address: its host, not a router, says nothing listens. */
static int
refused_by_target(const struct ep_target *t, const struct ep_probe_record *r)
{
	const struct sockaddr_storage *a = &r->res.icmp_from;
	int unreach = (r->res.icmp_type == 3 && r->res.icmp_code == 3) ||
	    (r->res.icmp_type == 1 && r->res.icmp_code == 4);

	if (r->spec.transport != EP_UDP || r->res.outcome != EP_OUT_ICMP ||
	    !unreach || a->ss_family != t->addr.ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)(const void *)a)->
		    sin_addr, &((const struct sockaddr_in *)(const void *)
		    &t->addr)->sin_addr, 4) == 0;
	return memcmp(&((const struct sockaddr_in6 *)(const void *)a)->
	    sin6_addr, &((const struct sockaddr_in6 *)(const void *)
	    &t->addr)->sin6_addr, 16) == 0;
}

static int
count_outcome(const struct ep_view *v, enum ep_transport tr, enum ep_outcome o)
{
	int n = 0;

	for (int i = 0; i < v->n; i++)
		n += v->p[i]->spec.transport == tr &&
		    v->p[i]->res.outcome == o;
	return n;
}

static int
nrefused_by_target(const struct ep_target *t, const struct ep_view *v)
{
	int n = 0;

	for (int i = 0; i < v->n; i++)
		n += refused_by_target(t, v->p[i]);
	return n;
}

/* Full answer size of each subject: TCP's answer, else UDP's whole one. */
static void
sizes(struct ep_target *t, const struct ep_view *v, long lo[EP_SUBJ_COUNT])
{
	for (int s = 0; s < EP_SUBJ_COUNT; s++) {
		t->path.size_known[s] = -1;
		lo[s] = 0;
	}
	for (int i = 0; i < v->n; i++) {
		const struct ep_probe_record *r = v->p[i];
		long len = (long)r->res.reply.length;
		int s = r->spec.subject;

		if (r->spec.role == EP_ROLE_OPTION)
			continue;	/* its answer carries a server cookie */
		if (r->res.outcome == EP_OUT_ANSWER &&
		    r->spec.transport == EP_UDP && t->path.size_known[s] < len)
			t->path.size_known[s] = len;
		if (r->res.outcome == EP_OUT_TRUNCATED &&
		    r->spec.transport == EP_UDP) {
			/* TC proves the answer is bigger than the limit the
			 * server applied: ours, or its own if smaller. */
			long limit = r->spec.edns ? r->spec.bufsize :
			    UDP_CLASSIC;

			if (r->res.reply.opt_count == 1 &&
			    r->res.reply.edns_udp >= UDP_CLASSIC &&
			    r->res.reply.edns_udp < limit)
				limit = r->res.reply.edns_udp;
			if (limit + 1 > lo[s])
				lo[s] = limit + 1;
		}
	}
	/* A TCP answer is the whole answer; prefer it over UDP's. */
	for (int i = 0; i < v->n; i++) {
		const struct ep_probe_record *r = v->p[i];

		if (r->spec.transport == EP_TCP &&
		    r->res.outcome == EP_OUT_ANSWER)
			t->path.size_known[r->spec.subject] =
			    (long)r->res.reply.length;
	}
}

static void
edns(struct ep_target *t, const struct ep_view *v)
{
	const struct ep_probe_record *plain = NULL;
	int nedns = 0, nreply = 0, nopt = 0, nudp_reply = 0, ntcp_reply = 0;
	int nbad = 0, nbad_edns = 0, nign = 0, nmal = 0, nudp = 0;
	int nbadvers = 0, nrefused = nrefused_by_target(t, v), ncut = 0;
	struct ep_finding *f;

	for (int i = 0; i < v->n; i++) {
		const struct ep_probe_record *r = v->p[i];

		if (r->spec.transport == EP_TCP) {
			ntcp_reply += ep_replied(r);
			continue;
		}
		if (r->spec.transport == EP_RAW ||
		    r->spec.role == EP_ROLE_OPTION)
			continue;	/* padded, DF, fragments, options: their
					   own findings */
		nudp_reply += ep_replied(r);
		nudp += ep_ran(r);
		if (bad_reply(r)) {
			nbad++;
			nbad_edns += is_edns_udp(r);
			nign += !ep_replied(r) && r->res.ignored > 0;
			nmal += r->res.outcome == EP_OUT_MALFORMED;
		}
		if (!r->spec.edns && r->spec.role == EP_ROLE_BASE)
			plain = r;
		if (!is_edns_udp(r))
			continue;
		nedns++;
		if (ep_replied(r) && !ep_reply_whole(r)) {
			ncut++;		/* its OPT record is unknown */
			continue;
		}
		nreply += ep_replied(r);
		nopt += ep_replied(r) && r->res.reply.opt_count == 1;
		nbadvers += ep_replied(r) && r->res.reply.rcode == 16;
	}
	if (nreply > 0 && nbadvers == nreply) {
		/* BADVERS to version 0 (RFC 6891 6.1.3): EDNS refused. */
		t->path.edns = EP_FACT_UNSUPPORTED;
		f = ep_finding_add(t, EP_F_EDNS_BADVERS, "The server answers every version-0 EDNS query with "
		    "BADVERS: it refuses EDNS0 itself, so no answer bigger "
		    "than 512 bytes comes over UDP");
		ep_finding_advise(f, "Fix the server's EDNS handling: version 0 "
		    "must be answered (RFC 6891 6.1.3); resolvers otherwise "
		    "retry without EDNS and lose DNSSEC and large answers.");
		ep_cite_all(f, v, EP_UDP, -1, is_edns_udp);
	} else if (nreply > 0 && nopt > 0) {
		t->path.edns = EP_FACT_OK;
	} else if (nreply > 0) {
		char rc[16];
		const struct ep_probe_record *r = NULL;

		for (int i = 0; i < v->n && r == NULL; i++)
			if (is_edns_udp(v->p[i]) &&
			    ep_replied(v->p[i]))
				r = v->p[i];
		t->path.edns = EP_FACT_UNSUPPORTED;
		f = ep_finding_add(t, EP_F_EDNS_UNSUPPORTED, "The server answers EDNS queries without an OPT record "
		    "(rcode %s): it does not support EDNS0, so its UDP "
		    "answers stop at 512 bytes", ep_dns_rcode_str(
		    r ? r->res.reply.rcode : 0, rc, sizeof(rc)));
		ep_finding_advise(f, "Upgrade or configure the server for EDNS0 "
		    "(RFC 6891); large answers then depend on TCP/53.");
		ep_cite_all(f, v, EP_UDP, -1, is_edns_udp);
	} else if (ncut > 0) {
		/* Answered, but only their headers are known (the snap
		 * length, fragments not all captured): EDNS untested. */
	} else if ((nedns > 0 && nbad_edns == nedns) ||
	    (nudp_reply == 0 && nudp > 0 && nbad == nudp)) {
		/* Every one got replies, so nothing dropped the queries:
		 * the replies themselves are broken (or forged). */
		f = ep_finding_add(t, EP_F_UDP_BAD_REPLIES, "No %s over UDP was answered, yet each got replies: %d "
		    "probes only replies that answer none of our queries "
		    "(wrong id, question, opcode or QR: ignored_replies), %d "
		    "malformed ones", nudp_reply > 0 ? "EDNS query" : "query",
		    nign, nmal);
		ep_finding_advise(f, "The server, or a proxy or load balancer answering "
		    "for it, sends broken UDP replies: compare them in the "
		    "capture with the TCP answers and fix that software.");
		ep_cite_all(f, v, EP_UDP, -1, bad_reply);
	} else if (nedns > 0 && plain != NULL && ep_replied(plain)) {
		t->path.edns = EP_FACT_DROPPED;
		f = ep_finding_add(t, EP_F_EDNS_DROPPED, "All %d UDP queries carrying an EDNS0 OPT record went "
		    "unanswered while the same server answered a query "
		    "without EDNS%s: something on the path drops EDNS "
		    "queries or their answers", nedns, ntcp_reply ?
		    " and answered EDNS over TCP" : "");
		ep_finding_advise(f, "Find the firewall or DNS-inspection rule that drops "
		    "UDP DNS queries with an OPT record (ARCOUNT > 0) and "
		    "remove it; resolvers otherwise fall back to plain DNS "
		    "and lose DNSSEC and large answers.");
		ep_finding_cite(f, plain);
		ep_cite_all(f, v, EP_UDP, -1, is_edns_udp);
	} else if (nudp_reply == 0 && ntcp_reply > 0 && nrefused > 0 &&
	    nrefused == count_outcome(v, EP_UDP, EP_OUT_ICMP)) {
		/* The rest timed out: hosts rate-limit their ICMP errors. */
		f = ep_finding_add(t, EP_F_UDP_REFUSED, "UDP queries drew ICMP port unreachable from %s itself "
		    "(%d of %d; no reply to any), while TCP queries were "
		    "answered: nothing listens on UDP port 53 there (or its "
		    "own firewall rejects it)", t->addr_str, nrefused, nudp);
		ep_finding_advise(f, "Make the server listen on UDP/53 on this "
		    "address (check its listen/interface settings), or open "
		    "its host firewall for UDP/53.");
		ep_cite_all(f, v, EP_UDP, -1, ep_ran);
	} else if (nudp_reply == 0 && ntcp_reply > 0 && nudp > 0) {
		/* Only when UDP was asked: a +tcp run, or a capture of DNS
		 * over TCP alone, says nothing of UDP. */
		f = ep_finding_add(t, EP_F_UDP_NO_REPLY, "No UDP query was answered, while TCP queries were: "
		    "UDP/53 is blocked on the path");
		ep_finding_advise(f, "Allow UDP/53 both ways between the client and "
		    "the server; DNS over TCP alone is slow and not what "
		    "resolvers try first.");
		ep_cite_all(f, v, -1, -1, ep_ran);
	}
}

/* The largest whole datagram that arrived, and who brought it. */
static const struct ep_probe_record *
udp_max(const struct ep_view *v)
{
	const struct ep_probe_record *best = NULL;

	for (int i = 0; i < v->n; i++) {
		const struct ep_probe_record *r = v->p[i];

		if (r->spec.transport == EP_UDP && ep_replied(r) &&
		    r->spec.role != EP_ROLE_OPTION && (best == NULL ||
		    r->res.reply.length > best->res.reply.length))
			best = r;
	}
	return best;
}

/* What the capture saw of the lost UDP answers of subject s. */
struct lost_wire {
	int	 probes;	/* lost probes */
	int	 replies;	/* reply heads (first fragments) seen */
	int	 dgrams;	/* fragmented reply datagrams seen */
	int	 complete;	/* of those, complete on the wire */
};

static void
lost_wire(const struct ep_view *v, int s, struct lost_wire *w)
{
	memset(w, 0, sizeof(*w));
	for (int i = 0; i < v->n; i++) {
		const struct ep_probe_record *r = v->p[i];

		if (r->spec.transport != EP_UDP || (int)r->spec.subject != s ||
		    !ep_timed_out(r))
			continue;
		w->probes++;
		w->replies += r->wire.replies;
		w->dgrams += r->wire.frag_dgrams;
		w->complete += r->wire.frag_complete;
	}
}

static const char frag_advice[] = "Allow IP fragments of DNS answers "
    "through the firewalls on the path (IPv4 fragments, IPv6 Fragment "
    "header), or set the resolvers' EDNS buffer to 1232 (unbound "
    "edns-buffer-size, BIND edns-udp-size) so answers are not "
    "fragmented; keep TCP/53 open for the truncated ones.";

/*
 * Answers that need fragments are lost while unfragmented ones pass.
 * Without a complete capture that is all we know (FRAG_IN_DROPPED); with
 * one, the wire tells which fragments arrived.
 */
static struct ep_finding *
frag_lost(struct ep_target *t, const struct ep_view *v, int s, long lost, int approx, long ok_max,
    int mtu)
{
	struct lost_wire w;
	struct ep_finding *f;
	char size[48];

	snprintf(size, sizeof(size), "%s%ld-byte", approx ? "over-" : "",
	    lost);
	t->path.frag_in = EP_FACT_DROPPED;
	lost_wire(v, s, &w);
	if (t->capture == 1 && w.complete > 0) {
		f = ep_finding_add(t, EP_F_ANSWER_NOT_DELIVERED, "The %s answer arrived whole on the wire (%d of its "
		    "fragmented datagrams complete in the capture) but never "
		    "reached ednsprobe's socket: this host dropped it", size,
		    w.complete);
		ep_finding_advise(f, "Check this host's own firewall (nftables/iptables "
		    "rules on fragments or UDP size) and its reassembly "
		    "limits (net.ipv4.ipfrag_*, net.ipv6.ip6frag_*); the "
		    "path itself delivers the fragments.");
		return f;
	}
	if (t->capture == 1 && w.replies > 0) {
		t->path.frag_in = EP_FACT_PARTIAL;
		f = ep_finding_add(t, EP_F_FRAG_NONFIRST_DROPPED, "Only the first fragment of the %s answer arrives (%d "
		    "first fragments in the capture, no later ones): a "
		    "firewall on the path drops non-first fragments, which "
		    "carry no port numbers", size, w.replies);
		ep_finding_advise(f, "%s Rules that match ports drop non-first "
		    "fragments; allow them (e.g. nft 'ip frag-off & 0x1fff "
		    "!= 0 accept' before port rules).", frag_advice);
		return f;
	}
	if (t->capture == 1 && t->orphan_dgrams > 0) {
		t->path.frag_in = EP_FACT_PARTIAL;
		f = ep_finding_add(t, EP_F_FRAG_FIRST_DROPPED, "Later fragments of the %s answer arrive without their "
		    "first fragment (%d headless datagrams in the capture): "
		    "a filter on the path drops the fragment that carries the "
		    "UDP header", size, t->orphan_dgrams);
		ep_finding_advise(f, "%s", frag_advice);
		for (int i = 0; i < t->norphan_frames; i++)
			ep_finding_cite_frame(f, t->orphan_frames[i]);
		return f;
	}
	f = ep_finding_add(t, EP_F_FRAG_IN_DROPPED, "UDP answers that need IP fragments are lost: the %s answer "
	    "(over the %d-byte MTU) never arrived, while unfragmented answers "
	    "up to %ld bytes did%s", size, mtu, ok_max, t->capture == 1 ?
	    "; the capture saw no fragment of it" : "");
	ep_finding_advise(f, "%s", frag_advice);
	return f;
}

/*
 * UDP answers lost by size: for each subject, the ladder probes that
 * should have brought the whole answer; a subject whose whole answer
 * never came while smaller ones did is lost by size, not by chance
 * (each probe was sent up to --tries times).
 */
static int
udp_sizes(struct ep_target *t, const struct ep_view *v, const long lo[EP_SUBJ_COUNT])
{
	const struct ep_probe_record *okr = udp_max(v);
	long ok_max = okr ? (long)okr->res.reply.length : -1;
	long lost_min = -1;
	int lost_subj = -1, approx = 0;
	int hdr = t->family == 4 ? 28 : 48;
	int mtu = t->path.iface_mtu > 0 ? t->path.iface_mtu : 1500;
	struct ep_finding *f;

	for (int s = EP_SUBJ_MEDIUM; s < EP_SUBJ_COUNT; s++) {
		long full = t->path.size_known[s];
		int expect = 0, got = 0, lost = 0;

		for (int i = 0; i < v->n; i++) {
			const struct ep_probe_record *r = v->p[i];

			if (r->spec.transport != EP_UDP ||
			    r->spec.role != EP_ROLE_LADDER ||
			    (int)r->spec.subject != s || !ep_ran(r))
				continue;
			/* The server's own OPT size is what it receives, not
			 * a cap on what it sends (RFC 6891 6.2.3): one that
			 * caps sends there answers TC, never silence, so a
			 * probe whose buffer fits the answer expects it. */
			if (full >= 0 ? full <= r->spec.bufsize :
			    lo[s] > 0 && r->spec.bufsize >= lo[s]) {
				expect++;
				got += r->res.outcome == EP_OUT_ANSWER;
				lost += ep_timed_out(r);
			}
		}
		if (expect == 0 || got > 0 || lost < expect)
			continue;
		long e = full >= 0 ? full : lo[s];

		if (lost_min < 0 || e < lost_min) {
			lost_min = e;
			lost_subj = s;
			approx = full < 0;
		}
	}
	if (lost_min < 0)
		return 0;
	if (ok_max >= lost_min)
		return 0;	/* a bigger answer passed: not a size effect */

	if (lost_min + hdr <= mtu && !approx) {
		f = ep_finding_add(t, EP_F_UDP_SIZE_LIMIT, "UDP answers of %ld bytes are lost although they fit in "
		    "one packet, while answers up to %ld bytes arrive: a "
		    "size limit on the path%s", lost_min, ok_max,
		    ok_max <= UDP_CLASSIC ?
		    " (an old 512-byte DNS inspection rule?)" : "");
		ep_finding_advise(f, "Remove the DNS message-length limit on the "
		    "firewall (e.g. Cisco 'message-length maximum client "
		    "auto'), or raise it to at least 1232 bytes; until then "
		    "resolvers need TCP/53 or an EDNS buffer of %ld or less.",
		    ok_max);
	} else if (ok_max > UDP_CLASSIC && ok_max + hdr <= mtu) {
		f = frag_lost(t, v, lost_subj, lost_min, approx, ok_max, mtu);
	} else {
		f = ep_finding_add(t, EP_F_UDP_LARGE_LOST, "UDP answers of %s%ld bytes are lost while answers up to "
		    "%ld bytes arrive; no answer between %d bytes and the "
		    "MTU was measured, so a size limit cannot be told from a "
		    "fragment filter", approx ? "more than " : "", lost_min,
		    ok_max, UDP_CLASSIC);
		ep_finding_advise(f, "Probe again with a NAME/TYPE whose answer is 600 "
		    "to 1400 bytes to tell them apart; meanwhile keep "
		    "resolvers' EDNS buffer at %ld or less and TCP/53 open.",
		    ok_max > UDP_CLASSIC ? ok_max : UDP_CLASSIC);
	}
	if (okr)
		ep_finding_cite(f, okr);
	ep_cite_all(f, v, EP_UDP, lost_subj, ep_timed_out);
	for (int i = 0; i < v->n; i++)
		if (v->p[i]->spec.transport == EP_TCP &&
		    (int)v->p[i]->spec.subject == lost_subj &&
		    v->p[i]->res.outcome == EP_OUT_ANSWER)
			ep_finding_cite(f, v->p[i]);
	return 1;
}

/* A TCP probe that ran and asked its question (not a TTL-limited SYN of
 * the hops module): the evidence of the TCP findings. */
static int
tcp_asked(const struct ep_probe_record *r)
{
	return r->spec.role != EP_ROLE_HOP && ep_ran(r);
}

/* A TCP probe of the path's TCP facts (the option query's TCP twin has
 * its own finding; a TTL-limited SYN is the hops module's). */
static int
is_tcp_ran(const struct ep_probe_record *r)
{
	return r->spec.transport == EP_TCP && r->spec.role != EP_ROLE_OPTION &&
	    r->spec.role != EP_ROLE_HOP && ep_ran(r);
}

static void
tcp(struct ep_target *t, const struct ep_view *v)
{
	int n = 0, conn = 0, resets = 0, timeouts = 0, answers = 0;
	long ans_max = -1;
	const struct ep_probe_record *stuck = NULL, *broken = NULL;
	struct ep_finding *f;

	for (int i = 0; i < v->n; i++) {
		const struct ep_probe_record *r = v->p[i];

		if (!is_tcp_ran(r))
			continue;
		/* Connected, then reset or a malformed answer: the server's
		 * TCP is broken, not the path's TCP/53. */
		if (r->res.connected && broken == NULL &&
		    (r->res.outcome == EP_OUT_RESET ||
		    r->res.outcome == EP_OUT_MALFORMED))
			broken = r;
		n++;
		conn += r->res.connected;
		resets += r->res.outcome == EP_OUT_RESET && !r->res.connected;
		timeouts += r->res.outcome == EP_OUT_TIMEOUT;
		if (r->res.outcome == EP_OUT_ANSWER) {
			answers++;
			if ((long)r->res.reply.length > ans_max)
				ans_max = (long)r->res.reply.length;
		}
		if (r->res.outcome == EP_OUT_NOANSWER && stuck == NULL)
			stuck = r;
	}
	if (n == 0)
		return;
	if (conn > 0)
		t->path.tcp = EP_FACT_OK;
	else if (resets > 0)
		t->path.tcp = EP_FACT_RESET;
	else if (timeouts > 0)
		t->path.tcp = EP_FACT_DROPPED;

	if (t->path.tcp == EP_FACT_RESET) {
		f = ep_finding_add(t, EP_F_TCP_RESET, "TCP connections to port %s are refused with a reset "
		    "(%d of %d probes): the server does not accept TCP, or a "
		    "firewall rejects TCP/53 on its behalf", "53", resets, n);
		ep_finding_advise(f, "Allow TCP/53 to the server (RFC 7766: DNS needs "
		    "TCP) and check that the server listens on TCP; the "
		    "reset's TTL in a capture tells a firewall from the "
		    "server.");
		ep_cite_all(f, v, EP_TCP, -1, tcp_asked);
	} else if (t->path.tcp == EP_FACT_DROPPED) {
		f = ep_finding_add(t, EP_F_TCP_TIMEOUT, "TCP connections to port 53 time out: neither a SYN-ACK "
		    "nor a reset came back within %u ms (%d probes): TCP/53 "
		    "is silently dropped on the path", t->timeout_ms, n);
		ep_finding_advise(f, "Open TCP/53 to the server on every firewall of the "
		    "path: truncated answers and answers above the path's "
		    "UDP limit can only be fetched over TCP.");
		ep_cite_all(f, v, EP_TCP, -1, tcp_asked);
	} else if (stuck != NULL && answers > 0) {
		long want = t->path.size_known[stuck->spec.subject];
		char wantbuf[32] = "larger";

		if (want > 0)
			snprintf(wantbuf, sizeof(wantbuf), "%ld-byte", want);
		if (want < 0 || want > ans_max) {
			t->path.tcp = EP_FACT_PARTIAL;
			f = ep_finding_add(t, EP_F_TCP_LARGE_LOST, "TCP connects and answers of %ld bytes arrive, "
			    "but the %s answer never did (%zu bytes of the "
			    "stream in %u ms): segments bigger than the path "
			    "MTU vanish without ICMP, a PMTUD black hole",
			    ans_max, wantbuf, stuck->res.stream_bytes,
			    t->timeout_ms);
			ep_finding_advise(f, "Let ICMP 'fragmentation needed' (type 3 "
			    "code 4) and ICMPv6 'packet too big' through the "
			    "firewalls, or clamp the TCP MSS on the link with "
			    "the small MTU (e.g. nft 'tcp option maxseg size "
			    "set rt mtu').");
			ep_cite_all(f, v, EP_TCP, -1, tcp_asked);
		}
	} else if (stuck != NULL || broken != NULL) {
		if (stuck == NULL)
			stuck = broken;
		t->path.tcp = EP_FACT_PARTIAL;
		f = ep_finding_add(t, EP_F_TCP_NO_ANSWER, "TCP connects but no answer arrives (%s after %zu bytes)",
		    stuck->res.outcome == EP_OUT_RESET ? "a reset" :
		    stuck->res.outcome == EP_OUT_MALFORMED ?
		    "a malformed answer" : stuck->res.peer_closed ?
		    "the server closed" : "nothing came back",
		    stuck->res.stream_bytes);
		ep_finding_advise(f, "Check the server's TCP settings and any proxy or "
		    "DNS inspection on the path that accepts connections.");
		ep_cite_all(f, v, EP_TCP, -1, tcp_asked);
	}
}

static void
truncation(struct ep_target *t, const struct ep_view *v)
{
	int ntc = 0, bmin = 65535, bmax = 0, connected = 0;
	const struct ep_probe_record *failed = NULL;
	struct ep_finding *f;

	/*
	 * Per question: truncated over UDP, never answered over TCP, and a
	 * TCP probe of it failed -- or a TCP connection that never opened,
	 * which fails every question alike (offline, its question is
	 * unknown).  One lost TCP probe while the same question was
	 * answered over TCP is not a finding; nor connects that failed
	 * (after all their tries) while other connections opened: that is
	 * loss of SYNs, not of this question's answer (loss5 made one).
	 */
	for (int i = 0; i < v->n; i++)
		connected |= is_tcp_ran(v->p[i]) &&
		    v->p[i]->res.connected;
	for (int s = 0; s < EP_SUBJ_COUNT; s++) {
		const struct ep_probe_record *fail_s = NULL;
		int answered = 0, tc = 0;

		for (int i = 0; i < v->n; i++) {
			const struct ep_probe_record *r = v->p[i];

			if (!is_tcp_ran(r) || (connected && !r->res.connected))
				continue;
			if (r->res.outcome == EP_OUT_ANSWER)
				answered |= (int)r->spec.subject == s;
			else if (fail_s == NULL && ((int)r->spec.subject == s ||
			    !r->res.connected))
				fail_s = r;
		}
		if (answered || fail_s == NULL)
			continue;
		for (int k = 0; k < v->n; k++) {
			const struct ep_probe_record *u = v->p[k];

			if (u->spec.transport != EP_UDP || !is_truncated(u) ||
			    (int)u->spec.subject != s)
				continue;
			tc++;
			bmin = u->spec.bufsize < bmin ? u->spec.bufsize : bmin;
			bmax = u->spec.bufsize > bmax ? u->spec.bufsize : bmax;
		}
		if (tc > 0) {
			ntc += tc;
			failed = fail_s;
		}
	}
	if (failed == NULL)
		return;
	f = ep_finding_add(t, EP_F_TRUNCATED_NO_TCP, "Truncated answers cannot be completed: %d UDP answers (EDNS "
	    "buffer %d..%d) came back with TC=1 and the same question over "
	    "TCP failed (%s)", ntc, bmin, bmax,
	    ep_outcome_str(failed->res.outcome));
	ep_finding_advise(f, "Clients and resolvers retry truncated answers over TCP: "
	    "fix TCP/53 on the path (see the TCP finding), otherwise these "
	    "names do not resolve.");
	ep_cite_all(f, v, EP_UDP, -1, is_truncated);
	ep_cite_all(f, v, EP_TCP, -1, tcp_asked);
}

/*
 * UDP answers bigger than the query allowed (its EDNS buffer size, or 512
 * without EDNS; RFC 6891 6.2.5, RFC 1035 4.2.1): the server ignores the
 * size the client can take, so its answers fragment where the client
 * asked them not to, or die on the way.  Answers that arrived are the
 * evidence; raw probes (padded queries) ask nothing of the size.
 */
static void
oversize(struct ep_target *t, const struct ep_view *v)
{
	struct ep_finding *f = NULL;
	size_t worst = 0, excess = 0;
	unsigned worst_max = 0;

	for (int i = 0; i < v->n; i++) {
		const struct ep_probe_record *r = v->p[i];
		unsigned max = r->spec.edns && r->spec.bufsize > 512 ?
		    r->spec.bufsize : 512;

		if (r->spec.transport != EP_UDP || !ep_replied(r) ||
		    r->res.reply.length <= max)
			continue;
		if (f == NULL)
			f = ep_finding_add(t, EP_F_UDP_OVERSIZE, "%s", "");
		ep_finding_cite(f, r);
		if (r->res.reply.length - max > excess) {
			excess = r->res.reply.length - max;
			worst = r->res.reply.length;
			worst_max = max;
		}
	}
	if (f == NULL)
		return;
	snprintf(f->summary, sizeof(f->summary), "The server sends UDP "
	    "answers bigger than the query allows (%zu bytes where %u was "
	    "the limit): it ignores the EDNS buffer size", worst, worst_max);
	ep_finding_advise(f, "Fix the server: an answer that does not fit the "
	    "client's buffer must be truncated (TC=1). Until then its large "
	    "answers fragment or are dropped wherever clients ask for "
	    "1232-byte answers.");
}

/* What the capture adds on its own: its gaps, and ICMP about our packets. */
static void
wire_notes(struct ep_target *t, const struct ep_view *v)
{
	struct ep_finding *f;
	char from[64] = "?";

	if (t->capture == -1) {
		f = ep_finding_add(t, EP_F_CAPTURE_INCOMPLETE, "The kernel dropped frames of the capture: the frame-level "
		    "evidence is incomplete, so the findings rest on what the "
		    "sockets received");
		ep_finding_advise(f, "Run again with fewer targets or a lower --rate.");
	}
	if (t->ptb.family != 0) {
		/* Below the protocol's minimum link MTU (RFC 791, RFC 8200
		 * 5), or not below the route's own MTU (every packet we
		 * sent fitted it): no router's true next hop. */
		int bogus = t->ptb.mtu < (t->family == 6 ? 1280u : 68u) ||
		    t->ptb.mtu >= (t->path.iface_mtu > 0 ?
		    (uint32_t)t->path.iface_mtu : 65535u);

		inet_ntop(t->ptb.family == 4 ? AF_INET : AF_INET6,
		    t->ptb.from, from, sizeof(from));
		f = ep_finding_add(t, EP_F_ICMP_TOO_BIG,
		    "%s reported that our packets toward %s are too big for "
		    "its next hop: MTU %u (ICMP%s %s)%s", from, t->addr_str,
		    t->ptb.mtu, t->family == 6 ? "v6" : "",
		    t->family == 6 ? "packet too big" :
		    "fragmentation needed", bogus ? ", an MTU no link can "
		    "have here: forged or broken" : "");
		if (bogus)
			f->severity = EP_SEV_WARNING;
		if (bogus)
			ep_finding_advise(f, "Find who sends ICMP errors with MTU %u: a "
			    "middlebox or host forging them can blind or "
			    "slow every path MTU discovery through it.",
			    t->ptb.mtu);
		else
			ep_finding_advise(f, "Path MTU discovery works toward this "
			    "router; packets above %u bytes are fragmented "
			    "or resent smaller.", t->ptb.mtu);
		ep_finding_cite_frame(f, t->ptb.frame);
		for (int i = 0; i < v->n; i++)
			if (v->p[i]->wire.icmp.family != 0 &&
			    v->p[i]->wire.icmp.mtu != 0)
				ep_finding_cite(f, v->p[i]);
	}
}


/*
 * The verdict.  FIRST: the path's facts every other verdict reads (answer
 * sizes, EDNS, how large an answer comes over UDP, TCP), or NO_REPLY when
 * nothing came back; MAIN: truncation, oversize answers, what could not
 * be tested; LAST: what the capture adds on its own.
 */
static void
judge_first(struct ep_target *t, const struct ep_view *v)
{
	long lo[EP_SUBJ_COUNT];
	const struct ep_probe_record *okr;
	int hdr = t->family == 4 ? 28 : 48;
	int mtu = t->path.iface_mtu > 0 ? t->path.iface_mtu : 1500;

	t->path.edns = t->path.frag_in = t->path.frag_out = EP_FACT_UNTESTED;
	t->path.tcp = t->path.pmtud = EP_FACT_UNTESTED;
	t->path.pmtu = -1;
	t->path.udp_max_response = -1;
	t->path.size_lost = 0;
	sizes(t, v, lo);
	if (!v->replied) {
		ep_verdict_no_reply(t, v);
		return;
	}
	okr = udp_max(v);
	if (okr) {
		t->path.udp_max_response = (long)okr->res.reply.length;
		if (t->path.udp_max_response + hdr > mtu)
			t->path.frag_in = EP_FACT_OK;	/* it came in pieces */
	}
	edns(t, v);
	if (t->path.edns == EP_FACT_OK)
		t->path.size_lost = udp_sizes(t, v, lo);
	tcp(t, v);
}

/* No answer needed fragments and none was lost by size: fragments were
 * not tested. */
static void
large_untested(struct ep_target *t)
{
	int hdr = t->family == 4 ? 28 : 48;
	int mtu = t->path.iface_mtu > 0 ? t->path.iface_mtu : 1500;
	long biggest = -1;

	for (int s = 0; s < EP_SUBJ_COUNT; s++)
		if (t->path.size_known[s] > biggest)
			biggest = t->path.size_known[s];
	if (t->path.edns == EP_FACT_OK && !t->path.size_lost &&
	    t->path.frag_in == EP_FACT_UNTESTED && biggest >= 0 &&
	    biggest + hdr <= mtu) {
		struct ep_finding *f = ep_finding_add(t, EP_F_LARGE_UNTESTED, "The largest answer available was %ld "
		    "bytes, which fits in one %d-byte packet: answers that "
		    "need IP fragments were not tested", biggest, mtu);

		ep_finding_advise(f, "Ask for a larger answer (a NAME/TYPE such as the "
		    "DNSKEY set of a signed zone with DO) to test fragments.");
	}
}

static void
verdict(struct ep_target *t, const struct ep_view *v,
    enum ep_judge_stage stage)
{
	if (stage == EP_JUDGE_FIRST)
		judge_first(t, v);
	else if (stage == EP_JUDGE_MAIN && v->replied) {
		truncation(t, v);
		oversize(t, v);
		large_untested(t);
	} else if (stage == EP_JUDGE_LAST && v->replied)
		wire_notes(t, v);
}

const struct ep_measure ep_measure_sizes = {
	.name = "sizes",
	.path = 1,
	.catch_all = 1,
	.owns = owns,
	.plan = plan,
	.identify_target = identify_target,
	.verdict = verdict,
};
