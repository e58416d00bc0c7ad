/* probe/main.c: ednsprobe's command line: options, the run, output, exit
 * status. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/analyze.h"
#include "cmd/completion.h"
#include "measure/comply.h"
#include "engine/log.h"
#include "cmd/options.h"
#include "output/output.h"
#include "engine/privs.h"
#include "cmd/resolver.h"
#include "respond/respond.h"
#include "engine/run.h"
#include "engine/sniffer.h"
#include "measure/measures.h"
#include "cmd/survey.h"
#include "measure/verdict.h"
#include "cmd/zone.h"

/* Exit status: dig's where they overlap (docs/ednsprobe.1). */
enum {
	EXIT_CLEAN = 0,
	EXIT_USAGE = 1,
	EXIT_FINDINGS = 2,
	EXIT_RESOLVE = 4,
	EXIT_UNREACHABLE = 5,
	EXIT_BADFILE = 6,	/* analyze: the capture cannot be read */
	EXIT_NOREPLY = 9,
	EXIT_INTERNAL = 10,
	EXIT_INTERRUPTED = 130,
};

static void
command_line(int argc, char **argv, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < argc && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? " " : "",
		    i == 0 ? "ednsprobe" : argv[i]);
}

static int
exit_status(const struct ep_report *r)
{
	int noreply = 0, unreach = 0, worst = -1;

	if (r->interrupted)
		return EXIT_INTERRUPTED;
	if (r->ntargets == 0)
		return EXIT_NOREPLY;
	for (int i = 0; i < r->ntargets; i++) {
		const struct ep_target *t = &r->targets[i];
		int w = ep_verdict_worst(t);

		for (int k = 0; k < t->nfindings; k++) {
			/* A reset to TCP/53 is no DNS reply either. */
			noreply += t->findings[k].id == EP_F_NO_REPLY ||
			    t->findings[k].id == EP_F_NO_REPLY_TCP_RESET;
			unreach += t->findings[k].id == EP_F_UNREACHABLE;
		}
		if (w > worst)
			worst = w;
	}
	if (unreach == r->ntargets)
		return EXIT_UNREACHABLE;
	if (noreply + unreach == r->ntargets)
		return EXIT_NOREPLY;
	return worst >= EP_SEV_WARNING ? EXIT_FINDINGS : EXIT_CLEAN;
}

/* zone: no delegation found is an error of the name (4) or of the
 * parent's servers (9); else findings of the zone or any address. */
static int
zone_status(const struct ep_report *r)
{
	const struct ep_zone *z = r->zone;
	int worst = -1;

	if (r->interrupted)
		return EXIT_INTERRUPTED;
	switch (z->error_kind) {
	case EP_ZONE_ENONE:
		break;
	case EP_ZONE_ENXDOMAIN:
	case EP_ZONE_ENOTZONE:
	case EP_ZONE_EALIAS:
		return EXIT_RESOLVE;
	default:
		return EXIT_NOREPLY;
	}
	for (int i = 0; i < z->nfindings; i++)
		if ((int)z->findings[i].f.severity > worst)
			worst = (int)z->findings[i].f.severity;
	for (int i = 0; i < r->ntargets; i++)
		if (ep_verdict_worst(&r->targets[i]) > worst)
			worst = ep_verdict_worst(&r->targets[i]);
	return worst >= EP_SEV_WARNING ? EXIT_FINDINGS : EXIT_CLEAN;
}

