/* probe/engine/probe_tcp.c: one DNS query over TCP (RFC 7766), with parallel
 * connect attempts. */
#include <errno.h>
#include <stddef.h>
#include <netinet/in.h>
/* The kernel's struct tcp_info, with tcpi_segs_out (glibc's is older). */
#include <linux/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/log.h"
#include "engine/probe.h"
#include "engine/query.h"

#define TCP_ATTEMPTS_MAX	5
/* What a connect attempt pays before it starts (docs/design.md, "The rate
 * cap"): the first, a whole small exchange (SYN, handshake ACK, the query,
 * the ACK of the answer, our FIN, the ACK of the server's FIN); a later
 * one, made because the SYN went unanswered, its SYN and one
 * retransmission. */
#define TCP_PACE_FIRST		6
#define TCP_PACE_RETRY		2
#define TCP_MSS_MIN		536	/* RFC 9293: when the MSS is unknown */
/* tcpi_state (the kernel's include/net/tcp_states.h). */
#define TCP_ST_ESTABLISHED	1
#define TCP_ST_CLOSE_WAIT	8
#define TCP_BUF_MAX		(2 + 65535)	/* length prefix + message */

enum tcp_step {
	TCP_CONNECTING,	/* attempts in flight; more may be queued */
	TCP_READING,	/* connected, query written, reading the answer */
};

/*
 * Lost SYNs are retried by the kernel only after a second or more, longer
 * than our timeout may be; a fresh attempt every timeout/tries covers
 * random loss the way UDP retransmission does.  The first to connect wins.
 */
struct tcp_probe {
	struct ep_probe	*probe;		/* back pointer, not owned */
	struct ep_timer	*timer;		/* owned */
	struct ep_pace	 pace;
	struct ep_query	 q;
	int		 fds[TCP_ATTEMPTS_MAX];	/* owned, -1 when closed */
	unsigned	 charged[TCP_ATTEMPTS_MAX];	/* segments paid for */
	int		 nfds;		/* attempts made */
	int		 live;		/* index of the connection, or -1 */
	uint8_t		*buf;		/* owned, TCP_BUF_MAX, once connected */
	size_t		 have;
	uint64_t	 sent_us;	/* query written */
	uint64_t	 deadline_us;
	uint64_t	 next_us;	/* next connect attempt */
	enum tcp_step	 step;
};

static void tcp_connect(void *arg);
static void tcp_event(void *arg, int fd, unsigned events);

/*
 * The rate cap sees what the kernel sends on attempt i (docs/design.md,
 * "The rate cap"): the paced connect paid ahead (TCP_PACE_FIRST or
 * _RETRY); from then on what the socket's own count of segments sent
 * (tcp_info's tcpi_segs_out: the query, the ACKs of the answer, a
 * retransmission) and, at the close, the segments the close sends (tail)
 * come to beyond that is charged as it grows, at each event; at_least
 * is the count due now whatever the kernel says yet.
 */
static void
tcp_account(struct tcp_probe *t, int i, unsigned at_least, int closing)
{
	struct tcp_info ti;
	socklen_t sl = sizeof(ti);
	unsigned segs = 0, tail = 0;
	int ok;

	memset(&ti, 0, sizeof(ti));
	ok = getsockopt(t->fds[i], IPPROTO_TCP, TCP_INFO, &ti, &sl) == 0 &&
	    sl >= offsetof(struct tcp_info, tcpi_segs_out) +
	    sizeof(ti.tcpi_segs_out);
	if (ok)
		segs = ti.tcpi_segs_out;
	if (segs < at_least)
		segs = at_least;
	/* close(): our FIN, and the ACK of the server's FIN unless it came
	 * (and was acknowledged) already; nothing from a connection that
	 * was refused or never answered (a SYN-ACK after the close gets a
	 * reset we do not count: see the design).  Unknown: the most. */
	if (closing)
		tail = !ok || ti.tcpi_state == TCP_ST_ESTABLISHED ? 2 :
		    ti.tcpi_state == TCP_ST_CLOSE_WAIT ? 1 : 0;
	if (segs + tail > t->charged[i]) {
		ep_loop_charge(t->probe->loop, segs + tail - t->charged[i]);
		t->charged[i] = segs + tail;
	}
}

