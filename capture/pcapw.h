/* capture/pcapw.h: the capture file writer: pcapng (ours: libpcap cannot
 * write it) with a comment per frame, or classic pcap. */
#ifndef EP_PCAPW_H
#define EP_PCAPW_H

#include <stdint.h>

#include "ednsprobe/err.h"

enum ep_pcap_format { EP_PCAP_NG = 0, EP_PCAP_CLASSIC };

struct ep_pcapw;

/*
 * Create path (never through a symlink) and write the file header: pcapng
 * Section Header (shb_userappl appl, shb_comment comment, each when not
 * NULL) and one Interface Description (linktype, snaplen, if_name, and
 * microsecond timestamps); classic: the pcap global header.  NULL with
 * err on failure.
 */
struct ep_pcapw *ep_pcapw_open(const char *path, enum ep_pcap_format fmt,
	    int linktype, uint32_t snaplen, const char *ifname,
	    const char *appl, const char *comment, struct ep_err *err);

/*
 * One frame (timestamp in microseconds since the epoch); pcapng: an
 * Enhanced Packet Block with opt_comment when comment is not empty.
 * Written through to the kernel at once, so an interrupted run leaves a
 * readable file.  0, or -1 with err (a full disk).
 */
int	 ep_pcapw_write(struct ep_pcapw *, uint64_t ts_us, const uint8_t *data,
	    uint32_t caplen, uint32_t wirelen, const char *comment,
	    struct ep_err *err);

/* Frames written so far. */
uint32_t ep_pcapw_count(const struct ep_pcapw *);

/* pcapng: an Interface Statistics Block (frames received and dropped by
 * the kernel, start and end time); classic pcap has none: 0. */
int	 ep_pcapw_stats(struct ep_pcapw *, uint64_t start_us, uint64_t end_us,
	    uint64_t recv, uint64_t drop, struct ep_err *err);

/* Close; NULL is a no-op.  0, or -1 with err. */
int	 ep_pcapw_close(struct ep_pcapw *, struct ep_err *err);

#endif
