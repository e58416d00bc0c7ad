/* probe/cmd/survey.c: the survey command.  The list is read as the run asks
 * for targets (a million lines cost only their keys), each finished
 * target is written and flushed at once, so an interrupted survey keeps
 * every finished line; the probing itself is the path command's (run.c),
 * all targets in its one loop under one packet-rate cap. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "engine/log.h"
#include "engine/loop.h"
#include "output/output.h"
#include "engine/query.h"
#include "engine/run.h"
#include "measure/measures.h"
#include "cmd/survey.h"
#include "measure/verdict.h"

#define BAD_SHOWN	20	/* bad lines named on stderr, then counted */
#define IDS_MAX		64	/* distinct finding ids in the summary */
#define PROGRESS_US	500000u
/* Descriptors a target may hold at once (its probes' sockets: the path
 * plan's UDP and TCP probes, or the compliance tests, all out at once),
 * and the run's own (capture, raw sockets, epoll, timers, stdio). */
#define FDS_PER_TARGET	48
#define FDS_RUN		64

/* --------------------------------------------------------- list lines */

static int fail(char *why, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* A target from its fields (name, type: NULL when not given). */
static int
fields(struct ep_survey_line *l, const char *addr, const char *name,
    const char *type, char *why, size_t len)
{
	struct ep_err err;

	memset(l, 0, sizeof(*l));
	if (inet_pton(AF_INET, addr, l->addr) == 1)
		l->family = 4;
	else if (inet_pton(AF_INET6, addr, l->addr) == 1)
		l->family = 6;
	else
		return fail(why, len, "\"%.64s\" is not an IPv4 or IPv6 "
		    "address (names are not looked up; a zone to expand into "
		    "its servers needs the zone command)", addr);
	inet_ntop(l->family == 4 ? AF_INET : AF_INET6, l->addr, l->addr_str,
	    sizeof(l->addr_str));
	if (name != NULL) {
		if (strlen(name) >= sizeof(l->name) ||
		    ep_query_parse_name(name, l->qname, &l->qname_len,
		    &err) == -1)
			return fail(why, len, "\"%.64s\" is not a domain name",
			    name);
		snprintf(l->name, sizeof(l->name), "%s", name);
	}
	if (type != NULL && ep_query_parse_type(type, &l->qtype, &err) == -1)
		return fail(why, len, "\"%.64s\" is not a record type", type);
	return 1;
}

int
ep_survey_parse_line(const char *line, struct ep_survey_line *l,
    char *why, size_t len)
{
	char buf[EP_SURVEY_LINE_MAX + 1], *tok[4], *save = NULL, *p;
	int n = 0;

	memset(l, 0, sizeof(*l));
	if (strlen(line) > EP_SURVEY_LINE_MAX)
		return fail(why, len, "line longer than %d bytes",
		    EP_SURVEY_LINE_MAX);
	snprintf(buf, sizeof(buf), "%s", line);
	if ((p = strchr(buf, '#')) != NULL)
		*p = '\0';
	for (p = strtok_r(buf, " \t\r\n", &save); p != NULL && n < 4;
	    p = strtok_r(NULL, " \t\r\n", &save))
		tok[n++] = p;
	if (n == 0)
		return 0;
	if (n == 4)
		return fail(why, len, "\"%.64s\": more than ADDRESS NAME TYPE",
		    tok[3]);
	return fields(l, tok[0], n >= 2 ? tok[1] : NULL, n == 3 ? tok[2] :
	    NULL, why, len);
}

/* FNV-1a over n bytes; fold: ASCII letters in any case are one (names
 * only: address bytes are not letters). */
static uint64_t
fnv(uint64_t h, const uint8_t *p, size_t n, int fold)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (fold && c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		h = (h ^ c) * 0x100000001b3ULL;
	}
	return h;
}

uint64_t
ep_survey_key(const struct ep_survey_line *l)
{
	uint8_t fam = (uint8_t)l->family, root = 0;
	uint16_t type = l->qtype ? l->qtype : 48;
	uint8_t tb[2] = { (uint8_t)(type >> 8), (uint8_t)type };
	uint64_t h = 0xcbf29ce484222325ULL;

	h = fnv(h, &fam, 1, 0);
	h = fnv(h, l->addr, l->family == 4 ? 4 : 16, 0);
	/* No name is the root, as the run asks it. */
	h = l->qname_len ? fnv(h, l->qname, l->qname_len, 1) :
	    fnv(h, &root, 1, 0);
	return fnv(h, tb, 2, 0);
}

