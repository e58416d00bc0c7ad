/* tests/lab/hostile.c: a scripted misbehaving DNS server for the lab
 * (RFC 1035, RFC 6891, RFC 7766; ICMP RFC 792 / RFC 4443; fragments
 * RFC 791 / RFC 8200).
 *
 *   hostile [-p PORT] [-f SPOOF-ADDR]... LISTEN-ADDR...
 *
 * Listens on UDP and TCP PORT (53) of each LISTEN-ADDR (IPv4 or IPv6) and
 * picks its misbehaviour from the first label of the query name
 * ("wrong-id.hostile." -> a reply with the wrong DNS id; the label
 * "ednsprobe-nx" or "_ednsprobe" in front is skipped, so ednsprobe's
 * negative-answer question and its two-ended hello get the same case).  Other labels get a plain answer (an SOA).
 * The EDNS compliance zones ("edns1-ignored.hostile." ...) are apexes
 * for ISC's EDNS compliance tests (genreport, ednscomp.isc.org): SOA and a
 * DNSKEY RRset over 512 bytes, one EDNS misbehaviour each, over UDP and
 * TCP; "compliant" and sane pass every test (sane has no DNSKEY RRset).
 * -f names an address of the same host and family to forge replies from
 * (the case wrong-src-addr).  Raw sockets (forged sources, hand-built
 * fragments, ICMP errors quoting the query) need root: run it only inside
 * the lab's namespace.  It answers only peers in documentation prefixes,
 * caps every flood and its packet rate, and exits on SIGTERM / SIGINT.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_LISTEN	4	/* addresses */
#define MAX_CONNS	128	/* TCP connections at once */
#define MSG_MAX		8192	/* largest reply built */
#define QUERY_MAX	512	/* largest query read over TCP */
#define CONN_LIFE_MS	10000	/* any TCP connection closed after this */
#define DUP_COPIES	200	/* the flood of duplicate answers */
#define ICMP_COPIES	20	/* the stream of ICMP errors per query */
#define DRIBBLE_MAX	10	/* bytes dribbled, one a second */
#define PKTS_PER_SEC	20000	/* every packet sent, all cases */
#define ALT_PORT	5353	/* wrong-src-port */

enum cases {
	C_SANE = 0,
	/* who answers */
	C_WRONG_ID, C_WRONG_QNAME, C_WRONG_QTYPE, C_WRONG_QCLASS,
	C_WRONG_SRC_ADDR, C_WRONG_SRC_PORT, C_NO_QR, C_OPCODE, C_QNAME_CASE,
	C_NO_QUESTION,
	/* size of the message */
	C_EMPTY, C_SHORT, C_SILENT, C_SILENT_UDP, C_SILENT_EDNS,
	/* rcodes */
	C_FORMERR_EDNS, C_SERVFAIL_EDNS, C_REFUSED_EDNS, C_NOTIMP_EDNS,
	C_BADVERS, C_RCODE15_EDNS,
	/* records */
	C_ANCOUNT_MAX, C_QDCOUNT_MAX, C_ARCOUNT_MAX, C_RR_CUT, C_TRAILING,
	C_HUGE_NAME, C_LABEL_64, C_PTR_SELF, C_PTR_LOOP, C_PTR_PAST,
	C_PTR_FORWARD,
	/* OPT */
	C_OPT_RDLEN, C_OPT_TWICE, C_OPT_OPTLEN, C_OPT_IN_ANSWER,
	C_OPT_NOT_ROOT, C_MALFORMED_EDNS,
	/* flags and sizes */
	C_TC_FULL, C_BIG_UDP, C_DUPLICATES,
	/* TCP */
	C_TCP_LEN_LONG_CLOSE, C_TCP_LEN_LONG_HANG, C_TCP_LEN_SHORT,
	C_TCP_LEN_ZERO, C_TCP_SLOWLORIS, C_TCP_DRIBBLE, C_TCP_RST,
	C_TCP_WRONG_ID, C_TCP_TWO_MSGS,
	/* ICMP and fragments */
	C_ICMP_UNREACH, C_ICMP_FRAG_TINY, C_ICMP_FRAG_ABSURD, C_ICMP_TIMEX,
	C_FRAG_OVERLAP, C_FRAG_INCOMPLETE,
	/* EDNS compliance zones (ISC genreport): the first one is the control,
	 * each other one misbehaves in one way; all serve a DNSKEY RRset */
	C_COMPLIANT, C_EDNS1_IGNORED, C_OPT_ECHO, C_FLAGS_ECHO, C_NO_OPT,
	C_OPT_SILENT, C_BIG_512, C_NO_AA, C_BADVERS_V1, C_EDNS_FORMERR,
	C_COUNT
};

static const char *case_names[C_COUNT] = {
	[C_SANE] = "sane",
	[C_WRONG_ID] = "wrong-id", [C_WRONG_QNAME] = "wrong-qname",
	[C_WRONG_QTYPE] = "wrong-qtype", [C_WRONG_QCLASS] = "wrong-qclass",
	[C_WRONG_SRC_ADDR] = "wrong-src-addr",
	[C_WRONG_SRC_PORT] = "wrong-src-port", [C_NO_QR] = "no-qr",
	[C_OPCODE] = "opcode", [C_QNAME_CASE] = "qname-case",
	[C_NO_QUESTION] = "no-question",
	[C_EMPTY] = "empty", [C_SHORT] = "short", [C_SILENT] = "silent",
	[C_SILENT_UDP] = "silent-udp", [C_SILENT_EDNS] = "silent-edns",
	[C_FORMERR_EDNS] = "formerr-edns", [C_SERVFAIL_EDNS] = "servfail-edns",
	[C_REFUSED_EDNS] = "refused-edns", [C_NOTIMP_EDNS] = "notimp-edns",
	[C_BADVERS] = "badvers", [C_RCODE15_EDNS] = "rcode15-edns",
	[C_ANCOUNT_MAX] = "ancount-max", [C_QDCOUNT_MAX] = "qdcount-max",
	[C_ARCOUNT_MAX] = "arcount-max", [C_RR_CUT] = "rr-cut",
	[C_TRAILING] = "trailing", [C_HUGE_NAME] = "huge-name",
	[C_LABEL_64] = "label-64", [C_PTR_SELF] = "ptr-self",
	[C_PTR_LOOP] = "ptr-loop", [C_PTR_PAST] = "ptr-past",
	[C_PTR_FORWARD] = "ptr-forward",
	[C_OPT_RDLEN] = "opt-rdlen", [C_OPT_TWICE] = "opt-twice",
	[C_OPT_OPTLEN] = "opt-optlen", [C_OPT_IN_ANSWER] = "opt-in-answer",
	[C_OPT_NOT_ROOT] = "opt-not-root", [C_MALFORMED_EDNS] = "malformed-edns",
	[C_TC_FULL] = "tc-full", [C_BIG_UDP] = "big-udp",
	[C_DUPLICATES] = "duplicates",
	[C_TCP_LEN_LONG_CLOSE] = "tcp-len-long-close",
	[C_TCP_LEN_LONG_HANG] = "tcp-len-long-hang",
	[C_TCP_LEN_SHORT] = "tcp-len-short", [C_TCP_LEN_ZERO] = "tcp-len-zero",
	[C_TCP_SLOWLORIS] = "tcp-slowloris", [C_TCP_DRIBBLE] = "tcp-dribble",
	[C_TCP_RST] = "tcp-rst", [C_TCP_WRONG_ID] = "tcp-wrong-id",
	[C_TCP_TWO_MSGS] = "tcp-two-msgs",
	[C_ICMP_UNREACH] = "icmp-unreach", [C_ICMP_FRAG_TINY] = "icmp-frag-tiny",
	[C_ICMP_FRAG_ABSURD] = "icmp-frag-absurd",
	[C_ICMP_TIMEX] = "icmp-timex", [C_FRAG_OVERLAP] = "frag-overlap",
	[C_FRAG_INCOMPLETE] = "frag-incomplete",
	[C_COMPLIANT] = "compliant", [C_EDNS1_IGNORED] = "edns1-ignored",
	[C_OPT_ECHO] = "opt-echo", [C_FLAGS_ECHO] = "flags-echo",
	[C_NO_OPT] = "no-opt", [C_OPT_SILENT] = "opt-silent",
	[C_BIG_512] = "big-512", [C_NO_AA] = "no-aa",
	[C_BADVERS_V1] = "badvers-v1", [C_EDNS_FORMERR] = "edns-formerr",
};

