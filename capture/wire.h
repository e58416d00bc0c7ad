/* capture/wire.h: ties captured frames to the probes of a run through
 * their signatures and keeps what the frames say in the evidence the
 * targets point at (ep_probe_wire, orphan fragments, ICMP too big).  The
 * same code serves live runs and offline analysis. */
#ifndef EP_WIRE_H
#define EP_WIRE_H

#include <stddef.h>

#include "ednsprobe/frame.h"
#include "ednsprobe/wire.h"

struct ep_wire;

/*
 * Bring wt's sigs and nsigs up to date and clear wt->stale; arg is the
 * one given to ep_wire_new.  Called before the matcher reads the sigs of
 * a target marked stale, so an owner whose probes change while frames
 * arrive (a live run) refreshes only the targets frames are about.
 */
typedef void ep_wire_sync_cb(void *arg, struct ep_wire_target *wt);

/*
 * A matcher over targets[0..ntargets) (not owned, nor what they point
 * at; the owner may change them between calls: addresses, signatures,
 * stale).  sync (NULL when no target is ever stale) and arg as above.
 * NULL: out of memory.
 */
struct ep_wire *ep_wire_new(struct ep_wire_target *targets, int ntargets,
	    ep_wire_sync_cb *sync, void *arg);
void	 ep_wire_free(struct ep_wire *);

/*
 * Tie frame f to its probe, if any, and record it.  comment gets a short
 * description for the capture file ("probe 9 udp 4000 do large: reply id
 * 4660, 2037 bytes, fragment at 0"), "" when the frame is tied to nothing; NULL
 * when none is wanted (the evidence is the same).  Returns 1 when f is
 * about a target (to or from its address, or an ICMP error quoting a
 * packet to or from it), else 0.  Targets whose family is 0 are empty
 * slots: frames about them are about nothing.
 */
int	 ep_wire_frame(struct ep_wire *, const struct ep_frame *f,
	    char *comment, size_t len);

/* Target t (one of ep_wire_new's) is done (its last frames read): settle
 * the fragmented datagrams from it (complete, first fragment only,
 * orphans), before its slot is given to another target. */
void	 ep_wire_settle(struct ep_wire *, const struct ep_wire_target *t);

/* After the last frame: settle the fragmented datagrams of every target.
 * Once; later frames are ignored. */
void	 ep_wire_finish(struct ep_wire *);

#endif
