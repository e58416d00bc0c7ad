/* probe/privs.h: the privilege model (the tcpdump one): open the capture,
 * the raw sockets and every output file while the privileges are there,
 * then give them all up before the first probe or the first frame read. */
#ifndef EP_PRIVS_H
#define EP_PRIVS_H

#include "ednsprobe/err.h"

/*
 * An output file created while privileged: at the drop it is handed to the
 * user who ran ednsprobe through sudo (SUDO_UID/SUDO_GID), so a capture
 * made with sudo is the user's file, not root's.  At most a few; the fd
 * must stay open until the drop.
 */
void	ep_privs_hand_over(int fd);

/*
 * Give up every privilege: when run as root through sudo, first hand the
 * registered files over and become the invoking user (groups, gid, uid);
 * then drop every capability: effective, permitted, inheritable and (when
 * allowed) the bounding set, and forbid gaining new ones (no_new_privs).
 * The descriptors opened before keep working.  Idempotent.  0, or -1 with
 * err.
 */
int	ep_privs_drop(struct ep_err *err);

#endif
