/* probe/engine/probe_udp.c: one DNS query over UDP, retransmitted within one
 * timeout (RFC 1035 4.2.1). */
#include <errno.h>
#include <stddef.h>
#include <time.h>
#include <linux/errqueue.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/log.h"
#include "engine/probe.h"
#include "engine/query.h"
#include "engine/raw.h"

#define UDP_RECV_MAX	65536
#define UDP_READS_MAX	64	/* per wake-up: a flood cannot starve others */

enum udp_step {
	UDP_QUEUED,	/* waiting for a send token */
	UDP_WAIT,	/* sent; waiting for a reply, a resend or the deadline */
};

struct udp_probe {
	struct ep_probe	*probe;		/* back pointer, not owned */
	int		 fd;		/* connected UDP socket, owned */
	struct ep_timer	*timer;		/* owned */
	struct ep_pace	 pace;		/* queued send, in the loop's queue */
	struct ep_query	 q;
	struct ep_raw_pkts *pkts;	/* raw probes: owned */
	uint64_t	 last_us;	/* latest transmission */
	uint64_t	 deadline_us;	/* 0 until the first send */
	uint64_t	 next_us;	/* next retransmission */
	uint64_t	 share_us;	/* the wait of each try */
	enum udp_step	 step;
};

static void udp_send(void *arg);

/* The kernel queues ICMP errors for a socket with IP_RECVERR set. */
static void
udp_errqueue(struct udp_probe *u)
{
	int rc = ep_probe_errqueue(u->probe, u->fd);

	if (rc >= 0)
		ep_probe_done(u->probe, rc == 1 ? EP_OUT_ICMP : EP_OUT_ERROR);
}

static void
udp_readable(void *arg, int fd, unsigned events)
{
	struct udp_probe *u = arg;
	struct ep_probe *p = u->probe;
	static uint8_t buf[UDP_RECV_MAX];

	if (events & EP_EV_ERROR) {
		udp_errqueue(u);
		if (p->finished)
			return;
	}
	for (int i = 0; i < UDP_READS_MAX; i++) {
		struct ep_dns_msg m;
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			int e = errno;

			udp_errqueue(u);	/* ECONNREFUSED and friends */
			if (!p->finished) {
				p->rec->res.sys_errno = e;
				ep_probe_done(p, EP_OUT_ERROR);
			}
			return;
		}
		p->rec->res.rtt_ms = (double)(ep_clock_us() -
		    (p->rec->res.tries == 1 ? p->rec->res.started_us :
		    u->last_us)) / 1000.0;
		switch (ep_query_match(&p->rec->spec, &u->q, buf, (size_t)n,
		    &m)) {
		case EP_MATCH_OK:
			ep_probe_answer(p, &m, EP_OUT_ANSWER, buf,
			    (size_t)n);
			return;
		case EP_MATCH_MALFORMED:
			ep_probe_answer(p, &m, EP_OUT_MALFORMED, buf,
			    (size_t)n);
			return;
		case EP_MATCH_IGNORE:
			p->rec->res.ignored++;
			p->rec->res.rtt_ms = -1;
			ep_verbose(EP_VERB_PACKET, "probe %d: ignored a "
			    "%zd-byte reply (id %u)", p->rec->spec.id, n, m.id);
			break;
		}
	}
}

static void
udp_rearm(struct udp_probe *u)
{
	uint64_t when = u->deadline_us;

	/* A resend already queued in the pacer needs no timer of its own. */
	if (u->probe->rec->res.tries < u->probe->tries_max &&
	    !u->pace.queued && u->next_us < when)
		when = u->next_us;
	ep_timer_arm_at(u->timer, when);
}

