/* probe/cmd/completion.c: the bash completion script, printed from the
 * command line's own tables (options.c): each command's options are the
 * ones its help shows, its +words those of ep_pluswords it takes, so the
 * script cannot say other than the parser reads. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/completion.h"
#include "cmd/options.h"
#include "engine/query.h"

/* A list of words, space separated, each once; full: one did not fit. */
struct words {
	char	buf[2048];
	size_t	n;
	int	full;
};

static void
add(struct words *l, const char *w)
{
	size_t len = strlen(w);

	for (const char *p = l->buf; (p = strstr(p, w)) != NULL; p += len)
		if ((p == l->buf || p[-1] == ' ') &&
		    (p[len] == ' ' || p[len] == '\0'))
			return;
	if (l->n + len + 2 > sizeof(l->buf)) {
		l->full = 1;
		return;
	}
	l->n += (size_t)snprintf(l->buf + l->n, sizeof(l->buf) - l->n, "%s%s",
	    l->n ? " " : "", w);
}

/* A group's table: an entry with neither name, letter nor help ends it. */
static int
more(const struct ep_optdef *d)
{
	return d->name != NULL || d->letter != 0 || d->help != NULL;
}

/* A help-only entry that tells of an option another group reads
 * (respond's "--rate=N"): its "--name" into buf, *arg whether a value
 * follows it; 0 when its line starts with no option (a +word). */
static int
told_option(const char *h, char *buf, size_t len, int *arg)
{
	size_t n;

	h += strspn(h, " ");
	if (strncmp(h, "--", 2) != 0 || (n = strcspn(h, "=, \n")) >= len)
		return 0;
	snprintf(buf, len, "%.*s", (int)n, h);
	*arg = h[n] == '=';
	return 1;
}

/* The options c's help shows into all, those that take a value into
 * vals too: "-p --port ...". */
static void
cmd_options(const struct ep_cmd *c, struct words *all, struct words *vals)
{
	char w[64];
	int arg;

	for (const struct ep_optgroup *const *g = c->groups; *g != NULL; g++)
		for (const struct ep_optdef *d = (*g)->opts; more(d); d++) {
			const char *h = ep_options_help_of(c, d);

			if (h == NULL)
				continue;
			if (d->name == NULL && d->letter == 0) {
				if (told_option(h, w, sizeof(w), &arg)) {
					add(all, w);
					if (arg)
						add(vals, w);
				}
				continue;
			}
			/* dig's -q and -t: where the command reads them
			 * (options.c, dig_words). */
			if ((d->letter == 'q' && c->dig_qt < 1) ||
			    (d->letter == 't' && c->dig_qt < 2))
				continue;
			if (d->letter != 0) {
				snprintf(w, sizeof(w), "-%c", d->letter);
				add(all, w);
				if (d->arg == required_argument)
					add(vals, w);
			}
			if (d->name != NULL) {
				snprintf(w, sizeof(w), "--%s", d->name);
				add(all, w);
				if (d->arg == required_argument)
					add(vals, w);
			}
		}
}

/* The +words c takes: "+short +time= ...". */
static void
cmd_words(const struct ep_cmd *c, struct words *l)
{
	char w[40];

	for (const struct ep_plusword *p = ep_pluswords; p->word != NULL; p++)
		if (ep_options_takes_word(c, p)) {
			snprintf(w, sizeof(w), "+%s%s", p->word,
			    p->value ? "=" : "");
			add(l, w);
		}
}

/* What an option's value is completed with. */
enum { V_FILE, V_IFACE, V_USER, V_TYPE, V_WORDS };

static const struct value {
	const char	*opt;	/* the long name, or the letter alone */
	const char	*cmd;	/* on this command only; NULL: on any */
	int		 kind;
	const char	*words;	/* V_WORDS: the values */
} values[] = {
	{ "pcap", NULL, V_FILE, NULL },
	{ "json-file", NULL, V_FILE, NULL },
	{ "report", NULL, V_FILE, NULL },
	{ "resume", NULL, V_FILE, NULL },
	{ "hints", NULL, V_FILE, NULL },
	{ "resolv-conf", NULL, V_FILE, NULL },
	{ "iface", NULL, V_IFACE, NULL },
	{ "user", NULL, V_USER, NULL },
	{ "t", NULL, V_TYPE, NULL },
	{ "pcap-format", NULL, V_WORDS, "pcapng pcap" },
	{ "format", "compliance", V_WORDS, "text json genreport" },
	{ "format", NULL, V_WORDS, "text json" },
};

/* The option a value entry names, from every command's groups; NULL when
 * none of the tables has it (the script would offer a dead option). */
