/* probe/sniffer.h: the run's live capture: a sniffer on the route to the
 * targets, its descriptor in the run's loop, every frame through the
 * analysis path (capture/evidence.c) into the pcap file. */
#ifndef EP_SNIFFER_H
#define EP_SNIFFER_H

#include "ednsprobe/result.h"
#include "loop.h"
#include "options.h"

struct ep_sniffer;

/*
 * Start capturing for the targets of r before any probe is sent.  Never
 * fails the run: without permission or interface the capture is skipped,
 * r->capture.skipped says why, and NULL is returned.
 */
struct ep_sniffer *ep_sniffer_start(struct ep_loop *, const struct ep_options *,
	    struct ep_report *r);

/* Every probe is done: keep reading for ms (late fragments, ICMP), then
 * let the loop end. */
void	ep_sniffer_linger(struct ep_sniffer *, uint32_t ms);

/* Read what is left, settle the evidence, record the statistics in
 * r->capture, close the file, free.  NULL is a no-op. */
void	ep_sniffer_stop(struct ep_sniffer *, struct ep_report *r);

#endif
