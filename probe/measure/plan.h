/* probe/measure/plan.h: building probe specs: the helpers every
 * measurement module plans its probes with. */
#ifndef EP_PLAN_H
#define EP_PLAN_H

#include "ednsprobe/err.h"
#include "ednsprobe/result.h"
#include "ednsprobe/options.h"

/* The label prepended to NAME for the negative (medium-size) answer. */
#define EP_PLAN_NXLABEL	"ednsprobe-nx"
/* A padded query of this IP size fits every path whole (below the IPv6
 * minimum MTU): outbound fragments, inbound ones (two-ended). */
#define EP_PLAN_FRAGOUT_SIZE	1200
/* The largest IP datagram a probe is made as: the IPv4 total length's
 * bound, and ip_size's (an IPv6 one could be 40 bytes more, RFC 8200
 * 3, but a route MTU of 65536, loopback's, is probed at 65535). */
#define EP_PLAN_IP_MAX		65535

/*
 * A new probe at the end of t->probes, zeroed but for its id (from
 * *next_id) and "no RTT yet"; NULL when t holds EP_PROBES_MAX.
 */
struct ep_probe_spec *ep_plan_new_probe(struct ep_target *t, int *next_id);

/* Take back the last probe ep_plan_new_probe made (it did not fit). */
void	ep_plan_undo(struct ep_target *t, int *next_id);

/* TTL probes: hops 1..o->max_hops (--max-hops). */
#define EP_HOPS_DEFAULT		16
#define EP_HOPS_MAX		30

/* Outbound fragments: IP payload per fragment, o->frag_size
 * (--frag-size, a multiple of 8), and twice that. */
#define EP_FRAG_DEFAULT		256
#define EP_FRAG_MAX		584	/* twice it still cuts 1180 bytes */

/*
 * A new query of qname (wire form, qlen bytes) and qtype over tr, with
 * role and subject; with EDNS (edns: an OPT of bufsize, DO when
 * dnssec_ok), RD as o->recurse.  NULL when t is full.
 */
struct ep_probe_spec *ep_plan_add(struct ep_target *t, int *next_id,
	    enum ep_transport tr, enum ep_role role, enum ep_subject subj,
	    const uint8_t *qname, size_t qlen, uint16_t qtype, int edns,
	    uint16_t bufsize, int dnssec_ok, const struct ep_options *o);

/*
 * A raw probe (sent through a raw socket): SOA of NAME with EDNS, padded
 * so the IP datagram is ip_size bytes, leaving as raw (EP_RAW_*) in
 * fragments of frag_size.  NULL when t is full.
 */
struct ep_probe_spec *ep_plan_add_raw(struct ep_target *t, int *next_id,
	    enum ep_role role, int raw, uint16_t ip_size, uint16_t frag_size,
	    const struct ep_options *o);

/*
 * An IPv6 query behind extension headers (eh: EP_EH_* bits, 8 bytes
 * each): SOA of NAME without EDNS in one raw packet (EP_RAW_WHOLE), the
 * small query of the TTL probes, with role (EP_ROLE_EH; the hops module
 * may plan TTL-limited twins of it: set ttl on the spec returned).  NULL
 * when t is full or not IPv6 (RFC 8200 headers mean nothing to IPv4).
 */
struct ep_probe_spec *ep_plan_add_eh(struct ep_target *t, int *next_id,
	    enum ep_role role, uint8_t eh, const struct ep_options *o);

/*
 * The route MTU toward t (1500 when the kernel did not say) as a probe
 * size: at most EP_PLAN_IP_MAX.
 */
int	ep_plan_mtu(const struct ep_target *t);

/* The largest rung of o's ladder. */
uint16_t ep_plan_largest(const struct ep_options *o);

#endif
