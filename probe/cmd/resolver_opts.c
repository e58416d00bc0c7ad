/* probe/cmd/resolver_opts.c: the resolver command's command line: which
 * resolvers (@RESOLVER or a resolv.conf) and the question. */
#include <getopt.h>
#include <stdio.h>

#include "cmd/options.h"
#include "engine/query.h"
#include "engine/run.h"

enum { R_RESOLVCONF };

static const struct ep_optdef resolver_opts[] = {
	{ "resolv-conf", 0, required_argument, R_RESOLVCONF,
"  --resolv-conf=FILE  read the resolvers from FILE\n" },
	{ NULL, 0, 0, 0, NULL }
};

static int
resolver_set(int id, const char *arg, struct ep_options *o,
    struct ep_err *err)
{
	if (id != R_RESOLVCONF)
		return ep_err_set(err, EP_EUSAGE, "unknown option");
	if (ep_opt_copy(o->resolv_conf, sizeof(o->resolv_conf), arg) == -1)
		return ep_err_set(err, EP_EUSAGE, "--resolv-conf: bad file "
		    "name");
	return 0;
}

static int
resolver_given(const struct ep_options *o)
{
	return o->resolv_conf[0] != '\0';
}

const struct ep_optgroup ep_opts_resolver = {
	.title = "Resolver", .owner = EP_CMD_RESOLVER, .opts = resolver_opts,
	.set = resolver_set, .given = resolver_given,
};

/* resolver [@RESOLVER] [NAME [TYPE]]. */
static int
resolver_check(struct ep_options *o, const char *const *pos, int npos,
    struct ep_err *err)
{
	if (o->compliance)
		return ep_err_set(err, EP_EUSAGE, "--compliance is not for "
		    "resolver (compliance --resolver runs the tests)");
	if (o->server[0] != '\0' && o->resolv_conf[0] != '\0')
		return ep_err_set(err, EP_EUSAGE, "@RESOLVER or --resolv-conf, "
		    "not both");
	if (npos >= 1 && ep_opt_name(o, pos[0], err) == -1)
		return -1;
	if (ep_query_parse_name(o->name, o->qname, &o->qname_len, err) == -1)
		return -1;
	if (o->genreport)
		return ep_err_set(err, EP_EUSAGE, "--format genreport is for "
		    "the compliance command");
	if (o->full || o->resolver)
		return ep_err_set(err, EP_EUSAGE, "%s is for the compliance "
		    "tests (compliance, or path --compliance)", o->full ?
		    "--full" : "--resolver");
	if (npos == 2 && ep_query_parse_type(pos[1], &o->qtype, err) == -1)
		return -1;
	return ep_opt_probes(o, err);
}

const struct ep_cmd ep_cmd_resolver = {
	.cmd = EP_CMD_RESOLVER,
	.name = "resolver",
	.synopsis = "resolver [options] [@RESOLVER] [NAME [TYPE]]",
	.summary = "the path probes through a resolver, and around it",
	.about =
"The path probes through RESOLVER (default: each nameserver of\n"
"/etc/resolv.conf) with RD set, and the same questions asked directly of\n"
"NAME's authoritative servers (found through the resolver), all at once:\n"
"the largest answer that reaches us through it, TCP, DO and AD, and\n"
"whether a failure lies between us and the resolver or behind it.\n"
"@RESOLVER as path's @SERVER (ADDR#PORT ...); -q NAME, -t TYPE as dig's.\n",
	.groups = (const struct ep_optgroup *const[]){ &ep_opts_resolver,
	    &ep_opts_probe, &ep_opts_query, &ep_opts_output,
	    &ep_opts_capture, &ep_opts_process, NULL },
	.nfull = 3,
	.notes = (const struct ep_optnote[]){
		{ "rate", ep_optnote_rate_per_address },
		{ NULL, NULL },
	},
	.refuses = (const struct ep_optgroup *const[]){ &ep_opts_survey,
	    &ep_opts_zone, NULL },
	.rate = EP_RATE_DEFAULT,
	.dig_qt = 2,
	.check = resolver_check,
};
