/* probe/cmd/options.c: the common command-line parser (dig's @server and
 * +option words, then getopt_long over every group's options), the
 * shared options, the list of commands and their help. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"
#include "engine/hostport.h"
#include "engine/run.h"

#define ARGS_MAX	256
#define OPTS_MAX	64	/* options of all groups together */
#define GROUPS_MAX	16

/* In the order the "unknown command" message lists them. */
static const struct ep_cmd *const commands[] = {
	&ep_cmd_path, &ep_cmd_compliance, &ep_cmd_survey, &ep_cmd_zone,
	&ep_cmd_resolver, &ep_cmd_respond, &ep_cmd_analyze, &ep_cmd_completion,
};
#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

/* Shared options: how the servers are asked. */
enum { Q_IPV4, Q_IPV6, Q_PORT, Q_TIMEOUT, Q_TRIES, Q_RATE, Q_QNAME, Q_QTYPE };

static const struct ep_optdef query_opts[] = {
	{ NULL, '4', no_argument, Q_IPV4,
"  -4, -6              IPv4 or IPv6 only\n" },
	{ NULL, '6', no_argument, Q_IPV6, "" },
	{ "port", 'p', required_argument, Q_PORT,
"  -p, --port=PORT     server port (default 53)\n" },
	{ "timeout", 0, required_argument, Q_TIMEOUT,
"  +time=S, --timeout=S  longest wait for an answer, seconds (default 5);\n"
"                      the wait adapts to the baseline RTT below this cap\n" },
	{ "tries", 0, required_argument, Q_TRIES,
"  +tries=N, --tries=N sends per UDP probe / connects per TCP probe (1..5)\n" },
	{ "rate", 0, required_argument, Q_RATE,
"  --rate=PPS          packet-rate cap (default 100, at most 1000)\n" },
	/* dig's; said in the help of the commands that take them */
	{ NULL, 'q', required_argument, Q_QNAME, "" },
	{ NULL, 't', required_argument, Q_QTYPE, "" },
	{ NULL, 0, 0, 0, NULL }
};

static void
query_init(struct ep_options *o)
{
	o->port = 53;
	o->timeout_ms = EP_TIMEOUT_DEFAULT_MS;
	o->floor_ms = EP_TIMEOUT_FLOOR_MS;
	o->tries = EP_TRIES_DEFAULT;
	o->rate = 0;		/* after parsing: the command's (ep_cmd) */
}

static int
query_set(int id, const char *arg, struct ep_options *o, struct ep_err *err)
{
	long v = 0;

	switch (id) {
	case Q_IPV4:
	case Q_IPV6:
		if (o->family != 0 && o->family != (id == Q_IPV4 ? 4 : 6))
			return ep_err_set(err, EP_EUSAGE, "-4 and -6 together: "
			    "give one, or neither for both families");
		o->family = id == Q_IPV4 ? 4 : 6;
		return 0;
	case Q_PORT:
		if (ep_opt_long("--port", arg, 1, 65535, &v, err) == -1)
			return -1;
		o->port = (uint16_t)v;
		return 0;
	case Q_TIMEOUT:
		return ep_opt_seconds("--timeout", arg, &o->timeout_ms, err);
	case Q_TRIES:
		if (ep_opt_long("--tries", arg, 1, 5, &v, err) == -1)
			return -1;
		o->tries = (int)v;
		return 0;
	case Q_RATE:
		if (ep_opt_long("--rate", arg, 1, EP_RATE_MAX, &v, err) == -1)
			return -1;
		o->rate = (unsigned)v;
		return 0;
	case Q_QNAME:
		if (o->dig_name != NULL)
			return ep_err_set(err, EP_EUSAGE, "-q given twice");
		o->dig_name = arg;
		return 0;
	case Q_QTYPE:
		if (o->dig_type != NULL)
			return ep_err_set(err, EP_EUSAGE, "-t given twice");
		o->dig_type = arg;
		return 0;
	}
	return ep_err_set(err, EP_EUSAGE, "unknown option");
}

const struct ep_optgroup ep_opts_query = {
	.title = "Queries", .opts = query_opts, .init = query_init,
	.set = query_set,
};

/* Shared options: what is written where. */
enum { OUT_JSON, OUT_FORMAT, OUT_JSONFILE, OUT_REPORT };

static const struct ep_optdef output_opts[] = {
	{ "json", 0, no_argument, OUT_JSON,
"  --json              JSON report on stdout instead of text\n" },
	{ NULL, 0, 0, 0,
"  +short              just the Resume line of each address\n" },
	{ "format", 0, required_argument, OUT_FORMAT,
"  --format=F          text (default) or json (as --json)\n" },
	{ "json-file", 'o', required_argument, OUT_JSONFILE,
"  -o, --json-file=F   also write the JSON report to F\n" },
	{ "report", 0, required_argument, OUT_REPORT,
"  --report=F          also write a ticket report (Markdown) to F: findings\n"
"                      with their frames, Wireshark filters and advice\n" },
	{ NULL, 0, 0, 0, NULL }
};

