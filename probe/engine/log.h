/* probe/engine/log.h: levelled debug output, the one place that writes it. */
#ifndef EP_LOG_H
#define EP_LOG_H

enum ep_verb {
	EP_VERB_OPS = 1,	/* what the run does: targets, phases */
	EP_VERB_PROBE,		/* each probe sent and finished */
	EP_VERB_PACKET,		/* each datagram and segment */
};

/* Set the level; 0 (default) prints nothing. */
void	ep_log_level(int level);
/* Print to stderr when level <= the set level; adds a newline. */
void	ep_verbose(int level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