int
ep_survey_resume_key(const char *jsonline, uint64_t *key)
{
	json_t *o = json_loads(jsonline, JSON_REJECT_DUPLICATES, NULL);
	const char *type, *addr, *name, *qtype;
	char why[128];
	struct ep_survey_line l;
	int rc = 0;

	if (o == NULL)
		return 0;
	type = json_string_value(json_object_get(o, "type"));
	addr = json_string_value(json_object_get(o, "address"));
	name = json_string_value(json_object_get(o, "name"));
	qtype = json_string_value(json_object_get(o, "qtype"));
	if (type != NULL && strcmp(type, "target") == 0 && addr != NULL &&
	    name != NULL && qtype != NULL &&
	    fields(&l, addr, name, qtype, why, sizeof(why)) == 1) {
		*key = ep_survey_key(&l);
		rc = 1;
	}
	json_decref(o);
	return rc;
}

/* ------------------------------------------------------- sets of keys */

struct keyset {
	struct { uint64_t key; uint32_t line; } *e;	/* owned; line 0:
							   empty */
	size_t	 n, cap;
};

static uint32_t *
keyset_find(struct keyset *s, uint64_t key)
{
	if (s->cap == 0)
		return NULL;
	for (size_t i = key & (s->cap - 1); s->e[i].line != 0;
	    i = (i + 1) & (s->cap - 1))
		if (s->e[i].key == key)
			return &s->e[i].line;
	return NULL;
}

/* Add key (from line >= 1); -1 when out of memory. */
static int
keyset_add(struct keyset *s, uint64_t key, uint32_t line)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap) {
		struct keyset g = { NULL, 0, s->cap ? 2 * s->cap : 1024 };

		if ((g.e = calloc(g.cap, sizeof(*g.e))) == NULL)
			return -1;
		for (size_t k = 0; k < s->cap; k++)
			if (s->e[k].line != 0)
				keyset_add(&g, s->e[k].key, s->e[k].line);
		free(s->e);
		*s = g;
	}
	i = key & (s->cap - 1);
	while (s->e[i].line != 0)
		i = (i + 1) & (s->cap - 1);
	s->e[i].key = key;
	s->e[i].line = line;
	s->n++;
	return 0;
}

/* ------------------------------------------------------------- survey */

struct entry {
	struct ep_survey_line	 l;
	uint32_t		 line;
};

/* A target in a slot of the run. */
struct flight {
	const struct ep_target	*t;	/* NULL: free */
	struct entry		 e;
	char			 started[32];
	uint64_t		 start_us;
};

struct survey {
	const struct ep_options	*o;
	FILE			*in, *out;
	int			 eof;
	uint32_t		 lineno;
	struct keyset		 seen, done_before;
	struct entry		*held;	/* read while its address was busy */
	int			 nheld, maxheld;
	struct flight		*flights;
	int			 nflights;
	struct { char id[32]; uint64_t n; } ids[IDS_MAX];
	int			 nids;
	uint64_t		 bad, dups, resumed, other_family, cut_budget;
	uint64_t		 last_progress;
	uint64_t		 shown;	/* skipped lines named on stderr */
	int			 tty, failed;
	struct ep_err		 werr;	/* writing the output failed */
	struct ep_survey_stats	*st;
	FILE			*report;	/* --report, or NULL */
	const struct ep_report	*r;	/* the run's (capture, command) */
	int			 report_head;	/* its head is written */
};

static void
utc_now(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char s[24];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03dZ", s, (int)(ts.tv_nsec / 1000000) % 1000);
}

/* A line skipped: named on stderr (the first BAD_SHOWN), counted. */
static void
skip_line(struct survey *s, uint64_t *count, const char *why)
{
	(*count)++;
	if (++s->shown <= BAD_SHOWN)
		fprintf(stderr, "ednsprobe: %s:%u: %s, skipped\n",
		    s->o->file, s->lineno, why);
	else if (s->shown == BAD_SHOWN + 1)
		fprintf(stderr, "ednsprobe: %s: more lines skipped; the "
		    "summary counts them\n", s->o->file);
}

