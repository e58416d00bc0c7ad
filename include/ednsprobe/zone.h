/* include/ednsprobe/zone.h: what the zone command learned of a
 * delegation (parent and child views, each server address), its DNSSEC
 * chain, and the findings they earn.  Plain data: the verdicts read it,
 * the writers print it. */
#ifndef EDNSPROBE_ZONE_H
#define EDNSPROBE_ZONE_H

#include <stdint.h>

#include "ednsprobe/dns.h"
#include "ednsprobe/result.h"

#define EP_ZONE_NS_MAX		32	/* name server names kept */
#define EP_ZONE_ADDR_MAX	64	/* server addresses kept */
#define EP_ZONE_ADDRS_DEFAULT	32	/* of which probed (--max-addresses) */
#define EP_ZONE_FINDINGS_MAX	32
#define EP_ZONE_CITES_MAX	12	/* evidence lines of one finding */
#define EP_ZONE_KEYS_MAX	16	/* DS, DNSKEY, RRSIG records kept */

/* How one server address answered for the zone. */
enum ep_zone_auth {
	EP_ZAUTH_UNTESTED = 0,
	EP_ZAUTH_OK,		/* AA answers for the zone */
	EP_ZAUTH_NOTAUTH,	/* answers without AA (a referral, cache) */
	EP_ZAUTH_REFUSED,	/* REFUSED: not configured for the zone */
	EP_ZAUTH_SERVFAIL,	/* SERVFAIL or another error rcode */
	EP_ZAUTH_SILENT,	/* nothing within the timeout */
	EP_ZAUTH_UNREACHABLE,	/* ICMP error, no route */
	EP_ZAUTH_MALFORMED,	/* a reply that is not DNS */
};

/* One name server name, from the parent's NS set, the child's, or both. */
struct ep_zone_ns {
	char		 name[EP_DNAME_STRMAX];	/* "ns1.example." */
	uint8_t		 wire[EP_DNAME_MAX];
	size_t		 wire_len;
	int		 at_parent;	/* in the parent's NS set */
	int		 at_child;	/* in the child's NS RRset */
	int		 in_zone;	/* under the zone: needs glue */
	int		 glue[EP_ZONE_ADDR_MAX / 4];	/* addr indices */
	int		 nglue;
	int		 auth[EP_ZONE_ADDR_MAX / 4];	/* from A/AAAA answers */
	int		 nauth;
	int		 left_out;	/* its addresses beyond the bound */
	int		 asked;		/* its A/AAAA were asked (0: bounded) */
	int		 answered;	/* an authoritative answer (A/AAAA or
					   NODATA/NXDOMAIN) came */
	int		 nxdomain;	/* the name does not exist */
	char		 cname[EP_DNAME_STRMAX];	/* "" or its alias target */
};

/* One server address of the zone. */
struct ep_zone_addr {
	int		 family;	/* 4 or 6 */
	uint8_t		 addr[16];
	char		 str[64];
	int		 ns;		/* index of a name pointing here */
	int		 from_glue;	/* the parent's glue gave it */
	int		 from_auth;	/* an authoritative A/AAAA gave it */
	enum ep_zone_auth auth;		/* by its SOA answer */
	uint16_t	 rcode;
	int		 have_serial;
	uint32_t	 serial;
	char		 nsset[512];	/* its NS RRset, sorted, "a. b." */
	int		 have_nsset;
	double		 rtt_ms;	/* of its SOA answer, < 0 none */
	int		 probed;	/* handed to the path probes */
	int		 target;	/* its index in the report's targets,
					   -1: not probed */
};

/* A DNSSEC record summarised (DS, DNSKEY or RRSIG). */
struct ep_zone_key {
	uint16_t	 tag;		/* key tag (RRSIG: of the signer) */
	uint8_t		 alg;
	uint16_t	 flags;		/* DNSKEY */
	uint8_t		 digest_type;	/* DS */
	uint16_t	 covered;	/* RRSIG: type covered */
	uint32_t	 inception, expiration;	/* RRSIG */
	int		 matches;	/* DS: a DNSKEY matches it; DNSKEY:
					   a DS points at it; RRSIG: verified */
	int		 crypto_ok;	/* RRSIG: verifies, times aside */
	char		 why[96];	/* RRSIG: why it fails, "" if valid */
};

/* One finding about the zone, with the records and answers behind it. */
struct ep_zone_finding {
	struct ep_finding f;	/* id, severity, summary, advice */
	char		 cites[EP_ZONE_CITES_MAX][200];	/* "@ADDR: RECORD" */
	int		 ncites;
};

struct ep_zone {
	char		 name[EP_DNAME_STRMAX];	/* "example." */
	uint8_t		 wire[EP_DNAME_MAX];
	size_t		 wire_len;
	char		 parent[EP_DNAME_STRMAX];	/* parent zone, "" unknown */
	char		 parent_addr[64];	/* the parent server that
						   answered the referral */
	int		 delegated;	/* the parent's referral was seen */
	int		 parent_is_child;	/* the server asked answered for
					   the zone itself */
	/* Why there is no delegation to check (an error, not a finding):
	 * "" when there is one. */
	char		 error[384];
	int		 error_kind;	/* 0, or EP_ZONE_E* (zone.c) */
	struct ep_zone_ns ns[EP_ZONE_NS_MAX];
	int		 nns;
	int		 ns_left_out;
	struct ep_zone_addr addrs[EP_ZONE_ADDR_MAX];
	int		 naddrs;
	int		 addrs_left_out;	/* beyond --max-addresses */
	char		 left_out[256];	/* which, "a b c ..." */
	/* DNSSEC: the parent's DS RRset, the child's DNSKEY RRset and the
	 * RRSIGs over DNSKEY, SOA and NS. */
	int		 ds_nodata;	/* the parent says: no DS */
	struct ep_zone_key ds[EP_ZONE_KEYS_MAX];
	int		 nds;
	struct ep_zone_key dnskey[EP_ZONE_KEYS_MAX];
	int		 ndnskey;
	struct ep_zone_key rrsig[EP_ZONE_KEYS_MAX];
	int		 nrrsig;
	char		 keys_from[64];	/* the server the DNSKEY and RRSIGs
					   came from (the DS: parent_addr) */
	int		 ds_at_apex;	/* the child serves a DS at its apex */
	int		 nsec3;		/* a negative answer carried NSEC3 */
	int		 nsec3param;	/* 1 present, 0 absent, -1 not asked */
	int64_t		 checked_at;	/* time the signatures were judged */
	struct ep_zone_finding findings[EP_ZONE_FINDINGS_MAX];
	int		 nfindings;
	uint64_t	 queries;	/* discovery questions asked */
	int		 questions_cut;	/* unanswered when discovery's time
					   bound ran out */
};

/* The stable name of an ep_zone_auth in JSON and text (docs/json.md). */
const char *ep_zone_auth_str(enum ep_zone_auth);

#endif
