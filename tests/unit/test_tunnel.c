/* tests/unit/test_tunnel.c: the link layers that carry another (BSD
 * loopback, NFLOG, PKTAP, 802.11 and radiotap) and the tunnels (GRE,
 * ERSPAN, VXLAN, Geneve, GTP-U) of capture/frame.c, on frames built here:
 * the inner DNS query found, every prefix of every frame (a cut inner
 * packet is cut), bad lengths, the nesting bound, ICMP errors inside, and
 * the fallback of a UDP packet on a tunnel's port that is not that tunnel
 * to plain UDP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ednsprobe/frame.h"
#include "bytes.h"

static void
fill(struct bytes *p, size_t n, unsigned v)
{
	while (n-- > 0)
		put8(p, v);
}

static const uint8_t mac[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };
static const uint8_t in_src[4] = { 192, 0, 2, 10 };	/* the DNS client */
static const uint8_t in_dst[4] = { 203, 0, 113, 53 };	/* its server */
static const uint8_t out_src[4] = { 198, 51, 100, 1 };	/* tunnel ends */
static const uint8_t out_dst[4] = { 198, 51, 100, 2 };
static const uint8_t out6_src[16] = { 0x20, 1, 0xd, 0xb8, 0, 0xff,
    [15] = 1 };
static const uint8_t out6_dst[16] = { 0x20, 1, 0xd, 0xb8, 0, 0xff,
    [15] = 2 };

#define QID	0x4242
#define IN_LEN	(20 + 8 + 12 + 12 + 4 + 11)	/* IP, UDP, DNS query */

/* IPv4 header of proto around len bytes of payload. */
static void
ip4(struct bytes *p, unsigned proto, size_t len, const uint8_t *src,
    const uint8_t *dst)
{
	put8(p, 0x45);
	put8(p, 0);
	put16(p, (unsigned)(20 + len));
	put16(p, 7);		/* id */
	put16(p, 0x4000);	/* DF */
	put8(p, 64);
	put8(p, proto);
	put16(p, 0);		/* checksum: not checked */
	putn(p, src, 4);
	putn(p, dst, 4);
}

static void
ip6(struct bytes *p, unsigned proto, size_t len)
{
	put32(p, 0x60000000);
	put16(p, (unsigned)len);
	put8(p, proto);
	put8(p, 64);
	putn(p, out6_src, 16);
	putn(p, out6_dst, 16);
}

static void
udp(struct bytes *p, unsigned sport, unsigned dport, size_t len)
{
	put16(p, sport);
	put16(p, dport);
	put16(p, (unsigned)(8 + len));
	put16(p, 0);
}

/* The inner packet: an EDNS query for probe.test. SOA, UDP 40000 -> 53. */
static void
inner(struct bytes *p)
{
	static const uint8_t qname[] = "\5probe\4test";
	size_t n0 = p->n;

	ip4(p, 17, IN_LEN - 20, in_src, in_dst);
	udp(p, 40000, 53, IN_LEN - 28);
	put_dns_header(p, QID, 0x0100, 1, 0, 0, 1);	/* RD, OPT */
	putn(p, qname, sizeof(qname));
	put16(p, 6);		/* SOA */
	put16(p, 1);
	put8(p, 0);		/* OPT */
	put16(p, 41);
	put16(p, 1232);
	put32(p, 0);
	put16(p, 0);
	assert_int_equal(p->n - n0, IN_LEN);
}

static void
eth(struct bytes *p, unsigned type)
{
	putn(p, mac, 12);
	put16(p, type);
}

/*
 * A frame: its link type, where the header the frame's own IP is read
 * from ends (the inner IP header's end: dissect gives the inner packet
 * from there), and where the outermost IP header ends (tunnels: from
 * there dissect returns 0 with the outer packet; 0 for the link types).
 */
struct frame {
	const char	*name;
	int		 link;
	struct bytes	 p;
	size_t		 outer_end;
	size_t		 inner_end;
	size_t		 inner_full;	/* the inner packet's last byte + 1 */
};

typedef void build_fn(struct frame *);

static void
mark_inner(struct frame *f)
{
	f->inner_end = f->p.n + 20;
	f->inner_full = f->p.n + IN_LEN;
	inner(&f->p);
}

