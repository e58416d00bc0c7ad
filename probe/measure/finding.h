/* probe/measure/finding.h: making findings (result.h struct ep_finding): the one
 * way the verdicts of path (verdict.c) and compliance (comply.c) report
 * what their evidence earns. */
#ifndef EP_FINDING_H
#define EP_FINDING_H

#include <stdarg.h>
#include <stdint.h>

#include "ednsprobe/result.h"

/*
 * A new finding id of t (its severity the catalogue's) with a printf
 * summary.  When t already holds EP_FINDINGS_MAX, a scratch finding that
 * is not kept (so callers never check).
 */
struct ep_finding *ep_finding_add(struct ep_target *t, enum ep_finding_id id,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Make f (any finding's storage: a target's, a zone's) finding id with
 * the summary fmt and ap; the one way every finding is made. */
void	ep_finding_vset(struct ep_finding *f, enum ep_finding_id id,
	    const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
/* What to do about it (printf). */
void	ep_finding_advise(struct ep_finding *f, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* A probe as evidence, and the capture frames tied to it. */
void	ep_finding_cite(struct ep_finding *f, const struct ep_probe_record *r);

/* t has a finding of id (one an earlier verdict stage made). */
int	ep_finding_has(const struct ep_target *t, enum ep_finding_id id);
/* A capture frame as evidence. */
void	ep_finding_cite_frame(struct ep_finding *f, uint32_t frame);

#endif