static int
busy(const struct survey *s, const struct ep_survey_line *l)
{
	for (int i = 0; i < s->nflights; i++)
		if (s->flights[i].t != NULL && s->flights[i].e.l.family ==
		    l->family && memcmp(s->flights[i].e.l.addr, l->addr,
		    l->family == 4 ? 4 : 16) == 0)
			return 1;
	return 0;
}

/* Read lines until one gives a new target: 1 (in e), 0 at the end. */
static int
read_entry(struct survey *s, struct entry *e)
{
	char buf[EP_SURVEY_LINE_MAX + 2], why[256];
	uint32_t *first;
	uint64_t key;

	while (!s->eof) {
		size_t n;
		int rc;

		if (fgets(buf, sizeof(buf), s->in) == NULL) {
			s->eof = 1;
			break;
		}
		s->lineno++;
		n = strlen(buf);
		if (n > 0 && buf[n - 1] == '\n')
			buf[--n] = '\0';
		else if (!feof(s->in)) {
			int c;

			while ((c = getc(s->in)) != EOF && c != '\n')
				;	/* the rest of an overlong line */
			skip_line(s, &s->bad, "line longer than 1024 bytes");
			continue;
		}
		if ((rc = ep_survey_parse_line(buf, &e->l, why, sizeof(why)))
		    == 0)
			continue;
		if (rc == -1) {
			skip_line(s, &s->bad, why);
			continue;
		}
		if (s->o->family != 0 && e->l.family != s->o->family) {
			s->other_family++;
			continue;
		}
		if (s->o->compliance && e->l.qname_len <= 1) {
			skip_line(s, &s->bad, "--compliance needs a zone "
			    "NAME on each line");
			continue;
		}
		key = ep_survey_key(&e->l);
		if (keyset_find(&s->done_before, key) != NULL) {
			s->resumed++;
			continue;
		}
		if ((first = keyset_find(&s->seen, key)) != NULL) {
			snprintf(why, sizeof(why), "the same target as line "
			    "%u", *first);
			skip_line(s, &s->dups, why);
			continue;
		}
		if (s->seen.n >= EP_SURVEY_TARGETS_MAX ||
		    keyset_add(&s->seen, key, s->lineno) == -1) {
			fprintf(stderr, "ednsprobe: %s:%u: more than %d "
			    "targets (or out of memory): the list ends here\n",
			    s->o->file, s->lineno, EP_SURVEY_TARGETS_MAX);
			s->eof = 1;
			break;
		}
		e->line = s->lineno;
		return 1;
	}
	return 0;
}

/* The next target whose address is not being probed: held ones first;
 * a target read while its address is busy waits in held. */
static int
take(struct survey *s, struct entry *e)
{
	for (int i = 0; i < s->nheld; i++) {
		if (busy(s, &s->held[i].l))
			continue;
		*e = s->held[i];
		memmove(&s->held[i], &s->held[i + 1],
		    (size_t)(s->nheld - i - 1) * sizeof(*s->held));
		s->nheld--;
		return 1;
	}
	while (s->nheld < s->maxheld && read_entry(s, e) == 1) {
		if (!busy(s, &e->l))
			return 1;
		s->held[s->nheld++] = *e;
	}
	return 0;
}

static int
feed_next(void *arg, struct ep_target *t, struct ep_options *o)
{
	struct survey *s = arg;
	struct flight *f = NULL;
	struct entry e;

	for (int i = 0; i < s->nflights && f == NULL; i++)
		if (s->flights[i].t == NULL)
			f = &s->flights[i];
	if (f == NULL || s->failed || take(s, &e) == 0)
		return 0;
	f->t = t;
	f->e = e;
	utc_now(f->started, sizeof(f->started));
	f->start_us = ep_clock_us();
	t->family = e.l.family;
	if (e.l.family == 4) {
		struct sockaddr_in *sin = (void *)&t->addr;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(o->port);
		memcpy(&sin->sin_addr, e.l.addr, 4);
		t->addrlen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (void *)&t->addr;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(o->port);
		memcpy(&sin6->sin6_addr, e.l.addr, 16);
		t->addrlen = sizeof(*sin6);
	}
	snprintf(t->addr_str, sizeof(t->addr_str), "%s", e.l.addr_str);
	if (e.l.qname_len > 0) {
		snprintf(o->name, sizeof(o->name), "%s", e.l.name);
		memcpy(o->qname, e.l.qname, e.l.qname_len);
		o->qname_len = e.l.qname_len;
	}
	if (e.l.qtype != 0)
		o->qtype = e.l.qtype;
	ep_verbose(EP_VERB_OPS, "survey: line %u, %s %s starts", e.line,
	    t->addr_str, o->name);
	return 1;
}