static int
output_set(int id, const char *arg, struct ep_options *o, struct ep_err *err)
{
	switch (id) {
	case OUT_JSON:
		o->json = 1;
		o->genreport = 0;
		return 0;
	case OUT_FORMAT:
		o->json = strcmp(arg, "json") == 0;
		o->genreport = strcmp(arg, "genreport") == 0;
		if (!o->json && !o->genreport && strcmp(arg, "text") != 0)
			return ep_err_set(err, EP_EUSAGE, "--format: \"%.32s\" "
			    "is not text, json or genreport", arg);
		return 0;
	case OUT_JSONFILE:
		if (ep_opt_copy(o->json_file, sizeof(o->json_file), arg) == -1)
			return ep_err_set(err, EP_EUSAGE, "--json-file: bad "
			    "file name");
		return 0;
	case OUT_REPORT:
		if (ep_opt_copy(o->report, sizeof(o->report), arg) == -1)
			return ep_err_set(err, EP_EUSAGE, "--report: bad file "
			    "name");
		return 0;
	}
	return ep_err_set(err, EP_EUSAGE, "unknown option");
}

const struct ep_optgroup ep_opts_output = {
	.title = "Output", .opts = output_opts, .set = output_set,
};

/* Shared options: the capture file and interface. */
enum { CAP_PCAP, CAP_FORMAT, CAP_NOPCAP, CAP_IFACE };

static const struct ep_optdef capture_opts[] = {
	{ "pcap", 0, required_argument, CAP_PCAP,
"  --pcap=FILE         write the capture here (default:\n"
"                      ednsprobe-SERVER-UTCTIME.pcapng in this directory)\n" },
	{ "pcap-format", 0, required_argument, CAP_FORMAT,
"  --pcap-format=F     pcapng (default, frames commented) or pcap\n" },
	{ "no-pcap", 0, no_argument, CAP_NOPCAP,
"  --no-pcap           capture and analyse, but write no file\n" },
	{ "iface", 0, required_argument, CAP_IFACE,
"  --iface=IF          capture on IF (default: the route's interface)\n" },
	{ NULL, 0, 0, 0, NULL }
};

static int
capture_set(int id, const char *arg, struct ep_options *o,
    struct ep_err *err)
{
	switch (id) {
	case CAP_PCAP:
		if (ep_opt_copy(o->pcap, sizeof(o->pcap), arg) == -1)
			return ep_err_set(err, EP_EUSAGE, "--pcap: bad file "
			    "name");
		return 0;
	case CAP_FORMAT:
		if (strcmp(arg, "pcapng") == 0)
			o->pcap_classic = 0;
		else if (strcmp(arg, "pcap") == 0)
			o->pcap_classic = 1;
		else
			return ep_err_set(err, EP_EUSAGE, "--pcap-format: "
			    "\"%.32s\" is neither pcapng nor pcap", arg);
		return 0;
	case CAP_NOPCAP:
		o->no_pcap = 1;
		return 0;
	case CAP_IFACE:
		if (ep_opt_copy(o->iface, sizeof(o->iface), arg) == -1)
			return ep_err_set(err, EP_EUSAGE, "--iface: bad "
			    "interface name");
		return 0;
	}
	return ep_err_set(err, EP_EUSAGE, "unknown option");
}

const struct ep_optgroup ep_opts_capture = {
	.title = "Capture", .opts = capture_opts, .set = capture_set,
};

/* Shared options: the process itself. */
enum { P_USER, P_VERBOSE, P_HELP, P_VERSION };

static const struct ep_optdef process_opts[] = {
	{ "user", 'Z', required_argument, P_USER,
"  -Z, --user=USER     as root: become USER once the capture, raw sockets\n"
"                      and files are open (default: the sudo user, else\n"
"                      nobody; \"root\": uid 0 without any capability)\n" },
	{ "verbose", 'v', no_argument, P_VERBOSE,
"  -v, --verbose       more detail on stderr (repeat for more)\n" },
	{ "help", 'h', no_argument, P_HELP,
"  -h, --help          this text;  -V, --version  the version\n" },
	{ "version", 'V', no_argument, P_VERSION, "" },
	{ NULL, 0, 0, 0, NULL }
};

static int
process_set(int id, const char *arg, struct ep_options *o,
    struct ep_err *err)
{
	switch (id) {
	case P_USER:
		if (ep_opt_copy(o->user, sizeof(o->user), arg) == -1)
			return ep_err_set(err, EP_EUSAGE, "--user: bad user "
			    "name");
		return 0;
	case P_VERBOSE:
		o->verbose++;
		return 0;
	case P_HELP:
		o->help = 1;
		return 0;
	case P_VERSION:
		o->version = 1;
		return 0;
	}
	return ep_err_set(err, EP_EUSAGE, "unknown option");
}

