/* probe/cmd/completion.h: `ednsprobe completion bash`: the shell's
 * completion script, written from the command line's own tables. */
#ifndef EP_COMPLETION_H
#define EP_COMPLETION_H

#include <stdio.h>

#include "ednsprobe/err.h"

/* The shells there is a script for, for a message: "bash"
 * (completion_opts.c). */
extern const char ep_completion_shells[];

/* Is shell one of them (the completion command's check)? */
int	ep_completion_knows(const char *shell);

/*
 * The completion script for shell on out: the commands, and for each the
 * options and dig +words its help shows (options.c's tables: the groups
 * it shows, its notes, ep_pluswords), its positional FILE, and the values
 * of the options that take files, interfaces, users, DNS types or a word
 * of a few.  0, or -1 with err (EP_EINTERNAL: a value of the script's
 * names no option the tables have; errno: out failed).
 */
int	ep_completion_write(FILE *out, const char *shell, struct ep_err *err);

#endif
