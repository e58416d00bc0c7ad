/* probe/cmd/options.h: the command line, parsed and checked before anything
 * runs. */
#ifndef EP_OPTIONS_H
#define EP_OPTIONS_H

#include "ednsprobe/err.h"
#include "ednsprobe/options.h"

/*
 * Parse argv (dig's @server and +option words, getopt_long options and
 * positional NAME [TYPE]) into o.  Returns 0, or -1 with err->code
 * EP_EUSAGE and a message naming the option and the value.
 */
int	ep_options_parse(int argc, char **argv, struct ep_options *o,
	    struct ep_err *err);

/* zone, resolver: the run's packet-rate cap when it talks to `servers`
 * servers, o->rate each (per-server --rate), at most EP_RATE_MAX. */
unsigned ep_options_rate(const struct ep_options *o, int servers);

/* The usage text. */
const char *ep_options_usage(void);

#endif
