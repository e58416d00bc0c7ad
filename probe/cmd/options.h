/* probe/cmd/options.h: the command line, parsed and checked before anything
 * runs: the common parser, and how each command declares its options. */
#ifndef EP_OPTIONS_H
#define EP_OPTIONS_H

#include <stdio.h>

#include "ednsprobe/err.h"
#include "ednsprobe/options.h"

/*
 * Concepts:
 * - an option (struct ep_optdef): its long name and letter, whether it
 *   takes a value, an id for its group's setter, its lines in the help;
 * - a group (struct ep_optgroup): options that belong together, their
 *   defaults and the one function that stores them into struct
 *   ep_options.  Shared groups live in options.c (queries, output,
 *   capture, process), the path probes' in path_opts.c, each command's
 *   own next to it (survey_opts.c ...);
 * - a command (struct ep_cmd, one <command>_opts.c each): its name, usage
 *   line and help, the groups its help shows, the groups whose options
 *   it refuses, and the check of its arguments once every option is
 *   read.  options.c lists the commands.
 * The common parser reads dig's @SERVER and +words, then every group's
 * options (getopt_long) on any command line, as ednsprobe always has:
 * whether a command takes an option is said by its refusals and its
 * check, in the order of the messages the user sees.
 */

/* One option of the command line. */
struct ep_optdef {
	const char	*name;		/* long name without "--", or NULL */
	int		 letter;	/* short option, or 0 */
	int		 arg;		/* no_argument or required_argument */
	int		 id;		/* passed to the group's set() */
	const char	*help;		/* help lines, each "  -x ...\n"; "":
					   said by the entry before */
};
/*
 * An entry with neither name nor letter is a help line only: a dig word
 * (+bufsize) the common parser reads, or an option another group parses
 * and this group's command explains its own way.  A group's table ends
 * with an entry of neither name, letter nor help.
 */

/* Options that belong together. */
struct ep_optgroup {
	const char		*title;	/* heading in the help */
	enum ep_command		 owner;	/* the command they are for;
					   EP_CMD_NONE: shared */
	const struct ep_optdef	*opts;
	/* Defaults of the fields the group sets (o is zeroed before). */
	void	(*init)(struct ep_options *o);
	/* Store option id with value arg (NULL when it takes none) into o;
	 * 0, or -1 with err (EP_EUSAGE, the option and the value named). */
	int	(*set)(int id, const char *arg, struct ep_options *o,
		    struct ep_err *err);
	/* Optional: non-zero when an option of the group was given (its
	 * field differs from the default), for a command that refuses the
	 * group (struct ep_cmd.refuses). */
	int	(*given)(const struct ep_options *o);
	/* Its options are refused as soon as they are read on another
	 * command's line (they share fields: --zone is the NAME). */
	int	 at_once;
};

/* A command's own help line for an option of a group it shows; help NULL
 * hides the option from the command's help. */
struct ep_optnote {
	const char	*name;		/* the option's long name */
	const char	*help;
};

/* --rate's help where it caps each server address (zone, resolver). */
extern const char ep_optnote_rate_per_address[];

/* A command, as the command line sees it. */
struct ep_cmd {
	enum ep_command		 cmd;
	const char		*name;		/* argv[1] */
	const char		*synopsis;	/* after "usage: ednsprobe " */
	const char		*summary;	/* its line in the overview */
	const char		*about;		/* the help's first lines */
	/* The groups its help shows, in order, its own first; NULL ends. */
	const struct ep_optgroup *const *groups;
	/* How many of them the help explains option by option; the others
	 * get one line of their options' names each (man ednsprobe says
	 * more), so the help fits a screen.  0: all of them. */
	int			 nfull;
	const struct ep_optnote	*notes;		/* name NULL ends; NULL */
	/* Groups whose options are usage errors on its line once given
	 * (ep_optgroup.given), checked in order before check(); NULL ends;
	 * NULL: none. */
	const struct ep_optgroup *const *refuses;
	unsigned		 rate;		/* o->rate without --rate */
	int			 dig_qt;	/* dig's -q NAME (1), and -t
						   TYPE too (2); 0: neither */
	/* The positional arguments (at most 2, @SERVER in o->server) and
	 * the rules between options once all are read; 0, or -1 with err. */
	int	(*check)(struct ep_options *o, const char *const *pos,
		    int npos, struct ep_err *err);
};

/* One of dig's +words the common parser reads before getopt (+short,
 * +time=S): one table for the parser and the completion. */
struct ep_plusword {
	const char		*word;	/* after "+" */
	int			 value;	/* 1: +word=VALUE; 0: the word alone */
	int			 id;	/* what it sets (options.c) */
	/* The group whose help tells of it: the commands that show that
	 * group take it (ep_options_takes_word). */
	const struct ep_optgroup *group;
};