const struct ep_optgroup ep_opts_process = {
	.title = "Process", .opts = process_opts, .set = process_set,
};

int
ep_opt_long(const char *what, const char *s, long min, long max, long *out,
    struct ep_err *err)
{
	char *end;
	long v = 0;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0)
		return ep_err_set(err, EP_EUSAGE, "%s: \"%.32s\" is not a "
		    "number", what, s);
	if (v < min || v > max)
		return ep_err_set(err, EP_EUSAGE, "%s: \"%.32s\" is out of "
		    "range %ld..%ld", what, s, min, max);
	*out = v;
	return 0;
}

int
ep_opt_seconds(const char *what, const char *s, uint32_t *ms,
    struct ep_err *err)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno != 0)
		return ep_err_set(err, EP_EUSAGE, "%s: \"%.32s\" is not a "
		    "number of seconds", what, s);
	if (!(v >= 0.1 && v <= 300))
		return ep_err_set(err, EP_EUSAGE, "%s: \"%.32s\" is out of "
		    "range 0.1..300 seconds", what, s);
	*ms = (uint32_t)(v * 1000.0 + 0.5);
	return 0;
}

int
ep_opt_copy(char *dst, size_t len, const char *s)
{
	if (*s == '\0' || strlen(s) >= len)
		return -1;
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

int
ep_opt_name(struct ep_options *o, const char *s, struct ep_err *err)
{
	if (strlen(s) >= sizeof(o->name))
		return ep_err_set(err, EP_EUSAGE, "name too long");
	snprintf(o->name, sizeof(o->name), "%s", s);
	return 0;
}

int
ep_opt_probes(struct ep_options *o, struct ep_err *err)
{
	if (!o->udp && !o->tcp)
		return ep_err_set(err, EP_EUSAGE, "nothing to probe");
	if (o->floor_ms > o->timeout_ms)
		o->floor_ms = o->timeout_ms;
	return 0;
}

unsigned
ep_options_rate(const struct ep_options *o, int servers)
{
	unsigned long r = (unsigned long)o->rate * (unsigned long)(servers > 0 ?
	    servers : 1);

	return r < EP_RATE_MAX ? (unsigned)r : EP_RATE_MAX;
}

const struct ep_cmd *
ep_options_cmd(enum ep_command cmd)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i]->cmd == cmd)
			return commands[i];
	return NULL;
}

const struct ep_cmd *
ep_options_cmd_at(size_t i)
{
	return i < NCOMMANDS ? commands[i] : NULL;
}

static const struct ep_cmd *
cmd_named(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

static const char *
cmd_name(enum ep_command cmd)
{
	const struct ep_cmd *c = ep_options_cmd(cmd);

	return c != NULL ? c->name : "?";
}

/* "unknown command "X" (known: path, compliance, ...)". */
static int
unknown_command(const char *name, struct ep_err *err)
{
	char known[128] = "";
	size_t len = 0;

	for (size_t i = 0; i < NCOMMANDS && len < sizeof(known); i++)
		len += (size_t)snprintf(known + len, sizeof(known) - len,
		    "%s%s", i ? ", " : "", commands[i]->name);
	return ep_err_set(err, EP_EUSAGE, "unknown command \"%.64s\" (known: "
	    "%s)", name, known);
}

/* A group's table: an entry with neither name, letter nor help ends it. */
static int
opt_end(const struct ep_optdef *d)
{
	return d->name == NULL && d->letter == 0 && d->help == NULL;
}

/* Every group any command shows, each once: the parser reads them all.
 * -1 past GROUPS_MAX. */
static int
all_groups(const struct ep_optgroup **g)
{
	int n = 0;

	for (size_t i = 0; i < NCOMMANDS; i++)
		for (const struct ep_optgroup *const *p = commands[i]->groups;
		    *p != NULL; p++) {
			int k = 0;

			while (k < n && g[k] != *p)
				k++;
			if (k == n && n == GROUPS_MAX)
				return -1;
			if (k == n)
				g[n++] = *p;
		}
	return n;
}

/* "--a, --b and --c are for the X command". */
static int
refusal(const struct ep_optgroup *g, struct ep_err *err)
{
	char names[128] = "";
	size_t n = 0, len = 0, k = 0;

	for (const struct ep_optdef *d = g->opts; !opt_end(d); d++)
		n += d->name != NULL;
	for (const struct ep_optdef *d = g->opts; !opt_end(d) &&
	    len < sizeof(names); d++) {
		if (d->name == NULL)
			continue;
		k++;
		len += (size_t)snprintf(names + len, sizeof(names) - len,
		    "%s--%s", k == 1 ? "" : k == n ? " and " : ", ", d->name);
	}
	return ep_err_set(err, EP_EUSAGE, "%s %s for the %s command", names,
	    n == 1 ? "is" : "are", cmd_name(g->owner));
}

/* Only digits and dots: what no host name is (its last label would be
 * numeric), so an IPv4 address or a typo of one. */
static int
dotted_digits(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s) && *s != '.')
			return 0;
	return 1;
}