/* A compliance zone: its apex gets every query of ISC's EDNS compliance
 * tests (SOA, DNSKEY), misbehaving only as its case says. */
static int
zone(enum cases c)
{
	return c >= C_COMPLIANT && c < C_COUNT;
}

/* A parsed query. */
struct query {
	uint16_t	id, flags;
	unsigned	opcode;
	uint8_t		qname[256];	/* wire form, as sent; none: 0 long */
	size_t		qname_len;
	uint16_t	qtype, qclass;
	int		edns;		/* an OPT record came with it */
	uint16_t	edns_do;	/* its DO bit, in place (0x8000) */
	uint16_t	edns_flags;	/* all its flags */
	unsigned	edns_version;
	size_t		opt_rdlen;	/* its RDLENGTH */
	uint8_t		opts[QUERY_MAX];	/* its whole options, as sent */
	size_t		opts_len;
	size_t		room;		/* largest reply it allows */
	enum cases	c;
};

/* A reply under construction; writes past MSG_MAX are dropped. */
struct msg {
	uint8_t		b[MSG_MAX];
	size_t		n;
	uint16_t	an, ns, ar;
};

/* A listening address and its sockets. */
struct lsn {
	int		family;
	struct sockaddr_storage addr;
	socklen_t	addrlen;
	int		udp, tcp, alt;	/* alt: UDP on ALT_PORT */
};

enum tcp_after { AFTER_KEEP, AFTER_CLOSE, AFTER_RST };

struct conn {
	int		fd;		/* -1: free slot */
	uint64_t	born_ms;
	uint8_t		in[2 + QUERY_MAX];
	size_t		have;
	int		answered;
	uint8_t		out[2 + MSG_MAX + 2 + MSG_MAX];
	size_t		out_len, out_off;
	size_t		chunk;		/* bytes per send, 0: all */
	uint64_t	next_ms;	/* next send */
	unsigned	interval_ms;
	enum tcp_after	after;
};

static volatile sig_atomic_t stop;
static struct lsn lsns[MAX_LISTEN];
static int nlsn;
static struct conn conns[MAX_CONNS];
static uint8_t spoof4[4], spoof6[16];
static int have_spoof4, have_spoof6;
static int raw4 = -1, raw6 = -1, icmp4 = -1, icmp6 = -1;
static uint16_t port = 53;
static uint64_t budget_sec;
static unsigned budget_used;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The packet-rate cap of the whole server: 1 if one more may go. */
static int
budget(void)
{
	uint64_t s = now_ms() / 1000;

	if (s != budget_sec) {
		budget_sec = s;
		budget_used = 0;
	}
	if (budget_used >= PKTS_PER_SEC)
		return 0;
	budget_used++;
	return 1;
}

/* Only the lab: documentation prefixes (RFC 5737, RFC 3849). */
static int
lab_peer(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const uint8_t *a = (const uint8_t *)
		    &((const struct sockaddr_in *)(const void *)ss)->sin_addr;

		return (a[0] == 192 && a[1] == 0 && a[2] == 2) ||
		    (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
		    (a[0] == 203 && a[1] == 0 && a[2] == 113);
	}
	if (ss->ss_family == AF_INET6) {
		const uint8_t *a = ((const struct sockaddr_in6 *)
		    (const void *)ss)->sin6_addr.s6_addr;

		return a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d &&
		    a[3] == 0xb8;
	}
	return 0;
}

/* ------------------------------------------------------------ messages */

static void
put(struct msg *m, const void *p, size_t len)
{
	if (len == 0)
		return;
	if (len > sizeof(m->b) - m->n) {
		m->n = sizeof(m->b);	/* full: later writes dropped */
		return;
	}
	memcpy(m->b + m->n, p, len);
	m->n += len;
}

static void
put8(struct msg *m, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(m, &b, 1);
}

static void
put16(struct msg *m, unsigned v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(m, b, 2);
}

