/* probe/measure/verdict.c: what every verdict shares: the judging
 * helpers of the path's modules, the verdict of a target through the
 * table, silence, findings across targets (docs/faults.md). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/run.h"
#include "measure/finding.h"
#include "measure/verdict.h"

int
ep_ran(const struct ep_probe_record *r)
{
	return r->res.outcome != EP_OUT_SKIPPED &&
	    r->res.outcome != EP_OUT_PENDING &&
	    r->res.outcome != EP_OUT_INTERRUPTED &&
	    r->res.outcome != EP_OUT_UNKNOWN;	/* a capture's blind spot */
}

/* Cite every probe that matches transport/role/subject (-1: any). */
void
ep_cite_all(struct ep_finding *f, const struct ep_view *v, int transport,
    int subject, int (*pred)(const struct ep_probe_record *))
{
	for (int i = 0; i < v->n; i++) {
		const struct ep_probe_record *r = v->p[i];

		if ((transport == -1 || (int)r->spec.transport == transport) &&
		    (subject == -1 || (int)r->spec.subject == subject) &&
		    (pred == NULL || pred(r)))
			ep_finding_cite(f, r);
	}
}

int
ep_timed_out(const struct ep_probe_record *r)
{
	return r->res.outcome == EP_OUT_TIMEOUT;
}