/* The family of the address literal s (an IPv6 one may carry a %scope),
 * 0 when s is a name. */
static int
literal_family(const char *s)
{
	struct in6_addr a6;
	struct in_addr a4;
	char buf[INET6_ADDRSTRLEN];
	size_t n = strcspn(s, "%");

	if (inet_pton(AF_INET, s, &a4) == 1)
		return 4;
	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET6, buf, &a6) == 1 ? 6 : 0;
}

int
ep_opt_server(const char *arg, char *host, size_t len, uint16_t *port,
    struct ep_err *err)
{
	const char *s = arg[0] == '@' ? arg + 1 : arg, *pw;
	struct in_addr a4;
	int bracket;

	switch (ep_hostport_split(s, 0, host, len, port, &bracket, &pw)) {
	case EP_HOSTPORT_OK:
		break;
	case EP_HOSTPORT_NO_CLOSE:
		return ep_err_set(err, EP_EUSAGE, "@%.64s: no closing \"]\" "
		    "([IPv6]:PORT)", s);
	case EP_HOSTPORT_AFTER_CLOSE:
		return ep_err_set(err, EP_EUSAGE, "@%.64s: after \"]\" only "
		    ":PORT or #PORT", s);
	case EP_HOSTPORT_EMPTY:
	case EP_HOSTPORT_LONG:
		return ep_err_set(err, EP_EUSAGE, "bad server \"@%.64s\"", s);
	case EP_HOSTPORT_PORT:
		return ep_err_set(err, EP_EUSAGE, "%.64s: port \"%.16s\" is "
		    "not 1..65535", arg, pw);
	}
	/* An address that does not parse is a usage error here: handed to
	 * the name lookup it would be a name that did not resolve, or, in
	 * inet_aton's forms (1.2.3, 0x7f000001), another address. */
	if (bracket) {
		if (literal_family(host) != 6)
			return ep_err_set(err, EP_EUSAGE, "@[%.64s]: \"%.64s\" "
			    "is not an IPv6 address", host, host);
		return 0;
	}
	if (strchr(host, ':') != NULL && literal_family(host) != 6) {
		const char *c = strrchr(host, ':');

		if (inet_pton(AF_INET, host, &a4) != 1 && c != NULL &&
		    c - host < INET6_ADDRSTRLEN) {
			char v4[INET6_ADDRSTRLEN];

			memcpy(v4, host, (size_t)(c - host));
			v4[c - host] = '\0';
			if (literal_family(v4) == 4)
				return ep_err_set(err, EP_EUSAGE, "@%.64s is "
				    "not an address: a port is written "
				    "%s#%.16s", host, v4, c + 1);
		}
		return ep_err_set(err, EP_EUSAGE, "@%.64s is not an IPv6 "
		    "address (with a port: [ADDRESS]:PORT or ADDRESS#PORT)",
		    host);
	}
	if ((dotted_digits(host) || inet_aton(host, &a4) == 1) &&
	    literal_family(host) != 4)
		return ep_err_set(err, EP_EUSAGE, "@%.64s is not an IPv4 "
		    "address (four numbers 0..255 with dots between)", host);
	return 0;
}

/* -4 or -6 against an address literal @SERVER. */
static int
family_check(const struct ep_options *o, struct ep_err *err)
{
	int f = o->server[0] != '\0' ? literal_family(o->server) : 0;

	if (o->family == 0 || f == 0 || f == o->family)
		return 0;
	return ep_err_set(err, EP_EUSAGE, "-%d asks for IPv%d, but @%.64s is "
	    "an IPv%d address", o->family, o->family, o->server, f);
}

/* dig's +option words that make sense here: what each does. */
enum { W_DNSSEC, W_NODNSSEC, W_RECURSE, W_NORECURSE, W_TCP, W_NOTCP,
	W_BUFSIZE, W_TIMEOUT, W_TRIES, W_RETRY, W_SHORT, W_NOSHORT };

