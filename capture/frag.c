/* capture/frag.c: fragment bookkeeping per IP datagram, bounded (RFC 791
 * section 3.2, RFC 8200 section 4.5): which payload bytes of each
 * fragmented datagram crossed the wire; and, when asked, the bytes too,
 * so a fragmented DNS answer is read whole (ep_frag_keep_bytes).
 *
 * Semantics, for the callers (the header says what each field is):
 * - A datagram is keyed by family, source, destination, protocol and IP id
 *   (the IPv4 id or the IPv6 Fragment header's identification).
 * - A fragment carries payload bytes [frag_off, frag_off + total_len -
 *   hdr_len) (IPv6: total_len - frag_hdr_end, the data after the
 *   Fragment header).  The end is clamped at UINT32_MAX, so hostile
 *   offsets never wrap; a zero-length fragment is counted but adds no
 *   range.
 * - Ranges are kept merged (adjacent ranges join) and sorted.  A range
 *   that would be disjoint number EP_FRAG_RANGES + 1 is dropped and sets
 *   overflow; the kept ranges are then a subset of what arrived.
 * - overlap: a fragment shared at least one byte with what had arrived
 *   (touching is not overlapping); receivers drop such a datagram (RFC
 *   5722).  An exact copy of a fragment already seen (same offset and
 *   length: duplicated by the network, or captured twice) is counted in
 *   duplicates instead: receivers drop the copy and keep reassembling
 *   (RFC 8200 4.5; Linux does).  The first EP_FRAG_FRAMES distinct
 *   non-empty fragments (range and MF) are remembered for that; a copy
 *   of a later one counts as overlap.
 * - first_seen: a fragment at offset 0 arrived; the ports and DNS header
 *   are taken from it when it has them (a later copy without them, e.g.
 *   a shorter capture, does not erase what an earlier one gave).
 * - last_seen: a fragment with MF clear arrived; total is the end of its
 *   range (the latest such fragment wins).
 * - complete: first and last seen and the kept ranges are exactly one,
 *   [0, total).  Bytes beyond total (hostile: an earlier range past a
 *   later, smaller last fragment) leave it incomplete, as a receiver
 *   would drop such a datagram.
 * - nfrags counts every fragment (saturating), frames[] keeps the frame
 *   numbers of the first EP_FRAG_FRAMES, first_us/last_us are the
 *   smallest and largest capture times seen (files are not always in
 *   time order).
 *
 * The table: a fixed array of max datagrams in insertion order (a ring
 * once full) and an open-addressing hash (linear probing, load <= 1/2)
 * over it.  When full, the datagram inserted first is evicted and counted;
 * nothing is allocated after ep_frag_new but the bytes kept for
 * reassembly, which a datagram gives back once whole (or evicted) and
 * which never exceed the table's bound, so a million frames cost no
 * memory and O(1) work each on average. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ednsprobe/frame.h"

#define TABLE_MAX	(1 << 20)	/* datagrams; keeps slot indices int */
#define PAYLOAD_MAX	65535u		/* bytes of one datagram's payload */
#define PROTO_UDP	17

struct ep_frag_table {
	struct ep_frag_dgram	*d;	/* max entries, owned */
	uint32_t		*hash;	/* hash of d[i], owned */
	int			*slot;	/* index + 1 into d, 0 empty, owned */
	int			 max, n;
	int			 oldest;	/* index inserted first */
	int			 evicted;
	unsigned		 mask;	/* slots - 1, slots >= 2 max */
	size_t			 bytes_max;	/* 0: keep no bytes */
	size_t			 bytes_used;
};

