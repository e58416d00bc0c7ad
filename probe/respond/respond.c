/* probe/respond/respond.c: `ednsprobe respond`, the far-end responder: answers of
 * an exact size (RFC 1035 messages, RFC 6891 EDNS, RFC 7766 TCP), as IP
 * fragments or with DF, a log per token, a capture (docs/responder.md). */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "engine/hostport.h"
#include "engine/log.h"
#include "engine/loop.h"
#include "pcapw.h"
#include "engine/privs.h"
#include "engine/query.h"
#include "engine/raw.h"
#include "respond/respond.h"
#include "sniff.h"

#define TYPE_NS		2
#define TYPE_SOA	6
#define TYPE_TXT	16
#define TYPE_OPT	41
#define CLASS_IN	1
#define RCODE_FORMERR	1
#define RCODE_NXDOMAIN	3
#define RCODE_NOTIMP	4
#define RCODE_REFUSED	5
#define RCODE_BADVERS	16	/* RFC 6891 9: extended rcode 1 */
#define HDR_LEN		12
#define RR_FIXED	10	/* type, class, TTL, RDLENGTH */
#define OPT_LEN		11	/* root owner + RR_FIXED, no options */
#define PTR_LEN		2	/* a compression pointer */
#define TXT_STR_MAX	255	/* RFC 1035 3.3: one character-string */
#define TTL_TEST	0	/* test answers: never cached */
#define TTL_APEX	3600
#define SOA_SERIAL	1
#define SOA_REFRESH	3600
#define SOA_RETRY	600
#define SOA_EXPIRE	86400
#define SOA_MINIMUM	0	/* negative answers: never cached */
#define OUT_TTL		64	/* raw answers' TTL / hop limit */
#define UDP_BUF		65536	/* any UDP payload (padded queries) */
#define READS_PER_WAKE	64	/* datagrams read per readable event */
#define ACCEPTS_PER_WAKE 16
#define TCP_BACKLOG	16
#define FILTER_MAX	1024

/* ---- the engine: one query in, one answer out ---- */

struct resp_log {
	char		 token[EP_TW_TOKEN_MAX + 1];	/* "": free */
	uint64_t	 seq;		/* made when: the oldest goes first */
	int		 n;
	int		 hops;		/* TTL-limited answers sent */
	struct ep_tw_entry e[EP_TW_LOG_MAX];
};

struct ep_respond {
	uint8_t		 zone[EP_DNAME_MAX];	/* wire form, lower case */
	size_t		 zlen;
	char		 zone_str[EP_DNAME_STRMAX];
	uint8_t		 filler[TXT_STR_MAX];
	struct resp_log	*logs;		/* EP_RESP_TOKENS, owned */
	uint64_t	 seq;
	uint64_t	 log_full;
};

/* A message being written: bytes, counts, a sticky overflow. */
struct msgw {
	uint8_t		*p;
	size_t		 len, cap;
	int		 full;
	uint16_t	 qd, an, ns, ar;
	size_t		 zone_at;	/* offset of the zone's name, for
					   pointers; 0: none written */
};

static void
w_bytes(struct msgw *w, const void *b, size_t n)
{
	if (w->full || w->cap - w->len < n) {
		w->full = 1;
		return;
	}
	memcpy(w->p + w->len, b, n);
	w->len += n;
}

static void
w_u16(struct msgw *w, uint32_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	w_bytes(w, b, sizeof(b));
}

static void
w_u32(struct msgw *w, uint32_t v)
{
	w_u16(w, v >> 16);
	w_u16(w, v & 0xffff);
}

static void
put_u16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The zone's name: a pointer into the question, or in full. */
static void
w_zone(struct msgw *w, const struct ep_respond *r)
{
	if (w->zone_at)
		w_u16(w, 0xc000 | (uint32_t)w->zone_at);
	else
		w_bytes(w, r->zone, r->zlen);
}

/* A record's owner, type, class, TTL; returns where RDLENGTH goes. */
static size_t
w_rr(struct msgw *w, const struct ep_respond *r, int owner_is_zone,
    uint16_t type, uint32_t ttl)
{
	size_t at;

	if (owner_is_zone)
		w_zone(w, r);
	else
		w_u16(w, 0xc000 | HDR_LEN);	/* the question's name */
	w_u16(w, type);
	w_u16(w, CLASS_IN);
	w_u32(w, ttl);
	at = w->len;
	w_u16(w, 0);
	return at;
}

static void
w_rr_end(struct msgw *w, size_t at)
{
	if (!w->full)
		put_u16(w->p + at, (uint32_t)(w->len - at - 2));
}

static void
w_txt_string(struct msgw *w, const void *s, size_t n)
{
	uint8_t len = (uint8_t)n;

	w_bytes(w, &len, 1);
	w_bytes(w, s, n);
}

/* ns.Z and hostmaster.Z: a label, then the zone. */
static void
w_zone_name(struct msgw *w, const struct ep_respond *r, const char *label)
{
	w_txt_string(w, label, strlen(label));
	w_zone(w, r);
}

static void
w_soa(struct msgw *w, const struct ep_respond *r)
{
	size_t at = w_rr(w, r, 1, TYPE_SOA, TTL_APEX);

	w_zone_name(w, r, "ns");
	w_zone_name(w, r, "hostmaster");
	w_u32(w, SOA_SERIAL);
	w_u32(w, SOA_REFRESH);
	w_u32(w, SOA_RETRY);
	w_u32(w, SOA_EXPIRE);
	w_u32(w, SOA_MINIMUM);
	w_rr_end(w, at);
}

static void
w_ns(struct msgw *w, const struct ep_respond *r)
{
	size_t at = w_rr(w, r, 1, TYPE_NS, TTL_APEX);

	w_zone_name(w, r, "ns");
	w_rr_end(w, at);
}

/* OPT (RFC 6891 6.1.2): our size, the extended rcode, DO echoed. */
static void
w_opt(struct msgw *w, uint16_t rcode, int dnssec_ok)
{
	uint8_t root = 0;

	w_bytes(w, &root, 1);
	w_u16(w, TYPE_OPT);
	w_u16(w, EP_RESP_EDNS_SIZE);
	w_u32(w, (uint32_t)(rcode >> 4) << 24 | (dnssec_ok ? 0x8000u : 0));
	w_u16(w, 0);
	w->ar++;
}

/* The counts into the header once the sections are written. */
static void
w_counts(struct msgw *w)
{
	if (w->full)
		return;
	put_u16(w->p + 4, w->qd);
	put_u16(w->p + 6, w->an);
	put_u16(w->p + 8, w->ns);
	put_u16(w->p + 10, w->ar);
}

