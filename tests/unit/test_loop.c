/* tests/unit/test_loop.c: the event loop: timer order, re-arming and
 * freeing, pacing, fd watches, stop and signals, on the real clock. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/loop.h"

/*
 * Timing: only lower bounds that follow from the loop's own arithmetic
 * are tight; upper bounds are generous and only catch a loop that hangs.
 * A hang of the whole program is caught by alarm() in main.
 */
#define SLACK_US	5000000u

/* What fired, in order, and the loop time at which it fired. */
#define FIRED_MAX	512
static int		fired_id[FIRED_MAX];
static uint64_t		fired_at[FIRED_MAX];
static int		nfired;

struct tick {
	struct ep_loop	*loop;
	struct ep_timer	*timer;
	int		 id;
	int		 fired;
	int		 rearm;		/* times to re-arm itself, 5 ms on */
	int		 stop;		/* ep_loop_stop() when it fires */
	struct ep_timer	**kill;		/* free this timer when it fires */
	uint64_t	 when;		/* deadline given, for the heap test */
};

static void
record(int id, uint64_t at)
{
	assert_true(nfired < FIRED_MAX);
	fired_id[nfired] = id;
	fired_at[nfired] = at;
	nfired++;
}

static void	free_timer(struct ep_timer *);

static void
tick_cb(void *arg)
{
	struct tick *t = arg;

	t->fired++;
	record(t->id, ep_loop_now(t->loop));
	if (t->stop)
		ep_loop_stop(t->loop);
	if (t->kill != NULL) {
		free_timer(*t->kill);
		*t->kill = NULL;
	}
	if (t->rearm > 0) {
		t->rearm--;
		ep_timer_arm(t->timer, 5);
	}
}

/*
 * What a test holds, so that teardown frees it even when an assertion
 * ended the test early: a failed test must not leave a loop (and its
 * signal mask), timers or fds to the next.
 */
static struct ep_loop	*cur;
static struct ep_timer	*timers[FIRED_MAX];
static int		 ntimers;
static int		 fds[16];
static int		 nfds;

static struct ep_loop *
new_loop(unsigned pps, unsigned burst)
{
	struct ep_err err;

	assert_null(cur);
	cur = ep_loop_new(pps, burst, &err);
	assert_non_null(cur);
	nfired = 0;
	return cur;
}

static struct ep_timer *
new_timer(struct ep_loop *l, ep_timer_cb *cb, void *arg)
{
	struct ep_timer *t;

	assert_true(ntimers < FIRED_MAX);
	t = ep_timer_new(l, cb, arg);
	assert_non_null(t);
	timers[ntimers++] = t;
	return t;
}

static void
free_timer(struct ep_timer *t)
{
	for (int i = 0; i < ntimers; i++)
		if (timers[i] == t) {
			timers[i] = timers[--ntimers];
			break;
		}
	ep_timer_free(t);
}

static void
new_pipe(int p[2])
{
	assert_true(nfds + 2 <= (int)(sizeof(fds) / sizeof(fds[0])));
	assert_int_equal(pipe(p), 0);
	fds[nfds++] = p[0];
	fds[nfds++] = p[1];
}

static void
close_fd(int fd)
{
	for (int i = 0; i < nfds; i++)
		if (fds[i] == fd) {
			fds[i] = fds[--nfds];
			break;
		}
	close(fd);
}

/* Free everything the test holds; the test may call it to free early. */
static void
free_all(void)
{
	while (ntimers > 0)
		ep_timer_free(timers[--ntimers]);
	ep_loop_free(cur);
	cur = NULL;
	while (nfds > 0)
		close(fds[--nfds]);
}

static int
teardown(void **state)
{
	(void)state;
	free_all();
	return 0;
}

static void
tick_init(struct tick *t, struct ep_loop *l, int id)
{
	memset(t, 0, sizeof(*t));
	t->loop = l;
	t->id = id;
	t->timer = new_timer(l, tick_cb, t);
}

static void
run(struct ep_loop *l)
{
	struct ep_err err;

	memset(&err, 0, sizeof(err));
	assert_int_equal(ep_loop_run(l, &err), 0);
}

static void
test_empty_run(void **state)
{
	struct ep_loop *l = new_loop(100, 1);
	uint64_t t0 = ep_clock_us();

	(void)state;
	run(l);				/* nothing watched, armed or queued */
	assert_true(ep_clock_us() - t0 < SLACK_US);
	assert_int_equal(ep_loop_sent(l), 0);
	assert_int_equal(ep_loop_interrupted(l), 0);
	ep_loop_free(NULL);			/* no-op */
}