struct ep_frag_table *
ep_frag_new(int max)
{
	struct ep_frag_table *t;
	size_t nslots;

	if (max < 1 || max > TABLE_MAX || (t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->max = max;
	for (nslots = 2; nslots < 2 * (size_t)max; nslots *= 2)
		;
	t->mask = (unsigned)(nslots - 1);
	t->d = calloc((size_t)max, sizeof(*t->d));
	t->hash = calloc((size_t)max, sizeof(*t->hash));
	t->slot = calloc(nslots, sizeof(*t->slot));
	if (t->d == NULL || t->hash == NULL || t->slot == NULL) {
		ep_frag_free(t);
		return NULL;
	}
	return t;
}

void
ep_frag_keep_bytes(struct ep_frag_table *t, size_t max)
{
	if (t != NULL)
		t->bytes_max = max;
}

static void
drop_bytes(struct ep_frag_table *t, struct ep_frag_dgram *d)
{
	t->bytes_used -= d->bytes_cap;
	free(d->bytes);
	d->bytes = NULL;
	d->bytes_cap = 0;
}

void
ep_frag_free(struct ep_frag_table *t)
{
	if (t == NULL)
		return;
	for (int i = 0; i < t->n; i++)
		free(t->d[i].bytes);
	free(t->d);
	free(t->hash);
	free(t->slot);
	free(t);
}

static size_t
addr_len(int family)
{
	return family == 4 ? 4 : 16;
}

/* The protocol of the key: IPv6 fragments of one datagram share their
 * Fragment header's Next Header, not the upper layer (a Destination
 * Options header after it is walked in the first fragment only). */
static uint8_t
key_proto(const struct ep_ip *ip)
{
	return ip->family == 6 ? ip->frag_next : ip->proto;
}

static int
same(const struct ep_frag_dgram *d, const struct ep_ip *ip)
{
	size_t n = addr_len(ip->family);

	return d->family == ip->family && d->key_proto == key_proto(ip) &&
	    d->id == ip->ip_id && memcmp(d->src, ip->src, n) == 0 &&
	    memcmp(d->dst, ip->dst, n) == 0;
}

static uint32_t
mix(uint32_t h, uint8_t b)
{
	return (h ^ b) * 16777619u;		/* FNV-1a step */
}

/* FNV-1a over the key, then a finaliser: FNV alone never carries high
 * bits down, and the slot is taken from the low bits (ids that differ
 * only above them, e.g. in steps of 256, must not share a slot). */
static uint32_t
hash(const struct ep_ip *ip)
{
	size_t n = addr_len(ip->family);
	uint32_t h = 2166136261u;

	h = mix(h, (uint8_t)ip->family);
	h = mix(h, key_proto(ip));
	for (int s = 0; s < 32; s += 8)
		h = mix(h, (uint8_t)(ip->ip_id >> s));
	for (size_t i = 0; i < n; i++) {
		h = mix(h, ip->src[i]);
		h = mix(h, ip->dst[i]);
	}
	h ^= h >> 16;				/* murmur3 fmix32 */
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* Take datagram i out of the slots.  Linear probing's backward shift
 * instead of tombstones, so probe runs never grow with churn. */
static void
unslot(struct ep_frag_table *t, int i)
{
	unsigned h = t->hash[i] & t->mask, j, home;

	while (t->slot[h] != i + 1) {
		if (t->slot[h] == 0)
			return;			/* not slotted: cannot be */
		h = (h + 1) & t->mask;
	}
	t->slot[h] = 0;
	for (j = (h + 1) & t->mask; t->slot[j] != 0; j = (j + 1) & t->mask) {
		home = t->hash[t->slot[j] - 1] & t->mask;
		/* Entry j may fill the hole at h unless its home lies
		 * cyclically in (h, j]. */
		if (h < j ? (home <= h || home > j) : (home <= h && home > j)) {
			t->slot[h] = t->slot[j];
			t->slot[j] = 0;
			h = j;
		}
	}
}

/* The datagram of ip: found, or created (evicting the oldest if full). */
static struct ep_frag_dgram *
lookup(struct ep_frag_table *t, const struct ep_ip *ip)
{
	uint32_t hv = hash(ip);
	unsigned h;
	struct ep_frag_dgram *d;
	int i;

	for (h = hv & t->mask; t->slot[h] != 0; h = (h + 1) & t->mask) {
		d = &t->d[t->slot[h] - 1];
		if (t->hash[t->slot[h] - 1] == hv && same(d, ip))
			return d;
	}
	if (t->n == t->max) {
		i = t->oldest;
		t->oldest = (t->oldest + 1) % t->max;
		if (t->evicted < INT_MAX)
			t->evicted++;
		unslot(t, i);
		drop_bytes(t, &t->d[i]);
		/* The shift may have moved entries: probe again. */
		for (h = hv & t->mask; t->slot[h] != 0; h = (h + 1) & t->mask)
			;
	} else
		i = t->n++;
	t->slot[h] = i + 1;
	t->hash[i] = hv;
	d = &t->d[i];
	memset(d, 0, sizeof(*d));
	d->family = ip->family;
	d->proto = ip->proto;
	d->key_proto = key_proto(ip);
	d->id = ip->ip_id;
	memcpy(d->src, ip->src, addr_len(ip->family));
	memcpy(d->dst, ip->dst, addr_len(ip->family));
	return d;
}

/* Merge [from, to), to > from, into the sorted, disjoint ranges of d. */
static void
add_range(struct ep_frag_dgram *d, uint32_t from, uint32_t to)
{
	int i, k;

	for (i = 0; i < d->nranges; i++)
		if (from < d->ranges[i].to && to > d->ranges[i].from)
			d->overlap = 1;
	/* The first range that ends at or after from. */
	for (i = 0; i < d->nranges && d->ranges[i].to < from; i++)
		;
	if (i < d->nranges && d->ranges[i].from <= to) {
		/* Touches range i: grow it, swallow the ones it reaches. */
		if (from < d->ranges[i].from)
			d->ranges[i].from = from;
		if (to > d->ranges[i].to)
			d->ranges[i].to = to;
		for (k = i + 1; k < d->nranges &&
		    d->ranges[k].from <= d->ranges[i].to; k++)
			if (d->ranges[k].to > d->ranges[i].to)
				d->ranges[i].to = d->ranges[k].to;
		memmove(&d->ranges[i + 1], &d->ranges[k],
		    (size_t)(d->nranges - k) * sizeof(d->ranges[0]));
		d->nranges -= k - (i + 1);
		return;
	}
	if (d->nranges == EP_FRAG_RANGES) {
		d->overflow = 1;
		return;
	}
	memmove(&d->ranges[i + 1], &d->ranges[i],
	    (size_t)(d->nranges - i) * sizeof(d->ranges[0]));
	d->ranges[i].from = from;
	d->ranges[i].to = to;
	d->nranges++;
}

/* Copy the data of fragment f, [from, from + len), into d's payload:
 * reassembly as far as the capture and the table's bound allow. */
static void
keep_bytes(struct ep_frag_table *t, struct ep_frag_dgram *d,
    const struct ep_frame *f, uint32_t from, uint32_t len)
{
	uint8_t *p;

	if (t->bytes_max == 0 || d->bytes_short || d->dns_whole || len == 0)
		return;
	if (f->frag_data == NULL || f->frag_caplen < len ||
	    from > PAYLOAD_MAX - len) {
		drop_bytes(t, d);
		d->bytes_short = 1;
		return;
	}
	if (from + len > d->bytes_cap) {
		size_t grow = from + len - d->bytes_cap;

		if (t->bytes_used + grow > t->bytes_max ||
		    (p = realloc(d->bytes, from + len)) == NULL) {
			drop_bytes(t, d);
			d->bytes_short = 1;
			return;
		}
		d->bytes = p;
		d->bytes_cap = from + len;
		t->bytes_used += grow;
	}
	memcpy(d->bytes + from, f->frag_data, len);
}

/* d is complete, every byte kept: its DNS message read whole, as the
 * receiver's stack hands it over (UDP only; the first fragment must have
 * looked like DNS).  The bytes are not needed after that. */
static void
reassemble(struct ep_frag_table *t, struct ep_frag_dgram *d)
{
	struct ep_dns_msg m;
	const uint8_t *u;
	size_t n, ulen;

	if (d->bytes == NULL || d->bytes_short || d->overlap || d->overflow ||
	    d->proto != PROTO_UDP || !d->has_dns || d->bytes_cap < d->total ||
	    d->total < (uint32_t)d->l4_off + 8)
		return;
	u = d->bytes + d->l4_off;
	n = d->total - d->l4_off;
	ulen = (size_t)u[4] << 8 | u[5];
	if (ulen >= 8 && ulen < n)
		n = ulen;		/* padding after the datagram */
	ep_dns_dissect(u + 8, n - 8, &m);
	if (m.status != EP_DNS_SHORT && m.id == d->dns.id) {
		d->dns = m;
		d->dns_whole = 1;
	}
	drop_bytes(t, d);
}

struct ep_frag_dgram *
ep_frag_add(struct ep_frag_table *t, const struct ep_frame *f)
{
	const struct ep_ip *ip;
	struct ep_frag_dgram *d;
	uint32_t len, from, to, hl;
	int dup = 0;

	if (t == NULL || f == NULL)
		return NULL;
	ip = &f->ip;
	if (!ip->is_frag || (ip->family != 4 && ip->family != 6))
		return NULL;
	d = lookup(t, ip);
	/* IPv6: the data starts after the Fragment header; a Destination
	 * Options header after it is data of the first fragment. */
	hl = ip->frag_hdr_end != 0 ? ip->frag_hdr_end : ip->hdr_len;
	len = ip->total_len > hl ? (uint32_t)(ip->total_len - hl) : 0;
	from = ip->frag_off;
	to = from > UINT32_MAX - len ? UINT32_MAX : from + len;
	if (d->nfrags == 0 || f->ts_us < d->first_us)
		d->first_us = f->ts_us;
	if (d->nfrags == 0 || f->ts_us > d->last_us)
		d->last_us = f->ts_us;
	if (d->nfrags < INT_MAX)
		d->nfrags++;
	if (d->nframes < EP_FRAG_FRAMES)
		d->frames[d->nframes++] = f->number;
	for (int i = 0; i < d->npieces && !dup; i++)
		dup = d->pieces[i].from == from && d->pieces[i].to == to &&
		    d->pieces[i].more == ip->more_frags;
	if (dup && d->duplicates < INT_MAX)
		d->duplicates++;	/* receivers drop the copy alone */
	if (!dup && to > from && d->npieces < EP_FRAG_FRAMES) {
		d->pieces[d->npieces].from = from;
		d->pieces[d->npieces].to = to;
		d->pieces[d->npieces++].more = ip->more_frags != 0;
	}
	if (!dup && to > from) {
		add_range(d, from, to);
		keep_bytes(t, d, f, from, to - from);
	}
	if (from == 0) {
		d->first_seen = 1;
		d->proto = ip->proto;
		if (ip->family == 6 && ip->hdr_len > ip->frag_hdr_end &&
		    ip->frag_hdr_end != 0)
			d->l4_off = (uint16_t)(ip->hdr_len - ip->frag_hdr_end);
		if (ip->has_ports) {
			d->has_ports = 1;
			d->sport = ip->sport;
			d->dport = ip->dport;
		}
		if (f->has_dns) {
			d->has_dns = 1;
			d->dns = f->dns;
		}
	}
	if (!ip->more_frags) {
		d->last_seen = 1;
		d->total = to;
	}
	d->complete = d->first_seen && d->last_seen && d->nranges == 1 &&
	    d->ranges[0].from == 0 && d->ranges[0].to == d->total;
	if (d->complete && !d->dns_whole)
		reassemble(t, d);
	return d;
}

/* Oldest first: once full the array is a ring starting at t->oldest. */
const struct ep_frag_dgram *
ep_frag_at(const struct ep_frag_table *t, int i)
{
	if (t == NULL || i < 0 || i >= t->n)
		return NULL;
	return &t->d[(t->oldest + i) % t->max];
}

struct ep_frag_dgram *
ep_frag_at_mut(struct ep_frag_table *t, int i)
{
	if (t == NULL || i < 0 || i >= t->n)
		return NULL;
	return &t->d[(t->oldest + i) % t->max];
}

int
ep_frag_evicted(const struct ep_frag_table *t)
{
	return t == NULL ? 0 : t->evicted;
}
