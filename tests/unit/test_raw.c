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

/*
 * IPv6 extension headers, walked by hand (not by our dissector): each
 * packet's chain in RFC 8200 4.1's order (Hop-by-Hop, Fragment,
 * Destination Options), each options header 8 bytes of PadN; the
 * fragmentable part reassembled is [Destination Options] + the UDP
 * datagram, whose checksum ignores the extension headers.
 */
static void
check_eh(const struct ep_raw_spec *s, const uint8_t *msg, size_t len)
{
	static const uint8_t padn[6] = { 1, 4, 0, 0, 0, 0 };
	uint8_t part[65536 + 8], pseudo[40];
	size_t got = 0, ulen = 8 + len, o;
	int hbh = (s->eh & EP_RAW_EH_HBH) != 0;
	int dst = (s->eh & EP_RAW_EH_DST) != 0, first = -1;

	for (int i = 0; i < pk.n; i++) {
		const uint8_t *p = pk.buf + pk.off[i];
		uint8_t nh = p[6];
		size_t at = 0;
		struct ep_frame f;

		assert_int_equal(p[0] >> 4, 6);
		assert_int_equal((size_t)(p[4] << 8 | p[5]) + 40, pk.len[i]);
		o = 40;
		if (hbh) {
			assert_int_equal(nh, 0);
			assert_int_equal(p[o + 1], 0);		/* 8 bytes */
			assert_memory_equal(p + o + 2, padn, 6);
			nh = p[o];
			o += 8;
		}
		if (s->frag_size) {
			assert_int_equal(nh, 44);
			at = (size_t)(p[o + 2] << 8 | p[o + 3]) & 0xfff8;
			assert_int_equal(p[o + 3] & 1, i + 1 < pk.n);
			if (first == -1)
				first = p[o];
			assert_int_equal(p[o], first);
			nh = p[o];
			o += 8;
		} else
			first = nh;
		assert_int_equal(at, got);
		memcpy(part + got, p + o, pk.len[i] - o);
		got += pk.len[i] - o;
		/* Our dissector follows the same chain to the UDP ports. */
		assert_int_equal(ep_frame_dissect(EP_LINK_RAW, p,
		    (uint32_t)pk.len[i], (uint32_t)pk.len[i], 1, 0, &f), 0);
		assert_null(f.stop);
		if (at == 0) {
			assert_int_equal(f.ip.proto, 17);
			assert_true(f.ip.has_ports);
			assert_int_equal(f.ip.dport, s->dport);
			assert_int_equal(f.ip.eh & EP_IP6_EH_HBH, hbh ?
			    EP_IP6_EH_HBH : 0);
			assert_int_equal(f.ip.eh & EP_IP6_EH_DST, dst ?
			    EP_IP6_EH_DST : 0);
			assert_int_equal(f.ip.hdr_len, o + (dst ? 8 : 0));
			assert_int_equal(f.ip.frag_hdr_end, s->frag_size ?
			    o : 0);
		}
	}
	o = 0;
	if (dst) {
		assert_int_equal(first, 60);
		assert_int_equal(part[1], 0);
		assert_memory_equal(part + 2, padn, 6);
		first = part[0];
		o = 8;
	}
	assert_int_equal(first, 17);
	assert_int_equal(got, o + ulen);
	assert_int_equal(part[o + 4] << 8 | part[o + 5], ulen);
	assert_memory_equal(part + o + 8, msg, len);
	memset(pseudo, 0, sizeof(pseudo));
	memcpy(pseudo, s->src, 16);
	memcpy(pseudo + 16, s->dst, 16);
	pseudo[34] = (uint8_t)(ulen >> 8);
	pseudo[35] = (uint8_t)ulen;
	pseudo[39] = 17;
	assert_int_equal(sum16(pseudo, 40, part + o, ulen), 0xffff);
}

