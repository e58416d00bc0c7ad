/* probe/measure/verdict.c: path facts and findings from probe results
 * (docs/faults.md). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "measure/finding.h"
#include "measure/plan.h"
#include "measure/twoway_verdict.h"
#include "measure/verdict.h"

#define UDP_CLASSIC	512	/* RFC 1035 2.3.4: UDP messages up to 512 */

static int
replied(const struct ep_probe_record *r)
{
	return r->res.outcome == EP_OUT_ANSWER ||
	    r->res.outcome == EP_OUT_TRUNCATED;
}

static int
ran(const struct ep_probe_record *r)
{
	return r->res.outcome != EP_OUT_SKIPPED &&
	    r->res.outcome != EP_OUT_PENDING &&
	    r->res.outcome != EP_OUT_INTERRUPTED;
}

/* Cite every probe that matches transport/role/subject (-1: any). */
static void
cite_all(struct ep_finding *f, const struct ep_target *t, int transport,
    int subject, int (*pred)(const struct ep_probe_record *))
{
	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];

		if ((transport == -1 || (int)r->spec.transport == transport) &&
		    (subject == -1 || (int)r->spec.subject == subject) &&
		    (pred == NULL || pred(r)))
			ep_finding_cite(f, r);
	}
}

static int
is_timeout(const struct ep_probe_record *r)
{
	return r->res.outcome == EP_OUT_TIMEOUT;
}

/* What the capture adds on its own: its gaps, and ICMP about our packets. */
static void
wire_notes(struct ep_target *t)
{
	struct ep_finding *f;
	char from[64] = "?";

	if (t->capture == -1) {
		f = ep_finding_add(t, "CAPTURE_INCOMPLETE", EP_SEV_INFO,
		    "The kernel dropped frames of the capture: the frame-level "
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
		f = ep_finding_add(t, "ICMP_TOO_BIG", bogus ? EP_SEV_WARNING :
		    EP_SEV_INFO,
		    "%s reported that our packets toward %s are too big for "
		    "its next hop: MTU %u (ICMP%s %s)%s", from, t->addr_str,
		    t->ptb.mtu, t->family == 6 ? "v6" : "",
		    t->family == 6 ? "packet too big" :
		    "fragmentation needed", bogus ? ", an MTU no link can "
		    "have here: forged or broken" : "");
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
		for (int i = 0; i < t->nprobes; i++)
			if (t->probes[i].wire.icmp.family != 0 &&
			    t->probes[i].wire.icmp.mtu != 0)
				ep_finding_cite(f, &t->probes[i]);
	}
}

static void frag_out(struct ep_target *);
static void pmtu(struct ep_target *);
static void hops(struct ep_target *);

static int
is_fragout(const struct ep_probe_record *r)
{
	return r->spec.role == EP_ROLE_FRAGOUT && ran(r);
}

static int
is_pmtu(const struct ep_probe_record *r)
{
	return r->spec.role == EP_ROLE_PMTU && ran(r);
}

static int
is_edns_udp(const struct ep_probe_record *r)
{
	return r->spec.transport == EP_UDP && r->spec.edns && ran(r);
}

/* No answer, but replies: ignored ones (not ours) or a malformed one. */
static int
bad_reply(const struct ep_probe_record *r)
{
	return r->spec.transport == EP_UDP && !replied(r) &&
	    (r->res.ignored > 0 || r->res.outcome == EP_OUT_MALFORMED);
}

static int
is_truncated(const struct ep_probe_record *r)
{
	return r->res.outcome == EP_OUT_TRUNCATED;
}

static int
unreachable(const struct ep_probe_record *r)
{
	int e = r->res.sys_errno;

	if (r->res.outcome == EP_OUT_ERROR || r->res.outcome == EP_OUT_ICMP)
		return e == ENETUNREACH || e == EHOSTUNREACH ||
		    e == EADDRNOTAVAIL || e == ENETDOWN;
	return 0;
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
count_outcome(const struct ep_target *t, enum ep_transport tr,
    enum ep_outcome o)
{
	int n = 0;

	for (int i = 0; i < t->nprobes; i++)
		n += t->probes[i].spec.transport == tr &&
		    t->probes[i].res.outcome == o;
	return n;
}

static int
nrefused_by_target(const struct ep_target *t)
{
	int n = 0;

	for (int i = 0; i < t->nprobes; i++)
		n += refused_by_target(t, &t->probes[i]);
	return n;
}

/* Nothing came back at all: say whether anything could be sent. */
static void
no_reply(struct ep_target *t)
{
	struct ep_finding *f;
	int n = 0, nunreach = 0, nrefused = 0;

	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];

		if (!ran(r))
			continue;
		n++;
		nunreach += unreachable(r);
		nrefused += r->res.outcome == EP_OUT_ICMP &&
		    r->res.sys_errno == ECONNREFUSED;
	}
	if (n > 0 && nunreach == n) {
		f = ep_finding_add(t, "UNREACHABLE", EP_SEV_ERROR,
		    "%s cannot be reached: no route or an ICMP "
		    "unreachable for every probe (%s)", t->addr_str,
		    strerror(t->probes[0].res.sys_errno));
		ep_finding_advise(f, "Check the address, the local routes (ip route get "
		    "%s) and the first hops.", t->addr_str);
	} else {
		f = ep_finding_add(t, "NO_REPLY", EP_SEV_ERROR,
		    "No reply from %s to any query over UDP or TCP within "
		    "%u ms%s", t->addr_str, t->timeout_ms, nrefused ?
		    "; ICMP port unreachable: nothing listens on the port" :
		    ": the server is down or the path drops all DNS");
		ep_finding_advise(f, "Check that the server runs and listens on this "
		    "address; run with -v; then look for filters on the path "
		    "(UDP and TCP port 53).");
	}
	cite_all(f, t, -1, -1, ran);
}

