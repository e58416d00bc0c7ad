/* probe/cmd/resolver.h: the resolver command: NAME through each resolver and
 * directly from NAME's authoritative servers, in one run; where a failure
 * lies. */
#ifndef EP_RESOLVER_H
#define EP_RESOLVER_H

#include "ednsprobe/err.h"
#include "ednsprobe/result.h"
#include "ednsprobe/options.h"

#define EP_RESOLVERS_MAX	8	/* resolver addresses probed */
#define EP_RESOLVER_AUTH_MAX	8	/* authoritative addresses compared */

/* ep_target.role of the command's targets (compared by address). */
extern const char EP_ROLE_RESOLVER[];
extern const char EP_ROLE_AUTH[];

/*
 * Run the resolver command: the resolvers of @SERVER (or of o->resolv_conf,
 * default /etc/resolv.conf), NAME's authoritative servers found through
 * the first of them, every one probed at once.  r gets one target per
 * address (role set), the capture and the verdicts.  0, or -1 with err.
 */
int	ep_resolver_run(const struct ep_options *o, struct ep_report *r,
	    struct ep_err *err);

/*
 * The resolver findings of each resolver target of r, from its probes
 * and those of the authoritative targets (after ep_verdict of each);
 * no_comparison: why no authoritative server could be asked, or NULL.
 */
void	ep_resolver_verdict(struct ep_report *r, const char *no_comparison);

#endif