static void
count_findings(struct survey *s, const struct ep_target *t)
{
	for (int k = 0; k < t->nfindings; k++) {
		int i;

		for (i = 0; i < s->nids; i++)
			if (strcmp(s->ids[i].id,
			    ep_finding_name(t->findings[k].id)) == 0)
				break;
		if (i == s->nids && s->nids < IDS_MAX)
			snprintf(s->ids[s->nids++].id, sizeof(s->ids[0].id),
			    "%s", ep_finding_name(t->findings[k].id));
		if (i < s->nids)
			s->ids[i].n++;
	}
	if (ep_verdict_worst(t) >= EP_SEV_WARNING)
		s->st->with_findings++;
	s->cut_budget += t->cut != 0;
}

static void
write_line(struct survey *s, const struct flight *f, const struct ep_target *t)
{
	json_t *o = json_object(), *tj = ep_out_json_target(t, t->capture != 0,
	    t->addr_str);
	char finished[32];
	int rc;

	utc_now(finished, sizeof(finished));
	json_object_set_new(o, "type", json_string("target"));
	json_object_set_new(o, "schema", json_integer(1));
	json_object_set_new(o, "line", json_integer(f->e.line));
	json_object_set_new(o, "started", json_string(f->started));
	json_object_set_new(o, "finished", json_string(finished));
	json_object_set_new(o, "duration_ms", json_integer((json_int_t)
	    ((ep_clock_us() - f->start_us) / 1000u)));
	json_object_set_new(o, "budget_exceeded", json_boolean(t->cut));
	if (tj == NULL || json_object_update(o, tj) == -1)
		rc = -1;
	else
		rc = json_dumpf(o, s->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(tj);
	json_decref(o);
	if (rc == -1 || fputc('\n', s->out) == EOF || fflush(s->out) == EOF) {
		ep_err_set(&s->werr, errno ? errno : EIO, "writing the "
		    "survey's output: %s", errno ? strerror(errno) :
		    "out of memory");
		s->failed = 1;
	}
}

static void
progress(struct survey *s)
{
	uint64_t now = ep_clock_us();
	int flying = 0;

	if (!s->tty || now - s->last_progress < PROGRESS_US)
		return;
	s->last_progress = now;
	for (int i = 0; i < s->nflights; i++)
		flying += s->flights[i].t != NULL;
	fprintf(stderr, "\rsurvey: %llu done, %d in flight, line %u%s ",
	    (unsigned long long)s->st->targets, flying, s->lineno,
	    s->eof ? " (end of list)" : "");
}

/* The ticket report as targets finish: the head before the first
 * finding, then each target's findings (their frames are in the one
 * capture; the probes are in the JSON lines). */
static void
report_head(struct survey *s)
{
	char what[1100];

	if (s->report == NULL || s->report_head)
		return;
	s->report_head = 1;
	snprintf(what, sizeof(what), "survey of %s", s->o->file);
	ep_out_report_head(s->report, s->r, what);
	fprintf(s->report, "The findings of each target as it finished; "
	    "every probe is in the survey's JSON lines.\n\n"
	    "## Findings\n\n");
}

static void
report_target(struct survey *s, const struct ep_target *t)
{
	char resume[512];

	if (s->report == NULL || t->nfindings == 0)
		return;
	report_head(s);
	fprintf(s->report, "## %s (%s)\n\n%s\n\n", t->addr_str, t->name,
	    ep_out_resume(t, resume, sizeof(resume)));
	ep_out_report_findings(s->report, s->r, t);
}

/* The report's end: how many targets, and each finding's count. */
static void
report_end(struct survey *s)
{
	const struct ep_survey_stats *st = s->st;

	if (s->report == NULL)
		return;
	report_head(s);
	fprintf(s->report, "## Summary\n\n%llu targets finished, %llu with "
	    "warnings or errors, %llu cut short%s.\n\n",
	    (unsigned long long)st->targets,
	    (unsigned long long)st->with_findings,
	    (unsigned long long)st->cut, st->interrupted ?
	    " (INTERRUPTED)" : "");
	if (s->nids > 0)
		fprintf(s->report, "| finding | targets |\n|---|---|\n");
	for (int i = 0; i < s->nids; i++)
		fprintf(s->report, "| `%s` | %llu |\n", s->ids[i].id,
		    (unsigned long long)s->ids[i].n);
}

static void
feed_done(void *arg, const struct ep_target *t, const struct ep_options *o,
    int finished)
{
	struct survey *s = arg;

	(void)o;
	for (int i = 0; i < s->nflights; i++) {
		struct flight *f = &s->flights[i];

		if (f->t != t)
			continue;
		if (finished && !s->failed) {
			write_line(s, f, t);
			s->st->targets++;
			count_findings(s, t);
			report_target(s, t);
		} else
			s->st->cut++;
		f->t = NULL;
	}
	progress(s);
}

/* The targets an earlier output reports as finished. */
static int
read_resume(struct survey *s, const char *path, struct ep_err *err)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	uint64_t key;
	uint32_t n = 0;

	if (fp == NULL)
		return ep_err_set(err, errno, "--resume %s: %s", path,
		    strerror(errno));
	while (getline(&line, &cap, fp) != -1)
		if (ep_survey_resume_key(line, &key) == 1 &&
		    keyset_find(&s->done_before, key) == NULL &&
		    keyset_add(&s->done_before, key, ++n) == -1) {
			free(line);
			fclose(fp);
			return ep_err_set(err, ENOMEM, "out of memory");
		}
	free(line);
	fclose(fp);
	ep_verbose(EP_VERB_OPS, "survey: %u targets done in %s", n, path);
	return 0;
}

