/* probe/cmd/survey_opts.c: the survey command's command line: its own
 * options (--parallel, --budget, --resume) and its one target list. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/options.h"
#include "cmd/survey.h"
#include "engine/query.h"

enum { S_PARALLEL, S_BUDGET, S_RESUME };

static const struct ep_optdef survey_opts[] = {
	{ "parallel", 0, required_argument, S_PARALLEL,
"  --parallel=N        targets probed at once (default 64, at most 512)\n" },
	{ "budget", 0, required_argument, S_BUDGET,
"  --budget=S          seconds per target (default: the run's bound); a\n"
"                      target over it is cut and reported as such\n" },
	{ "resume", 0, required_argument, S_RESUME,
"  --resume=FILE       skip the targets an earlier output reports\n" },
	{ NULL, 0, 0, 0, NULL }
};

static void
survey_init(struct ep_options *o)
{
	o->parallel = EP_PARALLEL_DEFAULT;
}

static int
survey_set(int id, const char *arg, struct ep_options *o,
    struct ep_err *err)
{
	long v = 0;

	switch (id) {
	case S_PARALLEL:
		if (ep_opt_long("--parallel", arg, 1, EP_PARALLEL_MAX, &v,
		    err) == -1)
			return -1;
		o->parallel = (int)v;
		return 0;
	case S_BUDGET:
		return ep_opt_seconds("--budget", arg, &o->budget_ms, err);
	case S_RESUME:
		if (ep_opt_copy(o->resume, sizeof(o->resume), arg) == -1)
			return ep_err_set(err, EP_EUSAGE, "--resume: bad file "
			    "name");
		return 0;
	}
	return ep_err_set(err, EP_EUSAGE, "unknown option");
}

static int
survey_given(const struct ep_options *o)
{
	return o->parallel != EP_PARALLEL_DEFAULT || o->budget_ms != 0 ||
	    o->resume[0] != '\0';
}

const struct ep_optgroup ep_opts_survey = {
	.title = "Survey", .owner = EP_CMD_SURVEY, .opts = survey_opts,
	.init = survey_init, .set = survey_set, .given = survey_given,
};

/* survey FILE|-: no @SERVER, the list gives the targets. */
static int
survey_check(struct ep_options *o, const char *const *pos, int npos,
    struct ep_err *err)
{
	if (npos != 1 || o->server[0] != '\0')
		return ep_err_set(err, EP_EUSAGE, "survey takes one target "
		    "list FILE (\"-\": standard input) and no @SERVER: one "
		    "ADDRESS [NAME [TYPE]] per line");
	if (strlen(pos[0]) >= sizeof(o->file))
		return ep_err_set(err, EP_EUSAGE, "file name too long");
	snprintf(o->file, sizeof(o->file), "%s", pos[0]);
	if (o->genreport)
		return ep_err_set(err, EP_EUSAGE, "--format genreport is for "
		    "the compliance command");
	if (!o->compliance && (o->full || o->resolver))
		return ep_err_set(err, EP_EUSAGE, "%s is for the compliance "
		    "tests (survey --compliance)", o->full ? "--full" :
		    "--resolver");
	if (ep_opt_probes(o, err) == -1)
		return -1;
	return ep_query_parse_name(o->name, o->qname, &o->qname_len, err);
}

const struct ep_cmd ep_cmd_survey = {
	.cmd = EP_CMD_SURVEY,
	.name = "survey",
	.synopsis = "survey [options] FILE|-",
	.summary = "the path probes for every target of a list, at once",
	.about =
"The path probes for every target of a list, ADDRESS [NAME [TYPE]] per\n"
"line ('#' comments; FILE \"-\": standard input), many at once under one\n"
"packet-rate cap; one JSON line per finished target on stdout, flushed\n"
"at once, then a summary line.\n",
	.groups = (const struct ep_optgroup *const[]){ &ep_opts_survey,
	    &ep_opts_probe, &ep_opts_query, &ep_opts_comply, &ep_opts_output,
	    &ep_opts_capture, &ep_opts_process, NULL },
	.nfull = 3,
	.notes = (const struct ep_optnote[]){
		{ "+short", NULL },
		{ "+noshort", NULL },
		{ "rate",
"  --rate=PPS          packet-rate cap (default 20, at most 1000)\n" },
		{ "compliance",
"  --compliance        also the compliance tests of each target's NAME\n" },
		{ "json", NULL },
		{ "format", NULL },
		{ "json-file", NULL },
		{ "report",
"  --report=F          also write a ticket report (Markdown) to F, each\n"
"                      target's findings as it finishes, then a summary\n" },
		{ "pcap",
"  --pcap=FILE         write the capture here (default:\n"
"                      ednsprobe-survey-UTCTIME.pcapng in this directory)\n" },
		{ NULL, NULL },
	},
	.rate = EP_RATE_SURVEY,
	.check = survey_check,
};