static void
test_timer_order(void **state)
{
	static const uint32_t ms[3] = { 30, 10, 20 };
	struct tick t[3];
	uint64_t t0 = ep_clock_us(), base;
	struct ep_loop *l = new_loop(100, 1);

	(void)state;
	base = ep_loop_now(l);
	for (int i = 0; i < 3; i++) {
		tick_init(&t[i], l, i);
		ep_timer_arm(t[i].timer, ms[i]);
	}
	run(l);
	assert_int_equal(nfired, 3);
	assert_int_equal(fired_id[0], 1);	/* 10 ms */
	assert_int_equal(fired_id[1], 2);	/* 20 ms */
	assert_int_equal(fired_id[2], 0);	/* 30 ms */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(t[i].fired, 1);
		assert_true(fired_at[i] >= base + ms[fired_id[i]] * 1000u);
	}
	assert_true(ep_clock_us() - t0 >= 30000);
	assert_true(ep_clock_us() - t0 < SLACK_US);
	assert_true(ep_loop_now(l) >= base + 30000);
}

static void
test_timer_rearm(void **state)
{
	struct tick t[4];
	struct ep_loop *l = new_loop(100, 1);
	uint64_t base = ep_loop_now(l);

	(void)state;
	for (int i = 0; i < 4; i++)
		tick_init(&t[i], l, i);
	ep_timer_arm(t[0].timer, 10);
	ep_timer_arm(t[1].timer, 20);
	ep_timer_arm(t[2].timer, 50);
	ep_timer_arm(t[0].timer, 40);		/* later */
	ep_timer_arm(t[2].timer, 5);		/* earlier */
	ep_timer_arm_at(t[3].timer, base + 30000);
	t[3].rearm = 2;				/* at 30, ~35, ~40 ms */
	run(l);
	assert_int_equal(t[0].fired, 1);
	assert_int_equal(t[1].fired, 1);
	assert_int_equal(t[2].fired, 1);
	assert_int_equal(t[3].fired, 3);
	assert_int_equal(nfired, 6);
	assert_int_equal(fired_id[0], 2);
	assert_int_equal(fired_id[1], 1);
	assert_int_equal(fired_id[2], 3);
	assert_true(fired_at[0] >= base + 5000);
	for (int i = 1; i < nfired; i++)
		assert_true(fired_at[i] >= fired_at[i - 1]);
	/* t[0] fired once, at its second deadline, not its first. */
	for (int i = 0; i < nfired; i++)
		if (fired_id[i] == 0)
			assert_true(fired_at[i] >= base + 40000);
	/* Each re-arm counts from the turn it was made in. */
	for (int i = 0, k = 0; i < nfired; i++)
		if (fired_id[i] == 3) {
			if (k > 0)
				assert_true(fired_at[i] >= base + 30000 +
				    (uint64_t)k * 5000);
			k++;
		}
}

static void
test_timer_disarm_free(void **state)
{
	struct tick t[5];
	struct ep_loop *l = new_loop(100, 1);

	(void)state;
	for (int i = 0; i < 5; i++)
		tick_init(&t[i], l, i);
	ep_timer_disarm(t[4].timer);		/* never armed: no-op */
	ep_timer_arm(t[0].timer, 10);
	ep_timer_disarm(t[0].timer);
	ep_timer_disarm(t[0].timer);		/* twice: no-op */
	ep_timer_arm(t[1].timer, 15);
	free_timer(t[1].timer);			/* armed, then freed */
	t[1].timer = NULL;
	ep_timer_arm(t[2].timer, 5);		/* frees t[3] before its time */
	t[2].kill = &t[3].timer;
	ep_timer_arm(t[3].timer, 25);
	ep_timer_arm(t[4].timer, 20);
	run(l);
	assert_int_equal(t[0].fired, 0);
	assert_int_equal(t[1].fired, 0);
	assert_int_equal(t[2].fired, 1);
	assert_int_equal(t[3].fired, 0);
	assert_null(t[3].timer);
	assert_int_equal(t[4].fired, 1);
	assert_int_equal(nfired, 2);

	/* A disarmed timer can be armed again. */
	ep_timer_arm(t[0].timer, 1);
	run(l);
	assert_int_equal(t[0].fired, 1);
	ep_timer_free(NULL);			/* NULL ok */
}

static void
heap_cb(void *arg)
{
	struct tick *t = arg;

	t->fired++;
	record(t->id, t->when);
}

