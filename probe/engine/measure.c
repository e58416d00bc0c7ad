/* probe/engine/measure.c: running a set of measurement modules over a
 * target without the loop: ownership, the plan, the verdict. */
#include <string.h>

#include "engine/measure.h"

const struct ep_measure *
ep_measure_owner(const struct ep_measure_set *set,
    const struct ep_probe_spec *s)
{
	for (int i = 0; i < set->n; i++)
		if (set->m[i]->owns != NULL && set->m[i]->owns(s))
			return set->m[i];
	return NULL;
}

int
ep_measure_plan(const struct ep_measure_set *set, const struct ep_options *o,
    struct ep_target *t, int *next_id, struct ep_err *err)
{
	struct ep_mrun m = { .o = o, .t = t, .next_id = next_id };

	for (int stage = EP_PLAN_BASELINE; stage <= EP_PLAN_MAIN; stage++)
		for (int i = 0; i < set->n; i++)
			if (set->m[i]->plan != NULL &&
			    set->m[i]->plan(&m, stage, err) == -1)
				return -1;
	return 0;
}

int
ep_replied(const struct ep_probe_record *r)
{
	return r->res.outcome == EP_OUT_ANSWER ||
	    r->res.outcome == EP_OUT_TRUNCATED;
}

void
ep_measure_verdict(const struct ep_measure_set *set, struct ep_target *t)
{
	struct ep_probe_record *path[EP_PROBES_MAX], *all[EP_PROBES_MAX];
	struct ep_view pv = { path, 0, 0 }, av = { all, 0, 0 };
	int has[EP_MEASURES_MAX] = { 0 };

	for (int i = 0; i < t->nprobes; i++) {
		struct ep_probe_record *r = &t->probes[i];
		int k;

		all[av.n++] = r;
		av.replied |= ep_replied(r);
		for (k = 0; k < set->n; k++)
			if (set->m[k]->owns != NULL && set->m[k]->owns(&r->spec))
				break;
		if (k == set->n)
			continue;
		has[k] = 1;
		if (set->m[k]->path) {
			path[pv.n++] = r;
			pv.replied |= ep_replied(r);
		}
	}
	t->nfindings = 0;
	for (int stage = EP_JUDGE_FIRST; stage <= EP_JUDGE_LAST; stage++)
		for (int k = 0; k < set->n; k++) {
			const struct ep_measure *m = set->m[k];

			if (m->verdict == NULL || (m->path ? pv.n == 0 :
			    !has[k]))
				continue;
			m->verdict(t, m->path ? &pv : &av, stage);
		}
}