static void
tcp_close(struct tcp_probe *t, int i)
{
	if (t->fds[i] == -1)
		return;
	tcp_account(t, i, 0, 1);
	ep_loop_unwatch(t->probe->loop, t->fds[i]);
	close(t->fds[i]);
	t->fds[i] = -1;
}

static int
tcp_open_attempts(const struct tcp_probe *t)
{
	int n = 0;

	for (int i = 0; i < t->nfds; i++)
		n += t->fds[i] != -1;
	return n;
}

static void
tcp_rearm(struct tcp_probe *t)
{
	uint64_t when = t->deadline_us;

	if (t->step == TCP_CONNECTING && t->nfds < t->probe->tries_max &&
	    t->next_us < when)
		when = t->next_us;
	ep_timer_arm_at(t->timer, when);
}

static void
tcp_timer(void *arg)
{
	struct tcp_probe *t = arg;
	struct ep_probe *p = t->probe;
	uint64_t now = ep_loop_now(p->loop);

	for (int i = 0; i < t->nfds; i++)
		if (t->fds[i] != -1)
			tcp_account(t, i, 0, 0);	/* SYN retransmitted */
	if (now >= t->deadline_us) {
		ep_probe_done(p, t->step == TCP_READING ? EP_OUT_NOANSWER :
		    EP_OUT_TIMEOUT);
		return;
	}
	if (t->step == TCP_CONNECTING && t->nfds < p->tries_max &&
	    now >= t->next_us) {
		t->next_us = UINT64_MAX;	/* until this attempt is made */
		ep_loop_pace(p->loop, &t->pace, tcp_connect, t);
	}
	tcp_rearm(t);
}

/* Read what arrived; finish on a whole answer, a close or a reset. */
static void
tcp_read(struct tcp_probe *t, int fd)
{
	struct ep_probe *p = t->probe;
	struct ep_probe_result *res = &p->rec->res;

	for (;;) {
		ssize_t n = recv(fd, t->buf + t->have, TCP_BUF_MAX - t->have,
		    MSG_DONTWAIT);
		size_t need;

		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			res->sys_errno = errno;
			ep_probe_done(p, errno == ECONNRESET ? EP_OUT_RESET :
			    EP_OUT_NOANSWER);
			return;
		}
		if (n == 0) {
			res->peer_closed = 1;
			ep_probe_done(p, EP_OUT_NOANSWER);
			return;
		}
		t->have += (size_t)n;
		res->stream_bytes += (size_t)n;
		tcp_account(t, t->live, 0, 0);	/* the ACKs of the answer */
		/* One buffer may hold several messages: take each in turn. */
		while (t->have >= 2 &&
		    t->have >= (need = 2 + (size_t)(t->buf[0] << 8 | t->buf[1]))) {
			struct ep_dns_msg m;
			enum ep_match r;

			res->rtt_ms = (double)(ep_clock_us() - t->sent_us) /
			    1000.0;
			r = ep_query_match(&p->rec->spec, &t->q, t->buf + 2,
			    need - 2, &m);
			if (r != EP_MATCH_IGNORE) {
				ep_probe_answer(p, &m, r == EP_MATCH_OK ?
				    EP_OUT_ANSWER : EP_OUT_MALFORMED, t->buf + 2,
				    need - 2);
				return;
			}
			res->ignored++;
			res->rtt_ms = -1;
			memmove(t->buf, t->buf + need, t->have - need);
			t->have -= need;
		}
	}
}

/* The query's segments: its bytes over the connection's MSS. */
static unsigned
query_segs(const struct tcp_probe *t, int i)
{
	struct tcp_info ti;
	socklen_t sl = sizeof(ti);
	unsigned mss = TCP_MSS_MIN;

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(t->fds[i], IPPROTO_TCP, TCP_INFO, &ti, &sl) == 0 &&
	    ti.tcpi_snd_mss >= 64)
		mss = ti.tcpi_snd_mss;
	return (unsigned)((t->q.len + 2 + mss - 1) / mss);
}

