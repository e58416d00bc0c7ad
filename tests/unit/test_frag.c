/* tests/unit/test_frag.c: the fragment table (capture/frag.c) on frames
 * built by hand: reassembly bookkeeping, keys, eviction, hostile offsets
 * and a million adds. */
#include <sys/resource.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ednsprobe/frame.h"

static const uint8_t SRC4[4] = { 192, 0, 2, 53 };
static const uint8_t DST4[4] = { 198, 51, 100, 7 };
static const uint8_t SRC6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x53,
    [15] = 0x53 };
static const uint8_t DST6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x07,
    [15] = 0x07 };

/*
 * A fragment of datagram id: payload bytes [off, off + len), MF mf, frame
 * number n captured at n milliseconds.  A first fragment (off 0) carries
 * ports 53 -> 40000 and a DNS reply header with id 0xbeef.
 */
static struct ep_frame
frag(int family, uint32_t id, uint32_t off, uint32_t len, int mf, uint32_t n)
{
	struct ep_frame f;

	memset(&f, 0, sizeof(f));
	f.number = n;
	f.ts_us = 1700000000000000ull + (uint64_t)n * 1000;
	f.ip.family = family;
	if (family == 4) {
		memcpy(f.ip.src, SRC4, 4);
		memcpy(f.ip.dst, DST4, 4);
		f.ip.hdr_len = 20;
	} else {
		memcpy(f.ip.src, SRC6, 16);
		memcpy(f.ip.dst, DST6, 16);
		f.ip.hdr_len = 48;		/* fixed header + Fragment */
	}
	f.ip.proto = 17;
	if (family == 6)
		f.ip.frag_next = 17;	/* the Fragment header's */
	f.ip.ip_id = id;
	f.ip.is_frag = 1;
	f.ip.more_frags = mf;
	f.ip.frag_off = off;
	f.ip.total_len = (uint16_t)(f.ip.hdr_len + len);
	f.caplen = f.wirelen = 14u + f.ip.total_len;
	if (off == 0) {
		f.ip.has_ports = 1;
		f.ip.sport = 53;
		f.ip.dport = 40000;
		f.l4 = EP_L4_UDP;
		f.has_dns = 1;
		f.dns.id = 0xbeef;
		f.dns.length = 3000;
		f.dns.status = EP_DNS_TRUNCATED;
	}
	return f;
}

static struct ep_frag_dgram *
add(struct ep_frag_table *t, int family, uint32_t id, uint32_t off,
    uint32_t len, int mf, uint32_t n)
{
	struct ep_frame f = frag(family, id, off, len, mf, n);
	struct ep_frag_dgram *d = ep_frag_add(t, &f);

	assert_non_null(d);
	return d;
}

static int
count(const struct ep_frag_table *t)
{
	int n = 0;

	while (ep_frag_at(t, n) != NULL)
		n++;
	return n;
}

static void
assert_range(const struct ep_frag_dgram *d, int i, uint32_t from,
    uint32_t to)
{
	assert_true(i < d->nranges);
	assert_int_equal(d->ranges[i].from, from);
	assert_int_equal(d->ranges[i].to, to);
}

static void
test_in_order(void **state)
{
	struct ep_frag_table *t = ep_frag_new(8);
	struct ep_frag_dgram *d;

	(void)state;
	d = add(t, 4, 7, 0, 1480, 1, 1);
	assert_true(d->first_seen);
	assert_false(d->last_seen || d->complete || d->overlap);
	assert_int_equal(d->family, 4);
	assert_memory_equal(d->src, SRC4, 4);
	assert_memory_equal(d->dst, DST4, 4);
	assert_int_equal(d->proto, 17);
	assert_int_equal(d->id, 7);
	assert_true(d->has_ports);
	assert_int_equal(d->sport, 53);
	assert_int_equal(d->dport, 40000);
	assert_true(d->has_dns);
	assert_int_equal(d->dns.id, 0xbeef);
	d = add(t, 4, 7, 1480, 1480, 1, 2);
	assert_false(d->complete);
	assert_int_equal(d->nranges, 1);
	d = add(t, 4, 7, 2960, 100, 0, 3);
	assert_true(d->last_seen && d->complete);
	assert_false(d->overlap || d->overflow);
	assert_int_equal(d->total, 3060);
	assert_int_equal(d->nranges, 1);
	assert_range(d, 0, 0, 3060);
	assert_int_equal(d->nfrags, 3);
	assert_int_equal(d->nframes, 3);
	assert_int_equal(d->frames[0], 1);
	assert_int_equal(d->frames[2], 3);
	assert_int_equal(d->first_us, 1700000000001000ull);
	assert_int_equal(d->last_us, 1700000000003000ull);
	assert_int_equal(count(t), 1);
	assert_ptr_equal(ep_frag_at(t, 0), d);
	assert_int_equal(ep_frag_evicted(t), 0);
	ep_frag_free(t);
}

