/* probe/privs.h: the privilege model (the tcpdump one): open the capture
 * and the raw sockets while the capabilities are there, then give up
 * every capability before the first probe. */
#ifndef EP_PRIVS_H
#define EP_PRIVS_H

#include "ednsprobe/err.h"

/*
 * Drop every capability: effective, permitted, inheritable and (when
 * allowed) the bounding set, and forbid gaining new ones (no_new_privs).
 * The descriptors opened before keep working.  0, or -1 with err.
 */
int	ep_privs_drop(struct ep_err *err);

#endif
