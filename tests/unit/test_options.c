/* tests/unit/test_options.c: the command line (dig's @server and +option
 * words, getopt_long options, NAME and TYPE), parsed again and again. */
#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/completion.h"
#include "cmd/options.h"
#include "cmd/survey.h"
#include "engine/run.h"
#include "measure/plan.h"

#define ARGS	32

static struct ep_options o;
static struct ep_err err;

/*
 * Run ep_options_parse on "ednsprobe" followed by the words given (NULL
 * ends them).  The words are copied: argv strings are writable in main.
 */
static int
parse(const char *word, ...)
{
	static char store[ARGS][256];
	char *argv[ARGS + 1];
	int argc = 0;
	va_list ap;

	snprintf(store[argc], sizeof(store[argc]), "ednsprobe");
	argv[argc] = store[argc];
	argc++;
	va_start(ap, word);
	for (; word != NULL; word = va_arg(ap, const char *)) {
		assert_true(argc < ARGS);
		assert_true(strlen(word) < sizeof(store[argc]));
		snprintf(store[argc], sizeof(store[argc]), "%s", word);
		argv[argc] = store[argc];
		argc++;
	}
	va_end(ap);
	argv[argc] = NULL;
	memset(&o, 0xa5, sizeof(o));
	memset(&err, 0, sizeof(err));
	return ep_options_parse(argc, argv, &o, &err);
}

/* A usage error whose message holds every string given (NULL ends). */
static void
usage_error(int rc, const char *want, ...)
{
	va_list ap;
	int missing = 0;

	if (rc != -1 || err.code != EP_EUSAGE)
		print_error("rc %d, code %d, message \"%s\"\n", rc, err.code,
		    err.msg);
	assert_int_equal(rc, -1);
	assert_int_equal(err.code, EP_EUSAGE);
	va_start(ap, want);
	for (; want != NULL; want = va_arg(ap, const char *)) {
		if (strstr(err.msg, want) == NULL) {
			print_error("\"%s\" not in \"%s\"\n", want, err.msg);
			missing++;
		}
	}
	va_end(ap);
	assert_int_equal(missing, 0);
}

static void
test_defaults(void **state)
{
	static const uint16_t sizes[] = {
		512, 1220, 1232, 1400, 1480, 4000, 4096
	};

	(void)state;
	assert_int_equal(parse("path", "@203.0.113.53", "probe.test",
	    "DNSKEY", NULL), 0);
	assert_int_equal(o.cmd, EP_CMD_PATH);
	assert_string_equal(o.server, "203.0.113.53");
	assert_string_equal(o.name, "probe.test");
	assert_int_equal(o.qname_len, 12);
	assert_memory_equal(o.qname, "\5probe\4test", 12);
	assert_int_equal(o.qtype, 48);
	assert_int_equal(o.family, 0);
	assert_int_equal(o.port, 53);
	assert_int_equal(o.nsizes, 7);
	assert_memory_equal(o.sizes, sizes, sizeof(sizes));
	assert_int_equal(o.dnssec, 1);
	assert_int_equal(o.recurse, 1);
	assert_int_equal(o.udp, 1);
	assert_int_equal(o.tcp, 1);
	assert_int_equal(o.timeout_ms, 5000);
	assert_int_equal(o.floor_ms, 1000);
	assert_int_equal(o.tries, 3);
	assert_int_equal(o.rate, 100);
	assert_int_equal(o.json, 0);
	assert_string_equal(o.json_file, "");
	assert_int_equal(o.verbose, 0);
	assert_int_equal(o.help, 0);
	assert_int_equal(o.version, 0);

	/* No NAME: the root, and no TYPE chosen yet. */
	assert_int_equal(parse("path", "@192.0.2.1", NULL), 0);
	assert_string_equal(o.name, ".");
	assert_int_equal(o.qname_len, 1);
	assert_int_equal(o.qname[0], 0);
	assert_int_equal(o.qtype, 0);
}

static void
test_sizes(void **state)
{
	(void)state;
	assert_int_equal(parse("path", "@s", "+bufsize=1232", NULL), 0);
	assert_int_equal(o.nsizes, 1);
	assert_int_equal(o.sizes[0], 1232);

	assert_int_equal(parse("path", "--sizes=512,4096", "@s", NULL), 0);
	assert_int_equal(o.nsizes, 2);
	assert_int_equal(o.sizes[0], 512);
	assert_int_equal(o.sizes[1], 4096);

	assert_int_equal(parse("path", "@s", "--sizes", "65535", NULL), 0);
	assert_int_equal(o.nsizes, 1);
	assert_int_equal(o.sizes[0], 65535);

	usage_error(parse("path", "@s", "--sizes=70000", NULL), "--sizes",
	    "70000", "512..65535", NULL);
	usage_error(parse("path", "@s", "--sizes=100", NULL), "100",
	    "512..65535", NULL);
	usage_error(parse("path", "@s", "--sizes=512,abc", NULL), "abc",
	    NULL);
	usage_error(parse("path", "@s", "--sizes=,", NULL), "--sizes", NULL);
	usage_error(parse("path", "@s", "--sizes=512,512,512,512,512,512,"
	    "512,512,512,512,512,512,512,512,512,512,512", NULL), "16", NULL);
	usage_error(parse("path", "@s", "+bufsize=511", NULL), "+bufsize",
	    "511", NULL);
}

