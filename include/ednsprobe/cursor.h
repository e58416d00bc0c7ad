/* include/ednsprobe/cursor.h: the one bounds-checked reader for packet
 * bytes. */
#ifndef EDNSPROBE_CURSOR_H
#define EDNSPROBE_CURSOR_H

#include <stddef.h>
#include <stdint.h>

enum {
	EP_CUR_OK = 0,
	EP_ETRUNC,	/* ran past the captured bytes */
	EP_EMALFORMED,	/* the bytes contradict the protocol */
};

/*
 * All packet bytes, live or from a file, are hostile.  Every read checks
 * the bound; the first failure sticks, and after it every read returns 0
 * and moves nothing, so a run of reads needs one check of err at the end.
 */
struct ep_cursor {
	const uint8_t	*start;	/* first byte of the message (for pointers) */
	const uint8_t	*p;	/* next unread byte */
	const uint8_t	*end;	/* one past the last captured byte */
	int		 err;	/* sticky: first failure, 0 if none */
};

static inline void
ep_cursor_init(struct ep_cursor *c, const uint8_t *buf, size_t len)
{
	c->start = buf;
	c->p = buf;
	c->end = buf + len;
	c->err = EP_CUR_OK;
}

static inline size_t
ep_cursor_left(const struct ep_cursor *c)
{
	return c->err ? 0 : (size_t)(c->end - c->p);
}

static inline int
ep_cursor_need(struct ep_cursor *c, size_t n)
{
	if (c->err == 0 && (size_t)(c->end - c->p) < n)
		c->err = EP_ETRUNC;
	return c->err == 0;
}

static inline uint8_t
ep_cursor_u8(struct ep_cursor *c)
{
	if (!ep_cursor_need(c, 1))
		return 0;
	return *c->p++;
}

static inline uint16_t
ep_cursor_u16(struct ep_cursor *c)
{
	if (!ep_cursor_need(c, 2))
		return 0;
	c->p += 2;
	return (uint16_t)(c->p[-2] << 8 | c->p[-1]);
}

static inline uint32_t
ep_cursor_u32(struct ep_cursor *c)
{
	if (!ep_cursor_need(c, 4))
		return 0;
	c->p += 4;
	return (uint32_t)c->p[-4] << 24 | (uint32_t)c->p[-3] << 16 |
	    (uint32_t)c->p[-2] << 8 | (uint32_t)c->p[-1];
}

static inline void
ep_cursor_skip(struct ep_cursor *c, size_t n)
{
	if (ep_cursor_need(c, n))
		c->p += n;
}

/*
 * Take a sub-cursor over the next n bytes (a length-prefixed part) and
 * skip them in the parent, whatever the child later does.
 */
static inline struct ep_cursor
ep_cursor_sub(struct ep_cursor *c, size_t n)
{
	struct ep_cursor sub = { c->start, c->p, c->p, EP_CUR_OK };

	if (ep_cursor_need(c, n)) {
		sub.end = c->p + n;
		c->p += n;
	} else
		sub.err = c->err;
	return sub;
}

#endif
