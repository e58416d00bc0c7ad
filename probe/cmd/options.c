/* probe/cmd/options.c: command line: dig's @server/+option words plus
 * getopt_long. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ednsprobe/zone.h"
#include "cmd/options.h"
#include "cmd/survey.h"
#include "engine/query.h"
#include "engine/run.h"
#include "measure/plan.h"
#include "respond/respond.h"

#define ARGS_MAX	256

static const uint16_t default_sizes[] = {
	512, 1220, 1232, 1400, 1480, 4000, 4096
};

unsigned
ep_options_rate(const struct ep_options *o, int servers)
{
	unsigned long r = (unsigned long)o->rate * (unsigned long)(servers > 0 ?
	    servers : 1);

	return r < EP_RATE_MAX ? (unsigned)r : EP_RATE_MAX;
}

const char *
ep_options_usage(void)
{
	return
"usage: ednsprobe path [options] @SERVER [NAME [TYPE]]\n"
"\n"
"Find where large DNS answers die on the path to SERVER: a baseline\n"
"query, the EDNS0 buffer-size ladder over UDP and the same questions\n"
"over TCP, all in one run of about one timeout.\n"
"\n"
"  @SERVER             server address or name (both families unless -4/-6)\n"
"  NAME [TYPE]         question for the large answers (default: NAME's\n"
"                      DNSKEY with DO; NAME defaults to \".\")\n"
"  -4, -6              IPv4 or IPv6 only\n"
"  -p, --port=PORT     server port (default 53)\n"
"  --sizes=LIST        EDNS buffer sizes, comma separated, 512..65535\n"
"                      (default 512,1220,1232,1400,1480,4000,4096)\n"
"  +bufsize=N          ladder of one size N\n"
"  +[no]dnssec         DO bit on the ladder (default on)\n"
"  +[no]recurse        RD bit (default on)\n"
"  +tcp, --tcp-only    TCP probes only;  +notcp, --no-tcp  UDP only\n"
"  +timeout=S, --timeout=S  longest wait for an answer, seconds (default 5);\n"
"                      the wait adapts to the baseline RTT below this cap\n"
"  +tries=N, --tries=N sends per UDP probe / connects per TCP probe (1..5)\n"
"  --rate=PPS          packet-rate cap (default 100, at most 1000)\n"
"  --json              JSON report on stdout instead of text\n"
"  -o, --json-file=F   also write the JSON report to F\n"
"  --report=F          also write a ticket report (Markdown) to F: each\n"
"                      finding with its frames, the Wireshark filter and\n"
"                      tshark command that show them, the advice and the\n"
"                      command to reproduce (survey: as targets finish)\n"
"  --pcap=FILE         write the capture here (default:\n"
"                      ednsprobe-SERVER-UTCTIME.pcapng in this directory)\n"
"  --pcap-format=F     pcapng (default, frames commented) or pcap\n"
"  --no-pcap           capture and analyse, but write no file\n"
"  --iface=IF          capture on IF (default: the route's interface)\n"
"  -Z, --user=USER     run as root: become USER once the capture, raw\n"
"                      sockets and files are open (default: the sudo\n"
"                      user, else nobody; \"root\": stay uid 0 without\n"
"                      any capability)\n"
"  --no-raw            no raw-socket probes (outbound fragments, path MTU,\n"
"                      TTL probes)\n"
"  --max-hops=N        TTL probes up to N hops (1..30, default 16)\n"
"  --compliance        also the EDNS compliance tests for NAME, a zone (as\n"
"                      the compliance command; --full, --resolver apply)\n"
"  --frag-size=N       bytes per fragment of the fragmented queries, a\n"
"                      multiple of 8 (8..584, default 256; also twice it)\n"
"  -v, --verbose       more detail on stderr (repeat for more)\n"
"  -h, --help          this text;  -V, --version  the version\n"
"\n"
"\n"
"usage: ednsprobe compliance [options] @SERVER ZONE\n"
"EDNS compliance of each address of SERVER: the tests of ISC's DNS\n"
"compliance tester (dns edns edns1 edns@512 ednsopt edns1opt do\n"
"ednsflags optlist signed ednstcp) and DNS cookies, each a real query\n"
"for ZONE's apex, all at once; a test with no answer over UDP is asked\n"
"again over TCP to tell a server that ignores it from a path that drops it.\n"
"  --full              also the header tests (aa ad cd ra rd tc zflag\n"
"                      opcode opcodeflg type666 tcp docd edns1do and one\n"
"                      option at a time)\n"
"  --resolver          SERVER is a resolver (the tester's -R): RD on every\n"
"                      query, AA not due\n"
"  --format=F          text (default), json, or genreport (the tester's\n"
"                      own line: ZONE. @ADDR (SERVER.): dns=ok ...)\n"
"  and -4 -6 -p --timeout --tries --rate --json -o --pcap --no-pcap\n"
"  --pcap-format --iface -Z -v as for path.\n"
"\n"
"usage: ednsprobe survey [options] FILE|-\n"
"The path probes for every target of a list, ADDRESS [NAME [TYPE]] per\n"
"line ('#' comments), many at once under one packet-rate cap; one JSON\n"
"line per finished target on stdout, flushed at once, then a summary line.\n"
"  --rate=PPS          packet-rate cap (default 20, at most 1000)\n"
"  --parallel=N        targets probed at once (default 64, at most 512)\n"
"  --budget=S          time per target, seconds (default: the run's bound);\n"
"                      a target over it is cut and reported as such\n"
"  --resume=FILE       skip the targets an earlier output reports\n"
"  and -4 -6 -p --timeout --tries --sizes +dnssec --no-tcp --no-raw\n"
"  --compliance --pcap --no-pcap --pcap-format --iface -Z -v as for path.\n"
"\n"
"usage: ednsprobe zone [options] ZONE\n"
"Check ZONE's delegation as a resolver sees it, from the root (or the\n"
"parent servers given) down: the parent's NS set, glue and DS against\n"
"what each of the zone's servers says (NS, SOA serial, addresses,\n"
"DNSKEY, signatures), then the path probes against every server\n"
"address, IPv4 and IPv6, all at once.\n"
"  --parent=ADDR       start from this server (repeatable, up to 8)\n"
"                      instead of the root servers\n"
"  --hints=FILE        start from the A/AAAA records of a root hints file\n"
"  --max-addresses=N   server addresses checked (1..64, default 32)\n"
"  --no-path           the delegation only, no path probes\n"
"  --rate=PPS          packet-rate cap per server address (default 100);\n"
"                      the run's cap grows with the addresses, at most 1000\n"
"  and -4 -6 -p --timeout --tries --sizes --no-tcp --no-raw --json -o\n"
"  --pcap --no-pcap --pcap-format --iface -Z -v as for path.\n"
"\n"
"usage: ednsprobe resolver [options] [@RESOLVER] [NAME [TYPE]]\n"
"The path probes through RESOLVER (default: each nameserver of\n"
"/etc/resolv.conf) with RD set, and the same questions asked directly of\n"
"NAME's authoritative servers (found through the resolver), all at once:\n"
"the largest answer that reaches us through it, TCP, DO and AD, and\n"
"whether a failure lies between us and the resolver or behind it.\n"
"  --resolv-conf=FILE  read the resolvers from FILE\n"
"  and the options of path.\n"
"\n"
"usage: ednsprobe respond [options] --zone ZONE --listen ADDR[:PORT]\n"
"The far-end responder of two-ended tests (docs/responder.md): under\n"
"ZONE, s<N> TXT answers of exactly N bytes, f<M> sends them as IP\n"
"fragments of M bytes, df with DF set, t<TOKEN> logs the query, and\n"
"log.t<TOKEN> TXT returns the log; UDP and TCP, one line per query.\n"
"  --zone=ZONE         the zone answered (anything else: REFUSED)\n"
"  --listen=ADDR[:PORT]  address to serve (repeatable, up to 8; IPv6 as\n"
"                      [ADDR]:PORT or bare; port 53 by default)\n"
"  --rate=N            queries per second per client (default 50, burst\n"
"                      twice that); above it, dropped and counted\n"
"  --duration=S        stop after S seconds (default: at SIGINT/SIGTERM)\n"
"  --pcap=FILE         capture the test traffic (fragments, ICMP) here\n"
"  and --pcap-format --iface (default any) -Z -v as for path.\n"
"\n"
"usage: ednsprobe analyze [--json] [-o F] [-Z USER] FILE\n"
"The same analysis over a capture file (pcap or pcapng; tcpdump,\n"
"Wireshark or ednsprobe): DNS exchanges rebuilt from the frames.\n"
"\n"
"Exit status: 0 no findings, 1 usage error, 2 findings reported,\n"
"4 server name did not resolve, 5 server unreachable (no route),\n"
"9 no reply at all, 10 internal error, 130 interrupted.\n";
}

static int
parse_long(const char *what, const char *s, long min, long max, long *out,
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

static int
parse_seconds(const char *what, const char *s, uint32_t *ms,
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
		if (parse_long(what, tok, 512, 65535, &v, err) == -1)
			return -1;
		o->sizes[o->nsizes++] = (uint16_t)v;
	}
	if (o->nsizes == 0)
		return ep_err_set(err, EP_EUSAGE, "%s: no sizes given", what);
	return 0;
}

/* dig's +option words that make sense here. */
static int
parse_plus(const char *arg, struct ep_options *o, struct ep_err *err)
{
	const char *w = arg + 1, *val = strchr(w, '=');
	size_t n = val ? (size_t)(val - w) : strlen(w);
	long v = 0;

	if (val)
		val++;
#define IS(s)	(n == strlen(s) && strncmp(w, s, n) == 0)
	if (IS("dnssec") && !val)
		o->dnssec = 1;
	else if (IS("nodnssec") && !val)
		o->dnssec = 0;
	else if ((IS("recurse") || IS("rec")) && !val)
		o->recurse = 1;
	else if ((IS("norecurse") || IS("norec")) && !val)
		o->recurse = 0;
	else if ((IS("tcp") || IS("vc")) && !val) {
		o->tcp = 1;
		o->udp = 0;
	} else if ((IS("notcp") || IS("novc")) && !val) {
		o->tcp = 0;
		o->udp = 1;
	} else if (IS("bufsize") && val) {
		if (parse_long("+bufsize", val, 512, 65535, &v, err) == -1)
			return -1;
		o->sizes[0] = (uint16_t)v;
		o->nsizes = 1;
	} else if (IS("timeout") && val) {
		if (parse_seconds("+timeout", val, &o->timeout_ms, err) == -1)
			return -1;
	} else if (IS("tries") && val) {
		if (parse_long("+tries", val, 1, 5, &v, err) == -1)
			return -1;
		o->tries = (int)v;
	} else if (IS("retry") && val) {
		if (parse_long("+retry", val, 0, 4, &v, err) == -1)
			return -1;
		o->tries = (int)v + 1;
	} else
		return ep_err_set(err, EP_EUSAGE, "unknown option \"%.64s\"",
		    arg);
#undef IS
	return 0;
}