static void
udp_timer(void *arg)
{
	struct udp_probe *u = arg;
	struct ep_probe *p = u->probe;
	uint64_t now = ep_loop_now(p->loop);

	/* Every try is sent before the probe can time out. */
	if (p->rec->res.tries < p->tries_max && now >= u->next_us &&
	    !u->pace.queued) {
		u->step = UDP_QUEUED;
		ep_loop_pace(p->loop, &u->pace, udp_send, u);
		ep_timer_arm_at(u->timer, u->deadline_us);
		return;
	}
	if (now >= u->deadline_us) {
		/* A resend still waiting for its token in the pacer: the
		 * probe has not had all its tries yet; udp_send re-arms. */
		if (u->pace.queued)
			return;
		ep_probe_done(p, EP_OUT_TIMEOUT);
		return;
	}
	udp_rearm(u);
}

/*
 * A raw probe's transmission: the query as hand-built packets from the
 * probe socket's own address and port (so the answer and ICMP errors come
 * back to it), through the run's raw socket.  A new IP identification per
 * try keeps the fragments of two tries apart.  -1 with errno.
 */
static int
raw_send(struct udp_probe *u)
{
	struct ep_probe *p = u->probe;
	const struct ep_probe_spec *s = &p->rec->spec;
	struct sockaddr_storage me;
	socklen_t ml = sizeof(me);
	struct ep_raw_spec rs;
	struct ep_err err;

	if (getsockname(u->fd, (struct sockaddr *)&me, &ml) == -1)
		return -1;
	memset(&rs, 0, sizeof(rs));
	if (me.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)&me;
		const struct sockaddr_in *b = (const void *)p->addr;

		rs.family = 4;
		memcpy(rs.src, &a->sin_addr, 4);
		memcpy(rs.dst, &b->sin_addr, 4);
		rs.sport = ntohs(a->sin_port);
		rs.dport = ntohs(b->sin_port);
	} else {
		const struct sockaddr_in6 *a = (const void *)&me;
		const struct sockaddr_in6 *b = (const void *)p->addr;

		rs.family = 6;
		memcpy(rs.src, &a->sin6_addr, 16);
		memcpy(rs.dst, &b->sin6_addr, 16);
		rs.sport = ntohs(a->sin6_port);
		rs.dport = ntohs(b->sin6_port);
	}
	rs.ttl = s->ttl ? s->ttl : 64;
	rs.df = s->raw == EP_RAW_DF;
	rs.frag_size = s->raw == EP_RAW_FRAG ? s->frag_size : 0;
	rs.ident = ep_raw_ident();
	rs.eh = (uint8_t)(((s->eh & EP_EH_HBH) ? EP_RAW_EH_HBH : 0) |
	    ((s->eh & EP_EH_DST) ? EP_RAW_EH_DST : 0));
	if (ep_raw_build(&rs, u->q.wire, u->q.len, u->pkts, &err) == -1) {
		errno = EINVAL;
		return -1;
	}
	return ep_raw_send(p->rawfd, &rs, u->pkts);
}

static void
udp_send(void *arg)
{
	struct udp_probe *u = arg;
	struct ep_probe *p = u->probe;
	struct ep_probe_result *res = &p->rec->res;
	uint64_t now = ep_clock_us();
	int rc = u->pkts != NULL ? raw_send(u) :
	    (int)send(u->fd, u->q.wire, u->q.len, 0);

	if (rc == -1 && errno != EAGAIN &&
	    errno != EWOULDBLOCK) {
		res->sys_errno = errno;
		if (errno == ECONNREFUSED || errno == EHOSTUNREACH ||
		    errno == ENETUNREACH) {
			udp_errqueue(u);
			if (p->finished)
				return;
		}
		ep_probe_done(p, EP_OUT_ERROR);
		return;
	}
	if (res->tries++ == 0) {
		res->started_us = now;
		u->deadline_us = now + (uint64_t)p->timeout_ms * 1000u;
		u->share_us = (uint64_t)p->timeout_ms * 1000u /
		    (unsigned)p->tries_max;
	} else {
		/* The pacer may have held this resend back: the tries left
		 * still get their share of the wait each (a busy rate cap
		 * must not turn into "lost"). */
		uint64_t need = now + u->share_us *
		    (uint64_t)(p->tries_max - res->tries + 1);

		if (need > u->deadline_us)
			u->deadline_us = need;
	}
	res->sent_bytes = u->q.len;
	u->last_us = now;
	/* The tries share the whole wait, which set_deadline may shorten. */
	u->next_us = now + u->share_us;
	u->step = UDP_WAIT;
	ep_verbose(EP_VERB_PACKET, "probe %d: sent %zu bytes (try %d)",
	    p->rec->spec.id, u->q.len, res->tries);
	udp_rearm(u);
}

