/* probe/engine/probe.c: what every probe kind shares: finishing, answers, sockets. */
#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "engine/log.h"
#include "engine/probe.h"
#include "engine/query.h"

void
ep_probe_done(struct ep_probe *p, enum ep_outcome outcome)
{
	if (p->finished)
		return;
	p->finished = 1;
	p->rec->res.outcome = outcome;
	ep_verbose(EP_VERB_PROBE, "probe %d (%s) done: %s after %d tries",
	    p->rec->spec.id, p->ops->name, ep_outcome_str(outcome),
	    p->rec->res.tries);
	p->ops->free(p);
	p->state = NULL;
	if (p->done)
		p->done(p, p->done_arg);
}

void
ep_probe_answer(struct ep_probe *p, const struct ep_dns_msg *m,
    enum ep_outcome outcome, const uint8_t *buf, size_t len)
{
	p->rec->res.reply = *m;
	if (p->keep && p->kept == NULL && (p->kept = malloc(len ? len : 1))
	    != NULL) {
		memcpy(p->kept, buf, len);
		p->kept_len = len;
	}
	if (outcome == EP_OUT_ANSWER && (m->flags & EP_DNS_TC))
		outcome = EP_OUT_TRUNCATED;
	ep_probe_done(p, outcome);
}

int
ep_probe_socket(const struct ep_probe *p, int type, struct ep_err *err)
{
	int fd = socket(p->addr->ss_family, type | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);

	if (fd == -1)
		return ep_err_set(err, errno, "socket: %s", strerror(errno));
	return fd;
}

void
ep_probe_note_port(struct ep_probe *p, int fd)
{
	struct ep_probe_result *res = &p->rec->res;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	uint16_t port;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return;
	port = ss.ss_family == AF_INET ?
	    ntohs(((struct sockaddr_in *)&ss)->sin_port) :
	    ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	if (port != 0 && res->nlports < (int)(sizeof(res->lports) /
	    sizeof(res->lports[0])))
		res->lports[res->nlports++] = port;
}

void *
ep_probe_state_new(size_t size, size_t wire_off)
{
	uint8_t *s = malloc(size);

	if (s == NULL)
		return NULL;
	memset(s, 0, wire_off);
	memset(s + wire_off + EP_QUERY_MAX, 0, size - wire_off - EP_QUERY_MAX);
	return s;
}

int
ep_probe_errqueue(struct ep_probe *p, int fd)
{
	struct ep_probe_result *res = &p->rec->res;
	uint8_t data[512], ctl[512];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr msg = { 0 };
	struct cmsghdr *cm;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl;
	msg.msg_controllen = sizeof(ctl);
	if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) == -1)
		return -1;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		struct sock_extended_err ee;
		struct sockaddr *off;

		if (!((cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_RECVERR) ||
		    (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_RECVERR)))
			continue;
		memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
		res->sys_errno = (int)ee.ee_errno;
		if (ee.ee_origin != SO_EE_ORIGIN_ICMP &&
		    ee.ee_origin != SO_EE_ORIGIN_ICMP6)
			return 0;
		res->icmp_type = ee.ee_type;
		res->icmp_code = ee.ee_code;
		if (ee.ee_errno == EMSGSIZE)
			res->icmp_mtu = ee.ee_info;	/* too big: next MTU */
		off = SO_EE_OFFENDER((struct sock_extended_err *)
		    (void *)CMSG_DATA(cm));
		if (off->sa_family == AF_INET)
			memcpy(&res->icmp_from, off,
			    sizeof(struct sockaddr_in));
		else if (off->sa_family == AF_INET6)
			memcpy(&res->icmp_from, off,
			    sizeof(struct sockaddr_in6));
		return 1;
	}
	return 0;
}

void
ep_probe_recverr(const struct ep_probe *p, int fd)
{
	int on = 1;

	if (p->addr->ss_family == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
	else
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on));
}