static void
put32(struct msg *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

static void
set16(struct msg *m, size_t at, unsigned v)
{
	if (at + 2 <= m->n) {
		m->b[at] = (uint8_t)(v >> 8);
		m->b[at + 1] = (uint8_t)v;
	}
}

/* An RR header: owner (wire bytes), type, class, TTL, RDLENGTH. */
static void
rr(struct msg *m, const void *owner, size_t olen, unsigned type,
    unsigned cls, uint32_t ttl, unsigned rdlen)
{
	put(m, owner, olen);
	put16(m, type);
	put16(m, cls);
	put32(m, ttl);
	put16(m, rdlen);
}

static const uint8_t ptr_qname[2] = { 0xc0, 12 };	/* the question */

static void
soa(struct msg *m)
{
	static const uint8_t rdata[] =
	    "\2ns\7hostile\0\4host\7hostile\0"
	    "\0\0\0\1\0\0\x0e\x10\0\0\x03\x84\0\x09\x3a\x80\0\0\0\x3c";

	rr(m, ptr_qname, 2, 6, 1, 60, sizeof(rdata) - 1);
	put(m, rdata, sizeof(rdata) - 1);
}

/* TXT records in the answer section until the message has size bytes. */
static void
pad_txt(struct msg *m, size_t size)
{
	while (m->n + 12 + 2 <= size && m->n < sizeof(m->b)) {
		size_t room = size - m->n - 12, s = room > 256 ? 256 : room;
		uint8_t txt[256];

		memset(txt, 'x', sizeof(txt));
		txt[0] = (uint8_t)(s - 1);
		rr(m, ptr_qname, 2, 16, 1, 60, (unsigned)s);
		put(m, txt, s);
		m->an++;
	}
}

/*
 * The OPT of a reply (RFC 6891 6.1.3): version 0, our size 1232, the
 * extended rcode, DO copied, no options.  The OPT cases of the compliance
 * zones change it here, so that every reply of theirs (BADVERS, TC)
 * carries the fault: no-opt leaves it out, flags-echo copies every flag of
 * the query, opt-echo every option, badvers-v1 gives BADVERS the query's
 * version.
 */
static void
opt(struct msg *m, const struct query *q, unsigned ext_rcode)
{
	uint32_t ttl = (uint32_t)ext_rcode << 24 | (q->edns_do ? 0x8000u : 0);
	size_t olen = 0;

	switch (q->c) {
	case C_NO_OPT:
		return;
	case C_FLAGS_ECHO:
		ttl = (uint32_t)ext_rcode << 24 | q->edns_flags;
		break;
	case C_OPT_ECHO:
		olen = q->opts_len;
		break;
	case C_BADVERS_V1:
		if (ext_rcode == 1)
			ttl |= (uint32_t)q->edns_version << 16;
		break;
	default:
		break;
	}
	put8(m, 0);
	rr(m, NULL, 0, 41, 1232, ttl, (unsigned)olen);
	put(m, q->opts, olen);
	m->ar++;
}

/*
 * The DNSKEY RRset of a compliance zone: a KSK and a ZSK, RSASHA256 with
 * exponent 65537 (RFC 4034 2.1, RFC 3110, RFC 5702), 2048-bit moduli of
 * made-up bytes.  552 bytes of answer: more than a 512-byte buffer holds
 * (genreport's edns@512 wants TC there), far less than 4096.
 */
static void
dnskey(struct msg *m)
{
	for (unsigned k = 0; k < 2; k++) {
		uint8_t rd[4 + 4 + 256];
		uint32_t x = 0x9e3779b9u * (k + 1);

		rd[0] = 1;			/* zone key */
		rd[1] = k == 0 ? 1 : 0;		/* SEP: the KSK */
		rd[2] = 3;			/* protocol */
		rd[3] = 8;			/* RSASHA256 */
		rd[4] = 3;			/* exponent: 3 bytes, 65537 */
		rd[5] = 1;
		rd[6] = 0;
		rd[7] = 1;
		for (size_t i = 8; i < sizeof(rd); i++) {	/* xorshift */
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			rd[i] = (uint8_t)x;
		}
		rd[8] |= 0x80;			/* all 2048 bits, odd */
		rd[sizeof(rd) - 1] |= 1;
		rr(m, ptr_qname, 2, 48, 1, 3600, sizeof(rd));
		put(m, rd, sizeof(rd));
		m->an++;
	}
}

static void
header(struct msg *m, const struct query *q, unsigned rcode)
{
	unsigned flags = 0x8000 | (q->flags & 0x7800) | 0x0400 |
	    (q->flags & 0x0100) | (rcode & 0xf);

	m->n = 0;
	m->an = m->ns = m->ar = 0;
	put16(m, q->id);
	put16(m, flags);
	put16(m, 1);
	put16(m, 0);
	put16(m, 0);
	put16(m, 0);
	put(m, q->qname, q->qname_len);
	put16(m, q->qtype);
	put16(m, q->qclass);
}

static void
counts(struct msg *m)
{
	set16(m, 6, m->an);
	set16(m, 8, m->ns);
	set16(m, 10, m->ar);
}

/*
 * The plain reply: SOA in the answer (SOA asked), a compliance zone's
 * DNSKEY RRset (DNSKEY asked), else the SOA in the authority section; TXT
 * padding to size bytes (0: none), OPT when the query had one.  Unpadded,
 * it never exceeds the query's room: then TC, the OPT and no records, as
 * an RRset that does not fit whole is left out (RFC 2181 9, RFC 6891 7).
 */
static void
plain(struct msg *m, const struct query *q, unsigned rcode, size_t size)
{
	int keys = rcode == 0 && q->qtype == 48 && zone(q->c);

	header(m, q, rcode);
	if (rcode == 0 && q->qtype == 6) {
		soa(m);
		m->an++;
	}
	if (keys)
		dnskey(m);
	if (size)
		pad_txt(m, size);
	if (rcode == 0 && q->qtype != 6 && !keys) {
		soa(m);
		m->ns++;
	}
	if (q->edns)
		opt(m, q, 0);
	counts(m);
	if (size == 0 && m->n > q->room) {
		header(m, q, rcode);
		m->b[2] |= 0x02;
		if (q->edns)
			opt(m, q, 0);
		counts(m);
	}
}

/*
 * What sane and the compliance zones do unless their case says otherwise,
 * so that every test of ISC's EDNS compliance suite (genreport) passes:
 * another opcode than QUERY gets NOTIMP, the opcode echoed and nothing but
 * the header (no AA, no RD: genreport's opcode tests flag any bit); an
 * EDNS version over 0 gets BADVERS with an OPT of version 0 and no records
 * (RFC 6891 6.1.3); the rest the plain reply.
 */
static void
base(struct msg *m, const struct query *q)
{
	if (q->opcode != 0) {
		m->n = 0;
		m->an = m->ns = m->ar = 0;
		put16(m, q->id);
		put16(m, 0x8000 | q->opcode << 11 | 4);
		put16(m, 0);
		put16(m, 0);
		put16(m, 0);
		put16(m, 0);
		if (q->edns)
			opt(m, q, 0);
		counts(m);
	} else if (q->edns && q->edns_version > 0) {
		header(m, q, 0);	/* BADVERS = 16: ext rcode 1, rcode 0 */
		opt(m, q, 1);
		counts(m);
	} else
		plain(m, q, 0, 0);
}

/*
 * The reply of a case, over UDP or TCP; 0: send nothing.  Cases that are
 * about the transport (ICMP, forged sources, fragments, floods) get the
 * plain reply here and the sender does the rest.
 */
static size_t
build(struct msg *m, const struct query *q, int tcp)
{
	struct query alt;
	enum cases c = q->c;

	/* The TCP cases misbehave over TCP only, the others over UDP only:
	 * the other transport gives a baseline.  The compliance zones
	 * misbehave over both, as genreport asks over both. */
	if (tcp != (c >= C_TCP_LEN_LONG_CLOSE && c <= C_TCP_TWO_MSGS) &&
	    c != C_SILENT && !zone(c))
		c = C_SANE;
	switch (c) {
	case C_SANE:
	case C_COMPLIANT:
	case C_OPT_ECHO:	/* these four: in opt() */
	case C_FLAGS_ECHO:
	case C_NO_OPT:
	case C_BADVERS_V1:
		base(m, q);
		break;
	case C_EDNS1_IGNORED:	/* any version answered as version 0 */
		alt = *q;
		alt.edns_version = 0;
		base(m, &alt);
		break;
	case C_OPT_SILENT:
		if (q->edns && q->opt_rdlen > 0)
			return 0;
		base(m, q);
		break;
	case C_BIG_512:		/* the advertised size ignored */
		alt = *q;
		alt.room = SIZE_MAX;
		base(m, &alt);
		break;
	case C_NO_AA:
		base(m, q);
		m->b[2] &= (uint8_t)~0x04;
		break;
	case C_EDNS_FORMERR:	/* as a server from before EDNS */
		if (!q->edns) {
			base(m, q);
			break;
		}
		alt = *q;
		alt.edns = 0;
		plain(m, &alt, 1, 0);
		break;
	case C_SILENT:
	case C_SILENT_UDP:
		return 0;
	case C_SILENT_EDNS:
		if (q->edns)
			return 0;
		plain(m, q, 0, 0);
		break;
	case C_MALFORMED_EDNS:	/* plain queries answered */
		plain(m, q, 0, 0);
		if (q->edns)
			set16(m, 10, 2);	/* ARCOUNT 2, one OPT */
		break;
	case C_WRONG_ID:
	case C_TCP_WRONG_ID:
		plain(m, q, 0, 0);
		set16(m, 0, (unsigned)q->id ^ 0x5a5a);
		break;
	case C_WRONG_QNAME:
		plain(m, q, 0, 0);
		m->b[12 + 1] ^= 0x01;	/* first letter of the first label */
		break;
	case C_WRONG_QTYPE:
		plain(m, q, 0, 0);
		set16(m, 12 + q->qname_len, q->qtype == 16 ? 1 : 16);
		break;
	case C_WRONG_QCLASS:
		plain(m, q, 0, 0);
		set16(m, 12 + q->qname_len + 2, 3);	/* CH */
		break;
	case C_NO_QR:
		plain(m, q, 0, 0);
		m->b[2] &= 0x7f;
		break;
	case C_OPCODE:
		plain(m, q, 0, 0);
		m->b[2] = (uint8_t)((m->b[2] & 0x87) | (2 << 3)); /* STATUS */
		break;
	case C_QNAME_CASE:
		plain(m, q, 0, 0);
		for (size_t i = 13; i < 12 + q->qname_len; i++)
			if (m->b[i] >= 'a' && m->b[i] <= 'z')
				m->b[i] ^= 0x20;
		break;
	case C_NO_QUESTION:
		plain(m, q, 0, 0);
		set16(m, 4, 0);
		/* drop the question: the records follow the header */
		memmove(m->b + 12, m->b + 12 + q->qname_len + 4,
		    m->n - 12 - q->qname_len - 4);
		m->n -= q->qname_len + 4;
		break;
	case C_EMPTY:
		m->n = 0;
		return SIZE_MAX;	/* a zero-length datagram */
	case C_SHORT:
		plain(m, q, 0, 0);
		m->n = 7;
		break;
	case C_FORMERR_EDNS:
	case C_SERVFAIL_EDNS:
	case C_REFUSED_EDNS:
	case C_NOTIMP_EDNS:
	case C_RCODE15_EDNS: {
		struct query nq = *q;

		if (!q->edns) {
			plain(m, q, 0, 0);
			break;
		}
		nq.edns = 0;	/* as an old server: no OPT back */
		plain(m, &nq, c == C_FORMERR_EDNS ? 1 : c == C_SERVFAIL_EDNS ?
		    2 : c == C_REFUSED_EDNS ? 5 : c == C_NOTIMP_EDNS ? 4 : 15,
		    0);
		break;
	}
	case C_BADVERS:
		if (!q->edns) {
			plain(m, q, 0, 0);
			break;
		}
		header(m, q, 0);	/* BADVERS = 16: ext rcode 1, rcode 0 */
		opt(m, q, 1);
		counts(m);
		break;
	case C_ANCOUNT_MAX:
		plain(m, q, 0, 0);
		set16(m, 6, 65535);
		break;
	case C_QDCOUNT_MAX:
		plain(m, q, 0, 0);
		set16(m, 4, 65535);
		break;
	case C_ARCOUNT_MAX:
		plain(m, q, 0, 0);
		set16(m, 10, 65535);
		break;
	case C_RR_CUT:
		plain(m, q, 0, 0);
		/* the message ends inside the SOA's RDATA (OPT cut too) */
		m->n -= (q->edns ? 11 : 0) + 10;
		break;
	case C_TRAILING:
		plain(m, q, 0, 0);
		put(m, "trailing garbage after the last record", 38);
		break;
	case C_HUGE_NAME: {
		uint8_t name[5 * 64 + 1];

		header(m, q, 0);
		for (int i = 0; i < 5; i++) {
			name[i * 64] = 63;
			memset(name + i * 64 + 1, 'a' + i, 63);
		}
		name[5 * 64] = 0;	/* 321 bytes: over 255 */
		rr(m, name, sizeof(name), 1, 1, 60, 4);
		put32(m, 0xc0000201);
		m->an++;
		counts(m);
		break;
	}
	case C_LABEL_64: {
		uint8_t name[1 + 64 + 1];

		header(m, q, 0);
		name[0] = 64;		/* 0x40: no such label type */
		memset(name + 1, 'l', 64);
		name[65] = 0;
		rr(m, name, sizeof(name), 1, 1, 60, 4);
		put32(m, 0xc0000201);
		m->an++;
		counts(m);
		break;
	}
	case C_PTR_SELF:
	case C_PTR_PAST:
	case C_PTR_FORWARD: {
		uint8_t name[2];
		size_t at;

		header(m, q, 0);
		at = m->n;	/* ptr-self: the name points at itself */
		if (c == C_PTR_PAST)
			at = 0x3fff;
		else if (c == C_PTR_FORWARD)
			at = m->n + 2 + 10;	/* into its own RDATA */
		name[0] = (uint8_t)(0xc0 | at >> 8);
		name[1] = (uint8_t)at;
		rr(m, name, 2, 1, 1, 60, 4);
		put32(m, 0xc0000201);
		m->an++;
		counts(m);
		break;
	}
	case C_PTR_LOOP: {
		/* a TXT whose RDATA holds two pointers to each other, then
		 * a record whose owner points at the first */
		size_t p1;
		uint8_t name[2];

		header(m, q, 0);
		rr(m, ptr_qname, 2, 16, 1, 60, 5);
		put8(m, 4);
		p1 = m->n;
		put8(m, 0xc0 | (unsigned)((p1 + 2) >> 8));
		put8(m, (unsigned)(p1 + 2));
		put8(m, 0xc0 | (unsigned)(p1 >> 8));
		put8(m, (unsigned)p1);
		name[0] = (uint8_t)(0xc0 | p1 >> 8);
		name[1] = (uint8_t)p1;
		rr(m, name, 2, 1, 1, 60, 4);
		put32(m, 0xc0000201);
		m->an += 2;
		counts(m);
		break;
	}
	case C_OPT_RDLEN:
		header(m, q, 0);
		soa(m);
		m->an++;
		put8(m, 0);
		rr(m, NULL, 0, 41, 1232, 0, 200);	/* 200 bytes: none */
		m->ar++;
		counts(m);
		break;
	case C_OPT_TWICE:
		plain(m, q, 0, 0);
		opt(m, q, 0);
		if (!q->edns)
			opt(m, q, 0);
		counts(m);
		break;
	case C_OPT_OPTLEN:
		header(m, q, 0);
		soa(m);
		m->an++;
		put8(m, 0);
		rr(m, NULL, 0, 41, 1232, 0, 8);
		put16(m, 10);		/* COOKIE, 65535 bytes long */
		put16(m, 65535);
		put32(m, 0x01020304);
		m->ar++;
		counts(m);
		break;
	case C_OPT_IN_ANSWER:
		header(m, q, 0);
		put8(m, 0);
		rr(m, NULL, 0, 41, 1232, 0, 0);
		m->an++;
		counts(m);
		break;
	case C_OPT_NOT_ROOT:
		header(m, q, 0);
		soa(m);
		m->an++;
		rr(m, ptr_qname, 2, 41, 1232, 0, 0);
		m->ar++;
		counts(m);
		break;
	case C_TC_FULL:
		plain(m, q, 0, 0);
		m->b[2] |= 0x02;
		break;
	case C_BIG_UDP:
		plain(m, q, 0, 4000);
		break;
	case C_FRAG_OVERLAP:
	case C_FRAG_INCOMPLETE:
		plain(m, q, 0, 2000);
		break;
	case C_TCP_TWO_MSGS:
	default:
		plain(m, q, 0, 0);
		break;
	}
	return m->n;
}

/*
 * Parse a query that came over UDP or TCP; -1 if it is none (then it gets
 * no reply).  One question, except that another opcode than QUERY may
 * come without (genreport's opcode tests: a bare header).
 */
static int
parse_query(const uint8_t *b, size_t len, int tcp, struct query *q)
{
	size_t i = 12, first_end = 0;
	char first[64] = "", second[64] = "";
	uint16_t qd, an, ns, ar;

	memset(q, 0, sizeof(*q));
	if (len < 12 || (b[2] & 0x80))
		return -1;
	q->id = (uint16_t)(b[0] << 8 | b[1]);
	q->flags = (uint16_t)(b[2] << 8 | b[3]);
	q->opcode = (unsigned)(b[2] >> 3 & 0x0f);
	qd = (uint16_t)(b[4] << 8 | b[5]);
	an = (uint16_t)(b[6] << 8 | b[7]);
	ns = (uint16_t)(b[8] << 8 | b[9]);
	ar = (uint16_t)(b[10] << 8 | b[11]);
	if (qd != 1 && (qd != 0 || q->opcode == 0))
		return -1;
	for (int labels = 0; qd == 1; labels++) {
		uint8_t l;

		if (i >= len || labels > 127)
			return -1;
		l = b[i];
		if (l & 0xc0 || i + 1 + l > len || i - 12 + 1 + l > 255)
			return -1;
		if (labels < 2 && l > 0) {
			char *d = labels == 0 ? first : second;

			for (uint8_t k = 0; k < l && k < 63; k++) {
				char ch = (char)b[i + 1 + k];

				d[k] = ch >= 'A' && ch <= 'Z' ?
				    (char)(ch + 32) : ch;
			}
			d[l < 63 ? l : 63] = '\0';
		}
		i += 1 + (size_t)l;
		if (labels == 0)
			first_end = i;
		if (l == 0)
			break;
	}
	(void)first_end;
	q->qname_len = i - 12;
	memcpy(q->qname, b + 12, q->qname_len);
	if (qd == 1) {
		if (i + 4 > len)
			return -1;
		q->qtype = (uint16_t)(b[i] << 8 | b[i + 1]);
		q->qclass = (uint16_t)(b[i + 2] << 8 | b[i + 3]);
		i += 4;
	}
	/* Room: 512 without EDNS (RFC 1035 4.2.1), the advertised size with
	 * it, never below 512 (RFC 6891 6.2.5); TCP: all. */
	q->room = 512;
	/* OPT: root owner, type 41, as the first additional record. */
	if (an == 0 && ns == 0 && ar >= 1 && i + 11 <= len && b[i] == 0 &&
	    b[i + 1] == 0 && b[i + 2] == 41) {
		size_t o = i + 11, end;

		q->edns = 1;
		if ((size_t)(b[i + 3] << 8 | b[i + 4]) > q->room)
			q->room = (size_t)(b[i + 3] << 8 | b[i + 4]);
		q->edns_version = b[i + 6];
		q->edns_flags = (uint16_t)(b[i + 7] << 8 | b[i + 8]);
		q->edns_do = (uint16_t)(q->edns_flags & 0x8000);
		q->opt_rdlen = (size_t)(b[i + 9] << 8 | b[i + 10]);
		end = q->opt_rdlen < len - o ? o + q->opt_rdlen : len;
		/* whole options only, as many as opts holds */
		while (o + 4 <= end) {
			size_t n = 4 + (size_t)(b[o + 2] << 8 | b[o + 3]);

			if (n > end - o || n > sizeof(q->opts) - q->opts_len)
				break;
			memcpy(q->opts + q->opts_len, b + o, n);
			q->opts_len += n;
			o += n;
		}
	}
	if (tcp)
		q->room = 65535;
	if (strcmp(first, "ednsprobe-nx") == 0 ||
	    strcmp(first, "_ednsprobe") == 0)
		memcpy(first, second, sizeof(first));
	q->c = C_SANE;
	for (int c = 0; c < C_COUNT; c++)
		if (case_names[c] && strcmp(first, case_names[c]) == 0)
			q->c = (enum cases)c;
	return 0;
}

/* ------------------------------------------------------- raw packets */

static uint32_t
sum16(const uint8_t *p, size_t len, uint32_t s)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return s;
}

