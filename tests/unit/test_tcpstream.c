/* tests/unit/test_tcpstream.c: the TCP stream reassembler
 * (capture/tcpstream.c) on segments built by hand: message boundaries,
 * order, copies, gaps, sequence wrap, bounds, mid-stream starts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tcpstream.h"

#define MSGS_MAX	16
#define SYN		0x02
#define ACK		0x10

/* What the callbacks saw. */
struct seen {
	int		 n;
	struct {
		uint16_t id;
		size_t	 len;
		uint8_t	 last;		/* the message's last byte */
		uint32_t first_frame, last_frame;
		int	 sure;
	} m[MSGS_MAX];
	int		 ends, holed, unseen, partial, evicted;
};

static void
on_msg(void *arg, const struct ep_tcpstream_msg *m)
{
	struct seen *s = arg;

	if (s->n == MSGS_MAX)
		return;
	s->m[s->n].id = m->len >= 2 ? (uint16_t)(m->data[0] << 8 |
	    m->data[1]) : 0;
	s->m[s->n].len = m->len;
	s->m[s->n].last = m->len ? m->data[m->len - 1] : 0;
	s->m[s->n].first_frame = m->first_frame;
	s->m[s->n].last_frame = m->last_frame;
	s->m[s->n].sure = m->sure;
	s->n++;
}

static void
on_end(void *arg, const struct ep_tcpstream_stats *st)
{
	struct seen *s = arg;

	s->ends++;
	s->holed += st->holed;
	s->unseen += st->unseen;
	s->partial += st->partial;
	s->evicted += st->evicted;
}

/* A prefixed DNS message of len bytes (>= 12) with id: QDCOUNT 1, the
 * rest filled with id's low byte, the last byte 0xee. */
static size_t
msg(uint8_t *out, uint16_t id, size_t len)
{
	out[0] = (uint8_t)(len >> 8);
	out[1] = (uint8_t)len;
	memset(out + 2, id & 0xff, len);
	out[2] = (uint8_t)(id >> 8);
	out[3] = (uint8_t)id;
	out[6] = 0;
	out[7] = 1;		/* QDCOUNT */
	out[2 + len - 1] = 0xee;
	return len + 2;
}

/* A segment of stream `port` (client port toward 53) at seq. */
static void
seg(struct ep_tcpstream *t, uint16_t port, uint32_t seq, uint8_t flags,
    const uint8_t *data, uint32_t len, uint32_t frame)
{
	struct ep_tcpstream_seg g;

	memset(&g, 0, sizeof(g));
	g.key.family = 4;
	memcpy(g.key.src, (const uint8_t[]){ 192, 0, 2, 1 }, 4);
	memcpy(g.key.dst, (const uint8_t[]){ 203, 0, 113, 53 }, 4);
	g.key.sport = port;
	g.key.dport = 53;
	g.seq = seq;
	g.flags = flags;
	g.data = data;
	g.caplen = g.len = len;
	g.ts_us = (uint64_t)frame * 1000;
	g.frame = frame;
	ep_tcpstream_add(t, &g);
}

static struct ep_tcpstream *
table(struct seen *s, size_t streams)
{
	struct ep_tcpstream *t;

	memset(s, 0, sizeof(*s));
	t = ep_tcpstream_new(streams, EP_TCPSTREAM_BYTES, on_msg, on_end, s);
	assert_non_null(t);
	return t;
}

static void
test_in_order(void **state)
{
	struct seen s;
	struct ep_tcpstream *t = table(&s, 4);
	uint8_t b[64];
	size_t n = msg(b, 0x1234, 40);

	(void)state;
	seg(t, 1000, 99, SYN, NULL, 0, 1);
	seg(t, 1000, 100, ACK, b, (uint32_t)n, 2);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.m[0].id, 0x1234);
	assert_int_equal(s.m[0].len, 40);
	assert_int_equal(s.m[0].last, 0xee);
	assert_int_equal(s.m[0].first_frame, 2);
	assert_true(s.m[0].sure);
	ep_tcpstream_finish(t);
	assert_int_equal(s.ends, 1);
	assert_int_equal(s.holed + s.partial, 0);
	ep_tcpstream_free(t);
}