static void
test_out_of_order(void **state)
{
	struct ep_frag_table *t = ep_frag_new(8);
	struct ep_frag_dgram *d;
	struct ep_frame f;

	(void)state;
	d = add(t, 4, 9, 2960, 100, 0, 5);
	assert_true(d->last_seen);
	assert_int_equal(d->total, 3060);
	assert_false(d->first_seen || d->complete);
	d = add(t, 4, 9, 0, 1480, 1, 6);
	assert_true(d->first_seen);
	assert_false(d->complete);
	assert_int_equal(d->nranges, 2);
	assert_range(d, 0, 0, 1480);
	assert_range(d, 1, 2960, 3060);
	/* The middle one, captured with an earlier timestamp. */
	f = frag(4, 9, 1480, 1480, 1, 4);
	d = ep_frag_add(t, &f);
	assert_true(d->complete);
	assert_false(d->overlap);
	assert_range(d, 0, 0, 3060);
	assert_int_equal(d->first_us, f.ts_us);
	assert_int_equal(d->last_us, 1700000000006000ull);
	assert_int_equal(d->frames[0], 5);
	assert_int_equal(d->frames[2], 4);
	ep_frag_free(t);
}

static void
test_duplicates(void **state)
{
	struct ep_frag_table *t = ep_frag_new(8);
	struct ep_frag_dgram *d;

	(void)state;
	add(t, 4, 1, 0, 1480, 1, 1);
	d = add(t, 4, 1, 0, 1480, 1, 2);
	/* An exact duplicate is no overlap: receivers keep reassembling. */
	assert_false(d->overlap);
	assert_int_equal(d->duplicates, 1);
	assert_int_equal(d->nfrags, 2);
	assert_int_equal(d->nranges, 1);
	assert_range(d, 0, 0, 1480);
	d = add(t, 4, 1, 1480, 20, 0, 3);
	assert_true(d->complete);
	d = add(t, 4, 1, 1480, 20, 0, 4);
	assert_true(d->complete);
	assert_false(d->overlap);
	assert_int_equal(d->duplicates, 2);
	assert_int_equal(d->total, 1500);
	assert_int_equal(d->nfrags, 4);
	assert_int_equal(d->nframes, 4);
	/* The same offset with another length is an overlap. */
	d = add(t, 4, 1, 1480, 16, 0, 5);
	assert_true(d->overlap);
	ep_frag_free(t);
}

static void
test_overlap(void **state)
{
	struct ep_frag_table *t = ep_frag_new(8);
	struct ep_frag_dgram *d;

	(void)state;
	/* Touching ranges merge but do not overlap. */
	add(t, 4, 2, 0, 8, 1, 1);
	d = add(t, 4, 2, 8, 8, 1, 2);
	assert_false(d->overlap);
	assert_range(d, 0, 0, 16);
	/* A partial overlap, and a range that swallows two others. */
	d = add(t, 4, 2, 40, 16, 1, 3);
	assert_int_equal(d->nranges, 2);
	assert_false(d->overlap);
	d = add(t, 4, 2, 8, 40, 0, 4);
	assert_true(d->overlap);
	assert_int_equal(d->nranges, 1);
	assert_range(d, 0, 0, 56);
	/* The last fragment says 48 bytes but 56 arrived: a receiver drops
	 * it, so it is not complete. */
	assert_int_equal(d->total, 48);
	assert_false(d->complete);
	/* Growing a range to the left, touching and overlapping. */
	add(t, 4, 3, 32, 8, 0, 5);
	d = add(t, 4, 3, 24, 8, 1, 6);
	assert_false(d->overlap);
	assert_range(d, 0, 24, 40);
	d = add(t, 4, 3, 0, 28, 1, 7);
	assert_true(d->overlap);
	assert_int_equal(d->nranges, 1);
	assert_range(d, 0, 0, 40);
	assert_true(d->complete);
	ep_frag_free(t);
}

