/* capture/tcpstream.c: DNS messages out of TCP byte streams, bounded
 * (RFC 9293 3.4 sequence numbers, RFC 1035 4.2.2 and RFC 7766 8 length
 * prefixes).  The header says what a caller sees; here is how.
 *
 * Each stream keeps a window of bytes from base, the sequence number of
 * its first byte not yet passed on (always the start of a message), and
 * the sorted, merged byte ranges of the window that arrived.  A segment
 * writes only the bytes no earlier copy wrote (the first copy wins), so a
 * retransmission with other bytes changes nothing.  When the range at 0
 * holds a length prefix and that many bytes, the message goes out and
 * the window slides past it.  Sequence numbers are compared as signed
 * 32-bit differences from base, so a stream may wrap 2^32.
 *
 * The segments that brought each run of new bytes are remembered (a small
 * array, bounded) so a message can say when its first byte came, which is
 * when a reply started to arrive: the time an RTT ends.
 *
 * Streams sit in a chained hash table and in a list by last use; when the
 * table is full the least recently fed is ended (evicted) to make room.
 * A window grows as bytes wait in it, up to max_bytes, and is freed once
 * empty if it grew past WINDOW_KEEP. */
#include <stdlib.h>
#include <string.h>

#include "ednsprobe/dns.h"
#include "tcpstream.h"

#define RECS_MAX	64		/* segment runs remembered per stream */
#define WINDOW_KEEP	4096		/* a window this small stays allocated */
#define STREAMS_MAX	(1u << 20)
#define BYTES_MAX	(16u << 20)

struct range {
	uint32_t	 from, to;	/* window offsets, [from, to) */
};

/* A run of new bytes and the segment that brought it. */
struct rec {
	uint32_t	 from, to;
	uint64_t	 ts_us;
	uint32_t	 frame;
};

struct stream {
	struct ep_tcpstream_key key;
	uint32_t	 hash;
	struct stream	*hnext;		/* bucket chain */
	struct stream	*newer, *older;	/* use list */
	struct stream	*peer;		/* the other direction, once found */
	int		 syn, synced, sure;
	uint32_t	 base;		/* sequence number of win[0] */
	uint32_t	 end_seq;	/* one past the last byte on the wire */
	uint32_t	 acked;		/* the receiver's highest ACK */
	int		 has_ack;
	uint8_t		*win;		/* owned, cap bytes */
	size_t		 cap;
	struct range	 r[EP_TCPSTREAM_PIECES];
	int		 nr;
	struct rec	 rec[RECS_MAX];
	int		 nrec;
	uint32_t	 messages;
	uint64_t	 bytes, dropped, skipped;
};

struct ep_tcpstream {
	struct stream	**bucket;	/* owned, mask + 1 chains */
	uint32_t	 mask;
	size_t		 n, max;
	size_t		 max_bytes;
	struct stream	*newest, *oldest;
	uint64_t	 evicted, holed;
	ep_tcpstream_msg_cb *msg;
	ep_tcpstream_end_cb *end;
	void		*arg;
};

static uint32_t
key_hash(const struct ep_tcpstream_key *k)
{
	size_t alen = k->family == 4 ? 4 : 16;
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (size_t i = 0; i < alen; i++)
		h = (h ^ k->src[i]) * 16777619u;
	for (size_t i = 0; i < alen; i++)
		h = (h ^ k->dst[i]) * 16777619u;
	h = (h ^ (k->sport >> 8)) * 16777619u;
	h = (h ^ (k->sport & 0xff)) * 16777619u;
	h = (h ^ (k->dport >> 8)) * 16777619u;
	h = (h ^ (k->dport & 0xff)) * 16777619u;
	return h ^ (uint32_t)k->family;
}

static int
key_eq(const struct ep_tcpstream_key *a, const struct ep_tcpstream_key *b)
{
	return a->family == b->family && a->sport == b->sport &&
	    a->dport == b->dport &&
	    memcmp(a->src, b->src, a->family == 4 ? 4 : 16) == 0 &&
	    memcmp(a->dst, b->dst, a->family == 4 ? 4 : 16) == 0;
}

