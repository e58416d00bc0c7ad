/* probe/engine/run.c: runs the plan of every target in one loop; phase 2 waits for
 * a baseline RTT. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "engine/log.h"
#include "engine/loop.h"
#include "engine/measure.h"
#include "engine/privs.h"
#include "engine/probe.h"
#include "engine/query.h"
#include "engine/raw.h"
#include "engine/run.h"
#include "engine/sniffer.h"

#define TARGETS_MAX	8	/* addresses of one @SERVER */
#define PACE_BURST	10
#define FEED_MS		50	/* survey: how often the queue is looked at */
#define FEED_POLL_MS	5	/* a feed with more to come (zone) */
/* Least wait once a sibling probe was answered (see evidence()). */
#define EVIDENCE_MIN_MS		250
/* The capture's wait after the last probe, plus two RTTs. */
#define LINGER_MS		100
#define RAW_TRIES		3

struct run;

/* The run's view of one target while it is probed: a slot, reused for
 * target after target when a feed gives them (survey). */
struct run_target {
	struct run		*run;		/* not owned */
	const struct ep_options	*o;		/* not owned: the target's */
	struct ep_target	*t;		/* not owned: in the report */
	struct ep_probe		 probes[EP_PROBES_MAX];
	int			 started[EP_PROBES_MAX];
	int			 active;	/* probed, or its frames read */
	int			 phase;		/* 1: baselines, 2: the rest */
	int			 pending;	/* started, not done */
	int			 cut;		/* its time budget ran out */
	int			 ids;		/* probe ids (survey: its own) */
	int			*next_id;	/* &ids, or the run's (path) */
	uint64_t		 drops0;	/* capture drops at its start */
	struct ep_timer		*linger;	/* owned: its last frames */
	struct ep_timer		*budget;	/* owned: its time bound */
	/* Phase 2 waits a little for probes that hold it (spec.hold: the
	 * two-ended hello; due: a baseline replied, with RTT p2_rtt). */
	struct ep_timer		*hold_wait;	/* owned */
	int			 p2_due;
	double			 p2_rtt;
	/* Its measurements (the run's set), each with its own state. */
	struct ep_mrun		 ms[EP_MEASURES_MAX];
};

struct run {
	const struct ep_options	*o;
	const struct ep_measure_set *set;	/* not owned */
	struct ep_loop		*loop;		/* owned */
	struct run_target	*rts;		/* owned */
	int			 nrts;
	int			 nactive;
	const struct ep_feed	*feed;		/* NULL: the report's targets */
	struct ep_options	*opts;		/* owned: the slots' (feed) */
	int			 failed;	/* internal error during the run */
	int			 stopping;	/* the loop ended: no new work */
	struct ep_err		*err;
	struct ep_sniffer	*sniffer;	/* NULL: no capture */
	int			 rawfd[2];	/* IPv4, IPv6 raw sockets; -1 */
	int			 next_id;	/* path: ids across targets */
	struct ep_timer		*feeder;	/* owned: refill (feed) */
};

/* No new work for rt: the run or its own time is over. */
static int
halted(const struct run_target *rt)
{
	return rt->run->stopping || rt->cut;
}

static int
is_reply(enum ep_outcome o)
{
	return o == EP_OUT_ANSWER || o == EP_OUT_TRUNCATED ||
	    o == EP_OUT_MALFORMED;
}

static void probe_done(struct ep_probe *p, void *arg);

/* The adaptive timeout: ten round trips of the baseline, within
 * [floor_ms, cap_ms]. */
static uint32_t
adaptive_timeout(double rtt_ms, uint32_t floor_ms, uint32_t cap_ms)
{
	double t = rtt_ms * 10.0;

	if (t < floor_ms)
		t = floor_ms;
	if (t > cap_ms)
		t = cap_ms;
	return (uint32_t)t;
}

