/* tests/unit/test_findings.c: the findings catalogue (ednsprobe/
 * findings.h) against docs/faults.md: every id has its section there,
 * under the anchor the catalogue names, and every section of an id is
 * one the catalogue has. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ednsprobe/result.h"

#define HEADS_MAX	256

static char heads[HEADS_MAX][512];	/* "## " headings, newline cut */
static int nheads;

static void
read_faults(void)
{
	char line[512];
	FILE *fp = fopen(EP_SOURCE_DIR "/docs/faults.md", "r");

	assert_non_null(fp);
	nheads = 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "## ", 3) == 0 && nheads < HEADS_MAX) {
			line[strcspn(line, "\n")] = '\0';
			memcpy(heads[nheads++], line + 3, strlen(line + 3) + 1);
		}
	fclose(fp);
	assert_true(nheads > 20);
}

/* An id's form: upper case, digits, underscores. */
static int
id_form(const char *s, size_t n)
{
	if (n < 3 || !isupper((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isupper((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

/* The anchor GitHub makes of a heading: lower case, spaces to '-',
 * punctuation but '-' and '_' dropped. */
static void
slug(const char *h, char *buf, size_t len)
{
	size_t n = 0;

	for (; *h != '\0' && n + 1 < len; h++)
		if (isalnum((unsigned char)*h) || *h == '_' || *h == '-')
			buf[n++] = (char)tolower((unsigned char)*h);
		else if (*h == ' ')
			buf[n++] = '-';
	buf[n] = '\0';
}

/* Whether heading h lists id (alone, or in a comma list). */
static int
lists(const char *h, const char *id)
{
	size_t n = strlen(id);

	for (const char *p = h; *p != '\0';) {
		size_t k = strcspn(p, ",");

		while (*p == ' ')
			p++, k--;
		if (k == n && strncmp(p, id, n) == 0)
			return 1;
		p += k;
		if (*p == ',')
			p++;
	}
	return 0;
}

static void
test_every_id_documented(void **state)
{
	(void)state;
	read_faults();
	for (int id = 0; id < EP_F_COUNT; id++) {
		const char *name = ep_finding_name(id);
		int found = 0;

		for (int i = 0; i < nheads && !found; i++)
			if (lists(heads[i], name)) {
				char s[200];

				slug(heads[i], s, sizeof(s));
				if (strcmp(s, ep_finding_anchor(id)) != 0)
					fail_msg("%s: anchor %s, the heading's "
					    "is %s", name,
					    ep_finding_anchor(id), s);
				found = 1;
			}
		if (!found)
			fail_msg("%s has no section in docs/faults.md", name);
	}
}

static void
test_every_section_an_id(void **state)
{
	(void)state;
	read_faults();
	for (int i = 0; i < nheads; i++) {
		const char *p = heads[i];

		while (*p != '\0') {
			size_t k;
			int known = 0;

			while (*p == ' ')
				p++;
			k = strcspn(p, ",");
			if (!id_form(p, k))
				break;	/* prose: "Findings of the zone..." */
			for (int id = 0; id < EP_F_COUNT && !known; id++)
				known = strlen(ep_finding_name(id)) == k &&
				    strncmp(ep_finding_name(id), p, k) == 0;
			if (!known)
				fail_msg("docs/faults.md documents %.*s, which "
				    "no code has", (int)k, p);
			p += k;
			if (*p == ',')
				p++;
		}
	}
}

/* The catalogue's severities are the ones documented ids carry in the
 * summary table ("| [ID](#anchor) | error |"). */
static void
test_table_severities(void **state)
{
	char line[512];
	FILE *fp = fopen(EP_SOURCE_DIR "/docs/faults.md", "r");
	int rows = 0;

	(void)state;
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		char ids[160], sev[16];

		if (sscanf(line, "| [%159[^]]](#%*[^)]) | %15[a-z] |", ids,
		    sev) != 2)
			continue;
		rows++;
		for (char *tok = strtok(ids, " /"); tok != NULL;
		    tok = strtok(NULL, " /"))
			for (int id = 0; id < EP_F_COUNT; id++)
				if (strcmp(ep_finding_name(id), tok) == 0 &&
				    strcmp(ep_severity_str(
				    ep_finding_severity(id)), sev) != 0)
					fail_msg("%s: %s in docs/faults.md, %s "
					    "in the catalogue", tok, sev,
					    ep_severity_str(
					    ep_finding_severity(id)));
	}
	fclose(fp);
	assert_true(rows > 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_id_documented),
		cmocka_unit_test(test_every_section_an_id),
		cmocka_unit_test(test_table_severities),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