/* Why a file cannot be created for writing, as a user reads it. */
static const char *
open_why(const char *path, int e)
{
	struct stat st;

	if (e == ELOOP && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return "is a symbolic link; not followed";
	if (e == EISDIR)
		return "is a directory";
	if (e == ENOENT)
		return "its directory does not exist";
	if (e == ENOTDIR)
		return "a part of its directory is not a directory";
	return strerror(e);
}

/*
 * The outputs opened before the run (open_new_or_old, open_out_file):
 * main owns each descriptor until it hands it on (out_take: the report
 * writers close it; the sniffer writes through a copy of its own), and
 * out_fini at exit closes what it still holds and removes the files the
 * run made and left empty (it failed before writing them, a capture was
 * skipped), so a bad input loses nothing and leaks nothing.
 */
static struct out {
	int	 fd;			/* -1: handed on */
	int	 made;			/* this run created the file */
	char	 path[1024];		/* "" for standard output's copy */
} outs[3];
static int nouts;

static void
out_keep(int fd, const char *path, int made)
{
	if (nouts == (int)(sizeof(outs) / sizeof(outs[0])))
		return;
	outs[nouts].fd = fd;
	outs[nouts].made = made;
	snprintf(outs[nouts].path, sizeof(outs[0].path), "%s", path);
	nouts++;
}

/* fd is the caller's from now on (it closes it). */
static int
out_take(int fd)
{
	for (int i = 0; i < nouts; i++)
		if (outs[i].fd == fd)
			outs[i].fd = -1;
	return fd;
}

static void
out_fini(void)
{
	struct stat st;

	for (int i = 0; i < nouts; i++) {
		if (outs[i].fd != -1)
			close(outs[i].fd);
		if (outs[i].made && lstat(outs[i].path, &st) == 0 &&
		    S_ISREG(st.st_mode) && st.st_size == 0)
			(void)unlink(outs[i].path);
	}
	nouts = 0;
}

/*
 * path for writing, O_NOFOLLOW (never through a planted symlink): made,
 * or an existing file, which is not truncated until it is written
 * (truncate_out; the capture writer, ep_pcapw_open_fd), so a run that
 * fails first leaves it as it was.
 */
static int
open_new_or_old(const char *path)
{
	int fd, made;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	made = fd != -1;
	if (fd == -1 && errno == EEXIST)
		fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd != -1)
		out_keep(fd, path, made);
	return fd;
}

/*
 * The outputs (--pcap, -o, --report) are opened before the run: a path
 * that cannot be written fails at once, not after the probes; and it
 * exists while the process may still hand it to the sudo user
 * (privs.h).  "-" is a copy of standard output (never handed over).
 */
static int
open_out_file(const char *opt, const char *path, struct ep_err *err)
{
	int fd;

	if (strcmp(path, "-") == 0) {
		if ((fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)) == -1)
			return ep_err_set(err, errno, "%s -: standard output: "
			    "%s", opt, strerror(errno));
		out_keep(fd, "", 0);
		return fd;
	}
	if ((fd = open_new_or_old(path)) == -1)
		return ep_err_set(err, errno, "%s %s: %s", opt, path,
		    open_why(path, errno));
	ep_privs_hand_over(fd);
	return fd;
}

/* Does the command capture (the engine's sniffer, or respond --pcap)? */
static int
captures(const struct ep_options *o)
{
	return o->cmd != EP_CMD_ANALYZE && o->cmd != EP_CMD_NONE &&
	    (o->cmd != EP_CMD_RESPOND || o->pcap[0] != '\0');
}

/*
 * "-" is standard output for one of --pcap, -o and --report; the text
 * report then goes to standard error.  What else writes on standard
 * output (--json, --format genreport, survey's JSON lines, respond's
 * log) conflicts, except -o - with --json: the same JSON, once.
 * 0, or -1 with a usage error in err.
 */
static int
check_stdout(struct ep_options *o, struct ep_err *err)
{
	int pcap = strcmp(o->pcap, "-") == 0 && captures(o) && !o->no_pcap;
	int json = strcmp(o->json_file, "-") == 0;
	int report = strcmp(o->report, "-") == 0;
	const char *other = o->cmd == EP_CMD_SURVEY ? "survey's JSON lines" :
	    o->cmd == EP_CMD_RESPOND ? "respond's log" : o->genreport ?
	    "--format genreport" : o->json ? "--json" : NULL;

	if (json && o->json && !pcap && !report) {
		o->json_file[0] = '\0';	/* --json writes it */
		json = 0;
	}
	if (pcap + json + report > 1)
		return ep_err_set(err, EP_EUSAGE, "%s - and %s -: only one "
		    "can write to standard output", pcap ? "--pcap" : "-o",
		    report ? "--report" : "-o");
	if (pcap + json + report == 1 && other != NULL)
		return ep_err_set(err, EP_EUSAGE, "%s -: standard output "
		    "already carries %s", pcap ? "--pcap" : json ? "-o" :
		    "--report", other);
	return 0;
}

/* --iface names an interface that exists ("any": libpcap's every one). */
static int
check_iface(const struct ep_options *o, struct ep_err *err)
{
	if (o->iface[0] == '\0' || strcmp(o->iface, "any") == 0 ||
	    !captures(o))
		return 0;
	if (if_nametoindex(o->iface) == 0)
		return ep_err_set(err, EP_EUSAGE, "--iface %s: %s", o->iface,
		    errno == ENODEV || errno == ENXIO ? "no such interface" :
		    strerror(errno));
	return 0;
}

