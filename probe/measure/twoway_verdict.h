/* probe/measure/twoway_verdict.h: two-ended mode on the client's side: the
 * responder's hello and log read, and the findings of each direction. */
#ifndef EP_TWOWAY_VERDICT_H
#define EP_TWOWAY_VERDICT_H

#include <stddef.h>
#include <stdint.h>

#include "ednsprobe/result.h"

/* Two-ended facts of a target that is `ednsprobe respond` (sizes in DNS
 * message bytes; 0: not measured). */
struct ep_twoway {
	int		 responder;	/* its hello was answered */
	char		 token[20];	/* this run's log token */
	int		 log;		/* 1: its log was read; -1: asked,
					   not had; 0: not asked */
	int		 entries;	/* log entries read */
	uint32_t	 out_max;	/* largest query that reached it */
	uint32_t	 out_lost;	/* smallest query it never saw */
	uint32_t	 in_max;	/* largest answer that reached us */
	uint32_t	 in_lost;	/* smallest answer it sent, lost */
	enum ep_fact	 frag_out;	/* fragmented queries reach it */
	enum ep_fact	 frag_in;	/* its fragmented answers reach us */
	uint32_t	 mtu_in;	/* largest DF answer (IP bytes) here */
	uint32_t	 mtu_in_lost;	/* smallest DF answer sent, lost */
};

/* t's two-ended facts: NULL when it has none (not a responder). */
const struct ep_twoway *ep_tw_facts(const struct ep_target *t);
/* The same, made (zeroed) when t has none; NULL when out of memory. */
struct ep_twoway *ep_tw_facts_new(struct ep_target *t);

/* Non-zero when msg (a DNS answer of len bytes) is a responder's hello. */
int	ep_tw_is_hello(const uint8_t *msg, size_t len);

/* qname (wire form, any case) is a hello's: _ednsprobe.ZONE. */
int	ep_tw_hello_name(const uint8_t *qname, size_t qlen);

/* A name of the scheme seen in a capture (analyze): EP_ROLE_HELLO for
 * the hello, EP_ROLE_TWIN for a name whose leading labels are the
 * scheme's up to a t<TOKEN> one; -1 for any other name. */
int	ep_tw_name_role(const uint8_t *qname, size_t qlen);

/* Read the responder's log (the answer to the TWLOG probe) into the far
 * fields of t's two-ended probes, matched by DNS id.  0, or -1 (and
 * the facts' log -1) when msg is not a DNS answer. */
int	ep_tw_read_log(struct ep_target *t, const uint8_t *msg, size_t len);

/*
 * t->twoway's facts and the TWOWAY_* findings, from the probes' outcomes
 * and their far fields (after ep_verdict, which measures t->path.pmtu).
 * Nothing when t is not a responder.
 */
void	ep_tw_verdict(struct ep_target *t);

#endif