static void
b_null_le(struct frame *f)
{
	f->link = EP_LINK_NULL;
	put32le(&f->p, 2);
	mark_inner(f);
}

static void
b_null_be(struct frame *f)
{
	f->link = EP_LINK_NULL;
	put32(&f->p, 2);
	mark_inner(f);
}

static void
b_loop(struct frame *f)
{
	f->link = EP_LINK_LOOP;
	put32(&f->p, 2);
	mark_inner(f);
}

/* NFLOG TLVs in either order, one padded, before the payload. */
static void
nflog(struct frame *f, int be)
{
	void (*p16)(struct bytes *, unsigned) = be ? put16 : put16le;

	f->link = EP_LINK_NFLOG;
	put8(&f->p, 2);
	put8(&f->p, 0);
	put16(&f->p, 5);
	p16(&f->p, 8);
	p16(&f->p, 1);		/* NFULA_PACKET_HDR */
	put16(&f->p, 0x0800);
	put16(&f->p, 0x0300);
	p16(&f->p, 4 + 3);
	p16(&f->p, 10);		/* NFULA_PREFIX "ab", padded to 8 */
	putn(&f->p, "ab", 3);
	put8(&f->p, 0);
	p16(&f->p, 4 + IN_LEN);
	p16(&f->p, 9);		/* NFULA_PAYLOAD */
	mark_inner(f);
	fill(&f->p, (size_t)(-(long)IN_LEN & 3), 0);
}

static void
b_nflog_le(struct frame *f)
{
	nflog(f, 0);
}

static void
b_nflog_be(struct frame *f)
{
	nflog(f, 1);
}

static void
b_pktap(struct frame *f)
{
	f->link = EP_LINK_PKTAP;
	put32le(&f->p, 108);
	put32le(&f->p, 1);
	put32le(&f->p, 1);	/* DLT_EN10MB */
	fill(&f->p, 108 - 12, 0);
	eth(&f->p, 0x0800);
	mark_inner(f);
}

/* 802.11 data: QoS with 4 addresses and HT control, or plain. */
static void
wlan(struct frame *f, int qos4)
{
	static const uint8_t llc[6] = { 0xaa, 0xaa, 3, 0, 0, 0 };

	put8(&f->p, qos4 ? 0x88 : 0x08);
	put8(&f->p, qos4 ? 0x83 : 0x02);	/* Order, ToDS, FromDS */
	put16(&f->p, 0);
	putn(&f->p, mac, 12);
	putn(&f->p, mac, 6);
	put16(&f->p, 0x10);
	if (qos4) {
		putn(&f->p, mac, 6);
		put16(&f->p, 0);
		put32(&f->p, 0);
	}
	putn(&f->p, llc, sizeof(llc));
	put16(&f->p, 0x0800);
	mark_inner(f);
}

static void
b_wlan(struct frame *f)
{
	f->link = EP_LINK_IEEE802_11;
	wlan(f, 0);
}

static void
b_radiotap(struct frame *f)
{
	f->link = EP_LINK_RADIOTAP;
	put8(&f->p, 0);
	put8(&f->p, 0);
	put16le(&f->p, 13);
	put32le(&f->p, 0x0e);	/* flags, rate, channel */
	put8(&f->p, 0x10);	/* FCS at the end */
	put8(&f->p, 12);
	put16le(&f->p, 2412);
	put8(&f->p, 0xa0);
	wlan(f, 1);
	put32(&f->p, 0xdeadbeef);
}

/* Outer IPv4 (raw link) of proto around len bytes. */
static void
outer4(struct frame *f, unsigned proto, size_t len)
{
	f->link = EP_LINK_RAW;
	ip4(&f->p, proto, len, out_src, out_dst);
	f->outer_end = f->p.n;
}

static void
b_gre(struct frame *f)
{
	outer4(f, 47, 16 + IN_LEN);
	put16(&f->p, 0xb000);	/* C, K, S */
	put16(&f->p, 0x0800);
	put32(&f->p, 0);
	put32(&f->p, 22);
	put32(&f->p, 1);
	mark_inner(f);
}

static void
b_gretap6(struct frame *f)
{
	f->link = EP_LINK_RAW;
	ip6(&f->p, 47, 4 + 14 + IN_LEN);
	f->outer_end = f->p.n;
	put16(&f->p, 0);
	put16(&f->p, 0x6558);
	eth(&f->p, 0x0800);
	mark_inner(f);
}