static void
start_probe(struct run_target *rt, int i, uint32_t timeout_ms)
{
	struct ep_probe *p = &rt->probes[i];
	struct ep_err err;

	memset(p, 0, sizeof(*p));
	p->rec = &rt->t->probes[i];
	p->rec->res.rtt_ms = -1;
	p->rec->res.connect_ms = -1;
	p->ops = p->rec->spec.transport == EP_TCP ? &ep_probe_tcp_ops :
	    &ep_probe_udp_ops;
	p->loop = rt->run->loop;
	p->addr = &rt->t->addr;
	p->addrlen = rt->t->addrlen;
	p->timeout_ms = timeout_ms;
	p->tries_max = rt->o->tries;
	p->rawfd = rt->run->rawfd[rt->t->family == 4 ? 0 : 1];
	p->keep = p->rec->spec.keep;
	/*
	 * Raw probes ask the SOA the baseline already had answered: the
	 * server has it at hand, so an answer is due within two baseline
	 * round trips (at least EVIDENCE_MIN_MS), as for evidence().  More
	 * tries make random loss of a fragment or a DF packet unlikely to
	 * pass for a fault (a module may ask for fewer: spec.tries).
	 */
	if (p->rec->spec.transport == EP_RAW) {
		uint32_t w = (uint32_t)(2 * (rt->t->base_rtt_ms > 0 ?
		    rt->t->base_rtt_ms : 0));

		if (w < EVIDENCE_MIN_MS)
			w = EVIDENCE_MIN_MS;
		if (w < p->timeout_ms)
			p->timeout_ms = w;
		p->tries_max = RAW_TRIES;
	}
	if (p->rec->spec.tries)
		p->tries_max = p->rec->spec.tries;
	if (p->rec->spec.wait_ms)
		p->timeout_ms = p->rec->spec.wait_ms;
	if (p->rec->spec.transport == EP_RAW && p->rawfd == -1) {
		p->rec->res.outcome = EP_OUT_SKIPPED;	/* no permission */
		p->finished = 1;
		rt->started[i] = 1;
		return;
	}
	p->done = probe_done;
	p->done_arg = rt;
	rt->started[i] = 1;
	rt->pending++;
	ep_verbose(EP_VERB_PROBE, "%s: probe %d (%s) starts, timeout %u ms",
	    rt->t->addr_str, p->rec->spec.id, p->ops->name, timeout_ms);
	if (p->ops->start(p, &err) == -1) {
		/* Our own failure (memory, sockets): not a measurement. */
		if (!rt->run->failed && rt->run->err)
			*rt->run->err = err;
		rt->run->failed = 1;
		ep_probe_done(p, EP_OUT_ERROR);
		ep_loop_stop(rt->run->loop);
	}
}

static void
start_phase2(struct run_target *rt, double rtt_ms)
{
	const struct ep_options *o = rt->o;
	uint32_t tmo = adaptive_timeout(rtt_ms, o->floor_ms, o->timeout_ms);

	rt->phase = 2;
	rt->p2_due = 0;
	ep_timer_disarm(rt->hold_wait);
	for (int k = 0; k < rt->run->set->n; k++)
		if (rt->run->set->m[k]->phase2 != NULL)
			rt->run->set->m[k]->phase2(&rt->ms[k]);
	rt->t->timeout_ms = tmo;
	rt->t->base_rtt_ms = rtt_ms;
	ep_verbose(EP_VERB_OPS, "%s: baseline RTT %.2f ms, timeout %u ms",
	    rt->t->addr_str, rtt_ms, tmo);
	/* Baselines still waiting need not wait longer than the rest. */
	for (int i = 0; i < rt->t->nprobes; i++) {
		struct ep_probe *p = &rt->probes[i];

		if (rt->started[i] && !p->finished && p->state &&
		    p->rec->res.started_us)
			p->ops->set_deadline(p, p->rec->res.started_us +
			    (uint64_t)tmo * 1000u);
	}
	for (int i = 0; i < rt->t->nprobes; i++)
		if (!rt->started[i])
			start_probe(rt, i, tmo);
}

/*
 * Evidence shortens waits.  The server answered question S over TCP in T
 * ms: it has the answer at hand, so a UDP answer to S sent to it earlier
 * is due within a few round trips, not a full timeout.  Likewise a raw
 * probe answered in T: its siblings (the same padded query in fragments,
 * or with DF at other sizes) are due as soon.  The probes still waiting
 * get max(2 T, EVIDENCE_MIN_MS) from now (or from their own start if
 * later), their resends spread over it.  T counts the server's work and
 * (TCP) the handshake, so the wait is several round trips.
 */
