/* capture/evidence.h: what happens to every captured frame, live or read
 * from a file: dissect, tie to a probe, write (with its comment). */
#ifndef EP_EVIDENCE_H
#define EP_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include "pcapw.h"
#include "wire.h"

struct ep_evidence {
	int		 link;		/* LINKTYPE_ of the frames */
	uint16_t	 dns_port;	/* the servers' DNS port; 0: 53 */
	uint32_t	 nframes;	/* frames seen: the last frame number */
	uint32_t	 undissected;	/* not IP, or unknown link type */
	uint32_t	 cut;		/* cut by the snap length */
	struct ep_wire	*wire;		/* not owned */
	struct ep_pcapw	*out;		/* not owned; NULL: no file */
	char		*error;		/* not owned, error_len bytes: why
					   the file stopped, when it did */
	size_t		 error_len;
	/* Keep only frames about a target (survey: the filter passes all
	 * DNS); the others are neither numbered nor written. */
	int		 only_ours;
	uint64_t	 ignored;	/* frames so left out */
};

/* An ep_sniff_cb: arg is a struct ep_evidence. */
void	ep_evidence_frame(void *arg, uint64_t ts_us, const uint8_t *data,
	    uint32_t caplen, uint32_t wirelen);

#endif