int
ep_verdict_silent(struct ep_target *t)
{
	for (int i = 0; i < t->nprobes; i++)
		if (replied(&t->probes[i]))
			return 0;
	no_reply(t);
	return 1;
}

/* Full answer size of each subject: TCP's answer, else UDP's whole one. */
static void
sizes(struct ep_target *t, long lo[EP_SUBJ_COUNT])
{
	for (int s = 0; s < EP_SUBJ_COUNT; s++) {
		t->path.size_known[s] = -1;
		lo[s] = 0;
	}
	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];
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
	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];

		if (r->spec.transport == EP_TCP &&
		    r->res.outcome == EP_OUT_ANSWER)
			t->path.size_known[r->spec.subject] =
			    (long)r->res.reply.length;
	}
}

static void
edns(struct ep_target *t)
{
	const struct ep_probe_record *plain = NULL;
	int nedns = 0, nreply = 0, nopt = 0, nudp_reply = 0, ntcp_reply = 0;
	int nbad = 0, nbad_edns = 0, nign = 0, nmal = 0, nudp = 0;
	int nbadvers = 0, nrefused = nrefused_by_target(t);
	struct ep_finding *f;

	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];

		if (r->spec.transport == EP_TCP) {
			ntcp_reply += replied(r);
			continue;
		}
		if (r->spec.transport == EP_RAW ||
		    r->spec.role == EP_ROLE_OPTION)
			continue;	/* padded, DF, fragments, options: their
					   own findings */
		nudp_reply += replied(r);
		nudp += ran(r);
		if (bad_reply(r)) {
			nbad++;
			nbad_edns += is_edns_udp(r);
			nign += !replied(r) && r->res.ignored > 0;
			nmal += r->res.outcome == EP_OUT_MALFORMED;
		}
		if (!r->spec.edns && r->spec.role == EP_ROLE_BASE)
			plain = r;
		if (!is_edns_udp(r))
			continue;
		nedns++;
		nreply += replied(r);
		nopt += replied(r) && r->res.reply.opt_count == 1;
		nbadvers += replied(r) && r->res.reply.rcode == 16;
	}
	if (nreply > 0 && nbadvers == nreply) {
		/* BADVERS to version 0 (RFC 6891 6.1.3): EDNS refused. */
		t->path.edns = EP_FACT_UNSUPPORTED;
		f = ep_finding_add(t, "EDNS_BADVERS", EP_SEV_ERROR,
		    "The server answers every version-0 EDNS query with "
		    "BADVERS: it refuses EDNS0 itself, so no answer bigger "
		    "than 512 bytes comes over UDP");
		ep_finding_advise(f, "Fix the server's EDNS handling: version 0 "
		    "must be answered (RFC 6891 6.1.3); resolvers otherwise "
		    "retry without EDNS and lose DNSSEC and large answers.");
		cite_all(f, t, EP_UDP, -1, is_edns_udp);
	} else if (nreply > 0 && nopt > 0) {
		t->path.edns = EP_FACT_OK;
	} else if (nreply > 0) {
		char rc[16];
		const struct ep_probe_record *r = NULL;

		for (int i = 0; i < t->nprobes && r == NULL; i++)
			if (is_edns_udp(&t->probes[i]) &&
			    replied(&t->probes[i]))
				r = &t->probes[i];
		t->path.edns = EP_FACT_UNSUPPORTED;
		f = ep_finding_add(t, "EDNS_UNSUPPORTED", EP_SEV_WARNING,
		    "The server answers EDNS queries without an OPT record "
		    "(rcode %s): it does not support EDNS0, so its UDP "
		    "answers stop at 512 bytes", ep_dns_rcode_str(
		    r ? r->res.reply.rcode : 0, rc, sizeof(rc)));
		ep_finding_advise(f, "Upgrade or configure the server for EDNS0 "
		    "(RFC 6891); large answers then depend on TCP/53.");
		cite_all(f, t, EP_UDP, -1, is_edns_udp);
	} else if ((nedns > 0 && nbad_edns == nedns) ||
	    (nudp_reply == 0 && nudp > 0 && nbad == nudp)) {
		/* Every one got replies, so nothing dropped the queries:
		 * the replies themselves are broken (or forged). */
		f = ep_finding_add(t, "UDP_BAD_REPLIES", EP_SEV_ERROR,
		    "No %s over UDP was answered, yet each got replies: %d "
		    "probes only replies that answer none of our queries "
		    "(wrong id, question, opcode or QR: ignored_replies), %d "
		    "malformed ones", nudp_reply > 0 ? "EDNS query" : "query",
		    nign, nmal);
		ep_finding_advise(f, "The server, or a proxy or load balancer answering "
		    "for it, sends broken UDP replies: compare them in the "
		    "capture with the TCP answers and fix that software.");
		cite_all(f, t, EP_UDP, -1, bad_reply);
	} else if (nedns > 0 && plain != NULL && replied(plain)) {
		t->path.edns = EP_FACT_DROPPED;
		f = ep_finding_add(t, "EDNS_DROPPED", EP_SEV_ERROR,
		    "All %d UDP queries carrying an EDNS0 OPT record went "
		    "unanswered while the same server answered a query "
		    "without EDNS%s: something on the path drops EDNS "
		    "queries or their answers", nedns, ntcp_reply ?
		    " and answered EDNS over TCP" : "");
		ep_finding_advise(f, "Find the firewall or DNS-inspection rule that drops "
		    "UDP DNS queries with an OPT record (ARCOUNT > 0) and "
		    "remove it; resolvers otherwise fall back to plain DNS "
		    "and lose DNSSEC and large answers.");
		ep_finding_cite(f, plain);
		cite_all(f, t, EP_UDP, -1, is_edns_udp);
	} else if (nudp_reply == 0 && ntcp_reply > 0 && nrefused > 0 &&
	    nrefused == count_outcome(t, EP_UDP, EP_OUT_ICMP)) {
		/* The rest timed out: hosts rate-limit their ICMP errors. */
		f = ep_finding_add(t, "UDP_REFUSED", EP_SEV_ERROR,
		    "UDP queries drew ICMP port unreachable from %s itself "
		    "(%d of %d; no reply to any), while TCP queries were "
		    "answered: nothing listens on UDP port 53 there (or its "
		    "own firewall rejects it)", t->addr_str, nrefused, nudp);
		ep_finding_advise(f, "Make the server listen on UDP/53 on this "
		    "address (check its listen/interface settings), or open "
		    "its host firewall for UDP/53.");
		cite_all(f, t, EP_UDP, -1, ran);
	} else if (nudp_reply == 0 && ntcp_reply > 0) {
		f = ep_finding_add(t, "UDP_NO_REPLY", EP_SEV_ERROR,
		    "No UDP query was answered, while TCP queries were: "
		    "UDP/53 is blocked on the path");
		ep_finding_advise(f, "Allow UDP/53 both ways between the client and "
		    "the server; DNS over TCP alone is slow and not what "
		    "resolvers try first.");
		cite_all(f, t, -1, -1, ran);
	}
}

