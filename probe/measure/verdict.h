/* probe/measure/verdict.h: what every verdict shares: the verdict of a
 * target through the measurement table, silence, findings across
 * targets, and the helpers the path's modules judge their probes with. */
#ifndef EP_VERDICT_H
#define EP_VERDICT_H

#include "ednsprobe/result.h"
#include "engine/measure.h"

/*
 * Fill t->path and t->findings from t->probes (specs and results only,
 * so a test can feed it any results): the verdict of every measurement
 * with probes in t (ep_measure_verdict over ep_measures_all()).  Every
 * fact is measured or left untested; every finding cites the probes
 * that earn it.
 */
void	ep_verdict(struct ep_target *t);

/*
 * When no probe of t got a reply: NO_REPLY or UNREACHABLE (whether
 * anything could be sent), and 1.  Else 0 and nothing added.
 */
int	ep_verdict_silent(struct ep_target *t);

/* analyze: what the capture could not show of t (queries cut by the snap
 * length): CAPTURE_INCOMPLETE, after the verdict. */
void	ep_verdict_capture_gaps(struct ep_target *t);

/* NO_REPLY or UNREACHABLE for t, citing the probes of v that ran. */
void	ep_verdict_no_reply(struct ep_target *t, const struct ep_view *v);

/* Findings across targets (IPv4 against IPv6 of one server), after
 * ep_verdict of each. */
void	ep_verdict_report(struct ep_report *r);

/* The worst severity of t's findings, or -1 when it has none. */
int	ep_verdict_worst(const struct ep_target *t);

/* Name of a path fact for the field it belongs to (docs/json.md). */
const char *ep_fact_str(const char *field, enum ep_fact f);

/* A view of every probe of t into v, its pointers in store (room for
 * EP_PROBES_MAX). */
void	ep_view_all(struct ep_view *v, struct ep_probe_record **store,
	    struct ep_target *t);

/* The outcome of r: sent (not skipped, pending or interrupted); nothing
 * before its deadline.  (An answer, TC or not: the engine's ep_replied.) */
int	ep_ran(const struct ep_probe_record *r);
int	ep_timed_out(const struct ep_probe_record *r);

/* r's reply was read whole, so what it lacks (an OPT record, a cookie) it
 * lacks: not a capture's reply cut by the snap length or seen only as its
 * first fragment, whose header alone is known. */
int	ep_reply_whole(const struct ep_probe_record *r);

/*
 * Where a kind of packet dies (docs/json.md "drop_hop"): one entry per
 * kind and direction (a second one for the same kind replaces nothing:
 * NULL).  addr: the last hop that returned it, NULL or "" when none did.
 * NULL too when the list is full.
 */
struct ep_drop *ep_drop_add(struct ep_target *t, const char *what,
	    enum ep_drop_dir dir, int ttl, const char *addr, int silent);

/* Cite in f every probe of v over transport and of subject (-1: any)
 * for which pred (NULL: any) holds. */
void	ep_cite_all(struct ep_finding *f, const struct ep_view *v,
	    int transport, int subject,
	    int (*pred)(const struct ep_probe_record *));

#endif
