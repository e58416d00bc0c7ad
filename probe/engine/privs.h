/* probe/engine/privs.h: the privilege model (the tcpdump one): open the capture,
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
 * Who a process run as root becomes at the drop: user (a name or a uid:
 * --user) and the output files are handed to it; else the sudo user
 * (SUDO_UID/SUDO_GID) and the files are handed to it; else "nobody" (the
 * files stay root's).  "root" or 0 keeps uid 0, without any capability.
 * Not root: nothing to choose.  Looks the user up now (call it before
 * set-up); 0, or -1 with err (EP_EUSAGE: no such user).
 */
int	ep_privs_choose_user(const char *user, struct ep_err *err);

/*
 * Give up every privilege: when run as root, first hand the registered
 * files over and become the user chosen above (groups, gid, uid);
 * then drop every capability: effective, permitted, inheritable and (when
 * allowed) the bounding set, and forbid gaining new ones (no_new_privs).
 * The descriptors opened before keep working.  Idempotent.  0, or -1 with
 * err.
 */
int	ep_privs_drop(struct ep_err *err);

#endif
