/* probe/privs.c: give up every capability once set-up is done. */
#include <cap-ng.h>
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>

#include "privs.h"

int
ep_privs_drop(struct ep_err *err)
{
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