static int
udp_start(struct ep_probe *p, struct ep_err *err)
{
	struct udp_probe *u;
	int rcvbuf = 256 * 1024;

	if ((u = ep_probe_state_new(sizeof(*u), offsetof(struct udp_probe,
	    q.wire))) == NULL)
		return ep_err_set(err, errno, "out of memory");
	u->probe = p;
	u->fd = -1;
	p->state = u;
	if (ep_query_build(&p->rec->spec, ep_query_random_id(), &u->q,
	    err) == -1)
		return -1;
	if ((u->fd = ep_probe_socket(p, SOCK_DGRAM, err)) == -1)
		return -1;
	/* ICMP errors about our datagrams arrive on the error queue. */
	ep_probe_recverr(p, u->fd);
	setsockopt(u->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (connect(u->fd, (const struct sockaddr *)p->addr, p->addrlen)
	    == -1) {
		/* No route is a measured fact about this target. */
		p->rec->res.sys_errno = errno;
		ep_probe_done(p, EP_OUT_ERROR);
		return 0;
	}
	p->rec->res.qid = u->q.id;
	ep_probe_note_port(p, u->fd);
	if (p->rec->spec.transport == EP_RAW &&
	    (u->pkts = malloc(sizeof(*u->pkts))) == NULL)
		return ep_err_set(err, ENOMEM, "out of memory");
	/* The rate cap counts packets: a query in fragments is several. */
	if (p->rec->spec.raw == EP_RAW_FRAG && p->rec->spec.frag_size > 0)
		u->pace.cost = (unsigned)((u->q.len + 8 +
		    ((p->rec->spec.eh & EP_EH_DST) ? EP_RAW_EH_LEN : 0) +
		    p->rec->spec.frag_size - 1) / p->rec->spec.frag_size);
	if ((u->timer = ep_timer_new(p->loop, udp_timer, u)) == NULL)
		return ep_err_set(err, ENOMEM, "out of memory");
	if (ep_loop_watch(p->loop, u->fd, EP_EV_READ, udp_readable, u,
	    err) == -1)
		return -1;
	u->step = UDP_QUEUED;
	ep_loop_pace(p->loop, &u->pace, udp_send, u);
	return 0;
}

static void
udp_set_deadline(struct ep_probe *p, uint64_t when)
{
	struct udp_probe *u = p->state;

	uint64_t step;

	if (u == NULL || u->deadline_us == 0)
		return;
	/* Keep the resends spread over the new, shorter wait. */
	step = (when - p->rec->res.started_us) / (unsigned)p->tries_max;
	u->share_us = step;
	if (u->last_us + step < u->next_us)
		u->next_us = u->last_us + step;
	u->deadline_us = when;
	udp_rearm(u);
}

static void
udp_free(struct ep_probe *p)
{
	struct udp_probe *u = p->state;

	if (u == NULL)
		return;
	ep_loop_unpace(p->loop, &u->pace);
	ep_timer_free(u->timer);
	if (u->fd != -1) {
		ep_loop_unwatch(p->loop, u->fd);
		close(u->fd);
	}
	free(u->pkts);
	free(u);
	p->state = NULL;
}

const struct ep_probe_ops ep_probe_udp_ops = {
	.name = "udp",
	.start = udp_start,
	.set_deadline = udp_set_deadline,
	.free = udp_free,
};