/*
 * The capture file, opened before the run into o->pcap_fd (the sniffer
 * writes it).  An explicit --pcap that cannot be written: -1.  The
 * default name that cannot be written (the directory is not ours): the
 * capture is still analysed, kept in memory only, and we say so.
 */
static int
open_capture(struct ep_options *o, struct ep_err *err)
{
	char name[sizeof(o->pcap)];
	int fd;

	if (!captures(o) || o->no_pcap || o->cmd == EP_CMD_RESPOND)
		return 0;
	if (o->pcap[0] != '\0') {
		if ((fd = open_out_file("--pcap", o->pcap, err)) == -1)
			return -1;
	} else {
		ep_sniffer_default_name(o, name, sizeof(name));
		if ((fd = open_new_or_old(name)) == -1) {
			fprintf(stderr, "ednsprobe: cannot write ./%s (%s): "
			    "the capture is analysed but not saved; use "
			    "--pcap FILE\n", name, open_why(name, errno));
			o->no_pcap = 1;
			return 0;
		}
		ep_privs_hand_over(fd);
		/* The sniffer names the file as it was created. */
		snprintf(o->pcap, sizeof(o->pcap), "%s", name);
	}
	o->pcap_fd = fd;
	o->pcap_open = 1;
	return 0;
}

/* An output opened before the run, now written: a file that was there
 * is emptied only now (open_new_or_old).  -1 with errno. */
static int
truncate_out(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		return ftruncate(fd, 0);
	return 0;
}

/* Write the report with writer (ep_out_json, ep_out_report) into fd,
 * the file opened before the run. */
static int
write_out_file(int fd, const char *path, const struct ep_report *r,
    int (*writer)(FILE *, const struct ep_report *, struct ep_err *),
    struct ep_err *err)
{
	FILE *fp;
	int rc;

	out_take(fd);
	if (truncate_out(fd) == -1) {
		close(fd);
		return ep_err_set(err, errno, "%s: %s", path, strerror(errno));
	}
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		return ep_err_set(err, errno, "%s: %s", path, strerror(errno));
	}
	rc = writer(fp, r, err);
	if (fclose(fp) == EOF && rc == 0)
		rc = ep_err_set(err, errno, "%s: %s", path, strerror(errno));
	return rc;
}

/* The survey writes JSON lines (and the --report file, opened before as
 * report_fd, or -1) as it goes; its exit status: as path's, over every
 * target written. */
static int
survey(const struct ep_options *o, struct ep_report *r, int report_fd)
{
	struct ep_survey_stats st;
	struct ep_err err = { 0, "" };
	FILE *report = NULL;
	int rc;

	/* A reader that went away (| head) is a write error, not a kill. */
	signal(SIGPIPE, SIG_IGN);
	if (report_fd != -1 && (truncate_out(out_take(report_fd)) == -1 ||
	    (report = fdopen(report_fd, "w")) == NULL)) {
		fprintf(stderr, "ednsprobe: --report %s: %s\n", o->report,
		    strerror(errno));
		close(report_fd);
		return EXIT_INTERNAL;
	}
	rc = ep_survey(o, stdout, report, r, &st, &err);
	ep_report_fini(r);
	if (report != NULL && fclose(report) == EOF && rc == 0) {
		fprintf(stderr, "ednsprobe: --report %s: %s\n", o->report,
		    strerror(errno));
		return EXIT_INTERNAL;
	}
	if (rc == -1) {
		fprintf(stderr, "ednsprobe: %s\n", err.msg);
		return err.code == EP_EUSAGE || err.code == ENOENT ||
		    err.code == EACCES ? EXIT_USAGE : EXIT_INTERNAL;
	}
	if (st.interrupted)
		return EXIT_INTERRUPTED;
	return st.with_findings > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
}

/* respond: serves until a signal or --duration; the summary line at the
 * end.  A listener or capture that cannot be opened: exit 1. */
