/* capture/wire.h: ties captured frames to the probes of a run and keeps
 * what they say in the probe records (ep_probe_wire, orphan fragments,
 * ICMP).  The same code serves live runs and offline analysis. */
#ifndef EP_WIRE_H
#define EP_WIRE_H

#include <stddef.h>

#include "ednsprobe/frame.h"
#include "ednsprobe/result.h"

struct ep_wire;

/* A matcher over targets[0..ntargets) (not owned; their probes' qid and
 * lports may be filled in while frames arrive).  NULL: out of memory. */
struct ep_wire *ep_wire_new(struct ep_target *targets, int ntargets);
void	 ep_wire_free(struct ep_wire *);

/*
 * Tie frame f to its probe, if any, and record it.  comment gets a short
 * description for the capture file ("probe 9 udp DNSKEY 4000 do: reply
 * fragment 1480+557, last"), "" when the frame is tied to nothing.
 * Returns 1 when f is about a target (to or from its address, or an ICMP
 * error quoting a packet to or from it), else 0.  Targets whose family
 * is 0 are empty slots: frames about them are about nothing.
 */
int	 ep_wire_frame(struct ep_wire *, const struct ep_frame *f,
	    char *comment, size_t len);

/* Target t is done (its last frames read): settle the fragmented
 * datagrams from it (complete, first fragment only, orphans), before its
 * slot is given to another target. */
void	 ep_wire_settle(struct ep_wire *, const struct ep_target *t);

/* After the last frame: settle the fragmented datagrams of every target.
 * Once; later frames are ignored. */
void	 ep_wire_finish(struct ep_wire *);

#endif