static void
test_missing_middle(void **state)
{
	struct ep_frag_table *t = ep_frag_new(8);
	struct ep_frag_dgram *d;

	(void)state;
	add(t, 4, 3, 0, 1480, 1, 1);
	d = add(t, 4, 3, 2960, 100, 0, 2);
	assert_true(d->first_seen && d->last_seen);
	assert_false(d->complete);
	assert_int_equal(d->nranges, 2);
	assert_range(d, 0, 0, 1480);
	assert_range(d, 1, 2960, 3060);
	ep_frag_free(t);
}

static void
test_missing_first(void **state)
{
	struct ep_frag_table *t = ep_frag_new(8);
	struct ep_frag_dgram *d;

	(void)state;
	add(t, 4, 4, 1480, 1480, 1, 1);
	d = add(t, 4, 4, 2960, 100, 0, 2);
	assert_true(d->last_seen);
	assert_false(d->first_seen || d->complete);
	assert_false(d->has_ports || d->has_dns);
	assert_range(d, 0, 1480, 3060);
	ep_frag_free(t);
}

static void
test_missing_last(void **state)
{
	struct ep_frag_table *t = ep_frag_new(8);
	struct ep_frag_dgram *d;

	(void)state;
	add(t, 4, 5, 0, 1480, 1, 1);
	d = add(t, 4, 5, 1480, 1480, 1, 2);
	assert_true(d->first_seen);
	assert_false(d->last_seen || d->complete);
	assert_int_equal(d->total, 0);
	assert_range(d, 0, 0, 2960);
	ep_frag_free(t);
}

/* The key: family, addresses, protocol and the whole 32-bit id. */
static void
test_keys_ipv6(void **state)
{
	struct ep_frag_table *t = ep_frag_new(16);
	struct ep_frag_dgram *d, *d6;
	struct ep_frame f;

	(void)state;
	d6 = add(t, 6, 0xdeadbeef, 0, 1232, 1, 1);
	assert_int_equal(d6->family, 6);
	assert_int_equal(d6->id, 0xdeadbeef);
	assert_memory_equal(d6->src, SRC6, 16);
	assert_memory_equal(d6->dst, DST6, 16);
	/* Same id, other family: another datagram. */
	d = add(t, 4, 0xdeadbeef, 0, 1480, 1, 2);
	assert_ptr_not_equal(d, d6);
	/* Ids that differ above 16 bits, or by one. */
	add(t, 6, 0x0000beef, 0, 1232, 1, 3);
	add(t, 6, 0xdeadbef0, 0, 1232, 1, 4);
	/* Another destination (last byte), another protocol. */
	f = frag(6, 0xdeadbeef, 0, 1232, 1, 5);
	f.ip.dst[15] ^= 1;
	ep_frag_add(t, &f);
	f = frag(6, 0xdeadbeef, 0, 1232, 1, 6);
	f.ip.proto = 6;
	f.ip.frag_next = 6;
	ep_frag_add(t, &f);
	assert_int_equal(count(t), 6);
	/* The last fragment finds the first one's datagram. */
	d = add(t, 6, 0xdeadbeef, 1232, 300, 0, 7);
	assert_ptr_equal(d, d6);
	assert_true(d->complete);
	assert_int_equal(d->total, 1532);
	assert_int_equal(d->nfrags, 2);
	assert_int_equal(count(t), 6);
	/* IPv4 bytes past the fourth are not part of the key. */
	f = frag(4, 0xdeadbeef, 1480, 20, 0, 8);
	memset(f.ip.src + 4, 0xaa, 12);
	d = ep_frag_add(t, &f);
	assert_int_equal(d->family, 4);
	assert_true(d->complete);
	assert_int_equal(count(t), 6);
	ep_frag_free(t);
}

