/* probe/cmd/respond_opts.c: the respond command's command line: the zone
 * it answers, where it listens, for how long (respond/respond.h runs it). */
#include <getopt.h>
#include <stdio.h>

#include "cmd/options.h"
#include "engine/query.h"
#include "respond/respond.h"

enum { RS_ZONE, RS_LISTEN, RS_DURATION };

static const struct ep_optdef respond_opts[] = {
	{ "zone", 0, required_argument, RS_ZONE,
"  --zone=ZONE         the zone answered (anything else: REFUSED)\n" },
	{ "listen", 0, required_argument, RS_LISTEN,
"  --listen=ADDR[#PORT]  address to serve (repeatable, up to 8; also\n"
"                      [IPv6]:PORT; port 53 by default)\n" },
	{ NULL, 0, 0, 0,
"  --rate=N            queries per second per client (default 50, burst\n"
"                      twice that); above it, dropped and counted\n" },
	{ "duration", 0, required_argument, RS_DURATION,
"  --duration=S        stop after S seconds (default: at SIGINT/SIGTERM)\n" },
	{ NULL, 0, 0, 0, NULL }
};

static int
respond_set(int id, const char *arg, struct ep_options *o,
    struct ep_err *err)
{
	long v = 0;

	switch (id) {
	case RS_ZONE:
		if (ep_opt_copy(o->name, sizeof(o->name), arg) == -1)
			return ep_err_set(err, EP_EUSAGE, "--zone: bad name");
		return 0;
	case RS_LISTEN:
		if (o->nlisten == EP_LISTEN_MAX)
			return ep_err_set(err, EP_EUSAGE, "--listen: at most "
			    "%d", EP_LISTEN_MAX);
		if (ep_opt_copy(o->listen[o->nlisten], sizeof(o->listen[0]),
		    arg) == -1)
			return ep_err_set(err, EP_EUSAGE, "--listen: bad "
			    "address \"%.64s\"", arg);
		o->nlisten++;
		return 0;
	case RS_DURATION:
		if (ep_opt_long("--duration", arg, 1, EP_DURATION_MAX, &v,
		    err) == -1)
			return -1;
		o->duration_ms = (uint32_t)v * 1000u;
		return 0;
	}
	return ep_err_set(err, EP_EUSAGE, "unknown option");
}

/* At once: --zone shares o->name with the other commands' NAME, so it
 * cannot be told from it afterwards. */
const struct ep_optgroup ep_opts_respond = {
	.title = "Responder", .owner = EP_CMD_RESPOND, .opts = respond_opts,
	.set = respond_set, .at_once = 1,
};

/* respond --zone NAME --listen ADDR...: no @SERVER, no NAME, no report. */
static int
respond_check(struct ep_options *o, const char *const *pos, int npos,
    struct ep_err *err)
{
	(void)pos;
	if (o->server[0] != '\0' || npos != 0)
		return ep_err_set(err, EP_EUSAGE, "respond takes no @SERVER "
		    "and no NAME: --zone NAME --listen ADDR[#PORT]");
	if (o->json || o->json_file[0] || o->report[0] || o->genreport)
		return ep_err_set(err, EP_EUSAGE, "--json, --json-file, "
		    "--report and --format are not for respond (one line "
		    "per query on stdout)");
	if (ep_query_parse_name(o->name, o->qname, &o->qname_len, err) == -1)
		return -1;
	if (o->qname_len <= 1)
		return ep_err_set(err, EP_EUSAGE, "respond needs --zone NAME "
		    "(not the root): the zone it answers");
	if (o->nlisten == 0)
		return ep_err_set(err, EP_EUSAGE, "respond needs --listen "
		    "ADDR[#PORT]");
	return 0;
}

const struct ep_cmd ep_cmd_respond = {
	.cmd = EP_CMD_RESPOND,
	.name = "respond",
	.synopsis = "respond [options] --zone ZONE --listen ADDR[#PORT]",
	.summary = "the far-end responder of the two-ended tests",
	.about =
"The far-end responder of two-ended tests (docs/responder.md): under\n"
"ZONE, s<N> TXT answers of exactly N bytes, f<M> sends them as IP\n"
"fragments of M bytes, df with DF set, t<TOKEN> logs the query, and\n"
"log.t<TOKEN> TXT returns the log; UDP and TCP, one line per query.\n",
	.groups = (const struct ep_optgroup *const[]){ &ep_opts_respond,
	    &ep_opts_capture, &ep_opts_process, NULL },
	.notes = (const struct ep_optnote[]){
		{ "pcap",
"  --pcap=FILE         capture the test traffic (fragments, ICMP) here\n" },
		{ "no-pcap", NULL },
		{ "iface",
"  --iface=IF          capture on IF (default any)\n" },
		{ NULL, NULL },
	},
	.refuses = (const struct ep_optgroup *const[]){ &ep_opts_survey,
	    NULL },
	.rate = EP_RESPOND_RATE_DEFAULT,
	.check = respond_check,
};
