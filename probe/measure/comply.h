/* probe/measure/comply.h: EDNS compliance tests: those of ISC's DNS compliance
 * tester (genreport, behind ednscomp.isc.org; names, queries and verdict
 * words as it has them) and DNS cookies (RFC 7873, RFC 9018).  The plan,
 * the follow-ups, the grading of each reply and the findings; run.c runs
 * the probes like any others. */
#ifndef EP_COMPLY_H
#define EP_COMPLY_H

#include <stddef.h>

#include "ednsprobe/err.h"
#include "ednsprobe/result.h"
#include "ednsprobe/options.h"

#define EP_COMPLY_MAX	40

/* Why a compliance test got no answer (probe/measure/comply.c). */
enum ep_cause {
	EP_CAUSE_NONE = 0,	/* it was answered, or not re-examined */
	EP_CAUSE_PATH,		/* UDP got nothing, TCP the same query did */
	EP_CAUSE_SERVER,	/* nothing over UDP or TCP, though TCP works */
	EP_CAUSE_UNKNOWN,	/* TCP fails too: cannot tell */
	EP_CAUSE_REPLIES,	/* UDP replies came, none an answer to it
				   (wrong id, question, opcode, QR) */
};

/* One EDNS compliance test of a target, graded (probe/measure/comply.c). */
struct ep_comply_result {
	const char	*test;		/* "edns1": ISC genreport's name */
	int		 genreport;	/* one of genreport's tests */
	int		 probe;		/* index in probes; -1: none (signed) */
	int		 recheck;	/* index of the TCP re-ask, -1: none */
	int		 ok;
	char		 words[96];	/* "noerror,badversion,soa" */
	char		 recheck_words[96];
	enum ep_cause	 cause;
};

/* The graded tests of a target: its result (ep_target_result). */
struct ep_comply_set {
	struct ep_comply_result	 r[EP_COMPLY_MAX];
	int			 n;
};

/* t's graded tests (none: an empty set, never NULL). */
const struct ep_comply_set *ep_comply_results(const struct ep_target *t);

/* The name of a cause (docs/json.md). */
const char *ep_cause_str(enum ep_cause);

/*
 * Append to t->probes the tests of `compliance` (o->full: genreport's -f
 * set too), each for the apex o->qname.  For the compliance command dns
 * and edns are the baselines (role EP_ROLE_BASE: the first reply sets the
 * timeout of the rest); the others, and all of them in `path
 * --compliance` (after path's own plan), role EP_ROLE_COMPLY.  Returns 0
 * or -1.
 */
int	ep_plan_comply(const struct ep_options *o, struct ep_target *t,
	    int *next_id, struct ep_err *err);

/*
 * Once every test of t is done (call once): the follow-ups, appended to
 * t->probes.
 * A UDP test that got no answer is asked again over TCP (role
 * EP_ROLE_RECHECK), if the server answered anything; a server cookie
 * from the cookie test is sent back, right and wrong.  Returns how many
 * were added (run.c starts them), 0 when none.
 */
int	ep_comply_next(struct ep_target *t, int *next_id);

/*
 * analyze: name the probes of t (rebuilt from a capture) that are
 * compliance tests by the shape of their queries (ctest, and role
 * EP_ROLE_RECHECK for a UDP test's shape over TCP).  Returns 1 when t
 * holds a compliance run (several tests, one of them beyond plain EDNS),
 * else 0 and t unchanged.
 */
int	ep_comply_identify(struct ep_target *t);

/*
 * Grade every test of t into t->comply, then its findings.  alone: t is a
 * compliance run only (its findings start afresh; NO_REPLY when nothing
 * answered); else a section of a path run, whose findings (ep_verdict,
 * first) it adds to.
 */
void	ep_comply_verdict(struct ep_target *t, int alone);

/* Whether every probe of t is a compliance test (no path probes). */
int	ep_comply_alone(const struct ep_target *t);

/*
 * The tester's line for t into buf:
 * "ZONE. @ADDR (SERVER.): dns=ok edns=ok ... ednstcp=ok".
 */
const char *ep_comply_line(const struct ep_target *t, const char *server,
	    char *buf, size_t len);

#endif
