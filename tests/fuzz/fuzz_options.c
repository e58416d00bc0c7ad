/* tests/fuzz/fuzz_options.c: fuzz entry for the command-line parser
 * (probe/cmd/options.c).  The input, split at NUL bytes, is argv after
 * "ednsprobe" (at most ARGS_FUZZ words: a few past the parser's own
 * bound, so that check is reached too). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"

#define ARGS_FUZZ	260

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char prog[] = "ednsprobe";
	char *argv[ARGS_FUZZ + 2], *buf;
	struct ep_options o;
	struct ep_err err = { 0, "" };
	int argc = 0;

	/* A copy with a NUL after the last word. */
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = prog;
	for (size_t i = 0; i < size && argc <= ARGS_FUZZ; ) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;
	if (ep_options_parse(argc, argv, &o, &err) == -1) {
		/* options.h: always EP_EUSAGE, and a message. */
		if (err.code != EP_EUSAGE || err.msg[0] == '\0' ||
		    memchr(err.msg, '\0', sizeof(err.msg)) == NULL)
			abort();
	} else if (o.cmd == EP_CMD_PATH && !o.help && !o.version &&
	    (o.qname_len == 0 || o.qname_len > EP_DNAME_MAX ||
	    o.nsizes < 1 || o.nsizes > EP_SIZES_MAX || o.tries < 1 ||
	    o.floor_ms > o.timeout_ms))
		abort();	/* accepted, but not what options.h promises */
	free(buf);
	return 0;
}
