/* tests/fuzz/fuzz_tcpstream.c: fuzz entry for the TCP stream reassembler
 * (capture/tcpstream.c): any sequence of segments, in any order, with any
 * sequence numbers, flags, cuts and bytes, over a table of two streams
 * per direction pair (so eviction runs too).
 *
 * Input: records until the bytes run out, each
 *   1 byte  b: bit 0 direction (client->server / back), bits 1-2 which
 *           of three connections (3: the first again), bit 3 cut by the
 *           snap length (half the payload captured), bits 4-7 TCP flags
 *           (FIN 1 SYN 2 RST 4 ACK 8, shifted to the wire's bits)
 *   4 bytes sequence number (big endian)
 *   4 bytes ACK number
 *   2 bytes payload length n
 *   n bytes payload (fewer when the input ends)
 * Every message emitted must be at most 65535 bytes and readable; the
 * stats must agree with what was emitted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcpstream.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct tally {
	uint64_t	 msgs, ended;
	unsigned	 sum;
};

static void
on_msg(void *arg, const struct ep_tcpstream_msg *m)
{
	struct tally *t = arg;

	if (m->len > 65535 || (m->len > 0 && m->data == NULL) ||
	    m->first_us > m->last_us)
		abort();
	for (size_t i = 0; i < m->len; i++)	/* ASan: every byte is ours */
		t->sum += m->data[i];
	t->msgs++;
}

static void
on_end(void *arg, const struct ep_tcpstream_stats *st)
{
	struct tally *t = arg;

	if ((st->unseen && !st->holed) || (st->holed && st->partial) ||
	    (!st->synced && st->messages > 0))
		abort();
	t->ended += st->messages;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tally t = { 0, 0, 0 };
	struct ep_tcpstream *s;
	size_t at = 0;
	uint32_t frame = 0;

	if (size > 1048576)
		return 0;
	if ((s = ep_tcpstream_new(2, EP_TCPSTREAM_BYTES, on_msg, on_end,
	    &t)) == NULL)
		abort();
	while (size - at >= 11) {
		struct ep_tcpstream_seg g;
		const uint8_t *p = data + at;
		uint8_t b = p[0], fl = (uint8_t)(b >> 4);
		int conn = (b >> 1) & 3, back = b & 1;
		size_t n = (size_t)p[9] << 8 | p[10];

		if (conn == 3)
			conn = 0;
		at += 11;
		if (n > size - at)
			n = size - at;
		memset(&g, 0, sizeof(g));
		g.key.family = 4;
		g.key.src[0] = back ? 203 : 192;
		g.key.dst[0] = back ? 192 : 203;
		g.key.sport = back ? 53 : (uint16_t)(40000 + conn);
		g.key.dport = back ? (uint16_t)(40000 + conn) : 53;
		g.seq = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 |
		    (uint32_t)p[3] << 8 | p[4];
		g.ack = (uint32_t)p[5] << 24 | (uint32_t)p[6] << 16 |
		    (uint32_t)p[7] << 8 | p[8];
		g.flags = (uint8_t)((fl & 7) | (fl & 8 ? 0x10 : 0));
		g.data = data + at;
		g.len = (uint32_t)n;
		g.caplen = b & 8 ? (uint32_t)n / 2 : (uint32_t)n;
		g.ts_us = frame;
		g.frame = ++frame;
		ep_tcpstream_add(s, &g);
		at += n;
	}
	ep_tcpstream_finish(s);
	if (t.ended != t.msgs)
		abort();
	ep_tcpstream_free(s);
	return 0;
}