static uint16_t
fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void
addr_bytes(const struct sockaddr_storage *ss, uint8_t *a, uint16_t *p)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;

		memcpy(a, &s->sin_addr, 4);
		*p = ntohs(s->sin_port);
	} else {
		const struct sockaddr_in6 *s = (const void *)ss;

		memcpy(a, &s->sin6_addr, 16);
		*p = ntohs(s->sin6_port);
	}
}

/* An IP header (v4: 20 bytes, v6: 40 + 8 with a Fragment header). */
static size_t
ip_header(uint8_t *h, int fam, const uint8_t *src, const uint8_t *dst,
    size_t payload, int frag, size_t off, int mf, uint32_t ident,
    uint8_t proto)
{
	if (fam == 4) {
		size_t tot = 20 + payload;
		unsigned fo = (unsigned)(off / 8) | (mf ? 0x2000u : 0);

		memset(h, 0, 20);
		h[0] = 0x45;
		h[2] = (uint8_t)(tot >> 8);
		h[3] = (uint8_t)tot;
		h[4] = (uint8_t)(ident >> 8);
		h[5] = (uint8_t)ident;
		h[6] = (uint8_t)(fo >> 8);
		h[7] = (uint8_t)fo;
		h[8] = 64;
		h[9] = proto;
		memcpy(h + 12, src, 4);
		memcpy(h + 16, dst, 4);
		uint16_t c = fold(sum16(h, 20, 0));
		h[10] = (uint8_t)(c >> 8);
		h[11] = (uint8_t)c;
		return 20;
	}
	size_t plen = payload + (frag ? 8 : 0);

	memset(h, 0, frag ? 48 : 40);
	h[0] = 0x60;
	h[4] = (uint8_t)(plen >> 8);
	h[5] = (uint8_t)plen;
	h[6] = frag ? 44 : proto;
	h[7] = 64;
	memcpy(h + 8, src, 16);
	memcpy(h + 24, dst, 16);
	if (!frag)
		return 40;
	h[40] = proto;
	h[42] = (uint8_t)((off >> 8) & 0xff);
	h[43] = (uint8_t)((off & 0xf8) | (mf ? 1 : 0));
	h[44] = (uint8_t)(ident >> 24);
	h[45] = (uint8_t)(ident >> 16);
	h[46] = (uint8_t)(ident >> 8);
	h[47] = (uint8_t)ident;
	return 48;
}

