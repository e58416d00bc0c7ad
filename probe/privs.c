/* probe/privs.c: give up every privilege once set-up is done. */
#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "privs.h"

#define HAND_OVER_MAX	4

static int hand_over[HAND_OVER_MAX];
static int nhand_over;

void
ep_privs_hand_over(int fd)
{
	if (fd >= 0 && nhand_over < HAND_OVER_MAX)
		hand_over[nhand_over++] = fd;
}

/* A positive id from the environment (sudo's SUDO_UID/SUDO_GID), or 0. */
static unsigned long
env_id(const char *name)
{
	const char *s = getenv(name);
	unsigned long v;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > INT_MAX)
		return 0;
	return v;
}

/* Root through sudo: hand the files over, become the invoking user.  The
 * kernel clears the capability sets when every uid leaves 0. */
static int
become_invoker(struct ep_err *err)
{
	unsigned long uid = env_id("SUDO_UID"), gid = env_id("SUDO_GID");

	if (getuid() != 0 || uid == 0 || gid == 0)
		return 0;
	for (int i = 0; i < nhand_over; i++)
		if (fchown(hand_over[i], (uid_t)uid, (gid_t)gid) == -1)
			return ep_err_set(err, errno, "cannot hand an output "
			    "file to uid %lu: %s", uid, strerror(errno));
	nhand_over = 0;
	/* The bounding set first: that needs CAP_SETPCAP, gone after. */
	capng_clear(CAPNG_SELECT_BOUNDS);
	(void)capng_apply(CAPNG_SELECT_BOUNDS);
	if (setgroups(0, NULL) == -1 ||
	    setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) == -1 ||
	    setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) == -1)
		return ep_err_set(err, errno, "cannot become uid %lu: %s",
		    uid, strerror(errno));
	return 0;
}

int
ep_privs_drop(struct ep_err *err)
{
	if (become_invoker(err) == -1)
		return -1;
	capng_clear(CAPNG_SELECT_BOTH);
	/* The bounding set needs CAP_SETPCAP (root has it; a binary with
	 * file capabilities may not): then the sets alone. */
	if (capng_apply(CAPNG_SELECT_BOTH) != 0) {
		capng_clear(CAPNG_SELECT_CAPS);
		if (capng_apply(CAPNG_SELECT_CAPS) != 0)
			return ep_err_set(err, EPERM, "cannot drop "
			    "capabilities");
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return ep_err_set(err, errno, "no_new_privs: %s",
		    strerror(errno));
	return 0;
}
