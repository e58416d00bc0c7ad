/* tests/fuzz/fuzz_survey.c: fuzz entry for the survey's readers
 * (probe/cmd/survey.c): every line of the input through the target-list line
 * parser and through the --resume reader of the survey's own output. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/survey.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *line, *save = NULL, why[256];
	struct ep_survey_line l;
	uint64_t key;

	/* A copy with a NUL after the last line. */
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		int rc;

		why[0] = '\0';
		rc = ep_survey_parse_line(line, &l, why, sizeof(why));
		/* survey.h: 1 a target of family 4 or 6 with a name in
		 * bounds; -1 says why; 0 nothing. */
		if (rc == 1 && ((l.family != 4 && l.family != 6) ||
		    l.qname_len > EP_DNAME_MAX || l.addr_str[0] == '\0' ||
		    ep_survey_key(&l) != ep_survey_key(&l)))
			abort();
		if (rc == -1 && (why[0] == '\0' ||
		    memchr(why, '\0', sizeof(why)) == NULL))
			abort();
		if (rc < -1 || rc > 1)
			abort();
		rc = ep_survey_resume_key(line, &key);
		if (rc != 0 && rc != 1)
			abort();
	}
	free(buf);
	return 0;
}