static void
test_eviction(void **state)
{
	struct ep_frag_table *t = ep_frag_new(3);
	struct ep_frag_dgram *d;

	(void)state;
	add(t, 4, 1, 0, 8, 1, 1);
	add(t, 4, 2, 0, 8, 1, 2);
	add(t, 4, 3, 0, 8, 1, 3);
	/* Touching datagram 1 again does not make it younger: eviction is
	 * by arrival of the first fragment. */
	add(t, 4, 1, 8, 8, 0, 4);
	assert_int_equal(ep_frag_evicted(t), 0);
	add(t, 4, 4, 0, 8, 1, 5);
	assert_int_equal(ep_frag_evicted(t), 1);
	assert_int_equal(count(t), 3);
	/* Oldest first: 2, 3, 4. */
	assert_int_equal(ep_frag_at(t, 0)->id, 2);
	assert_int_equal(ep_frag_at(t, 1)->id, 3);
	assert_int_equal(ep_frag_at(t, 2)->id, 4);
	assert_null(ep_frag_at(t, 3));
	assert_null(ep_frag_at(t, -1));
	/* Datagram 1 comes back as new: its old state is gone. */
	d = add(t, 4, 1, 16, 8, 0, 6);
	assert_int_equal(d->nfrags, 1);
	assert_false(d->first_seen);
	assert_int_equal(ep_frag_evicted(t), 2);
	assert_int_equal(ep_frag_at(t, 0)->id, 3);
	assert_int_equal(ep_frag_at(t, 2)->id, 1);
	/* The survivors are still found after the slots were shifted. */
	d = add(t, 4, 3, 8, 8, 0, 7);
	assert_int_equal(d->id, 3);
	assert_true(d->complete);
	d = add(t, 4, 4, 8, 8, 0, 8);
	assert_true(d->complete);
	assert_int_equal(ep_frag_evicted(t), 2);
	ep_frag_free(t);
}

static void
test_hostile(void **state)
{
	struct ep_frag_table *t = ep_frag_new(8);
	struct ep_frag_dgram *d;
	struct ep_frame f;
	uint32_t off;

	(void)state;
	assert_null(ep_frag_new(0));
	assert_null(ep_frag_new(-1));
	ep_frag_free(NULL);
	assert_null(ep_frag_at(NULL, 0));
	assert_int_equal(ep_frag_evicted(NULL), 0);
	/* Not fragments, or no IP. */
	f = frag(4, 1, 0, 8, 0, 1);
	f.ip.is_frag = 0;
	assert_null(ep_frag_add(t, &f));
	f = frag(4, 1, 0, 8, 1, 1);
	f.ip.family = 0;
	assert_null(ep_frag_add(t, &f));
	assert_null(ep_frag_add(NULL, &f));
	assert_null(ep_frag_add(t, NULL));
	assert_int_equal(count(t), 0);

	/* Offsets at and past what IPv4/IPv6 can say, up to UINT32_MAX:
	 * the end is clamped, never wraps. */
	d = add(t, 4, 10, 65528, 65515, 1, 1);
	assert_range(d, 0, 65528, 65528 + 65515);
	f = frag(4, 10, UINT32_MAX - 100, 65515, 0, 2);
	d = ep_frag_add(t, &f);
	assert_int_equal(d->nranges, 2);
	assert_range(d, 1, UINT32_MAX - 100, UINT32_MAX);
	assert_int_equal(d->total, UINT32_MAX);
	f = frag(4, 10, UINT32_MAX, 65515, 1, 3);
	d = ep_frag_add(t, &f);		/* empty once clamped */
	assert_int_equal(d->nranges, 2);
	assert_int_equal(d->nfrags, 3);
	assert_false(d->complete);

	/* Zero-length fragments and a header longer than the packet. */
	d = add(t, 4, 11, 0, 0, 1, 4);
	assert_true(d->first_seen);
	assert_int_equal(d->nranges, 0);
	f = frag(4, 11, 800, 0, 1, 5);
	f.ip.hdr_len = 60;		/* > total_len 20 */
	d = ep_frag_add(t, &f);
	assert_int_equal(d->nranges, 0);
	d = add(t, 4, 11, 0, 800, 1, 6);
	assert_false(d->overlap);
	d = add(t, 4, 11, 800, 0, 0, 7);	/* empty last fragment */
	assert_true(d->complete);
	assert_int_equal(d->total, 800);
	/* A later, smaller last fragment: bytes past the end. */
	d = add(t, 4, 11, 400, 8, 0, 8);
	assert_int_equal(d->total, 408);
	assert_true(d->overlap);
	assert_false(d->complete);

	/* More disjoint ranges than kept: overflow; filling the gaps still
	 * proves the whole datagram arrived. */
	for (off = 0; off <= 16 * EP_FRAG_RANGES; off += 16)
		d = add(t, 4, 12, off, 8, 1, 9);
	assert_true(d->overflow);
	assert_int_equal(d->nranges, EP_FRAG_RANGES);
	assert_int_equal(d->nfrags, EP_FRAG_RANGES + 1);
	assert_int_equal(d->nframes, EP_FRAG_FRAMES);
	for (off = 8; off < 16 * EP_FRAG_RANGES; off += 16)
		d = add(t, 4, 12, off, 8, 1, 10);
	assert_int_equal(d->nranges, 1);
	assert_false(d->complete);
	d = add(t, 4, 12, 16 * EP_FRAG_RANGES - 8, 16, 0, 11);
	/* Overlaps [248, 256); [256, 264) had been dropped. */
	assert_true(d->overlap);
	assert_range(d, 0, 0, 16 * EP_FRAG_RANGES + 8);
	assert_true(d->complete);
	/* A later first fragment without ports keeps the earlier ones. */
	f = frag(4, 7, 0, 8, 1, 12);
	d = ep_frag_add(t, &f);
	f.ip.has_ports = 0;
	f.has_dns = 0;
	d = ep_frag_add(t, &f);
	assert_true(d->has_ports && d->has_dns);
	assert_int_equal(d->dport, 40000);
	ep_frag_free(t);
}

