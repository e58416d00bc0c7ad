/* tests/unit/test_raw.c: the raw packet builder, read back by our frame
 * dissector and checked against an independent checksum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ednsprobe/frame.h"
#include "engine/raw.h"

static struct ep_raw_pkts pk;

/* The Internet checksum the slow way, over a list of byte runs. */
static uint16_t
sum16(const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
	uint64_t s = 0;

	for (size_t i = 0; i < na; i++)
		s += (i & 1) ? a[i] : (uint64_t)a[i] << 8;
	for (size_t i = 0; i < nb; i++)
		s += (i & 1) ? b[i] : (uint64_t)b[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void
spec(struct ep_raw_spec *s, int family, uint16_t frag, int df, uint8_t ttl)
{
	memset(s, 0, sizeof(*s));
	s->family = family;
	s->src[0] = 192;
	s->dst[0] = 203;
	s->src[15] = 0x10;
	s->dst[15] = 0x53;
	s->sport = 40000;
	s->dport = 53;
	s->ttl = ttl;
	s->df = df;
	s->frag_size = frag;
	s->ident = 0x12345678;
}

/* Reassemble pk by hand (via the dissector) and check the datagram. */
static void
check(const struct ep_raw_spec *s, const uint8_t *msg, size_t len)
{
	uint8_t dgram[65536], pseudo[40];
	size_t got = 0, ulen = 8 + len;

	for (int i = 0; i < pk.n; i++) {
		struct ep_frame f;
		const uint8_t *p = pk.buf + pk.off[i];

		assert_int_equal(ep_frame_dissect(EP_LINK_RAW, p,
		    (uint32_t)pk.len[i], (uint32_t)pk.len[i], 1, 0, &f), 0);
		assert_null(f.stop);
		assert_int_equal(f.ip.family, s->family);
		assert_int_equal(f.ip.ttl, s->ttl);
		assert_int_equal(f.ip.total_len, pk.len[i]);
		assert_int_equal(f.ip.frag_off, got);
		if (s->frag_size) {
			assert_true(f.ip.is_frag);
			assert_int_equal(f.ip.more_frags, i + 1 < pk.n);
			assert_int_equal(f.ip.ip_id, s->family == 4 ?
			    (s->ident & 0xffff) : s->ident);
		} else
			assert_false(f.ip.is_frag);
		if (s->family == 4)
			assert_int_equal(f.ip.df, s->df);
		memcpy(dgram + got, p + f.ip.hdr_len, pk.len[i] - f.ip.hdr_len);
		got += pk.len[i] - f.ip.hdr_len;
		if (s->family == 4)	/* the header checksums to zero */
			assert_int_equal(sum16(p, 20, NULL, 0), 0xffff);
	}
	assert_int_equal(got, ulen);
	assert_memory_equal(dgram + 8, msg, len);
	/* UDP checksum over pseudo-header + the whole datagram. */
	memset(pseudo, 0, sizeof(pseudo));
	if (s->family == 4) {
		memcpy(pseudo, s->src, 4);
		memcpy(pseudo + 4, s->dst, 4);
		pseudo[9] = 17;
		pseudo[10] = (uint8_t)(ulen >> 8);
		pseudo[11] = (uint8_t)ulen;
		assert_int_equal(sum16(pseudo, 12, dgram, ulen), 0xffff);
	} else {
		memcpy(pseudo, s->src, 16);
		memcpy(pseudo + 16, s->dst, 16);
		pseudo[34] = (uint8_t)(ulen >> 8);
		pseudo[35] = (uint8_t)ulen;
		pseudo[39] = 17;
		assert_int_equal(sum16(pseudo, 40, dgram, ulen), 0xffff);
	}
}

static void
test_whole_df_ttl(void **state)
{
	struct ep_raw_spec s;
	struct ep_err err;
	uint8_t msg[1400];

	(void)state;
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7);
	for (int fam = 4; fam <= 6; fam += 2) {
		spec(&s, fam, 0, 1, 3);
		assert_int_equal(ep_raw_build(&s, msg, sizeof(msg), &pk, &err),
		    0);
		assert_int_equal(pk.n, 1);
		check(&s, msg, sizeof(msg));
		/* An odd length checksums its last byte padded. */
		assert_int_equal(ep_raw_build(&s, msg, 45, &pk, &err), 0);
		check(&s, msg, 45);
	}
}

static void
test_fragments(void **state)
{
	struct ep_raw_spec s;
	struct ep_err err;
	uint8_t msg[1172];

	(void)state;
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i ^ 0x5a);
	for (int fam = 4; fam <= 6; fam += 2) {
		spec(&s, fam, 256, 0, 64);
		assert_int_equal(ep_raw_build(&s, msg, sizeof(msg), &pk, &err),
		    0);
		assert_int_equal(pk.n, 5);	/* 1180 bytes in 256s */
		check(&s, msg, sizeof(msg));
		spec(&s, fam, 8, 0, 64);	/* the smallest piece */
		assert_int_equal(ep_raw_build(&s, msg, 100, &pk, &err), 0);
		assert_int_equal(pk.n, 14);
		check(&s, msg, 100);
	}
}

/* Bad sizes: a clear error, nothing built. */
static void
test_bad_sizes(void **state)
{
	struct ep_raw_spec s;
	struct ep_err err;
	static uint8_t big[70000];

	(void)state;
	spec(&s, 4, 100, 0, 64);	/* not a multiple of 8 */
	assert_int_equal(ep_raw_build(&s, big, 500, &pk, &err), -1);
	assert_non_null(strstr(err.msg, "multiple of 8"));
	spec(&s, 4, 0, 0, 64);		/* over 65535 */
	assert_int_equal(ep_raw_build(&s, big, 65530, &pk, &err), -1);
	spec(&s, 6, 8, 0, 64);		/* more fragments than we keep */
	assert_int_equal(ep_raw_build(&s, big, 4000, &pk, &err), -1);
	assert_non_null(strstr(err.msg, "packets"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_df_ttl),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_bad_sizes),
	};

	return cmocka_run_group_tests_name("raw", tests, NULL, NULL);
}