const struct ep_plusword ep_pluswords[] = {
	{ "dnssec", 0, W_DNSSEC, &ep_opts_probe },
	{ "nodnssec", 0, W_NODNSSEC, &ep_opts_probe },
	{ "recurse", 0, W_RECURSE, &ep_opts_probe },
	{ "rec", 0, W_RECURSE, &ep_opts_probe },
	{ "norecurse", 0, W_NORECURSE, &ep_opts_probe },
	{ "norec", 0, W_NORECURSE, &ep_opts_probe },
	{ "tcp", 0, W_TCP, &ep_opts_probe },
	{ "vc", 0, W_TCP, &ep_opts_probe },
	{ "notcp", 0, W_NOTCP, &ep_opts_probe },
	{ "novc", 0, W_NOTCP, &ep_opts_probe },
	{ "bufsize", 1, W_BUFSIZE, &ep_opts_probe },
	{ "time", 1, W_TIMEOUT, &ep_opts_query },
	{ "timeout", 1, W_TIMEOUT, &ep_opts_query },
	{ "tries", 1, W_TRIES, &ep_opts_query },
	{ "retry", 1, W_RETRY, &ep_opts_query },
	{ "short", 0, W_SHORT, &ep_opts_output },
	{ "noshort", 0, W_NOSHORT, &ep_opts_output },
	{ NULL, 0, 0, NULL }
};

static int
parse_plus(const char *arg, struct ep_options *o, struct ep_err *err)
{
	const char *w = arg + 1, *val = strchr(w, '=');
	size_t n = val ? (size_t)(val - w) : strlen(w);
	const struct ep_plusword *p = ep_pluswords;
	char what[32];
	long v = 0;

	if (val)
		val++;
	/* The word, with a value where it takes one, none where not. */
	while (p->word != NULL && (strlen(p->word) != n ||
	    strncmp(w, p->word, n) != 0 || p->value != (val != NULL)))
		p++;
	if (p->word == NULL)
		return ep_err_set(err, EP_EUSAGE, "unknown option \"%.64s\"",
		    arg);
	snprintf(what, sizeof(what), "+%s", p->word);
	switch (p->id) {
	case W_DNSSEC:
	case W_NODNSSEC:
		o->dnssec = p->id == W_DNSSEC;
		return 0;
	case W_RECURSE:
	case W_NORECURSE:
		o->recurse = p->id == W_RECURSE;
		return 0;
	case W_TCP:
	case W_NOTCP:
		o->tcp = p->id == W_TCP;
		o->udp = !o->tcp;
		return 0;
	case W_BUFSIZE:
		if (ep_opt_long(what, val, 512, 65535, &v, err) == -1)
			return -1;
		o->sizes[0] = (uint16_t)v;
		o->nsizes = 1;
		return 0;
	case W_TIMEOUT:
		return ep_opt_seconds(what, val, &o->timeout_ms, err);
	case W_TRIES:
	case W_RETRY:
		if (ep_opt_long(what, val, p->id == W_TRIES ? 1 : 0,
		    p->id == W_TRIES ? 5 : 4, &v, err) == -1)
			return -1;
		o->tries = (int)v + (p->id == W_RETRY);
		return 0;
	case W_SHORT:
	case W_NOSHORT:
		o->short_out = p->id == W_SHORT;
		return 0;
	}
	return ep_err_set(err, EP_EUSAGE, "unknown option \"%.64s\"", arg);
}

/* The commands whose help shows how, for a message: "path, resolver". */
static void
cmds_with(int dig_qt, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NCOMMANDS && n < len; i++)
		if (commands[i]->dig_qt >= dig_qt)
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
			    n ? ", " : "", commands[i]->name);
}

/* dig's -q NAME and -t TYPE as the positional NAME [TYPE] (pos, npos),
 * and +short, on the commands they make sense for. */
static int
dig_words(const struct ep_cmd *cmd, struct ep_options *o, const char **pos,
    int *npos, struct ep_err *err)
{
	char names[64];

	if ((o->dig_name != NULL && cmd->dig_qt < 1) ||
	    (o->dig_type != NULL && cmd->dig_qt < 2)) {
		cmds_with(o->dig_type != NULL ? 2 : 1, names, sizeof(names));
		return ep_err_set(err, EP_EUSAGE, "%s is for %s, not %s",
		    o->dig_type != NULL ? "-t TYPE" : "-q NAME", names,
		    cmd->name);
	}
	if (o->dig_name != NULL) {
		if (*npos >= 1)
			return ep_err_set(err, EP_EUSAGE, "-q %.64s and NAME "
			    "\"%.64s\": give one", o->dig_name, pos[0]);
		pos[1] = pos[0];
		pos[0] = o->dig_name;
		(*npos)++;
	}
	if (o->dig_type != NULL) {
		if (*npos == 2)
			return ep_err_set(err, EP_EUSAGE, "-t %.32s and TYPE "
			    "\"%.32s\": give one", o->dig_type, pos[1]);
		if (*npos == 0)
			pos[0] = ".";
		pos[1] = o->dig_type;
		*npos = 2;
	}
	if (o->short_out && (cmd->cmd == EP_CMD_SURVEY ||
	    cmd->cmd == EP_CMD_RESPOND))
		return ep_err_set(err, EP_EUSAGE, "+short is for the reports, "
		    "not %s", cmd->name);
	if (o->short_out && (o->json || o->genreport))
		return ep_err_set(err, EP_EUSAGE, "+short and --%s: one or the "
		    "other", o->json ? "json" : "format genreport");
	return 0;
}

