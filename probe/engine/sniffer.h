/* probe/engine/sniffer.h: the run's live capture: a sniffer on the route to the
 * targets, its descriptor in the run's loop, every frame through the
 * analysis path (capture/evidence.c) into the pcap file. */
#ifndef EP_SNIFFER_H
#define EP_SNIFFER_H

#include "ednsprobe/result.h"
#include "ednsprobe/wire.h"
#include "engine/loop.h"
#include "ednsprobe/options.h"

struct ep_sniffer;

/*
 * The capture's view of t into wt (caller's storage, overwritten): t's
 * address, a signature per probe of t as it is now in sigs (caller's
 * storage, room for t->nprobes), the probes' wire evidence and t's
 * orphan fragments and too-big as where the evidence goes (t must
 * outlive the matcher's use of wt).  The live sniffer keeps its views up
 * to date itself; analyze makes them once, after its first pass.
 */
void	ep_sniffer_view(struct ep_target *t, struct ep_wire_target *wt,
	    struct ep_wire_sig *sigs);

/*
 * The default capture file's name, ednsprobe-SERVER-UTCTIME.pcapng (or
 * .pcap), into buf: the server (or "survey") with every character but
 * letters, digits, '.' and '-' made '_', the time now.
 */
void	ep_sniffer_default_name(const struct ep_options *o, char *buf,
	    size_t len);

/*
 * Start capturing for the targets of r before any probe is sent.  When
 * r's targets are empty slots (a survey: family 0), every DNS exchange,
 * fragment and ICMP error on the interface passes the filter and only
 * the frames about a target then in a slot are kept (numbered, written).  Never
 * fails the run: without permission or interface the capture is skipped,
 * r->capture.skipped says why, and NULL is returned.  The capture file
 * is o->pcap_fd when o->pcap_open (main opened it before the run, named
 * o->pcap or the default name, and keeps it: the sniffer writes through
 * a copy); none without.
 */
struct ep_sniffer *ep_sniffer_start(struct ep_loop *, const struct ep_options *,
	    struct ep_report *r);

/* Target t is over: read what the kernel holds, settle t's fragments
 * (wire.h) before its slot is reused.  NULL is a no-op. */
void	ep_sniffer_target_done(struct ep_sniffer *, struct ep_target *t);

/* The kernel's drops so far: 0, or -1 when unknown (or s is NULL). */
int	ep_sniffer_drops(struct ep_sniffer *, uint64_t *drops);

/* Read what is left, settle the evidence, record the statistics in
 * r->capture, close the file, free.  NULL is a no-op. */
void	ep_sniffer_stop(struct ep_sniffer *, struct ep_report *r);

#endif