static int
own_wait(const struct run *run, const struct ep_probe_spec *s)
{
	const struct ep_measure *m = ep_measure_owner(run->set, s);

	return m != NULL && m->own_wait;
}

static int
same_kind(const struct run *run, const struct ep_probe_spec *a,
    const struct ep_probe_spec *b)
{
	/* A probe whose measurement is about how the server takes this
	 * very query (compliance tests, option queries: a lost one is the
	 * finding) gets its whole wait. */
	if (own_wait(run, a) || own_wait(run, b))
		return 0;
	/* A probe with a wait of its own (spec.wait_ms) keeps it. */
	if (a->wait_ms != 0)
		return 0;
	if (b->transport == EP_TCP)
		return a->transport == EP_UDP && a->subject == b->subject;
	return a->transport == EP_RAW && a->role == b->role;
}

static void
evidence(struct run_target *rt, const struct ep_probe *done)
{
	uint64_t now = ep_loop_now(rt->run->loop);
	uint64_t wait = 2 * (now - done->rec->res.started_us);

	if (wait < EVIDENCE_MIN_MS * 1000u)
		wait = EVIDENCE_MIN_MS * 1000u;
	if (wait >= (uint64_t)rt->t->timeout_ms * 1000u)
		return;
	for (int i = 0; i < rt->t->nprobes; i++) {
		struct ep_probe *p = &rt->probes[i];
		uint64_t from = p->rec->res.started_us > now ?
		    p->rec->res.started_us : now;

		if (!rt->started[i] || p->finished || p->state == NULL ||
		    !same_kind(rt->run, &p->rec->spec, &done->rec->spec))
			continue;
		if (p->rec->res.started_us == 0) {
			/* Still in the pacing queue: its wait starts with
			 * its first send. */
			if (wait / 1000u < p->timeout_ms)
				p->timeout_ms = (uint32_t)(wait / 1000u);
			continue;
		}
		if (from + wait >= p->rec->res.started_us +
		    (uint64_t)rt->t->timeout_ms * 1000u)
			continue;
		p->ops->set_deadline(p, from + wait);
		if (done->rec->spec.transport == EP_TCP)
			rt->t->tcp_wait_ms = (uint32_t)(wait / 1000u);
	}
}

/* A probe that holds phase 2 back (spec.hold) is still out. */
static int
hold_pending(const struct run_target *rt)
{
	for (int i = 0; i < rt->t->nprobes; i++)
		if (rt->t->probes[i].spec.hold && rt->started[i] &&
		    !rt->probes[i].finished)
			return 1;
	return 0;
}

/* A baseline replied while a holding probe is out: phase 2 waits for it
 * at most max(EVIDENCE_MIN_MS, 4 RTT), so a responder gets the two-ended
 * plan from the start and any other server loses no time. */
static void
hold_wait_done(void *arg)
{
	struct run_target *rt = arg;

	if (rt->phase == 1 && rt->p2_due && !halted(rt))
		start_phase2(rt, rt->p2_rtt);
}

static void
phase2_due(struct run_target *rt, double rtt)
{
	uint32_t w = (uint32_t)(4 * rtt);

	if (!hold_pending(rt)) {
		start_phase2(rt, rtt);
		return;
	}
	if (rt->p2_due)
		return;
	rt->p2_due = 1;
	rt->p2_rtt = rtt;
	ep_timer_arm(rt->hold_wait, w < EVIDENCE_MIN_MS ? EVIDENCE_MIN_MS :
	    w);
}

/* The probes appended to rt's target from first on (by a measurement's
 * callback) start now, with the target's timeout. */
static void
start_new(struct run_target *rt, int first)
{
	for (int i = first; i < rt->t->nprobes; i++)
		if (!rt->started[i])
			start_probe(rt, i, rt->t->timeout_ms);
}

/*
 * Every probe of rt is done: the capture reads on a little longer (late
 * fragments, ICMP errors: two RTTs more), then the target ends.
 */
static void
target_quiet(struct run_target *rt)
{
	double rtt = rt->t->base_rtt_ms > 0 ? rt->t->base_rtt_ms : 0;

	ep_timer_arm(rt->linger, rt->run->sniffer == NULL ? 0 :
	    LINGER_MS + (uint32_t)(2 * rtt));
}

