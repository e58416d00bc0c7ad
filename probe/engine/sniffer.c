/* probe/engine/sniffer.c: live capture in the run's loop, and the
 * capture's view of a target (its probes' signatures, where the evidence
 * goes) for the live and the offline matcher. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "evidence.h"
#include "engine/log.h"
#include "sniff.h"
#include "engine/sniffer.h"

#define FILTER_MAX	2048

struct ep_sniffer {
	struct ep_loop		*loop;		/* not owned */
	struct ep_report	*r;		/* not owned: its targets */
	struct ep_sniff		*sniff;		/* owned */
	struct ep_wire		*wire;		/* owned */
	struct ep_wire_target	*views;		/* owned: one per target */
	struct ep_wire_sig	*sigs;		/* owned: EP_PROBES_MAX for each
						   view */
	uint64_t		*keys;		/* owned: what each sig's label
						   was made of (label_key) */
	struct ep_pcapw		*out;		/* owned via ev.out */
	struct ep_evidence	 ev;
	uint64_t		 start_us;	/* wall clock */
	int			 pre_fd;	/* owned: a copy of the capture
						   file main opened, until the
						   writer takes it; -1 */
	int			 watching;
};

/* The label's makings (label_key packs them), as wire.c's comments name
 * a probe: "probe 9 udp 4000 do large". */
static void
make_label(const struct ep_probe_spec *sp, char *buf, size_t len)
{
	char bs[16] = "";

	if (sp->edns)
		snprintf(bs, sizeof(bs), " %u", sp->bufsize);
	snprintf(buf, len, "probe %d %s%s%s%s", sp->id,
	    ep_transport_str(sp->transport), bs, sp->dnssec_ok ? " do" : "",
	    sp->subject == EP_SUBJ_LARGE ? " large" :
	    sp->subject == EP_SUBJ_MEDIUM ? " medium" : " small");
}

/* Everything make_label reads of sp, packed; never 0.  Equal keys make
 * equal labels, so a live view formats a label only when it changed. */
static uint64_t
label_key(const struct ep_probe_spec *sp)
{
	uint64_t tr = sp->transport == EP_TCP ? 1 : sp->transport == EP_RAW ?
	    2 : 0;
	uint64_t subj = sp->subject == EP_SUBJ_LARGE ? 1 :
	    sp->subject == EP_SUBJ_MEDIUM ? 2 : 0;

	return (uint64_t)(uint32_t)sp->id | tr << 32 | subj << 34 |
	    (uint64_t)(sp->dnssec_ok != 0) << 36 |
	    (uint64_t)(sp->edns ? sp->bufsize : 0) << 37 |
	    (uint64_t)(sp->edns != 0) << 53 | (uint64_t)1 << 63;
}

/* wt's address from t's (family 0: an empty slot). */
static void
view_addr(const struct ep_target *t, struct ep_wire_target *wt)
{
	const struct sockaddr_storage *ss = &t->addr;

	wt->family = t->family;
	memset(wt->addr, 0, sizeof(wt->addr));
	if (t->family == 4)
		memcpy(wt->addr, &((const struct sockaddr_in *)
		    (const void *)ss)->sin_addr, 4);
	else if (t->family == 6)
		memcpy(wt->addr, &((const struct sockaddr_in6 *)
		    (const void *)ss)->sin6_addr, 16);
}

/* wt's signatures from t's probes, in their order; keys (NULL: none) say
 * which labels are made already. */
static void
view_sigs(struct ep_target *t, struct ep_wire_target *wt, uint64_t *keys)
{
	int n = t->nprobes < EP_PROBES_MAX ? t->nprobes : EP_PROBES_MAX;

	for (int k = 0; k < n; k++) {
		struct ep_probe_record *p = &t->probes[k];
		struct ep_wire_sig *s = &wt->sigs[k];
		uint64_t key = label_key(&p->spec);

		s->proto = p->spec.transport == EP_TCP ? IPPROTO_TCP :
		    IPPROTO_UDP;
		s->qid = p->res.qid;
		s->nlports = p->res.nlports < EP_WIRE_LPORTS ?
		    p->res.nlports : EP_WIRE_LPORTS;
		memcpy(s->lports, p->res.lports, sizeof(s->lports));
		s->ev = &p->wire;
		if (keys == NULL || keys[k] != key) {
			make_label(&p->spec, s->label, sizeof(s->label));
			if (keys != NULL)
				keys[k] = key;
		}
	}
	wt->nsigs = n;
	wt->stale = 0;
}