static int
respond(const struct ep_options *o)
{
	struct ep_respond_stats st;
	struct ep_err err = { 0, "" };

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);	/* a line per query, at once */
	if (ep_respond_run(o, stdout, &st, &err) == -1) {
		fprintf(stderr, "ednsprobe: %s\n", err.msg);
		return err.code == EP_EINTERNAL ? EXIT_INTERNAL : EXIT_USAGE;
	}
	printf("# respond: answered %llu, refused %llu, rate-limited %llu, "
	    "malformed %llu, TCP connections %llu (%llu refused), log full "
	    "%llu", (unsigned long long)st.answered,
	    (unsigned long long)st.refused, (unsigned long long)st.limited,
	    (unsigned long long)st.malformed, (unsigned long long)st.tcp_conns,
	    (unsigned long long)st.tcp_refused,
	    (unsigned long long)st.log_full);
	if (st.hop_answers > 0)
		printf(", TTL-limited answers %llu (%llu time exceeded)",
		    (unsigned long long)st.hop_answers,
		    (unsigned long long)st.time_exceeded);
	if (o->pcap[0] != '\0')
		printf(", capture %u frames (%llu dropped)", st.frames,
		    (unsigned long long)st.capture_drops);
	printf("%s\n", st.interrupted ? ", stopped by a signal" : "");
	return EXIT_CLEAN;
}

