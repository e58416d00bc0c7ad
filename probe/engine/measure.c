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