/* What getopt_long is given: every option of every group. */
struct table {
	const struct ep_optgroup *group[OPTS_MAX];	/* of each entry */
	const struct ep_optdef	*def[OPTS_MAX];
	int			 n;
	struct option		 longopts[OPTS_MAX + 1];
	char			 shortopts[2 + 2 * OPTS_MAX];
};

/* A long option's value: its letter when it has one (getopt then gives
 * the same for -p and --port), else past every char. */
#define LONG_VAL(i)	(256 + (i))

/* -1 past OPTS_MAX options. */
static int
table_build(struct table *t, const struct ep_optgroup *const *groups,
    int ngroups)
{
	int nlong = 0;
	size_t ns = 0;

	memset(t, 0, sizeof(*t));
	t->shortopts[ns++] = ':';
	for (int k = 0; k < ngroups; k++)
		for (const struct ep_optdef *d = groups[k]->opts; !opt_end(d);
		    d++) {
			if (d->name == NULL && d->letter == 0)
				continue;
			if (t->n == OPTS_MAX)
				return -1;
			t->group[t->n] = groups[k];
			t->def[t->n] = d;
			if (d->name != NULL) {
				struct option *lo = &t->longopts[nlong++];

				lo->name = d->name;
				lo->has_arg = d->arg;
				lo->flag = NULL;
				lo->val = d->letter ? d->letter :
				    LONG_VAL(t->n);
			}
			if (d->letter) {
				t->shortopts[ns++] = (char)d->letter;
				if (d->arg == required_argument)
					t->shortopts[ns++] = ':';
			}
			t->n++;
		}
	t->shortopts[ns] = '\0';
	return 0;
}

/* The entry getopt's c stands for, or -1. */
static int
table_find(const struct table *t, int c)
{
	if (c >= LONG_VAL(0))
		return c - LONG_VAL(0) < t->n ? c - LONG_VAL(0) : -1;
	for (int i = 0; i < t->n; i++)
		if (t->def[i]->letter == c)
			return i;
	return -1;
}

static void
defaults(struct ep_options *o, const struct ep_optgroup *const *groups,
    int ngroups)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), ".");
	for (int k = 0; k < ngroups; k++)
		if (groups[k]->init != NULL)
			groups[k]->init(o);
}

/* help [COMMAND]: o->help, and o->cmd the command asked about. */
static int
help_args(int argc, char **argv, struct ep_options *o, struct ep_err *err)
{
	const struct ep_cmd *c;

	o->help = 1;
	if (argc > 3)
		return ep_err_set(err, EP_EUSAGE, "help takes one COMMAND");
	if (argc == 3 && strcmp(argv[2], "help") != 0) {
		if ((c = cmd_named(argv[2])) == NULL) {
			o->help = 0;
			return unknown_command(argv[2], err);
		}
		o->cmd = c->cmd;
	}
	return 0;
}

int
ep_options_parse(int argc, char **argv, struct ep_options *o,
    struct ep_err *err)
{
	const struct ep_optgroup *groups[GROUPS_MAX];
	const struct ep_cmd *cmd = NULL;
	struct table t;
	char *args[ARGS_MAX + 1];
	int nargs = 0, c, first = 1, ngroups;
	const char *pos[2] = { NULL, NULL };
	int npos = 0;
	uint16_t sport = 0;		/* @SERVER's port, 0: none */
	const char *sword = NULL;	/* the @SERVER word */
	const char *pword = NULL;	/* the -p word, its value */