static void
probe_done(struct ep_probe *p, void *arg)
{
	struct run_target *rt = arg;
	struct ep_probe_result *res = &p->rec->res;
	const struct ep_measure_set *set = rt->run->set;
	int first = rt->t->nprobes, k;

	rt->pending--;
	if (res->started_us)
		res->waited_ms = (uint32_t)((ep_loop_now(rt->run->loop) -
		    res->started_us) / 1000u);
	/* Its own measurement first (the hello: is it a responder). */
	for (k = 0; k < set->n; k++)
		if (set->m[k]->owns != NULL && set->m[k]->owns(&p->rec->spec))
			break;
	if (k < set->n && set->m[k]->done != NULL)
		set->m[k]->done(&rt->ms[k], p->rec, p->kept, p->kept_len);
	free(p->kept);
	p->kept = NULL;
	if (p->rec->spec.hold && rt->phase == 1 && rt->p2_due && !halted(rt))
		start_phase2(rt, rt->p2_rtt);
	else if (rt->phase == 2 && !halted(rt))
		start_new(rt, first);	/* what done() appended */
	if (rt->phase == 1 && !halted(rt) && is_reply(res->outcome) &&
	    res->outcome != EP_OUT_MALFORMED) {
		/* TCP's RTT is the query's; the handshake is cleaner. */
		double rtt = p->rec->spec.transport == EP_TCP &&
		    res->connect_ms >= 0 ? res->connect_ms : res->rtt_ms;

		phase2_due(rt, rtt < 0 ? 0 : rtt);
	}
	if (rt->phase == 2 && !halted(rt) &&
	    p->rec->spec.transport != EP_UDP && (res->outcome ==
	    EP_OUT_ANSWER || (p->rec->spec.transport == EP_RAW &&
	    res->outcome == EP_OUT_TRUNCATED)))
		evidence(rt, p);
	if (rt->pending == 0 && rt->phase == 1 && !halted(rt)) {
		/* No baseline replied: the rest would learn nothing. */
		for (int i = 0; i < rt->t->nprobes; i++)
			if (!rt->started[i])
				rt->t->probes[i].res.outcome = EP_OUT_SKIPPED;
		ep_verbose(EP_VERB_OPS, "%s: no baseline reply",
		    rt->t->addr_str);
	}
	/* Every measurement may follow up (another round, a twin, its
	 * log) or end probes it no longer needs; with nothing out, the
	 * follow-ups of those that wait for all (compliance). */
	for (k = 0; k < set->n; k++) {
		first = rt->t->nprobes;
		if (set->m[k]->next == NULL)
			continue;
		set->m[k]->next(&rt->ms[k], p->rec);
		start_new(rt, first);
	}
	for (k = 0; k < set->n && rt->pending == 0 && !halted(rt); k++) {
		first = rt->t->nprobes;
		if (set->m[k]->quiet == NULL)
			continue;
		set->m[k]->quiet(&rt->ms[k]);
		start_new(rt, first);
	}
	if (rt->pending == 0 && !rt->run->stopping)
		target_quiet(rt);
}

/* The longest a target may take: baselines, the rest, the second MTU
 * round, resends held back by the rate cap, the capture's linger;
 * doubled. */
static uint32_t
run_bound_ms(const struct ep_options *o)
{
	return 2 * (3 * o->timeout_ms + EP_PROBES_MAX * 5 * 1000u /
	    o->rate + 1000u) + 10000u;
}

/* Raw sockets for the families probed (path: of its targets; a survey:
 * both unless -4/-6); without them those probes are skipped and the
 * report says why. */
static void
open_raw(struct run *run, const struct ep_options *o, struct ep_report *r)
{
	struct ep_err err;

	if (!o->raw || !o->udp)
		return;
	for (int f = 0; f < 2; f++) {
		int family = f == 0 ? 4 : 6, want = 0;

		for (int i = 0; i < r->ntargets; i++)
			want |= r->targets[i].family == family;
		if (run->feed != NULL)
			want = o->family == 0 || o->family == family;
		if (!want || r->raw_skipped[0] != '\0')
			continue;
		if ((run->rawfd[f] = ep_raw_open(family, &err)) == -1)
			snprintf(r->raw_skipped, sizeof(r->raw_skipped),
			    "%s: outbound fragment and path MTU probes "
			    "skipped%s", err.msg, err.code == EPERM ||
			    err.code == EACCES ? " (run as root, or grant "
			    "it with 'setcap cap_net_raw,cap_net_admin+eip "
			    "ednsprobe')" : "");
	}
}

