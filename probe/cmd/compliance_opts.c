/* probe/cmd/compliance_opts.c: the compliance command's command line, and
 * the options of the compliance tests that path and survey run too. */
#include <getopt.h>
#include <stdio.h>

#include "cmd/options.h"
#include "engine/query.h"
#include "engine/run.h"

enum { C_COMPLIANCE, C_FULL, C_RESOLVER };

static const struct ep_optdef comply_opts[] = {
	{ "compliance", 0, no_argument, C_COMPLIANCE,
"  --compliance        also the EDNS compliance tests of NAME, a zone\n" },
	{ "full", 0, no_argument, C_FULL,
"  --full              also the header tests (aa ad cd ra rd tc zflag\n"
"                      opcode opcodeflg type666 tcp docd edns1do, and\n"
"                      each option alone)\n" },
	{ "resolver", 0, no_argument, C_RESOLVER,
"  --resolver          SERVER is a resolver (the tester's -R): RD set,\n"
"                      AA not due\n" },
	{ NULL, 0, 0, 0, NULL }
};

static int
comply_set(int id, const char *arg, struct ep_options *o,
    struct ep_err *err)
{
	(void)arg;
	switch (id) {
	case C_COMPLIANCE:
		o->compliance = 1;
		return 0;
	case C_FULL:
		o->full = 1;
		return 0;
	case C_RESOLVER:
		o->resolver = 1;
		return 0;
	}
	return ep_err_set(err, EP_EUSAGE, "unknown option");
}

const struct ep_optgroup ep_opts_comply = {
	.title = "Compliance tests", .opts = comply_opts, .set = comply_set,
};

/* compliance @SERVER ZONE. */
static int
compliance_check(struct ep_options *o, const char *const *pos, int npos,
    struct ep_err *err)
{
	if (o->server[0] == '\0')
		return ep_err_set(err, EP_EUSAGE, "no @SERVER given");
	if (npos != 1)
		return ep_err_set(err, EP_EUSAGE, "compliance takes one ZONE "
		    "(its apex is asked: SOA, DNSKEY)");
	if (ep_opt_name(o, pos[0], err) == -1)
		return -1;
	if (ep_query_parse_name(o->name, o->qname, &o->qname_len, err) == -1)
		return -1;
	if (o->compliance)
		return ep_err_set(err, EP_EUSAGE, "--compliance is for path "
		    "(compliance runs the tests alone)");
	return ep_opt_probes(o, err);
}

const struct ep_cmd ep_cmd_compliance = {
	.cmd = EP_CMD_COMPLY,
	.name = "compliance",
	.synopsis = "compliance [options] @SERVER ZONE",
	.summary = "EDNS compliance of each address of a server (ISC's tests)",
	.about =
"EDNS compliance of each address of SERVER: the tests of ISC's DNS\n"
"compliance tester (dns edns edns1 edns@512 ednsopt edns1opt do\n"
"ednsflags optlist signed ednstcp) and DNS cookies, each a real query\n"
"for ZONE's apex, all at once; a test with no answer over UDP is asked\n"
"again over TCP to tell a server that ignores it from a path that drops\n"
"it.\n"
"\n"
"  @SERVER             server address or name (both families unless -4/-6)\n"
"  ZONE                the zone whose apex is asked (SOA, DNSKEY)\n",
	.groups = (const struct ep_optgroup *const[]){ &ep_opts_comply,
	    &ep_opts_query, &ep_opts_output, &ep_opts_capture,
	    &ep_opts_process, NULL },
	.nfull = 3,
	.notes = (const struct ep_optnote[]){
		{ "compliance", NULL },
		{ "format",
"  --format=F          text (default), json, or genreport (the tester's\n"
"                      own line: ZONE. @ADDR (SERVER.): dns=ok ...)\n" },
		{ NULL, NULL },
	},
	.refuses = (const struct ep_optgroup *const[]){ &ep_opts_survey,
	    &ep_opts_zone, &ep_opts_resolver, NULL },
	.rate = EP_RATE_DEFAULT,
	.dig_qt = 1,
	.check = compliance_check,
};