/*
 * The question as it came when its bytes are the plain name (case kept,
 * RFC 1035 7.1 0x20 checks work); else (a pointer into the header) the
 * dissected name.
 */
static void
w_question(struct msgw *w, const struct ep_respond *r, const uint8_t *q,
    size_t qlen, const struct ep_respond_query *qi)
{
	const uint8_t *name = qi->qname;
	int plain = qlen >= HDR_LEN + qi->qname_len;

	for (size_t i = 0; plain && i < qi->qname_len; i++)
		plain = (q[HDR_LEN + i] | 0x20) == (qi->qname[i] | 0x20);
	if (plain)
		name = q + HDR_LEN;
	w_bytes(w, name, qi->qname_len);
	w_u16(w, qi->qtype);
	w_u16(w, CLASS_IN);
	w->qd = 1;
	if (qi->in_zone && qi->qname_len > r->zlen)
		w->zone_at = HDR_LEN + qi->qname_len - r->zlen;
	else if (qi->in_zone)
		w->zone_at = HDR_LEN;
}

/* Header (counts later) and question for qi's answer, flags added. */
static void
w_start(struct msgw *w, const struct ep_respond *r, const uint8_t *q,
    size_t qlen, const struct ep_respond_query *qi, uint16_t flags)
{
	uint16_t qflags = (uint16_t)(q[2] << 8 | q[3]);

	w->len = 0;
	w->full = 0;
	w->qd = w->an = w->ns = w->ar = 0;
	w->zone_at = 0;
	w_bytes(w, q, 2);	/* the id */
	w_u16(w, EP_DNS_QR | (qflags & (0x7800 | EP_DNS_RD)) | flags |
	    (qi->rcode & 0xf));
	w_u32(w, 0);
	w_u32(w, 0);
	if (qi->has_question)
		w_question(w, r, q, qlen, qi);
}

/* One TXT record of rd bytes of RDATA: full strings, then the rest. */
static void
w_txt_filler(struct msgw *w, const struct ep_respond *r, size_t rd)
{
	size_t at = w_rr(w, r, 0, TYPE_TXT, TTL_TEST);

	while (rd > 0 && !w->full) {
		size_t take = rd - 1 > TXT_STR_MAX ? TXT_STR_MAX : rd - 1;

		w_txt_string(w, r->filler, take);
		rd -= take + 1;
	}
	w_rr_end(w, at);
	w->an++;
}

/*
 * s<N>: one TXT record whose RDATA makes the whole message N bytes,
 * the OPT (written after) included; at least one (empty) string.
 */
static void
w_sized(struct msgw *w, const struct ep_respond *r, uint32_t want, int opt)
{
	size_t base = w->len + PTR_LEN + RR_FIXED + (opt ? OPT_LEN : 0);

	w_txt_filler(w, r, want > base ? want - base : 1);
}

static void
w_hello(struct msgw *w, const struct ep_respond *r)
{
	char zone[EP_DNAME_STRMAX + 8];
	size_t at = w_rr(w, r, 0, TYPE_TXT, TTL_TEST);
	int n = snprintf(zone, sizeof(zone), "zone=%s", r->zone_str);

	w_txt_string(w, EP_TW_HELLO, strlen(EP_TW_HELLO));
	w_txt_string(w, zone, n > 0 && n <= TXT_STR_MAX ? (size_t)n : 0);
	w_rr_end(w, at);
	w->an++;
}

static struct resp_log *
log_find(const struct ep_respond *r, const char *token)
{
	for (int i = 0; i < EP_RESP_TOKENS; i++)
		if (strcmp(r->logs[i].token, token) == 0)
			return &r->logs[i];
	return NULL;
}

/* log.t<TOKEN>: one TXT record, one string per entry in arrival order;
 * 0 when the token has none (NODATA). */
static int
w_log(struct msgw *w, const struct ep_respond *r, const char *token)
{
	const struct resp_log *lg = log_find(r, token);
	char line[TXT_STR_MAX + 1];
	size_t at;

	if (lg == NULL || lg->n == 0)
		return 0;
	at = w_rr(w, r, 0, TYPE_TXT, TTL_TEST);
	for (int i = 0; i < lg->n; i++) {
		size_t n = ep_tw_entry_format(&lg->e[i], line, sizeof(line));

		w_txt_string(w, line, n);
	}
	w_rr_end(w, at);
	w->an++;
	return 1;
}

/* The answer section for a name of the zone; none: NODATA, the SOA in
 * the authority section (RFC 2308 2.2). */
static void
w_body(struct msgw *w, const struct ep_respond *r,
    const struct ep_respond_query *qi, int opt)
{
	const struct ep_tw_req *req = &qi->req;
	int done = 0;

	if (qi->rcode == 0 && req->kind == EP_TW_APEX && qi->qtype == TYPE_SOA) {
		w_soa(w, r);
		w->an++;
		done = 1;
	} else if (qi->rcode == 0 && req->kind == EP_TW_APEX &&
	    qi->qtype == TYPE_NS) {
		w_ns(w, r);
		w->an++;
		done = 1;
	} else if (qi->rcode == 0 && qi->qtype == TYPE_TXT) {
		if (req->kind == EP_TW_HELLO_NAME)
			w_hello(w, r);
		else if (req->kind == EP_TW_TEST)
			w_sized(w, r, req->size, opt);
		done = req->kind == EP_TW_HELLO_NAME ||
		    req->kind == EP_TW_TEST ||
		    (req->kind == EP_TW_LOG && w_log(w, r, req->token));
	}
	if (!done) {
		w_soa(w, r);
		w->ns++;
	}
}

/* What the query is: rcode, request, EDNS; qi and its entry filled. */
static void
classify(const struct ep_respond *r, const struct ep_dns_msg *m,
    enum ep_dns_status st, struct ep_respond_query *qi)
{
	struct ep_err err;
	int rc;

	qi->has_question = st == EP_DNS_OK && m->has_question &&
	    m->qdcount == 1;
	if (qi->has_question) {
		memcpy(qi->qname, m->qname, m->qname_len);
		qi->qname_len = m->qname_len;
		qi->qtype = m->qtype;
	}
	if (st == EP_DNS_OK && m->opt_count == 1) {
		qi->entry.edns = m->edns_udp;
		qi->entry.dnssec_ok = (m->edns_flags & EP_DNS_EDNS_DO) != 0;
	}
	if (EP_DNS_OPCODE(m->flags) != 0)
		qi->rcode = RCODE_NOTIMP;
	else if (!qi->has_question || m->opt_count > 1)
		qi->rcode = RCODE_FORMERR;
	else if (m->opt_count == 1 && m->edns_version != 0)
		qi->rcode = RCODE_BADVERS;
	else if (m->qclass != CLASS_IN)
		qi->rcode = RCODE_REFUSED;
	else if ((rc = ep_tw_parse_name(m->qname, m->qname_len, r->zone,
	    r->zlen, &qi->req, &err)) == 1)
		qi->rcode = RCODE_REFUSED;
	else {
		qi->in_zone = 1;
		qi->rcode = rc == -1 ? RCODE_NXDOMAIN : 0;
		qi->entry.want = rc == 0 ? qi->req.size : 0;
		qi->raw = rc == 0 && qi->req.kind == EP_TW_TEST &&
		    (qi->req.frag || qi->req.df);
	}
}

