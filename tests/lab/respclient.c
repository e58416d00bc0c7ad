/* tests/lab/respclient.c: abusive clients for `ednsprobe respond` in the
 * lab (RFC 1035 messages, RFC 7766 TCP framing).
 *
 *   respclient flood ADDR PORT SECONDS QNAME
 *       UDP queries for QNAME TXT as fast as the socket takes them for
 *       SECONDS; prints "sent=N answered=M".
 *   respclient junk ADDR PORT ZONE
 *       malformed input: random datagrams, every truncated header, a
 *       response (QR=1), a name of 127 labels under ZONE, a compression
 *       loop, counts that lie; over TCP a length prefix with nothing
 *       behind it, a half header, 70 connections held open at once.
 *       Prints "sent=N".
 *   respclient padded ADDR PORT SIZE QNAME
 *       one UDP query for QNAME TXT padded (EDNS Padding, RFC 7830) to
 *       SIZE bytes, EDNS size 1232; prints "answer=N" (its size) or
 *       "answer=none" after 2 s.
 *   respclient tcphold ADDR PORT N SECONDS
 *       N TCP connections opened and held SECONDS; prints "open=N
 *       closed_by_peer=M" (the responder's connection cap).
 *
 * Only documentation prefixes and loopback are accepted as ADDR: it is a
 * flood tool, for the lab only.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FLOOD_MAX_S	30	/* longest flood */
#define HOLD_MAX	256	/* connections held at once */
#define JUNK_RANDOM	500	/* random datagrams */

static struct sockaddr_storage dst;
static socklen_t dstlen;

static void
usage(void)
{
	fprintf(stderr, "usage: respclient flood ADDR PORT SECONDS QNAME\n"
	    "       respclient junk ADDR PORT ZONE\n"
	    "       respclient padded ADDR PORT SIZE QNAME\n"
	    "       respclient tcphold ADDR PORT N SECONDS\n");
	exit(2);
}

/* ADDR must be loopback or a documentation prefix (RFC 5737, 3849). */
static void
target(const char *addr, const char *port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&dst;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&dst;
	uint16_t p = (uint16_t)atoi(port);

	memset(&dst, 0, sizeof(dst));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		uint32_t a = ntohl(sin->sin_addr.s_addr);

		if ((a >> 24) != 127 && (a >> 8) != 0xc00002 &&
		    (a >> 8) != 0xc63364 && (a >> 8) != 0xcb0071)
			usage();
		sin->sin_family = AF_INET;
		sin->sin_port = htons(p);
		dstlen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		const uint8_t *b = sin6->sin6_addr.s6_addr;

		if (!IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr) &&
		    !(b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d &&
		    b[3] == 0xb8))
			usage();
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(p);
		dstlen = sizeof(*sin6);
	} else
		usage();
}

static int
sock(int type)
{
	int fd = socket(dst.ss_family, type, 0);

	if (fd == -1) {
		perror("socket");
		exit(1);
	}
	return fd;
}

/* name (presentation form) in wire form at buf; its length. */
static size_t
put_name(uint8_t *buf, const char *name)
{
	size_t n = 0;
	const char *p = name;

	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		buf[n++] = (uint8_t)l;
		memcpy(buf + n, p, l);
		n += l;
		p += l + (dot != NULL);
	}
	buf[n++] = 0;
	return n;
}

/* A query for name TXT into buf; its length. */
static size_t
query(uint8_t *buf, uint16_t id, const char *name)
{
	size_t n = 12;

	memset(buf, 0, 12);
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	buf[5] = 1;
	n += put_name(buf + n, name);
	buf[n++] = 0;
	buf[n++] = 16;
	buf[n++] = 0;
	buf[n++] = 1;
	return n;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
flood(int secs, const char *name)
{
	uint8_t q[512], a[65536];
	unsigned long sent = 0, answered = 0;
	int fd = sock(SOCK_DGRAM);
	double end;
	size_t n;

	if (secs < 1 || secs > FLOOD_MAX_S)
		usage();
	if (connect(fd, (struct sockaddr *)&dst, dstlen) == -1) {
		perror("connect");
		return 1;
	}
	end = now() + secs;
	while (now() < end) {
		n = query(q, (uint16_t)sent, name);
		if (send(fd, q, n, MSG_DONTWAIT) > 0)
			sent++;
		while (recv(fd, a, sizeof(a), MSG_DONTWAIT) > 0)
			answered++;
	}
	/* Late answers. */
	for (double t = now() + 0.5; now() < t;) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, 100) > 0 && recv(fd, a, sizeof(a),
		    MSG_DONTWAIT) > 0)
			answered++;
	}
	printf("sent=%lu answered=%lu\n", sent, answered);
	return 0;
}

static void
udp_send(int fd, const uint8_t *b, size_t n, unsigned long *sent)
{
	if (sendto(fd, b, n, 0, (struct sockaddr *)&dst, dstlen) >= 0)
		(*sent)++;
	usleep(500);	/* under the responder's rate: each one is read */
}

static void
tcp_send(const uint8_t *b, size_t n, unsigned long *sent)
{
	int fd = sock(SOCK_STREAM);

	if (connect(fd, (struct sockaddr *)&dst, dstlen) == 0 &&
	    send(fd, b, n, MSG_NOSIGNAL) >= 0)
		(*sent)++;
	close(fd);
}

