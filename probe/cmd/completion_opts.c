/* probe/cmd/completion_opts.c: the completion command's command line: the
 * one SHELL whose script is printed (cmd/completion.h writes it). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/completion.h"
#include "cmd/options.h"
#include "engine/run.h"

/* Here, not in completion.c: the command's check needs them, and
 * completion.c the command table (no circle of calls, tests/layers.py). */
const char ep_completion_shells[] = "bash";

int
ep_completion_knows(const char *shell)
{
	return strcmp(shell, "bash") == 0;
}

/* completion SHELL: no @SERVER; the shell into o->file. */
static int
completion_check(struct ep_options *o, const char *const *pos, int npos,
    struct ep_err *err)
{
	if (npos != 1 || o->server[0] != '\0')
		return ep_err_set(err, EP_EUSAGE, "completion takes one SHELL "
		    "(%s) and no @SERVER", ep_completion_shells);
	if (!ep_completion_knows(pos[0]))
		return ep_err_set(err, EP_EUSAGE, "completion: no script for "
		    "\"%.32s\" (only %s)", pos[0], ep_completion_shells);
	snprintf(o->file, sizeof(o->file), "%s", pos[0]);
	return 0;
}

const struct ep_cmd ep_cmd_completion = {
	.cmd = EP_CMD_COMPLETION,
	.name = "completion",
	.synopsis = "completion [options] bash",
	.summary = "the bash completion script, on standard output",
	.about =
"The bash completion of ednsprobe on standard output: the commands, each\n"
"command's options and dig words, and files, interfaces, users and DNS\n"
"types as the values of the options that take them, written from the\n"
"tables the command line is read with.  The build installs it in\n"
"share/bash-completion/completions/; for this shell alone:\n"
"\n"
"  source <(ednsprobe completion bash)\n",
	.groups = (const struct ep_optgroup *const[]){ &ep_opts_process,
	    NULL },
	.notes = (const struct ep_optnote[]){
		{ "user", NULL },
		{ "verbose", NULL },
		{ NULL, NULL },
	},
	.refuses = (const struct ep_optgroup *const[]){ &ep_opts_survey,
	    &ep_opts_zone, &ep_opts_resolver, NULL },
	.rate = EP_RATE_DEFAULT,
	.check = completion_check,
};