/* Every +word the parser reads, aliases too (+rec, +vc); word NULL ends. */
extern const struct ep_plusword ep_pluswords[];

/* The commands (each <command>_opts.c). */
extern const struct ep_cmd ep_cmd_path, ep_cmd_compliance, ep_cmd_survey,
    ep_cmd_zone, ep_cmd_resolver, ep_cmd_respond, ep_cmd_analyze,
    ep_cmd_completion;

/* The shared groups (options.c) and the ones several commands show. */
extern const struct ep_optgroup ep_opts_query;	/* -4 -6 -p --timeout
						   --tries --rate */
extern const struct ep_optgroup ep_opts_output;	/* --json --format -o
						   --report */
extern const struct ep_optgroup ep_opts_capture;	/* --pcap ... --iface */
extern const struct ep_optgroup ep_opts_process;	/* -Z -v -h -V */
extern const struct ep_optgroup ep_opts_probe;	/* path_opts.c: the path
						   probes */
extern const struct ep_optgroup ep_opts_comply;	/* compliance_opts.c:
						   --compliance --full
						   --resolver */
extern const struct ep_optgroup ep_opts_survey, ep_opts_zone,
    ep_opts_resolver, ep_opts_respond;

/*
 * Parse argv (dig's @server and +option words, getopt_long options and
 * positional NAME [TYPE]) into o.  "help [COMMAND]" sets o->help and
 * o->cmd (EP_CMD_NONE: the overview).  Returns 0, or -1 with err->code
 * EP_EUSAGE and a message naming the option and the value; o->cmd is
 * then the command at hand, EP_CMD_NONE when none was recognised.
 */
int	ep_options_parse(int argc, char **argv, struct ep_options *o,
	    struct ep_err *err);

/* zone, resolver: the run's packet-rate cap when it talks to `servers`
 * servers, o->rate each (per-server --rate), at most EP_RATE_MAX. */
unsigned ep_options_rate(const struct ep_options *o, int servers);

/* The overview: every command's usage line and summary, where to find
 * more, the exit statuses.  Static storage, built at the first call. */
const char *ep_options_usage(void);

/* The help of cmd on out: its usage line, what it does and the options
 * of the groups it shows; EP_CMD_NONE: the overview.  0, or -1 when out
 * failed. */
int	ep_options_help(FILE *out, enum ep_command cmd);

/* The one line after a usage error on out: cmd's usage line and where
 * its help is (EP_CMD_NONE: the overview's). */
void	ep_options_usage_line(FILE *out, enum ep_command cmd);

/* The declaration of cmd; NULL for EP_CMD_NONE. */
const struct ep_cmd *ep_options_cmd(enum ep_command cmd);
/* The i-th command of the list (the overview's order); NULL past it. */
const struct ep_cmd *ep_options_cmd_at(size_t i);
/* cmd's help line for d, an option of a group it shows: its note (named
 * by the long name, or by the first word of a help-only entry: "+short"),
 * else d's own; NULL: cmd hides d. */
const char *ep_options_help_of(const struct ep_cmd *cmd,
	    const struct ep_optdef *d);
/* Does cmd take dig's +w: it shows w's group, and no note of it named
 * "+WORD" hides the word. */
int	ep_options_takes_word(const struct ep_cmd *cmd,
	    const struct ep_plusword *w);

/*
 * For the groups' setters and the commands' checks: v from the decimal
 * s within min..max ("--what: \"s\" is not a number", "... is out of
 * range min..max"); ms from seconds s within 0.1..300; 0 or -1 with err.
 */
int	ep_opt_long(const char *what, const char *s, long min, long max,
	    long *v, struct ep_err *err);
int	ep_opt_seconds(const char *what, const char *s, uint32_t *ms,
	    struct ep_err *err);
/*
 * @SERVER (arg, with or without the "@"): dig's ADDR#PORT, [IPv6]:PORT,
 * [IPv6]#PORT, an address or a host name.  The address or name into host
 * (len bytes), *port the port given, 0 when none.  A word that looks
 * like an address (digits and dots, a colon, brackets) must be one: it
 * never goes to the name lookup.  0, or -1 with err (EP_EUSAGE).
 */
int	ep_opt_server(const char *arg, char *host, size_t len,
	    uint16_t *port, struct ep_err *err);
/* Copy s into dst of size len: -1 (nothing copied) when s is empty or
 * does not fit; the caller names the option in its message. */
int	ep_opt_copy(char *dst, size_t len, const char *s);
/* o->name from the positional NAME s ("name too long"). */
int	ep_opt_name(struct ep_options *o, const char *s, struct ep_err *err);
/* The end of the checks of a command that probes: "nothing to probe"
 * without UDP and TCP; the timeout's floor kept below its cap. */
int	ep_opt_probes(struct ep_options *o, struct ep_err *err);

#endif