static void
defaults(struct ep_options *o)
{
	memset(o, 0, sizeof(*o));
	o->port = 53;
	snprintf(o->name, sizeof(o->name), ".");
	memcpy(o->sizes, default_sizes, sizeof(default_sizes));
	o->nsizes = (int)(sizeof(default_sizes) / sizeof(default_sizes[0]));
	o->dnssec = 1;
	o->recurse = 1;
	o->udp = 1;
	o->tcp = 1;
	o->raw = 1;
	o->max_hops = EP_HOPS_DEFAULT;
	o->frag_size = EP_FRAG_DEFAULT;
	o->timeout_ms = EP_TIMEOUT_DEFAULT_MS;
	o->floor_ms = EP_TIMEOUT_FLOOR_MS;
	o->tries = EP_TRIES_DEFAULT;
	o->rate = 0;		/* set after parsing: depends on the command */
	o->parallel = EP_PARALLEL_DEFAULT;
	o->max_addresses = EP_ZONE_ADDRS_DEFAULT;
}

enum {
	OPT_SIZES = 256, OPT_TIMEOUT, OPT_TRIES, OPT_RATE, OPT_JSON,
	OPT_NOTCP, OPT_TCPONLY, OPT_NODNSSEC, OPT_PCAP, OPT_NOPCAP,
	OPT_PCAPFMT, OPT_IFACE, OPT_NORAW, OPT_HOPS, OPT_FRAG, OPT_FULL,
	OPT_FORMAT, OPT_RESOLVER, OPT_COMPLIANCE, OPT_PARALLEL, OPT_BUDGET,
	OPT_RESUME, OPT_PARENT, OPT_HINTS, OPT_MAXADDR, OPT_NOPATH,
	OPT_RESOLVCONF, OPT_REPORT, OPT_ZONE, OPT_LISTEN, OPT_DURATION,
};

