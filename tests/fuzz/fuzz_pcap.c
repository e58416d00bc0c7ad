/* tests/fuzz/fuzz_pcap.c: fuzz entry for the capture-file reader
 * (capture/sniff.c over libpcap) and the whole offline analysis, as
 * `ednsprobe analyze FILE` runs it (probe/cmd/analyze.c ep_analyze, the
 * verdicts, then the text and JSON reports, written to /dev/null).  The
 * input is the file; it goes into a memfd, which ep_analyze opens by
 * its /proc path.  Every buffer of the analysis is bounded (targets,
 * probes, connections, fragment table), so no input allocates without
 * limit. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cmd/analyze.h"
#include "output/output.h"
#include "engine/privs.h"
#include "engine/run.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;
static FILE *devnull;
static char path[64];

static void
setup(void)
{
	struct ep_err err = { 0, "" };

	/* ep_analyze gives up every privilege; run as root, stay uid 0
	 * (without any capability) rather than become nobody, so the
	 * fuzzer can still write its corpus and crash files. */
	if (ep_privs_choose_user("0", &err) == -1 ||
	    (memfd = memfd_create("fuzz_pcap", MFD_CLOEXEC)) == -1 ||
	    (devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ep_report r;
	struct ep_err err = { 0, "" };

	if (memfd == -1)
		setup();
	if (ftruncate(memfd, 0) == -1 ||
	    pwrite(memfd, data, size, 0) != (ssize_t)size)
		abort();
	memset(&r, 0, sizeof(r));
	if (ep_analyze(path, 53, &r, &err) == 0) {
		if (r.ntargets < 0 || r.ntargets > 64)
			abort();
		ep_out_text(devnull, &r, 2);
		if (ep_out_json(devnull, &r, &err) == -1)
			abort();	/* only out of memory: never here */
	} else if (err.msg[0] == '\0')
		abort();		/* a failure says why */
	ep_report_fini(&r);
	return 0;
}