static void
test_ext_headers(void **state)
{
	static const uint8_t kinds[] = { EP_RAW_EH_DST, EP_RAW_EH_HBH,
	    EP_RAW_EH_HBH | EP_RAW_EH_DST };
	struct ep_raw_spec s;
	struct ep_err err;
	uint8_t msg[1172];

	(void)state;
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 13 + 1);
	for (size_t k = 0; k < sizeof(kinds); k++) {
		/* Whole: 40 + 8 per header + UDP. */
		spec(&s, 6, 0, 0, 64);
		s.eh = kinds[k];
		assert_int_equal(ep_raw_build(&s, msg, 33, &pk, &err), 0);
		assert_int_equal(pk.n, 1);
		assert_int_equal(pk.len[0], 40 + 8 + 33 +
		    (kinds[k] == (EP_RAW_EH_HBH | EP_RAW_EH_DST) ? 16 : 8));
		check_eh(&s, msg, 33);
		/* A TTL-limited twin, as the hops module will send. */
		spec(&s, 6, 0, 0, 2);
		s.eh = kinds[k];
		assert_int_equal(ep_raw_build(&s, msg, 33, &pk, &err), 0);
		assert_int_equal(pk.buf[pk.off[0] + 7], 2);
		check_eh(&s, msg, 33);
		/* In fragments: Hop-by-Hop in each, Destination Options
		 * in the first only. */
		spec(&s, 6, 256, 0, 64);
		s.eh = kinds[k];
		assert_int_equal(ep_raw_build(&s, msg, sizeof(msg), &pk, &err),
		    0);
		assert_int_equal(pk.n, 5);
		check_eh(&s, msg, sizeof(msg));
		spec(&s, 6, 16, 0, 64);
		s.eh = kinds[k];
		assert_int_equal(ep_raw_build(&s, msg, 100, &pk, &err), 0);
		assert_int_equal(pk.n, kinds[k] & EP_RAW_EH_DST ? 8 : 7);
		check_eh(&s, msg, 100);
		/* Pieces of 8: the first fragment would hold the
		 * Destination Options header without the UDP header. */
		spec(&s, 6, 8, 0, 64);
		s.eh = kinds[k];
		if (kinds[k] & EP_RAW_EH_DST) {
			assert_int_equal(ep_raw_build(&s, msg, 100, &pk,
			    &err), -1);
			assert_non_null(strstr(err.msg, "RFC 7112"));
		} else {
			assert_int_equal(ep_raw_build(&s, msg, 100, &pk,
			    &err), 0);
			check_eh(&s, msg, 100);
		}
	}
	/* None on IPv4: a clear error. */
	spec(&s, 4, 0, 0, 64);
	s.eh = EP_RAW_EH_DST;
	assert_int_equal(ep_raw_build(&s, msg, 33, &pk, &err), -1);
	assert_non_null(strstr(err.msg, "IPv4"));
}

/* A fragmented query with a Destination Options header after the
 * Fragment header: the fragment table joins its pieces (keyed by the
 * Fragment header's Next Header; the first one's data begins at the
 * options) into one complete datagram of UDP with the first's ports. */
static void
test_ext_headers_reassembled(void **state)
{
	struct ep_frag_table *t = ep_frag_new(8);
	const struct ep_frag_dgram *d = NULL;
	struct ep_raw_spec s;
	struct ep_err err;
	uint8_t msg[600];

	(void)state;
	memset(msg, 0x42, sizeof(msg));
	assert_non_null(t);
	spec(&s, 6, 256, 0, 64);
	s.eh = EP_RAW_EH_HBH | EP_RAW_EH_DST;
	assert_int_equal(ep_raw_build(&s, msg, sizeof(msg), &pk, &err), 0);
	assert_int_equal(pk.n, 3);	/* 8 + 608 bytes in 256s */
	for (int i = 0; i < pk.n; i++) {
		struct ep_frame f;

		assert_int_equal(ep_frame_dissect(EP_LINK_RAW,
		    pk.buf + pk.off[i], (uint32_t)pk.len[i],
		    (uint32_t)pk.len[i], (uint32_t)i + 1, 0, &f), 0);
		assert_int_equal(f.ip.frag_next, 60);
		d = ep_frag_add(t, &f);
		assert_non_null(d);
	}
	assert_int_equal(ep_frag_at(t, 1) == NULL, 1);	/* one datagram */
	assert_true(d->complete);
	assert_int_equal(d->total, 8 + 8 + sizeof(msg));
	assert_int_equal(d->proto, 17);
	assert_true(d->has_ports);
	assert_int_equal(d->dport, 53);
	ep_frag_free(t);
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
		cmocka_unit_test(test_ext_headers),
		cmocka_unit_test(test_ext_headers_reassembled),
		cmocka_unit_test(test_bad_sizes),
	};

	return cmocka_run_group_tests_name("raw", tests, NULL, NULL);
}
