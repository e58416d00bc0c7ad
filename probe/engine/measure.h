/* probe/engine/measure.h: what a measurement gives the engine: one module,
 * one callback table (scamper's task ops), run by run.c live and by
 * analyze offline through the same table. */
#ifndef EP_MEASURE_H
#define EP_MEASURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ednsprobe/err.h"
#include "ednsprobe/options.h"
#include "ednsprobe/result.h"

struct json_t;

/*
 * A measurement of one target while the run probes it: what a module's
 * callbacks see.  The engine owns it; state is the module's own
 * (state_size bytes, zeroed when the target begins).
 */
struct ep_mrun {
	const struct ep_options	*o;		/* the target's options */
	struct ep_target	*t;		/* the target, in the report */
	int			*next_id;	/* probe ids (plan.h) */
	void			*state;		/* the module's, or NULL */
	void			*engine;	/* the run's, opaque */
};

/* When a module's probes are numbered: BASELINE first (the baselines
 * and their variants), then MAIN, each in the table's order. */
enum ep_plan_stage {
	EP_PLAN_BASELINE,
	EP_PLAN_MAIN,
};

/*
 * When a module's verdict runs, each stage over the table in order:
 * FIRST makes the facts others read (edns, tcp, sizes); MAIN what reads
 * them; LAST what reads every other measurement's facts (the capture's
 * notes, two-ended, compliance).
 */
enum ep_judge_stage {
	EP_JUDGE_FIRST,
	EP_JUDGE_MAIN,
	EP_JUDGE_LAST,
};

/* The probes a verdict judges: a view into t->probes, no copy. */
struct ep_view {
	struct ep_probe_record	*const *p;
	int			 n;
	int			 replied;	/* one of them got a reply */
};

/* Where a module's section of a target goes in the JSON report and in
 * the text report (output/). */
enum ep_json_at {
	EP_JSON_AFTER_PATH = 1,	/* after "path" */
	EP_JSON_AFTER_FINDINGS,	/* after "findings" */
};
enum ep_text_at {
	EP_TEXT_BEFORE_PROBES = 1,	/* after the target's head */
	EP_TEXT_AFTER_PROBES,		/* after the probe table (not in
					   the zone command's brief one) */
};

/*
 * A measurement.  Every callback is optional.  A callback that appends
 * probes (ep_plan_new_probe) needs nothing more: the engine starts what
 * was appended at once, with the target's timeout.
 */
struct ep_measure {
	const char	*name;		/* "sizes", "pmtu"... */
	/* Judged with the path's probes: its verdict sees every probe of
	 * the path modules (it may read theirs); else every probe. */
	int		 path;
	/* Each probe waits its whole timeout (its loss is the finding):
	 * answers to others do not shorten it. */
	int		 own_wait;
	/* analyze: the probes no other module identifies are its. */
	int		 catch_all;
	size_t		 state_size;
	/* The probe is this module's (by its role and shape). */
	int	(*owns)(const struct ep_probe_spec *s);
	/* Append this module's probes of stage to m->t.  Probes with
	 * spec.first start at once; the rest once a baseline replied (the
	 * RTT then known).  0, or -1 with err. */
	int	(*plan)(struct ep_mrun *m, enum ep_plan_stage stage,
		    struct ep_err *err);
	/* Phase 2 begins: probes not started yet may still change. */
	void	(*phase2)(struct ep_mrun *m);
	/* One of its probes is over; kept: the answer's bytes when its spec
	 * asked to keep them (the engine frees them after). */
	void	(*done)(struct ep_mrun *m, const struct ep_probe_record *r,
		    const uint8_t *kept, size_t kept_len);
	/* Some probe of the target is over (after the engine's own
	 * bookkeeping): a module may plan more, or end probes it no
	 * longer needs (ep_mrun_end). */
	void	(*next)(struct ep_mrun *m, const struct ep_probe_record *r);
	/* No probe of the target is out: follow-ups, if any. */
	void	(*quiet)(struct ep_mrun *m);
	/* analyze: a probe rebuilt from a capture is this module's: set its
	 * role and subject and return 1; else 0, s unchanged.  t is its
	 * target (every probe rebuilt, none identified yet), for a module
	 * whose probes are told by another's answer (the two-ended ones:
	 * only below a zone whose hello a responder answered). */
	int	(*identify)(const struct ep_target *t,
		    struct ep_probe_spec *s);
	/* analyze, after every probe was identified: the module may claim
	 * probes by the shape of the whole exchange (1: it did). */
	int	(*identify_target)(struct ep_target *t);
	/* Facts and findings of stage from the view's probes. */
	void	(*verdict)(struct ep_target *t, const struct ep_view *v,
		    enum ep_judge_stage stage);
	/* Its section of a target in the JSON report (a new value under
	 * json_key: json null when it has nothing), at json_at; and in the
	 * text report (nothing when it has nothing), at text_at.  server:
	 * @SERVER as given. */
	const char	*json_key;
	enum ep_json_at	 json_at;
	struct json_t	*(*json)(const struct ep_target *t, const char *server);
	enum ep_text_at	 text_at;
	void	(*text)(FILE *fp, const struct ep_target *t,
		    const char *server);
	/* Its section of the ticket report (Markdown, before the findings),
	 * nothing when it has nothing. */
	void	(*report)(FILE *fp, const struct ep_target *t);
};

#define EP_MEASURES_MAX	16

/* The measurements of a run, in the table's order. */
struct ep_measure_set {
	const struct ep_measure	*m[EP_MEASURES_MAX];
	int			 n;
};

/* The module that owns s in set, or NULL. */
const struct ep_measure *ep_measure_owner(const struct ep_measure_set *set,
	    const struct ep_probe_spec *s);

/*
 * Plan t's probes: every module of set, stage by stage.  Without a run
 * (unit tests, analyze) m's engine is NULL.  0, or -1 with err.
 */
int	ep_measure_plan(const struct ep_measure_set *set,
	    const struct ep_options *o, struct ep_target *t, int *next_id,
	    struct ep_err *err);

/*
 * t's facts and findings: every module of set with probes in t, stage
 * by stage, each over its view (the path modules' probes, or all).
 */
void	ep_measure_verdict(const struct ep_measure_set *set,
	    struct ep_target *t);

/* r got a reply that is an answer, TC or not (a view's "replied"). */
int	ep_replied(const struct ep_probe_record *r);

/* Engine services for a module's callbacks (probe index i of m->t). */
int	ep_mrun_phase(const struct ep_mrun *m);	/* 1 or 2; 2 offline */
int	ep_mrun_halted(const struct ep_mrun *m);	/* no new work */
int	ep_mrun_started(const struct ep_mrun *m, int i);
int	ep_mrun_over(const struct ep_mrun *m, int i);	/* started, ended */
/* End probe i now (it is running) with outcome: not needed any more. */
void	ep_mrun_end(struct ep_mrun *m, int i, enum ep_outcome outcome);

#endif
