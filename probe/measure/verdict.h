/* probe/measure/verdict.h: measured facts and findings from one target's probe
 * results. */
#ifndef EP_VERDICT_H
#define EP_VERDICT_H

#include "ednsprobe/result.h"

/*
 * Fill t->path and t->findings from t->probes (specs and results only,
 * so a test can feed it any results).  Every fact is measured or left
 * untested; every finding cites the probes that earn it.
 */
void	ep_verdict(struct ep_target *t);

/*
 * When no probe of t got a reply: NO_REPLY or UNREACHABLE (whether
 * anything could be sent), and 1.  Else 0 and nothing added.
 */
int	ep_verdict_silent(struct ep_target *t);

/* Findings across targets (IPv4 against IPv6 of one server), after
 * ep_verdict of each. */
void	ep_verdict_report(struct ep_report *r);

/* The worst severity of t's findings, or -1 when it has none. */
int	ep_verdict_worst(const struct ep_target *t);

/* Name of a path fact for the field it belongs to (docs/json.md). */
const char *ep_fact_str(const char *field, enum ep_fact f);

#endif