/*
 * The heap under churn: 400 deadlines, all already past, some re-armed
 * and some disarmed.  They must fire in deadline order, each once.
 */
static void
test_timer_heap(void **state)
{
	enum { N = 400 };
	static struct tick t[N];
	struct ep_loop *l = new_loop(100, 1);
	uint64_t now = ep_loop_now(l), x = 88172645463325252ull;
	int expect = 0;

	(void)state;
	for (int i = 0; i < N; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].id = i;
		t[i].timer = new_timer(l, heap_cb, &t[i]);
	}
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < N; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			if (round == 2 && i % 7 == 0) {
				ep_timer_disarm(t[i].timer);
				t[i].when = UINT64_MAX;
				continue;
			}
			if (round > 0 && i % 3 != 0)
				continue;
			t[i].when = x % (now + 1);
			ep_timer_arm_at(t[i].timer, t[i].when);
		}
	}
	for (int i = 0; i < N; i++)
		if (t[i].when != UINT64_MAX)
			expect++;
	nfired = 0;
	assert_true(expect > 300);
	run(l);
	for (int i = 0; i < N; i++)
		assert_int_equal(t[i].fired, t[i].when != UINT64_MAX ? 1 : 0);
	assert_int_equal(nfired, expect);
	for (int i = 1; i < nfired; i++)
		assert_true(fired_at[i] >= fired_at[i - 1]);
}

struct paced {
	struct ep_loop	*loop;
	struct ep_pace	 pace;
	int		 id;
	int		 ran;
	uint64_t	 at_clock;	/* ep_clock_us() when it ran */
	uint64_t	 at_loop;	/* ep_loop_now() when it ran */
	int		 stop;		/* ep_loop_stop() when it runs */
};

static void
paced_cb(void *arg)
{
	struct paced *p = arg;

	p->ran++;
	p->at_clock = ep_clock_us();
	p->at_loop = ep_loop_now(p->loop);
	record(p->id, p->at_loop);
	if (p->stop)
		ep_loop_stop(p->loop);
}

static void
paced_init(struct paced *p, struct ep_loop *l, int id)
{
	memset(p, 0, sizeof(*p));
	p->loop = l;
	p->id = id;
}

/* 100 pps, bucket of 1: six sends take five waits of 10 ms. */
static void
test_pacing(void **state)
{
	struct paced p[6];
	uint64_t t0 = ep_clock_us();
	struct ep_loop *l = new_loop(100, 1);

	(void)state;
	for (int i = 0; i < 6; i++) {
		paced_init(&p[i], l, i);
		ep_loop_pace(l, &p[i].pace, paced_cb, &p[i]);
		assert_int_equal(p[i].pace.queued, 1);
	}
	ep_loop_pace(l, &p[0].pace, paced_cb, &p[0]);	/* queued: no-op */
	assert_int_equal(ep_loop_sent(l), 0);
	run(l);
	assert_int_equal(ep_loop_sent(l), 6);
	assert_int_equal(nfired, 6);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(p[i].ran, 1);
		assert_int_equal(p[i].pace.queued, 0);
		assert_int_equal(fired_id[i], i);	/* first in first out */
		/* The bucket is empty after the first: 10 ms per token. */
		assert_true(p[i].at_loop - p[0].at_loop >=
		    10000u * (unsigned)i);
	}
	assert_true(p[5].at_clock - t0 >= 45000);
	assert_true(p[5].at_clock - t0 < SLACK_US);
}

/* A bucket of 3: three sends in the first turn, the fourth 10 ms on. */
static void
test_pacing_burst(void **state)
{
	struct paced p[4];
	struct ep_loop *l = new_loop(100, 3);

	(void)state;
	for (int i = 0; i < 4; i++) {
		paced_init(&p[i], l, i);
		ep_loop_pace(l, &p[i].pace, paced_cb, &p[i]);
	}
	run(l);
	assert_int_equal(ep_loop_sent(l), 4);
	assert_int_equal(p[1].at_loop, p[0].at_loop);	/* same turn */
	assert_int_equal(p[2].at_loop, p[0].at_loop);
	assert_true(p[3].at_loop - p[0].at_loop >= 10000);
}