void
ep_sniffer_view(struct ep_target *t, struct ep_wire_target *wt,
    struct ep_wire_sig *sigs)
{
	memset(wt, 0, sizeof(*wt));
	view_addr(t, wt);
	wt->sigs = sigs;
	wt->orphan_dgrams = &t->orphan_dgrams;
	wt->orphan_frags = &t->orphan_frags;
	wt->orphan_frames = t->orphan_frames;
	wt->norphan_frames = &t->norphan_frames;
	wt->ptb = &t->ptb;
	view_sigs(t, wt, NULL);
}

/* An ep_wire_sync_cb: a live target's probes as they are now. */
static void
sync_view(void *arg, struct ep_wire_target *wt)
{
	struct ep_sniffer *s = arg;
	size_t i = (size_t)(wt - s->views);

	view_sigs(&s->r->targets[i], wt, s->keys + i * EP_PROBES_MAX);
}

/* The interface whose address a socket toward t would use, into name. */
static int
route_iface(const struct ep_target *t, char *name, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct ifaddrs *ifs, *i;
	int fd, found = -1;

	if ((fd = socket(t->addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0))
	    == -1)
		return -1;
	if (connect(fd, (const struct sockaddr *)&t->addr, t->addrlen) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	if (getifaddrs(&ifs) == -1)
		return -1;
	for (i = ifs; i != NULL && found == -1; i = i->ifa_next) {
		const struct sockaddr *a = i->ifa_addr;

		if (a == NULL || a->sa_family != ss.ss_family)
			continue;
		if ((a->sa_family == AF_INET && memcmp(
		    &((const struct sockaddr_in *)(const void *)a)->sin_addr,
		    &((struct sockaddr_in *)&ss)->sin_addr, 4) == 0) ||
		    (a->sa_family == AF_INET6 && memcmp(
		    &((const struct sockaddr_in6 *)(const void *)a)->sin6_addr,
		    &((struct sockaddr_in6 *)&ss)->sin6_addr, 16) == 0)) {
			snprintf(name, len, "%s", i->ifa_name);
			found = 0;
		}
	}
	freeifaddrs(ifs);
	return found;
}

/* The interface for every target: one route's, or "any" when the routes
 * differ or cannot be told. */
static void
choose_iface(const struct ep_options *o, const struct ep_report *r,
    char *name, size_t len)
{
	char one[IF_NAMESIZE + 1];

	if (o->iface[0] != '\0') {
		snprintf(name, len, "%s", o->iface);
		return;
	}
	name[0] = '\0';
	for (int i = 0; i < r->ntargets; i++) {
		if (r->targets[i].family == 0)
			continue;	/* a survey's empty slot */
		if (route_iface(&r->targets[i], one, sizeof(one)) == -1 ||
		    (name[0] != '\0' && strcmp(name, one) != 0)) {
			snprintf(name, len, "any");
			return;
		}
		snprintf(name, len, "%s", one);
	}
	if (name[0] == '\0')
		snprintf(name, len, "any");
}

/*
 * DNS to and from the targets, their fragments (no ports), IPv6 packets
 * behind a Hop-by-Hop or Destination Options header (BPF's "port" looks
 * at the fixed header's Next Header only), and ICMP errors about our
 * packets from any router.
 */
static void
make_filter(const struct ep_options *o, const struct ep_report *r,
    char *f, size_t len)
{
	size_t n = 0;
	int hosts = 0;

	n += (size_t)snprintf(f + n, len - n, "((");
	for (int i = 0; i < r->ntargets && n < len; i++)
		if (r->targets[i].family != 0)
			n += (size_t)snprintf(f + n, len - n, "%shost %s",
			    hosts++ ? " or " : "", r->targets[i].addr_str);
	if (hosts == 0)
		n = (size_t)snprintf(f, len, "((ip or ip6");
	if (n < len)
		snprintf(f + n, len - n, ") and (port %u or "
		    "(ip and ip[6:2] & 0x3fff != 0) or "
		    "(ip6 and (ip6[6] == 44 or ip6[6] == 0 or ip6[6] == 60))))"
		    " or (icmp and (icmp[0] == 3 or icmp[0] == 11 or "
		    "icmp[0] == 12)) or (icmp6 and ip6[40] < 128)", o->port);
}

void
ep_sniffer_default_name(const struct ep_options *o, char *buf, size_t len)
{
	char server[sizeof(o->server)], when[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;

	snprintf(server, sizeof(server), "%s", o->cmd == EP_CMD_SURVEY ?
	    "survey" : o->server);
	for (i = 0; server[i] != '\0'; i++)
		if (!((server[i] >= 'a' && server[i] <= 'z') ||
		    (server[i] >= 'A' && server[i] <= 'Z') ||
		    (server[i] >= '0' && server[i] <= '9') ||
		    server[i] == '.' || server[i] == '-'))
			server[i] = '_';
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, len, "ednsprobe-%s-%s.%s", server, when,
	    o->pcap_classic ? "pcap" : "pcapng");
}

/*
 * Frames are read only here, and the probes do not change while they
 * are: the views are brought up to date first, addresses at once (a
 * survey's slots change hands), signatures when a frame needs them.
 */
static void
drain(struct ep_sniffer *s)
{
	struct ep_err err;

	for (int i = 0; i < s->r->ntargets; i++) {
		view_addr(&s->r->targets[i], &s->views[i]);
		s->views[i].stale = 1;
	}
	if (ep_sniff_read(s->sniff, 0, ep_evidence_frame, &s->ev, &err) == -1)
		snprintf(s->ev.error, s->ev.error_len, "%s", err.msg);
}

static void
readable(void *arg, int fd, unsigned events)
{
	(void)fd;
	(void)events;
	drain(arg);
}

static struct ep_sniffer *
skip(struct ep_sniffer *s, struct ep_report *r, const char *why)
{
	snprintf(r->capture.skipped, sizeof(r->capture.skipped), "%s", why);
	ep_verbose(EP_VERB_OPS, "capture skipped: %s", r->capture.skipped);
	if (s != NULL) {
		struct ep_err err;

		/* Our copy of the file main opened; main removes the file
		 * at exit if it stays empty. */
		if (s->pre_fd != -1)
			close(s->pre_fd);
		if (s->watching)
			ep_loop_unwatch(s->loop, ep_sniff_fd(s->sniff));
		ep_pcapw_close(s->ev.out, &err);
		ep_wire_free(s->wire);
		ep_sniff_close(s->sniff);
		free(s->views);
		free(s->sigs);
		free(s->keys);
		free(s);
	}
	memset(&r->capture.path, 0, sizeof(r->capture.path));
	r->capture.on = 0;
	return NULL;
}

struct ep_sniffer *
ep_sniffer_start(struct ep_loop *l, const struct ep_options *o,
    struct ep_report *r)
{
	struct ep_capture *c = &r->capture;
	struct ep_sniffer *s;
	char filter[FILTER_MAX], why[sizeof(c->skipped)];
	struct ep_err err;
	struct timespec ts;
	size_t nviews;

	memset(c, 0, sizeof(*c));
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return skip(NULL, r, "out of memory");
	/* A copy of main's descriptor: the writer owns this one. */
	s->pre_fd = -1;
	if (o->pcap_open &&
	    (s->pre_fd = fcntl(o->pcap_fd, F_DUPFD_CLOEXEC, 3)) == -1)
		return skip(s, r, "cannot write the capture file: no "
		    "descriptor left");
	s->loop = l;
	s->r = r;
	choose_iface(o, r, c->iface, sizeof(c->iface));
	make_filter(o, r, filter, sizeof(filter));
	if ((s->sniff = ep_sniff_live(c->iface, filter, &err)) == NULL) {
		if (err.code == EPERM)
			snprintf(why, sizeof(why), "no permission to capture "
			    "on %s: run as root, or grant it with 'setcap "
			    "cap_net_raw,cap_net_admin+eip ednsprobe'",
			    c->iface);
		else
			snprintf(why, sizeof(why), "cannot capture on %s: %s",
			    c->iface, err.msg);
		return skip(s, r, why);
	}
	nviews = r->ntargets > 0 ? (size_t)r->ntargets : 1;
	s->views = calloc(nviews, sizeof(*s->views));
	s->sigs = calloc(nviews * EP_PROBES_MAX, sizeof(*s->sigs));
	s->keys = calloc(nviews * EP_PROBES_MAX, sizeof(*s->keys));
	if (s->views == NULL || s->sigs == NULL || s->keys == NULL)
		return skip(s, r, "out of memory");
	for (int i = 0; i < r->ntargets; i++)
		ep_sniffer_view(&r->targets[i], &s->views[i],
		    s->sigs + (size_t)i * EP_PROBES_MAX);
	if ((s->wire = ep_wire_new(s->views, r->ntargets, sync_view, s))
	    == NULL)
		return skip(s, r, "out of memory");
	c->link = ep_sniff_link(s->sniff);
	c->pcapng = !o->pcap_classic;
	if (s->pre_fd != -1) {
		/* Opened (and handed over) by main before the run, named
		 * o->pcap (the default name by then, if none was given). */
		snprintf(c->path, sizeof(c->path), "%s", o->pcap);
		s->ev.out = ep_pcapw_open_fd(s->pre_fd, c->path,
		    o->pcap_classic ? EP_PCAP_CLASSIC : EP_PCAP_NG, c->link,
		    65535, c->iface, "ednsprobe " EP_VERSION, r->command, &err);
		s->pre_fd = -1;
		if (s->ev.out == NULL) {
			snprintf(why, sizeof(why), "cannot write the capture "
			    "file: %s", err.msg);
			return skip(s, r, why);
		}
	}
	s->ev.link = c->link;
	s->ev.dns_port = o->port;	/* -p: DNS is read on it */
	s->ev.wire = s->wire;
	s->ev.error = c->error;
	s->ev.error_len = sizeof(c->error);
	for (int i = 0; i < r->ntargets; i++)
		s->ev.only_ours |= r->targets[i].family == 0;
	if (ep_loop_watch(l, ep_sniff_fd(s->sniff), EP_EV_READ, readable, s,
	    &err) == -1)
		return skip(s, r, err.msg);
	s->watching = 1;
	clock_gettime(CLOCK_REALTIME, &ts);
	s->start_us = (uint64_t)ts.tv_sec * 1000000u +
	    (uint64_t)ts.tv_nsec / 1000u;
	c->on = 1;
	ep_verbose(EP_VERB_OPS, "capture on %s, filter: %s", c->iface,
	    filter);
	return s;
}

void
ep_sniffer_target_done(struct ep_sniffer *s, struct ep_target *t)
{
	if (s == NULL)
		return;
	drain(s);
	ep_wire_settle(s->wire, &s->views[t - s->r->targets]);
}

int
ep_sniffer_drops(struct ep_sniffer *s, uint64_t *drops)
{
	uint64_t recv = 0;

	if (s == NULL)
		return -1;
	return ep_sniff_stats(s->sniff, &recv, drops);
}

void
ep_sniffer_stop(struct ep_sniffer *s, struct ep_report *r)
{
	struct ep_capture *c = &r->capture;
	uint64_t recv = 0, drop = 0, end_us;
	struct timespec ts;
	struct ep_err err;

	if (s == NULL)
		return;
	drain(s);
	if (s->watching)
		ep_loop_unwatch(s->loop, ep_sniff_fd(s->sniff));
	ep_wire_finish(s->wire);
	clock_gettime(CLOCK_REALTIME, &ts);
	end_us = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	if (ep_sniff_stats(s->sniff, &recv, &drop) == 0) {
		c->stats_known = 1;
		c->dropped = drop;
	}
	c->frames = s->ev.nframes;
	c->cut = s->ev.cut;
	if (s->ev.out != NULL) {
		if (c->stats_known)
			ep_pcapw_stats(s->ev.out, s->start_us, end_us, recv,
			    drop, &err);
		if (ep_pcapw_close(s->ev.out, &err) == -1)
			snprintf(c->error, sizeof(c->error), "%s", err.msg);
	} else if (!c->error[0])
		c->path[0] = '\0';
	ep_wire_free(s->wire);
	ep_sniff_close(s->sniff);
	free(s->views);
	free(s->sigs);
	free(s->keys);
	free(s);
}