/* The largest whole datagram that arrived, and who brought it. */
static const struct ep_probe_record *
udp_max(const struct ep_target *t)
{
	const struct ep_probe_record *best = NULL;

	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];

		if (r->spec.transport == EP_UDP && replied(r) &&
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
lost_wire(const struct ep_target *t, int s, struct lost_wire *w)
{
	memset(w, 0, sizeof(*w));
	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];

		if (r->spec.transport != EP_UDP || (int)r->spec.subject != s ||
		    !is_timeout(r))
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
frag_lost(struct ep_target *t, int s, long lost, int approx, long ok_max,
    int mtu)
{
	struct lost_wire w;
	struct ep_finding *f;
	char size[48];

	snprintf(size, sizeof(size), "%s%ld-byte", approx ? "over-" : "",
	    lost);
	t->path.frag_in = EP_FACT_DROPPED;
	lost_wire(t, s, &w);
	if (t->capture == 1 && w.complete > 0) {
		f = ep_finding_add(t, "ANSWER_NOT_DELIVERED", EP_SEV_ERROR,
		    "The %s answer arrived whole on the wire (%d of its "
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
		f = ep_finding_add(t, "FRAG_NONFIRST_DROPPED", EP_SEV_ERROR,
		    "Only the first fragment of the %s answer arrives (%d "
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
		f = ep_finding_add(t, "FRAG_FIRST_DROPPED", EP_SEV_ERROR,
		    "Later fragments of the %s answer arrive without their "
		    "first fragment (%d headless datagrams in the capture): "
		    "a filter on the path drops the fragment that carries the "
		    "UDP header", size, t->orphan_dgrams);
		ep_finding_advise(f, "%s", frag_advice);
		for (int i = 0; i < t->norphan_frames; i++)
			ep_finding_cite_frame(f, t->orphan_frames[i]);
		return f;
	}
	f = ep_finding_add(t, "FRAG_IN_DROPPED", EP_SEV_ERROR,
	    "UDP answers that need IP fragments are lost: the %s answer "
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
udp_sizes(struct ep_target *t, const long lo[EP_SUBJ_COUNT])
{
	const struct ep_probe_record *okr = udp_max(t);
	long ok_max = okr ? (long)okr->res.reply.length : -1;
	long lost_min = -1;
	int lost_subj = -1, approx = 0;
	int hdr = t->family == 4 ? 28 : 48;
	int mtu = t->path.iface_mtu > 0 ? t->path.iface_mtu : 1500;
	struct ep_finding *f;

	for (int s = EP_SUBJ_MEDIUM; s < EP_SUBJ_COUNT; s++) {
		long full = t->path.size_known[s];
		int expect = 0, got = 0, lost = 0;

		for (int i = 0; i < t->nprobes; i++) {
			const struct ep_probe_record *r = &t->probes[i];

			if (r->spec.transport != EP_UDP ||
			    r->spec.role != EP_ROLE_LADDER ||
			    (int)r->spec.subject != s || !ran(r))
				continue;
			/* The server's own OPT size is what it receives, not
			 * a cap on what it sends (RFC 6891 6.2.3): one that
			 * caps sends there answers TC, never silence, so a
			 * probe whose buffer fits the answer expects it. */
			if (full >= 0 ? full <= r->spec.bufsize :
			    lo[s] > 0 && r->spec.bufsize >= lo[s]) {
				expect++;
				got += r->res.outcome == EP_OUT_ANSWER;
				lost += is_timeout(r);
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
		f = ep_finding_add(t, "UDP_SIZE_LIMIT", EP_SEV_ERROR,
		    "UDP answers of %ld bytes are lost although they fit in "
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
		f = frag_lost(t, lost_subj, lost_min, approx, ok_max, mtu);
	} else {
		f = ep_finding_add(t, "UDP_LARGE_LOST", EP_SEV_ERROR,
		    "UDP answers of %s%ld bytes are lost while answers up to "
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
	cite_all(f, t, EP_UDP, lost_subj, is_timeout);
	for (int i = 0; i < t->nprobes; i++)
		if (t->probes[i].spec.transport == EP_TCP &&
		    (int)t->probes[i].spec.subject == lost_subj &&
		    t->probes[i].res.outcome == EP_OUT_ANSWER)
			ep_finding_cite(f, &t->probes[i]);
	return 1;
}

/* A TCP probe of the path's TCP facts (the option query's TCP twin has
 * its own finding). */
static int
is_tcp_ran(const struct ep_probe_record *r)
{
	return r->spec.transport == EP_TCP && r->spec.role != EP_ROLE_OPTION &&
	    ran(r);
}

static void
tcp(struct ep_target *t)
{
	int n = 0, conn = 0, resets = 0, timeouts = 0, answers = 0;
	long ans_max = -1;
	const struct ep_probe_record *stuck = NULL, *broken = NULL;
	struct ep_finding *f;

	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];

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
		f = ep_finding_add(t, "TCP_RESET", EP_SEV_ERROR,
		    "TCP connections to port %s are refused with a reset "
		    "(%d of %d probes): the server does not accept TCP, or a "
		    "firewall rejects TCP/53 on its behalf", "53", resets, n);
		ep_finding_advise(f, "Allow TCP/53 to the server (RFC 7766: DNS needs "
		    "TCP) and check that the server listens on TCP; the "
		    "reset's TTL in a capture tells a firewall from the "
		    "server.");
		cite_all(f, t, EP_TCP, -1, ran);
	} else if (t->path.tcp == EP_FACT_DROPPED) {
		f = ep_finding_add(t, "TCP_TIMEOUT", EP_SEV_ERROR,
		    "TCP connections to port 53 time out: neither a SYN-ACK "
		    "nor a reset came back within %u ms (%d probes): TCP/53 "
		    "is silently dropped on the path", t->timeout_ms, n);
		ep_finding_advise(f, "Open TCP/53 to the server on every firewall of the "
		    "path: truncated answers and answers above the path's "
		    "UDP limit can only be fetched over TCP.");
		cite_all(f, t, EP_TCP, -1, ran);
	} else if (stuck != NULL && answers > 0) {
		long want = t->path.size_known[stuck->spec.subject];
		char wantbuf[32] = "larger";

		if (want > 0)
			snprintf(wantbuf, sizeof(wantbuf), "%ld-byte", want);
		if (want < 0 || want > ans_max) {
			t->path.tcp = EP_FACT_PARTIAL;
			f = ep_finding_add(t, "TCP_LARGE_LOST", EP_SEV_ERROR,
			    "TCP connects and answers of %ld bytes arrive, "
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
			cite_all(f, t, EP_TCP, -1, ran);
		}
	} else if (stuck != NULL || broken != NULL) {
		if (stuck == NULL)
			stuck = broken;
		t->path.tcp = EP_FACT_PARTIAL;
		f = ep_finding_add(t, "TCP_NO_ANSWER", EP_SEV_WARNING,
		    "TCP connects but no answer arrives (%s after %zu bytes)",
		    stuck->res.outcome == EP_OUT_RESET ? "a reset" :
		    stuck->res.outcome == EP_OUT_MALFORMED ?
		    "a malformed answer" : stuck->res.peer_closed ?
		    "the server closed" : "nothing came back",
		    stuck->res.stream_bytes);
		ep_finding_advise(f, "Check the server's TCP settings and any proxy or "
		    "DNS inspection on the path that accepts connections.");
		cite_all(f, t, EP_TCP, -1, ran);
	}
}

static void
truncation(struct ep_target *t)
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
	for (int i = 0; i < t->nprobes; i++)
		connected |= is_tcp_ran(&t->probes[i]) &&
		    t->probes[i].res.connected;
	for (int s = 0; s < EP_SUBJ_COUNT; s++) {
		const struct ep_probe_record *fail_s = NULL;
		int answered = 0, tc = 0;

		for (int i = 0; i < t->nprobes; i++) {
			const struct ep_probe_record *r = &t->probes[i];

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
		for (int k = 0; k < t->nprobes; k++) {
			const struct ep_probe_record *u = &t->probes[k];

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
	f = ep_finding_add(t, "TRUNCATED_NO_TCP", EP_SEV_ERROR,
	    "Truncated answers cannot be completed: %d UDP answers (EDNS "
	    "buffer %d..%d) came back with TC=1 and the same question over "
	    "TCP failed (%s)", ntc, bmin, bmax,
	    ep_outcome_str(failed->res.outcome));
	ep_finding_advise(f, "Clients and resolvers retry truncated answers over TCP: "
	    "fix TCP/53 on the path (see the TCP finding), otherwise these "
	    "names do not resolve.");
	cite_all(f, t, EP_UDP, -1, is_truncated);
	cite_all(f, t, EP_TCP, -1, ran);
}

static void path_verdict(struct ep_target *t);

/*
 * UDP answers bigger than the query allowed (its EDNS buffer size, or 512
 * without EDNS; RFC 6891 6.2.5, RFC 1035 4.2.1): the server ignores the
 * size the client can take, so its answers fragment where the client
 * asked them not to, or die on the way.  Answers that arrived are the
 * evidence; raw probes (padded queries) ask nothing of the size.
 */
static void
oversize(struct ep_target *t)
{
	struct ep_finding *f = NULL;
	size_t worst = 0, excess = 0;
	unsigned worst_max = 0;

	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];
		unsigned max = r->spec.edns && r->spec.bufsize > 512 ?
		    r->spec.bufsize : 512;

		if (r->spec.transport != EP_UDP || !replied(r) ||
		    r->res.reply.length <= max)
			continue;
		if (f == NULL)
			f = ep_finding_add(t, "UDP_OVERSIZE", EP_SEV_WARNING,
			    "%s", "");
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

/*
 * A path run with compliance tests (path --compliance): the path's facts
 * come from its own probes only, on a copy without the tests (findings
 * cite probes by id, so they hold for t); comply.c adds its findings.
 */
/* Probes the path verdict leaves to others: the compliance tests
 * (comply.c) and the two-ended ones (twoway_verdict.c). */
static int
not_path(const struct ep_probe_spec *s)
{
	return s->ctest != 0 || s->role == EP_ROLE_HELLO ||
	    s->role == EP_ROLE_TWIN || s->role == EP_ROLE_TWOUT ||
	    s->role == EP_ROLE_TWLOG;
}

void
ep_verdict(struct ep_target *t)
{
	static struct ep_target scratch;	/* large: not on the stack */
	int n = 0;

	for (int i = 0; i < t->nprobes; i++)
		n += not_path(&t->probes[i].spec);
	if (n == 0) {
		path_verdict(t);
		ep_tw_verdict(t);	/* nothing unless a responder */
		return;
	}
	scratch = *t;
	scratch.nprobes = 0;
	for (int i = 0; i < t->nprobes; i++)
		if (!not_path(&t->probes[i].spec))
			scratch.probes[scratch.nprobes++] = t->probes[i];
	path_verdict(&scratch);
	t->path = scratch.path;
	memcpy(t->findings, scratch.findings, sizeof(t->findings));
	t->nfindings = scratch.nfindings;
	ep_tw_verdict(t);
}

/*
 * The EDNS baseline asked again with a client cookie and DO, as a
 * validating resolver asks: unanswered over UDP while the question
 * without the option was answered (and a DO query too), queries that
 * carry an option are dropped.  Its TCP twin (run.c asks it then) tells
 * where: answered, a filter on the path; silent while TCP answers the
 * rest, the server ignores them; no twin, either.
 */
static void
options(struct ep_target *t)
{
	const struct ep_probe_record *opt = NULL, *twin = NULL, *base = NULL;
	const struct ep_probe_record *dok = NULL;
	struct ep_finding *f;
	int nopt = 0, lost = 0;

	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];

		if (r->spec.role == EP_ROLE_OPTION) {
			if (r->spec.transport == EP_UDP) {
				opt = r;
				nopt++;
				lost += is_timeout(r);
			} else if (r->spec.transport == EP_TCP && ran(r))
				twin = r;
		} else if (r->spec.transport == EP_UDP &&
		    r->spec.opts_len == 0 && r->spec.edns &&
		    r->res.outcome == EP_OUT_ANSWER) {
			if (r->spec.role == EP_ROLE_BASE)
				base = r;
			if (r->spec.dnssec_ok)
				dok = r;
		}
	}
	/* Every UDP option query lost all its tries: not random loss. */
	if (opt == NULL || base == NULL || dok == NULL || lost < nopt ||
	    t->path.edns != EP_FACT_OK)
		return;
	if (twin != NULL && twin->res.outcome != EP_OUT_ANSWER &&
	    t->path.tcp == EP_FACT_OK) {
		f = ep_finding_add(t, "EDNS_OPTION_IGNORED", EP_SEV_ERROR,
		    "The server ignores queries with an EDNS option (a "
		    "cookie, as resolvers send): unanswered over UDP (%d x %d "
		    "tries) and TCP, while the same without it is answered",
		    nopt, opt->res.tries);
		ep_finding_advise(f, "Fix or upgrade the server (or the "
		    "load balancer in front of it): RFC 6891 says unknown "
		    "options are ignored, not the query; resolvers otherwise "
		    "time out, retry without EDNS and lose DNSSEC and large "
		    "answers.");
	} else {
		int path = twin != NULL && twin->res.outcome == EP_OUT_ANSWER;

		f = ep_finding_add(t, "EDNS_OPTION_DROPPED", EP_SEV_ERROR,
		    "UDP queries with an EDNS option (a cookie, as resolvers "
		    "send) go unanswered (%d x %d tries) while the same "
		    "without it, and with DO, are answered: %s", nopt,
		    opt->res.tries,
		    path ? "a filter on the path drops them (TCP got the "
		    "answer)" : "dropped by a filter on the path or by the "
		    "server itself (no TCP twin to tell)");
		ep_finding_advise(f, "Find the firewall or DNS-inspection "
		    "rule that drops DNS queries with EDNS options (cookies, "
		    "NSID, client subnet, padding) and fix or remove it: RFC "
		    "6891 says unknown options are ignored, not dropped; "
		    "resolvers otherwise retry without EDNS and lose DNSSEC "
		    "and large answers.");
	}
	ep_finding_cite(f, base);
	for (int i = 0; i < t->nprobes; i++)
		if (t->probes[i].spec.role == EP_ROLE_OPTION &&
		    ran(&t->probes[i]))
			ep_finding_cite(f, &t->probes[i]);
}

static void
path_verdict(struct ep_target *t)
{
	long lo[EP_SUBJ_COUNT];
	const struct ep_probe_record *okr;
	int any = 0, sized = 0;
	int hdr = t->family == 4 ? 28 : 48;
	int mtu = t->path.iface_mtu > 0 ? t->path.iface_mtu : 1500;
	long biggest = -1;

	t->nfindings = 0;
	t->path.edns = t->path.frag_in = t->path.frag_out = EP_FACT_UNTESTED;
	t->path.tcp = t->path.pmtud = EP_FACT_UNTESTED;
	t->path.pmtu = -1;
	t->path.udp_max_response = -1;
	for (int i = 0; i < t->nprobes; i++)
		any |= replied(&t->probes[i]);
	sizes(t, lo);
	if (!any) {
		no_reply(t);
		return;
	}
	okr = udp_max(t);
	if (okr) {
		t->path.udp_max_response = (long)okr->res.reply.length;
		if (t->path.udp_max_response + hdr > mtu)
			t->path.frag_in = EP_FACT_OK;	/* it came in pieces */
	}
	edns(t);
	if (t->path.edns == EP_FACT_OK)
		sized = udp_sizes(t, lo);
	tcp(t);
	options(t);
	truncation(t);
	oversize(t);

	for (int s = 0; s < EP_SUBJ_COUNT; s++)
		if (t->path.size_known[s] > biggest)
			biggest = t->path.size_known[s];
	if (t->path.edns == EP_FACT_OK && !sized &&
	    t->path.frag_in == EP_FACT_UNTESTED && biggest >= 0 &&
	    biggest + hdr <= mtu) {
		struct ep_finding *f = ep_finding_add(t, "LARGE_UNTESTED",
		    EP_SEV_INFO, "The largest answer available was %ld "
		    "bytes, which fits in one %d-byte packet: answers that "
		    "need IP fragments were not tested", biggest, mtu);

		ep_finding_advise(f, "Ask for a larger answer (a NAME/TYPE such as the "
		    "DNSKEY set of a signed zone with DO) to test fragments.");
	}
	frag_out(t);
	pmtu(t);
	hops(t);
	wire_notes(t);
}

static int
answered(const struct ep_probe_record *r)
{
	return r->res.outcome == EP_OUT_ANSWER ||
	    r->res.outcome == EP_OUT_TRUNCATED;
}

/*
 * Outbound fragments: the same padded query whole and in fragments.  The
 * whole one must be answered for the fragmented one to mean anything.
 */
static void
frag_out(struct ep_target *t)
{
	const struct ep_probe_record *whole = NULL, *frag = NULL;
	int nfrag = 0, lost = 0;
	struct ep_finding *f;

	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];

		if (r->spec.role != EP_ROLE_FRAGOUT || !ran(r))
			continue;
		if (r->spec.raw != EP_RAW_FRAG) {
			whole = r;
			continue;
		}
		nfrag++;
		frag = r;
		if (answered(r)) {
			t->path.frag_out = EP_FACT_OK;
			return;
		}
		lost += r->res.outcome == EP_OUT_TIMEOUT;
	}
	/* Every fragmented twin lost after all tries, the whole one not. */
	if (whole == NULL || !answered(whole) || nfrag == 0 || lost < nfrag)
		return;
	t->path.frag_out = EP_FACT_DROPPED;
	f = ep_finding_add(t, "FRAG_OUT_DROPPED", EP_SEV_ERROR,
	    "Fragmented queries are lost: a %u-byte query in fragments got "
	    "no answer in %d fragmented forms after %d tries each, while the "
	    "same query in one packet was answered", frag->spec.ip_size,
	    nfrag, frag->res.tries);
	ep_finding_advise(f, "Allow IP fragments toward the server (IPv4 fragments, the "
	    "IPv6 Fragment header) on the firewalls of the path; large "
	    "queries (DNS UPDATE, big EDNS options) and some resolvers' "
	    "queries need them.");
	cite_all(f, t, EP_RAW, -1, is_fragout);
}

/*
 * Path MTU from the DF probes: the largest size answered; ICMP
 * frag-needed / packet-too-big for a larger one means discovery works, a
 * larger one lost without any ICMP is a black hole.
 */
static void
pmtu(struct ep_target *t)
{
	long pass = 0, silent = 0, toobig = 0, icmp_mtu = 0;
	const struct ep_probe_record *best = NULL;
	struct ep_finding *f;
	int mtu = t->path.iface_mtu;

	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];
		long sz = r->spec.ip_size;

		if (r->spec.role != EP_ROLE_PMTU || !ran(r))
			continue;
		if (answered(r) && sz > pass) {
			pass = sz;
			best = r;
		} else if (r->res.outcome == EP_OUT_ICMP && r->res.icmp_mtu) {
			if (toobig == 0 || sz < toobig)
				toobig = sz;
			if (icmp_mtu == 0 || r->res.icmp_mtu < icmp_mtu)
				icmp_mtu = r->res.icmp_mtu;
		} else if (r->res.outcome == EP_OUT_TIMEOUT &&
		    (silent == 0 || sz < silent))
			silent = sz;
	}
	if (best == NULL)
		return;
	t->path.pmtu = pass;
	if (toobig > pass)
		t->path.pmtud = EP_FACT_OK;
	if (silent > pass && (toobig == 0 || silent < toobig) &&
	    icmp_mtu == 0) {
		t->path.pmtud = EP_FACT_DROPPED;
		f = ep_finding_add(t, "PMTU_BLACKHOLE", EP_SEV_ERROR,
		    "Packets with DF set vanish above %ld bytes without any "
		    "ICMP 'too big': a path MTU black hole (a %ld-byte probe "
		    "got no answer after all tries, %ld bytes did)", pass,
		    silent, pass);
		ep_finding_advise(f, "Let ICMP 'fragmentation needed' (type 3 code 4) "
		    "and ICMPv6 'packet too big' through the firewalls of the "
		    "path, or lower the MTU / clamp the TCP MSS to %ld on the "
		    "link that needs it.", pass);
		cite_all(f, t, EP_RAW, -1, is_pmtu);
	} else if (pass < mtu && toobig > pass) {
		f = ep_finding_add(t, "PMTU_REDUCED", EP_SEV_INFO,
		    "The path MTU toward %s is %ld bytes, below this host's "
		    "%d: a router reported %ld (ICMP), and path MTU discovery "
		    "works", t->addr_str, pass, mtu, icmp_mtu);
		ep_finding_advise(f, "Nothing to fix while ICMP gets through; answers "
		    "over %ld bytes are fragmented or need TCP.", pass);
		cite_all(f, t, EP_RAW, -1, is_pmtu);
	}
}

static int
time_exceeded(const struct ep_probe_record *r)
{
	return r->res.outcome == EP_OUT_ICMP &&
	    ((r->res.icmp_from.ss_family == AF_INET && r->res.icmp_type == 11) ||
	    (r->res.icmp_from.ss_family == AF_INET6 &&
	    r->res.icmp_type == 3));
}

/* The TTL probe of kind raw at ttl, NULL if none ran. */
static const struct ep_probe_record *
hop_probe(const struct ep_target *t, int raw, int ttl)
{
	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *r = &t->probes[i];

		if (r->spec.role == EP_ROLE_HOP && r->spec.raw == raw &&
		    r->spec.ttl == ttl && ran(r))
			return r;
	}
	return NULL;
}

/*
 * Where packets die.  Small TTL probes find the server's distance S (the
 * smallest TTL answered).  A kind (fragments, large DF) whose farthest
 * "TTL exceeded" came from hop H but gets no answer at S, after all its
 * tries, dies after hop H: that router saw it (its TTL ran out there) but
 * nothing after it did.  A kind that meets "too big" is not lost: the
 * path MTU says the rest.
 */
static void
hops(struct ep_target *t)
{
	/* A kind is located only when its loss is established on its own
	 * (fragmented queries lost while the whole one passed; a path MTU
	 * black hole): otherwise size or EDNS could be the cause. */
	const struct { int raw, lost; const char *what, *name; } kinds[] = {
		{ EP_RAW_FRAG, t->path.frag_out == EP_FACT_DROPPED,
		    "fragments", "Fragmented packets" },
		{ EP_RAW_DF, t->path.pmtud == EP_FACT_DROPPED, "large DF",
		    "Large packets with DF set" },
	};
	const struct ep_probe_record *r, *last;
	struct ep_finding *f;
	char from[64];
	int srv = 0;

	for (int ttl = 1; ttl <= EP_HOPS_MAX && srv == 0; ttl++)
		if ((r = hop_probe(t, EP_RAW_WHOLE, ttl)) != NULL &&
		    answered(r))
			srv = ttl;
	t->path.server_ttl = srv;
	if (srv == 0)
		return;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		const struct ep_probe_record *at_srv =
		    hop_probe(t, kinds[k].raw, srv);
		int h = 0;

		if (!kinds[k].lost || at_srv == NULL ||
		    at_srv->res.outcome != EP_OUT_TIMEOUT)
			continue;
		/* The farthest hop that returned it: routers rate-limit
		 * ICMP, so a silent hop before it is no proof of loss. */
		last = NULL;
		for (int ttl = 1; ttl < srv; ttl++) {
			r = hop_probe(t, kinds[k].raw, ttl);
			if (r != NULL && time_exceeded(r)) {
				h = ttl;
				last = r;
			}
		}
		t->path.drop_ttl = h + 1;
		t->path.drop_what = kinds[k].what;
		snprintf(t->path.drop_addr, sizeof(t->path.drop_addr), "%s",
		    last ? ep_sockaddr_str(&last->res.icmp_from, from,
		    sizeof(from)) : "");
		if (last != NULL)
			f = ep_finding_add(t, "DROP_HOP", EP_SEV_WARNING,
			    "%s die after hop %d (%s): that router returns "
			    "them when their TTL runs out there, but they "
			    "never reach hop %d%s, while small packets reach "
			    "the server %d hops away", kinds[k].name, h,
			    t->path.drop_addr, h + 1, h + 1 == srv ?
			    " (the server)" : "", srv);
		else
			f = ep_finding_add(t, "DROP_HOP", EP_SEV_WARNING,
			    "%s die before hop 1: not even the first router "
			    "returns them when their TTL runs out, while small "
			    "packets reach the server %d hops away: this "
			    "host or its first link drops them",
			    kinds[k].name, srv);
		ep_finding_advise(f, "Look at the filters of the router at hop %d and "
		    "of the link after it (%s); the capture has the ICMP "
		    "'TTL exceeded' of each hop.", h ? h : 1,
		    t->path.drop_addr[0] ? t->path.drop_addr : "first hop");
		for (int ttl = 1; ttl <= srv; ttl++) {
			if ((r = hop_probe(t, kinds[k].raw, ttl)) != NULL)
				ep_finding_cite(f, r);
			if ((r = hop_probe(t, EP_RAW_WHOLE, ttl)) != NULL)
				ep_finding_cite(f, r);
		}
		break;	/* one location: the first kind that dies */
	}
}

/* IPv6 fragments dropped while IPv4 ones from the same server pass, or
 * the reverse: the two families take different paths or rules. */
void
ep_verdict_report(struct ep_report *r)
{
	for (int i = 0; i < r->ntargets; i++) {
		struct ep_target *t = &r->targets[i];

		if (t->path.frag_in != EP_FACT_DROPPED &&
		    t->path.frag_in != EP_FACT_PARTIAL)
			continue;
		for (int k = 0; k < r->ntargets; k++) {
			const struct ep_target *o = &r->targets[k];
			struct ep_finding *f;

			if (o->family == t->family ||
			    o->path.frag_in != EP_FACT_OK)
				continue;
			f = ep_finding_add(t, t->family == 6 ? "FRAG6_ONLY_DROPPED" :
			    "FRAG4_ONLY_DROPPED", EP_SEV_ERROR,
			    "Fragmented IPv%d answers are lost while "
			    "fragmented IPv%d answers from the same server "
			    "(%s) arrive: the IPv%d path or its rules drop "
			    "fragments", t->family, o->family, o->addr_str,
			    t->family);
			ep_finding_advise(f, "Compare the IPv4 and IPv6 firewall rules "
			    "on the path: IPv6 fragments carry a Fragment "
			    "extension header that ACLs often drop (RFC 9288) "
			    "while the IPv4 rules let fragments through.");
			cite_all(f, t, EP_UDP, -1, is_timeout);
			break;
		}
	}
}

int
ep_verdict_worst(const struct ep_target *t)
{
	int worst = -1;

	for (int i = 0; i < t->nfindings; i++)
		if ((int)t->findings[i].severity > worst)
			worst = (int)t->findings[i].severity;
	return worst;
}

const char *
ep_fact_str(const char *field, enum ep_fact f)
{
	int frag = strncmp(field, "frag", 4) == 0;

	switch (f) {
	case EP_FACT_UNTESTED:	return "untested";
	case EP_FACT_OK:	return frag ? "pass" : "ok";
	case EP_FACT_DROPPED:
		if (frag)
			return "drop";
		if (strcmp(field, "tcp") == 0)
			return "timeout";
		if (strcmp(field, "pmtud") == 0)
			return "blackhole";
		return "dropped";
	case EP_FACT_UNSUPPORTED: return "unsupported";
	case EP_FACT_RESET:	return "reset";
	case EP_FACT_PARTIAL:	return "partial";
	}
	return "untested";
}