enum raw_mode { RAW_WHOLE, RAW_OVERLAP, RAW_INCOMPLETE };

/*
 * A UDP datagram from src:sport to the peer, hand-built and sent through
 * the raw socket: whole, or in fragments that overlap (every byte covered,
 * the second fragment starting inside the first), or that never complete
 * (the last one never sent).
 */
static void
send_raw_udp(int fam, const uint8_t *src, uint16_t sport,
    const struct sockaddr_storage *peer, const uint8_t *pl, size_t len,
    enum raw_mode mode)
{
	static uint8_t dg[8 + MSG_MAX], pkt[48 + 8 + MSG_MAX];
	static uint32_t ident = 0x4e00;
	struct sockaddr_storage to;
	uint8_t dst[16];
	uint16_t dport;
	size_t alen = fam == 4 ? 4 : 16, ulen = 8 + len;
	uint32_t s = 0;
	int fd = fam == 4 ? raw4 : raw6;
	struct piece { size_t off, len; int mf; } pc[3];
	int npc = 0;

	if (fd == -1 || len > MSG_MAX || 8 + len > 2560)
		return;		/* pieces of at most 1024 bytes, 3 of them */
	addr_bytes(peer, dst, &dport);
	dg[0] = (uint8_t)(sport >> 8);
	dg[1] = (uint8_t)sport;
	dg[2] = (uint8_t)(dport >> 8);
	dg[3] = (uint8_t)dport;
	dg[4] = (uint8_t)(ulen >> 8);
	dg[5] = (uint8_t)ulen;
	dg[6] = dg[7] = 0;
	memcpy(dg + 8, pl, len);
	s = sum16(src, alen, s);
	s = sum16(dst, alen, s);
	s += 17 + (uint32_t)ulen;
	s = sum16(dg, ulen, s);
	uint16_t c = fold(s);
	if (c == 0)
		c = 0xffff;
	dg[6] = (uint8_t)(c >> 8);
	dg[7] = (uint8_t)c;