/* The command line's command, start to end; main() then tidies. */
static int
run(int argc, char **argv)
{
	struct ep_options o;
	struct ep_report r;
	struct ep_measure_set set;
	struct ep_err err = { 0, "" };
	int status, json_fd = -1, report_fd = -1;

	memset(&r, 0, sizeof(r));
	/* Probe states hold 64 KiB buffers of which a query uses a few
	 * hundred bytes (raw probes: 192 KiB): mapped and unmapped whole,
	 * the pages never touched cost nothing.  Without a fixed threshold
	 * glibc raises it after the first free and serves them from the
	 * heap, which keeps whatever pages were ever touched: a survey of
	 * 128 targets with raw probes grew to 370 MB. */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	if (ep_options_parse(argc, argv, &o, &err) == -1) {
		fprintf(stderr, "ednsprobe: %s\n", err.msg);
		ep_options_usage_line(stderr, o.cmd);
		return EXIT_USAGE;
	}
	if (o.help) {
		ep_options_help(stdout, o.cmd);
		return EXIT_CLEAN;
	}
	if (o.version) {
		printf("ednsprobe %s\n", EP_VERSION);
		return EXIT_CLEAN;
	}
	if (o.cmd == EP_CMD_COMPLETION) {
		if (ep_completion_write(stdout, o.file, &err) == -1) {
			fprintf(stderr, "ednsprobe: %s\n", err.msg);
			return EXIT_INTERNAL;
		}
		return EXIT_CLEAN;
	}
	ep_log_level(o.verbose);
	command_line(argc, argv, r.command, sizeof(r.command));
	if (ep_privs_choose_user(o.user, &err) == -1) {
		fprintf(stderr, "ednsprobe: %s\n", err.msg);
		return EXIT_USAGE;
	}
	if (check_stdout(&o, &err) == -1) {
		fprintf(stderr, "ednsprobe: %s\n", err.msg);
		ep_options_usage_line(stderr, o.cmd);
		return EXIT_USAGE;
	}
	if (check_iface(&o, &err) == -1) {
		fprintf(stderr, "ednsprobe: %s\n", err.msg);
		return EXIT_USAGE;
	}
	if (o.json_file[0] != '\0' &&
	    (json_fd = open_out_file("-o", o.json_file, &err)) == -1) {
		fprintf(stderr, "ednsprobe: %s\n", err.msg);
		return EXIT_USAGE;
	}
	if (o.report[0] != '\0' &&
	    (report_fd = open_out_file("--report", o.report, &err)) == -1) {
		fprintf(stderr, "ednsprobe: %s\n", err.msg);
		return EXIT_USAGE;
	}
	if (open_capture(&o, &err) == -1) {
		fprintf(stderr, "ednsprobe: %s\n", err.msg);
		return EXIT_USAGE;
	}
	/* An output on standard output ("-", copied above): the text
	 * report goes to standard error. */
	if ((strcmp(o.json_file, "-") == 0 || strcmp(o.report, "-") == 0 ||
	    (o.pcap_open && strcmp(o.pcap, "-") == 0)) &&
	    dup2(STDERR_FILENO, STDOUT_FILENO) == -1) {
		fprintf(stderr, "ednsprobe: standard output: %s\n",
		    strerror(errno));
		return EXIT_INTERNAL;
	}
	ep_measures_for(&o, &set);	/* what path and compliance run */
	r.compliance = o.cmd == EP_CMD_COMPLY;	/* the report's kind */
	if (o.cmd == EP_CMD_SURVEY)
		return survey(&o, &r, report_fd);
	if (o.cmd == EP_CMD_RESPOND)
		return respond(&o);
	if (o.cmd == EP_CMD_ZONE) {
		if (ep_zone_run(&o, &r, &err) == -1) {
			fprintf(stderr, "ednsprobe: %s\n", err.msg);
			ep_report_fini(&r);
				return err.code == EP_EUSAGE || err.code == ENOENT ||
			    err.code == EACCES ? EXIT_USAGE : EXIT_INTERNAL;
		}
		if (r.zone->error[0] != '\0')
			fprintf(stderr, "ednsprobe: zone %s: %s\n",
			    r.zone->name, r.zone->error);
	} else if (o.cmd == EP_CMD_RESOLVER) {
		if (ep_resolver_run(&o, &r, &err) == -1) {
			fprintf(stderr, "ednsprobe: %s\n", err.msg);
			ep_report_fini(&r);
				return err.code == EP_ERESOLVE ? EXIT_RESOLVE :
			    err.code == EP_EUSAGE || err.code == ENOENT ||
			    err.code == EACCES ? EXIT_USAGE : EXIT_INTERNAL;
		}
	} else if (o.cmd == EP_CMD_ANALYZE) {
		const char *what = strcmp(o.file, "-") == 0 ?
		    "standard input" : o.file;

		if (ep_analyze(o.file, o.port, &r, &err) == -1) {
			fprintf(stderr, "ednsprobe: %s\n", err.msg);
			ep_report_fini(&r);
				return EXIT_BADFILE;
		}
		if (r.ntargets == 0 && r.orphan_replies > 0)
			fprintf(stderr, "ednsprobe: %s: no DNS exchange on "
			    "port %u in the capture, only %llu replies whose "
			    "queries are not in it (one direction only, or "
			    "started after the queries?)\n", what, o.port,
			    (unsigned long long)r.orphan_replies);
		else if (r.ntargets == 0)
			fprintf(stderr, "ednsprobe: %s: no DNS exchange on "
			    "port %u in the capture (--port: another)\n",
			    what, o.port);
	} else if (ep_run_targets(&o, &r, &err) == -1) {
		fprintf(stderr, "ednsprobe: %s\n", err.msg);
		ep_report_fini(&r);
		return err.code == EP_ERESOLVE ? EXIT_RESOLVE : EXIT_INTERNAL;
	} else if (ep_run_path(&o, &set, &r, &err) == -1) {
		fprintf(stderr, "ednsprobe: %s\n", err.msg);
		ep_report_fini(&r);
		return EXIT_INTERNAL;
	} else
		ep_verdict_report(&r);	/* IPv4 against IPv6 */
	status = o.cmd == EP_CMD_ZONE ? zone_status(&r) : exit_status(&r);
	if (o.genreport) {
		char line[2048];

		for (int i = 0; i < r.ntargets; i++)
			printf("%s\n", ep_comply_line(&r.targets[i],
			    r.server, line, sizeof(line)));
		fflush(stdout);
	} else if (o.json) {
		if (ep_out_json(stdout, &r, &err) == -1)
			status = EXIT_INTERNAL;
	} else if (o.short_out)
		ep_out_short(stdout, &r);
	else
		ep_out_text(stdout, &r, o.verbose);
	if (o.json_file[0] != '\0') {
		if (write_out_file(json_fd, o.json_file, &r, ep_out_json,
		    &err) == -1) {
			fprintf(stderr, "ednsprobe: %s\n", err.msg);
			status = EXIT_INTERNAL;
		} else if (!o.json && strcmp(o.json_file, "-") != 0)
			printf("JSON report: %s\n", o.json_file);
	}
	if (o.report[0] != '\0') {
		if (write_out_file(report_fd, o.report, &r, ep_out_report,
		    &err) == -1) {
			fprintf(stderr, "ednsprobe: %s\n", err.msg);
			status = EXIT_INTERNAL;
		} else if (!o.json && strcmp(o.report, "-") != 0)
			printf("Ticket report: %s\n", o.report);
	}
	if (status == EXIT_INTERNAL && err.msg[0])
		fprintf(stderr, "ednsprobe: %s\n", err.msg);
	ep_report_fini(&r);
	return status;
}

int
main(int argc, char **argv)
{
	int status = run(argc, argv);

	out_fini();
	return status;
}