static void
b_erspan2(struct frame *f)
{
	outer4(f, 47, 8 + 8 + 14 + IN_LEN);
	put16(&f->p, 0x1000);	/* S */
	put16(&f->p, 0x88be);
	put32(&f->p, 9);
	put32(&f->p, 0x10000001);
	put32(&f->p, 0);
	eth(&f->p, 0x0800);
	mark_inner(f);
}

static void
b_erspan3(struct frame *f)
{
	outer4(f, 47, 8 + 20 + 14 + IN_LEN);
	put16(&f->p, 0x1000);
	put16(&f->p, 0x22eb);
	put32(&f->p, 9);
	put32(&f->p, 0x20000001);
	put32(&f->p, 1000);
	put32(&f->p, 0x00000011);	/* hardware id 1, O */
	fill(&f->p, 8, 0x5a);		/* platform subheader */
	eth(&f->p, 0x0800);
	mark_inner(f);
}

static void
b_vxlan(struct frame *f)
{
	outer4(f, 17, 8 + 8 + 14 + IN_LEN);
	udp(&f->p, 50000, 4789, 8 + 14 + IN_LEN);
	put32(&f->p, 0x08000000);
	put32(&f->p, 0x00002a00);
	eth(&f->p, 0x0800);
	mark_inner(f);
}

static void
b_geneve(struct frame *f)
{
	outer4(f, 17, 8 + 16 + IN_LEN);
	udp(&f->p, 50000, 6081, 16 + IN_LEN);
	put8(&f->p, 2);		/* 8 bytes of options */
	put8(&f->p, 0);
	put16(&f->p, 0x0800);
	put32(&f->p, 0x00002a00);
	put32(&f->p, 0x01028001);
	put32(&f->p, 7);
	mark_inner(f);
}

static void
b_gtpu(struct frame *f)
{
	outer4(f, 17, 8 + 12 + 8 + IN_LEN);
	udp(&f->p, 2152, 2152, 12 + 8 + IN_LEN);
	put8(&f->p, 0x34);	/* v1, PT, E */
	put8(&f->p, 0xff);
	put16(&f->p, 4 + 8 + IN_LEN);
	put32(&f->p, 0x100);
	put16(&f->p, 0);
	put8(&f->p, 0);
	put8(&f->p, 0x85);
	put32(&f->p, 0x01000985);	/* 4 bytes, next 0x85 again */
	put32(&f->p, 0x01000900);	/* 4 bytes, the end */
	mark_inner(f);
}

static const struct {
	const char	*name;
	build_fn	*build;
} frames[] = {
	{ "null-le", b_null_le }, { "null-be", b_null_be },
	{ "loop", b_loop }, { "nflog-le", b_nflog_le },
	{ "nflog-be", b_nflog_be }, { "pktap", b_pktap },
	{ "wlan", b_wlan }, { "radiotap", b_radiotap },
	{ "gre", b_gre }, { "gretap6", b_gretap6 },
	{ "erspan2", b_erspan2 }, { "erspan3", b_erspan3 },
	{ "vxlan", b_vxlan }, { "geneve", b_geneve }, { "gtpu", b_gtpu },
};

static void
build(struct frame *f, int i)
{
	memset(f, 0, sizeof(*f));
	f->name = frames[i].name;
	frames[i].build(f);
}

static void
check_inner(const struct ep_frame *f)
{
	assert_int_equal(f->ip.family, 4);
	assert_memory_equal(f->ip.src, in_src, 4);
	assert_memory_equal(f->ip.dst, in_dst, 4);
	assert_int_equal(f->l4, EP_L4_UDP);
	assert_int_equal(f->ip.dport, 53);
	assert_true(f->has_dns);
	assert_int_equal(f->dns.id, QID);
	assert_int_equal(f->dns.edns_udp, 1232);
}

/* Every frame, whole: the inner query, nothing stopped, nothing cut. */
static void
test_whole(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		struct frame fr;
		struct ep_frame f;

		build(&fr, (int)i);
		print_message("%s: %zu bytes\n", fr.name, fr.p.n);
		assert_int_equal(ep_frame_dissect(fr.link, fr.p.b,
		    (uint32_t)fr.p.n, (uint32_t)fr.p.n, 1, 0, &f), 0);
		check_inner(&f);
		assert_null(f.stop);
		assert_false(f.cut);
	}
}

