/* tests/unit/test_survey.c: the survey's target-list lines, target
 * identity (duplicates) and the --resume reader of its own output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/survey.h"

static struct ep_survey_line l;
static char why[256];

static int
line(const char *s)
{
	why[0] = '\0';
	return ep_survey_parse_line(s, &l, why, sizeof(why));
}

static void
test_good_lines(void **state)
{
	(void)state;
	assert_int_equal(line("203.0.113.53"), 1);
	assert_int_equal(l.family, 4);
	assert_string_equal(l.addr_str, "203.0.113.53");
	assert_int_equal(l.qname_len, 0);
	assert_int_equal(l.qtype, 0);
	assert_int_equal(line("  2001:DB8:53::0:53\tprobe.test  TXT # c"), 1);
	assert_int_equal(l.family, 6);
	assert_string_equal(l.addr_str, "2001:db8:53::53");
	assert_string_equal(l.name, "probe.test");
	assert_int_equal(l.qname_len, 12);
	assert_int_equal(l.qtype, 16);
	assert_int_equal(line("192.0.2.1 example. TYPE65534\r"), 1);
	assert_int_equal(l.qtype, 65534);
	assert_string_equal(l.name, "example.");
}

static void
test_blank_and_comments(void **state)
{
	(void)state;
	assert_int_equal(line(""), 0);
	assert_int_equal(line("   \t \r"), 0);
	assert_int_equal(line("# 203.0.113.53"), 0);
	assert_int_equal(line("  #"), 0);
}

static void
test_bad_lines(void **state)
{
	char big[2000];

	(void)state;
	assert_int_equal(line("ns1.example.net"), -1);
	assert_non_null(strstr(why, "not an IPv4 or IPv6 address"));
	assert_non_null(strstr(why, "ns1.example.net"));
	assert_int_equal(line("203.0.113.256"), -1);
	assert_int_equal(line("203.0.113.53/24"), -1);
	assert_int_equal(line("[2001:db8::1]"), -1);
	assert_int_equal(line("203.0.113.53 probe.test TXT extra"), -1);
	assert_non_null(strstr(why, "extra"));
	assert_int_equal(line("203.0.113.53 probe.test NOSUCHTYPE"), -1);
	assert_non_null(strstr(why, "record type"));
	assert_int_equal(line("203.0.113.53 a..b"), -1);
	assert_non_null(strstr(why, "domain name"));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(line(big), -1);
	assert_non_null(strstr(why, "longer than"));
	/* a 64-octet label */
	assert_int_equal(line("203.0.113.53 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test"), -1);
}

static uint64_t
key_of(const char *s)
{
	assert_int_equal(line(s), 1);
	return ep_survey_key(&l);
}

static void
test_keys(void **state)
{
	(void)state;
	/* The same target however it is written. */
	assert_true(key_of("203.0.113.53 Probe.Test") ==
	    key_of("203.0.113.53   probe.test. DNSKEY"));
	assert_true(key_of("2001:db8::53") == key_of("2001:0db8:0::53 ."));
	/* Others differ: address, family, name, type. */
	assert_true(key_of("203.0.113.53 probe.test") !=
	    key_of("203.0.113.54 probe.test"));
	assert_true(key_of("203.0.113.53 probe.test") !=
	    key_of("203.0.113.53 probe.test TXT"));
	assert_true(key_of("203.0.113.53 probe.test") !=
	    key_of("203.0.113.53 other.test"));
	assert_true(key_of("::ffff:203.0.113.53") != key_of("203.0.113.53"));
	/* Address bytes that happen to be ASCII letters are not names:
	 * 0x4b ('K') and 0x6b ('k') are two addresses (a bug once). */
	assert_true(key_of("2001:db8:53::1:14b") !=
	    key_of("2001:db8:53::1:16b"));
	assert_true(key_of("203.0.113.75") != key_of("203.0.113.107"));
}

static void
test_resume_lines(void **state)
{
	uint64_t k = 0;

	(void)state;
	assert_int_equal(ep_survey_resume_key("{\"type\":\"target\","
	    "\"schema\":1,\"line\":3,\"address\":\"203.0.113.53\","
	    "\"family\":4,\"name\":\"probe.test\",\"qtype\":\"DNSKEY\"}", &k),
	    1);
	assert_true(k == key_of("203.0.113.53 probe.test"));
	assert_int_equal(ep_survey_resume_key("{\"type\":\"target\","
	    "\"address\":\"2001:db8::53\",\"name\":\".\",\"qtype\":\"DNSKEY\"}",
	    &k), 1);
	assert_true(k == key_of("2001:db8::53"));
	/* Not a finished target: summary, truncated, foreign, hostile. */
	assert_int_equal(ep_survey_resume_key("{\"type\":\"summary\","
	    "\"targets\":3}", &k), 0);
	assert_int_equal(ep_survey_resume_key("{\"type\":\"target\","
	    "\"address\":\"203.0.113.53\",\"name\":\"probe.t", &k), 0);
	assert_int_equal(ep_survey_resume_key("", &k), 0);
	assert_int_equal(ep_survey_resume_key("[1,2]", &k), 0);
	assert_int_equal(ep_survey_resume_key("{\"type\":\"target\","
	    "\"address\":7,\"name\":\"x\",\"qtype\":\"A\"}", &k), 0);
	assert_int_equal(ep_survey_resume_key("{\"type\":\"target\","
	    "\"address\":\"203.0.113.53 x\",\"name\":\"y\",\"qtype\":\"A\"}",
	    &k), 0);
	assert_int_equal(ep_survey_resume_key("{\"type\":\"target\","
	    "\"address\":\"203.0.113.53\",\"name\":\"x..y\",\"qtype\":"
	    "\"A\"}", &k), 0);
	assert_int_equal(ep_survey_resume_key("{\"type\":\"target\","
	    "\"address\":\"203.0.113.53\",\"name\":\"x\",\"qtype\":"
	    "\"A B\"}", &k), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_lines),
		cmocka_unit_test(test_blank_and_comments),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_resume_lines),
	};

	return cmocka_run_group_tests_name("survey", tests, NULL, NULL);
}