static int
junk(const char *zone)
{
	uint8_t b[2048];
	unsigned long sent = 0;
	int fd = sock(SOCK_DGRAM);
	unsigned seed = 42;
	size_t n;
	int held[70];

	for (int i = 0; i < JUNK_RANDOM; i++) {
		n = (size_t)(rand_r(&seed) % 600);
		for (size_t k = 0; k < n; k++)
			b[k] = (uint8_t)rand_r(&seed);
		udp_send(fd, b, n, &sent);
	}
	n = query(b, 1, zone);
	for (size_t k = 0; k < 12; k++)		/* every short header */
		udp_send(fd, b, k, &sent);
	b[2] |= 0x80;				/* a response */
	udp_send(fd, b, n, &sent);
	b[2] &= 0x7f;
	b[5] = 9;				/* 9 questions, one there */
	udp_send(fd, b, n, &sent);
	b[5] = 0;				/* none */
	udp_send(fd, b, 12, &sent);
	/* 127 labels under the zone: longer than a name may be. */
	n = 12;
	for (int i = 0; i < 127; i++) {
		b[n++] = 1;
		b[n++] = 'a';
	}
	n += put_name(b + n, zone);
	memcpy(b + n, "\0\x10\0\1", 4);
	n += 4;
	b[5] = 1;
	udp_send(fd, b, n, &sent);
	/* A compression pointer to itself, and one forward. */
	n = query(b, 3, zone);
	b[12] = 0xc0;
	b[13] = 12;
	udp_send(fd, b, n, &sent);
	b[13] = 200;
	udp_send(fd, b, n, &sent);
	/* TCP: a length with nothing behind it, half a header. */
	b[0] = 0xff;
	b[1] = 0xff;
	tcp_send(b, 2, &sent);
	b[1] = 6;
	tcp_send(b, 8, &sent);
	/* More connections than the responder keeps, held a moment. */
	for (int i = 0; i < 70; i++) {
		held[i] = sock(SOCK_STREAM);
		if (connect(held[i], (struct sockaddr *)&dst, dstlen) == 0)
			sent++;
	}
	usleep(200000);
	for (int i = 0; i < 70; i++)
		close(held[i]);
	printf("sent=%lu\n", sent);
	return 0;
}

#define OPT_PAD	12	/* EDNS Padding option code */

static int
padded(long size, const char *name)
{
	static uint8_t q[65536], a[65536];
	int fd = sock(SOCK_DGRAM);
	struct pollfd p = { fd, POLLIN, 0 };
	size_t n = query(q, 0x4242, name);
	long pad = size - (long)n - 11 - 4;
	ssize_t got = -1;

	if (pad < 0 || size > 65507)
		usage();
	q[11] = 1;					/* ARCOUNT */
	memcpy(q + n, "\0\0\x29\x04\xd0\0\0\0\0", 9);	/* OPT, 1232 */
	n += 9;
	q[n++] = (uint8_t)((pad + 4) >> 8);
	q[n++] = (uint8_t)(pad + 4);
	q[n++] = 0;
	q[n++] = OPT_PAD;
	q[n++] = (uint8_t)(pad >> 8);
	q[n++] = (uint8_t)pad;
	memset(q + n, 0, (size_t)pad);
	n += (size_t)pad;
	if (connect(fd, (struct sockaddr *)&dst, dstlen) == -1 ||
	    send(fd, q, n, 0) != (ssize_t)n) {
		perror("send");
		return 1;
	}
	if (poll(&p, 1, 2000) > 0)
		got = recv(fd, a, sizeof(a), 0);
	if (got > 0)
		printf("answer=%zd\n", got);
	else
		printf("answer=none\n");
	return 0;
}

static int
tcphold(int count, int secs)
{
	int fds[HOLD_MAX], open_ = 0, closed = 0;
	char c;

	if (count < 1 || count > HOLD_MAX || secs < 1 || secs > FLOOD_MAX_S)
		usage();
	for (int i = 0; i < count; i++) {
		fds[i] = sock(SOCK_STREAM);
		open_ += connect(fds[i], (struct sockaddr *)&dst, dstlen) == 0;
	}
	sleep((unsigned)secs);
	for (int i = 0; i < count; i++) {
		closed += recv(fds[i], &c, 1, MSG_DONTWAIT) == 0;
		close(fds[i]);
	}
	printf("open=%d closed_by_peer=%d\n", open_, closed);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "flood") == 0) {
		target(argv[2], argv[3]);
		return flood(atoi(argv[4]), argv[5]);
	}
	if (argc == 5 && strcmp(argv[1], "junk") == 0) {
		target(argv[2], argv[3]);
		return junk(argv[4]);
	}
	if (argc == 6 && strcmp(argv[1], "padded") == 0) {
		target(argv[2], argv[3]);
		return padded(atol(argv[4]), argv[5]);
	}
	if (argc == 6 && strcmp(argv[1], "tcphold") == 0) {
		target(argv[2], argv[3]);
		return tcphold(atoi(argv[4]), atoi(argv[5]));
	}
	usage();
	return 2;
}
