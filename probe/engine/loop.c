/* probe/engine/loop.c: the one event loop (epoll, timer min-heap, signalfd,
 * pacing). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "engine/loop.h"

#define TIMERS_PER_TURN	4096	/* timer callbacks per loop turn */

struct watch {
	int		 fd;
	ep_io_cb	*cb;
	void		*arg;
};

struct ep_timer {
	struct ep_loop	*loop;		/* not owned */
	ep_timer_cb	*cb;
	void		*arg;
	uint64_t	 when;		/* monotonic us */
	size_t		 slot;		/* index in the heap, or SIZE_MAX */
};

struct ep_loop {
	int		  epfd;		/* owned */
	int		  sigfd;	/* owned, -1 when signals not taken */
	sigset_t	  oldmask;
	struct watch	**watches;	/* indexed by fd, owned */
	int		  nwatches;	/* size of the array */
	int		  nwatched;	/* fds watched now */
	struct ep_timer	**heap;		/* owned array, timers not owned */
	size_t		  nheap, capheap;
	struct ep_pace	 *qhead, *qtail;
	uint64_t	  now;
	/* Token bucket: tokens in millionths of a packet; below zero
	 * after ep_loop_charge() of packets the kernel sent unpaced. */
	int64_t		  tokens;
	uint64_t	  tokens_max, per_us, last_fill;
	uint64_t	  sent;
	uint64_t	  backlog;	/* packets queued (their costs) */
	int		  stop;
	int		  interrupted;
};

uint64_t
ep_clock_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

struct ep_loop *
ep_loop_new(unsigned pps, unsigned burst, struct ep_err *err)
{
	struct ep_loop *l;
	sigset_t mask;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		ep_err_set(err, errno, "out of memory");
		return NULL;
	}
	l->sigfd = -1;
	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		ep_err_set(err, errno, "epoll_create1: %s", strerror(errno));
		free(l);
		return NULL;
	}
	/* Signals become readable events: the handler-free way to stop. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, &l->oldmask) == 0) {
		l->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
		if (l->sigfd != -1) {
			struct epoll_event ev = { .events = EPOLLIN };

			ev.data.fd = l->sigfd;
			epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->sigfd, &ev);
		}
	}
	if (pps == 0)
		pps = 1;
	if (burst == 0)
		burst = 1;
	l->per_us = pps;	/* millionths of a token per microsecond */
	l->tokens_max = (uint64_t)burst * 1000000u;
	l->tokens = (int64_t)l->tokens_max;
	l->now = l->last_fill = ep_clock_us();
	return l;
}

void
ep_loop_free(struct ep_loop *l)
{
	if (l == NULL)
		return;
	for (int i = 0; i < l->nwatches; i++)
		free(l->watches[i]);
	free(l->watches);
	for (size_t i = 0; i < l->nheap; i++)
		l->heap[i]->slot = SIZE_MAX;
	free(l->heap);
	if (l->sigfd != -1) {
		close(l->sigfd);
		sigprocmask(SIG_SETMASK, &l->oldmask, NULL);
	}
	close(l->epfd);
	free(l);
}

int
ep_loop_watch(struct ep_loop *l, int fd, unsigned events, ep_io_cb *cb,
    void *arg, struct ep_err *err)
{
	struct epoll_event ev = { 0 };
	int op = EPOLL_CTL_MOD;

	if (fd < 0)
		return ep_err_set(err, EBADF, "watch: bad fd %d", fd);
	if (fd >= l->nwatches) {
		int n = fd + 16;
		struct watch **w = realloc(l->watches, sizeof(*w) * (size_t)n);

		if (w == NULL)
			return ep_err_set(err, errno, "out of memory");
		memset(w + l->nwatches, 0,
		    sizeof(*w) * (size_t)(n - l->nwatches));
		l->watches = w;
		l->nwatches = n;
	}
	if (l->watches[fd] == NULL) {
		if ((l->watches[fd] = calloc(1, sizeof(struct watch))) == NULL)
			return ep_err_set(err, errno, "out of memory");
		op = EPOLL_CTL_ADD;
	}
	ev.events = (events & EP_EV_READ ? EPOLLIN : 0) |
	    (events & EP_EV_WRITE ? EPOLLOUT : 0);
	ev.data.fd = fd;
	if (epoll_ctl(l->epfd, op, fd, &ev) == -1) {
		int e = errno;

		if (op == EPOLL_CTL_ADD) {
			free(l->watches[fd]);
			l->watches[fd] = NULL;
		}
		return ep_err_set(err, e, "epoll_ctl fd %d: %s", fd,
		    strerror(e));
	}
	if (op == EPOLL_CTL_ADD)
		l->nwatched++;
	l->watches[fd]->fd = fd;
	l->watches[fd]->cb = cb;
	l->watches[fd]->arg = arg;
	return 0;
}

