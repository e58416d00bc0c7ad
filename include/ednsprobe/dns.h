/* include/ednsprobe/dns.h: a dissected DNS message (RFC 1035, RFC 6891). */
#ifndef EDNSPROBE_DNS_H
#define EDNSPROBE_DNS_H

#include <stddef.h>
#include <stdint.h>

#define EP_DNAME_MAX	255	/* wire form, RFC 1035 2.3.4 */
#define EP_DNAME_STRMAX	1024	/* presentation form, worst case escaped */

enum ep_dns_status {
	EP_DNS_OK = 0,
	EP_DNS_SHORT,		/* shorter than a header */
	EP_DNS_TRUNCATED,	/* records run past the end of the bytes */
	EP_DNS_BADNAME,		/* label, length or pointer error in a name */
	EP_DNS_BADOPT,		/* OPT record or EDNS option malformed */
	EP_DNS_TRAILING,	/* bytes after the last counted record */
};

/* DNS header flag bits (RFC 1035 4.1.1, RFC 4035 3.2). */
enum {
	EP_DNS_QR = 0x8000, EP_DNS_AA = 0x0400, EP_DNS_TC = 0x0200,
	EP_DNS_RD = 0x0100, EP_DNS_RA = 0x0080, EP_DNS_AD = 0x0020,
	EP_DNS_CD = 0x0010, EP_DNS_Z = 0x0040,
};

#define EP_EDNS_OPTS_MAX	8	/* options of an OPT record kept */
#define EP_EDNS_COOKIE_MAX	40	/* RFC 7873 4: client 8 + server 8..32 */

/* One option of an OPT record (RFC 6891 6.1.2). */
struct ep_edns_opt {
	uint16_t	code, len;
};

/*
 * What a dissector read from one DNS message.  Plain data: no pointers
 * into the packet, so it may outlive the bytes.  Fields past the point
 * where dissection failed keep their zero values.
 */
struct ep_dns_msg {
	size_t		length;		/* bytes of the message */
	uint16_t	id;
	uint16_t	flags;		/* header flags word incl. opcode, rcode */
	uint16_t	qdcount, ancount, nscount, arcount;
	int		has_question;	/* qdcount >= 1 and it was read */
	uint8_t		qname[EP_DNAME_MAX];	/* wire form, lower case */
	size_t		qname_len;
	uint16_t	qtype, qclass;
	int		opt_count;	/* OPT records seen (more than 1: bad) */
	uint16_t	edns_udp;	/* OPT CLASS: sender's UDP payload size */
	uint8_t		edns_ext_rcode;
	uint8_t		edns_version;
	uint16_t	edns_flags;	/* DO is 0x8000 */
	int		edns_options;	/* number of options in the OPT RDATA */
	struct ep_edns_opt edns_opt[EP_EDNS_OPTS_MAX];	/* the first ones */
	uint8_t		edns_cookie[EP_EDNS_COOKIE_MAX];	/* COOKIE data */
	size_t		edns_cookie_len;	/* 0: no COOKIE option */
	int		an_soa;		/* an SOA owned by the question name
					   in the answer section */
	int		an_rrsig;	/* an RRSIG in the answer section */
	uint16_t	rcode;		/* 12 bits: header rcode + extended */
	enum ep_dns_status status;
};

#define EP_DNS_HDR_LEN		12	/* the fixed header (RFC 1035 4.1.1) */
#define EP_DNS_OPCODE(f)	(((f) >> 11) & 0xf)
#define EP_DNS_EDNS_DO		0x8000

/*
 * Dissect len bytes at buf into m (fully overwritten).  Walks every
 * record, so an answer that lies about its counts or loops its
 * compression pointers is caught.  Returns m->status.
 */
enum ep_dns_status ep_dns_dissect(const uint8_t *buf, size_t len,
    struct ep_dns_msg *m);

/* A short constant description of a status. */
const char *ep_dns_strstatus(enum ep_dns_status);

/* Mnemonic of an rcode ("NOERROR", "BADVERS"...) or "RCODE<n>" in buf. */
const char *ep_dns_rcode_str(uint16_t rcode, char *buf, size_t len);

/*
 * Read a possibly compressed name at c->p (c->start is the message) into
 * out (wire form, lower case, at most EP_DNAME_MAX bytes); *outlen gets its
 * length.  Pointers must point backwards; jumps and labels are bounded.
 * Returns 0 or an ep_dns_status.
 */
struct ep_cursor;
int ep_dns_name(struct ep_cursor *c, uint8_t *out, size_t *outlen);

/* Presentation form of a wire name ("probe.test." or "."), into buf. */
const char *ep_dns_name_str(const uint8_t *wire, size_t len, char *buf,
    size_t buflen);

#endif