static void
mtu_of(struct ep_target *t)
{
	int fd = socket(t->addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int mtu = 0;
	socklen_t sl = sizeof(mtu);

	t->path.iface_mtu = 0;
	if (fd == -1)
		return;
	/* connect() on UDP sends nothing; it looks up the route. */
	if (connect(fd, (struct sockaddr *)&t->addr, t->addrlen) == 0) {
		if (t->family == 4)
			getsockopt(fd, IPPROTO_IP, IP_MTU, &mtu, &sl);
		else
			getsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &mtu, &sl);
	}
	t->path.iface_mtu = mtu;
	close(fd);
}

int
ep_run_targets(const struct ep_options *o, struct ep_report *r,
    struct ep_err *err)
{
	struct addrinfo hints = { 0 }, *res = NULL, *ai;
	int rc;

	hints.ai_family = o->family == 4 ? AF_INET : o->family == 6 ?
	    AF_INET6 : AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	rc = getaddrinfo(o->server, NULL, &hints, &res);
	if (rc != 0)
		return ep_err_set(err, EP_ERESOLVE, "@%s: %s", o->server,
		    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
	snprintf(r->server, sizeof(r->server), "%s", o->server);
	r->targets = calloc(TARGETS_MAX, sizeof(*r->targets));
	if (r->targets == NULL) {
		freeaddrinfo(res);
		return ep_err_set(err, ENOMEM, "out of memory");
	}
	for (ai = res; ai && r->ntargets < TARGETS_MAX; ai = ai->ai_next) {
		struct ep_target *t = &r->targets[r->ntargets];
		int dup = 0;

		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		for (int i = 0; i < r->ntargets; i++)
			dup |= r->targets[i].addrlen == ai->ai_addrlen &&
			    memcmp(&r->targets[i].addr, ai->ai_addr,
			    ai->ai_addrlen) == 0;
		if (dup)
			continue;
		memcpy(&t->addr, ai->ai_addr, ai->ai_addrlen);
		t->addrlen = ai->ai_addrlen;
		if (ai->ai_family == AF_INET) {
			struct sockaddr_in *sin = (void *)&t->addr;

			t->family = 4;
			sin->sin_port = htons(o->port);
			inet_ntop(AF_INET, &sin->sin_addr, t->addr_str,
			    sizeof(t->addr_str));
		} else {
			struct sockaddr_in6 *sin6 = (void *)&t->addr;

			t->family = 6;
			sin6->sin6_port = htons(o->port);
			inet_ntop(AF_INET6, &sin6->sin6_addr, t->addr_str,
			    sizeof(t->addr_str));
		}
		r->ntargets++;
	}
	freeaddrinfo(res);
	if (r->ntargets == 0)
		return ep_err_set(err, EP_ERESOLVE, "@%s: no %s address",
		    o->server, o->family == 4 ? "IPv4" : o->family == 6 ?
		    "IPv6" : "IPv4 or IPv6");
	return 0;
}

/*
 * From the first probe to the last line of the report, SIGINT and SIGTERM
 * only stop the run (the loop reads them through a signalfd): blocked
 * here, never unblocked (the loop's own mask restores to this), so a signal at any moment of the run, or after
 * its loop, still leaves the whole capture and the report (interrupted).
 */
static void
block_stop_signals(void)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
}

static int target_begin(struct run_target *rt);
static void target_end(struct run_target *rt);

/*
 * Take the next targets from the feed into the free slots, while the
 * pacer has less than half a second of packets queued: the cap is the
 * bottleneck at any rate, so new targets start as the queue runs low,
 * not all at once (at 20 packets/s, 128 targets started together would
 * each get a packet every 6 s and run into their time bound).  The
 * feeder timer looks again every FEED_MS while the list lasts.
 */