/* The client writes the length, then the message (two write()s). */
static void
test_length_alone(void **state)
{
	struct seen s;
	struct ep_tcpstream *t = table(&s, 4);
	uint8_t b[64];
	size_t n = msg(b, 0xabcd, 30);

	(void)state;
	seg(t, 1000, 0, SYN, NULL, 0, 1);
	seg(t, 1000, 1, ACK, b, 2, 2);
	assert_int_equal(s.n, 0);
	seg(t, 1000, 3, ACK, b + 2, (uint32_t)n - 2, 3);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.m[0].id, 0xabcd);
	assert_int_equal(s.m[0].first_frame, 2);
	assert_int_equal(s.m[0].last_frame, 3);
	ep_tcpstream_free(t);
}

/* Pipelined: three messages in one segment, the third cut in two. */
static void
test_several_per_segment(void **state)
{
	struct seen s;
	struct ep_tcpstream *t = table(&s, 4);
	uint8_t b[256];
	size_t n = 0;

	(void)state;
	n += msg(b + n, 1, 20);
	n += msg(b + n, 2, 33);
	n += msg(b + n, 3, 12);
	seg(t, 1000, 0, SYN, NULL, 0, 1);
	seg(t, 1000, 1, ACK, b, (uint32_t)n - 5, 2);
	assert_int_equal(s.n, 2);
	seg(t, 1000, 1 + (uint32_t)n - 5, ACK, b + n - 5, 5, 3);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.m[0].id, 1);
	assert_int_equal(s.m[1].id, 2);
	assert_int_equal(s.m[1].len, 33);
	assert_int_equal(s.m[2].id, 3);
	assert_int_equal(s.m[2].first_frame, 2);
	assert_int_equal(s.m[2].last_frame, 3);
	ep_tcpstream_free(t);
}

static void
test_three_segments(void **state)
{
	struct seen s;
	struct ep_tcpstream *t = table(&s, 4);
	static uint8_t b[4000];
	size_t n = msg(b, 7, 3000);

	(void)state;
	seg(t, 1000, 0, SYN, NULL, 0, 1);
	seg(t, 1000, 1, ACK, b, 1448, 2);
	seg(t, 1000, 1449, ACK, b + 1448, 1448, 3);
	assert_int_equal(s.n, 0);
	seg(t, 1000, 2897, ACK, b + 2896, (uint32_t)n - 2896, 4);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.m[0].len, 3000);
	assert_int_equal(s.m[0].last, 0xee);
	assert_int_equal(s.m[0].first_frame, 2);
	assert_int_equal(s.m[0].last_frame, 4);
	ep_tcpstream_free(t);
}

/* Last piece first, then the middle, then the start. */
static void
test_out_of_order(void **state)
{
	struct seen s;
	struct ep_tcpstream *t = table(&s, 4);
	static uint8_t b[4000];
	size_t n = msg(b, 9, 3000);

	(void)state;
	seg(t, 1000, 0, SYN, NULL, 0, 1);
	seg(t, 1000, 2001, ACK, b + 2000, (uint32_t)n - 2000, 2);
	seg(t, 1000, 1001, ACK, b + 1000, 1000, 3);
	assert_int_equal(s.n, 0);
	seg(t, 1000, 1, ACK, b, 1000, 4);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.m[0].id, 9);
	assert_int_equal(s.m[0].last, 0xee);
	assert_int_equal(s.m[0].first_frame, 4);
	ep_tcpstream_finish(t);
	assert_int_equal(s.holed, 0);
	ep_tcpstream_free(t);
}

/* A retransmission with other bytes, overlapping: the first copy wins. */
static void
test_retransmit_first_wins(void **state)
{
	struct seen s;
	struct ep_tcpstream *t = table(&s, 4);
	uint8_t b[64], bad[64];
	size_t n = msg(b, 0x4242, 40);

	(void)state;
	memset(bad, 0x99, sizeof(bad));
	seg(t, 1000, 0, SYN, NULL, 0, 1);
	seg(t, 1000, 1, ACK, b, 20, 2);
	seg(t, 1000, 1, ACK, bad, 30, 3);	/* bytes 20..29 from here */
	seg(t, 1000, 1, ACK, bad, 20, 4);	/* an exact-range copy */
	seg(t, 1000, 31, ACK, b + 30, (uint32_t)n - 30, 5);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.m[0].id, 0x4242);	/* not 0x9999 */
	assert_int_equal(s.m[0].last, 0xee);
	/* Once passed on, copies of it change nothing. */
	seg(t, 1000, 1, ACK, bad, (uint32_t)n, 6);
	assert_int_equal(s.n, 1);
	ep_tcpstream_free(t);
}