static void
summary(struct survey *s, const struct ep_report *r, FILE *out)
{
	const struct ep_options *o = s->o;
	json_t *j = json_object(), *ids = json_object();
	double secs = (double)r->duration_ms / 1000.0;
	double used = secs > 0 ? (double)r->packets / (secs * o->rate) : 0;
	const struct ep_survey_stats *st = s->st;

	for (int i = 0; i < s->nids; i++)
		json_object_set_new(ids, s->ids[i].id,
		    json_integer((json_int_t)s->ids[i].n));
	json_object_set_new(j, "type", json_string("summary"));
	json_object_set_new(j, "schema", json_integer(1));
	ep_out_json_run(j, r);
	json_object_set_new(j, "lines", json_integer(s->lineno));
	json_object_set_new(j, "targets", json_integer((json_int_t)
	    st->targets));
	json_object_set_new(j, "clean", json_integer((json_int_t)
	    (st->targets - st->with_findings)));
	json_object_set_new(j, "with_findings", json_integer((json_int_t)
	    st->with_findings));
	json_object_set_new(j, "findings", ids);
	json_object_set_new(j, "budget_exceeded", json_integer((json_int_t)
	    s->cut_budget));
	json_object_set_new(j, "cut", json_integer((json_int_t)st->cut));
	json_object_set_new(j, "list_done", json_boolean(s->eof &&
	    s->nheld == 0));
	json_object_set_new(j, "bad_lines", json_integer((json_int_t)s->bad));
	json_object_set_new(j, "duplicates", json_integer((json_int_t)
	    s->dups));
	json_object_set_new(j, "resumed", json_integer((json_int_t)
	    s->resumed));
	json_object_set_new(j, "other_family", json_integer((json_int_t)
	    s->other_family));
	json_object_set_new(j, "packets", json_integer((json_int_t)
	    r->packets));
	json_object_set_new(j, "rate", json_integer(o->rate));
	json_object_set_new(j, "rate_used", json_real(used));
	json_object_set_new(j, "targets_per_minute", json_real(secs > 0 ?
	    60.0 * (double)st->targets / secs : 0));
	if (json_dumpf(j, out, JSON_COMPACT | JSON_PRESERVE_ORDER) == -1 ||
	    fputc('\n', out) == EOF || fflush(out) == EOF) {
		ep_err_set(&s->werr, errno, "writing the survey's output: %s",
		    strerror(errno));
		s->failed = 1;
	}
	json_decref(j);

	if (s->tty)
		fputc('\n', stderr);
	fprintf(stderr, "survey: %llu targets in %.1f s (%.0f/min): %llu "
	    "clean, %llu with findings", (unsigned long long)st->targets,
	    secs, secs > 0 ? 60.0 * (double)st->targets / secs : 0.0,
	    (unsigned long long)(st->targets - st->with_findings),
	    (unsigned long long)st->with_findings);
	for (int i = 0; i < s->nids; i++)
		fprintf(stderr, "%s%s %llu", i ? ", " : " (", s->ids[i].id,
		    (unsigned long long)s->ids[i].n);
	fprintf(stderr, "%s\n", s->nids ? ")" : "");
	fprintf(stderr, "survey: %llu packets, %.0f%% of the cap of %u/s; "
	    "%llu bad lines, %llu duplicates, %llu resumed%s%s%s\n",
	    (unsigned long long)r->packets, 100.0 * used, o->rate,
	    (unsigned long long)s->bad, (unsigned long long)s->dups,
	    (unsigned long long)s->resumed, r->interrupted ?
	    "; interrupted: --resume with this output goes on" : "",
	    r->capture.path[0] ? "; capture " : "", r->capture.path);
	if (r->raw_skipped[0])
		fprintf(stderr, "survey: %s\n", r->raw_skipped);
	if (r->capture.skipped[0])
		fprintf(stderr, "survey: capture skipped: %s\n",
		    r->capture.skipped);
}