/* A send of 3 packets takes 3 tokens: 100 pps, bucket of 4. */
static void
test_pacing_cost(void **state)
{
	struct paced p[3];
	struct ep_loop *l = new_loop(100, 4);

	(void)state;
	for (int i = 0; i < 3; i++) {
		paced_init(&p[i], l, i);
		p[i].pace.cost = 3;
		ep_loop_pace(l, &p[i].pace, paced_cb, &p[i]);
	}
	run(l);
	assert_int_equal(ep_loop_sent(l), 9);
	/* 4 tokens: the first at once, then 3 tokens (30 ms) each. */
	assert_true(p[1].at_loop - p[0].at_loop >= 20000);
	assert_true(p[2].at_loop - p[0].at_loop >= 50000);
}

/* Packets the kernel sent unpaced (ep_loop_charge) put the bucket into
 * debt: 100 pps, bucket of 4, 6 charged at once: the next send waits
 * until 3 tokens came back (2 owed, 1 for it), 30 ms. */
static void
test_charge_debt(void **state)
{
	struct paced p[1];
	uint64_t t0 = ep_clock_us();
	struct ep_loop *l = new_loop(100, 4);

	(void)state;
	ep_loop_charge(l, 6);
	assert_int_equal(ep_loop_sent(l), 6);
	paced_init(&p[0], l, 0);
	ep_loop_pace(l, &p[0].pace, paced_cb, &p[0]);
	run(l);
	assert_int_equal(ep_loop_sent(l), 7);
	assert_true(p[0].at_clock - t0 >= 29000);
	assert_true(p[0].at_clock - t0 < 30000 + SLACK_US);
}

/* A charge from inside a paced send (a TCP connection's ACKs as its
 * answer arrives) holds back the sends queued after it: 1000 pps, bucket
 * of 2; the first send charges 5 more: the second waits 5 ms (4 owed,
 * then its own). */
struct charging {
	struct paced	 p;
	unsigned	 extra;
};

static void
charging_cb(void *arg)
{
	struct charging *c = arg;

	paced_cb(&c->p);
	ep_loop_charge(c->p.loop, c->extra);
}

static void
test_charge_in_send(void **state)
{
	struct charging c[2];
	struct ep_loop *l = new_loop(1000, 2);

	(void)state;
	for (int i = 0; i < 2; i++) {
		paced_init(&c[i].p, l, i);
		c[i].extra = i == 0 ? 5 : 0;
		ep_loop_pace(l, &c[i].p.pace, charging_cb, &c[i]);
	}
	run(l);
	assert_int_equal(ep_loop_sent(l), 7);
	assert_true(c[1].p.at_clock - c[0].p.at_clock >= 4500);
	assert_true(c[1].p.at_clock - c[0].p.at_clock < 5000 + SLACK_US);
}

static void
test_unpace(void **state)
{
	struct paced p[7];
	struct ep_loop *l = new_loop(1000, 10);

	(void)state;
	for (int i = 0; i < 7; i++)
		paced_init(&p[i], l, i);
	ep_loop_unpace(l, &p[6].pace);			/* not queued: no-op */
	for (int i = 0; i < 5; i++)
		ep_loop_pace(l, &p[i].pace, paced_cb, &p[i]);
	ep_loop_unpace(l, &p[0].pace);			/* head */
	ep_loop_unpace(l, &p[2].pace);			/* middle */
	ep_loop_unpace(l, &p[4].pace);			/* tail */
	ep_loop_unpace(l, &p[4].pace);			/* again: no-op */
	assert_int_equal(p[0].pace.queued, 0);
	assert_int_equal(p[2].pace.queued, 0);
	assert_int_equal(p[4].pace.queued, 0);
	ep_loop_pace(l, &p[5].pace, paced_cb, &p[5]);	/* after the tail */
	run(l);
	assert_int_equal(ep_loop_sent(l), 3);
	assert_int_equal(nfired, 3);
	assert_int_equal(fired_id[0], 1);
	assert_int_equal(fired_id[1], 3);
	assert_int_equal(fired_id[2], 5);
	assert_int_equal(p[0].ran + p[2].ran + p[4].ran + p[6].ran, 0);

	/* Emptied to nothing, the queue takes new sends again. */
	ep_loop_pace(l, &p[0].pace, paced_cb, &p[0]);
	ep_loop_unpace(l, &p[0].pace);
	ep_loop_pace(l, &p[2].pace, paced_cb, &p[2]);
	run(l);
	assert_int_equal(p[0].ran, 0);
	assert_int_equal(p[2].ran, 1);
	assert_int_equal(ep_loop_sent(l), 4);
}

struct watcher {
	struct ep_loop	*loop;
	int		 calls;
	int		 fd;
	unsigned	 events;
	char		 byte;
};

