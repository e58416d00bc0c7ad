/* probe/cmd/survey.h: the survey command: a target list streamed through the
 * run's feed (run.h), one JSON line per finished target. */
#ifndef EP_SURVEY_H
#define EP_SURVEY_H

#include <stdint.h>
#include <stdio.h>

#include "ednsprobe/dns.h"
#include "ednsprobe/err.h"
#include "ednsprobe/result.h"
#include "ednsprobe/options.h"

#define EP_SURVEY_LINE_MAX	1024	/* bytes of one list line */
#define EP_SURVEY_TARGETS_MAX	10000000	/* distinct targets per list */
#define EP_RATE_SURVEY		20	/* o->rate's default, as scamper's */
#define EP_PARALLEL_DEFAULT	64	/* o->parallel: targets in flight */
#define EP_PARALLEL_MAX		512

/* One line of a target list: ADDRESS [NAME [TYPE]]. */
struct ep_survey_line {
	int		 family;		/* 4 or 6 */
	uint8_t		 addr[16];
	char		 addr_str[64];		/* as inet_ntop writes it */
	char		 name[EP_DNAME_STRMAX];	/* "" when not given */
	uint8_t		 qname[EP_DNAME_MAX];
	size_t		 qname_len;		/* 0 when not given */
	uint16_t	 qtype;			/* 0 when not given */
};

/*
 * Parse one line of a target list (without its newline).  Returns 1 with
 * l filled, 0 for a blank or comment line ('#' starts a comment), or -1
 * with why (a sentence without the line number) for a bad line.
 */
int	ep_survey_parse_line(const char *line, struct ep_survey_line *l,
	    char *why, size_t len);

/* The identity of a target (address, question as asked, type; qtype 0
 * is the default DNSKEY), for duplicates and --resume. */
uint64_t ep_survey_key(const struct ep_survey_line *l);

/*
 * From one line of an earlier survey's output: 1 and the key of the
 * finished target it reports, 0 for any other line (summary, cut,
 * truncated).
 */
int	ep_survey_resume_key(const char *jsonline, uint64_t *key);

/* What a survey did, for the exit status. */
struct ep_survey_stats {
	uint64_t	 targets;	/* finished and written */
	uint64_t	 with_findings;	/* a finding of warning or worse */
	uint64_t	 cut;		/* interrupted before their verdict */
	int		 interrupted;
};

/*
 * Run the survey of o->file ("-": stdin): every target in the one loop
 * (o->parallel at once, o->rate packets/s), a JSON line per finished
 * target on out, then a summary line; a summary for people on stderr.
 * report (NULL: none) gets the ticket report as targets finish: each
 * target's findings, then a summary.  r gets the capture and run notes.
 * Returns 0, or -1 with err (the list cannot be read, no target in it,
 * output failed, internal error).
 */
int	ep_survey(const struct ep_options *o, FILE *out, FILE *report,
	    struct ep_report *r, struct ep_survey_stats *st,
	    struct ep_err *err);

#endif