static void
refill(struct run *run)
{
	uint64_t low = run->o->rate / 2 > PACE_BURST ? run->o->rate / 2 :
	    PACE_BURST;

	for (int i = 0; i < run->nrts && run->feed != NULL && !run->stopping;
	    i++) {
		struct run_target *rt = &run->rts[i];

		if (rt->active)
			continue;
		if (ep_loop_backlog(run->loop) >= low && run->nactive > 0) {
			ep_timer_arm(run->feeder, FEED_MS);
			return;
		}
		ep_target_fini(rt->t);
		memset(rt->t, 0, sizeof(*rt->t));
		run->opts[i] = *run->o;
		if (run->feed->next(run->feed->arg, rt->t, &run->opts[i]) != 1 ||
		    target_begin(rt) == -1)
			break;
	}
	/* A feed still working on the loop (zone discovery) is asked
	 * again soon; else the run is over once every target is. */
	if (run->feed != NULL && !run->stopping && run->feed->more != NULL &&
	    run->feed->more(run->feed->arg))
		ep_timer_arm(run->feeder, FEED_POLL_MS);
	else if (run->nactive == 0)
		ep_loop_stop(run->loop);	/* every target is over */
}

static void
feeder(void *arg)
{
	refill(arg);
}

static void
linger_done(void *arg)
{
	struct run_target *rt = arg;

	target_end(rt);
	if (!rt->run->stopping)
		refill(rt->run);
}

/*
 * rt's time is over.  Path: a probe did not end, a bug: the run stops
 * and says so.  Survey (--budget): the target is cut, its probes end as
 * interrupted, and it is reported with what it measured.
 */
static void
budget_done(void *arg)
{
	struct run_target *rt = arg;
	struct run *run = rt->run;
	uint32_t bound = rt->o->budget_ms ? rt->o->budget_ms :
	    run_bound_ms(rt->o);

	if (run->feed == NULL) {
		ep_err_set(run->err, EP_EINTERNAL, "the run exceeded its "
		    "bound of %u ms: a probe did not end (a bug: please "
		    "report it)", bound);
		run->failed = 1;
		ep_loop_stop(run->loop);
		return;
	}
	ep_verbose(EP_VERB_OPS, "%s: time budget of %u ms spent, cut",
	    rt->t->addr_str, bound);
	rt->cut = 1;
	rt->t->cut = 1;
	for (int k = 0; k < rt->t->nprobes; k++) {
		if (rt->started[k] && !rt->probes[k].finished)
			ep_probe_done(&rt->probes[k], EP_OUT_INTERRUPTED);
		else if (!rt->started[k] &&
		    rt->t->probes[k].res.outcome == EP_OUT_PENDING)
			rt->t->probes[k].res.outcome = EP_OUT_INTERRUPTED;
	}
	if (rt->pending == 0)
		target_quiet(rt);
}

/* Plan rt's probes (every measurement of the run) and start those that
 * start first (the baselines).  -1: the run failed. */
static int
target_begin(struct run_target *rt)
{
	struct run *run = rt->run;
	const struct ep_options *o = rt->o;
	struct ep_target *t = rt->t;
	uint64_t drops = 0;

	snprintf(t->name, sizeof(t->name), "%s", o->name);
	ep_query_type_str(o->qtype ? o->qtype : 48, t->qtype_str,
	    sizeof(t->qtype_str));
	t->base_rtt_ms = -1;
	t->timeout_ms = o->timeout_ms;
	mtu_of(t);
	memset(rt->started, 0, sizeof(rt->started));
	rt->phase = 1;
	rt->pending = rt->cut = rt->p2_due = 0;
	rt->ids = 1;
	for (int k = 0; k < run->set->n; k++) {
		rt->ms[k].o = o;
		rt->ms[k].t = t;
		rt->ms[k].next_id = rt->next_id;
		rt->ms[k].engine = rt;
		if (rt->ms[k].state != NULL)
			memset(rt->ms[k].state, 0,
			    run->set->m[k]->state_size);
	}
	if (ep_measure_plan(run->set, o, t, rt->next_id, run->err) == -1) {
		run->failed = 1;
		ep_loop_stop(run->loop);
		return -1;
	}
	rt->drops0 = ep_sniffer_drops(run->sniffer, &drops) == 0 ? drops : 0;
	rt->active = 1;
	run->nactive++;
	ep_timer_arm(rt->budget, o->budget_ms ? o->budget_ms :
	    run_bound_ms(o));
	for (int k = 0; k < t->nprobes && !run->stopping; k++)
		if (t->probes[k].spec.first)
			start_probe(rt, k, o->timeout_ms);
	if (rt->pending == 0 && !run->stopping)
		target_quiet(rt);	/* nothing could start */
	return 0;
}

