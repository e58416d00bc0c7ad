/* probe/engine/hostport.c: dig's address and port notations, split. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/hostport.h"

/* The port word p: 1..65535 in decimal digits only, else 0. */
static uint16_t
port_of(const char *p)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*p))
		return 0;
	errno = 0;
	v = strtol(p, &end, 10);
	return *end != '\0' || errno != 0 || v < 1 || v > 65535 ? 0 :
	    (uint16_t)v;
}

enum ep_hostport_error
ep_hostport_split(const char *s, int v4_colon, char *host, size_t hostlen,
    uint16_t *port, int *bracketed, const char **portword)
{
	const char *end, *p = NULL, *colon = strchr(s, ':');
	size_t n;

	*port = 0;
	*portword = NULL;
	*bracketed = s[0] == '[';
	if (*bracketed) {
		if ((end = strchr(s, ']')) == NULL)
			return EP_HOSTPORT_NO_CLOSE;
		if (end[1] != '\0' && end[1] != ':' && end[1] != '#')
			return EP_HOSTPORT_AFTER_CLOSE;
		p = end[1] != '\0' ? end + 2 : NULL;
		s++;
	} else if ((end = strrchr(s, '#')) != NULL)
		p = end + 1;
	else if (v4_colon && colon != NULL && strchr(colon + 1, ':') == NULL)
		p = (end = colon) + 1;
	else
		end = s + strlen(s);
	n = (size_t)(end - s);
	if (n == 0)
		return EP_HOSTPORT_EMPTY;
	if (n >= hostlen)
		return EP_HOSTPORT_LONG;
	memcpy(host, s, n);
	host[n] = '\0';
	if (p != NULL) {
		*portword = p;
		if ((*port = port_of(p)) == 0)
			return EP_HOSTPORT_PORT;
	}
	return EP_HOSTPORT_OK;
}