static void
read_cb(void *arg, int fd, unsigned events)
{
	struct watcher *w = arg;

	w->calls++;
	w->fd = fd;
	w->events = events;
	if (events & EP_EV_READ)
		assert_int_equal(read(fd, &w->byte, 1), 1);
	ep_loop_unwatch(w->loop, fd);
	close_fd(fd);
}

static void
wrong_cb(void *arg, int fd, unsigned events)
{
	struct watcher *w = arg;

	(void)events;
	w->calls++;
	ep_loop_unwatch(w->loop, fd);
}

static void
hup_cb(void *arg, int fd, unsigned events)
{
	struct watcher *w = arg;

	w->calls++;
	w->fd = fd;
	w->events = events;
	ep_loop_unwatch(w->loop, fd);
	close_fd(fd);
}

/* A timer that keeps re-arming itself in the past (a bug in a probe). */
struct runaway {
	struct ep_loop	*loop;
	struct ep_timer	*t;
	struct watcher	*w;
	long		 calls, calls_at_io;
};

static void
runaway_cb(void *arg)
{
	struct runaway *r = arg;

	r->calls++;
	if (r->w->calls > 0 && r->calls_at_io == 0)
		r->calls_at_io = r->calls;
	if (r->calls == 100000) {
		ep_loop_stop(r->loop);
		return;
	}
	ep_timer_arm_at(r->t, ep_loop_now(r->loop) - 1);
}

/* Timer callbacks are bounded per turn: I/O (and so SIGINT) still gets
 * its turn while a timer runs away. */
static void
test_runaway_timer(void **state)
{
	struct watcher w = { 0 };
	struct ep_loop *l = new_loop(100, 1);
	struct runaway r = { 0 };
	struct ep_err err;
	int p[2];

	(void)state;
	w.loop = l;
	r.loop = l;
	r.w = &w;
	new_pipe(p);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(ep_loop_watch(l, p[0], EP_EV_READ, read_cb, &w,
	    &err), 0);
	assert_non_null(r.t = ep_timer_new(l, runaway_cb, &r));
	ep_timer_arm(r.t, 0);
	run(l);
	assert_int_equal(w.calls, 1);
	assert_true(r.calls_at_io > 0 && r.calls_at_io < 10000);
	ep_timer_free(r.t);
}

static void
test_watch_read(void **state)
{
	struct watcher w = { 0 }, old = { 0 };
	struct ep_loop *l = new_loop(100, 1);
	struct ep_err err;
	int p[2];

	(void)state;
	w.loop = old.loop = l;
	w.fd = -1;
	new_pipe(p);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(ep_loop_watch(l, p[0], EP_EV_READ, wrong_cb, &old,
	    &err), 0);
	/* A second watch of the same fd replaces the first. */
	assert_int_equal(ep_loop_watch(l, p[0], EP_EV_READ, read_cb, &w,
	    &err), 0);
	run(l);
	assert_int_equal(old.calls, 0);
	assert_int_equal(w.calls, 1);
	assert_int_equal(w.fd, p[0]);
	assert_int_equal(w.events, EP_EV_READ);
	assert_int_equal(w.byte, 'x');
}

static void
test_watch_write_hup(void **state)
{
	struct watcher w = { 0 }, h = { 0 };
	struct ep_loop *l = new_loop(100, 1);
	struct ep_err err;
	int a[2], b[2];

	(void)state;
	w.loop = h.loop = l;
	new_pipe(a);
	new_pipe(b);
	assert_int_equal(ep_loop_watch(l, a[1], EP_EV_WRITE, read_cb, &w,
	    &err), 0);
	close_fd(b[1]);				/* b[0]: hang-up, no data */
	assert_int_equal(ep_loop_watch(l, b[0], EP_EV_READ, hup_cb, &h,
	    &err), 0);
	run(l);
	assert_int_equal(w.calls, 1);
	assert_int_equal(w.events, EP_EV_WRITE);
	assert_int_equal(h.calls, 1);
	assert_true(h.events & EP_EV_ERROR);
}

static void
test_watch_bad_fd(void **state)
{
	struct watcher w = { 0 };
	struct ep_loop *l = new_loop(100, 1);
	struct ep_err err;
	int p[2], fd;

	(void)state;
	memset(&err, 0, sizeof(err));
	assert_int_equal(ep_loop_watch(l, -1, EP_EV_READ, read_cb, &w, &err),
	    -1);
	assert_int_equal(err.code, EBADF);
	new_pipe(p);
	fd = p[0];
	close_fd(p[0]);				/* a free fd number */
	close_fd(p[1]);
	memset(&err, 0, sizeof(err));
	assert_int_equal(ep_loop_watch(l, fd, EP_EV_READ, read_cb, &w, &err),
	    -1);
	assert_int_equal(err.code, EBADF);
	ep_loop_unwatch(l, fd);			/* not watched: no-op */
	ep_loop_unwatch(l, 100000);
	run(l);					/* nothing counted as watched */
	assert_int_equal(w.calls, 0);
}

