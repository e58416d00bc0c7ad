/* probe/output/output.h: the report as text for a terminal and as JSON
 * (docs/json.md). */
#ifndef EP_OUTPUT_H
#define EP_OUTPUT_H

#include <stdio.h>

#include <jansson.h>

#include "ednsprobe/err.h"
#include "ednsprobe/result.h"

/* The report as a new JSON object (caller owns it), NULL on no memory. */
json_t	*ep_out_json_new(const struct ep_report *r);
/* One target as a new JSON object (the report's targets[] entry); cap:
 * a capture ran; server: @SERVER as given. */
json_t	*ep_out_json_target(const struct ep_target *t, int cap,
	    const char *server);
/* The run's fields of the report (ednsprobe, command, started,
 * duration_ms, interrupted, pcap, capture, raw_skipped, capture_skipped)
 * into o: the report's and the survey's summary line. */
void	 ep_out_json_run(json_t *o, const struct ep_report *r);
/* Write the JSON report to fp, one object and a newline.  0 or -1. */
int	 ep_out_json(FILE *fp, const struct ep_report *r, struct ep_err *err);
/* Write the readable report to fp; verbose adds every probe's detail. */
void	 ep_out_text(FILE *fp, const struct ep_report *r, int verbose);
/* +short: the text report's Resume line of each target, nothing else. */
void	 ep_out_short(FILE *fp, const struct ep_report *r);
struct ep_zone;
/* The zone command's section: as a JSON object, as text. */
json_t	*ep_out_json_zone(const struct ep_zone *z);
void	 ep_out_text_zone(FILE *fp, const struct ep_zone *z);
/* A finding's frames, sorted, runs joined: "3-5, 9, 12". */
const char *ep_out_frames(const struct ep_finding *f, char *buf, size_t len);
/* The ticket report (--report): Markdown for a vendor or a colleague:
 * what was tested from where, each finding with its frames, the
 * Wireshark filter and tshark command that show them, the advice, the
 * command to reproduce.  0 or -1 with err. */
int	 ep_out_report(FILE *fp, const struct ep_report *r, struct ep_err *err);
/* Its parts, for a report written as targets finish (survey): the head
 * (what was tested, when, the command, the capture), and one target's
 * findings. */
void	 ep_out_report_head(FILE *fp, const struct ep_report *r,
	    const char *what);
void	 ep_out_report_findings(FILE *fp, const struct ep_report *r,
	    const struct ep_target *t);
/* The one-line resume of a target into buf ("Resume: ..."). */
const char *ep_out_resume(const struct ep_target *t, char *buf, size_t len);

#endif