static long
maxrss_kb(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss;
}

/*
 * A million adds (half a million datagrams, two fragments each) through
 * a table of 4096: the table stays at 4096, every datagram completes, the
 * evictions are counted exactly, and memory does not grow.  Ids step by
 * 256, so a hash that only looked at their low bits would pile them into
 * a few long probe runs.
 */
static void
test_million(void **state)
{
	enum { MAX = 4096, DGRAMS = 500000 };
	struct ep_frag_table *t = ep_frag_new(MAX);
	struct ep_frag_dgram *d;
	struct ep_frame first, last;
	struct timespec t0, t1;
	long rss0;
	double secs;

	(void)state;
	assert_non_null(t);
	first = frag(4, 0, 0, 1480, 1, 0);
	last = frag(4, 0, 1480, 20, 0, 0);
	rss0 = maxrss_kb();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint32_t i = 0; i < DGRAMS; i++) {
		first.ip.ip_id = last.ip.ip_id = i << 8;
		first.number = 2 * i + 1;
		last.number = 2 * i + 2;
		ep_frag_add(t, &first);
		d = ep_frag_add(t, &last);
		if (d->id != i << 8 || !d->complete || d->nfrags != 2)
			fail_msg("datagram %u: id %u, complete %d, %d frags",
			    i, d->id, d->complete, d->nfrags);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("1000000 adds in %.3f s, max RSS +%ld KiB\n", secs,
	    maxrss_kb() - rss0);
	assert_int_equal(count(t), MAX);
	assert_int_equal(ep_frag_evicted(t), DGRAMS - MAX);
	/* The survivors are the youngest, oldest first. */
	assert_int_equal(ep_frag_at(t, 0)->id, (uint32_t)(DGRAMS - MAX) << 8);
	assert_int_equal(ep_frag_at(t, MAX - 1)->id,
	    (uint32_t)(DGRAMS - 1) << 8);
	/* Nothing allocated per add: the table's own pages at most. */
	assert_true(maxrss_kb() - rss0 <
	    (long)(MAX * sizeof(struct ep_frag_dgram) / 1024) + 8192);
	/* 0.2 s with sanitizers here; a hash blind to the ids' high bits
	 * took 8 s. */
	assert_true(secs < 3.0);
	ep_frag_free(t);
}

/*
 * Reassembly with bytes kept (ep_frag_keep_bytes): a UDP datagram 53 ->
 * 40000 carrying a DNS reply (id 0xbeef, one question, 1000 bytes of
 * answer, an OPT record with size 4096 and DO) sent as fragments of step
 * bytes; the first fragment's frame says what frame.c says of it.
 */
