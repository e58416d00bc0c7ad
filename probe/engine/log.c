/* probe/engine/log.c: levelled debug output to stderr. */
#include <stdarg.h>
#include <stdio.h>

#include "engine/log.h"

static int log_level;

void
ep_log_level(int level)
{
	log_level = level;
}

void
ep_verbose(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level)
		return;
	fputs("ednsprobe: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
