/* capture/pcapw.h: the capture file writer: pcapng (ours: libpcap cannot
 * write it) with a comment per frame, or classic pcap. */
#ifndef EP_PCAPW_H
#define EP_PCAPW_H

#include <stdint.h>

#include "ednsprobe/err.h"

enum ep_pcap_format { EP_PCAP_NG = 0, EP_PCAP_CLASSIC };

/* Longest string option written (comments, application, interface name),
 * in bytes; a longer UTF-8 string is cut at a character boundary below. */
#define EP_PCAPW_STR_MAX	1000
/* Largest snapshot length: what libpcap accepts when it reads a file of
 * the common link types.  A snaplen of 0 or above it means this. */
#define EP_PCAPW_SNAP_MAX	262144

struct ep_pcapw;

/*
 * Create path (O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode 0644 before
 * the umask: never through a symlink) and write the file header.  pcapng: a
 * Section Header Block (shb_userappl appl, e.g. "ednsprobe 0.1.0", and
 * shb_comment comment, each when not NULL and not empty) and one Interface
 * Description Block (linktype, snaplen, if_name ifname when not NULL,
 * if_tsresol 6: microseconds).  Classic: the pcap global header (magic
 * a1b2c3d4 in host order, version 2.4, snaplen, linktype).  Strings are
 * copied; none is kept.  linktype must be 0..65535.  Returns the writer
 * (owned by the caller, released by ep_pcapw_close), or NULL with err
 * (code errno, EINVAL for a bad argument; the message names path).
 */
struct ep_pcapw *ep_pcapw_open(const char *path, enum ep_pcap_format fmt,
	    int linktype, uint32_t snaplen, const char *ifname,
	    const char *appl, const char *comment, struct ep_err *err);

/*
 * As ep_pcapw_open, on fd, a file the caller opened for writing (the run
 * opens its outputs before it probes; standard output for "--pcap -").
 * The writer owns fd from here, also on failure (it is closed); a regular
 * file is emptied first (it may hold an older capture); path only names
 * the file in messages.
 */
struct ep_pcapw *ep_pcapw_open_fd(int fd, const char *path,
	    enum ep_pcap_format fmt, int linktype, uint32_t snaplen,
	    const char *ifname, const char *appl, const char *comment,
	    struct ep_err *err);

/*
 * One frame captured at ts_us (microseconds since the epoch): caplen bytes
 * at data (borrowed; clipped to the snaplen), wirelen its length on the
 * wire (raised to caplen if smaller).  pcapng: an Enhanced Packet Block on
 * interface 0 with opt_comment comment when not NULL and not empty; classic
 * pcap has no comments.  Each frame goes to the kernel in one write(2)
 * before this returns, so an interrupted run leaves a readable file up to
 * the last frame.  Returns 0, or -1 with err (a full disk: the file is cut
 * back to the last whole frame, and every later write fails too).
 */
int	 ep_pcapw_write(struct ep_pcapw *, uint64_t ts_us, const uint8_t *data,
	    uint32_t caplen, uint32_t wirelen, const char *comment,
	    struct ep_err *err);

/* Frames written so far. */
uint32_t ep_pcapw_count(const struct ep_pcapw *);

/*
 * pcapng: an Interface Statistics Block for interface 0 (isb_starttime
 * start_us, isb_endtime end_us, isb_ifrecv recv and isb_ifdrop drop, as
 * pcap_stats gave them); write it last, before ep_pcapw_close, when the
 * statistics are known.  Classic pcap has no place for them: 0.  Returns
 * 0, or -1 with err.
 */
int	 ep_pcapw_stats(struct ep_pcapw *, uint64_t start_us, uint64_t end_us,
	    uint64_t recv, uint64_t drop, struct ep_err *err);

/*
 * Sync to disk, close and free the writer; NULL is a no-op.  Returns 0, or
 * -1 with err when the data may not all be on disk (fsync or close failed,
 * e.g. a full disk on a network file system, or an earlier write failed).
 */
int	 ep_pcapw_close(struct ep_pcapw *, struct ep_err *err);

/* The file's descriptor (to hand the file to another owner). */
int	 ep_pcapw_fd(const struct ep_pcapw *);

#endif