static const struct ep_optdef *
value_option(const struct value *v)
{
	const struct ep_cmd *c;

	for (size_t i = 0; (c = ep_options_cmd_at(i)) != NULL; i++)
		for (const struct ep_optgroup *const *g = c->groups;
		    *g != NULL; g++)
			for (const struct ep_optdef *d = (*g)->opts; more(d);
			    d++)
				if (d->arg == required_argument &&
				    (v->opt[1] == '\0' ? d->letter == v->opt[0] :
				    d->name != NULL &&
				    strcmp(d->name, v->opt) == 0))
					return d;
	return NULL;
}

/* Every DNS type the parser knows by name (ep_query_parse_type: ldns's
 * table), for -t. */
static void
dns_types(struct words *l)
{
	char name[32];
	struct ep_err e;
	uint16_t back;

	for (unsigned t = 1; t <= 65535; t++) {
		ep_query_type_str((uint16_t)t, name, sizeof(name));
		if (strncmp(name, "TYPE", 4) == 0 ||
		    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") !=
		    strlen(name) ||
		    ep_query_parse_type(name, &back, &e) == -1 || back != t)
			continue;
		add(l, name);
	}
}

static const char script_head[] =
"# bash completion for ednsprobe(1), written by `ednsprobe completion bash`\n"
"# (ednsprobe " EP_VERSION ") from the program's own option tables: make it\n"
"# again rather than edit it.  The build installs it as\n"
"# share/bash-completion/completions/ednsprobe.\n"
"\n";

static const char script_helpers[] =
"# COMPREPLY: the words of $1 that begin with $cur, each after $pre.\n"
"_ednsprobe_words()\n"
"{\n"
"\tlocal w\n"
"\tCOMPREPLY=()\n"
"\tfor w in $1; do\n"
"\t\t[[ $w == \"$cur\"* ]] && COMPREPLY+=(\"$pre$w\")\n"
"\tdone\n"
"}\n"
"\n"
"# COMPREPLY: what compgen $1 (-f files, -u users) gives for $cur.\n"
"_ednsprobe_gen()\n"
"{\n"
"\tlocal w\n"
"\tCOMPREPLY=()\n"
"\t[[ $1 == -f ]] && compopt -o filenames 2>/dev/null\n"
"\twhile IFS= read -r w; do\n"
"\t\tCOMPREPLY+=(\"$pre$w\")\n"
"\tdone < <(compgen \"$1\" -- \"$cur\")\n"
"}\n"
"\n"
"# COMPREPLY: the network interfaces, and libpcap's \"any\".\n"
"_ednsprobe_ifaces()\n"
"{\n"
"\tlocal d l=any\n"
"\tfor d in /sys/class/net/*; do\n"
"\t\t[[ -e $d ]] && l+=\" ${d##*/}\"\n"
"\tdone\n"
"\t_ednsprobe_words \"$l\"\n"
"}\n"
"\n";

static const char script_main_head[] =
"_ednsprobe()\n"
"{\n"
"\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev= opt= pre=\n"
"\tlocal cmd=${COMP_WORDS[1]} opts= vopts= plus= args=\n"
"\tCOMPREPLY=()\n"
"\t((COMP_CWORD > 1)) && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
"\t# An option's value: --opt VALUE, or --opt=VALUE, which bash splits\n"
"\t# into --opt, = and VALUE (\"=\" in COMP_WORDBREAKS) or leaves whole.\n"
"\tif [[ $cur == -*=* ]]; then\n"
"\t\topt=${cur%%=*} pre=${cur%%=*}= cur=${cur#*=}\n"
"\telif [[ $cur == = ]]; then\n"
"\t\topt=$prev cur=\n"
"\telif [[ $prev == = ]] && ((COMP_CWORD > 2)); then\n"
"\t\topt=${COMP_WORDS[COMP_CWORD-2]}\n"
"\tfi\n";

static const char script_main_tail[] =
"\t*)\n"
"\t\treturn 0\n"
"\t\t;;\n"
"\tesac\n"
"\t[[ -z $opt && \" $vopts \" == *\" $prev \"* ]] && opt=$prev\n"
"\tif [[ -n $opt ]]; then\n"
"\t\t[[ \" $vopts \" == *\" $opt \"* ]] && _ednsprobe_value \"$cmd\" \"$opt\"\n"
"\t\treturn 0\n"
"\tfi\n"
"\tcase $cur in\n"
"\t-*)\n"
"\t\t_ednsprobe_words \"$opts\"\n"
"\t\t;;\n"
"\t+*)\n"
"\t\t_ednsprobe_words \"$plus\"\n"
"\t\t[[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *= ]] &&\n"
"\t\t\tcompopt -o nospace 2>/dev/null\n"
"\t\t;;\n"
"\t@*)\n"
"\t\t;;\n"
"\t*)\n"
"\t\tif [[ $args == FILE ]]; then\n"
"\t\t\t_ednsprobe_gen -f\n"
"\t\telse\n"
"\t\t\t_ednsprobe_words \"$args\"\n"
"\t\tfi\n"
"\t\t;;\n"
"\tesac\n"
"\treturn 0\n"
"}\n"
"\n"
"complete -F _ednsprobe ednsprobe\n";