	ngroups = all_groups(groups);
	defaults(o, groups, ngroups > 0 ? ngroups : 0);
	/* The tables are the program's: too many is a bug every test sees. */
	if (ngroups == -1 || table_build(&t, groups, ngroups) == -1)
		return ep_err_set(err, EP_EUSAGE, "internal: more than %d "
		    "option groups or %d options", GROUPS_MAX, OPTS_MAX);
	if (argc > ARGS_MAX)
		return ep_err_set(err, EP_EUSAGE, "too many arguments");
	if (argc >= 2 && strcmp(argv[1], "help") == 0)
		return help_args(argc, argv, o, err);
	if (argc >= 2 && (cmd = cmd_named(argv[1])) != NULL) {
		o->cmd = cmd->cmd;
		first = 2;
	} else if (argc >= 2 && argv[1][0] != '-')
		return unknown_command(argv[1], err);
	/* Pre-pass: dig's @server and +option words never reach getopt. */
	args[nargs++] = argv[0];
	for (int i = first; i < argc; i++) {
		if (argv[i][0] == '@') {
			if (o->server[0] != '\0')
				return ep_err_set(err, EP_EUSAGE, "more than "
				    "one @SERVER");
			if (ep_opt_server(argv[i], o->server,
			    sizeof(o->server), &sport, err) == -1)
				return -1;
			sword = argv[i];
		} else if (argv[i][0] == '+' && argv[i][1] != '\0') {
			if (parse_plus(argv[i], o, err) == -1)
				return -1;
		} else
			args[nargs++] = argv[i];
	}
	args[nargs] = NULL;
	optind = 0;	/* full re-initialisation of GNU getopt */
	opterr = 0;
	while ((c = getopt_long(nargs, args, t.shortopts, t.longopts, NULL))
	    != -1) {
		const struct ep_optgroup *g;
		int i;

		if (c == '?' || c == ':') {
			/* A missing value ends the line, so its option is
			 * the last word; an unknown letter may sit inside a
			 * group ("-xv"), so it is named by itself; a known
			 * one is a long option given a value it does not
			 * take ("--json=x"), named by its word. */
			char letter[3] = { '-', (char)optopt, '\0' };
			const char *bad = args[optind - 1];

			if (c == ':')
				return ep_err_set(err, EP_EUSAGE, "option "
				    "\"%.64s\" needs a value", bad);
			if (optopt > 0 && table_find(&t, optopt) != -1)
				return ep_err_set(err, EP_EUSAGE, "option "
				    "\"%.*s\" takes no value",
				    (int)strcspn(bad, "=") < 64 ?
				    (int)strcspn(bad, "=") : 64, bad);
			return ep_err_set(err, EP_EUSAGE, "unknown option "
			    "\"%.64s\"", optopt > 0 ? letter : bad);
		}
		if ((i = table_find(&t, c)) == -1)
			return ep_err_set(err, EP_EUSAGE, "unknown option");
		g = t.group[i];
		if (g->at_once && g->owner != o->cmd)
			return refusal(g, err);
		if (g->set(t.def[i]->id, optarg, o, err) == -1)
			return -1;
		if (t.def[i]->letter == 'p')
			pword = optarg;
	}
	/* @ADDR#PORT and -p: the same port, or a usage error. */
	if (sport != 0 && pword != NULL && o->port != sport)
		return ep_err_set(err, EP_EUSAGE, "%.64s and -p %.16s: two "
		    "ports; give one", sword, pword);
	if (sport != 0)
		o->port = sport;
	if (o->rate == 0)
		o->rate = cmd != NULL ? cmd->rate : EP_RATE_DEFAULT;
	if (o->help || o->version)
		return 0;
	if (family_check(o, err) == -1)
		return -1;
	for (int i = optind; i < nargs; i++) {
		if (npos == 2)
			return ep_err_set(err, EP_EUSAGE, "unexpected argument "
			    "\"%.64s\"", args[i]);
		pos[npos++] = args[i];
	}
	if (cmd == NULL)
		return ep_err_set(err, EP_EUSAGE, "no command given");
	if (dig_words(cmd, o, pos, &npos, err) == -1)
		return -1;
	for (const struct ep_optgroup *const *r = cmd->refuses;
	    r != NULL && *r != NULL; r++)
		if ((*r)->given != NULL && (*r)->given(o))
			return refusal(*r, err);
	return cmd->check(o, pos, npos, err);
}

const char *
ep_options_usage(void)
{
	static char buf[4096];
	size_t n = 0;

#define ADD(...)	(n += n < sizeof(buf) ? (size_t)snprintf(buf + n, \
			    sizeof(buf) - n, __VA_ARGS__) : 0)
	if (buf[0] != '\0')
		return buf;
	for (size_t i = 0; i < NCOMMANDS; i++)
		ADD("%s ednsprobe %s\n", i == 0 ? "usage:" : "      ",
		    commands[i]->synopsis);
	ADD("       ednsprobe help [COMMAND]\n\n"
	    "Find where large DNS packets die: on the path to a server, "
	    "through a\nresolver, at a zone's servers, or in a capture.\n\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		ADD("  %-12s%s\n", commands[i]->name, commands[i]->summary);
	ADD("\n"
"ednsprobe COMMAND --help, or ednsprobe help COMMAND: that command's\n"
"options.  Manual: man ednsprobe.\n"
"\n"
"Exit status: 0 no findings, 1 usage error, 2 findings reported,\n"
"4 server name did not resolve, 5 server unreachable (no route),\n"
"6 capture unreadable (analyze), 9 no reply at all, 10 internal error,\n"
"130 interrupted.\n");
#undef ADD
	return buf;
}

/* The first word of a help-only entry ("+short"), into buf. */
static const char *
help_word(const struct ep_optdef *d, char *buf, size_t len)
{
	const char *h = d->help != NULL ? d->help + strspn(d->help, " ") : "";
	size_t n = strcspn(h, " ,\n");

	snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), h);
	return buf;
}

/* The note of cmd named name; NULL when it has none. */
static const struct ep_optnote *
note_of(const struct ep_cmd *cmd, const char *name)
{
	for (const struct ep_optnote *n = cmd->notes;
	    n != NULL && n->name != NULL; n++)
		if (name != NULL && strcmp(n->name, name) == 0)
			return n;
	return NULL;
}