static void
test_timeout_tries(void **state)
{
	(void)state;
	assert_int_equal(parse("path", "@s", "+timeout=2", NULL), 0);
	assert_int_equal(o.timeout_ms, 2000);
	assert_int_equal(o.floor_ms, 1000);

	assert_int_equal(parse("path", "@s", "--timeout=0.5", NULL), 0);
	assert_int_equal(o.timeout_ms, 500);
	assert_int_equal(o.floor_ms, 500);	/* the floor follows the cap */

	usage_error(parse("path", "@s", "+timeout=0", NULL), "+timeout",
	    NULL);
	usage_error(parse("path", "@s", "--timeout=soon", NULL), "soon",
	    NULL);

	assert_int_equal(parse("path", "@s", "+tries=5", NULL), 0);
	assert_int_equal(o.tries, 5);
	assert_int_equal(parse("path", "@s", "--tries=1", NULL), 0);
	assert_int_equal(o.tries, 1);
	assert_int_equal(parse("path", "@s", "+retry=0", NULL), 0);
	assert_int_equal(o.tries, 1);
	usage_error(parse("path", "@s", "+tries=9", NULL), "+tries", "9",
	    NULL);
	usage_error(parse("path", "@s", "--tries=0", NULL), "--tries", NULL);
}

static void
test_switches(void **state)
{
	(void)state;
	assert_int_equal(parse("path", "@s", "+tcp", NULL), 0);
	assert_int_equal(o.udp, 0);
	assert_int_equal(o.tcp, 1);
	assert_int_equal(parse("path", "@s", "--tcp-only", NULL), 0);
	assert_int_equal(o.udp, 0);
	assert_int_equal(o.tcp, 1);
	assert_int_equal(parse("path", "@s", "+notcp", NULL), 0);
	assert_int_equal(o.udp, 1);
	assert_int_equal(o.tcp, 0);
	assert_int_equal(parse("path", "@s", "--no-tcp", NULL), 0);
	assert_int_equal(o.udp, 1);
	assert_int_equal(o.tcp, 0);
	assert_int_equal(parse("path", "@s", "+tcp", "+notcp", NULL), 0);
	assert_int_equal(o.udp, 1);	/* the last word wins */
	assert_int_equal(o.tcp, 0);

	assert_int_equal(parse("path", "@s", "+nodnssec", NULL), 0);
	assert_int_equal(o.dnssec, 0);
	assert_int_equal(parse("path", "@s", "--no-dnssec", NULL), 0);
	assert_int_equal(o.dnssec, 0);
	assert_int_equal(parse("path", "@s", "+nodnssec", "+dnssec", NULL),
	    0);
	assert_int_equal(o.dnssec, 1);

	assert_int_equal(parse("path", "@s", "+norec", NULL), 0);
	assert_int_equal(o.recurse, 0);
	assert_int_equal(parse("path", "@s", "+norecurse", NULL), 0);
	assert_int_equal(o.recurse, 0);

	assert_int_equal(parse("path", "-4", "@s", NULL), 0);
	assert_int_equal(o.family, 4);
	assert_int_equal(parse("path", "@s", "-6", NULL), 0);
	assert_int_equal(o.family, 6);

	assert_int_equal(parse("path", "@s", "--json", NULL), 0);
	assert_int_equal(o.json, 1);
	assert_string_equal(o.json_file, "");
	assert_int_equal(parse("path", "@s", "-o", "FILE", NULL), 0);
	assert_int_equal(o.json, 0);
	assert_string_equal(o.json_file, "FILE");
	assert_int_equal(parse("path", "@s", "--json-file=out.json", NULL),
	    0);
	assert_string_equal(o.json_file, "out.json");

	assert_int_equal(parse("path", "-vv", "@s", NULL), 0);
	assert_int_equal(o.verbose, 2);
	assert_int_equal(parse("path", "-v", "@s", "--verbose", "-v", NULL),
	    0);
	assert_int_equal(o.verbose, 3);
}

static void
test_port_rate(void **state)
{
	(void)state;
	assert_int_equal(parse("path", "@s", "-p", "5353", NULL), 0);
	assert_int_equal(o.port, 5353);
	assert_int_equal(parse("path", "@s", "--port=853", NULL), 0);
	assert_int_equal(o.port, 853);
	usage_error(parse("path", "@s", "-p", "0", NULL), "--port", NULL);
	usage_error(parse("path", "@s", "-p", "65536", NULL), "65536", NULL);

	assert_int_equal(parse("path", "@s", "--rate=1000", NULL), 0);
	assert_int_equal(o.rate, 1000);
	usage_error(parse("path", "@s", "--rate=5000", NULL), "--rate",
	    "5000", NULL);
}