	ident++;
	if (mode == RAW_WHOLE || ulen <= 1024) {
		pc[npc++] = (struct piece){ 0, ulen, 0 };
		mode = RAW_WHOLE;
	} else if (mode == RAW_OVERLAP) {
		/* bytes 512..1023 twice, with different data in between */
		pc[npc++] = (struct piece){ 0, 1024, 1 };
		pc[npc++] = (struct piece){ 512, 1024, ulen > 1536 };
		if (ulen > 1536)
			pc[npc++] = (struct piece){ 1536, ulen - 1536, 0 };
	} else {
		pc[npc++] = (struct piece){ 0, 512, 1 };
		pc[npc++] = (struct piece){ 512, 512, 1 };
	}
	memset(&to, 0, sizeof(to));
	memcpy(&to, peer, sizeof(to));
	if (fam == 4)
		((struct sockaddr_in *)&to)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&to)->sin6_port = 0;
	for (int i = 0; i < npc; i++) {
		size_t h = ip_header(pkt, fam, src, dst, pc[i].len,
		    mode != RAW_WHOLE, pc[i].off, pc[i].mf, ident, 17);

		memcpy(pkt + h, dg + pc[i].off, pc[i].len);
		if (mode == RAW_OVERLAP && i == 1)
			memset(pkt + h, 'X', 512);	/* not the same bytes */
		if (budget())
			(void)sendto(fd, pkt, h + pc[i].len, 0,
			    (struct sockaddr *)&to, fam == 4 ?
			    sizeof(struct sockaddr_in) :
			    sizeof(struct sockaddr_in6));
	}
}

/*
 * ICMP errors about the query the peer sent to us (l): the quoted packet
 * is the query's IP and UDP headers and its first bytes, rebuilt from
 * what the socket told us.  ICMP_COPIES of them.
 */
static void
send_icmp(const struct lsn *l, const struct sockaddr_storage *peer,
    const uint8_t *qb, size_t qlen, enum cases c)
{
	uint8_t pkt[8 + 48 + 8 + 64], me[16], them[16];
	uint16_t myport, theirport;
	size_t n, quote = qlen < 64 ? qlen : 64, h;
	int fam = l->family, fd = fam == 4 ? icmp4 : icmp6;
	uint32_t mtu = 0;
	uint8_t type, code;

	if (fd == -1)
		return;
	addr_bytes(&l->addr, me, &myport);
	addr_bytes(peer, them, &theirport);
	myport = port;
	switch (c) {
	case C_ICMP_UNREACH:
		type = fam == 4 ? 3 : 1;
		code = fam == 4 ? 3 : 4;
		break;
	case C_ICMP_FRAG_TINY:
		type = fam == 4 ? 3 : 2;
		code = fam == 4 ? 4 : 0;
		mtu = 68;
		break;
	case C_ICMP_FRAG_ABSURD:
		type = fam == 4 ? 3 : 2;
		code = fam == 4 ? 4 : 0;
		mtu = fam == 4 ? 65535 : 0xffffffffu;
		break;
	default:
		type = fam == 4 ? 11 : 3;
		code = 0;
		break;
	}
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = type;
	pkt[1] = code;
	if (fam == 4) {
		pkt[6] = (uint8_t)(mtu >> 8);
		pkt[7] = (uint8_t)mtu;
	} else {
		pkt[4] = (uint8_t)(mtu >> 24);
		pkt[5] = (uint8_t)(mtu >> 16);
		pkt[6] = (uint8_t)(mtu >> 8);
		pkt[7] = (uint8_t)mtu;
	}
	h = ip_header(pkt + 8, fam, them, me, 8 + qlen, 0, 0, 0, 0x1234, 17);
	n = 8 + h;
	pkt[n] = (uint8_t)(theirport >> 8);
	pkt[n + 1] = (uint8_t)theirport;
	pkt[n + 2] = (uint8_t)(myport >> 8);
	pkt[n + 3] = (uint8_t)myport;
	pkt[n + 4] = (uint8_t)((8 + qlen) >> 8);
	pkt[n + 5] = (uint8_t)(8 + qlen);
	n += 8;
	memcpy(pkt + n, qb, quote);
	n += quote;
	if (fam == 4) {	/* ICMPv6: the kernel sums it */
		uint16_t ck = fold(sum16(pkt, n, 0));

		pkt[2] = (uint8_t)(ck >> 8);
		pkt[3] = (uint8_t)ck;
	}
	for (int i = 0; i < ICMP_COPIES; i++) {
		struct sockaddr_storage to = *peer;

		if (fam == 4)
			((struct sockaddr_in *)&to)->sin_port = 0;
		else
			((struct sockaddr_in6 *)&to)->sin6_port = 0;
		if (budget())
			(void)sendto(fd, pkt, n, 0, (struct sockaddr *)&to,
			    fam == 4 ? sizeof(struct sockaddr_in) :
			    sizeof(struct sockaddr_in6));
	}
}

