/* probe/engine/privs.c: give up every privilege once set-up is done. */
#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "engine/privs.h"

#define HAND_OVER_MAX	4

static int hand_over[HAND_OVER_MAX];
static int nhand_over;

void
ep_privs_hand_over(int fd)
{
	if (fd >= 0 && nhand_over < HAND_OVER_MAX)
		hand_over[nhand_over++] = fd;
}

/* Who the process becomes at the drop when it runs as root. */
static struct {
	int	 chosen;	/* ep_privs_choose_user() ran */
	uid_t	 uid;		/* 0: stay root (without any capability) */
	gid_t	 gid;
	int	 hand_files;	/* give the output files to uid */
} become;

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

int
ep_privs_choose_user(const char *user, struct ep_err *err)
{
	unsigned long uid = env_id("SUDO_UID"), gid = env_id("SUDO_GID");
	const struct passwd *pw;

	memset(&become, 0, sizeof(become));
	become.chosen = 1;
	if (getuid() != 0)
		return 0;	/* not root: capabilities are all we hold */
	if (user != NULL && *user != '\0') {
		char *end;
		unsigned long n;

		errno = 0;
		n = strtoul(user, &end, 10);
		if (*user >= '0' && *user <= '9' && *end == '\0' &&
		    errno == 0 && n <= INT_MAX)
			pw = getpwuid((uid_t)n);
		else
			pw = getpwnam(user);
		if (pw == NULL)
			return ep_err_set(err, EP_EUSAGE, "--user: no user "
			    "\"%s\"", user);
		become.uid = pw->pw_uid;
		become.gid = pw->pw_gid;
		become.hand_files = 1;
	} else if (uid != 0 && gid != 0) {
		/* Through sudo: the user who typed the command. */
		become.uid = (uid_t)uid;
		become.gid = (gid_t)gid;
		become.hand_files = 1;
	} else if ((pw = getpwnam("nobody")) != NULL) {
		become.uid = pw->pw_uid;
		become.gid = pw->pw_gid;
	} else {
		become.uid = 65534;
		become.gid = 65534;
	}
	return 0;
}

/* Root: hand the files over, become the chosen user.  The kernel clears
 * the capability sets when every uid leaves 0. */
static int
become_user(struct ep_err *err)
{
	if (!become.chosen && ep_privs_choose_user(NULL, err) == -1)
		return -1;
	if (getuid() != 0 || become.uid == 0)
		return 0;
	for (int i = 0; become.hand_files && i < nhand_over; i++)
		if (fchown(hand_over[i], become.uid, become.gid) == -1)
			return ep_err_set(err, errno, "cannot hand an output "
			    "file to uid %lu: %s", (unsigned long)become.uid,
			    strerror(errno));
	nhand_over = 0;
	/* The bounding set first: that needs CAP_SETPCAP, gone after. */
	capng_clear(CAPNG_SELECT_BOUNDS);
	(void)capng_apply(CAPNG_SELECT_BOUNDS);
	if (setgroups(0, NULL) == -1 ||
	    setresgid(become.gid, become.gid, become.gid) == -1 ||
	    setresuid(become.uid, become.uid, become.uid) == -1)
		return ep_err_set(err, errno, "cannot become uid %lu: %s",
		    (unsigned long)become.uid, strerror(errno));
	return 0;
}

int
ep_privs_drop(struct ep_err *err)
{
	if (become_user(err) == -1)
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
