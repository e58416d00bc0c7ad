/* capture/sniff.h: frames from libpcap, live (non-blocking, for the event
 * loop) or from a pcap/pcapng file: one source type for both. */
#ifndef EP_SNIFF_H
#define EP_SNIFF_H

#include <stdint.h>

#include "ednsprobe/err.h"

struct ep_sniff;

/* One frame as it came: capture time in microseconds since the epoch. */
typedef void ep_sniff_cb(void *arg, uint64_t ts_us, const uint8_t *data,
    uint32_t caplen, uint32_t wirelen);

/*
 * Live capture on iface ("any" for all) with BPF filter, immediate mode,
 * non-blocking, snap length 65535.  NULL with err on failure; err->code
 * is EPERM when the permission to capture is missing.
 */
struct ep_sniff *ep_sniff_live(const char *iface, const char *filter,
	    struct ep_err *err);
/*
 * A capture file, pcap or pcapng, read from the start of fd (opened by the
 * caller, perhaps before giving up privileges; not closed here, so it can
 * be read again); path names it in messages.  NULL with err on failure.
 */
struct ep_sniff *ep_sniff_file(int fd, const char *path, struct ep_err *err);

/* The descriptor to watch for reading (live), -1 for a file. */
int	 ep_sniff_fd(const struct ep_sniff *);
/* 1 for a pcapng file, 0 for a pcap one or a live capture. */
int	 ep_sniff_pcapng(const struct ep_sniff *);
/* LINKTYPE_ value of the frames. */
int	 ep_sniff_link(const struct ep_sniff *);

/*
 * Hand every frame ready now to cb: live, what is buffered (returns at
 * once when nothing is); file, up to max frames (0: all).  Returns the
 * number of frames, 0 at the end of a file, -1 with err on a read error
 * (a truncated file: err says so, and the frames before stay valid).
 */
int	 ep_sniff_read(struct ep_sniff *, int max, ep_sniff_cb *cb, void *arg,
	    struct ep_err *err);

/* Kernel counters of a live capture: received by the filter, dropped.
 * -1 when unknown (a file). */
int	 ep_sniff_stats(struct ep_sniff *, uint64_t *recv, uint64_t *drop);

void	 ep_sniff_close(struct ep_sniff *);

#endif
