/* probe/measure/twoway_verdict.h: two-ended mode on the client's side: the
 * responder's hello and log read, and the findings of each direction. */
#ifndef EP_TWOWAY_VERDICT_H
#define EP_TWOWAY_VERDICT_H

#include <stddef.h>
#include <stdint.h>

#include "ednsprobe/result.h"

/* Non-zero when msg (a DNS answer of len bytes) is a responder's hello. */
int	ep_tw_is_hello(const uint8_t *msg, size_t len);

/* A name of the scheme seen in a capture (analyze): EP_ROLE_HELLO for
 * the hello, EP_ROLE_TWIN for a name whose leading labels are the
 * scheme's up to a t<TOKEN> one; -1 for any other name. */
int	ep_tw_name_role(const uint8_t *qname, size_t qlen);

/* Read the responder's log (the answer to the TWLOG probe) into the far
 * fields of t's two-ended probes, matched by DNS id.  0, or -1 (and
 * t->twoway.log -1) when msg is not a DNS answer. */
int	ep_tw_read_log(struct ep_target *t, const uint8_t *msg, size_t len);

/*
 * t->twoway's facts and the TWOWAY_* findings, from the probes' outcomes
 * and their far fields (after ep_verdict, which measures t->path.pmtu).
 * Nothing when t is not a responder.
 */
void	ep_tw_verdict(struct ep_target *t);

#endif
