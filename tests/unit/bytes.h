/* tests/unit/bytes.h: building packets and messages byte by byte, for
 * the dissector tests (include after cmocka.h).  Big endian unless the
 * name says le; every put is checked against the buffer's size. */
#ifndef EP_TEST_BYTES_H
#define EP_TEST_BYTES_H

#include <stdint.h>
#include <string.h>

struct bytes {
	uint8_t	b[2048];
	size_t	n;
};

static inline void
put8(struct bytes *p, unsigned v)
{
	assert_true(p->n < sizeof(p->b));
	p->b[p->n++] = (uint8_t)v;
}

static inline void
put16(struct bytes *p, unsigned v)
{
	put8(p, v >> 8);
	put8(p, v & 0xff);
}

static inline void
put16le(struct bytes *p, unsigned v)
{
	put8(p, v & 0xff);
	put8(p, v >> 8);
}

static inline void
put32(struct bytes *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p, v & 0xffff);
}

static inline void
put32le(struct bytes *p, uint32_t v)
{
	put16le(p, v & 0xffff);
	put16le(p, v >> 16);
}

static inline void
putn(struct bytes *p, const void *v, size_t n)
{
	assert_true(n <= sizeof(p->b) - p->n);
	memcpy(p->b + p->n, v, n);
	p->n += n;
}

/* A DNS header (RFC 1035 4.1.1). */
static inline void
put_dns_header(struct bytes *p, unsigned id, unsigned flags, unsigned qd,
    unsigned an, unsigned ns, unsigned ar)
{
	put16(p, id);
	put16(p, flags);
	put16(p, qd);
	put16(p, an);
	put16(p, ns);
	put16(p, ar);
}

#endif