/* The UDP payload the client takes (RFC 6891 6.2.5, RFC 1035 4.2.1). */
static size_t
udp_limit(const struct ep_tw_entry *e)
{
	return e->edns > EP_RESP_UDP_MIN ? (size_t)e->edns : EP_RESP_UDP_MIN;
}

size_t
ep_respond_answer(struct ep_respond *r, const uint8_t *q, size_t qlen,
    int tcp, uint16_t frag, uint8_t *out, size_t cap,
    struct ep_respond_query *qi)
{
	struct msgw w = { .p = out, .cap = cap };
	struct ep_dns_msg m;
	enum ep_dns_status st;
	int opt;

	memset(qi, 0, sizeof(*qi));
	qi->entry.tcp = tcp;
	qi->entry.qsize = (uint32_t)qlen;
	qi->entry.frag = frag;
	qi->entry.edns = -1;
	snprintf(qi->entry.how, sizeof(qi->entry.how), "%s",
	    tcp ? "tcp" : "udp");
	if (qlen < HDR_LEN || (q[2] & 0x80))
		return 0;	/* not a query: never answered */
	qi->entry.id = (uint16_t)(q[0] << 8 | q[1]);
	st = ep_dns_dissect(q, qlen, &m);
	classify(r, &m, st, qi);
	opt = qi->entry.edns >= 0;
	w_start(&w, r, q, qlen, qi, qi->in_zone ? EP_DNS_AA : 0);
	if (qi->in_zone)
		w_body(&w, r, qi, opt);
	if (opt)
		w_opt(&w, qi->rcode, qi->entry.dnssec_ok);
	w_counts(&w);
	if (w.full || (!tcp && w.len > udp_limit(&qi->entry))) {
		/* Too big for the client over UDP (RFC 2181 9): TC, the
		 * question and OPT only. */
		w_start(&w, r, q, qlen, qi, EP_DNS_TC |
		    (qi->in_zone ? EP_DNS_AA : 0));
		if (opt)
			w_opt(&w, qi->rcode, qi->entry.dnssec_ok);
		w_counts(&w);
		qi->entry.tc = 1;
	}
	qi->entry.sent = (uint32_t)w.len;
	/* h<N>: over UDP only (TCP ignores it, as f<M> and df). */
	if (!tcp && qi->in_zone && qi->rcode == 0 &&
	    qi->req.kind == EP_TW_TEST)
		qi->entry.ttl = qi->req.ttl;
	return w.len;
}

/* token's log, made (the oldest replaced) when it has none. */
static struct resp_log *
log_get(struct ep_respond *r, const char *token)
{
	struct resp_log *lg;

	if ((lg = log_find(r, token)) != NULL)
		return lg;
	lg = &r->logs[0];
	for (int i = 1; i < EP_RESP_TOKENS && lg->token[0]; i++)
		if (r->logs[i].token[0] == '\0' || r->logs[i].seq < lg->seq)
			lg = &r->logs[i];
	memset(lg, 0, sizeof(*lg));
	snprintf(lg->token, sizeof(lg->token), "%s", token);
	lg->seq = ++r->seq;
	return lg;
}

int
ep_respond_hop_admit(struct ep_respond *r, struct ep_respond_query *qi)
{
	struct resp_log *lg;

	if (qi->entry.ttl == 0)
		return 0;
	if (qi->req.token[0] == '\0' ||
	    (lg = log_get(r, qi->req.token))->hops >= EP_TW_HOPS_PER_TOKEN) {
		qi->entry.ttl = 0;
		return 0;
	}
	lg->hops++;
	return 1;
}

int
ep_respond_time_exceeded(struct ep_respond *r, const char *token,
    uint16_t id, const char *router)
{
	struct resp_log *lg = log_find(r, token);

	for (int i = lg != NULL ? lg->n - 1 : -1; i >= 0; i--) {
		struct ep_tw_entry *e = &lg->e[i];

		if (e->id == id && !e->tcp && e->ttl && e->te[0] == '\0') {
			snprintf(e->te, sizeof(e->te), "%s", router);
			return 1;
		}
	}
	return 0;
}

int
ep_respond_record(struct ep_respond *r, const struct ep_respond_query *qi)
{
	struct resp_log *lg;

	if (!qi->in_zone || qi->rcode != 0 || qi->req.kind != EP_TW_TEST ||
	    qi->req.token[0] == '\0')
		return 0;
	lg = log_get(r, qi->req.token);
	if (lg->n == EP_TW_LOG_MAX) {
		r->log_full++;
		return -1;
	}
	lg->e[lg->n++] = qi->entry;
	return 1;
}

struct ep_respond *
ep_respond_new(const uint8_t *zone, size_t zlen, struct ep_err *err)
{
	struct ep_respond *r;

	if (zlen == 0 || zlen > EP_DNAME_MAX) {
		ep_err_set(err, EP_EUSAGE, "bad zone name");
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->logs = calloc(EP_RESP_TOKENS, sizeof(*r->logs))) == NULL) {
		free(r);
		ep_err_set(err, ENOMEM, "out of memory for the log store");
		return NULL;
	}
	memcpy(r->zone, zone, zlen);
	r->zlen = zlen;
	ep_dns_name_str(zone, zlen, r->zone_str, sizeof(r->zone_str));
	memset(r->filler, 'x', sizeof(r->filler));
	return r;
}

void
ep_respond_free(struct ep_respond *r)
{
	if (r == NULL)
		return;
	free(r->logs);
	free(r);
}

/* ---- the server: sockets, rate limits, TCP, capture ---- */

struct resp_server;

struct resp_listener {
	struct resp_server *srv;	/* not owned */
	int		 family;	/* 4 or 6 */
	struct sockaddr_storage ss;
	socklen_t	 sslen;
	uint8_t		 addr[16];	/* network order */
	uint16_t	 port;
	char		 str[INET6_ADDRSTRLEN + 8];	/* "ADDR#PORT" */
	int		 udp, tcp;	/* owned; -1: closed */
};

