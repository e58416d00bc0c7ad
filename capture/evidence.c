/* capture/evidence.c: one frame through the analysis path. */
#include <stdio.h>

#include "ednsprobe/frame.h"
#include "evidence.h"

#define COMMENT_MAX	256

void
ep_evidence_frame(void *arg, uint64_t ts_us, const uint8_t *data,
    uint32_t caplen, uint32_t wirelen)
{
	struct ep_evidence *ev = arg;
	char comment[COMMENT_MAX];
	struct ep_frame f;
	struct ep_err err;

	int ours = 0;

	comment[0] = '\0';
	/* The frame's number if kept: frames are numbered as written.  No
	 * file, no comment: making them was a third of analyze's time. */
	if (ep_frame_dissect_port(ev->link, data, caplen, wirelen,
	    ev->nframes + 1, ts_us, ev->dns_port ? ev->dns_port : 53,
	    &f) == 0)
		ours = ep_wire_frame(ev->wire, &f, ev->out != NULL ? comment :
		    NULL, sizeof(comment));
	else
		ev->undissected += !ev->only_ours;
	if (ev->only_ours && !ours) {
		ev->ignored++;
		return;
	}
	ev->nframes++;
	ev->cut += caplen < wirelen;
	if (ev->out == NULL)
		return;
	if (ep_pcapw_write(ev->out, ts_us, data, caplen, wirelen, comment,
	    &err) == -1) {
		/* The run goes on; the file stops here and says so. */
		snprintf(ev->error, ev->error_len, "%s", err.msg);
		ep_pcapw_close(ev->out, &err);
		ev->out = NULL;
	}
}