struct ep_tcpstream *
ep_tcpstream_new(size_t max_streams, size_t max_bytes,
    ep_tcpstream_msg_cb *msg, ep_tcpstream_end_cb *end, void *arg)
{
	struct ep_tcpstream *t;
	uint32_t n = 16;

	if (max_streams < 1 || max_streams > STREAMS_MAX ||
	    max_bytes < EP_TCPSTREAM_BYTES || max_bytes > BYTES_MAX ||
	    msg == NULL)
		return NULL;
	/* Chains of about one stream when the table is full. */
	while (n < max_streams)
		n <<= 1;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->bucket = calloc(n, sizeof(*t->bucket))) == NULL) {
		free(t);
		return NULL;
	}
	t->mask = n - 1;
	t->max = max_streams;
	t->max_bytes = max_bytes;
	t->msg = msg;
	t->end = end;
	t->arg = arg;
	return t;
}

static void
unlink_use(struct ep_tcpstream *t, struct stream *s)
{
	if (s->newer != NULL)
		s->newer->older = s->older;
	else
		t->newest = s->older;
	if (s->older != NULL)
		s->older->newer = s->newer;
	else
		t->oldest = s->newer;
	s->newer = s->older = NULL;
}

static void
push_newest(struct ep_tcpstream *t, struct stream *s)
{
	s->older = t->newest;
	s->newer = NULL;
	if (t->newest != NULL)
		t->newest->newer = s;
	t->newest = s;
	if (t->oldest == NULL)
		t->oldest = s;
}

/* Bytes contiguous from the window's start. */
static uint32_t
contiguous(const struct stream *s)
{
	return s->nr > 0 && s->r[0].from == 0 ? s->r[0].to : 0;
}

/* s leaves the table: its stats to the end callback, then freed. */
static void
stream_end(struct ep_tcpstream *t, struct stream *s, int evicted)
{
	struct ep_tcpstream_stats st;
	struct stream **pp = &t->bucket[s->hash & t->mask];
	uint32_t have = contiguous(s);

	memset(&st, 0, sizeof(st));
	st.key = &s->key;
	st.syn = s->syn;
	st.synced = s->synced;
	/* Bytes on the wire past the contiguous ones: a gap, or a cut. */
	st.holed = s->synced && (int32_t)(s->end_seq - (s->base + have)) > 0;
	st.unseen = st.holed && s->has_ack &&
	    (int32_t)(s->acked - (s->base + have)) > 0;
	st.partial = !st.holed && have > 0;
	st.evicted = evicted;
	st.messages = s->messages;
	st.bytes = s->bytes;
	st.dropped = s->dropped;
	st.skipped = s->skipped;
	if (st.holed)
		t->holed++;
	if (evicted)
		t->evicted++;
	if (t->end != NULL)
		t->end(t->arg, &st);
	if (s->peer != NULL)
		s->peer->peer = NULL;
	while (*pp != s)
		pp = &(*pp)->hnext;
	*pp = s->hnext;
	unlink_use(t, s);
	t->n--;
	free(s->win);
	free(s);
}

/* The stream of k, or NULL: never makes one, nor counts as use. */
static struct stream *
stream_find(const struct ep_tcpstream *t, const struct ep_tcpstream_key *k)
{
	uint32_t h = key_hash(k);
	struct stream *s;

	for (s = t->bucket[h & t->mask]; s != NULL; s = s->hnext)
		if (s->hash == h && key_eq(&s->key, k))
			return s;
	return NULL;
}

/* An ACK on stream `from`: how far its other direction got.  The pair
 * is linked once found, so a segment costs one lookup, not two. */
static void
acked(struct ep_tcpstream *t, struct stream *from,
    const struct ep_tcpstream_seg *g)
{
	struct ep_tcpstream_key r;
	struct stream *s = from->peer;

	if (s == NULL) {
		memset(&r, 0, sizeof(r));
		r.family = g->key.family;
		memcpy(r.src, g->key.dst, sizeof(r.src));
		memcpy(r.dst, g->key.src, sizeof(r.dst));
		r.sport = g->key.dport;
		r.dport = g->key.sport;
		if ((s = stream_find(t, &r)) == NULL)
			return;
		s->peer = from;
		from->peer = s;
	}
	if (!s->synced)
		return;
	if (!s->has_ack || (int32_t)(g->ack - s->acked) > 0)
		s->acked = g->ack;
	s->has_ack = 1;
}