struct resp_bucket {
	double		 tokens;
	uint64_t	 last_us;
};

struct resp_client {
	uint8_t		 addr[16];
	int		 family;	/* 0: free slot */
	struct resp_bucket b;
};

/* A TTL-limited answer (h<N>) sent, its Time Exceeded awaited. */
struct resp_hop {
	int		 family;	/* 0: free */
	uint8_t		 addr[16];	/* the client's */
	uint16_t	 port;
	uint16_t	 id;		/* the query's DNS id */
	uint64_t	 sent_us;
	char		 token[EP_TW_TOKEN_MAX + 1];
};

struct resp_conn {
	struct resp_server *srv;	/* not owned */
	struct resp_listener *ls;	/* not owned */
	int		 fd;		/* owned */
	int		 slot;		/* in srv->conns */
	struct sockaddr_storage peer;
	struct ep_timer	*idle;		/* owned */
	size_t		 inlen, outlen, outoff;
	uint8_t		 in[2 + EP_RESP_MSG_MAX];	/* RFC 7766 8 */
	uint8_t		 out[2 + EP_RESP_MSG_MAX];
};

struct resp_server {
	struct ep_respond *eng;		/* owned */
	struct ep_loop	*loop;		/* owned */
	FILE		*out;		/* not owned */
	struct resp_listener ls[EP_LISTEN_MAX];
	int		 nls;
	int		 raw4, raw6;	/* owned; -1: none */
	char		 noraw[160];	/* why not (an ep_err message) */
	struct ep_raw_pkts *pk;		/* owned */
	struct resp_client *clients;	/* EP_RESP_CLIENTS, owned */
	uint32_t	 seed;		/* of the client hash */
	double		 rate, burst;
	struct resp_bucket global;
	struct resp_conn *conns[EP_RESP_TCP_MAX];	/* owned */
	struct resp_hop	 hops[EP_RESP_HOPS_PENDING];	/* a ring */
	int		 hop_next;
	struct ep_sniff	*sniff;		/* owned */
	struct ep_pcapw	*pcap;		/* owned */
	struct ep_timer	*stop;		/* owned: --duration */
	uint8_t		 buf[UDP_BUF];
	uint8_t		 ans[EP_RESP_MSG_MAX];
	struct ep_respond_stats st;
};

/* A token bucket of rate per second, burst deep: 1 when a token was
 * free. */
static int
bucket_take(struct resp_bucket *b, uint64_t now, double rate, double burst)
{
	b->tokens += (double)(now - b->last_us) * rate / 1e6;
	if (b->tokens > burst)
		b->tokens = burst;
	b->last_us = now;
	if (b->tokens < 1.0)
		return 0;
	b->tokens -= 1.0;
	return 1;
}

/* The client's address (the port does not matter) as a key. */
static int
peer_key(const struct sockaddr_storage *ss, uint8_t key[16], uint16_t *port)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		memset(key, 0, 16);
		memcpy(key, &sin->sin_addr, 4);
		*port = ntohs(sin->sin_port);
		return 4;
	}
	memcpy(key, &((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr,
	    16);
	*port = ntohs(((const struct sockaddr_in6 *)(const void *)ss)->
	    sin6_port);
	return 6;
}

/*
 * The client's bucket: found within RESP_PROBE slots of its hash, or the
 * slot there seen longest ago, refilled (a fixed table: a flood of
 * sources cannot grow it).
 */
#define CLIENT_PROBE	8

static struct resp_bucket *
client_bucket(struct resp_server *s, const struct sockaddr_storage *peer)
{
	uint8_t key[16];
	uint16_t port;
	int family = peer_key(peer, key, &port);
	uint32_t h = s->seed;
	struct resp_client *old = NULL;

	for (int i = 0; i < 16; i++)
		h = (h ^ key[i]) * 16777619u;	/* FNV-1a */
	for (int i = 0; i < CLIENT_PROBE; i++) {
		struct resp_client *c = &s->clients[(h + (uint32_t)i) %
		    EP_RESP_CLIENTS];

		if (c->family == family && memcmp(c->addr, key, 16) == 0)
			return &c->b;
		if (old == NULL || c->family == 0 ||
		    (old->family != 0 && c->b.last_us < old->b.last_us))
			old = c;
	}
	old->family = family;
	memcpy(old->addr, key, 16);
	old->b.tokens = s->burst;
	old->b.last_us = ep_loop_now(s->loop);
	return &old->b;
}

/* Within the client's rate and the global one? Else counted. */
static int
admit(struct resp_server *s, const struct sockaddr_storage *peer)
{
	uint64_t now = ep_loop_now(s->loop);

	if (bucket_take(client_bucket(s, peer), now, s->rate, s->burst) &&
	    bucket_take(&s->global, now, EP_RESP_GLOBAL_PPS,
	    EP_RESP_GLOBAL_PPS))
		return 1;
	s->st.limited++;
	return 0;
}

static const char *
peer_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	uint8_t key[16];
	uint16_t port;
	char a[INET6_ADDRSTRLEN];

	peer_key(ss, key, &port);
	snprintf(buf, len, "%s#%u", ep_sockaddr_str(ss, a, sizeof(a)), port);
	return buf;
}

/* One line per query: UTC time, client, the log entry, name, type,
 * rcode. */
static void
print_query(struct resp_server *s, const struct sockaddr_storage *peer,
    const struct ep_respond_query *qi)
{
	char when[32], who[INET6_ADDRSTRLEN + 8], e[TXT_STR_MAX + 1];
	char name[EP_DNAME_STRMAX], type[16], rc[16];
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	ep_tw_entry_format(&qi->entry, e, sizeof(e));
	if (qi->has_question) {
		ep_dns_name_str(qi->qname, qi->qname_len, name, sizeof(name));
		ep_query_type_str(qi->qtype, type, sizeof(type));
	} else {
		snprintf(name, sizeof(name), "-");
		snprintf(type, sizeof(type), "-");
	}
	fprintf(s->out, "%s.%03ldZ %s %s %s %s %s\n", when,
	    ts.tv_nsec / 1000000, peer_str(peer, who, sizeof(who)), e, name,
	    type, ep_dns_rcode_str(qi->rcode, rc, sizeof(rc)));
}

/* An answer went out (or failed to): log, count, print. */
static void
answered(struct resp_server *s, const struct sockaddr_storage *peer,
    const struct ep_respond_query *qi)
{
	ep_respond_record(s->eng, qi);
	if (qi->rcode == 0 || qi->rcode == RCODE_NXDOMAIN)
		s->st.answered++;
	else if (qi->rcode == RCODE_REFUSED)
		s->st.refused++;
	else
		s->st.malformed++;
	print_query(s, peer, qi);
}