/* rt's probes are over and its last frames read (or the run ends): tie
 * the rest of its frames, make its verdict, hand it over (feed). */
static void
target_end(struct run_target *rt)
{
	struct run *run = rt->run;
	struct ep_target *t = rt->t;
	uint64_t drops = 0;

	if (!rt->active)
		return;
	ep_timer_disarm(rt->linger);
	ep_timer_disarm(rt->budget);
	ep_timer_disarm(rt->hold_wait);
	ep_sniffer_target_done(run->sniffer, t);
	t->capture = run->sniffer == NULL ? 0 : ep_sniffer_drops(run->sniffer,
	    &drops) == 0 && drops > rt->drops0 ? -1 : 1;
	ep_measure_verdict(run->set, t);
	rt->active = 0;
	run->nactive--;
	if (run->feed != NULL) {
		run->feed->done(run->feed->arg, t, rt->o, !run->stopping);
		ep_target_fini(t);		/* the slot is free */
		memset(t, 0, sizeof(*t));
	} else if (run->nactive == 0)
		ep_loop_stop(run->loop);
}

/* The run's slots: one per target of r (path), or feed->slots (r's
 * targets are then the slots, empty until the feed fills them). */
static int
make_slots(struct run *run, struct ep_report *r)
{
	int n = run->feed != NULL ? run->feed->slots : r->ntargets;

	if (run->feed != NULL) {
		r->targets = calloc((size_t)n, sizeof(*r->targets));
		run->opts = calloc((size_t)n, sizeof(*run->opts));
		if (r->targets == NULL || run->opts == NULL)
			return -1;
		r->ntargets = n;
	}
	if ((run->rts = calloc((size_t)n, sizeof(*run->rts))) == NULL)
		return -1;
	run->nrts = n;
	for (int i = 0; i < n; i++) {
		struct run_target *rt = &run->rts[i];

		rt->run = run;
		rt->t = &r->targets[i];
		rt->o = run->feed != NULL ? &run->opts[i] : run->o;
		rt->next_id = run->feed != NULL ? &rt->ids : &run->next_id;
		for (int k = 0; k < run->set->n; k++)
			if (run->set->m[k]->state_size > 0 &&
			    (rt->ms[k].state = calloc(1,
			    run->set->m[k]->state_size)) == NULL)
				return -1;
		if ((rt->linger = ep_timer_new(run->loop, linger_done, rt))
		    == NULL || (rt->budget = ep_timer_new(run->loop,
		    budget_done, rt)) == NULL || (rt->hold_wait =
		    ep_timer_new(run->loop, hold_wait_done, rt)) == NULL)
			return -1;
	}
	return 0;
}

/* Both commands: the capture, raw sockets and the drop of privileges,
 * then every target in the one loop. */