/*
 * Every prefix of every frame, in a heap block of exactly its length (so
 * a read past it is ASan's to catch): cut by the snap length, it is the
 * inner packet once the inner IP header is in, cut until it is all
 * there (a trailing FCS or padding may still be missing); before, the outer
 * packet (tunnels), stopped and cut, or nothing (-1), cut.  The same
 * bytes as a whole frame (the packet itself short) are never "cut".
 */
static void
test_prefixes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		struct frame fr;

		build(&fr, (int)i);
		for (size_t len = 0; len < fr.p.n; len++) {
			uint8_t *b = malloc(len ? len : 1);
			struct ep_frame f;
			int rc;

			assert_non_null(b);
			memcpy(b, fr.p.b, len);
			rc = ep_frame_dissect(fr.link, b, (uint32_t)len,
			    (uint32_t)fr.p.n, 1, 0, &f);
			if (len >= fr.inner_full) {
				assert_int_equal(rc, 0);
				check_inner(&f);
				assert_false(f.cut);
			} else if (len >= fr.inner_end) {
				assert_int_equal(rc, 0);
				assert_memory_equal(f.ip.src, in_src, 4);
				assert_true(f.cut);
			} else if (fr.outer_end != 0 && len >= fr.outer_end) {
				assert_int_equal(rc, 0);
				assert_non_null(f.stop);
				assert_true(f.cut);
				assert_false(f.has_dns);
				assert_memory_not_equal(f.ip.src, in_src, 4);
			} else {
				assert_int_equal(rc, -1);
				assert_non_null(f.stop);
				assert_true(f.cut);
			}
			rc = ep_frame_dissect(fr.link, b, (uint32_t)len,
			    (uint32_t)len, 1, 0, &f);
			assert_false(f.cut);
			if (len < fr.inner_end && fr.outer_end == 0)
				assert_int_equal(rc, -1);
			free(b);
		}
	}
}

static int
dissect(const struct frame *fr, struct ep_frame *f)
{
	return ep_frame_dissect(fr->link, fr->p.b, (uint32_t)fr->p.n,
	    (uint32_t)fr->p.n, 1, 0, f);
}

/* Link headers whose lengths or kinds are wrong: no IP, and why. */
static void
test_bad_links(void **state)
{
	struct frame fr;
	struct ep_frame f;

	(void)state;
	memset(&fr, 0, sizeof(fr));
	fr.link = EP_LINK_NULL;		/* AF_UNIX */
	put32le(&fr.p, 1);
	inner(&fr.p);
	assert_int_equal(dissect(&fr, &f), -1);
	assert_string_equal(f.stop, "not IP");

	build(&fr, 5);			/* PKTAP length below its header */
	fr.p.b[0] = 100;
	assert_int_equal(dissect(&fr, &f), -1);
	assert_false(f.cut);
	build(&fr, 5);			/* PKTAP: no packet record */
	fr.p.b[4] = 0;
	assert_int_equal(dissect(&fr, &f), -1);
	build(&fr, 5);			/* PKTAP of another DLT */
	fr.p.b[8] = 105;
	assert_int_equal(dissect(&fr, &f), -1);

	build(&fr, 7);			/* radiotap length below 8 */
	fr.p.b[2] = 7;
	assert_int_equal(dissect(&fr, &f), -1);
	build(&fr, 7);			/* radiotap length past the frame */
	fr.p.b[2] = 0xff;
	fr.p.b[3] = 0x7f;
	assert_int_equal(dissect(&fr, &f), -1);
	assert_false(f.cut);

	build(&fr, 6);			/* 802.11 protected */
	fr.p.b[1] |= 0x40;
	assert_int_equal(dissect(&fr, &f), -1);
	assert_string_equal(f.stop, "802.11 frame protected");
	build(&fr, 6);			/* 802.11 management */
	fr.p.b[0] = 0x80;
	assert_int_equal(dissect(&fr, &f), -1);
	build(&fr, 6);			/* null function: no body */
	fr.p.b[0] = 0x48;
	assert_int_equal(dissect(&fr, &f), -1);
	build(&fr, 6);			/* not LLC/SNAP */
	fr.p.b[24] = 0x42;
	assert_int_equal(dissect(&fr, &f), -1);

	build(&fr, 3);			/* NFLOG TLV length below 4 */
	fr.p.b[4] = 3;
	assert_int_equal(dissect(&fr, &f), -1);
	assert_false(f.cut);
	memset(&fr, 0, sizeof(fr));	/* 40 TLVs, no payload */
	fr.link = EP_LINK_NFLOG;
	put32(&fr.p, 0x02000000);
	for (int k = 0; k < 40; k++) {
		put16le(&fr.p, 8);
		put16le(&fr.p, 11);
		put32(&fr.p, 0);
	}
	assert_int_equal(dissect(&fr, &f), -1);
	assert_string_equal(f.stop, "no NFLOG payload in 32 TLVs");
}