static const struct option longopts[] = {
	{ "port",	required_argument, NULL, 'p' },
	{ "sizes",	required_argument, NULL, OPT_SIZES },
	{ "timeout",	required_argument, NULL, OPT_TIMEOUT },
	{ "tries",	required_argument, NULL, OPT_TRIES },
	{ "rate",	required_argument, NULL, OPT_RATE },
	{ "json",	no_argument,	   NULL, OPT_JSON },
	{ "json-file",	required_argument, NULL, 'o' },
	{ "no-tcp",	no_argument,	   NULL, OPT_NOTCP },
	{ "tcp-only",	no_argument,	   NULL, OPT_TCPONLY },
	{ "no-dnssec",	no_argument,	   NULL, OPT_NODNSSEC },
	{ "pcap",	required_argument, NULL, OPT_PCAP },
	{ "no-pcap",	no_argument,	   NULL, OPT_NOPCAP },
	{ "pcap-format", required_argument, NULL, OPT_PCAPFMT },
	{ "iface",	required_argument, NULL, OPT_IFACE },
	{ "user",	required_argument, NULL, 'Z' },
	{ "no-raw",	no_argument,	   NULL, OPT_NORAW },
	{ "max-hops",	required_argument, NULL, OPT_HOPS },
	{ "frag-size",	required_argument, NULL, OPT_FRAG },
	{ "full",	no_argument,	   NULL, OPT_FULL },
	{ "resolver",	no_argument,	   NULL, OPT_RESOLVER },
	{ "compliance",	no_argument,	   NULL, OPT_COMPLIANCE },
	{ "format",	required_argument, NULL, OPT_FORMAT },
	{ "parallel",	required_argument, NULL, OPT_PARALLEL },
	{ "budget",	required_argument, NULL, OPT_BUDGET },
	{ "resume",	required_argument, NULL, OPT_RESUME },
	{ "parent",	required_argument, NULL, OPT_PARENT },
	{ "hints",	required_argument, NULL, OPT_HINTS },
	{ "max-addresses", required_argument, NULL, OPT_MAXADDR },
	{ "no-path",	no_argument,	   NULL, OPT_NOPATH },
	{ "resolv-conf", required_argument, NULL, OPT_RESOLVCONF },
	{ "report",	required_argument, NULL, OPT_REPORT },
	{ "zone",	required_argument, NULL, OPT_ZONE },
	{ "listen",	required_argument, NULL, OPT_LISTEN },
	{ "duration",	required_argument, NULL, OPT_DURATION },
	{ "verbose",	no_argument,	   NULL, 'v' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* respond's own options. */
static int
respond_opt(int c, const char *arg, struct ep_options *o, struct ep_err *err)
{
	long v = 0;

	switch (c) {
	case OPT_ZONE:
		if (strlen(arg) >= sizeof(o->name) || *arg == '\0')
			return ep_err_set(err, EP_EUSAGE, "--zone: bad name");
		snprintf(o->name, sizeof(o->name), "%s", arg);
		return 0;
	case OPT_LISTEN:
		if (o->nlisten == EP_LISTEN_MAX)
			return ep_err_set(err, EP_EUSAGE, "--listen: at most %d",
			    EP_LISTEN_MAX);
		if (strlen(arg) >= sizeof(o->listen[0]) || *arg == '\0')
			return ep_err_set(err, EP_EUSAGE, "--listen: bad "
			    "address \"%.64s\"", arg);
		snprintf(o->listen[o->nlisten++], sizeof(o->listen[0]), "%s",
		    arg);
		return 0;
	case OPT_DURATION:
		if (parse_long("--duration", arg, 1, EP_DURATION_MAX, &v, err)
		    == -1)
			return -1;
		o->duration_ms = (uint32_t)v * 1000u;
		return 0;
	}
	return ep_err_set(err, EP_EUSAGE, "unknown option");
}

static int
parse_opt(int c, const char *arg, struct ep_options *o, struct ep_err *err)
{
	long v = 0;

	switch (c) {
	case '4':
	case '6':
		o->family = c - '0';
		return 0;
	case 'p':
		if (parse_long("--port", arg, 1, 65535, &v, err) == -1)
			return -1;
		o->port = (uint16_t)v;
		return 0;
	case OPT_SIZES:
		return parse_sizes("--sizes", arg, o, err);
	case OPT_TIMEOUT:
		return parse_seconds("--timeout", arg, &o->timeout_ms, err);
	case OPT_TRIES:
		if (parse_long("--tries", arg, 1, 5, &v, err) == -1)
			return -1;
		o->tries = (int)v;
		return 0;
	case OPT_RATE:
		if (parse_long("--rate", arg, 1, EP_RATE_MAX, &v, err) == -1)
			return -1;
		o->rate = (unsigned)v;
		return 0;
	case OPT_JSON:
		o->json = 1;
		o->genreport = 0;
		return 0;
	case 'o':
		if (strlen(arg) >= sizeof(o->json_file) || *arg == '\0')
			return ep_err_set(err, EP_EUSAGE, "--json-file: bad "
			    "file name");
		snprintf(o->json_file, sizeof(o->json_file), "%s", arg);
		return 0;
	case OPT_NOTCP:
		o->tcp = 0;
		o->udp = 1;
		return 0;
	case OPT_TCPONLY:
		o->tcp = 1;
		o->udp = 0;
		return 0;
	case OPT_NODNSSEC:
		o->dnssec = 0;
		return 0;
	case OPT_PCAP:
		if (strlen(arg) >= sizeof(o->pcap) || *arg == '\0')
			return ep_err_set(err, EP_EUSAGE, "--pcap: bad file "
			    "name");
		snprintf(o->pcap, sizeof(o->pcap), "%s", arg);
		return 0;
	case OPT_NOPCAP:
		o->no_pcap = 1;
		return 0;
	case OPT_NORAW:
		o->raw = 0;
		return 0;
	case 'Z':
		if (strlen(arg) >= sizeof(o->user) || *arg == '\0')
			return ep_err_set(err, EP_EUSAGE, "--user: bad user "
			    "name");
		snprintf(o->user, sizeof(o->user), "%s", arg);
		return 0;
	case OPT_HOPS:
		if (parse_long("--max-hops", arg, 1, EP_HOPS_MAX, &v, err)
		    == -1)
			return -1;
		o->max_hops = (int)v;
		return 0;
	case OPT_FRAG:
		if (parse_long("--frag-size", arg, 8, EP_FRAG_MAX, &v, err)
		    == -1)
			return -1;
		if (v % 8 != 0)
			return ep_err_set(err, EP_EUSAGE, "--frag-size: %ld is "
			    "not a multiple of 8 (IP fragment offsets count "
			    "8-byte units)", v);
		o->frag_size = (uint16_t)v;
		return 0;
	case OPT_PCAPFMT:
		if (strcmp(arg, "pcapng") == 0)
			o->pcap_classic = 0;
		else if (strcmp(arg, "pcap") == 0)
			o->pcap_classic = 1;
		else
			return ep_err_set(err, EP_EUSAGE, "--pcap-format: "
			    "\"%.32s\" is neither pcapng nor pcap", arg);
		return 0;
	case OPT_IFACE:
		if (strlen(arg) >= sizeof(o->iface) || *arg == '\0')
			return ep_err_set(err, EP_EUSAGE, "--iface: bad "
			    "interface name");
		snprintf(o->iface, sizeof(o->iface), "%s", arg);
		return 0;
	case OPT_FULL:
		o->full = 1;
		return 0;
	case OPT_RESOLVER:
		o->resolver = 1;
		return 0;
	case OPT_COMPLIANCE:
		o->compliance = 1;
		return 0;
	case OPT_FORMAT:
		o->json = strcmp(arg, "json") == 0;
		o->genreport = strcmp(arg, "genreport") == 0;
		if (!o->json && !o->genreport && strcmp(arg, "text") != 0)
			return ep_err_set(err, EP_EUSAGE, "--format: \"%.32s\" "
			    "is not text, json or genreport", arg);
		return 0;
	case OPT_PARALLEL:
		if (parse_long("--parallel", arg, 1, EP_PARALLEL_MAX, &v, err)
		    == -1)
			return -1;
		o->parallel = (int)v;
		return 0;
	case OPT_BUDGET:
		return parse_seconds("--budget", arg, &o->budget_ms, err);
	case OPT_RESUME:
		if (strlen(arg) >= sizeof(o->resume) || *arg == '\0')
			return ep_err_set(err, EP_EUSAGE, "--resume: bad file "
			    "name");
		snprintf(o->resume, sizeof(o->resume), "%s", arg);
		return 0;
	case OPT_PARENT:
		if (*arg == '@')
			arg++;
		if (o->nparents == EP_PARENTS_MAX)
			return ep_err_set(err, EP_EUSAGE, "--parent: at most "
			    "%d", EP_PARENTS_MAX);
		if (*arg == '\0' || strlen(arg) >= sizeof(o->parents[0]))
			return ep_err_set(err, EP_EUSAGE, "--parent: bad "
			    "address \"%.64s\"", arg);
		snprintf(o->parents[o->nparents++], sizeof(o->parents[0]),
		    "%s", arg);
		return 0;
	case OPT_HINTS:
		if (strlen(arg) >= sizeof(o->hints) || *arg == '\0')
			return ep_err_set(err, EP_EUSAGE, "--hints: bad file "
			    "name");
		snprintf(o->hints, sizeof(o->hints), "%s", arg);
		return 0;
	case OPT_MAXADDR:
		if (parse_long("--max-addresses", arg, 1, EP_ZONE_ADDR_MAX,
		    &v, err) == -1)
			return -1;
		o->max_addresses = (int)v;
		return 0;
	case OPT_NOPATH:
		o->no_path = 1;
		return 0;
	case OPT_ZONE:
	case OPT_LISTEN:
	case OPT_DURATION:
		if (o->cmd != EP_CMD_RESPOND)
			return ep_err_set(err, EP_EUSAGE, "--zone, --listen and "
			    "--duration are for the respond command");
		return respond_opt(c, arg, o, err);
	case OPT_REPORT:
		if (strlen(arg) >= sizeof(o->report) || *arg == '\0')
			return ep_err_set(err, EP_EUSAGE, "--report: bad file "
			    "name");
		snprintf(o->report, sizeof(o->report), "%s", arg);
		return 0;
	case OPT_RESOLVCONF:
		if (strlen(arg) >= sizeof(o->resolv_conf) || *arg == '\0')
			return ep_err_set(err, EP_EUSAGE, "--resolv-conf: bad "
			    "file name");
		snprintf(o->resolv_conf, sizeof(o->resolv_conf), "%s", arg);
		return 0;
	case 'v':
		o->verbose++;
		return 0;
	case 'h':
		o->help = 1;
		return 0;
	case 'V':
		o->version = 1;
		return 0;
	}
	return ep_err_set(err, EP_EUSAGE, "unknown option");
}

/* zone ZONE: one name, no @SERVER (the servers are found). */
static int
zone_args(struct ep_options *o, const char **pos, int npos,
    struct ep_err *err)
{
	if (o->server[0] != '\0')
		return ep_err_set(err, EP_EUSAGE, "zone takes no @SERVER: its "
		    "servers are found from the parent (--parent ADDR to "
		    "start elsewhere than the root)");
	if (npos != 1)
		return ep_err_set(err, EP_EUSAGE, "zone takes one ZONE name");
	if (strlen(pos[0]) >= sizeof(o->name))
		return ep_err_set(err, EP_EUSAGE, "name too long");
	snprintf(o->name, sizeof(o->name), "%s", pos[0]);
	if (ep_query_parse_name(o->name, o->qname, &o->qname_len, err) == -1)
		return -1;
	if (o->qname_len <= 1)
		return ep_err_set(err, EP_EUSAGE, "zone: the root zone has no "
		    "parent to check it against");
	if (o->genreport || o->compliance || o->full || o->resolver)
		return ep_err_set(err, EP_EUSAGE, "--format genreport, "
		    "--compliance, --full and --resolver are not for zone");
	if (!o->udp && !o->tcp)
		return ep_err_set(err, EP_EUSAGE, "nothing to probe");
	if (o->floor_ms > o->timeout_ms)
		o->floor_ms = o->timeout_ms;
	return 0;
}

/* respond --zone NAME --listen ADDR...: no @SERVER, no NAME, no report. */
static int
respond_args(struct ep_options *o, int npos, struct ep_err *err)
{
	if (o->server[0] != '\0' || npos != 0)
		return ep_err_set(err, EP_EUSAGE, "respond takes no @SERVER "
		    "and no NAME: --zone NAME --listen ADDR[:PORT]");
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
		    "ADDR[:PORT]");
	return 0;
}

int
ep_options_parse(int argc, char **argv, struct ep_options *o,
    struct ep_err *err)
{
	char *args[ARGS_MAX + 1];
	int nargs = 0, c, first = 1;
	const char *pos[2] = { NULL, NULL };
	int npos = 0;

	defaults(o);
	if (argc > ARGS_MAX)
		return ep_err_set(err, EP_EUSAGE, "too many arguments");
	if (argc >= 2 && strcmp(argv[1], "path") == 0) {
		o->cmd = EP_CMD_PATH;
		first = 2;
	} else if (argc >= 2 && strcmp(argv[1], "analyze") == 0) {
		o->cmd = EP_CMD_ANALYZE;
		first = 2;
	} else if (argc >= 2 && strcmp(argv[1], "compliance") == 0) {
		o->cmd = EP_CMD_COMPLY;
		first = 2;
	} else if (argc >= 2 && strcmp(argv[1], "survey") == 0) {
		o->cmd = EP_CMD_SURVEY;
		first = 2;
	} else if (argc >= 2 && strcmp(argv[1], "zone") == 0) {
		o->cmd = EP_CMD_ZONE;
		first = 2;
	} else if (argc >= 2 && strcmp(argv[1], "resolver") == 0) {
		o->cmd = EP_CMD_RESOLVER;
		first = 2;
	} else if (argc >= 2 && strcmp(argv[1], "respond") == 0) {
		o->cmd = EP_CMD_RESPOND;
		first = 2;
	} else if (argc >= 2 && argv[1][0] != '-')
		return ep_err_set(err, EP_EUSAGE, "unknown command \"%.64s\" "
		    "(known: path, compliance, survey, zone, resolver, "
		    "respond, analyze)",
		    argv[1]);
	/* Pre-pass: dig's @server and +option words never reach getopt. */
	args[nargs++] = argv[0];
	for (int i = first; i < argc; i++) {
		if (argv[i][0] == '@') {
			if (o->server[0] != '\0')
				return ep_err_set(err, EP_EUSAGE, "more than "
				    "one @SERVER");
			if (argv[i][1] == '\0' ||
			    strlen(argv[i] + 1) >= sizeof(o->server))
				return ep_err_set(err, EP_EUSAGE, "bad server "
				    "\"%.64s\"", argv[i]);
			snprintf(o->server, sizeof(o->server), "%s",
			    argv[i] + 1);
		} else if (argv[i][0] == '+' && argv[i][1] != '\0') {
			if (parse_plus(argv[i], o, err) == -1)
				return -1;
		} else
			args[nargs++] = argv[i];
	}
	args[nargs] = NULL;
	optind = 0;	/* full re-initialisation of GNU getopt */
	opterr = 0;
	while ((c = getopt_long(nargs, args, ":46p:o:Z:vhV", longopts, NULL))
	    != -1) {
		if (c == '?' || c == ':') {
			char letter[3] = { '-', (char)optopt, '\0' };
			/* A missing value ends the line, so its option is
			 * the last word; an unknown letter may sit inside a
			 * group ("-xv"), so it is named by itself. */
			const char *bad = c == '?' && optopt > 0 ?
			    letter : args[optind - 1];

			if (c == ':')
				return ep_err_set(err, EP_EUSAGE, "option "
				    "\"%.64s\" needs a value", bad);
			return ep_err_set(err, EP_EUSAGE, "unknown option "
			    "\"%.64s\"", bad);
		}
		if (parse_opt(c, optarg, o, err) == -1)
			return -1;
	}
	if (o->rate == 0)
		o->rate = o->cmd == EP_CMD_SURVEY ? EP_RATE_SURVEY :
		    o->cmd == EP_CMD_RESPOND ? EP_RESPOND_RATE_DEFAULT :
		    EP_RATE_DEFAULT;
	if (o->help || o->version)
		return 0;
	for (int i = optind; i < nargs; i++) {
		if (npos == 2)
			return ep_err_set(err, EP_EUSAGE, "unexpected argument "
			    "\"%.64s\"", args[i]);
		pos[npos++] = args[i];
	}
	if (o->cmd == EP_CMD_NONE)
		return ep_err_set(err, EP_EUSAGE, "no command given");
	if (o->cmd != EP_CMD_SURVEY && (o->parallel != EP_PARALLEL_DEFAULT ||
	    o->budget_ms || o->resume[0]))
		return ep_err_set(err, EP_EUSAGE, "--parallel, --budget and "
		    "--resume are for the survey command");
	if (o->cmd == EP_CMD_RESPOND)
		return respond_args(o, npos, err);
	if (o->cmd == EP_CMD_ANALYZE) {
		if (npos != 1 || o->server[0] != '\0')
			return ep_err_set(err, EP_EUSAGE, "analyze takes one "
			    "capture FILE and no @SERVER");
		if (strlen(pos[0]) >= sizeof(o->file))
			return ep_err_set(err, EP_EUSAGE, "file name too "
			    "long");
		snprintf(o->file, sizeof(o->file), "%s", pos[0]);
		return 0;
	}
	if (o->cmd == EP_CMD_SURVEY) {
		if (npos != 1 || o->server[0] != '\0')
			return ep_err_set(err, EP_EUSAGE, "survey takes one "
			    "target list FILE (\"-\": standard input) and no "
			    "@SERVER: one ADDRESS [NAME [TYPE]] per line");
		if (strlen(pos[0]) >= sizeof(o->file))
			return ep_err_set(err, EP_EUSAGE, "file name too "
			    "long");
		snprintf(o->file, sizeof(o->file), "%s", pos[0]);
		if (o->genreport)
			return ep_err_set(err, EP_EUSAGE, "--format genreport "
			    "is for the compliance command");
		if (!o->compliance && (o->full || o->resolver))
			return ep_err_set(err, EP_EUSAGE, "%s is for the "
			    "compliance tests (survey --compliance)", o->full ?
			    "--full" : "--resolver");
		if (!o->udp && !o->tcp)
			return ep_err_set(err, EP_EUSAGE, "nothing to probe");
		if (o->floor_ms > o->timeout_ms)
			o->floor_ms = o->timeout_ms;
		return ep_query_parse_name(o->name, o->qname, &o->qname_len,
		    err);
	}
	if (o->cmd != EP_CMD_ZONE && (o->nparents || o->hints[0] ||
	    o->no_path || o->max_addresses != EP_ZONE_ADDRS_DEFAULT))
		return ep_err_set(err, EP_EUSAGE, "--parent, --hints, "
		    "--max-addresses and --no-path are for the zone command");
	if (o->cmd == EP_CMD_ZONE)
		return zone_args(o, pos, npos, err);
	if (o->cmd != EP_CMD_RESOLVER && o->resolv_conf[0])
		return ep_err_set(err, EP_EUSAGE, "--resolv-conf is for the "
		    "resolver command");
	if (o->cmd == EP_CMD_RESOLVER && o->compliance)
		return ep_err_set(err, EP_EUSAGE, "--compliance is not for "
		    "resolver (compliance --resolver runs the tests)");
	if (o->cmd == EP_CMD_RESOLVER && o->server[0] && o->resolv_conf[0])
		return ep_err_set(err, EP_EUSAGE, "@RESOLVER or --resolv-conf, "
		    "not both");
	if (o->server[0] == '\0' && o->cmd != EP_CMD_RESOLVER)
		return ep_err_set(err, EP_EUSAGE, "no @SERVER given");
	if (o->cmd == EP_CMD_COMPLY && npos != 1)
		return ep_err_set(err, EP_EUSAGE, "compliance takes one ZONE "
		    "(its apex is asked: SOA, DNSKEY)");
	if (npos >= 1) {
		if (strlen(pos[0]) >= sizeof(o->name))
			return ep_err_set(err, EP_EUSAGE, "name too long");
		snprintf(o->name, sizeof(o->name), "%s", pos[0]);
	}
	if (ep_query_parse_name(o->name, o->qname, &o->qname_len, err) == -1)
		return -1;
	if (o->cmd == EP_CMD_COMPLY && o->compliance)
		return ep_err_set(err, EP_EUSAGE, "--compliance is for path "
		    "(compliance runs the tests alone)");
	if (o->cmd != EP_CMD_COMPLY && o->genreport)
		return ep_err_set(err, EP_EUSAGE, "--format genreport is for "
		    "the compliance command");
	if (o->cmd != EP_CMD_COMPLY && !o->compliance && (o->full ||
	    o->resolver))
		return ep_err_set(err, EP_EUSAGE, "%s is for the compliance "
		    "tests (compliance, or path --compliance)", o->full ?
		    "--full" : "--resolver");
	if (o->compliance && o->qname_len <= 1)
		return ep_err_set(err, EP_EUSAGE, "--compliance needs NAME, "
		    "a zone (its apex is asked)");
	if (npos == 2 && ep_query_parse_type(pos[1], &o->qtype, err) == -1)
		return -1;
	if (!o->udp && !o->tcp)
		return ep_err_set(err, EP_EUSAGE, "nothing to probe");
	if (o->floor_ms > o->timeout_ms)
		o->floor_ms = o->timeout_ms;
	return 0;
}