/* ---------------------------------------------------------------- UDP */

static void
udp_query(struct lsn *l)
{
	static uint8_t buf[4096];
	static struct msg m;
	struct sockaddr_storage peer;
	socklen_t pl = sizeof(peer);
	struct query q;
	ssize_t n = recvfrom(l->udp, buf, sizeof(buf), MSG_DONTWAIT,
	    (struct sockaddr *)&peer, &pl);
	size_t len;

	if (n < 0 || !lab_peer(&peer) || parse_query(buf, (size_t)n, 0, &q))
		return;
	switch (q.c) {
	case C_ICMP_UNREACH:
	case C_ICMP_FRAG_TINY:
	case C_ICMP_FRAG_ABSURD:
	case C_ICMP_TIMEX:
		send_icmp(l, &peer, buf, (size_t)n, q.c);
		return;
	default:
		break;
	}
	if ((len = build(&m, &q, 0)) == 0)
		return;
	if (len == SIZE_MAX)
		len = 0;
	switch (q.c) {
	case C_WRONG_SRC_ADDR:
		if (l->family == 4 && have_spoof4)
			send_raw_udp(4, spoof4, port, &peer, m.b, len,
			    RAW_WHOLE);
		else if (l->family == 6 && have_spoof6)
			send_raw_udp(6, spoof6, port, &peer, m.b, len,
			    RAW_WHOLE);
		return;
	case C_WRONG_SRC_PORT:
		if (budget())
			(void)sendto(l->alt, m.b, len, 0,
			    (struct sockaddr *)&peer, pl);
		return;
	case C_FRAG_OVERLAP:
	case C_FRAG_INCOMPLETE: {
		uint8_t me[16];
		uint16_t p;

		addr_bytes(&l->addr, me, &p);
		send_raw_udp(l->family, me, port, &peer, m.b, len,
		    q.c == C_FRAG_OVERLAP ? RAW_OVERLAP : RAW_INCOMPLETE);
		return;
	}
	default:
		break;
	}
	for (int i = 0; i < (q.c == C_DUPLICATES ? DUP_COPIES : 1); i++)
		if (budget())
			(void)sendto(l->udp, m.b, len, 0,
			    (struct sockaddr *)&peer, pl);
}

/* ---------------------------------------------------------------- TCP */