/* _ednsprobe_value COMMAND OPTION: the values[] table as a case. */
static int
put_values(FILE *out, struct ep_err *err)
{
	static const char *const action[] = {
		[V_FILE] = "_ednsprobe_gen -f",
		[V_IFACE] = "_ednsprobe_ifaces",
		[V_USER] = "_ednsprobe_gen -u",
		[V_TYPE] = "_ednsprobe_words \"$_ednsprobe_types\"",
	};

	fputs("# COMPREPLY: the values of option $2 of command $1.\n"
	    "_ednsprobe_value()\n{\n\tcase $1:$2 in\n", out);
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		const struct value *v = &values[i];
		const struct ep_optdef *d = value_option(v);
		const char *c = v->cmd != NULL ? v->cmd : "*";

		if (d == NULL)
			return ep_err_set(err, EP_EINTERNAL, "completion: the "
			    "value of %s%s is completed, but no command reads "
			    "it", v->opt[1] ? "--" : "-", v->opt);
		fprintf(out, "\t");
		if (d->letter != 0)
			fprintf(out, "%s:-%c", c, d->letter);
		if (d->name != NULL)
			fprintf(out, "%s%s:--%s", d->letter ? "|" : "", c,
			    d->name);
		if (v->kind == V_WORDS)
			fprintf(out, ")\n\t\t_ednsprobe_words '%s'\n\t\t;;\n",
			    v->words);
		else
			fprintf(out, ")\n\t\t%s\n\t\t;;\n", action[v->kind]);
	}
	fputs("\tesac\n}\n\n", out);
	return 0;
}

/* The case of the main function: each command's words. */
static int
put_commands(FILE *out, struct ep_err *err)
{
	struct words names = { .n = 0 };
	const struct ep_cmd *c;

	for (size_t i = 0; (c = ep_options_cmd_at(i)) != NULL; i++)
		add(&names, c->name);
	fputs("\tif ((COMP_CWORD == 1)); then\n"
	    "\t\tcase $cur in\n"
	    "\t\t-*)\n"
	    "\t\t\t_ednsprobe_words '-h --help -V --version'\n"
	    "\t\t\t;;\n"
	    "\t\t*)\n", out);
	fprintf(out, "\t\t\t_ednsprobe_words '%s help'\n", names.buf);
	fputs("\t\t\t;;\n\t\tesac\n\t\treturn 0\n\tfi\n"
	    "\tcase $cmd in\n"
	    "\thelp)\n", out);
	fprintf(out, "\t\t((COMP_CWORD == 2)) && _ednsprobe_words '%s'\n"
	    "\t\treturn 0\n\t\t;;\n", names.buf);
	for (size_t i = 0; (c = ep_options_cmd_at(i)) != NULL; i++) {
		struct words all = { .n = 0 }, vals = { .n = 0 },
		    plus = { .n = 0 };
		const char *last = strrchr(c->synopsis, ' ');

		cmd_options(c, &all, &vals);
		cmd_words(c, &plus);
		if (all.full || vals.full || plus.full || names.full)
			return ep_err_set(err, EP_EINTERNAL, "completion: %s: "
			    "too many options", c->name);
		fprintf(out, "\t%s)\n\t\topts='%s'\n\t\tvopts='%s'\n"
		    "\t\tplus='%s'\n", c->name, all.buf, vals.buf, plus.buf);
		/* The positional arguments: files where the usage line ends
		 * in FILE (analyze, survey), the shells for completion. */
		if (c->cmd == EP_CMD_COMPLETION)
			fprintf(out, "\t\targs='%s'\n", ep_completion_shells);
		else if (last != NULL && strncmp(last, " FILE", 5) == 0)
			fputs("\t\targs=FILE\n", out);
		fputs("\t\t;;\n", out);
	}
	return 0;
}

int
ep_completion_write(FILE *out, const char *shell, struct ep_err *err)
{
	struct words types = { .n = 0 };

	if (!ep_completion_knows(shell))
		return ep_err_set(err, EP_EUSAGE, "completion: no script for "
		    "\"%.32s\" (only %s)", shell, ep_completion_shells);
	dns_types(&types);
	fputs(script_head, out);
	fprintf(out, "_ednsprobe_types='%s'\n\n", types.buf);
	fputs(script_helpers, out);
	if (put_values(out, err) == -1)
		return -1;
	fputs(script_main_head, out);
	if (put_commands(out, err) == -1)
		return -1;
	fputs(script_main_tail, out);
	if (types.full)
		return ep_err_set(err, EP_EINTERNAL, "completion: too many "
		    "DNS types");
	if (fflush(out) == EOF || ferror(out))
		return ep_err_set(err, errno ? errno : EIO, "standard output: "
		    "%s", strerror(errno ? errno : EIO));
	return 0;
}
