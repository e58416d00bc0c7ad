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
 * spooled first to an unnamed temporary file, a regular file read in
 * place.
 * Returns 0 (also for a cut file: r->capture.error says where it ended)
 * or -1 with err when the file cannot be read at all.
 */
int	ep_analyze(const char *path, uint16_t port, struct ep_report *r,
	    struct ep_err *err);

#endif