static void
conn_close(struct conn *k, int rst)
{
	if (rst) {
		struct linger lg = { 1, 0 };

		setsockopt(k->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(k->fd);
	k->fd = -1;
}

static void
tcp_accept(struct lsn *l)
{
	struct sockaddr_storage peer;
	socklen_t pl = sizeof(peer);
	int fd = accept4(l->tcp, (struct sockaddr *)&peer, &pl,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd == -1)
		return;
	if (!lab_peer(&peer)) {
		close(fd);
		return;
	}
	for (int i = 0; i < MAX_CONNS; i++)
		if (conns[i].fd == -1) {
			memset(&conns[i], 0, sizeof(conns[i]));
			conns[i].fd = fd;
			conns[i].born_ms = now_ms();
			return;
		}
	close(fd);	/* full */
}

/* Queue one framed message with length prefix plen for the connection. */
static void
frame(struct conn *k, const uint8_t *b, size_t len, size_t plen)
{
	if (k->out_len + 2 + len > sizeof(k->out))
		return;
	k->out[k->out_len] = (uint8_t)(plen >> 8);
	k->out[k->out_len + 1] = (uint8_t)plen;
	memcpy(k->out + k->out_len + 2, b, len);
	k->out_len += 2 + len;
}

static void
tcp_answer(struct conn *k, const struct query *q)
{
	static struct msg m;
	size_t len = build(&m, q, 1);

	k->answered = 1;
	k->after = AFTER_KEEP;
	k->next_ms = now_ms();
	switch (q->c) {
	case C_SILENT:
	case C_TCP_SLOWLORIS:
		return;
	case C_TCP_RST:
		conn_close(k, 1);
		return;
	case C_TCP_LEN_LONG_CLOSE:
		frame(k, m.b, len, len + 100);
		k->after = AFTER_CLOSE;
		return;
	case C_TCP_LEN_LONG_HANG:
		frame(k, m.b, len, len + 100);
		return;
	case C_TCP_LEN_SHORT:
		frame(k, m.b, len, len - 12);	/* cut inside the last RR */
		return;
	case C_TCP_LEN_ZERO:
		frame(k, m.b, 0, 0);
		return;
	case C_TCP_DRIBBLE:
		frame(k, m.b, len, len);
		k->chunk = 1;
		k->interval_ms = 1000;
		if (k->out_len > DRIBBLE_MAX)
			k->out_len = DRIBBLE_MAX;
		return;
	case C_TCP_TWO_MSGS: {
		/* a stray message with another id first, then the answer:
		 * one segment */
		static struct msg w;
		struct query o = *q;

		o.id ^= 0x0f0f;
		plain(&w, &o, 0, 0);
		frame(k, w.b, w.n, w.n);
		frame(k, m.b, len, len);
		return;
	}
	default:
		if (len)
			frame(k, m.b, len, len);
		return;
	}
}

static void
tcp_io(struct conn *k, short revents)
{
	uint64_t now = now_ms();

	if (revents & POLLIN) {
		ssize_t n;

		if (k->have < sizeof(k->in))
			n = recv(k->fd, k->in + k->have, sizeof(k->in) -
			    k->have, MSG_DONTWAIT);
		else {
			uint8_t sink[512];

			n = recv(k->fd, sink, sizeof(sink), MSG_DONTWAIT);
		}
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			conn_close(k, 0);
			return;
		}
		if (n > 0 && k->have < sizeof(k->in))
			k->have += (size_t)n;
		if (!k->answered && k->have >= 2) {
			size_t need = 2 + (size_t)(k->in[0] << 8 | k->in[1]);
			struct query q;

			if (need > sizeof(k->in)) {
				conn_close(k, 0);
				return;
			}
			if (k->have >= need) {
				if (parse_query(k->in + 2, need - 2, 1, &q)) {
					conn_close(k, 0);
					return;
				}
				tcp_answer(k, &q);
				if (k->fd == -1)
					return;
			}
		}
	}
	if (k->out_off < k->out_len && now >= k->next_ms) {
		size_t want = k->out_len - k->out_off;
		ssize_t n;

		if (k->chunk && want > k->chunk)
			want = k->chunk;
		n = budget() ? send(k->fd, k->out + k->out_off, want,
		    MSG_DONTWAIT | MSG_NOSIGNAL) : 0;
		if (n > 0) {
			k->out_off += (size_t)n;
			k->next_ms = now + k->interval_ms;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			conn_close(k, 0);
			return;
		}
		if (k->out_off == k->out_len && k->after != AFTER_KEEP) {
			conn_close(k, k->after == AFTER_RST);
			return;
		}
	}
	if (now - k->born_ms > CONN_LIFE_MS)
		conn_close(k, 0);
}

/* --------------------------------------------------------------- setup */

static int
listen_on(const char *s)
{
	struct lsn *l;
	int on = 1;

	if (nlsn == MAX_LISTEN)
		return -1;
	l = &lsns[nlsn];
	memset(l, 0, sizeof(*l));
	if (inet_pton(AF_INET, s, &((struct sockaddr_in *)&l->addr)->sin_addr)
	    == 1) {
		l->family = 4;
		l->addr.ss_family = AF_INET;
		l->addrlen = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, s,
	    &((struct sockaddr_in6 *)&l->addr)->sin6_addr) == 1) {
		l->family = 6;
		l->addr.ss_family = AF_INET6;
		l->addrlen = sizeof(struct sockaddr_in6);
	} else
		return -1;
	if (!lab_peer(&l->addr))
		return -1;	/* the lab's addresses only */
	for (int k = 0; k < 3; k++) {
		struct sockaddr_storage a = l->addr;
		int type = k == 1 ? SOCK_STREAM : SOCK_DGRAM;
		uint16_t pn = htons(k == 2 ? ALT_PORT : port);
		int fd = socket(a.ss_family, type | SOCK_CLOEXEC, 0);

		if (fd == -1)
			return -1;
		if (l->family == 4)
			((struct sockaddr_in *)&a)->sin_port = pn;
		else {
			((struct sockaddr_in6 *)&a)->sin6_port = pn;
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
			    sizeof(on));
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		/* a DAD-tentative IPv6 address is not bindable yet */
		setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &on, sizeof(on));
		if (bind(fd, (struct sockaddr *)&a, l->addrlen) == -1 ||
		    (type == SOCK_STREAM && listen(fd, 16) == -1)) {
			perror("hostile: bind");
			close(fd);
			return -1;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		if (k == 0)
			l->udp = fd;
		else if (k == 1)
			l->tcp = fd;
		else
			l->alt = fd;
	}
	/* ICMP errors leave from the listening address */
	if (l->family == 4 && icmp4 == -1) {
		icmp4 = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
		if (icmp4 != -1)
			(void)bind(icmp4, (struct sockaddr *)&l->addr,
			    l->addrlen);
	} else if (l->family == 6 && icmp6 == -1) {
		icmp6 = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC,
		    IPPROTO_ICMPV6);
		if (icmp6 != -1)
			(void)bind(icmp6, (struct sockaddr *)&l->addr,
			    l->addrlen);
	}
	nlsn++;
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: hostile [-p PORT] [-f SPOOF-ADDR]... "
	    "LISTEN-ADDR...\ncases:");
	for (int c = 0; c < C_COUNT; c++)
		fprintf(stderr, " %s", case_names[c]);
	fprintf(stderr, "\n");
	exit(1);
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	int ch;

	for (int i = 0; i < MAX_CONNS; i++)
		conns[i].fd = -1;
	while ((ch = getopt(argc, argv, "f:p:l")) != -1) {
		switch (ch) {
		case 'p':
			port = (uint16_t)atoi(optarg);
			break;
		case 'f': {
			struct sockaddr_storage ss;

			memset(&ss, 0, sizeof(ss));
			if (inet_pton(AF_INET, optarg, spoof4) == 1) {
				have_spoof4 = 1;
				ss.ss_family = AF_INET;
				memcpy(&((struct sockaddr_in *)&ss)->sin_addr,
				    spoof4, 4);
			} else if (inet_pton(AF_INET6, optarg, spoof6) == 1) {
				have_spoof6 = 1;
				ss.ss_family = AF_INET6;
				memcpy(&((struct sockaddr_in6 *)&ss)->sin6_addr,
				    spoof6, 16);
			}
			if (!lab_peer(&ss))	/* the lab's addresses only */
				usage();
			break;
		}
		case 'l':	/* list the cases */
			for (int c = 0; c < C_COUNT; c++)
				printf("%s\n", case_names[c]);
			return 0;
		default:
			usage();
		}
	}
	if (optind == argc || port == 0)
		usage();
	for (int i = optind; i < argc; i++)
		if (listen_on(argv[i]) == -1) {
			fprintf(stderr, "hostile: cannot listen on %s\n",
			    argv[i]);
			return 1;
		}
	raw4 = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	raw6 = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (raw4 == -1 || raw6 == -1 || icmp4 + icmp6 == -2)
		fprintf(stderr, "hostile: no raw sockets (not root?): the "
		    "forged, fragment and ICMP cases stay silent\n");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "hostile: %d cases on %d addresses, port %u\n",
	    C_COUNT - 1, nlsn, port);

	while (!stop) {
		struct pollfd pf[2 * MAX_LISTEN + MAX_CONNS];
		int map[MAX_CONNS], n = 0, nc = 0;

		for (int i = 0; i < nlsn; i++) {
			pf[n++] = (struct pollfd){ lsns[i].udp, POLLIN, 0 };
			pf[n++] = (struct pollfd){ lsns[i].tcp, POLLIN, 0 };
		}
		for (int i = 0; i < MAX_CONNS; i++)
			if (conns[i].fd != -1) {
				short ev = POLLIN;

				if (conns[i].out_off < conns[i].out_len &&
				    conns[i].interval_ms == 0)
					ev |= POLLOUT;
				map[nc++] = i;
				pf[n++] = (struct pollfd){ conns[i].fd, ev,
				    0 };
			}
		if (poll(pf, (nfds_t)n, 100) == -1 && errno != EINTR)
			break;
		for (int i = 0; i < nlsn; i++) {
			/* a few datagrams per turn: TCP keeps its share */
			for (int k = 0; k < 16 && (pf[2 * i].revents &
			    POLLIN); k++)
				udp_query(&lsns[i]);
			if (pf[2 * i + 1].revents & POLLIN)
				tcp_accept(&lsns[i]);
		}
		for (int i = 0; i < nc; i++) {
			struct conn *k = &conns[map[i]];

			if (k->fd == pf[2 * nlsn + i].fd)
				tcp_io(k, pf[2 * nlsn + i].revents);
		}
	}
	for (int i = 0; i < MAX_CONNS; i++)
		if (conns[i].fd != -1)
			close(conns[i].fd);
	fprintf(stderr, "hostile: stopped\n");
	return 0;
}
