/* probe/cmd/path_opts.c: the path command's command line, and the options
 * of the path probes that survey, zone and resolver share. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/options.h"
#include "engine/query.h"
#include "engine/run.h"
#include "measure/plan.h"

static const uint16_t default_sizes[] = {
	512, 1220, 1232, 1400, 1480, 4000, 4096
};

enum { PR_SIZES, PR_NOTCP, PR_TCPONLY, PR_NODNSSEC, PR_NORAW, PR_HOPS,
	PR_FRAG };

static const struct ep_optdef probe_opts[] = {
	{ "sizes", 0, required_argument, PR_SIZES,
"  --sizes=LIST        EDNS buffer sizes, comma separated, 512..65535\n"
"                      (default 512,1220,1232,1400,1480,4000,4096)\n" },
	{ NULL, 0, 0, 0,
"  +bufsize=N          ladder of one size N;  +[no]recurse  RD bit (on)\n" },
	{ "no-dnssec", 0, no_argument, PR_NODNSSEC,
"  +[no]dnssec, --no-dnssec  DO bit on the ladder (default on)\n" },
	{ "tcp-only", 0, no_argument, PR_TCPONLY,
"  +tcp, --tcp-only    TCP probes only;  +notcp, --no-tcp  UDP only\n" },
	{ "no-tcp", 0, no_argument, PR_NOTCP, "" },
	{ "no-raw", 0, no_argument, PR_NORAW,
"  --no-raw            no raw-socket probes (fragments, path MTU, hops)\n" },
	{ "max-hops", 0, required_argument, PR_HOPS,
"  --max-hops=N        TTL probes up to N hops (1..30, default 16)\n" },
	{ "frag-size", 0, required_argument, PR_FRAG,
"  --frag-size=N       bytes per fragment of the fragmented queries, a\n"
"                      multiple of 8 (8..584, default 256; also twice it)\n" },
	{ NULL, 0, 0, 0, NULL }
};

static void
probe_init(struct ep_options *o)
{
	memcpy(o->sizes, default_sizes, sizeof(default_sizes));
	o->nsizes = (int)(sizeof(default_sizes) / sizeof(default_sizes[0]));
	o->dnssec = 1;
	o->recurse = 1;
	o->udp = 1;
	o->tcp = 1;
	o->raw = 1;
	o->max_hops = EP_HOPS_DEFAULT;
	o->frag_size = EP_FRAG_DEFAULT;
}

static int
parse_sizes(const char *what, const char *s, struct ep_options *o,
    struct ep_err *err)
{
	char buf[256], *tok, *save = NULL;

	if (strlen(s) >= sizeof(buf))
		return ep_err_set(err, EP_EUSAGE, "%s: list too long", what);
	snprintf(buf, sizeof(buf), "%s", s);
	o->nsizes = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		long v = 0;

		if (o->nsizes == EP_SIZES_MAX)
			return ep_err_set(err, EP_EUSAGE, "%s: at most %d "
			    "sizes", what, EP_SIZES_MAX);
		if (ep_opt_long(what, tok, 512, 65535, &v, err) == -1)
			return -1;
		o->sizes[o->nsizes++] = (uint16_t)v;
	}
	if (o->nsizes == 0)
		return ep_err_set(err, EP_EUSAGE, "%s: no sizes given", what);
	return 0;
}

static int
probe_set(int id, const char *arg, struct ep_options *o, struct ep_err *err)
{
	long v = 0;

	switch (id) {
	case PR_SIZES:
		return parse_sizes("--sizes", arg, o, err);
	case PR_NOTCP:
		o->tcp = 0;
		o->udp = 1;
		return 0;
	case PR_TCPONLY:
		o->tcp = 1;
		o->udp = 0;
		return 0;
	case PR_NODNSSEC:
		o->dnssec = 0;
		return 0;
	case PR_NORAW:
		o->raw = 0;
		return 0;
	case PR_HOPS:
		if (ep_opt_long("--max-hops", arg, 1, EP_HOPS_MAX, &v, err)
		    == -1)
			return -1;
		o->max_hops = (int)v;
		return 0;
	case PR_FRAG:
		if (ep_opt_long("--frag-size", arg, 8, EP_FRAG_MAX, &v, err)
		    == -1)
			return -1;
		if (v % 8 != 0)
			return ep_err_set(err, EP_EUSAGE, "--frag-size: %ld is "
			    "not a multiple of 8 (IP fragment offsets count "
			    "8-byte units)", v);
		o->frag_size = (uint16_t)v;
		return 0;
	}
	return ep_err_set(err, EP_EUSAGE, "unknown option");
}

const struct ep_optgroup ep_opts_probe = {
	.title = "Probes", .opts = probe_opts, .init = probe_init,
	.set = probe_set,
};

/* path @SERVER [NAME [TYPE]]. */
static int
path_check(struct ep_options *o, const char *const *pos, int npos,
    struct ep_err *err)
{
	if (o->server[0] == '\0')
		return ep_err_set(err, EP_EUSAGE, "no @SERVER given");
	if (npos >= 1 && ep_opt_name(o, pos[0], err) == -1)
		return -1;
	if (ep_query_parse_name(o->name, o->qname, &o->qname_len, err) == -1)
		return -1;
	if (o->genreport)
		return ep_err_set(err, EP_EUSAGE, "--format genreport is for "
		    "the compliance command");
	if (!o->compliance && (o->full || o->resolver))
		return ep_err_set(err, EP_EUSAGE, "%s is for the compliance "
		    "tests (compliance, or path --compliance)", o->full ?
		    "--full" : "--resolver");
	if (o->compliance && o->qname_len <= 1)
		return ep_err_set(err, EP_EUSAGE, "--compliance needs NAME, "
		    "a zone (its apex is asked)");
	if (npos == 2 && ep_query_parse_type(pos[1], &o->qtype, err) == -1)
		return -1;
	return ep_opt_probes(o, err);
}

const struct ep_cmd ep_cmd_path = {
	.cmd = EP_CMD_PATH,
	.name = "path",
	.synopsis = "path [options] @SERVER [NAME [TYPE]]",
	.summary = "where large DNS answers die on the path to one server",
	.about =
"Find where large DNS answers die on the path to SERVER: a baseline\n"
"query, the EDNS0 buffer-size ladder over UDP, the same over TCP, raw\n"
"fragments, the path MTU and the hops, all in about one timeout.\n"
"\n"
"  @SERVER             address (ADDR#PORT, [IPv6]:PORT) or name; both\n"
"                      families unless -4/-6\n"
"  NAME [TYPE]         question for the large answers (default: NAME's\n"
"                      DNSKEY with DO; NAME defaults to \".\"); dig's\n"
"                      -q NAME and -t TYPE say the same\n",
	.groups = (const struct ep_optgroup *const[]){ &ep_opts_probe,
	    &ep_opts_query, &ep_opts_comply, &ep_opts_output,
	    &ep_opts_capture, &ep_opts_process, NULL },
	.nfull = 2,
	.refuses = (const struct ep_optgroup *const[]){ &ep_opts_survey,
	    &ep_opts_zone, &ep_opts_resolver, NULL },
	.rate = EP_RATE_DEFAULT,
	.dig_qt = 2,
	.check = path_check,
};