/* A middle segment never comes: nothing after it, holed; the receiver's
 * ACK beyond the gap says the capture missed it (unseen). */
static void
test_gap_holed(void **state)
{
	struct seen s;
	struct ep_tcpstream *t = table(&s, 4);
	static uint8_t b[4000];
	size_t n = msg(b, 5, 3000), n2 = msg(b + 3002, 6, 20);
	struct ep_tcpstream_seg g;

	(void)state;
	seg(t, 1000, 0, SYN, NULL, 0, 1);
	seg(t, 1000, 1, ACK, b, 1000, 2);
	seg(t, 1000, 2001, ACK, b + 2000, (uint32_t)(n + n2) - 2000, 3);
	assert_int_equal(s.n, 0);
	/* The receiver acknowledges everything. */
	memset(&g, 0, sizeof(g));
	g.key.family = 4;
	memcpy(g.key.src, (const uint8_t[]){ 203, 0, 113, 53 }, 4);
	memcpy(g.key.dst, (const uint8_t[]){ 192, 0, 2, 1 }, 4);
	g.key.sport = 53;
	g.key.dport = 1000;
	g.flags = ACK;
	g.ack = 1 + (uint32_t)(n + n2);
	ep_tcpstream_add(t, &g);
	ep_tcpstream_finish(t);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.holed, 1);
	assert_int_equal(s.unseen, 1);
	ep_tcpstream_free(t);
}

/* The same gap, never acknowledged: lost before the capture point. */
static void
test_gap_lost(void **state)
{
	struct seen s;
	struct ep_tcpstream *t = table(&s, 4);
	static uint8_t b[4000];
	size_t n = msg(b, 5, 3000);

	(void)state;
	seg(t, 1000, 0, SYN, NULL, 0, 1);
	seg(t, 1000, 1001, ACK, b + 1000, (uint32_t)n - 1000, 2);
	ep_tcpstream_finish(t);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.holed, 1);
	assert_int_equal(s.unseen, 0);
	assert_int_equal(ep_tcpstream_holed(t), 1);
	ep_tcpstream_free(t);
}

/* A snap length cut: the bytes not captured are a hole. */
static void
test_snap_cut(void **state)
{
	struct seen s;
	struct ep_tcpstream *t = table(&s, 4);
	static uint8_t b[4000];
	size_t n = msg(b, 5, 1400);
	struct ep_tcpstream_seg g;

	(void)state;
	seg(t, 1000, 0, SYN, NULL, 0, 1);
	memset(&g, 0, sizeof(g));
	g.key.family = 4;
	memcpy(g.key.src, (const uint8_t[]){ 192, 0, 2, 1 }, 4);
	memcpy(g.key.dst, (const uint8_t[]){ 203, 0, 113, 53 }, 4);
	g.key.sport = 1000;
	g.key.dport = 53;
	g.seq = 1;
	g.data = b;
	g.caplen = 200;
	g.len = (uint32_t)n;
	ep_tcpstream_add(t, &g);
	ep_tcpstream_finish(t);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.holed, 1);
	ep_tcpstream_free(t);
}

/* Sequence numbers wrap at 2^32 inside a message and out of order. */
static void
test_wraparound(void **state)
{
	struct seen s;
	struct ep_tcpstream *t = table(&s, 4);
	static uint8_t b[4000];
	size_t n = msg(b, 0x0102, 2000);
	uint32_t isn = 0xfffffc00u;	/* 1024 before the wrap */

	(void)state;
	seg(t, 1000, isn, SYN, NULL, 0, 1);
	seg(t, 1000, isn + 1 + 1500, ACK, b + 1500, (uint32_t)n - 1500, 2);
	seg(t, 1000, isn + 1, ACK, b, 1500, 3);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.m[0].id, 0x0102);
	assert_int_equal(s.m[0].last, 0xee);
	/* The next message, wholly past the wrap. */
	n = msg(b, 0x0304, 50);
	seg(t, 1000, isn + 1 + 2002, ACK, b, (uint32_t)n, 4);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.m[1].id, 0x0304);
	ep_tcpstream_free(t);
}