/* f<M> / df: the answer through the raw socket, from the listener's
 * address and port; how and pkts say what happened. */
static void
send_raw(struct resp_server *s, struct resp_listener *ls,
    const struct sockaddr_storage *peer, size_t len,
    struct ep_respond_query *qi)
{
	int fd = ls->family == 4 ? s->raw4 : s->raw6;
	struct ep_raw_spec spec;
	struct ep_err err;

	memset(&spec, 0, sizeof(spec));
	spec.family = ls->family;
	memcpy(spec.src, ls->addr, sizeof(spec.src));
	peer_key(peer, spec.dst, &spec.dport);
	spec.sport = ls->port;
	spec.ttl = qi->entry.ttl ? qi->entry.ttl : OUT_TTL;
	spec.frag_size = qi->req.frag;
	spec.df = qi->req.frag == 0 && qi->req.df;
	spec.ident = ep_raw_ident();
	if (ep_raw_build(&spec, s->ans, len, s->pk, &err) == -1 ||
	    ep_raw_send(fd, &spec, s->pk) == -1) {
		ep_verbose(EP_VERB_PACKET, "raw answer of %zu bytes: %s", len,
		    err.msg);
		snprintf(qi->entry.how, sizeof(qi->entry.how), "sendfail");
		qi->entry.sent = 0;
		return;
	}
	snprintf(qi->entry.how, sizeof(qi->entry.how), "%s",
	    qi->req.frag ? "frag" : "df");
	qi->entry.out_frags = (uint16_t)s->pk->n;
}

/* The answer from the listener's socket; TTL / hop limit ttl (0: the
 * socket's) for this datagram only. */
static ssize_t
send_ttl(struct resp_listener *ls, const uint8_t *buf, size_t len,
    const struct sockaddr_storage *peer, socklen_t plen, int ttl)
{
	struct sockaddr_storage to = *peer;
	struct iovec iov = { (void *)(uintptr_t)buf, len };
	union {
		uint8_t		b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr	align;
	} ctl;
	struct msghdr mh = {
		.msg_name = &to, .msg_namelen = plen,
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	struct cmsghdr *c;

	if (ttl > 0) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.b;
		mh.msg_controllen = sizeof(ctl.b);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = ls->family == 4 ? IPPROTO_IP : IPPROTO_IPV6;
		c->cmsg_type = ls->family == 4 ? IP_TTL : IPV6_HOPLIMIT;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &ttl, sizeof(int));
	}
	return sendmsg(ls->udp, &mh, MSG_DONTWAIT);
}

/* A TTL-limited answer went out: await its Time Exceeded (the oldest
 * awaited is forgotten when the ring is full). */
static void
hop_note(struct resp_server *s, const struct sockaddr_storage *peer,
    const struct ep_respond_query *qi)
{
	struct resp_hop *h = &s->hops[s->hop_next];

	s->hop_next = (s->hop_next + 1) % EP_RESP_HOPS_PENDING;
	h->family = peer_key(peer, h->addr, &h->port);
	h->id = qi->entry.id;
	h->sent_us = ep_loop_now(s->loop);
	snprintf(h->token, sizeof(h->token), "%s", qi->req.token);
	s->st.hop_answers++;
}

static void
send_udp(struct resp_server *s, struct resp_listener *ls,
    const struct sockaddr_storage *peer, socklen_t plen, size_t len,
    struct ep_respond_query *qi)
{
	ep_respond_hop_admit(s->eng, qi);
	if (qi->raw && (ls->family == 4 ? s->raw4 : s->raw6) != -1) {
		send_raw(s, ls, peer, len, qi);
		if (qi->entry.ttl && qi->entry.sent)
			hop_note(s, peer, qi);
		return;
	}
	if (qi->raw)
		snprintf(qi->entry.how, sizeof(qi->entry.how), "noraw");
	if (send_ttl(ls, s->ans, len, peer, plen, qi->entry.ttl) == -1) {
		snprintf(qi->entry.how, sizeof(qi->entry.how), "sendfail");
		qi->entry.sent = 0;
	} else if (qi->entry.ttl)
		hop_note(s, peer, qi);
}

/*
 * An ICMP error about one of our answers (IP_RECVERR / IPV6_RECVERR:
 * msg_name is the answer's destination, the data what the router quoted
 * of its UDP payload, the offender the router).  A Time Exceeded about
 * a TTL-limited answer we await goes into its log entry; anything else
 * (port unreachable from a client gone, a spoofed source's network) is
 * read and forgotten.
 */
static void
udp_errors(struct resp_server *s, struct resp_listener *ls)
{
	for (int i = 0; i < READS_PER_WAKE; i++) {
		struct sockaddr_storage dst;
		uint8_t data[16], ctl[512], key[16];
		struct iovec iov = { data, sizeof(data) };
		struct msghdr mh = {
			.msg_name = &dst, .msg_namelen = sizeof(dst),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctl, .msg_controllen = sizeof(ctl),
		};
		char router[INET6_ADDRSTRLEN], who[INET6_ADDRSTRLEN + 8];
		uint64_t now = ep_loop_now(s->loop);
		ssize_t n;
		uint16_t port;
		int family, te = 0;

		memset(&dst, 0, sizeof(dst));
		if ((n = recvmsg(ls->udp, &mh, MSG_ERRQUEUE | MSG_DONTWAIT)) <
		    0)
			return;
		router[0] = '\0';
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL;
		    c = CMSG_NXTHDR(&mh, c)) {
			struct sock_extended_err ee;
			struct sockaddr_storage off;

			if (!((c->cmsg_level == IPPROTO_IP &&
			    c->cmsg_type == IP_RECVERR) ||
			    (c->cmsg_level == IPPROTO_IPV6 &&
			    c->cmsg_type == IPV6_RECVERR)))
				continue;
			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			/* RFC 792 type 11, RFC 4443 type 3: Time Exceeded,
			 * code 0: in transit (not reassembly). */
			te = ee.ee_code == 0 &&
			    ((ee.ee_origin == SO_EE_ORIGIN_ICMP &&
			    ee.ee_type == 11) ||
			    (ee.ee_origin == SO_EE_ORIGIN_ICMP6 &&
			    ee.ee_type == 3));
			memset(&off, 0, sizeof(off));
			memcpy(&off, SO_EE_OFFENDER((struct sock_extended_err *)
			    (void *)CMSG_DATA(c)), ls->family == 4 ?
			    sizeof(struct sockaddr_in) :
			    sizeof(struct sockaddr_in6));
			if (te && strcmp(ep_sockaddr_str(&off, router,
			    sizeof(router)), "?") == 0)
				te = 0;
		}
		if (!te || router[0] == '\0')
			continue;
		family = peer_key(&dst, key, &port);
		/* The newest awaited answer to that client's port (and, when
		 * the router quoted that much, of that DNS id). */
		for (int k = 0; k < EP_RESP_HOPS_PENDING; k++) {
			struct resp_hop *h = &s->hops[(s->hop_next - 1 - k +
			    2 * EP_RESP_HOPS_PENDING) % EP_RESP_HOPS_PENDING];
			uint16_t id;

			if (h->family != family || h->port != port ||
			    memcmp(h->addr, key, 16) != 0 ||
			    now - h->sent_us > EP_RESP_HOP_WAIT_MS * 1000ull)
				continue;
			id = n >= 2 ? (uint16_t)(data[0] << 8 | data[1]) :
			    h->id;
			if (id != h->id)
				continue;
			h->family = 0;	/* one Time Exceeded per answer */
			if (ep_respond_time_exceeded(s->eng, h->token, id,
			    router)) {
				s->st.time_exceeded++;
				fprintf(s->out, "# time exceeded from %s: the "
				    "answer to %s id=%u (token %s)\n", router,
				    peer_str(&dst, who, sizeof(who)), id,
				    h->token);
			}
			break;
		}
	}
}