static struct stream *
stream_get(struct ep_tcpstream *t, const struct ep_tcpstream_key *k)
{
	uint32_t h = key_hash(k);
	struct stream *s;

	for (s = t->bucket[h & t->mask]; s != NULL; s = s->hnext)
		if (s->hash == h && key_eq(&s->key, k)) {
			if (t->newest != s) {
				unlink_use(t, s);
				push_newest(t, s);
			}
			return s;
		}
	if (t->n == t->max)
		stream_end(t, t->oldest, 1);
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->key = *k;
	s->hash = h;
	s->hnext = t->bucket[h & t->mask];
	t->bucket[h & t->mask] = s;
	push_newest(t, s);
	t->n++;
	return s;
}

/* Room for offsets [0, need) in the window. */
static int
grow(struct stream *s, size_t need, size_t max)
{
	size_t cap = s->cap ? s->cap : 1024;
	uint8_t *w;

	if (need <= s->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (cap > max)
		cap = max;
	if ((w = realloc(s->win, cap)) == NULL)
		return -1;
	s->win = w;
	s->cap = cap;
	return 0;
}

static void
remember(struct stream *s, uint32_t from, uint32_t to,
    const struct ep_tcpstream_seg *g)
{
	if (s->nrec == RECS_MAX)
		return;		/* the completing segment stands in */
	s->rec[s->nrec].from = from;
	s->rec[s->nrec].to = to;
	s->rec[s->nrec].ts_us = g->ts_us;
	s->rec[s->nrec].frame = g->frame;
	s->nrec++;
}

/*
 * Bytes [from, to) of the window from data (data[0] is offset from),
 * only where nothing arrived yet.  The ranges are merged first into a
 * copy, so a segment that would need more than EP_TCPSTREAM_PIECES
 * ranges changes nothing (its bytes are dropped, counted).
 */
static void
put(struct ep_tcpstream *t, struct stream *s, uint32_t from, uint32_t to,
    const uint8_t *data, const struct ep_tcpstream_seg *g)
{
	struct range nr[EP_TCPSTREAM_PIECES];
	uint32_t at = from, lo = from, hi = to;
	int n = 0, i = 0;

	/* The union of the ranges and [from, to), sorted. */
	for (; i < s->nr && s->r[i].to < from; i++)
		nr[n++] = s->r[i];
	for (; i < s->nr && s->r[i].from <= to; i++) {
		if (s->r[i].from < lo)
			lo = s->r[i].from;
		if (s->r[i].to > hi)
			hi = s->r[i].to;
	}
	if (n + 1 + (s->nr - i) > EP_TCPSTREAM_PIECES ||
	    grow(s, to, t->max_bytes) == -1) {
		s->dropped += to - from;
		return;
	}
	/* The gaps of [from, to) between the old ranges get the bytes. */
	for (int k = 0; k < s->nr && at < to; k++) {
		if (s->r[k].to <= at)
			continue;
		if (s->r[k].from >= to)
			break;
		if (s->r[k].from > at) {
			memcpy(s->win + at, data + (at - from),
			    s->r[k].from - at);
			remember(s, at, s->r[k].from, g);
		}
		at = s->r[k].to;
	}
	if (at < to) {
		memcpy(s->win + at, data + (at - from), to - at);
		remember(s, at, to, g);
	}
	nr[n].from = lo;
	nr[n++].to = hi;
	for (; i < s->nr; i++)
		nr[n++] = s->r[i];
	memcpy(s->r, nr, (size_t)n * sizeof(nr[0]));
	s->nr = n;
}

/* The window slides n bytes (a whole message) forward. */
static void
consume(struct stream *s, uint32_t n)
{
	uint32_t top = s->r[s->nr - 1].to;
	int k = 0;

	memmove(s->win, s->win + n, top - n);
	for (int i = 0; i < s->nr; i++) {
		if (s->r[i].to <= n)
			continue;
		s->r[k].from = s->r[i].from > n ? s->r[i].from - n : 0;
		s->r[k++].to = s->r[i].to - n;
	}
	s->nr = k;
	k = 0;
	for (int i = 0; i < s->nrec; i++) {
		if (s->rec[i].to <= n)
			continue;
		s->rec[k] = s->rec[i];
		s->rec[k].from = s->rec[i].from > n ? s->rec[i].from - n : 0;
		s->rec[k++].to -= n;
	}
	s->nrec = k;
	s->base += n;
	if (s->nr == 0 && s->cap > WINDOW_KEEP) {
		free(s->win);
		s->win = NULL;
		s->cap = 0;
	}
}

/* Every whole message at the window's start goes out. */
static void
emit(struct ep_tcpstream *t, struct stream *s,
    const struct ep_tcpstream_seg *g)
{
	struct ep_tcpstream_msg m;
	uint32_t have, mlen;

	while ((have = contiguous(s)) >= 2) {
		mlen = (uint32_t)s->win[0] << 8 | s->win[1];
		if (have < 2 + mlen)
			return;
		memset(&m, 0, sizeof(m));
		m.key = &s->key;
		m.data = s->win + 2;
		m.len = mlen;
		m.first_us = m.last_us = g->ts_us;
		m.first_frame = m.last_frame = g->frame;
		for (int i = 0; i < s->nrec; i++)
			if (s->rec[i].from == 0) {
				m.first_us = s->rec[i].ts_us;
				m.first_frame = s->rec[i].frame;
				break;
			}
		m.sure = s->sure;
		s->messages++;
		t->msg(t->arg, &m);
		consume(s, 2 + mlen);
	}
}

/* Mid-stream, a segment taken to start a message: a prefix of 12 or
 * more and a header with QDCOUNT <= 1 (every query and its answer). */
static int
looks_like_start(const uint8_t *p, uint32_t caplen)
{
	if (caplen < 2 + EP_DNS_HDR_LEN)
		return 0;
	return ((uint32_t)p[0] << 8 | p[1]) >= EP_DNS_HDR_LEN &&
	    ((uint32_t)p[6] << 8 | p[7]) <= 1;
}

void
ep_tcpstream_add(struct ep_tcpstream *t, const struct ep_tcpstream_seg *g)
{
	struct stream *s;
	const uint8_t *data = g->data;
	uint32_t seq = g->seq, len = g->len, caplen = g->caplen;
	int64_t off, end, capend;

	if ((s = stream_get(t, &g->key)) == NULL)
		return;
	if (g->flags & 0x10)
		acked(t, s, g);
	s->bytes += len;
	if (caplen > len)
		caplen = len;
	if (data == NULL)
		caplen = 0;
	if (g->flags & 0x02) {
		if (!s->synced) {
			s->syn = s->synced = s->sure = 1;
			s->base = s->end_seq = seq + 1;
		}
		seq++;		/* the SYN's own number; data follows */
	}
	if (len == 0)
		return;
	if (!s->synced) {
		if (!looks_like_start(data, caplen)) {
			s->skipped += len;
			return;
		}
		s->synced = 1;
		s->base = s->end_seq = seq;
	}
	off = (int32_t)(seq - s->base);
	end = off + len;
	capend = off + caplen;
	if ((int32_t)(seq + len - s->end_seq) > 0)
		s->end_seq = seq + len;
	if (end <= 0)
		return;		/* all passed on already: a retransmission */
	if (off < 0) {
		/* The front was passed on: only the rest is new. */
		if (capend > 0)
			data += -off;
		else
			capend = 0;
		off = 0;
	}
	if (capend > (int64_t)t->max_bytes) {
		s->dropped += (uint64_t)(capend - (int64_t)t->max_bytes);
		capend = (int64_t)t->max_bytes;
	}
	if (capend > off)
		put(t, s, (uint32_t)off, (uint32_t)capend, data, g);
	emit(t, s, g);
}

void
ep_tcpstream_finish(struct ep_tcpstream *t)
{
	while (t->oldest != NULL)
		stream_end(t, t->oldest, 0);
}

uint64_t
ep_tcpstream_evicted(const struct ep_tcpstream *t)
{
	return t->evicted;
}

uint64_t
ep_tcpstream_holed(const struct ep_tcpstream *t)
{
	return t->holed;
}

void
ep_tcpstream_free(struct ep_tcpstream *t)
{
	struct stream *s, *next;

	if (t == NULL)
		return;
	for (s = t->newest; s != NULL; s = next) {
		next = s->older;
		free(s->win);
		free(s);
	}
	free(t->bucket);
	free(t);
}