/* @SERVER in dig's notation: ADDR#PORT, [IPv6]:PORT, and -p. */
static void
test_server_port(void **state)
{
	static const struct {
		const char	*cmd, *word, *server;	/* server NULL: not
							   checked */
		int		 port;			/* 0: not checked */
	} ok[] = {
		{ "path", "@127.0.0.1#5300", "127.0.0.1", 5300 },
		{ "path", "@[::1]:5300", "::1", 5300 },
		{ "path", "@[2001:db8::53]#853", "2001:db8::53", 853 },
		{ "path", "@[::1]", "::1", 53 },
		{ "path", "@::1#54", "::1", 54 },
		{ "path", "@2001:db8::1", "2001:db8::1", 0 },
		{ "path", "@ns1.example#5300", "ns1.example", 5300 },
		{ "resolver", "@192.0.2.1#5353", NULL, 5353 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(parse(ok[i].cmd, ok[i].word, NULL), 0);
		if (ok[i].server != NULL)
			assert_string_equal(o.server, ok[i].server);
		if (ok[i].port != 0)
			assert_int_equal(o.port, ok[i].port);
	}
	/* the same port twice is no conflict; two are */
	assert_int_equal(parse("path", "@192.0.2.1#54", "-p", "54", NULL), 0);
	assert_int_equal(o.port, 54);
	usage_error(parse("path", "@192.0.2.1#53", "-p", "54", NULL),
	    "@192.0.2.1#53", "-p 54", "two ports", NULL);
	usage_error(parse("path", "--port=54", "@[::1]:53", NULL), "@[::1]:53",
	    "-p 54", NULL);
	usage_error(parse("path", "@192.0.2.1#", NULL), "port", NULL);
	usage_error(parse("path", "@192.0.2.1#0", NULL), "port \"0\"",
	    "1..65535", NULL);
	usage_error(parse("path", "@192.0.2.1#x53", NULL), "\"x53\"", NULL);
	usage_error(parse("path", "@[::1]:70000", NULL), "\"70000\"", NULL);
	usage_error(parse("path", "@#53", NULL), "bad server", NULL);
}

/* What looks like an address must be one: never a name to look up. */
static void
test_server_literal(void **state)
{
	(void)state;
	usage_error(parse("path", "@1.2.3", NULL), "@1.2.3 is not an IPv4 "
	    "address", NULL);
	usage_error(parse("path", "@256.1.1.1", NULL), "not an IPv4", NULL);
	usage_error(parse("path", "@127.1", NULL), "not an IPv4", NULL);
	usage_error(parse("path", "@0x7f000001", NULL), "not an IPv4", NULL);
	usage_error(parse("path", "@1.2.3#53", NULL), "not an IPv4", NULL);
	usage_error(parse("path", "@[::1", NULL), "no closing \"]\"", NULL);
	usage_error(parse("path", "@[::1]x", NULL), "only :PORT or #PORT",
	    NULL);
	usage_error(parse("path", "@[127.0.0.1]:53", NULL), "not an IPv6",
	    NULL);
	usage_error(parse("path", "@[ns1.example]", NULL), "not an IPv6",
	    NULL);
	usage_error(parse("path", "@::g", NULL), "@::g is not an IPv6", NULL);
	/* the colon where dig writes "#" */
	usage_error(parse("path", "@127.0.0.1:5300", NULL), "is not an "
	    "address", "127.0.0.1#5300", NULL);
	usage_error(parse("path", "@192.0.2.1", "@192.0.2.2", NULL),
	    "more than one @SERVER", NULL);
	/* names stay names */
	assert_int_equal(parse("path", "@a.root-servers.net", NULL), 0);
	assert_int_equal(parse("path", "@1e100.net", NULL), 0);
	assert_int_equal(parse("path", "@fe80::1%lo", NULL), 0);
	assert_string_equal(o.server, "fe80::1%lo");
}

/* -4 and -6: one, and not against the address given. */
static void
test_family(void **state)
{
	(void)state;
	usage_error(parse("path", "-4", "-6", "@s", NULL), "-4 and -6", NULL);
	usage_error(parse("path", "@s", "-6", "-4", NULL), "-4 and -6", NULL);
	assert_int_equal(parse("path", "-4", "-4", "@s", NULL), 0);
	assert_int_equal(o.family, 4);
	usage_error(parse("path", "-6", "@127.0.0.1", NULL), "-6 asks for "
	    "IPv6, but @127.0.0.1 is an IPv4 address", NULL);
	usage_error(parse("path", "-4", "@::1", NULL), "-4 asks for IPv4, "
	    "but @::1 is an IPv6 address", NULL);
	usage_error(parse("resolver", "-4", "@[::1]:53", NULL), "-4 asks",
	    NULL);
	assert_int_equal(parse("path", "-6", "@::1", NULL), 0);
	assert_int_equal(parse("path", "-4", "@192.0.2.1#53", NULL), 0);
	assert_int_equal(parse("path", "-6", "@ns1.example", NULL), 0);
}

/* dig's words: +time, +short, -q NAME, -t TYPE. */
static void
test_dig_words(void **state)
{
	(void)state;
	assert_int_equal(parse("path", "@s", "+time=2", NULL), 0);
	assert_int_equal(o.timeout_ms, 2000);
	usage_error(parse("path", "@s", "+time=0", NULL), "+time", NULL);
	usage_error(parse("path", "@s", "+time", NULL), "unknown option",
	    "+time", NULL);
	assert_int_equal(parse("path", "@s", NULL), 0);
	assert_int_equal(o.short_out, 0);
	assert_int_equal(parse("path", "@s", "+short", NULL), 0);
	assert_int_equal(o.short_out, 1);
	assert_int_equal(parse("path", "@s", "+short", "+noshort", NULL), 0);
	assert_int_equal(o.short_out, 0);
	assert_int_equal(parse("analyze", "+short", "f.pcap", NULL), 0);
	assert_int_equal(o.short_out, 1);
	usage_error(parse("path", "@s", "+short", "--json", NULL), "+short",
	    "--json", NULL);
	usage_error(parse("survey", "+short", "f", NULL), "+short", "survey",
	    NULL);

	/* Every word of the table: read in its form (with a value or
	 * without), unknown in the other. */
	for (const struct ep_plusword *w = ep_pluswords; w->word != NULL;
	    w++) {
		char good[32], bad[32];

		snprintf(good, sizeof(good), "+%s%s", w->word, !w->value ? "" :
		    strcmp(w->word, "bufsize") == 0 ? "=1232" : "=2");
		snprintf(bad, sizeof(bad), "+%s%s", w->word, w->value ? "" :
		    "=2");
		assert_int_equal(parse("path", "@s", good, NULL), 0);
		usage_error(parse("path", "@s", bad, NULL), "unknown option",
		    bad, NULL);
	}
	assert_int_equal(parse("path", "@s", "+vc", NULL), 0);
	assert_int_equal(o.tcp, 1);
	assert_int_equal(o.udp, 0);
	assert_int_equal(parse("path", "@s", "+retry=4", NULL), 0);
	assert_int_equal(o.tries, 5);
	usage_error(parse("path", "@s", "+retry=5", NULL), "+retry", "0..4",
	    NULL);

	assert_int_equal(parse("path", "@s", "-q", "example.com", "-t", "MX",
	    NULL), 0);
	assert_string_equal(o.name, "example.com");
	assert_int_equal(o.qtype, 15);
	assert_int_equal(parse("path", "@s", "-t", "TXT", "example.com",
	    NULL), 0);
	assert_string_equal(o.name, "example.com");
	assert_int_equal(o.qtype, 16);
	assert_int_equal(parse("path", "@s", "-tNS", NULL), 0);
	assert_string_equal(o.name, ".");
	assert_int_equal(o.qtype, 2);
	assert_int_equal(parse("path", "@s", "-q", "example.com", NULL), 0);
	assert_string_equal(o.name, "example.com");
	assert_int_equal(parse("zone", "-q", "example.com", NULL), 0);
	assert_string_equal(o.name, "example.com");
	usage_error(parse("path", "@s", "-q", "a.example", "b.example", NULL),
	    "-q a.example", "\"b.example\"", "give one", NULL);
	usage_error(parse("path", "@s", "-t", "A", "a.example", "MX", NULL),
	    "-t A", "\"MX\"", NULL);
	usage_error(parse("path", "@s", "-t", "BOGUS", NULL), "BOGUS", NULL);
	usage_error(parse("path", "@s", "-q", "a", "-q", "b", NULL),
	    "-q given twice", NULL);
	usage_error(parse("zone", "-t", "A", "example.com", NULL), "-t TYPE "
	    "is for path, resolver, not zone", NULL);
	usage_error(parse("survey", "-q", "x", "f", NULL), "-q NAME is for",
	    "not survey", NULL);
}

/* Raw probes, capture and offline analysis. */
static void
test_raw_capture_analyze(void **state)
{
	(void)state;
	assert_int_equal(parse("path", "@s", NULL), 0);
	assert_true(o.raw);
	assert_int_equal(o.max_hops, EP_HOPS_DEFAULT);
	assert_int_equal(parse("path", "@s", "--no-raw", "--max-hops=30",
	    "--no-pcap", "--iface", "any", NULL), 0);
	assert_false(o.raw);
	assert_int_equal(o.max_hops, 30);
	assert_true(o.no_pcap);
	assert_string_equal(o.iface, "any");
	usage_error(parse("path", "@s", "--max-hops=0", NULL), "--max-hops",
	    NULL);
	usage_error(parse("path", "@s", "--max-hops=31", NULL), "31", NULL);
	usage_error(parse("path", "@s", "--pcap-format=erf", NULL), "erf",
	    NULL);
	assert_int_equal(parse("path", "@s", "--frag-size=512", NULL), 0);
	assert_int_equal(o.frag_size, 512);
	usage_error(parse("path", "@s", "--frag-size=100", NULL),
	    "multiple of 8", NULL);
	usage_error(parse("path", "@s", "--frag-size=600", NULL),
	    "--frag-size", NULL);
	usage_error(parse("path", "@s", "--frag-size=0", NULL),
	    "--frag-size", NULL);
	assert_int_equal(parse("path", "@s", "--pcap=x.pcap",
	    "--pcap-format=pcap", NULL), 0);
	assert_true(o.pcap_classic);
	assert_string_equal(o.pcap, "x.pcap");
	assert_int_equal(parse("analyze", "x.pcapng", NULL), 0);
	assert_int_equal(o.cmd, EP_CMD_ANALYZE);
	assert_string_equal(o.file, "x.pcapng");
	usage_error(parse("analyze", NULL), "FILE", NULL);
	usage_error(parse("analyze", "@s", "x", NULL), "FILE", NULL);
	/* The DNS port in the capture: 53 unless told. */
	assert_int_equal(parse("analyze", "x", NULL), 0);
	assert_int_equal(o.port, 53);
	assert_int_equal(parse("analyze", "-p", "5300", "x", NULL), 0);
	assert_int_equal(o.port, 5300);
	assert_int_equal(parse("analyze", "--port=5353", "x", NULL), 0);
	assert_int_equal(o.port, 5353);
	usage_error(parse("analyze", "-p", "0", "x", NULL), "--port", NULL);
	usage_error(parse("analyze", "--port=dns", "x", NULL), "--port", NULL);
	/* Who root becomes: checked by privs at start, stored here. */
	assert_int_equal(parse("path", "@s", "-Z", "daemon", NULL), 0);
	assert_string_equal(o.user, "daemon");
	assert_int_equal(parse("analyze", "--user=4242", "x", NULL), 0);
	assert_string_equal(o.user, "4242");
	usage_error(parse("path", "@s", "--user=", NULL), "--user", NULL);
	usage_error(parse("path", "@s", "-Z", NULL), "-Z", NULL);
}

static void
test_help_version(void **state)
{
	(void)state;
	assert_int_equal(parse("--help", NULL), 0);
	assert_int_equal(o.help, 1);
	assert_int_equal(parse("path", "--help", NULL), 0);
	assert_int_equal(o.help, 1);
	assert_int_equal(o.cmd, EP_CMD_PATH);
	assert_int_equal(parse("-h", NULL), 0);
	assert_int_equal(o.help, 1);
	assert_int_equal(parse("-V", NULL), 0);
	assert_int_equal(o.version, 1);
	assert_int_equal(o.help, 0);
	assert_non_null(strstr(ep_options_usage(), "usage: ednsprobe path"));
}

static void
test_errors(void **state)
{
	(void)state;
	usage_error(parse("path", "@s", "--bogus", NULL), "--bogus", NULL);
	usage_error(parse("path", "@s", "+bogus", NULL), "+bogus", NULL);
	usage_error(parse("path", "probe.test", NULL), "@SERVER", NULL);
	usage_error(parse("path", "@a", "@b", NULL), "@SERVER", NULL);
	usage_error(parse("path", "@", NULL), "server", NULL);
	usage_error(parse("path", "@s", "probe.test", "DNSKEY", "extra",
	    NULL), "extra", NULL);
	usage_error(parse("path", "@s", "a..b", NULL), "a..b", NULL);
	usage_error(parse("path", "@s", "probe.test", "FOO", NULL), "FOO",
	    NULL);
	usage_error(parse("frobnicate", "@s", NULL), "frobnicate", NULL);
	usage_error(parse("@s", NULL), NULL);	/* no command */
	usage_error(parse(NULL), NULL);
	usage_error(parse("path", "@s", "-p", NULL), "-p", "value", NULL);
}

/*
 * A usage error naming each string given; unlike usage_error() it only
 * reports, so one test can list every case that goes wrong.
 */
static int
names(int rc, const char *what, const char *want)
{
	if (rc == -1 && err.code == EP_EUSAGE && strstr(err.msg, what) &&
	    strstr(err.msg, want))
		return 0;
	print_error("%s: rc %d, message \"%s\", wanted \"%s\" and \"%s\"\n",
	    what, rc, err.msg, what, want);
	return 1;
}

/*
 * Options with a required value, given none at the end of the line: the
 * message says a value is missing, not that the option is unknown.
 */
static void
test_missing_value(void **state)
{
	static const char *opts[] = {
		"-p", "-o", "--port", "--json-file", "--sizes", "--timeout",
		"--tries", "--rate",
	};
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		bad += names(parse("path", "@s", opts[i], NULL), opts[i],
		    "needs a value");
	assert_int_equal(bad, 0);
}

/* An unknown letter grouped with known ones is named in the message. */
static void
test_grouped_unknown(void **state)
{
	int bad = 0;

	(void)state;
	bad += names(parse("path", "@s", "-x", NULL), "-x", "unknown");
	bad += names(parse("path", "@s", "-vx", NULL), "x", "unknown");
	bad += names(parse("path", "@s", "-xv", NULL), "-x", "unknown");
	bad += names(parse("path", "@s", "-vQv", NULL), "Q", "unknown");
	assert_int_equal(bad, 0);
}

/*
 * Every call starts from scratch: nothing from an earlier call, good or
 * failed in the middle of getopt, leaks into the next.
 */
static void
test_repeated(void **state)
{
	(void)state;
	for (int round = 0; round < 3; round++) {
		assert_int_equal(parse("path", "-vv", "-p", "5353", "@s",
		    "probe.test", "--json", NULL), 0);
		assert_int_equal(o.verbose, 2);
		assert_int_equal(o.port, 5353);
		assert_int_equal(o.json, 1);

		assert_int_equal(parse("path", "@s", NULL), 0);
		assert_int_equal(o.verbose, 0);
		assert_int_equal(o.port, 53);
		assert_int_equal(o.json, 0);

		/* Stops inside a group of letters, after the first. */
		assert_int_equal(parse("path", "-vQv", "@s", NULL), -1);
		assert_int_equal(parse("path", "-v", "@s", NULL), 0);
		assert_int_equal(o.verbose, 1);

		/* Options after the positionals (GNU getopt permutes). */
		assert_int_equal(parse("path", "@s", "probe.test", "A", "-6",
		    "--port", "54", NULL), 0);
		assert_int_equal(o.family, 6);
		assert_int_equal(o.port, 54);
		assert_int_equal(o.qtype, 1);
		assert_string_equal(o.name, "probe.test");

		assert_int_equal(parse("path", "@s", "--rate=5000", NULL), -1);
		assert_int_equal(parse("path", "@s", "--rate=10", NULL), 0);
		assert_int_equal(o.rate, 10);
	}
}

static void
test_survey(void **state)
{
	(void)state;
	assert_int_equal(parse("survey", "list.txt", NULL), 0);
	assert_int_equal(o.cmd, EP_CMD_SURVEY);
	assert_string_equal(o.file, "list.txt");
	assert_int_equal(o.rate, EP_RATE_SURVEY);
	assert_int_equal(o.parallel, EP_PARALLEL_DEFAULT);
	assert_int_equal(o.budget_ms, 0);
	assert_string_equal(o.resume, "");
	assert_int_equal(parse("survey", "--rate", "500", "--parallel", "8",
	    "--budget", "2.5", "--resume", "old.jsonl", "-", NULL), 0);
	assert_int_equal(o.rate, 500);
	assert_int_equal(o.parallel, 8);
	assert_int_equal(o.budget_ms, 2500);
	assert_string_equal(o.resume, "old.jsonl");
	assert_string_equal(o.file, "-");
	/* path keeps its own default rate */
	assert_int_equal(parse("path", "@192.0.2.1", NULL), 0);
	assert_int_equal(o.rate, EP_RATE_DEFAULT);
	usage_error(parse("survey", NULL), "one target list FILE", NULL);
	usage_error(parse("survey", "@192.0.2.1", "f", NULL), "no @SERVER",
	    NULL);
	usage_error(parse("survey", "a", "b", NULL), "one target list", NULL);
	usage_error(parse("survey", "--rate", "0", "f", NULL), "--rate",
	    "out of range", NULL);
	usage_error(parse("survey", "--rate", "1001", "f", NULL), "--rate",
	    NULL);
	usage_error(parse("survey", "--parallel", "0", "f", NULL),
	    "--parallel", NULL);
	usage_error(parse("survey", "--parallel", "513", "f", NULL),
	    "--parallel", NULL);
	usage_error(parse("survey", "--budget", "0", "f", NULL), "--budget",
	    NULL);
	usage_error(parse("survey", "--full", "f", NULL), "--full", NULL);
	usage_error(parse("path", "--parallel", "4", "@192.0.2.1", NULL),
	    "for the survey command", NULL);
	usage_error(parse("analyze", "--resume", "x", "f.pcap", NULL),
	    "for the survey command", NULL);
	usage_error(parse("surveys", "f", NULL), "unknown command", "survey",
	    NULL);
}

/* The text ep_options_help writes for cmd (static storage). */
static const char *
help_text(enum ep_command cmd)
{
	static char *buf;
	size_t len = 0;
	FILE *fp;

	free(buf);
	buf = NULL;
	assert_non_null(fp = open_memstream(&buf, &len));
	assert_int_equal(ep_options_help(fp, cmd), 0);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

/* Lines of at most 79 columns, and not many of them. */
static void
fits(const char *text, int max_lines)
{
	int lines = 0;

	for (const char *p = text; *p != '\0'; lines++) {
		size_t n = strcspn(p, "\n");

		if (n > 79)
			print_error("too wide: %.*s\n", (int)n, p);
		assert_true(n <= 79);
		p += n + (p[n] == '\n');
	}
	assert_true(lines <= max_lines);
}

static const enum ep_command every_cmd[] = {
	EP_CMD_PATH, EP_CMD_COMPLY, EP_CMD_SURVEY, EP_CMD_ZONE,
	EP_CMD_RESOLVER, EP_CMD_RESPOND, EP_CMD_ANALYZE, EP_CMD_COMPLETION,
};
#define NCMD	(sizeof(every_cmd) / sizeof(every_cmd[0]))

/* help and help COMMAND: o->help, and the command asked about. */
static void
test_help_command(void **state)
{
	(void)state;
	assert_int_equal(parse("help", NULL), 0);
	assert_int_equal(o.help, 1);
	assert_int_equal(o.cmd, EP_CMD_NONE);
	assert_int_equal(parse("help", "zone", NULL), 0);
	assert_int_equal(o.help, 1);
	assert_int_equal(o.cmd, EP_CMD_ZONE);
	assert_int_equal(parse("help", "analyze", NULL), 0);
	assert_int_equal(o.cmd, EP_CMD_ANALYZE);
	assert_int_equal(parse("help", "help", NULL), 0);
	assert_int_equal(o.cmd, EP_CMD_NONE);
	usage_error(parse("help", "frobnicate", NULL), "unknown command",
	    "frobnicate", "known: path", NULL);
	assert_int_equal(o.help, 0);
	usage_error(parse("help", "zone", "path", NULL), "one COMMAND",
	    NULL);
	/* --help after a command: that command's */
	for (size_t i = 0; i < NCMD; i++) {
		const struct ep_cmd *c = ep_options_cmd(every_cmd[i]);

		assert_non_null(c);
		assert_int_equal(parse(c->name, "--help", NULL), 0);
		assert_int_equal(o.help, 1);
		assert_int_equal(o.cmd, every_cmd[i]);
		assert_int_equal(parse(c->name, "-h", NULL), 0);
		assert_int_equal(o.cmd, every_cmd[i]);
	}
	assert_null(ep_options_cmd(EP_CMD_NONE));
}

/*
 * Each command's help is its own: its usage line, no other command's,
 * the options of the groups it shows (unless it hides them), none of the
 * options that belong to another command only.
 */
static void
test_help_per_command(void **state)
{
	char want[64];

	(void)state;
	for (size_t i = 0; i < NCMD; i++) {
		const struct ep_cmd *c = ep_options_cmd(every_cmd[i]);
		const char *h = help_text(every_cmd[i]);

		snprintf(want, sizeof(want), "usage: ednsprobe %s [", c->name);
		assert_non_null(strstr(h, want));
		assert_ptr_equal(strstr(h, "usage:"), h);
		assert_null(strstr(h + 1, "usage:"));
		fits(h, 40);
		for (const struct ep_optgroup *const *g = c->groups;
		    *g != NULL; g++)
			for (const struct ep_optdef *d = (*g)->opts;
			    d->name || d->letter || d->help; d++) {
				const struct ep_optnote *n = c->notes;

				if (d->name == NULL)
					continue;
				while (n != NULL && n->name != NULL &&
				    strcmp(n->name, d->name) != 0)
					n++;
				snprintf(want, sizeof(want), "--%s", d->name);
				if (n != NULL && n->name != NULL &&
				    n->help == NULL)
					assert_null(strstr(h, want));
				else if (strstr(h, want) == NULL) {
					print_error("%s: no %s\n", c->name,
					    want);
					fail();
				}
			}
	}
	/* Another command's own options are not shown. */
	assert_null(strstr(help_text(EP_CMD_ANALYZE), "--sizes"));
	assert_null(strstr(help_text(EP_CMD_ANALYZE), "--pcap"));
	assert_null(strstr(help_text(EP_CMD_ZONE), "--listen"));
	assert_null(strstr(help_text(EP_CMD_ZONE), "--parallel"));
	assert_null(strstr(help_text(EP_CMD_ZONE), "--compliance"));
	assert_null(strstr(help_text(EP_CMD_PATH), "--parent"));
	assert_null(strstr(help_text(EP_CMD_PATH), "--resolv-conf"));
	assert_null(strstr(help_text(EP_CMD_RESPOND), "--json"));
	assert_null(strstr(help_text(EP_CMD_RESPOND), "--sizes"));
	assert_null(strstr(help_text(EP_CMD_SURVEY), "--json"));
	assert_non_null(strstr(help_text(EP_CMD_SURVEY), "default 20"));
	assert_non_null(strstr(help_text(EP_CMD_COMPLY), "genreport"));
	assert_null(strstr(help_text(EP_CMD_COMPLY), "--compliance"));
	assert_non_null(strstr(help_text(EP_CMD_RESOLVER), "--resolv-conf"));
}

/* The overview: every command's usage line, "help COMMAND". */
static void
test_help_overview(void **state)
{
	const char *h;
	char want[128];

	(void)state;
	h = help_text(EP_CMD_NONE);
	assert_string_equal(h, ep_options_usage());
	fits(h, 40);
	for (size_t i = 0; i < NCMD; i++) {
		const struct ep_cmd *c = ep_options_cmd(every_cmd[i]);

		snprintf(want, sizeof(want), "ednsprobe %s\n", c->synopsis);
		assert_non_null(strstr(h, want));
	}
	assert_non_null(strstr(h, "ednsprobe help [COMMAND]"));
	assert_null(strstr(h, "--parallel"));
	assert_non_null(strstr(h, "Exit status: 0 no findings, 1 usage "
	    "error"));
}

/* Each command's help fits a screen and sends to the overview for the
 * exit statuses; the shared groups are one line each there. */
static void
test_help_screen(void **state)
{
	(void)state;
	for (size_t i = 0; i < NCMD; i++) {
		const char *h = help_text(every_cmd[i]);

		fits(h, 40);
		assert_non_null(strstr(h, "ednsprobe help"));
	}
	assert_non_null(strstr(help_text(EP_CMD_PATH), "+short"));
	assert_non_null(strstr(help_text(EP_CMD_PATH), "ADDR#PORT"));
	assert_non_null(strstr(help_text(EP_CMD_PATH), "-t TYPE"));
	assert_non_null(strstr(help_text(EP_CMD_PATH), "+time=S"));
	assert_non_null(strstr(help_text(EP_CMD_PATH),
	    "  Output     --json  +short  --format=F  -o, --json-file=F  "
	    "--report=F\n"));
	assert_null(strstr(help_text(EP_CMD_SURVEY), "+short"));
	assert_non_null(strstr(help_text(EP_CMD_RESPOND), "ADDR[#PORT]"));
}

/* A usage error names the command typed: its usage line follows. */
static void
test_usage_of_typed(void **state)
{
	(void)state;
	usage_error(parse("respond", "@192.0.2.1", NULL), "respond takes no",
	    NULL);
	assert_int_equal(o.cmd, EP_CMD_RESPOND);
	usage_error(parse("resolver", "-4", "-6", NULL), "-4 and -6", NULL);
	assert_int_equal(o.cmd, EP_CMD_RESOLVER);
	usage_error(parse("compliance", "@1.2.3", "z.example", NULL),
	    "not an IPv4", NULL);
	assert_int_equal(o.cmd, EP_CMD_COMPLY);
	usage_error(parse("survey", "--sizes=1", "f", NULL), "--sizes", NULL);
	assert_int_equal(o.cmd, EP_CMD_SURVEY);
}

/* A usage error names the command at hand; its line says so. */
static void
test_usage_line(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	(void)state;
	usage_error(parse("zone", "-x", "example.", NULL), "-x", NULL);
	assert_int_equal(o.cmd, EP_CMD_ZONE);
	usage_error(parse("analyze", NULL), "FILE", NULL);
	assert_int_equal(o.cmd, EP_CMD_ANALYZE);
	usage_error(parse("frobnicate", NULL), "unknown command", NULL);
	assert_int_equal(o.cmd, EP_CMD_NONE);
	assert_non_null(fp = open_memstream(&buf, &len));
	ep_options_usage_line(fp, EP_CMD_ZONE);
	ep_options_usage_line(fp, EP_CMD_NONE);
	assert_int_equal(fclose(fp), 0);
	assert_string_equal(buf, "usage: ednsprobe zone [options] ZONE  "
	    "(ednsprobe zone --help for more)\n"
	    "usage: ednsprobe COMMAND [options] ...  (ednsprobe help for the "
	    "commands)\n");
	free(buf);
}

/* A long option given a value it does not take is named, not "-?". */
static void
test_no_value(void **state)
{
	(void)state;
	usage_error(parse("path", "@s", "--json=x", NULL), "\"--json\"",
	    "takes no value", NULL);
	usage_error(parse("path", "@s", "--no-raw=1", NULL), "\"--no-raw\"",
	    "takes no value", NULL);
	usage_error(parse("path", "@s", "--verbose=2", NULL),
	    "\"--verbose\"", "takes no value", NULL);
	usage_error(parse("path", "@s", "--he=x", NULL), "\"--he\"",
	    "takes no value", NULL);
}

/* completion SHELL: bash only, one word, nothing else. */
static void
test_completion_command(void **state)
{
	(void)state;
	assert_int_equal(parse("completion", "bash", NULL), 0);
	assert_int_equal(o.cmd, EP_CMD_COMPLETION);
	assert_string_equal(o.file, "bash");
	usage_error(parse("completion", NULL), "completion takes one SHELL",
	    "bash", NULL);
	assert_int_equal(o.cmd, EP_CMD_COMPLETION);
	usage_error(parse("completion", "zsh", NULL), "no script for",
	    "\"zsh\"", "only bash", NULL);
	usage_error(parse("completion", "bash", "zsh", NULL),
	    "one SHELL", NULL);
	usage_error(parse("completion", "@192.0.2.1", "bash", NULL),
	    "no @SERVER", NULL);
	usage_error(parse("completion", "--parallel=2", "bash", NULL),
	    "--parallel", NULL);
	assert_int_equal(parse("help", "completion", NULL), 0);
	assert_int_equal(o.cmd, EP_CMD_COMPLETION);
	/* The list the completion walks is every command, once. */
	for (size_t i = 0; i < NCMD; i++)
		assert_ptr_equal(ep_options_cmd_at(i),
		    ep_options_cmd(every_cmd[i]));
	assert_null(ep_options_cmd_at(NCMD));
}

/* The +words a command takes: those its help tells of. */
static void
test_takes_word(void **state)
{
	const struct ep_plusword *shrt = NULL, *tcp = NULL, *time = NULL;

	(void)state;
	for (const struct ep_plusword *w = ep_pluswords; w->word; w++) {
		if (strcmp(w->word, "short") == 0)
			shrt = w;
		if (strcmp(w->word, "tcp") == 0)
			tcp = w;
		if (strcmp(w->word, "time") == 0)
			time = w;
	}
	assert_non_null(shrt);
	assert_non_null(tcp);
	assert_non_null(time);
	assert_true(ep_options_takes_word(&ep_cmd_path, shrt));
	assert_true(ep_options_takes_word(&ep_cmd_path, tcp));
	assert_true(ep_options_takes_word(&ep_cmd_analyze, shrt));
	assert_false(ep_options_takes_word(&ep_cmd_analyze, tcp));
	assert_false(ep_options_takes_word(&ep_cmd_survey, shrt));
	assert_true(ep_options_takes_word(&ep_cmd_survey, time));
	assert_false(ep_options_takes_word(&ep_cmd_respond, time));
	assert_false(ep_options_takes_word(&ep_cmd_completion, shrt));
}

/* The script's line "\t\tKEY='...'" of command name; static storage. */
static const char *
script_list(const char *script, const char *name, const char *key)
{
	static char line[2048];
	char want[64];
	const char *p, *q;
	size_t n;

	snprintf(want, sizeof(want), "\n\t%s)\n", name);
	assert_non_null(p = strstr(script, want));
	snprintf(want, sizeof(want), "\t\t%s='", key);
	assert_non_null(p = strstr(p, want));
	p += strlen(want);
	assert_non_null(q = strchr(p, '\''));
	n = (size_t)(q - p);
	assert_true(n + 3 < sizeof(line));
	snprintf(line, sizeof(line), " %.*s ", (int)n, p);
	return line;
}

/*
 * The script offers each command every option its help shows (and none
 * it hides), the ones taking a value as such, and the +words it takes:
 * derived here from the tables again, so a table the script missed
 * fails.
 */
static void
test_completion_script(void **state)
{
	char *buf = NULL, want[64];
	size_t len = 0;
	FILE *fp;

	(void)state;
	assert_non_null(fp = open_memstream(&buf, &len));
	assert_int_equal(ep_completion_write(fp, "bash", &err), 0);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(ep_completion_write(stdout, "zsh", &err), -1);
	assert_int_equal(err.code, EP_EUSAGE);
	assert_non_null(strstr(buf, "complete -F _ednsprobe ednsprobe\n"));
	for (size_t i = 0; i < NCMD; i++) {
		const struct ep_cmd *c = ep_options_cmd(every_cmd[i]);
		const char *opts, *vopts, *plus;

		opts = script_list(buf, c->name, "opts");
		assert_non_null(strstr(opts, " --help "));
		for (const struct ep_optgroup *const *g = c->groups;
		    *g != NULL; g++)
			for (const struct ep_optdef *d = (*g)->opts;
			    d->name || d->letter || d->help; d++) {
				int shown = ep_options_help_of(c, d) != NULL;

				if (d->name == NULL)
					continue;
				snprintf(want, sizeof(want), " --%s ",
				    d->name);
				opts = script_list(buf, c->name, "opts");
				if ((strstr(opts, want) != NULL) != shown) {
					print_error("%s:%s%soffered\n",
					    c->name, want, shown ? "not " : "");
					fail();
				}
				vopts = script_list(buf, c->name, "vopts");
				assert_int_equal(strstr(vopts, want) != NULL,
				    shown && d->arg == required_argument);
			}
		for (const struct ep_plusword *w = ep_pluswords; w->word;
		    w++) {
			snprintf(want, sizeof(want), " +%s%s ", w->word,
			    w->value ? "=" : "");
			plus = script_list(buf, c->name, "plus");
			assert_int_equal(strstr(plus, want) != NULL,
			    ep_options_takes_word(c, w));
		}
	}
	/* dig's -t where it is read; respond's --rate (another group's,
	 * told by a help line of its own). */
	assert_non_null(strstr(script_list(buf, "path", "opts"), " -t "));
	assert_null(strstr(script_list(buf, "zone", "opts"), " -t "));
	assert_non_null(strstr(script_list(buf, "respond", "vopts"),
	    " --rate "));
	assert_non_null(strstr(buf, " AAAA "));
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_timeout_tries),
		cmocka_unit_test(test_switches),
		cmocka_unit_test(test_port_rate),
		cmocka_unit_test(test_server_port),
		cmocka_unit_test(test_server_literal),
		cmocka_unit_test(test_family),
		cmocka_unit_test(test_dig_words),
		cmocka_unit_test(test_raw_capture_analyze),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_missing_value),
		cmocka_unit_test(test_grouped_unknown),
		cmocka_unit_test(test_repeated),
		cmocka_unit_test(test_survey),
		cmocka_unit_test(test_help_command),
		cmocka_unit_test(test_help_per_command),
		cmocka_unit_test(test_help_overview),
		cmocka_unit_test(test_usage_line),
		cmocka_unit_test(test_help_screen),
		cmocka_unit_test(test_usage_of_typed),
		cmocka_unit_test(test_no_value),
		cmocka_unit_test(test_completion_command),
		cmocka_unit_test(test_takes_word),
		cmocka_unit_test(test_completion_script),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