static size_t
dns_reply(uint8_t *p)
{
	static const uint8_t hdr[] = { 0xbe, 0xef, 0x84, 0x00, 0, 1, 0, 1,
	    0, 0, 0, 1, 1, 'a', 0, 0, 1, 0, 1 };
	size_t n = 0, rdlen = 1000;

	memcpy(p, hdr, sizeof(hdr));
	n = sizeof(hdr);
	/* a. TXT IN 0 RDLENGTH 1000: one long string run, then padding */
	p[n++] = 0xc0; p[n++] = 12;
	p[n++] = 0; p[n++] = 16; p[n++] = 0; p[n++] = 1;
	memset(p + n, 0, 4); n += 4;
	p[n++] = (uint8_t)(rdlen >> 8); p[n++] = (uint8_t)rdlen;
	for (size_t k = 0; k < rdlen; k += 250) {
		p[n++] = 249;
		memset(p + n, 'x', 249);
		n += 249;
	}
	/* OPT: root, type 41, class 4096, ttl: DO, rdlength 0 */
	p[n++] = 0; p[n++] = 0; p[n++] = 41; p[n++] = 0x10; p[n++] = 0;
	p[n++] = 0; p[n++] = 0; p[n++] = 0x80; p[n++] = 0;
	p[n++] = 0; p[n++] = 0;
	return n;
}

/* The datagram (UDP header + the reply) into buf; its length. */
static size_t
datagram(uint8_t *buf, size_t lead)
{
	size_t n;

	memset(buf, 0, lead);		/* IPv6 headers after Fragment */
	n = dns_reply(buf + lead + 8);
	buf[lead] = 0; buf[lead + 1] = 53;
	buf[lead + 2] = 0x9c; buf[lead + 3] = 0x40;
	buf[lead + 4] = (uint8_t)((n + 8) >> 8);
	buf[lead + 5] = (uint8_t)(n + 8);
	return lead + 8 + n;
}

static struct ep_frag_dgram *
add_data(struct ep_frag_table *t, int family, const uint8_t *buf,
    size_t total, uint32_t off, uint32_t len, uint32_t n, uint32_t caplen)
{
	struct ep_frame f = frag(family, 9, off, len, off + len < total, n);
	struct ep_frag_dgram *d;

	f.frag_data = buf + off;
	f.frag_caplen = caplen;
	if (off == 0)
		f.dns.length = total - 8;
	d = ep_frag_add(t, &f);
	assert_non_null(d);
	return d;
}

static void
test_reassembly(void **state)
{
	static const uint32_t order[][3] = { { 0, 1, 2 }, { 2, 0, 1 },
	    { 1, 2, 0 } };
	uint8_t buf[2048];
	size_t total = datagram(buf, 0);

	(void)state;
	for (size_t k = 0; k < 3; k++) {
		struct ep_frag_table *t = ep_frag_new(8);
		struct ep_frag_dgram *d = NULL;

		ep_frag_keep_bytes(t, 1 << 20);
		for (int i = 0; i < 3; i++) {
			uint32_t off = order[k][i] * 512;
			uint32_t len = off + 512 < total ? 512 :
			    (uint32_t)total - off;

			assert_true(d == NULL || !d->dns_whole);
			d = add_data(t, 4, buf, total, off, len, (uint32_t)i + 1,
			    len);
		}
		assert_true(d->complete && d->dns_whole);
		assert_int_equal(d->dns.status, EP_DNS_OK);
		assert_int_equal(d->dns.id, 0xbeef);
		assert_int_equal(d->dns.opt_count, 1);
		assert_int_equal(d->dns.edns_udp, 4096);
		assert_int_equal(d->dns.length, total - 8);
		assert_null(d->bytes);		/* given back once whole */
		ep_frag_free(t);
	}
}

/* IPv6: a Destination Options header after the Fragment header is data
 * of the first fragment, before the UDP header (l4_off). */
