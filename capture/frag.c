/* capture/frag.c: fragment bookkeeping per IP datagram, bounded.  An open
 * hash table (linear probing) over a fixed array; when full, the oldest
 * datagram is evicted and counted. */
#include <stdlib.h>
#include <string.h>

#include "ednsprobe/frame.h"

struct ep_frag_table {
	struct ep_frag_dgram	*d;	/* max entries, insertion order */
	int			 max, n;
	int			 evicted;
	int			 oldest;	/* next to evict when full */
	int			*slot;		/* hash -> index + 1, 0 empty */
	int			 nslots;	/* power of two, >= 2 max */
};

struct ep_frag_table *
ep_frag_new(int max)
{
	struct ep_frag_table *t;

	if (max < 1 || max > 1 << 20 || (t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->max = max;
	for (t->nslots = 2; t->nslots < 2 * max; t->nslots *= 2)
		;
	t->d = calloc((size_t)max, sizeof(*t->d));
	t->slot = calloc((size_t)t->nslots, sizeof(*t->slot));
	if (t->d == NULL || t->slot == NULL) {
		ep_frag_free(t);
		return NULL;
	}
	return t;
}

void
ep_frag_free(struct ep_frag_table *t)
{
	if (t == NULL)
		return;
	free(t->d);
	free(t->slot);
	free(t);
}

static int
same(const struct ep_frag_dgram *d, const struct ep_ip *ip)
{
	size_t n = ip->family == 4 ? 4 : 16;

	return d->family == ip->family && d->proto == ip->proto &&
	    d->id == ip->ip_id && memcmp(d->src, ip->src, n) == 0 &&
	    memcmp(d->dst, ip->dst, n) == 0;
}

static unsigned
hash(const struct ep_ip *ip)
{
	size_t n = ip->family == 4 ? 4 : 16;
	uint32_t h = 2166136261u ^ ip->ip_id ^ ip->proto;	/* FNV-1a */

	for (size_t i = 0; i < n; i++) {
		h = (h ^ ip->src[i]) * 16777619u;
		h = (h ^ ip->dst[i]) * 16777619u;
	}
	return h;
}

static unsigned
hash_of(const struct ep_frag_dgram *d)
{
	struct ep_ip ip;

	memset(&ip, 0, sizeof(ip));
	ip.family = d->family;
	ip.proto = d->proto;
	ip.ip_id = d->id;
	memcpy(ip.src, d->src, 16);
	memcpy(ip.dst, d->dst, 16);
	return hash(&ip);
}

/* Remove datagram i from the slots: linear probing's backward shift, so
 * no tombstones and lookups stay short. */
static void
unslot(struct ep_frag_table *t, int i)
{
	unsigned mask = (unsigned)(t->nslots - 1), h = hash_of(&t->d[i]) & mask;
	unsigned j;

	while (t->slot[h] != i + 1) {
		if (t->slot[h] == 0)
			return;
		h = (h + 1) & mask;
	}
	t->slot[h] = 0;
	for (j = (h + 1) & mask; t->slot[j] != 0; j = (j + 1) & mask) {
		unsigned home = hash_of(&t->d[t->slot[j] - 1]) & mask;

		/* Move j back into the hole unless its home lies in
		 * (h, j] (cyclically). */
		if ((j > h && (home <= h || home > j)) ||
		    (j < h && home <= h && home > j)) {
			t->slot[h] = t->slot[j];
			t->slot[j] = 0;
			h = j;
		}
	}
}

static struct ep_frag_dgram *
lookup(struct ep_frag_table *t, const struct ep_ip *ip)
{
	unsigned mask = (unsigned)(t->nslots - 1), h = hash(ip) & mask;
	struct ep_frag_dgram *d;
	int i;

	for (; t->slot[h] != 0; h = (h + 1) & mask)
		if (same(&t->d[t->slot[h] - 1], ip))
			return &t->d[t->slot[h] - 1];
	if (t->n == t->max) {
		/* Full: the oldest goes, its place takes the new one. */
		i = t->oldest;
		t->oldest = (t->oldest + 1) % t->max;
		t->evicted++;
		unslot(t, i);
		for (h = hash(ip) & mask; t->slot[h] != 0; h = (h + 1) & mask)
			;
	} else
		i = t->n++;
	t->slot[h] = i + 1;
	d = &t->d[i];
	memset(d, 0, sizeof(*d));
	d->family = ip->family;
	d->proto = ip->proto;
	d->id = ip->ip_id;
	memcpy(d->src, ip->src, 16);
	memcpy(d->dst, ip->dst, 16);
	return d;
}

/* Merge [from, to) into the sorted, disjoint ranges of d. */
static void
add_range(struct ep_frag_dgram *d, uint32_t from, uint32_t to)
{
	int i, k;

	for (i = 0; i < d->nranges; i++)
		if (from < d->ranges[i].to && to > d->ranges[i].from)
			d->overlap = 1;
	/* First range that ends at or after from. */
	for (i = 0; i < d->nranges && d->ranges[i].to < from; i++)
		;
	if (i < d->nranges && d->ranges[i].from <= to) {
		/* Touches range i: grow it, swallow those it now reaches. */
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

struct ep_frag_dgram *
ep_frag_add(struct ep_frag_table *t, const struct ep_frame *f)
{
	const struct ep_ip *ip = &f->ip;
	struct ep_frag_dgram *d;
	uint32_t len, from, to;

	if (!ip->is_frag || (ip->family != 4 && ip->family != 6))
		return NULL;
	d = lookup(t, ip);
	len = ip->total_len > ip->hdr_len ?
	    (uint32_t)(ip->total_len - ip->hdr_len) : 0;
	from = ip->frag_off;
	to = from + len;		/* both < 2^17: no overflow */
	if (d->nfrags == 0)
		d->first_us = f->ts_us;
	d->last_us = f->ts_us;
	d->nfrags++;
	if (d->nframes < EP_FRAG_FRAMES)
		d->frames[d->nframes++] = f->number;
	if (len > 0)
		add_range(d, from, to);
	if (from == 0) {
		d->first_seen = 1;
		d->has_ports = ip->has_ports;
		d->sport = ip->sport;
		d->dport = ip->dport;
		if (f->has_dns) {
			d->has_dns = 1;
			d->dns = f->dns;
		}
	}
	if (!ip->more_frags) {
		d->last_seen = 1;
		d->total = to;
	}
	d->complete = d->first_seen && d->last_seen && !d->overflow &&
	    d->nranges == 1 && d->ranges[0].from == 0 &&
	    d->ranges[0].to >= d->total;
	return d;
}

const struct ep_frag_dgram *
ep_frag_at(const struct ep_frag_table *t, int i)
{
	return i >= 0 && i < t->n ? &t->d[i] : NULL;
}

int
ep_frag_evicted(const struct ep_frag_table *t)
{
	return t->evicted;
}