static void
tcp_connected(struct tcp_probe *t, int i)
{
	struct ep_probe *p = t->probe;
	struct ep_probe_result *res = &p->rec->res;
	uint8_t msg[2 + EP_QUERY_MAX];
	struct ep_err err;

	t->live = i;
	t->step = TCP_READING;
	res->connected = 1;
	res->connect_ms = (double)(ep_clock_us() - res->started_us) / 1000.0;
	for (int k = 0; k < t->nfds; k++)
		if (k != i)
			tcp_close(t, k);
	ep_loop_unpace(p->loop, &t->pace);
	if ((t->buf = malloc(TCP_BUF_MAX)) == NULL) {
		res->sys_errno = ENOMEM;
		ep_probe_done(p, EP_OUT_ERROR);
		return;
	}
	msg[0] = (uint8_t)(t->q.len >> 8);
	msg[1] = (uint8_t)t->q.len;
	memcpy(msg + 2, t->q.wire, t->q.len);
	/* A fresh connection's send buffer takes a few hundred bytes. */
	if (send(t->fds[i], msg, t->q.len + 2, MSG_NOSIGNAL) !=
	    (ssize_t)(t->q.len + 2)) {
		res->sys_errno = errno;
		ep_probe_done(p, errno == ECONNRESET || errno == EPIPE ?
		    EP_OUT_RESET : EP_OUT_NOANSWER);
		return;
	}
	t->sent_us = ep_clock_us();
	res->sent_bytes = t->q.len;
	tcp_account(t, i, 2 + query_segs(t, i), 0);	/* SYN, ACK, query */
	if (ep_loop_watch(p->loop, t->fds[i], EP_EV_READ, tcp_event, t,
	    &err) == -1) {
		res->sys_errno = err.code;
		ep_probe_done(p, EP_OUT_ERROR);
	}
}

static void
tcp_event(void *arg, int fd, unsigned events)
{
	struct tcp_probe *t = arg;
	struct ep_probe *p = t->probe;
	int i, soerr = 0;
	socklen_t sl = sizeof(soerr);

	for (i = 0; i < t->nfds && t->fds[i] != fd; i++)
		;
	if (i == t->nfds)
		return;		/* stale event for a closed attempt */
	if (t->step == TCP_READING) {
		if (i == t->live)
			tcp_read(t, fd);
		return;
	}
	if (!(events & (EP_EV_WRITE | EP_EV_ERROR)))
		return;
	/* A TTL-limited SYN: a router's Time Exceeded is its answer. */
	if ((events & EP_EV_ERROR) && p->rec->spec.ttl != 0 &&
	    ep_probe_errqueue(p, fd) == 1) {
		ep_probe_done(p, EP_OUT_ICMP);
		return;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
	if (soerr == 0) {
		tcp_connected(t, i);
		return;
	}
	p->rec->res.sys_errno = soerr;
	if (soerr == ECONNREFUSED) {
		/* A reset is an answer from the path: no need to wait. */
		ep_probe_done(p, EP_OUT_RESET);
		return;
	}
	tcp_close(t, i);
	if (tcp_open_attempts(t) == 0 && t->nfds >= p->tries_max)
		ep_probe_done(p, soerr == EHOSTUNREACH ||
		    soerr == ENETUNREACH ? EP_OUT_ICMP : EP_OUT_ERROR);
}

static void
tcp_connect(void *arg)
{
	struct tcp_probe *t = arg;
	struct ep_probe *p = t->probe;
	struct ep_probe_result *res = &p->rec->res;
	uint64_t now = ep_clock_us();
	struct ep_err err;
	int fd;

	if ((fd = ep_probe_socket(p, SOCK_STREAM, &err)) == -1) {
		res->sys_errno = err.code;
		ep_probe_done(p, EP_OUT_ERROR);
		return;
	}
	t->charged[t->nfds] = t->pace.cost;
	t->pace.cost = TCP_PACE_RETRY;	/* for the next attempt */
	t->fds[t->nfds++] = fd;
	if (p->rec->spec.ttl != 0) {
		int ttl = p->rec->spec.ttl;

		if (p->addr->ss_family == AF_INET)
			(void)setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl,
			    sizeof(ttl));
		else
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS,
			    &ttl, sizeof(ttl));
		ep_probe_recverr(p, fd);
	}
	/* One SYN retransmission at most (after 1 s): further tries are
	 * our own paced connects, so the rate cap sees them. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &(int){ 1 },
	    sizeof(int));
	if (res->tries++ == 0) {
		res->started_us = now;
		t->deadline_us = now + (uint64_t)p->timeout_ms * 1000u;
	}
	/* The attempts share the whole wait, which set_deadline may
	 * shorten. */
	t->next_us = now + (t->deadline_us - res->started_us) /
	    (unsigned)p->tries_max;
	/* The system's own MSS: a clamped one would hide PMTUD holes. */
	if (connect(fd, (const struct sockaddr *)p->addr, p->addrlen) == -1 &&
	    errno != EINPROGRESS) {
		res->sys_errno = errno;
		ep_probe_done(p, errno == ECONNREFUSED ? EP_OUT_RESET :
		    EP_OUT_ERROR);
		return;
	}
	ep_probe_note_port(p, fd);
	if (ep_loop_watch(p->loop, fd, EP_EV_WRITE, tcp_event, t, &err)
	    == -1) {
		res->sys_errno = err.code;
		ep_probe_done(p, EP_OUT_ERROR);
		return;
	}
	ep_verbose(EP_VERB_PACKET, "probe %d: TCP connect attempt %d",
	    p->rec->spec.id, t->nfds);
	tcp_rearm(t);
}