static int
run_all(const struct ep_options *o, const struct ep_measure_set *set,
    const struct ep_feed *feed, struct ep_report *r, struct ep_err *err)
{
	struct run run = { .o = o, .set = set, .err = err,
	    .rawfd = { -1, -1 }, .feed = feed, .next_id = 1 };
	uint64_t t0 = ep_clock_us();
	int rc = -1;
	time_t now = time(NULL);
	struct tm tm;

	block_stop_signals();
	gmtime_r(&now, &tm);
	strftime(r->started, sizeof(r->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if ((run.loop = ep_loop_new(o->rate, PACE_BURST, err)) == NULL)
		return -1;
	if (make_slots(&run, r) == -1) {
		ep_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	/* The capture starts before the first probe; the raw sockets are
	 * opened before any probe too (both need CAP_NET_RAW). */
	run.sniffer = ep_sniffer_start(run.loop, o, r);
	open_raw(&run, o, r);
	/* Nothing later needs a capability: give them all up. */
	if (ep_privs_drop(err) == -1)
		goto out;
	if (feed != NULL &&
	    (run.feeder = ep_timer_new(run.loop, feeder, &run)) == NULL) {
		ep_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (feed != NULL && feed->start != NULL &&
	    feed->start(feed->arg, run.loop, err) == -1)
		goto out;
	if (feed != NULL)
		refill(&run);
	else
		for (int i = 0; i < run.nrts; i++)
			if (target_begin(&run.rts[i]) == -1)
				break;
	if (!run.failed && ep_loop_run(run.loop, err) == -1)
		goto out;
	r->interrupted = ep_loop_interrupted(run.loop) != 0;
	run.stopping = 1;
	if (feed != NULL && feed->stop != NULL)
		feed->stop(feed->arg);
	/* Whatever is still running is cut short: say so per probe. */
	for (int i = 0; i < run.nrts; i++) {
		struct run_target *rt = &run.rts[i];

		for (int k = 0; rt->active && k < rt->t->nprobes; k++) {
			if (rt->started[k] && !rt->probes[k].finished)
				ep_probe_done(&rt->probes[k],
				    EP_OUT_INTERRUPTED);
			else if (!rt->started[k] &&
			    rt->t->probes[k].res.outcome == EP_OUT_PENDING)
				rt->t->probes[k].res.outcome =
				    EP_OUT_INTERRUPTED;
		}
		target_end(rt);
	}
	r->packets = ep_loop_sent(run.loop);
	ep_sniffer_stop(run.sniffer, r);
	run.sniffer = NULL;
	r->duration_ms = (ep_clock_us() - t0) / 1000u;
	rc = run.failed ? -1 : 0;
out:
	if (!run.stopping && feed != NULL && feed->stop != NULL)
		feed->stop(feed->arg);
	ep_timer_free(run.feeder);
	ep_sniffer_stop(run.sniffer, r);
	for (int i = 0; run.rts != NULL && i < run.nrts; i++) {
		ep_timer_free(run.rts[i].linger);
		ep_timer_free(run.rts[i].budget);
		ep_timer_free(run.rts[i].hold_wait);
		for (int k = 0; k < EP_MEASURES_MAX; k++)
			free(run.rts[i].ms[k].state);
	}
	for (int f = 0; f < 2; f++)
		if (run.rawfd[f] != -1)
			close(run.rawfd[f]);
	free(run.rts);
	free(run.opts);
	ep_loop_free(run.loop);
	return rc;
}

int
ep_run_path(const struct ep_options *o, const struct ep_measure_set *set,
    struct ep_report *r, struct ep_err *err)
{
	return run_all(o, set, NULL, r, err);
}

int
ep_run_feed(const struct ep_options *o, const struct ep_measure_set *set,
    const struct ep_feed *feed, struct ep_report *r, struct ep_err *err)
{
	return run_all(o, set, feed, r, err);
}

/* The engine's services to a measurement's callbacks (engine/measure.h);
 * without a run (engine NULL: a unit test, analyze) every probe is over
 * and phase 2 has begun. */
int
ep_mrun_phase(const struct ep_mrun *m)
{
	const struct run_target *rt = m->engine;

	return rt == NULL ? 2 : rt->phase;
}

int
ep_mrun_halted(const struct ep_mrun *m)
{
	const struct run_target *rt = m->engine;

	return rt != NULL && halted(rt);
}

int
ep_mrun_started(const struct ep_mrun *m, int i)
{
	const struct run_target *rt = m->engine;

	return rt == NULL || rt->started[i];
}

int
ep_mrun_over(const struct ep_mrun *m, int i)
{
	const struct run_target *rt = m->engine;

	return rt == NULL || (rt->started[i] && rt->probes[i].finished);
}

void
ep_mrun_end(struct ep_mrun *m, int i, enum ep_outcome outcome)
{
	struct run_target *rt = m->engine;

	if (rt != NULL && rt->started[i] && !rt->probes[i].finished &&
	    rt->probes[i].state != NULL)
		ep_probe_done(&rt->probes[i], outcome);
}

void
ep_report_fini(struct ep_report *r)
{
	for (int i = 0; r->targets != NULL && i < r->ntargets; i++)
		ep_target_fini(&r->targets[i]);
	free(r->targets);
	r->targets = NULL;
	r->ntargets = 0;
	free(r->zone);
	r->zone = NULL;
}
