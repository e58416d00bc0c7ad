/* probe/cmd/analyze.h: offline analysis of a capture file. */
#ifndef EP_ANALYZE_H
#define EP_ANALYZE_H

#include "ednsprobe/err.h"
#include "ednsprobe/result.h"

/*
 * Rebuild the probes of the DNS exchanges in the pcap or pcapng file at
 * path, tie its frames to them and compute each server's facts and
 * findings into r.  DNS is read on port (53: the servers' port).  path
 * "-" is standard input: a pipe (tcpdump -w - | ednsprobe analyze -) is
 * spooled first (ep_analyze_spool), a regular file read in place.
 * Returns 0 (also for a cut file: r->capture.error says where it ended)
 * or -1 with err when the file cannot be read at all.
 */
int	ep_analyze(const char *path, uint16_t port, struct ep_report *r,
	    struct ep_err *err);

/*
 * Copy everything readable from in (a pipe: read to its end) into a new
 * temporary file that has no name: O_TMPFILE in $TMPDIR (else /tmp),
 * or mkstemp and unlink where the file system has no O_TMPFILE.  It is
 * bounded by the disk only: the analysis reads the capture twice, so it
 * must be kept whole.  Returns the file's descriptor (owned by the
 * caller, at offset 0), or -1 with err (a read or write error, a full
 * disk: the message says which and how many bytes were spooled; EINVAL
 * when in had no byte at all); in is not closed.
 */
int	ep_analyze_spool(int in, struct ep_err *err);

#endif