static void
test_reassembly_v6_dstopts(void **state)
{
	uint8_t buf[2048];
	size_t total = datagram(buf, 8);
	struct ep_frag_table *t = ep_frag_new(8);
	struct ep_frame f = frag(6, 9, 0, 1024, 1, 1);
	struct ep_frag_dgram *d;

	(void)state;
	ep_frag_keep_bytes(t, 1 << 20);
	f.ip.hdr_len = 56;		/* + Destination Options */
	f.ip.frag_hdr_end = 48;
	f.ip.total_len = 48 + 1024;
	f.frag_data = buf;
	f.frag_caplen = 1024;
	assert_non_null(ep_frag_add(t, &f));
	d = add_data(t, 6, buf, total, 1024, (uint32_t)total - 1024, 2,
	    (uint32_t)total - 1024);
	assert_true(d->complete && d->dns_whole);
	assert_int_equal(d->l4_off, 8);
	assert_int_equal(d->dns.opt_count, 1);
	ep_frag_free(t);
}

/* No reassembly from what was not all there: a fragment cut by the snap
 * length, overlapping pieces, bytes over the table's bound, bytes not
 * kept at all. */
static void
test_reassembly_refused(void **state)
{
	uint8_t buf[2048];
	size_t total = datagram(buf, 0);
	struct ep_frag_table *t;
	struct ep_frag_dgram *d;

	(void)state;
	t = ep_frag_new(8);
	ep_frag_keep_bytes(t, 1 << 20);
	add_data(t, 4, buf, total, 0, 1024, 1, 96);	/* snap 96 */
	d = add_data(t, 4, buf, total, 1024, (uint32_t)total - 1024, 2,
	    (uint32_t)total - 1024);
	assert_true(d->complete && d->bytes_short && !d->dns_whole);
	assert_int_equal(d->dns.status, EP_DNS_TRUNCATED);
	ep_frag_free(t);

	t = ep_frag_new(8);
	ep_frag_keep_bytes(t, 1 << 20);
	add_data(t, 4, buf, total, 0, 1024, 1, 1024);
	add_data(t, 4, buf, total, 1000, 24, 2, 24);	/* overlaps */
	d = add_data(t, 4, buf, total, 1024, (uint32_t)total - 1024, 3,
	    (uint32_t)total - 1024);
	assert_true(d->complete && d->overlap && !d->dns_whole);
	ep_frag_free(t);

	t = ep_frag_new(8);
	ep_frag_keep_bytes(t, 1000);			/* less than one */
	add_data(t, 4, buf, total, 0, 1024, 1, 1024);
	d = add_data(t, 4, buf, total, 1024, (uint32_t)total - 1024, 2,
	    (uint32_t)total - 1024);
	assert_true(d->complete && d->bytes_short && !d->dns_whole);
	ep_frag_free(t);

	t = ep_frag_new(8);				/* bytes not kept */
	add_data(t, 4, buf, total, 0, 1024, 1, 1024);
	d = add_data(t, 4, buf, total, 1024, (uint32_t)total - 1024, 2,
	    (uint32_t)total - 1024);
	assert_true(d->complete && !d->dns_whole && d->bytes == NULL);
	ep_frag_free(t);
}

/* Evicted datagrams give their bytes back (ASan and the bound tell). */
static void
test_reassembly_eviction(void **state)
{
	uint8_t buf[2048];
	size_t total = datagram(buf, 0);
	struct ep_frag_table *t = ep_frag_new(4);

	(void)state;
	ep_frag_keep_bytes(t, 4 * 1024);
	for (uint32_t id = 0; id < 100; id++) {
		struct ep_frame f = frag(4, id, 0, 1024, 1, id + 1);

		f.frag_data = buf;
		f.frag_caplen = 1024;
		/* Never completed: each holds 1024 bytes until evicted, so
		 * the bound of 4 KiB holds all four the table keeps. */
		assert_false(ep_frag_add(t, &f)->bytes_short);
	}
	assert_int_equal(ep_frag_evicted(t), 96);
	(void)total;
	ep_frag_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_missing_middle),
		cmocka_unit_test(test_missing_first),
		cmocka_unit_test(test_missing_last),
		cmocka_unit_test(test_keys_ipv6),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_million),
		cmocka_unit_test(test_reassembly),
		cmocka_unit_test(test_reassembly_v6_dstopts),
		cmocka_unit_test(test_reassembly_refused),
		cmocka_unit_test(test_reassembly_eviction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