/* IP_RECVFRAGSIZE / IPV6_RECVFRAGSIZE: the largest fragment (Linux
 * 4.10); absent when the datagram came whole. */
static uint16_t
frag_size(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL;
	    c = CMSG_NXTHDR(mh, c)) {
		int v;

		if ((c->cmsg_level == IPPROTO_IP &&
		    c->cmsg_type == IP_RECVFRAGSIZE) ||
		    (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_RECVFRAGSIZE)) {
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v > 0 && v <= 65535 ? (uint16_t)v : 0;
		}
	}
	return 0;
}

static void
udp_readable(void *arg, int fd, unsigned events)
{
	struct resp_listener *ls = arg;
	struct resp_server *s = ls->srv;

	if (events & EP_EV_ERROR)
		udp_errors(s, ls);
	for (int i = 0; i < READS_PER_WAKE; i++) {
		struct sockaddr_storage peer;
		uint8_t cbuf[CMSG_SPACE(sizeof(int)) * 4];
		struct iovec iov = { s->buf, sizeof(s->buf) };
		struct msghdr mh = {
			.msg_name = &peer, .msg_namelen = sizeof(peer),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		struct ep_respond_query qi;
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
		size_t len;

		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			continue;	/* an ICMP error's errno, once */
		if (n < 0)
			return;		/* EAGAIN: all read */
		if (!admit(s, &peer))
			continue;
		len = ep_respond_answer(s->eng, s->buf, (size_t)n, 0,
		    frag_size(&mh), s->ans, sizeof(s->ans), &qi);
		if (len == 0) {
			s->st.malformed++;
			continue;
		}
		send_udp(s, ls, &peer, mh.msg_namelen, len, &qi);
		answered(s, &peer, &qi);
	}
}

static void
conn_close(struct resp_conn *c)
{
	ep_loop_unwatch(c->srv->loop, c->fd);
	close(c->fd);
	ep_timer_free(c->idle);
	c->srv->conns[c->slot] = NULL;
	free(c);
}

static void
conn_idle(void *arg)
{
	conn_close(arg);
}

/* Write what is pending; 0, or -1 when the connection was closed. */
static int
conn_flush(struct resp_conn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outoff, c->outlen -
		    c->outoff, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n <= 0) {
			conn_close(c);
			return -1;
		}
		c->outoff += (size_t)n;
	}
	c->outlen = c->outoff = 0;
	return 0;
}

static void conn_io(void *arg, int fd, unsigned events);

/*
 * Answer every whole message read, one at a time: the next waits until
 * the answer before it is written.  Then watch for what comes next.
 */
static void
conn_serve(struct resp_conn *c)
{
	struct resp_server *s = c->srv;
	struct ep_err err;

	while (c->outlen == 0 && c->inlen >= 2) {
		size_t mlen = (size_t)(c->in[0] << 8 | c->in[1]), len;
		struct ep_respond_query qi;

		if (c->inlen < 2 + mlen)
			break;
		if (!admit(s, &c->peer)) {
			conn_close(c);
			return;
		}
		len = ep_respond_answer(s->eng, c->in + 2, mlen, 1, 0,
		    c->out + 2, EP_RESP_MSG_MAX, &qi);
		c->inlen -= 2 + mlen;
		memmove(c->in, c->in + 2 + mlen, c->inlen);
		if (len == 0) {
			s->st.malformed++;
			continue;
		}
		put_u16(c->out, (uint32_t)len);
		c->outlen = len + 2;
		answered(s, &c->peer, &qi);
		if (conn_flush(c) == -1)
			return;
	}
	ep_timer_arm(c->idle, EP_RESP_TCP_IDLE_MS);
	if (ep_loop_watch(s->loop, c->fd, c->outlen ? EP_EV_WRITE :
	    EP_EV_READ, conn_io, c, &err) == -1)
		conn_close(c);
}