/* Tunnels within tunnels: GRE in GRE... depth deep around the query. */
static void
nest(struct frame *fr, int depth)
{
	memset(fr, 0, sizeof(*fr));
	fr->link = EP_LINK_RAW;
	for (int d = 0; d < depth; d++) {
		ip4(&fr->p, 47, (size_t)(depth - d) * 4 +
		    (size_t)(depth - d - 1) * 20 + IN_LEN, out_src, out_dst);
		put16(&fr->p, 0);
		put16(&fr->p, 0x0800);
	}
	inner(&fr->p);
}

static void
test_nesting(void **state)
{
	struct frame fr;
	struct ep_frame f;

	(void)state;
	for (int depth = 1; depth <= EP_TUNNEL_MAX; depth++) {
		nest(&fr, depth);
		assert_int_equal(dissect(&fr, &f), 0);
		check_inner(&f);
	}
	nest(&fr, EP_TUNNEL_MAX + 1);
	assert_int_equal(dissect(&fr, &f), 0);
	assert_string_equal(f.stop, "tunnels nested too deep");
	assert_int_equal(f.ip.proto, 47);
	assert_false(f.has_dns);
	assert_false(f.cut);

	/* VXLAN inside GRE: two kinds, two deep. */
	build(&fr, 12);
	{
		struct frame g;

		memset(&g, 0, sizeof(g));
		outer4(&g, 47, 4 + fr.p.n);
		put16(&g.p, 0);
		put16(&g.p, 0x0800);
		putn(&g.p, fr.p.b, fr.p.n);
		assert_int_equal(dissect(&g, &f), 0);
		check_inner(&f);
	}
}

/* A header that is not the tunnel's: the outer packet, plain. */
static void
expect_outer(struct frame *fr, enum ep_l4 l4)
{
	struct ep_frame f;

	assert_int_equal(dissect(fr, &f), 0);
	assert_memory_equal(f.ip.src, out_src, 4);
	assert_int_equal(f.l4, l4);
	assert_null(f.stop);
	assert_false(f.has_dns);
	assert_false(f.cut);
}

