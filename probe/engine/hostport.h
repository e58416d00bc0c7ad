/* probe/engine/hostport.h: an address and a port as users write them on
 * the command line: dig's ADDR#PORT and [IPv6]:PORT (docs/ednsprobe.1),
 * for @SERVER and respond --listen alike. */
#ifndef EP_HOSTPORT_H
#define EP_HOSTPORT_H

#include <stddef.h>
#include <stdint.h>

enum ep_hostport_error {
	EP_HOSTPORT_OK,
	EP_HOSTPORT_NO_CLOSE,	/* "[" without "]" */
	EP_HOSTPORT_AFTER_CLOSE,	/* "]" followed by other than :PORT, #PORT */
	EP_HOSTPORT_EMPTY,	/* no address before the port */
	EP_HOSTPORT_LONG,	/* the address does not fit host */
	EP_HOSTPORT_PORT,	/* the port is not 1..65535 (*portword) */
};

/*
 * Split s: "[V6]", "[V6]:PORT", "[V6]#PORT", "ADDR#PORT" (the last '#':
 * either family, or a name), with v4_colon also IPv4's "ADDR:PORT" (one
 * colon only); any other word is the address whole.  host gets the
 * address or name (hostlen bytes), *port the port given (0: none),
 * *bracketed whether the address was in brackets, *portword the port's
 * text as given (NULL: none), for the caller's messages, which it makes
 * from the error returned.
 */
enum ep_hostport_error ep_hostport_split(const char *s, int v4_colon,
	    char *host, size_t hostlen, uint16_t *port, int *bracketed,
	    const char **portword);

#endif
