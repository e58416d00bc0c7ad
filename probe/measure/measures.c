/* probe/measure/measures.c: the table of measurements: one entry each, in
 * the order their probes are numbered and their verdicts run. */
#include <string.h>

#include "measure/measures.h"
#include "measure/verdict.h"

extern const struct ep_measure ep_measure_sizes, ep_measure_ednsopt,
    ep_measure_twoway, ep_measure_fragout, ep_measure_pmtu, ep_measure_hops,
    ep_measure_exthdr, ep_measure_comply;
extern const struct ep_measure ep_measure_forged;

/* Every module; a new measurement is one file and one line here. */
static const struct ep_measure_set all = { {
	&ep_measure_sizes,	/* baselines, the EDNS ladder, TCP */
	&ep_measure_ednsopt,	/* queries with an EDNS option */
	&ep_measure_twoway,	/* toward `ednsprobe respond` */
	&ep_measure_fragout,	/* fragmented queries (raw) */
	&ep_measure_pmtu,	/* the path MTU (raw, DF) */
	&ep_measure_hops,	/* where packets die, hop by hop (raw) */
	&ep_measure_exthdr,	/* IPv6 extension headers (raw) */
	&ep_measure_comply,	/* EDNS compliance tests */
	&ep_measure_forged,	/* resets, ICMP, answers made on the way */
}, 9 };

const struct ep_measure_set *
ep_measures_all(void)
{
	return &all;
}

void
ep_measures_for(const struct ep_options *o, struct ep_measure_set *set)
{
	set->n = 0;
	for (int i = 0; i < all.n; i++) {
		const struct ep_measure *m = all.m[i];
		int comply = m == &ep_measure_comply;

		if (o->cmd == EP_CMD_COMPLY ? comply : !comply ||
		    o->compliance)
			set->m[set->n++] = m;
	}
}

int
ep_measures_named(const char *names, struct ep_measure_set *set)
{
	const char *p = names;

	set->n = 0;
	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		int k;

		for (k = 0; k < all.n; k++)
			if (strlen(all.m[k]->name) == len &&
			    strncmp(all.m[k]->name, p, len) == 0)
				break;
		if (k == all.n || set->n == EP_MEASURES_MAX)
			return -1;
		set->m[set->n++] = all.m[k];
		p += len + (p[len] == ',');
	}
	return 0;
}

void
ep_verdict(struct ep_target *t)
{
	ep_measure_verdict(&all, t);
}