static void
test_fallback(void **state)
{
	struct frame fr;
	struct ep_frame f;

	(void)state;
	build(&fr, 12);			/* VXLAN without the I flag */
	fr.p.b[28] = 0;
	expect_outer(&fr, EP_L4_UDP);
	build(&fr, 12);			/* VXLAN carrying ARP */
	fr.p.b[36 + 12] = 0x08;
	fr.p.b[36 + 13] = 0x06;
	expect_outer(&fr, EP_L4_UDP);
	build(&fr, 12);			/* UDP length: only 4 bytes of VXLAN */
	fr.p.b[24] = 0;
	fr.p.b[25] = 12;
	expect_outer(&fr, EP_L4_UDP);
	build(&fr, 13);			/* Geneve version 1 */
	fr.p.b[28] |= 0x40;
	expect_outer(&fr, EP_L4_UDP);
	build(&fr, 13);			/* Geneve of another protocol */
	fr.p.b[30] = 0x88;
	expect_outer(&fr, EP_L4_UDP);
	build(&fr, 13);			/* Geneve options past the packet */
	fr.p.b[28] = 0x3f;
	expect_outer(&fr, EP_L4_UDP);
	build(&fr, 14);			/* GTP echo request, not a G-PDU */
	fr.p.b[29] = 1;
	expect_outer(&fr, EP_L4_UDP);
	build(&fr, 14);			/* GTP version 2 */
	fr.p.b[28] = 0x54;
	expect_outer(&fr, EP_L4_UDP);
	build(&fr, 14);			/* GTP extension header of 0 bytes */
	fr.p.b[40] = 0;
	expect_outer(&fr, EP_L4_UDP);
	build(&fr, 8);			/* GRE version 1 (PPTP) */
	fr.p.b[21] |= 1;
	expect_outer(&fr, EP_L4_OTHER);
	build(&fr, 8);			/* GRE of another protocol */
	fr.p.b[22] = 0x88;
	expect_outer(&fr, EP_L4_OTHER);
	build(&fr, 10);			/* ERSPAN II of another version */
	fr.p.b[28] = 0x20;
	expect_outer(&fr, EP_L4_OTHER);
	build(&fr, 11);			/* ERSPAN III of another version */
	fr.p.b[28] = 0x10;
	expect_outer(&fr, EP_L4_OTHER);

	/* DNS from port 53 to a tunnel's port is DNS, not a tunnel. */
	memset(&fr, 0, sizeof(fr));
	fr.link = EP_LINK_RAW;
	inner(&fr.p);
	fr.p.b[20] = 0;
	fr.p.b[21] = 53;
	fr.p.b[22] = 4789 >> 8;
	fr.p.b[23] = 4789 & 0xff;
	assert_int_equal(dissect(&fr, &f), 0);
	assert_true(f.has_dns);
	assert_int_equal(f.dns.id, QID);

	/* A fragment of a tunnel packet stays the outer fragment. */
	build(&fr, 12);
	fr.p.b[6] = 0x20;		/* MF */
	assert_int_equal(dissect(&fr, &f), 0);
	assert_memory_equal(f.ip.src, out_src, 4);
	assert_true(f.ip.is_frag);
}

/*
 * An ICMP error inside a tunnel is the inner packet's, as a plain one:
 * frag-needed from a router, quoting the query, in VXLAN and in GTP-U.
 */
static void
test_icmp_inside(void **state)
{
	static const uint8_t router[4] = { 198, 51, 100, 99 };

	(void)state;
	for (int gtp = 0; gtp < 2; gtp++) {
		size_t icmp_len = 8 + IN_LEN, over = gtp ? 8 : 8 + 14;
		struct frame fr;
		struct ep_frame f;

		memset(&fr, 0, sizeof(fr));
		outer4(&fr, 17, 8 + over + 20 + icmp_len);
		if (gtp) {
			udp(&fr.p, 2152, 2152, over + 20 + icmp_len);
			put32(&fr.p, 0x30ff0000 | (uint32_t)(20 + icmp_len));
			put32(&fr.p, 0x100);
		} else {
			udp(&fr.p, 50000, 4789, over + 20 + icmp_len);
			put32(&fr.p, 0x08000000);
			put32(&fr.p, 0x00002a00);
			eth(&fr.p, 0x0800);
		}
		ip4(&fr.p, 1, icmp_len, router, in_src);
		put8(&fr.p, 3);		/* unreachable */
		put8(&fr.p, 4);		/* fragmentation needed */
		put16(&fr.p, 0);
		put32(&fr.p, 1400);	/* next-hop MTU */
		inner(&fr.p);
		assert_int_equal(dissect(&fr, &f), 0);
		assert_memory_equal(f.ip.src, router, 4);
		assert_int_equal(f.l4, EP_L4_ICMP);
		assert_int_equal(f.icmp_mtu, 1400);
		assert_true(f.has_quote);
		assert_memory_equal(f.quote.dst, in_dst, 4);
		assert_int_equal(f.quote.dport, 53);
		assert_true(f.has_dns);
		assert_int_equal(f.dns.id, QID);
		assert_null(f.stop);
	}
}

/* The link-type names read. */
static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(ep_link_name(EP_LINK_NULL), "NULL");
	assert_string_equal(ep_link_name(EP_LINK_LOOP), "LOOP");
	assert_string_equal(ep_link_name(EP_LINK_NFLOG), "NFLOG");
	assert_string_equal(ep_link_name(EP_LINK_PKTAP), "PKTAP");
	assert_string_equal(ep_link_name(EP_LINK_IEEE802_11), "IEEE802_11");
	assert_string_equal(ep_link_name(EP_LINK_RADIOTAP),
	    "IEEE802_11_RADIO");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_bad_links),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_icmp_inside),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