void
ep_loop_unwatch(struct ep_loop *l, int fd)
{
	if (fd < 0 || fd >= l->nwatches || l->watches[fd] == NULL)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	free(l->watches[fd]);
	l->watches[fd] = NULL;
	l->nwatched--;
}

/* Min-heap on ep_timer.when. */
static void
heap_swap(struct ep_loop *l, size_t a, size_t b)
{
	struct ep_timer *t = l->heap[a];

	l->heap[a] = l->heap[b];
	l->heap[b] = t;
	l->heap[a]->slot = a;
	l->heap[b]->slot = b;
}

static void
heap_up(struct ep_loop *l, size_t i)
{
	while (i > 0 && l->heap[(i - 1) / 2]->when > l->heap[i]->when) {
		heap_swap(l, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
heap_down(struct ep_loop *l, size_t i)
{
	for (;;) {
		size_t s = i, a = 2 * i + 1, b = 2 * i + 2;

		if (a < l->nheap && l->heap[a]->when < l->heap[s]->when)
			s = a;
		if (b < l->nheap && l->heap[b]->when < l->heap[s]->when)
			s = b;
		if (s == i)
			return;
		heap_swap(l, i, s);
		i = s;
	}
}

static void
heap_remove(struct ep_loop *l, struct ep_timer *t)
{
	size_t i = t->slot;

	if (i == SIZE_MAX)
		return;
	t->slot = SIZE_MAX;
	if (i != --l->nheap) {
		l->heap[i] = l->heap[l->nheap];
		l->heap[i]->slot = i;
		heap_down(l, i);
		heap_up(l, i);
	}
}

struct ep_timer *
ep_timer_new(struct ep_loop *l, ep_timer_cb *cb, void *arg)
{
	struct ep_timer *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->loop = l;
	t->cb = cb;
	t->arg = arg;
	t->slot = SIZE_MAX;
	return t;
}

void
ep_timer_arm_at(struct ep_timer *t, uint64_t when)
{
	struct ep_loop *l = t->loop;

	heap_remove(l, t);
	if (l->nheap == l->capheap) {
		size_t n = l->capheap ? l->capheap * 2 : 64;
		struct ep_timer **h = realloc(l->heap, n * sizeof(*h));

		if (h == NULL)
			abort();	/* a probe without its timer could hang */
		l->heap = h;
		l->capheap = n;
	}
	t->when = when;
	t->slot = l->nheap;
	l->heap[l->nheap++] = t;
	heap_up(l, t->slot);
}

void
ep_timer_arm(struct ep_timer *t, uint32_t ms)
{
	ep_timer_arm_at(t, t->loop->now + (uint64_t)ms * 1000u);
}

void
ep_timer_disarm(struct ep_timer *t)
{
	heap_remove(t->loop, t);
}

void
ep_timer_free(struct ep_timer *t)
{
	if (t == NULL)
		return;
	heap_remove(t->loop, t);
	free(t);
}

void
ep_loop_pace(struct ep_loop *l, struct ep_pace *p, ep_pace_cb *cb, void *arg)
{
	if (p->queued)
		return;
	p->cb = cb;
	p->arg = arg;
	p->next = NULL;
	p->queued = 1;
	l->backlog += p->cost ? p->cost : 1;
	if (l->qtail)
		l->qtail->next = p;
	else
		l->qhead = p;
	l->qtail = p;
}

void
ep_loop_unpace(struct ep_loop *l, struct ep_pace *p)
{
	struct ep_pace **pp, *prev = NULL;

	if (!p->queued)
		return;
	for (pp = &l->qhead; *pp; prev = *pp, pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			if (l->qtail == p)
				l->qtail = prev;
			break;
		}
	}
	p->queued = 0;
	p->next = NULL;
	l->backlog -= p->cost ? p->cost : 1;
}

void
ep_loop_set_rate(struct ep_loop *l, unsigned pps)
{
	l->per_us = pps ? pps : 1;
}

void
ep_loop_charge(struct ep_loop *l, unsigned n)
{
	/* Taken at once, even into debt: the packets are on the wire
	 * already (or about to be), and run_paced() holds every queued
	 * send back until the bucket has paid for them. */
	l->tokens -= (int64_t)n * 1000000;
	l->sent += n;
}

uint64_t
ep_loop_sent(const struct ep_loop *l)
{
	return l->sent;
}

uint64_t
ep_loop_backlog(const struct ep_loop *l)
{
	return l->backlog;
}

uint64_t
ep_loop_now(const struct ep_loop *l)
{
	return l->now;
}

void
ep_loop_stop(struct ep_loop *l)
{
	l->stop = 1;
}

int
ep_loop_interrupted(const struct ep_loop *l)
{
	return l->interrupted;
}

/* Send queued packets while the bucket has tokens; returns us to wait. */
/* Tokens a queued send takes: one per packet (at most a full bucket, or it
 * could never leave). */
static int64_t
pace_need(const struct ep_loop *l, const struct ep_pace *p)
{
	uint64_t need = (uint64_t)(p->cost > 1 ? p->cost : 1) * 1000000u;

	return (int64_t)(need > l->tokens_max ? l->tokens_max : need);
}

static uint64_t
run_paced(struct ep_loop *l)
{
	/* The clock now, not the turn's: the callbacks of this turn may
	 * have taken milliseconds, and tokens counted from the turn's start
	 * would let a burst out sooner than the cap allows. */
	uint64_t now = ep_clock_us();
	uint64_t add = (now - l->last_fill) * l->per_us;
	int64_t max = (int64_t)l->tokens_max;

	l->last_fill = now;
	/* add is below max + debt, or the bucket was full long ago. */
	l->tokens = add >= (uint64_t)(max - l->tokens) ? max :
	    l->tokens + (int64_t)add;
	while (l->qhead != NULL && l->tokens >= pace_need(l, l->qhead) &&
	    !l->stop) {
		struct ep_pace *p = l->qhead;
		int64_t need = pace_need(l, p);

		l->qhead = p->next;
		if (l->qhead == NULL)
			l->qtail = NULL;
		p->queued = 0;
		p->next = NULL;
		l->backlog -= p->cost ? p->cost : 1;
		l->tokens -= need;
		l->sent += (uint64_t)need / 1000000u;
		p->cb(p->arg);
	}
	if (l->qhead == NULL)
		return UINT64_MAX;
	if (l->tokens >= pace_need(l, l->qhead))
		return 0;	/* stopped with tokens in hand */
	return ((uint64_t)(pace_need(l, l->qhead) - l->tokens) + l->per_us -
	    1) / l->per_us;
}

static void
run_timers(struct ep_loop *l)
{
	/*
	 * Bounded per turn: a callback that re-arms its timer in the past
	 * (a bug) must not starve I/O and signals, so SIGINT still works.
	 */
	for (int n = 0; n < TIMERS_PER_TURN && l->nheap > 0 &&
	    l->heap[0]->when <= l->now && !l->stop; n++) {
		struct ep_timer *t = l->heap[0];

		heap_remove(l, t);
		t->cb(t->arg);
	}
}

static void
read_signals(struct ep_loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		l->stop = 1;
		l->interrupted = (int)si.ssi_signo;
	}
}

int
ep_loop_run(struct ep_loop *l, struct ep_err *err)
{
	struct epoll_event evs[64];

	l->now = ep_clock_us();
	while (!l->stop) {
		uint64_t wait = run_paced(l);
		int ms, n;

		if (l->stop)
			break;
		if (l->nheap == 0 && l->nwatched == 0 && l->qhead == NULL)
			break;
		if (l->nheap > 0) {
			uint64_t t = l->heap[0]->when > l->now ?
			    l->heap[0]->when - l->now : 0;
			if (t < wait)
				wait = t;
		}
		ms = wait == UINT64_MAX ? -1 :
		    (int)((wait + 999) / 1000 > 60000 ? 60000 :
		    (wait + 999) / 1000);
		n = epoll_wait(l->epfd, evs, 64, ms);
		if (n == -1 && errno != EINTR)
			return ep_err_set(err, errno, "epoll_wait: %s",
			    strerror(errno));
		l->now = ep_clock_us();
		for (int i = 0; i < n && !l->stop; i++) {
			int fd = evs[i].data.fd;
			unsigned e = 0;
			struct watch *w;

			if (fd == l->sigfd) {
				read_signals(l);
				continue;
			}
			if (fd < 0 || fd >= l->nwatches ||
			    (w = l->watches[fd]) == NULL)
				continue;	/* unwatched earlier this turn */
			if (evs[i].events & EPOLLIN)
				e |= EP_EV_READ;
			if (evs[i].events & EPOLLOUT)
				e |= EP_EV_WRITE;
			if (evs[i].events & (EPOLLERR | EPOLLHUP))
				e |= EP_EV_ERROR;
			w->cb(w->arg, fd, e);
		}
		run_timers(l);
	}
	return 0;
}