/*
 * Targets at once within the descriptor limit: the soft limit is raised
 * toward the hard one as far as --parallel needs (a default soft limit
 * of 1024 holds about 20 targets), and --parallel is lowered, said on
 * stderr, when even the hard limit is short.
 */
static int
fit_fds(int parallel)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)parallel * FDS_PER_TARGET + FDS_RUN;
	int fit;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return parallel;
	if (rl.rlim_cur < need) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ||
		    rl.rlim_max >= need ? need : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur >= need)
		return parallel;
	fit = rl.rlim_cur > FDS_RUN + FDS_PER_TARGET ?
	    (int)((rl.rlim_cur - FDS_RUN) / FDS_PER_TARGET) : 1;
	fprintf(stderr, "ednsprobe: %llu file descriptors allowed: %d "
	    "targets at once, not %d\n", (unsigned long long)rl.rlim_cur,
	    fit, parallel);
	return fit;
}

int
ep_survey(const struct ep_options *o, FILE *out, FILE *report,
    struct ep_report *r, struct ep_survey_stats *st, struct ep_err *err)
{
	struct ep_measure_set set;
	struct survey s = { .o = o, .out = out, .st = st, .report = report,
	    .r = r };
	struct ep_feed feed = { .next = feed_next, .done = feed_done, .arg = &s,
	    .slots = o->parallel };
	struct entry first;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	feed.slots = fit_fds(o->parallel);
	s.tty = isatty(STDERR_FILENO);
	s.in = strcmp(o->file, "-") == 0 ? stdin : fopen(o->file, "r");
	if (s.in == NULL)
		return ep_err_set(err, errno, "%s: %s", o->file,
		    strerror(errno));
	s.maxheld = feed.slots + 1;
	s.nflights = feed.slots;
	s.held = calloc((size_t)s.maxheld, sizeof(*s.held));
	s.flights = calloc((size_t)s.nflights, sizeof(*s.flights));
	if (s.held == NULL || s.flights == NULL) {
		ep_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (o->resume[0] != '\0' && read_resume(&s, o->resume, err) == -1)
		goto out;
	/* A list without a target is an error before anything is sent or
	 * any capture file made. */
	if (read_entry(&s, &first) == 0) {
		ep_err_set(err, EP_EUSAGE, "%s: no target to probe (%u lines"
		    "%s)", o->file, s.lineno, s.resumed ? ", every target "
		    "done in the --resume file" : "");
		goto out;
	}
	s.held[s.nheld++] = first;
	ep_measures_for(o, &set);
	if (ep_run_feed(o, &set, &feed, r, err) == -1)
		goto out;
	st->interrupted = r->interrupted;
	summary(&s, r, out);
	report_end(&s);
	if (s.failed) {
		*err = s.werr;
		goto out;
	}
	rc = 0;
out:
	if (s.in != NULL && s.in != stdin)
		fclose(s.in);
	free(s.seen.e);
	free(s.done_before.e);
	free(s.held);
	free(s.flights);
	return rc;
}