static void
conn_io(void *arg, int fd, unsigned events)
{
	struct resp_conn *c = arg;
	ssize_t n;

	if (events & EP_EV_WRITE) {
		if (conn_flush(c) == 0)
			conn_serve(c);
		return;
	}
	n = recv(fd, c->in + c->inlen, sizeof(c->in) - c->inlen,
	    MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	c->inlen += (size_t)n;
	conn_serve(c);
}

/* A new connection: a free slot and a token, else closed at once. */
static void
conn_new(struct resp_server *s, struct resp_listener *ls, int fd,
    const struct sockaddr_storage *peer)
{
	struct resp_conn *c = NULL;
	int slot = -1;

	for (int i = 0; i < EP_RESP_TCP_MAX && slot == -1; i++)
		if (s->conns[i] == NULL)
			slot = i;
	if (slot == -1 || !admit(s, peer) ||
	    (c = calloc(1, sizeof(*c))) == NULL ||
	    (c->idle = ep_timer_new(s->loop, conn_idle, c)) == NULL) {
		free(c);
		close(fd);
		s->st.tcp_refused++;
		return;
	}
	c->srv = s;
	c->ls = ls;
	c->fd = fd;
	c->slot = slot;
	c->peer = *peer;
	s->conns[slot] = c;
	s->st.tcp_conns++;
	conn_serve(c);
}

static void
tcp_acceptable(void *arg, int fd, unsigned events)
{
	struct resp_listener *ls = arg;

	(void)events;
	for (int i = 0; i < ACCEPTS_PER_WAKE; i++) {
		struct sockaddr_storage peer;
		socklen_t pl = sizeof(peer);
		int c = accept4(fd, (struct sockaddr *)&peer, &pl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (c == -1)
			return;
		conn_new(ls->srv, ls, c, &peer);
	}
}

int
ep_respond_parse_listen(const char *s, struct sockaddr_storage *ss,
    socklen_t *len, struct ep_err *err)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *pw;
	uint16_t p;
	int bracket;

	memset(ss, 0, sizeof(*ss));
	switch (ep_hostport_split(s, 1, host, sizeof(host), &p, &bracket,
	    &pw)) {
	case EP_HOSTPORT_OK:
		break;
	case EP_HOSTPORT_NO_CLOSE:
	case EP_HOSTPORT_AFTER_CLOSE:
		return ep_err_set(err, EP_EUSAGE, "--listen: \"%.64s\" is not "
		    "[ADDRESS]:PORT or [ADDRESS]#PORT", s);
	case EP_HOSTPORT_EMPTY:
	case EP_HOSTPORT_LONG:
		return ep_err_set(err, EP_EUSAGE, "--listen: \"%.64s\" is not "
		    "an address", s);
	case EP_HOSTPORT_PORT:
		return ep_err_set(err, EP_EUSAGE, "--listen: port \"%.16s\" "
		    "is not 1..65535", pw);
	}
	if (p == 0)
		p = 53;
	if (strchr(host, ':') != NULL) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(p);
		*len = sizeof(*sin6);
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return ep_err_set(err, EP_EUSAGE, "--listen: \"%.64s\" "
			    "is not an IPv6 address", host);
		if (IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
			return ep_err_set(err, EP_EUSAGE, "--listen: give the "
			    "address itself, not ::");
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(p);
		*len = sizeof(*sin);
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return ep_err_set(err, EP_EUSAGE, "--listen: \"%.64s\" "
			    "is not an IPv4 address", host);
		if (sin->sin_addr.s_addr == htonl(INADDR_ANY))
			return ep_err_set(err, EP_EUSAGE, "--listen: give the "
			    "address itself, not 0.0.0.0");
	}
	return 0;
}

/* A socket of type bound to the listener's address; a message that names
 * the address and says why not. */
static int
bound_socket(struct resp_listener *ls, int type, struct ep_err *err)
{
	int af = ls->family == 4 ? AF_INET : AF_INET6, one = 1, fd;
	const char *proto = type == SOCK_DGRAM ? "UDP" : "TCP";

	if ((fd = socket(af, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		return ep_err_set(err, errno, "--listen %s: %s socket: %s",
		    ls->str, proto, strerror(errno));
	if (af == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (type == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	else if (af == AF_INET) {	/* old kernels: frag stays 0 */
		setsockopt(fd, IPPROTO_IP, IP_RECVFRAGSIZE, &one, sizeof(one));
		/* ICMP errors about our answers (h<N>: Time Exceeded). */
		setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
	} else {
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVFRAGSIZE, &one,
		    sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one));
	}
	if (bind(fd, (struct sockaddr *)&ls->ss, ls->sslen) == -1 ||
	    (type == SOCK_STREAM && listen(fd, TCP_BACKLOG) == -1)) {
		int e = errno;

		close(fd);
		if (e == EADDRINUSE)
			return ep_err_set(err, e, "--listen %s: %s port %u is "
			    "already in use", ls->str, proto, ls->port);
		if (e == EADDRNOTAVAIL)
			return ep_err_set(err, e, "--listen %s: the address is "
			    "not on this host", ls->str);
		if (e == EACCES)
			return ep_err_set(err, e, "--listen %s: port %u needs "
			    "root or CAP_NET_BIND_SERVICE", ls->str, ls->port);
		return ep_err_set(err, e, "--listen %s: %s: %s", ls->str,
		    proto, strerror(e));
	}
	return fd;
}

static int
listener_open(struct resp_server *s, struct resp_listener *ls,
    const char *spec, struct ep_err *err)
{
	ls->srv = s;
	ls->udp = ls->tcp = -1;
	if (ep_respond_parse_listen(spec, &ls->ss, &ls->sslen, err) == -1)
		return -1;
	ls->family = peer_key(&ls->ss, ls->addr, &ls->port);
	peer_str(&ls->ss, ls->str, sizeof(ls->str));
	if ((ls->udp = bound_socket(ls, SOCK_DGRAM, err)) == -1 ||
	    (ls->tcp = bound_socket(ls, SOCK_STREAM, err)) == -1)
		return -1;
	return 0;
}

/* Our listeners' traffic, every IP fragment (no ports) and ICMP. */
static void
capture_filter(const struct resp_server *s, char *f, size_t len)
{
	size_t n = (size_t)snprintf(f, len, "(");
	char a[INET6_ADDRSTRLEN];

	for (int i = 0; i < s->nls && n < len; i++) {
		inet_ntop(s->ls[i].family == 4 ? AF_INET : AF_INET6,
		    s->ls[i].addr, a, sizeof(a));
		n += (size_t)snprintf(f + n, len - n, "%shost %s",
		    i ? " or " : "", a);
	}
	for (int i = 0; i < s->nls && n < len; i++)
		n += (size_t)snprintf(f + n, len - n, "%sport %u", i ?
		    " or " : ") and (", s->ls[i].port);
	if (n < len)
		snprintf(f + n, len - n, " or (ip and ip[6:2] & 0x3fff != 0)"
		    " or (ip6 and ip6[6] == 44) or icmp or icmp6)");
}

static void
capture_frame(void *arg, uint64_t ts_us, const uint8_t *data,
    uint32_t caplen, uint32_t wirelen)
{
	struct resp_server *s = arg;
	struct ep_err err;

	if (ep_pcapw_write(s->pcap, ts_us, data, caplen, wirelen, NULL,
	    &err) == -1)
		ep_verbose(EP_VERB_OPS, "%s", err.msg);
}

static void
capture_readable(void *arg, int fd, unsigned events)
{
	struct resp_server *s = arg;
	struct ep_err err;

	(void)fd;
	(void)events;
	if (ep_sniff_read(s->sniff, 0, capture_frame, s, &err) == -1)
		ep_verbose(EP_VERB_OPS, "capture: %s", err.msg);
}

static int
capture_open(struct resp_server *s, const struct ep_options *o,
    struct ep_err *err)
{
	const char *iface = o->iface[0] ? o->iface : "any";
	char filter[FILTER_MAX];

	capture_filter(s, filter, sizeof(filter));
	if ((s->sniff = ep_sniff_live(iface, filter, err)) == NULL)
		return ep_err_set(err, err->code, "--pcap: cannot capture on "
		    "%s: %s", iface, err->msg);
	s->pcap = ep_pcapw_open(o->pcap, o->pcap_classic ? EP_PCAP_CLASSIC :
	    EP_PCAP_NG, ep_sniff_link(s->sniff), EP_RESP_MSG_MAX, iface,
	    "ednsprobe " EP_VERSION, "ednsprobe respond", err);
	if (s->pcap == NULL)
		return -1;
	ep_privs_hand_over(ep_pcapw_fd(s->pcap));
	ep_verbose(EP_VERB_OPS, "capture on %s, filter: %s", iface, filter);
	return 0;
}

static void
capture_close(struct resp_server *s)
{
	uint64_t recv = 0, drop = 0;
	struct ep_err err;

	if (s->sniff == NULL)
		return;
	capture_readable(s, -1, 0);
	if (ep_sniff_stats(s->sniff, &recv, &drop) == 0)
		s->st.capture_drops = drop;
	s->st.frames = s->pcap ? ep_pcapw_count(s->pcap) : 0;
	if (s->pcap != NULL && ep_pcapw_close(s->pcap, &err) == -1)
		ep_verbose(EP_VERB_OPS, "%s", err.msg);
	s->pcap = NULL;
	ep_sniff_close(s->sniff);
	s->sniff = NULL;
}

static void
server_free(struct resp_server *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < EP_RESP_TCP_MAX; i++)
		if (s->conns[i] != NULL)
			conn_close(s->conns[i]);
	capture_close(s);
	for (int i = 0; i < s->nls; i++) {
		if (s->ls[i].udp != -1)
			close(s->ls[i].udp);
		if (s->ls[i].tcp != -1)
			close(s->ls[i].tcp);
	}
	if (s->raw4 != -1)
		close(s->raw4);
	if (s->raw6 != -1)
		close(s->raw6);
	ep_timer_free(s->stop);
	ep_loop_free(s->loop);
	ep_respond_free(s->eng);
	free(s->clients);
	free(s->pk);
	free(s);
}

/* Raw sockets for f<M>/df answers: without them (no CAP_NET_RAW) those
 * answers go out as ordinary ones, logged how=noraw. */
static void
raw_open(struct resp_server *s)
{
	struct ep_err err = { 0, "" };
	int need4 = 0, need6 = 0;

	for (int i = 0; i < s->nls; i++) {
		need4 |= s->ls[i].family == 4;
		need6 |= s->ls[i].family == 6;
	}
	if (need4)
		s->raw4 = ep_raw_open(4, &err);
	if (need6)
		s->raw6 = ep_raw_open(6, &err);
	if (err.msg[0])
		snprintf(s->noraw, sizeof(s->noraw), "%s", err.msg);
}

/* Everything opened while privileged, in order; -1 with err. */
static int
server_open(struct resp_server *s, const struct ep_options *o, FILE *out,
    struct ep_err *err)
{
	uint32_t seed = 0;

	s->raw4 = s->raw6 = -1;
	s->out = out;
	s->rate = o->rate;
	s->burst = (double)o->rate * EP_RESP_BURST_FACTOR;
	s->global.tokens = EP_RESP_GLOBAL_PPS;
	if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		seed = (uint32_t)getpid();
	s->seed = seed ^ 2166136261u;
	if ((s->eng = ep_respond_new(o->qname, o->qname_len, err)) == NULL ||
	    (s->loop = ep_loop_new(EP_RESP_GLOBAL_PPS, EP_RESP_GLOBAL_PPS,
	    err)) == NULL)
		return -1;
	if ((s->clients = calloc(EP_RESP_CLIENTS, sizeof(*s->clients))) ==
	    NULL || (s->pk = calloc(1, sizeof(*s->pk))) == NULL)
		return ep_err_set(err, ENOMEM, "out of memory");
	for (int i = 0; i < o->nlisten; i++) {
		if (listener_open(s, &s->ls[i], o->listen[i], err) == -1) {
			s->nls = i + 1;	/* its sockets are closed */
			return -1;
		}
		s->nls = i + 1;
	}
	raw_open(s);
	if (o->pcap[0] != '\0' && capture_open(s, o, err) == -1)
		return -1;
	return 0;
}

static void
duration_over(void *arg)
{
	ep_loop_stop(arg);
}

static int
server_watch(struct resp_server *s, uint32_t duration_ms, struct ep_err *err)
{
	for (int i = 0; i < s->nls; i++)
		if (ep_loop_watch(s->loop, s->ls[i].udp, EP_EV_READ,
		    udp_readable, &s->ls[i], err) == -1 ||
		    ep_loop_watch(s->loop, s->ls[i].tcp, EP_EV_READ,
		    tcp_acceptable, &s->ls[i], err) == -1)
			return -1;
	if (s->sniff != NULL && ep_loop_watch(s->loop, ep_sniff_fd(s->sniff),
	    EP_EV_READ, capture_readable, s, err) == -1)
		return -1;
	if (duration_ms > 0) {
		if ((s->stop = ep_timer_new(s->loop, duration_over,
		    s->loop)) == NULL)
			return ep_err_set(err, ENOMEM, "out of memory");
		ep_timer_arm(s->stop, duration_ms);
	}
	return 0;
}

/* The start line: what is served where, and what is missing. */
static void
print_start(const struct resp_server *s, const struct ep_options *o)
{
	fprintf(s->out, "# ednsprobe respond: zone %s, rate %u/s per client;"
	    " listening on", s->eng->zone_str, o->rate);
	for (int i = 0; i < s->nls; i++)
		fprintf(s->out, " %s", s->ls[i].str);
	fprintf(s->out, " (UDP, TCP); raw answers: %s; capture: %s\n",
	    s->noraw[0] ? s->noraw : "yes", o->pcap[0] ? o->pcap : "none");
	fflush(s->out);
}

int
ep_respond_run(const struct ep_options *o, FILE *out,
    struct ep_respond_stats *st, struct ep_err *err)
{
	struct resp_server *s = calloc(1, sizeof(*s));
	int rc = -1;

	memset(st, 0, sizeof(*st));
	if (s == NULL)
		return ep_err_set(err, ENOMEM, "out of memory");
	if (server_open(s, o, out, err) == -1 || ep_privs_drop(err) == -1 ||
	    server_watch(s, o->duration_ms, err) == -1)
		goto done;
	print_start(s, o);
	if (ep_loop_run(s->loop, err) == -1)
		goto done;
	s->st.interrupted = ep_loop_interrupted(s->loop);
	rc = 0;
done:
	capture_close(s);
	s->st.log_full = s->eng ? s->eng->log_full : 0;
	*st = s->st;
	server_free(s);
	return rc;
}