int
ep_reply_whole(const struct ep_probe_record *r)
{
	return r->res.reply.status != EP_DNS_TRUNCATED;
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

/* t was judged from a capture file alone (analyze: no timeout of ours). */
static int
offline(const struct ep_target *t)
{
	return t->capture != 0 && t->timeout_ms == 0;
}

/*
 * A capture (analyze) without a reply from t: whether it could have
 * shown one.  Not when it holds no frame from any server (one direction
 * only), nor when it ran less than a live run's timeout after t's first
 * query (waited: the longest any query waited).  Then an info finding
 * says what it shows, and 1 is returned.
 */
static int
capture_blind(struct ep_target *t, const struct ep_view *v, uint32_t waited)
{
	struct ep_finding *f;

	if (!offline(t) || (!t->one_way && waited >= EP_TIMEOUT_DEFAULT_MS))
		return 0;
	if (t->one_way)
		f = ep_finding_add(t, EP_F_CAPTURE_NO_REPLY, "No reply from %s in the capture, which holds no "
		    "packet from any server at all: taken in one direction "
		    "only? Nothing can be said of the replies", t->addr_str);
	else
		f = ep_finding_add(t, EP_F_CAPTURE_NO_REPLY, "No reply from %s in the %.1f s the capture ran after "
		    "the first query: too short to tell a server that does "
		    "not answer from a slow one", t->addr_str,
		    (double)waited / 1000.0);
	ep_finding_advise(f, "Capture both directions (the client's own interface), "
	    "for longer than the client's timeout, or run ednsprobe path "
	    "@%s.", t->addr_str);
	ep_cite_all(f, v, -1, -1, NULL);
	return 1;
}

/* Nothing came back at all: say whether anything could be sent. */
void
ep_verdict_no_reply(struct ep_target *t, const struct ep_view *v)
{
	struct ep_finding *f;
	int n = 0, nunreach = 0, nrefused = 0, nreset = 0;
	uint32_t waited = 0;
	char wait[64];

	for (int i = 0; i < v->n; i++) {
		const struct ep_probe_record *r = v->p[i];

		/* The server sent bytes the capture missed: maybe the
		 * answer.  Silence would be a claim it cannot make. */
		if (r->res.outcome == EP_OUT_UNKNOWN)
			return;
		if (r->res.waited_ms > waited)
			waited = r->res.waited_ms;
		if (!ep_ran(r))
			continue;
		n++;
		nunreach += unreachable(r);
		nrefused += r->res.outcome == EP_OUT_ICMP &&
		    r->res.sys_errno == ECONNREFUSED;
		/* A reset to our SYN is a reply: the host (or a firewall
		 * for it) is there and refuses TCP/53. */
		nreset += r->spec.transport == EP_TCP &&
		    r->res.outcome == EP_OUT_RESET && !r->res.connected;
	}
	if (nreset > 0)
		t->path.tcp = EP_FACT_RESET;
	if (nrefused == 0 && capture_blind(t, v, waited))
		return;
	if (n == 0)
		return;		/* nothing was asked (analyze: queries cut) */
	/* How long it waited: a capture's span, or our timeout. */
	if (offline(t))
		snprintf(wait, sizeof(wait), "in the %.1f s the capture ran "
		    "after the first query", (double)waited / 1000.0);
	else
		snprintf(wait, sizeof(wait), "within %u ms", t->timeout_ms);
	if (nreset > 0) {
		f = ep_finding_add(t, EP_F_NO_REPLY_TCP_RESET, "No reply from %s over UDP %s%s, and TCP "
		    "port 53 refused with a reset (%d %s): the host is up, "
		    "but %s", t->addr_str, wait, nrefused ?
		    " (ICMP port unreachable)" : "", nreset, nreset == 1 ?
		    "probe" : "probes", nrefused ? "nothing listens on port "
		    "53 there" : "it does not accept TCP/53 (or a firewall "
		    "rejects it on its behalf) and UDP/53 is dropped or "
		    "ignored");
		ep_finding_advise(f, "Check that the DNS server runs and listens on "
		    "this address, UDP and TCP port 53; then look for "
		    "filters: the reset's TTL in a capture tells a firewall "
		    "from the host.");
	} else if (nunreach == n) {
		f = ep_finding_add(t, EP_F_UNREACHABLE, "%s cannot be reached: no route or an ICMP "
		    "unreachable for every probe (%s)", t->addr_str,
		    strerror(v->p[0]->res.sys_errno));
		ep_finding_advise(f, "Check the address, the local routes (ip route get "
		    "%s) and the first hops.", t->addr_str);
	} else {
		f = ep_finding_add(t, EP_F_NO_REPLY, "No reply from %s to any query over UDP or TCP %s%s",
		    t->addr_str, wait, nrefused ?
		    "; ICMP port unreachable: nothing listens on the port" :
		    ": the server is down or the path drops all DNS");
		ep_finding_advise(f, "Check that the server runs and listens on this "
		    "address; %sthen look for filters on the path (UDP and TCP "
		    "port 53).", offline(t) ? "" : "run with -v; ");
	}
	ep_cite_all(f, v, -1, -1, ep_ran);
}

void
ep_verdict_capture_gaps(struct ep_target *t)
{
	struct ep_finding *f;

	if (t->file_cut) {
		f = ep_finding_add(t, EP_F_CAPTURE_INCOMPLETE, "The capture file is cut short (it ends inside a "
		    "record: a full disk, a killed capture, a partial copy): "
		    "what came after the cut is unknown, and the exchanges it "
		    "interrupted are not judged");
		ep_finding_advise(f, "Stop captures cleanly (SIGINT to tcpdump) and copy "
		    "the whole file.");
	}
	if (t->cut_exchanges == 0)
		return;
	f = ep_finding_add(t, EP_F_CAPTURE_INCOMPLETE, "%d %s with %s cut by the capture's snap length: "
	    "their questions, EDNS or answers are unknown, so they are not "
	    "judged", t->cut_exchanges, t->cut_exchanges == 1 ?
	    "exchange" : "exchanges", t->addr_str);
	ep_finding_advise(f, "Capture whole frames (tcpdump -s 0, which recent "
	    "tcpdump versions do by default).");
}

void
ep_view_all(struct ep_view *v, struct ep_probe_record **store,
    struct ep_target *t)
{
	v->p = store;
	v->n = t->nprobes;
	v->replied = 0;
	for (int i = 0; i < t->nprobes; i++) {
		store[i] = &t->probes[i];
		v->replied |= ep_replied(&t->probes[i]);
	}
}

int
ep_verdict_silent(struct ep_target *t)
{
	struct ep_probe_record *all[EP_PROBES_MAX];
	struct ep_view v;

	ep_view_all(&v, all, t);
	if (v.replied)
		return 0;
	ep_verdict_no_reply(t, &v);
	return 1;
}

/* IPv6 fragments dropped while IPv4 ones from the same server pass, or
 * the reverse: the two families take different paths or rules. */
void
ep_verdict_report(struct ep_report *r)
{
	for (int i = 0; i < r->ntargets; i++) {
		struct ep_target *t = &r->targets[i];
		struct ep_probe_record *all[EP_PROBES_MAX];
		struct ep_view v;

		if (t->path.frag_in != EP_FACT_DROPPED &&
		    t->path.frag_in != EP_FACT_PARTIAL)
			continue;
		for (int k = 0; k < r->ntargets; k++) {
			const struct ep_target *o = &r->targets[k];
			struct ep_finding *f;

			if (o->family == t->family ||
			    o->path.frag_in != EP_FACT_OK)
				continue;
			f = ep_finding_add(t, t->family == 6 ?
			    EP_F_FRAG6_ONLY_DROPPED : EP_F_FRAG4_ONLY_DROPPED,
			    "Fragmented IPv%d answers are lost while "
			    "fragmented IPv%d answers from the same server "
			    "(%s) arrive: the IPv%d path or its rules drop "
			    "fragments", t->family, o->family, o->addr_str,
			    t->family);
			ep_finding_advise(f, "Compare the IPv4 and IPv6 firewall rules "
			    "on the path: IPv6 fragments carry a Fragment "
			    "extension header that ACLs often drop (RFC 9288) "
			    "while the IPv4 rules let fragments through.");
			ep_view_all(&v, all, t);
			ep_cite_all(f, &v, EP_UDP, -1, ep_timed_out);
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
	int frag = strncmp(field, "frag", 4) == 0 ||
	    strcmp(field, "ext_headers") == 0;

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

struct ep_drop *
ep_drop_add(struct ep_target *t, const char *what, enum ep_drop_dir dir,
    int ttl, const char *addr, int silent)
{
	struct ep_path *p = &t->path;
	struct ep_drop *d;

	for (int i = 0; i < p->ndrops; i++)
		if (p->drops[i].dir == dir && strcmp(p->drops[i].what,
		    what) == 0)
			return NULL;
	if (p->ndrops == EP_DROPS_MAX)
		return NULL;
	d = &p->drops[p->ndrops++];
	d->what = what;
	d->dir = dir;
	d->ttl = ttl;
	d->silent = silent;
	snprintf(d->addr, sizeof(d->addr), "%s", addr ? addr : "");
	return d;
}