/* A stop from a timer ends the run with another timer still armed. */
static void
test_stop_from_timer(void **state)
{
	struct tick t[2];
	uint64_t t0 = ep_clock_us();
	struct ep_loop *l = new_loop(100, 1);

	(void)state;
	tick_init(&t[0], l, 0);
	tick_init(&t[1], l, 1);
	t[0].stop = 1;
	ep_timer_arm(t[0].timer, 10);
	ep_timer_arm(t[1].timer, 10000);
	run(l);
	assert_int_equal(t[0].fired, 1);
	assert_int_equal(t[1].fired, 0);
	assert_true(ep_clock_us() - t0 >= 10000);
	assert_true(ep_clock_us() - t0 < SLACK_US);
	assert_int_equal(ep_loop_interrupted(l), 0);
}

/*
 * A stop from a paced send ends the run at once too: neither the rest of
 * the queue nor a timer 3 s away keeps it going.
 */
static void
test_stop_from_pace(void **state)
{
	struct paced p[3];
	struct tick t;
	uint64_t t0 = ep_clock_us();
	struct ep_loop *l = new_loop(100, 3);

	(void)state;
	tick_init(&t, l, 9);
	ep_timer_arm(t.timer, 3000);
	for (int i = 0; i < 3; i++) {
		paced_init(&p[i], l, i);
		ep_loop_pace(l, &p[i].pace, paced_cb, &p[i]);
	}
	p[0].stop = 1;
	run(l);
	assert_int_equal(p[0].ran, 1);
	assert_int_equal(p[1].ran + p[2].ran, 0);
	assert_int_equal(ep_loop_sent(l), 1);
	assert_int_equal(t.fired, 0);
	assert_true(ep_clock_us() - t0 < 1500000);
}

static int
term_blocked(void)
{
	sigset_t now;

	assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &now), 0);
	return sigismember(&now, SIGTERM);
}

/* SIGTERM ends the run through the signalfd; the mask is restored. */
static void
test_signal(void **state)
{
	struct tick t;
	struct ep_loop *l;
	uint64_t t0 = ep_clock_us();

	(void)state;
	assert_int_equal(term_blocked(), 0);
	l = new_loop(100, 1);
	assert_int_equal(term_blocked(), 1);
	tick_init(&t, l, 0);
	ep_timer_arm(t.timer, 10000);
	assert_int_equal(raise(SIGTERM), 0);	/* pending until read */
	run(l);
	assert_int_equal(ep_loop_interrupted(l), SIGTERM);
	assert_int_equal(t.fired, 0);
	assert_true(ep_clock_us() - t0 < SLACK_US);
	free_all();
	assert_int_equal(term_blocked(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_empty_run, teardown),
		cmocka_unit_test_teardown(test_timer_order, teardown),
		cmocka_unit_test_teardown(test_timer_rearm, teardown),
		cmocka_unit_test_teardown(test_timer_disarm_free, teardown),
		cmocka_unit_test_teardown(test_timer_heap, teardown),
		cmocka_unit_test_teardown(test_pacing, teardown),
		cmocka_unit_test_teardown(test_pacing_burst, teardown),
		cmocka_unit_test_teardown(test_pacing_cost, teardown),
		cmocka_unit_test_teardown(test_runaway_timer, teardown),
		cmocka_unit_test_teardown(test_unpace, teardown),
		cmocka_unit_test_teardown(test_watch_read, teardown),
		cmocka_unit_test_teardown(test_watch_write_hup, teardown),
		cmocka_unit_test_teardown(test_watch_bad_fd, teardown),
		cmocka_unit_test_teardown(test_stop_from_timer, teardown),
		cmocka_unit_test_teardown(test_stop_from_pace, teardown),
		cmocka_unit_test_teardown(test_charge_debt, teardown),
		cmocka_unit_test_teardown(test_charge_in_send, teardown),
		cmocka_unit_test_teardown(test_signal, teardown),
	};

	alarm(60);	/* a loop that never returns fails, not hangs */
	return cmocka_run_group_tests_name("loop", tests, NULL, NULL);
}
