/* tests/pcap/write_sample.c: writes known frames with the capture writer
 * (capture/pcapw.c) so a peer (tshark, capinfos) can read them back:
 * write_sample OUT.pcapng OUT.pcap.  The frames and comments here are the
 * ones tests/pcap/tshark_read.sh expects, in the same order. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ednsprobe/frame.h"
#include "pcapw.h"

#define T0	1700000000123456ull

/* Ethernet, IPv4 192.0.2.1 -> 203.0.113.53, UDP 40000 -> 53, a DNS query
 * id 0x1234 for probe.test A (checksums 0: not checked by readers). */
static const uint8_t QUERY4[] = {
	0x02, 0, 0, 0, 0, 0x53, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
	0x45, 0, 0, 56, 0x00, 0x01, 0x40, 0, 64, 17, 0, 0,
	192, 0, 2, 1, 203, 0, 113, 53,
	0x9c, 0x40, 0, 53, 0, 36, 0, 0,
	0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
	5, 'p', 'r', 'o', 'b', 'e', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1,
};

/* Its reply: id 0x1234, QR AA RD, one A record 192.0.2.99. */
static const uint8_t REPLY4[] = {
	0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x53, 0x08, 0x00,
	0x45, 0, 0, 72, 0x00, 0x02, 0x40, 0, 64, 17, 0, 0,
	203, 0, 113, 53, 192, 0, 2, 1,
	0, 53, 0x9c, 0x40, 0, 52, 0, 0,
	0x12, 0x34, 0x85, 0x00, 0, 1, 0, 1, 0, 0, 0, 0,
	5, 'p', 'r', 'o', 'b', 'e', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1,
	0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 99,
};

/* Ethernet, IPv6 2001:db8::1 -> 2001:db8:53::53, UDP 40001 -> 53, a DNS
 * query id 0xabcd for probe.test AAAA. */
static const uint8_t QUERY6[] = {
	0x02, 0, 0, 0, 0, 0x53, 0x02, 0, 0, 0, 0, 0x01, 0x86, 0xdd,
	0x60, 0, 0, 0, 0, 36, 17, 64,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0x20, 0x01, 0x0d, 0xb8, 0, 0x53, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53,
	0x9c, 0x41, 0, 53, 0, 36, 0, 0,
	0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
	5, 'p', 'r', 'o', 'b', 'e', 4, 't', 'e', 's', 't', 0, 0, 28, 0, 1,
};

struct sample {
	const uint8_t	*data;
	uint32_t	 caplen, wirelen;
	const char	*comment;
};

static const struct sample SAMPLES[] = {
	{ QUERY4, sizeof(QUERY4), sizeof(QUERY4), "probe 1: query id 4660" },
	{ REPLY4, sizeof(REPLY4), sizeof(REPLY4),
	    "probe 1: reply id 4660 \xe2\x86\x92 72 bytes" },
	{ QUERY6, sizeof(QUERY6), sizeof(QUERY6), NULL },
	/* The reply again, cut by a short snap length. */
	{ REPLY4, 60, sizeof(REPLY4), "probe 1: cut at 60" },
};

static int
write_file(const char *path, enum ep_pcap_format fmt)
{
	struct ep_pcapw *w;
	struct ep_err err;
	size_t i;

	w = ep_pcapw_open(path, fmt, EP_LINK_ETHERNET, 65535, "sample0",
	    "ednsprobe " EP_VERSION, "ednsprobe write_sample", &err);
	if (w == NULL)
		goto fail;
	for (i = 0; i < sizeof(SAMPLES) / sizeof(SAMPLES[0]); i++)
		if (ep_pcapw_write(w, T0 + i * 250000, SAMPLES[i].data,
		    SAMPLES[i].caplen, SAMPLES[i].wirelen, SAMPLES[i].comment,
		    &err) == -1)
			goto fail;
	if (ep_pcapw_stats(w, T0, T0 + 1000000, 4, 0, &err) == -1)
		goto fail;
	if (ep_pcapw_close(w, &err) == -1) {
		w = NULL;
		goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "write_sample: %s\n", err.msg);
	ep_pcapw_close(w, NULL);
	return -1;
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: write_sample OUT.pcapng OUT.pcap\n");
		return 2;
	}
	if (write_file(argv[1], EP_PCAP_NG) == -1 ||
	    write_file(argv[2], EP_PCAP_CLASSIC) == -1)
		return 1;
	return 0;
}