/* The stream bound: the least recently fed is evicted and counted. */
static void
test_stream_bound(void **state)
{
	struct seen s;
	struct ep_tcpstream *t = table(&s, 2);
	uint8_t b[64];
	size_t n = msg(b, 1, 20);

	(void)state;
	seg(t, 1000, 0, SYN, NULL, 0, 1);
	seg(t, 1001, 0, SYN, NULL, 0, 2);
	seg(t, 1000, 1, ACK, b, 5, 3);		/* 1000 used last */
	seg(t, 1002, 0, SYN, NULL, 0, 4);	/* evicts 1001 */
	assert_int_equal(s.evicted, 1);
	assert_int_equal(ep_tcpstream_evicted(t), 1);
	seg(t, 1000, 6, ACK, b + 5, (uint32_t)n - 5, 5);
	assert_int_equal(s.n, 1);		/* 1000 survived */
	ep_tcpstream_finish(t);
	assert_int_equal(s.ends, 3);
	ep_tcpstream_free(t);
}

/* The byte bound: bytes past the window are dropped; the message in it
 * still comes out, the one past it never does. */
static void
test_byte_bound(void **state)
{
	struct seen s;
	struct ep_tcpstream *t = table(&s, 2);
	static uint8_t b[70000];
	size_t n = msg(b, 1, 65535), n2 = msg(b + n, 2, 100);

	(void)state;
	assert_null(ep_tcpstream_new(4, 100, on_msg, NULL, NULL));
	assert_null(ep_tcpstream_new(0, EP_TCPSTREAM_BYTES, on_msg, NULL,
	    NULL));
	seg(t, 1000, 0, SYN, NULL, 0, 1);
	/* The second message first: past the window, dropped. */
	seg(t, 1000, 1 + (uint32_t)n, ACK, b + n, (uint32_t)n2, 2);
	seg(t, 1000, 1, ACK, b, (uint32_t)n, 3);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.m[0].len, 65535);
	assert_int_equal(s.m[0].last, 0xee);
	ep_tcpstream_finish(t);
	assert_int_equal(s.holed, 1);		/* its bytes are gone */
	ep_tcpstream_free(t);
}

/* No SYN: the capture starts mid-message; the first segment that looks
 * like a message start is taken as one, and says it is not sure. */
static void
test_mid_stream(void **state)
{
	struct seen s;
	struct ep_tcpstream *t = table(&s, 4);
	uint8_t b[256], junk[40];
	size_t n = msg(b, 0x7777, 40);

	(void)state;
	memset(junk, 0xff, sizeof(junk));	/* QDCOUNT 0xffff: no start */
	seg(t, 1000, 5000, ACK, junk, sizeof(junk), 1);
	assert_int_equal(s.n, 0);
	seg(t, 1000, 5040, ACK, b, (uint32_t)n, 2);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.m[0].id, 0x7777);
	assert_false(s.m[0].sure);
	ep_tcpstream_finish(t);
	assert_int_equal(s.holed, 0);
	ep_tcpstream_free(t);
}

/* Hostile: more disjoint pieces than kept, seqs all over the space. */
static void
test_hostile(void **state)
{
	struct seen s;
	struct ep_tcpstream *t = table(&s, 4);
	uint8_t b[64];

	(void)state;
	memset(b, 0x11, sizeof(b));
	seg(t, 1000, 0, SYN, NULL, 0, 1);
	for (uint32_t i = 0; i < 200; i++)
		seg(t, 1000, 100 + i * 10, ACK, b, 3, 2 + i);
	for (uint32_t i = 0; i < 200; i++)
		seg(t, 1000, i * 0x01000000u, ACK, b, sizeof(b), 300 + i);
	seg(t, 1000, 1, ACK, b, 0, 600);
	ep_tcpstream_finish(t);
	assert_int_equal(s.ends, 1);
	ep_tcpstream_free(t);
	ep_tcpstream_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_length_alone),
		cmocka_unit_test(test_several_per_segment),
		cmocka_unit_test(test_three_segments),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_retransmit_first_wins),
		cmocka_unit_test(test_gap_holed),
		cmocka_unit_test(test_gap_lost),
		cmocka_unit_test(test_snap_cut),
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_stream_bound),
		cmocka_unit_test(test_byte_bound),
		cmocka_unit_test(test_mid_stream),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