static int
tcp_start(struct ep_probe *p, struct ep_err *err)
{
	struct tcp_probe *t;

	if ((t = ep_probe_state_new(sizeof(*t), offsetof(struct tcp_probe,
	    q.wire))) == NULL)
		return ep_err_set(err, errno, "out of memory");
	t->probe = p;
	t->live = -1;
	for (int i = 0; i < TCP_ATTEMPTS_MAX; i++)
		t->fds[i] = -1;
	p->state = t;
	if (p->tries_max > TCP_ATTEMPTS_MAX)
		p->tries_max = TCP_ATTEMPTS_MAX;
	p->rec->res.connect_ms = -1;
	if (ep_query_build(&p->rec->spec, ep_query_random_id(), &t->q,
	    err) == -1)
		return -1;
	p->rec->res.qid = t->q.id;
	if ((t->timer = ep_timer_new(p->loop, tcp_timer, t)) == NULL)
		return ep_err_set(err, ENOMEM, "out of memory");
	t->step = TCP_CONNECTING;
	/* The rate cap's count of a connection, paid at its start: a whole
	 * small exchange; the rest is charged as the kernel sends it
	 * (tcp_account). */
	t->pace.cost = TCP_PACE_FIRST;
	ep_loop_pace(p->loop, &t->pace, tcp_connect, t);
	return 0;
}

static void
tcp_set_deadline(struct ep_probe *p, uint64_t when)
{
	struct tcp_probe *t = p->state;

	uint64_t step;

	if (t == NULL || t->deadline_us == 0)
		return;
	/* Keep the connect attempts spread over the new wait. */
	step = (when - p->rec->res.started_us) / (unsigned)p->tries_max;
	if (t->next_us != UINT64_MAX &&
	    p->rec->res.started_us + step * (uint64_t)t->nfds < t->next_us)
		t->next_us = p->rec->res.started_us + step * (uint64_t)t->nfds;
	t->deadline_us = when;
	tcp_rearm(t);
}

static void
tcp_free(struct ep_probe *p)
{
	struct tcp_probe *t = p->state;

	if (t == NULL)
		return;
	ep_loop_unpace(p->loop, &t->pace);
	ep_timer_free(t->timer);
	for (int i = 0; i < t->nfds; i++)
		tcp_close(t, i);
	free(t->buf);
	free(t);
	p->state = NULL;
}

const struct ep_probe_ops ep_probe_tcp_ops = {
	.name = "tcp",
	.start = tcp_start,
	.set_deadline = tcp_set_deadline,
	.free = tcp_free,
};
