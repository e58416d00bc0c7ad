/* probe/engine/query.h: building DNS queries (ldns) and checking replies against
 * them. */
#ifndef EP_QUERY_H
#define EP_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "ednsprobe/dns.h"
#include "ednsprobe/err.h"
#include "ednsprobe/result.h"

#define EP_QUERY_MAX	65535	/* padded queries (raw probes) up to this */

struct ep_query {
	uint8_t		wire[EP_QUERY_MAX];
	size_t		len;
	uint16_t	id;
};

/*
 * Parse a domain name in presentation form ("probe.test", "." ) into wire
 * form (at most EP_DNAME_MAX bytes, lower case).  Returns 0 or -1 with err.
 */
int	ep_query_parse_name(const char *s, uint8_t *wire, size_t *len,
	    struct ep_err *err);
/* Parse a type mnemonic ("DNSKEY", "TYPE65534").  Returns 0 or -1. */
int	ep_query_parse_type(const char *s, uint16_t *type, struct ep_err *err);
/* Mnemonic of a type into buf ("DNSKEY", "TYPE65534"). */
const char *ep_query_type_str(uint16_t type, char *buf, size_t len);

/* A random 16-bit DNS id from the kernel. */
uint16_t ep_query_random_id(void);

/*
 * Build the query spec asks, with DNS id id, into q.  An OPT record is
 * added exactly when spec->edns is set.  Returns 0 or -1 with err.
 */
int	ep_query_build(const struct ep_probe_spec *spec, uint16_t id,
	    struct ep_query *q, struct ep_err *err);

enum ep_match {
	EP_MATCH_OK,		/* our answer: m is filled */
	EP_MATCH_IGNORE,	/* not ours (id, QR, opcode, question): keep
				   waiting */
	EP_MATCH_MALFORMED,	/* our id, but not a valid DNS message */
};

/*
 * Check len reply bytes against the query q asked for spec; m gets the
 * dissection.  A reply without a question is accepted only with an error
 * rcode (old servers answer FORMERR that way).
 */
enum ep_match ep_query_match(const struct ep_probe_spec *spec,
	    const struct ep_query *q, const uint8_t *buf, size_t len,
	    struct ep_dns_msg *m);

#define EP_OPT_COOKIE	10	/* RFC 7873 */

/* Append a COOKIE option to s's options: this process's client cookie
 * (8 random bytes), then server (n bytes, 0..32).  Nothing when the
 * options are full. */
void	ep_query_put_cookie(struct ep_probe_spec *s, const uint8_t *server,
	    size_t n);

#endif