const char *
ep_options_help_of(const struct ep_cmd *cmd, const struct ep_optdef *d)
{
	char w[32];
	const char *name = d->name;
	const struct ep_optnote *n;

	if (name == NULL && d->letter == 0)
		name = help_word(d, w, sizeof(w));
	return (n = note_of(cmd, name)) != NULL ? n->help : d->help;
}

int
ep_options_takes_word(const struct ep_cmd *cmd, const struct ep_plusword *w)
{
	char name[32];
	const struct ep_optnote *n;

	snprintf(name, sizeof(name), "+%s", w->word);
	if ((n = note_of(cmd, name)) != NULL && n->help == NULL)
		return 0;
	for (const struct ep_optgroup *const *g = cmd->groups; *g != NULL;
	    g++)
		if (*g == w->group)
			return 1;
	return 0;
}

/* The word after "--name=" (or "-x ") in help line h: "F", "PORT"; ""
 * when there is none. */
static void
value_word(const char *h, const struct ep_optdef *d, char *buf, size_t len)
{
	char key[64];
	const char *p = NULL;
	size_t n;

	buf[0] = '\0';
	if (d->arg != required_argument || h == NULL)
		return;
	if (d->name != NULL) {
		snprintf(key, sizeof(key), "--%s=", d->name);
		p = strstr(h, key);
	}
	if (p == NULL)
		return;
	p += strlen(key);
	n = strcspn(p, " ,;\n");
	snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), p);
}

/* A group in one line (wrapped): the names of the options c shows. */
static void
help_brief(FILE *out, const struct ep_cmd *c, const struct ep_optgroup *g)
{
	char word[96], val[32];
	size_t n;
	int col;

	col = fprintf(out, "  %-9s", g->title);
	for (const struct ep_optdef *d = g->opts; !opt_end(d); d++) {
		const char *h = ep_options_help_of(c, d);

		if (h == NULL || (d->name == NULL && d->letter == 0 &&
		    *h == '\0'))
			continue;
		if (d->name == NULL && d->letter == 0) {
			help_word(d, word, sizeof(word));
			goto put;
		}
		value_word(h != NULL && *h != '\0' ? h : d->help, d, val,
		    sizeof(val));
		n = 0;
		if (d->letter)
			n += (size_t)snprintf(word + n, sizeof(word) - n, "-%c",
			    d->letter);
		if (d->name != NULL)
			n += (size_t)snprintf(word + n, sizeof(word) - n,
			    "%s--%s", d->letter ? ", " : "", d->name);
		if (val[0] != '\0' && n < sizeof(word))
			snprintf(word + n, sizeof(word) - n, "=%s", val);
put:
		if (col + 2 + (int)strlen(word) > 79)
			col = fprintf(out, "\n           ") - 1;
		col += fprintf(out, "  %s", word);
	}
	fputc('\n', out);
}

int
ep_options_help(FILE *out, enum ep_command cmd)
{
	const struct ep_cmd *c = ep_options_cmd(cmd);
	int k = 0;

	if (c == NULL) {
		fputs(ep_options_usage(), out);
		return ferror(out) ? -1 : 0;
	}
	fprintf(out, "usage: ednsprobe %s\n\n%s", c->synopsis, c->about);
	for (const struct ep_optgroup *const *g = c->groups; *g != NULL;
	    g++, k++) {
		int head = 0;

		if (c->nfull > 0 && k >= c->nfull) {
			if (k == c->nfull)
				fputs("\nAlso (man ednsprobe; exit statuses: "
				    "ednsprobe help):\n", out);
			help_brief(out, c, *g);
			continue;
		}

		for (const struct ep_optdef *d = (*g)->opts; !opt_end(d);
		    d++) {
			const char *h = ep_options_help_of(c, d);

			if (h == NULL || *h == '\0')
				continue;
			if (!head++)
				fprintf(out, "\n%s:\n", (*g)->title);
			fputs(h, out);
		}
	}
	if (c->nfull == 0)
		fputs("\nExit status and the other commands: ednsprobe help."
		    "\n", out);
	return ferror(out) ? -1 : 0;
}

void
ep_options_usage_line(FILE *out, enum ep_command cmd)
{
	const struct ep_cmd *c = ep_options_cmd(cmd);

	if (c == NULL)
		fprintf(out, "usage: ednsprobe COMMAND [options] ...  "
		    "(ednsprobe help for the commands)\n");
	else
		fprintf(out, "usage: ednsprobe %s  (ednsprobe %s --help for "
		    "more)\n", c->synopsis, c->name);
}

const char ep_optnote_rate_per_address[] =
"  --rate=PPS          packet-rate cap per server address (default 100);\n"
"                      the run's grows with the addresses, at most 1000\n";
