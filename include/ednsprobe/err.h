/* include/ednsprobe/err.h: the error value every fallible call fills in. */
#ifndef EDNSPROBE_ERR_H
#define EDNSPROBE_ERR_H

#include <stdarg.h>
#include <stdio.h>

/*
 * A real failure (allocation, a socket call, a bad option), never a
 * measurement outcome: timeouts, resets and ICMP errors are results.
 * code is an errno value or one of the EP_E* codes below.
 */
struct ep_err {
	int	code;
	char	msg[160];
};

enum {
	EP_EUSAGE = 1000,	/* bad command line */
	EP_ERESOLVE,		/* server name did not resolve */
	EP_EINTERNAL,		/* a library call failed unexpectedly */
};

/* Fill err (if not NULL) with code and a printf-style message; returns -1. */
static inline int
ep_err_set(struct ep_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline int
ep_err_set(struct ep_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

#endif
