/* probe/cmd/zone_opts.c: the zone command's command line: where the walk
 * starts, how many server addresses, and its one ZONE. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ednsprobe/zone.h"
#include "cmd/options.h"
#include "engine/query.h"
#include "engine/run.h"

enum { Z_PARENT, Z_HINTS, Z_MAXADDR, Z_NOPATH };

static const struct ep_optdef zone_opts[] = {
	{ "parent", 0, required_argument, Z_PARENT,
"  --parent=ADDR       start from this server (repeatable, up to 8)\n"
"                      instead of the root servers\n" },
	{ "hints", 0, required_argument, Z_HINTS,
"  --hints=FILE        start from the A/AAAA records of a root hints file\n" },
	{ "max-addresses", 0, required_argument, Z_MAXADDR,
"  --max-addresses=N   server addresses checked (1..64, default 32)\n" },
	{ "no-path", 0, no_argument, Z_NOPATH,
"  --no-path           the delegation only, no path probes\n" },
	{ NULL, 0, 0, 0, NULL }
};

static void
zone_init(struct ep_options *o)
{
	o->max_addresses = EP_ZONE_ADDRS_DEFAULT;
}

static int
zone_set(int id, const char *arg, struct ep_options *o, struct ep_err *err)
{
	long v = 0;

	switch (id) {
	case Z_PARENT:
		if (*arg == '@')
			arg++;
		if (o->nparents == EP_PARENTS_MAX)
			return ep_err_set(err, EP_EUSAGE, "--parent: at most "
			    "%d", EP_PARENTS_MAX);
		if (ep_opt_copy(o->parents[o->nparents], sizeof(o->parents[0]),
		    arg) == -1)
			return ep_err_set(err, EP_EUSAGE, "--parent: bad "
			    "address \"%.64s\"", arg);
		o->nparents++;
		return 0;
	case Z_HINTS:
		if (ep_opt_copy(o->hints, sizeof(o->hints), arg) == -1)
			return ep_err_set(err, EP_EUSAGE, "--hints: bad file "
			    "name");
		return 0;
	case Z_MAXADDR:
		if (ep_opt_long("--max-addresses", arg, 1, EP_ZONE_ADDR_MAX,
		    &v, err) == -1)
			return -1;
		o->max_addresses = (int)v;
		return 0;
	case Z_NOPATH:
		o->no_path = 1;
		return 0;
	}
	return ep_err_set(err, EP_EUSAGE, "unknown option");
}

static int
zone_given(const struct ep_options *o)
{
	return o->nparents != 0 || o->hints[0] != '\0' || o->no_path ||
	    o->max_addresses != EP_ZONE_ADDRS_DEFAULT;
}

const struct ep_optgroup ep_opts_zone = {
	.title = "Zone", .owner = EP_CMD_ZONE, .opts = zone_opts,
	.init = zone_init, .set = zone_set, .given = zone_given,
};

/* zone ZONE: one name, no @SERVER (the servers are found). */
static int
zone_check(struct ep_options *o, const char *const *pos, int npos,
    struct ep_err *err)
{
	if (o->server[0] != '\0')
		return ep_err_set(err, EP_EUSAGE, "zone takes no @SERVER: its "
		    "servers are found from the parent (--parent ADDR to "
		    "start elsewhere than the root)");
	if (npos != 1)
		return ep_err_set(err, EP_EUSAGE, "zone takes one ZONE name");
	if (ep_opt_name(o, pos[0], err) == -1)
		return -1;
	if (ep_query_parse_name(o->name, o->qname, &o->qname_len, err) == -1)
		return -1;
	if (o->qname_len <= 1)
		return ep_err_set(err, EP_EUSAGE, "zone: the root zone has no "
		    "parent to check it against");
	if (o->genreport || o->compliance || o->full || o->resolver)
		return ep_err_set(err, EP_EUSAGE, "--format genreport, "
		    "--compliance, --full and --resolver are not for zone");
	return ep_opt_probes(o, err);
}

const struct ep_cmd ep_cmd_zone = {
	.cmd = EP_CMD_ZONE,
	.name = "zone",
	.synopsis = "zone [options] ZONE",
	.summary = "a zone's delegation from the parent down, then the path "
	    "probes",
	.about =
"Check ZONE's delegation as a resolver sees it, from the root (or the\n"
"parent servers given) down: the parent's NS set, glue and DS against\n"
"what each of the zone's servers says (NS, SOA serial, addresses,\n"
"DNSKEY, signatures), then the path probes against every server\n"
"address, IPv4 and IPv6, all at once.\n",
	.groups = (const struct ep_optgroup *const[]){ &ep_opts_zone,
	    &ep_opts_probe, &ep_opts_query, &ep_opts_output,
	    &ep_opts_capture, &ep_opts_process, NULL },
	.nfull = 3,
	.notes = (const struct ep_optnote[]){
		{ "rate", ep_optnote_rate_per_address },
		{ NULL, NULL },
	},
	.refuses = (const struct ep_optgroup *const[]){ &ep_opts_survey,
	    NULL },
	.rate = EP_RATE_DEFAULT,
	.dig_qt = 1,
	.check = zone_check,
};
