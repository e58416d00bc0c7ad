/* probe/cmd/analyze_opts.c: the analyze command's command line: one
 * capture file, and what to write. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/options.h"
#include "engine/run.h"

/* The DNS port (path's -p is the server's port): UDP and TCP on it are
 * DNS, on any other port not (mDNS on 5353 stays apart unless asked). */
enum { A_PORT };

static const struct ep_optdef analyze_opts[] = {
	{ "port", 'p', required_argument, A_PORT,
"  -p, --port=PORT     the servers' DNS port in the capture (default 53)\n" },
	{ NULL, 0, 0, 0, NULL }
};

static void
analyze_init(struct ep_options *o)
{
	o->port = 53;
}

static int
analyze_set(int id, const char *arg, struct ep_options *o,
    struct ep_err *err)
{
	long v = 0;

	if (id != A_PORT)
		return ep_err_set(err, EP_EUSAGE, "unknown option");
	if (ep_opt_long("--port", arg, 1, 65535, &v, err) == -1)
		return -1;
	o->port = (uint16_t)v;
	return 0;
}

static const struct ep_optgroup analyze_group = {
	.title = "Capture", .owner = EP_CMD_ANALYZE, .opts = analyze_opts,
	.init = analyze_init, .set = analyze_set,
};

/* analyze FILE: no @SERVER. */
static int
analyze_check(struct ep_options *o, const char *const *pos, int npos,
    struct ep_err *err)
{
	if (npos != 1 || o->server[0] != '\0')
		return ep_err_set(err, EP_EUSAGE, "analyze takes one capture "
		    "FILE and no @SERVER");
	if (strlen(pos[0]) >= sizeof(o->file))
		return ep_err_set(err, EP_EUSAGE, "file name too long");
	snprintf(o->file, sizeof(o->file), "%s", pos[0]);
	return 0;
}

const struct ep_cmd ep_cmd_analyze = {
	.cmd = EP_CMD_ANALYZE,
	.name = "analyze",
	.synopsis = "analyze [options] FILE",
	.summary = "the same analysis over a capture file",
	.about =
"The same analysis over a capture file (pcap or pcapng; tcpdump,\n"
"Wireshark or ednsprobe): DNS exchanges rebuilt from the frames, the\n"
"same verdicts as a live run; what a capture cannot know (route MTU,\n"
"timeouts) is left unknown.  Exit status: 0 no findings, 2 findings,\n"
"6 the file cannot be read, 9 no DNS exchange on the DNS port.\n",
	.groups = (const struct ep_optgroup *const[]){ &analyze_group,
	    &ep_opts_output, &ep_opts_process, NULL },
	.notes = (const struct ep_optnote[]){
		{ "user",
"  -Z, --user=USER     run as root: become USER once the file is open,\n"
"                      before parsing it (default: the sudo user, else\n"
"                      nobody)\n" },
		{ NULL, NULL },
	},
	.refuses = (const struct ep_optgroup *const[]){ &ep_opts_survey,
	    NULL },
	.rate = EP_RATE_DEFAULT,
	.check = analyze_check,
};
