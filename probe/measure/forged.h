/* probe/measure/forged.h: how far away the sender of a packet was, from
 * the IP TTL (IPv6 hop limit) it arrived with: what forged.c judges
 * resets, ICMP errors and answers with, for unit tests to reach. */
#ifndef EP_FORGED_H
#define EP_FORGED_H

/*
 * The initial TTL a sender gave a packet that arrived with ttl (1..255):
 * the smallest of the usual defaults 64 (Linux, BSD, macOS), 128
 * (Windows) and 255 (network gear, Solaris) not below it; 0 when ttl is
 * out of range.
 */
int	ep_ttl_initial(int ttl);

/* The routers a packet that arrived with ttl crossed: ep_ttl_initial(ttl)
 * - ttl; its sender is that many plus one hops away.  -1 out of range. */
int	ep_ttl_crossed(int ttl);

#endif
