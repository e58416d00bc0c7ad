/* probe/output/out_json.c: the JSON report (field names are stable: docs/json.md). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "measure/measures.h"
#include "output/output.h"
#include "engine/query.h"
#include "measure/verdict.h"

/* A size that is never 0 when measured (a DNS message, an IP datagram),
 * or null: a run without the sizes measurement (compliance, analyze of
 * a compliance capture) leaves them 0, not -1. */
static json_t *
measured_or_null(long v)
{
	return v <= 0 ? json_null() : json_integer(v);
}

/* Milliseconds to the microsecond; a value too large to round through a
 * long (a hostile capture's timestamps) as it is, and NaN as null. */
static json_t *
ms_or_null(double v)
{
	if (!(v >= 0))
		return json_null();
	return json_real(v < 9e15 ? (double)(long)(v * 1000) / 1000.0 : v);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Frame numbers, sorted, as a JSON array. */
static json_t *
frames_json(const uint32_t *frames, int n)
{
	uint32_t sorted[EP_WIRE_FRAMES > EP_EVIDENCE_MAX ? EP_WIRE_FRAMES :
	    EP_EVIDENCE_MAX];
	json_t *a = json_array();

	if (n > (int)(sizeof(sorted) / sizeof(sorted[0])))
		n = (int)(sizeof(sorted) / sizeof(sorted[0]));
	memcpy(sorted, frames, (size_t)n * sizeof(sorted[0]));
	qsort(sorted, (size_t)n, sizeof(sorted[0]), cmp_u32);
	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_integer(sorted[i]));
	return a;
}

static json_t *
icmp_json(const struct ep_wire_icmp *ic)
{
	char from[INET6_ADDRSTRLEN] = "?";
	json_t *o;

	if (ic->family == 0)
		return json_null();
	o = json_object();
	inet_ntop(ic->family == 4 ? AF_INET : AF_INET6, ic->from, from,
	    sizeof(from));
	json_object_set_new(o, "type", json_integer(ic->type));
	json_object_set_new(o, "code", json_integer(ic->code));
	json_object_set_new(o, "from", json_string(from));
	json_object_set_new(o, "mtu", ic->mtu ? json_integer(ic->mtu) :
	    json_null());
	json_object_set_new(o, "ttl", json_integer(ic->ttl));
	json_object_set_new(o, "frame", json_integer(ic->frame));
	return o;
}

/* The distinct TTLs of a kind of frame, sorted. */
static json_t *
ttls_json(const struct ep_wire_ttl *k)
{
	uint32_t v[EP_WIRE_TTLS];
	json_t *a = json_array();

	for (int i = 0; i < k->n; i++)
		v[i] = k->ttl[i];
	qsort(v, (size_t)k->n, sizeof(v[0]), cmp_u32);
	for (int i = 0; i < k->n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

/* What the capture saw of a probe; null without a capture. */
static void
wire_json(json_t *o, const struct ep_probe_wire *w, int cap)
{
	json_t *fi, *wo;

	if (!cap) {
		json_object_set_new(o, "fragments_in", json_null());
		json_object_set_new(o, "wire", json_null());
		json_object_set_new(o, "frames", json_array());
		return;
	}
	fi = json_object();
	json_object_set_new(fi, "datagrams", json_integer(w->frag_dgrams));
	json_object_set_new(fi, "complete", json_integer(w->frag_complete));
	json_object_set_new(fi, "fragments", json_integer(w->frags));
	json_object_set_new(fi, "overlapping", json_integer(w->frag_overlap));
	json_object_set_new(o, "fragments_in", fi);
	wo = json_object();
	json_object_set_new(wo, "queries", json_integer(w->queries));
	json_object_set_new(wo, "replies", json_integer(w->replies));
	json_object_set_new(wo, "reply_bytes", w->replies ?
	    json_integer(w->reply_bytes) : json_null());
	json_object_set_new(wo, "reply_ttl", ttls_json(&w->reply_ttl));
	json_object_set_new(wo, "reset_ttl", ttls_json(&w->reset_ttl));
	json_object_set_new(wo, "icmp", icmp_json(&w->icmp));
	json_object_set_new(o, "wire", wo);
	json_object_set_new(o, "frames", frames_json(w->frames, w->nframes));
}

/* A size measured, or null when 0 (not measured). */
static json_t *
size_or_null(uint32_t v)
{
	return v ? json_integer(v) : json_null();
}

/* What the responder's log says of a two-ended probe, or null. */
static json_t *
far_json(const struct ep_probe_record *pr)
{
	const struct ep_probe_far *f = &pr->far;
	json_t *o;

	if (!f->known)
		return json_null();
	o = json_object();
	json_object_set_new(o, "arrived", json_integer(f->seen));
	json_object_set_new(o, "query_bytes", f->seen ?
	    json_integer(f->qsize) : json_null());
	json_object_set_new(o, "fragment_in", size_or_null(f->frag));
	json_object_set_new(o, "answer_bytes", size_or_null(f->sent));
	json_object_set_new(o, "tc", json_boolean(f->tc));
	json_object_set_new(o, "packets", size_or_null(f->pkts));
	json_object_set_new(o, "how", f->seen ? json_string(f->how) :
	    json_null());
	/* h<N> answers only: the TTL it left with, the router that
	 * returned it (its Time Exceeded), null when none did. */
	if (pr->spec.tw_ttl) {
		json_object_set_new(o, "answer_ttl", size_or_null(f->ttl));
		json_object_set_new(o, "time_exceeded_from", f->te[0] ?
		    json_string(f->te) : json_null());
	}
	return o;
}

static json_t *
probe_json(const struct ep_probe_record *pr, int cap)
{
	const struct ep_probe_spec *s = &pr->spec;
	const struct ep_probe_result *r = &pr->res;
	const struct ep_dns_msg *m = &r->reply;
	int reply = r->outcome == EP_OUT_ANSWER ||
	    r->outcome == EP_OUT_TRUNCATED || r->outcome == EP_OUT_MALFORMED;
	char name[EP_DNAME_STRMAX], type[16], rc[16];
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(s->id));
	json_object_set_new(o, "kind", json_string(ep_transport_str(
	    s->transport)));
	json_object_set_new(o, "role", json_string(ep_role_str(s->role)));
	if (s->transport == EP_RAW) {
		json_object_set_new(o, "ip_size", json_integer(s->ip_size));
		json_object_set_new(o, "send", json_string(s->raw ==
		    EP_RAW_DF ? "df" : s->raw == EP_RAW_FRAG ? "fragments" :
		    "whole"));
		json_object_set_new(o, "fragment_size", s->raw ==
		    EP_RAW_FRAG ? json_integer(s->frag_size) : json_null());
		json_object_set_new(o, "ttl", s->ttl ? json_integer(s->ttl) :
		    json_null());
		if (s->eh != 0) {
			json_t *eh = json_array();

			/* In the order of the packet's chain. */
			if (s->eh & EP_EH_HBH)
				json_array_append_new(eh, json_string(
				    "hop_by_hop"));
			if (s->eh & EP_EH_DST)
				json_array_append_new(eh, json_string(
				    "dst_opts"));
			json_object_set_new(o, "ext_headers", eh);
		}
	}
	json_object_set_new(o, "subject", json_string(ep_subject_str(
	    s->subject)));
	json_object_set_new(o, "qname", json_string(ep_dns_name_str(s->qname,
	    s->qname_len, name, sizeof(name))));
	json_object_set_new(o, "qtype", json_string(ep_query_type_str(
	    s->qtype, type, sizeof(type))));
	json_object_set_new(o, "edns", json_boolean(s->edns));
	json_object_set_new(o, "bufsize", s->edns ? json_integer(s->bufsize) :
	    json_null());
	json_object_set_new(o, "do", json_boolean(s->dnssec_ok));
	json_object_set_new(o, "sent_bytes", json_integer((json_int_t)
	    r->sent_bytes));
	json_object_set_new(o, "tries", json_integer(r->tries));
	json_object_set_new(o, "outcome", json_string(ep_outcome_str(
	    r->outcome)));
	json_object_set_new(o, "response_bytes", reply ?
	    json_integer((json_int_t)m->length) : json_null());
	json_object_set_new(o, "tc", reply ? json_boolean(m->flags &
	    EP_DNS_TC) : json_null());
	json_object_set_new(o, "rcode", reply ? json_string(ep_dns_rcode_str(
	    m->rcode, rc, sizeof(rc))) : json_null());
	json_object_set_new(o, "aa", reply ? json_boolean(m->flags &
	    EP_DNS_AA) : json_null());
	json_object_set_new(o, "ad", reply ? json_boolean(m->flags &
	    EP_DNS_AD) : json_null());
	json_object_set_new(o, "rrsig", reply ? json_boolean(m->an_rrsig) :
	    json_null());
	if (reply && m->opt_count > 0) {
		json_t *e = json_object();

		json_object_set_new(e, "udp_size", json_integer(m->edns_udp));
		json_object_set_new(e, "version", json_integer(
		    m->edns_version));
		json_object_set_new(e, "do", json_boolean(m->edns_flags &
		    EP_DNS_EDNS_DO));
		json_object_set_new(e, "options", json_integer(
		    m->edns_options));
		json_object_set_new(o, "edns_reply", e);
	} else
		json_object_set_new(o, "edns_reply", json_null());
	if (r->outcome == EP_OUT_MALFORMED)
		json_object_set_new(o, "malformed", json_string(
		    ep_dns_strstatus(m->status)));
	json_object_set_new(o, "rtt_ms", ms_or_null(r->rtt_ms));
	json_object_set_new(o, "waited_ms", json_integer(r->waited_ms));
	if (s->transport == EP_TCP) {
		json_object_set_new(o, "connected", json_boolean(
		    r->connected));
		json_object_set_new(o, "connect_ms", ms_or_null(
		    r->connect_ms));
		json_object_set_new(o, "stream_bytes", json_integer(
		    (json_int_t)r->stream_bytes));
		json_object_set_new(o, "peer_closed", json_boolean(
		    r->peer_closed));
	}
	if (r->outcome == EP_OUT_ICMP) {
		json_t *i = json_object();
		char from[64];

		json_object_set_new(i, "type", json_integer(r->icmp_type));
		json_object_set_new(i, "code", json_integer(r->icmp_code));
		json_object_set_new(i, "from", r->icmp_from.ss_family ?
		    json_string(ep_sockaddr_str(&r->icmp_from, from,
		    sizeof(from))) : json_null());
		json_object_set_new(i, "mtu", r->icmp_mtu ?
		    json_integer(r->icmp_mtu) : json_null());
		json_object_set_new(o, "icmp", i);
	}
	if (r->sys_errno)
		json_object_set_new(o, "error", json_string(strerror(
		    r->sys_errno)));
	if (r->ignored)
		json_object_set_new(o, "ignored_replies", json_integer(
		    r->ignored));
	wire_json(o, &pr->wire, cap);
	if (s->tw_want != 0)
		json_object_set_new(o, "far", far_json(pr));
	return o;
}

/* The sections of t's measurements at at (engine/measure.h), each under
 * its key. */
static void
sections(json_t *o, const struct ep_target *t, const char *server,
    enum ep_json_at at)
{
	const struct ep_measure_set *all = ep_measures_all();

	for (int k = 0; k < all->n; k++)
		if (all->m[k]->json != NULL && all->m[k]->json_at == at)
			json_object_set_new(o, all->m[k]->json_key,
			    all->m[k]->json(t, server));
}

json_t *
ep_out_json_target(const struct ep_target *t, int cap, const char *server)
{
	const struct ep_path *p = &t->path;
	json_t *o = json_object(), *probes = json_array(),
	    *path = json_object(), *findings = json_array(), *sz, *dh, *eh;
	char resume[512];

	json_object_set_new(o, "address", json_string(t->addr_str));
	json_object_set_new(o, "family", json_integer(t->family));
	if (t->role != NULL)
		json_object_set_new(o, "role", json_string(t->role));
	json_object_set_new(o, "name", json_string(t->name));
	json_object_set_new(o, "qtype", json_string(t->qtype_str));
	json_object_set_new(o, "timeout_ms", json_integer(t->timeout_ms));
	json_object_set_new(o, "tcp_wait_ms", t->tcp_wait_ms ?
	    json_integer(t->tcp_wait_ms) : json_null());
	json_object_set_new(o, "baseline_rtt_ms", ms_or_null(t->base_rtt_ms));
	for (int i = 0; i < t->nprobes; i++)
		json_array_append_new(probes, probe_json(&t->probes[i], cap));
	json_object_set_new(o, "probes", probes);
	if (cap) {
		json_t *orph = json_object();

		json_object_set_new(orph, "datagrams", json_integer(
		    t->orphan_dgrams));
		json_object_set_new(orph, "fragments", json_integer(
		    t->orphan_frags));
		json_object_set_new(orph, "frames", frames_json(
		    t->orphan_frames, t->norphan_frames));
		json_object_set_new(o, "headless_fragments", orph);
		json_object_set_new(o, "too_big", icmp_json(&t->ptb));
		if (t->cut_exchanges)	/* analyze: docs/json.md */
			json_object_set_new(o, "cut_exchanges", json_integer(
			    t->cut_exchanges));
	} else {
		json_object_set_new(o, "headless_fragments", json_null());
		json_object_set_new(o, "too_big", json_null());
	}

	json_object_set_new(path, "edns", json_string(ep_fact_str("edns",
	    p->edns)));
	json_object_set_new(path, "udp_max_response",
	    measured_or_null(p->udp_max_response));
	json_object_set_new(path, "frag_in", json_string(ep_fact_str(
	    "frag_in", p->frag_in)));
	json_object_set_new(path, "frag_out", json_string(ep_fact_str(
	    "frag_out", p->frag_out)));
	json_object_set_new(path, "tcp", json_string(ep_fact_str("tcp",
	    p->tcp)));
	json_object_set_new(path, "pmtu", measured_or_null(p->pmtu));
	json_object_set_new(path, "pmtud", json_string(ep_fact_str("pmtud",
	    p->pmtud)));
	dh = json_array();
	for (int i = 0; i < p->ndrops; i++) {
		const struct ep_drop *d = &p->drops[i];
		json_t *e = json_object(), *sil = json_array();

		json_object_set_new(e, "what", json_string(d->what));
		json_object_set_new(e, "direction", json_string(
		    d->dir == EP_DROP_IN ? "in" : "out"));
		json_object_set_new(e, "ttl", json_integer(d->ttl));
		json_object_set_new(e, "address", d->addr[0] ?
		    json_string(d->addr) : json_null());
		for (int k = 0; k < d->silent; k++)
			json_array_append_new(sil, json_integer(d->ttl + k));
		json_object_set_new(e, "silent_hops", sil);
		json_array_append_new(dh, e);
	}
	json_object_set_new(path, "drop_hop", dh);
	eh = json_object();
	json_object_set_new(eh, "dst_opts", json_string(ep_fact_str(
	    "ext_headers", p->eh_dst)));
	json_object_set_new(eh, "hop_by_hop", json_string(ep_fact_str(
	    "ext_headers", p->eh_hbh)));
	json_object_set_new(path, "ext_headers", eh);
	json_object_set_new(path, "server_hops", p->server_ttl ?
	    json_integer(p->server_ttl) : json_null());
	json_object_set_new(path, "iface_mtu", p->iface_mtu > 0 ?
	    json_integer(p->iface_mtu) : json_null());
	sz = json_object();
	for (int s = 0; s < EP_SUBJ_COUNT; s++)
		json_object_set_new(sz, ep_subject_str(s),
		    measured_or_null(p->size_known[s]));
	json_object_set_new(path, "answer_sizes", sz);
	json_object_set_new(o, "path", path);
	sections(o, t, server, EP_JSON_AFTER_PATH);

	for (int i = 0; i < t->nfindings; i++) {
		const struct ep_finding *f = &t->findings[i];
		json_t *fo = json_object(), *ev = json_object(),
		    *ids = json_array();

		json_object_set_new(fo, "id", json_string(ep_finding_name(f->id)));
		json_object_set_new(fo, "severity", json_string(
		    ep_severity_str(f->severity)));
		json_object_set_new(fo, "summary", json_string(f->summary));
		for (int k = 0; k < f->nprobes; k++)
			json_array_append_new(ids, json_integer(f->probes[k]));
		json_object_set_new(ev, "probes", ids);
		json_object_set_new(ev, "frames", frames_json(f->frames,
		    f->nframes));
		json_object_set_new(fo, "evidence", ev);
		json_object_set_new(fo, "advice", json_string(f->advice));
		json_array_append_new(findings, fo);
	}
	json_object_set_new(o, "findings", findings);
	sections(o, t, server, EP_JSON_AFTER_FINDINGS);
	json_object_set_new(o, "resume", json_string(ep_out_resume(t, resume,
	    sizeof(resume))));
	return o;
}

void
ep_out_json_run(json_t *o, const struct ep_report *r)
{
	json_object_set_new(o, "ednsprobe", json_string(EP_VERSION));
	json_object_set_new(o, "command", json_string(r->command));
	json_object_set_new(o, "started", json_string(r->started));
	json_object_set_new(o, "duration_ms", json_integer((json_int_t)
	    r->duration_ms));
	json_object_set_new(o, "interrupted", json_boolean(r->interrupted));
	json_object_set_new(o, "pcap", r->capture.path[0] ?
	    json_string(r->capture.path) : json_null());
	if (r->capture.on) {
		const struct ep_capture *c = &r->capture;
		json_t *co = json_object();

		json_object_set_new(co, "iface", c->iface[0] ?
		    json_string(c->iface) : json_null());
		json_object_set_new(co, "link", json_integer(c->link));
		json_object_set_new(co, "format", json_string(c->pcapng ?
		    "pcapng" : "pcap"));
		json_object_set_new(co, "frames", json_integer((json_int_t)
		    c->frames));
		json_object_set_new(co, "cut", json_integer((json_int_t)
		    c->cut));
		json_object_set_new(co, "dropped", c->stats_known ?
		    json_integer((json_int_t)c->dropped) : json_null());
		json_object_set_new(co, "error", c->error[0] ?
		    json_string(c->error) : json_null());
		/* Only when there are any: analyze of a TCP capture. */
		if (c->tcp_unseen)
			json_object_set_new(co, "tcp_streams_unseen",
			    json_integer((json_int_t)c->tcp_unseen));
		if (c->tcp_evicted)
			json_object_set_new(co, "tcp_streams_evicted",
			    json_integer((json_int_t)c->tcp_evicted));
		json_object_set_new(o, "capture", co);
	} else
		json_object_set_new(o, "capture", json_null());
	if (r->unanalysed)
		json_object_set_new(o, "unanalysed_queries", json_integer(
		    (json_int_t)r->unanalysed));
	if (r->orphan_replies)
		json_object_set_new(o, "replies_without_query", json_integer(
		    (json_int_t)r->orphan_replies));
	json_object_set_new(o, "raw_skipped", r->raw_skipped[0] ?
	    json_string(r->raw_skipped) : json_null());
	json_object_set_new(o, "capture_skipped", r->capture.skipped[0] ?
	    json_string(r->capture.skipped) : json_null());
}

json_t *
ep_out_json_new(const struct ep_report *r)
{
	json_t *o = json_object(), *targets = json_array();

	if (o == NULL || targets == NULL) {
		json_decref(o);
		json_decref(targets);
		return NULL;
	}
	json_object_set_new(o, "schema", json_integer(1));
	ep_out_json_run(o, r);
	for (int i = 0; i < r->ntargets; i++)
		json_array_append_new(targets, ep_out_json_target(&r->targets[i],
		    r->capture.on, r->server));
	json_object_set_new(o, "targets", targets);
	if (r->zone != NULL)
		json_object_set_new(o, "zone", ep_out_json_zone(r->zone));
	return o;
}

int
ep_out_json(FILE *fp, const struct ep_report *r, struct ep_err *err)
{
	json_t *o = ep_out_json_new(r);
	int rc;

	if (o == NULL)
		return ep_err_set(err, ENOMEM, "out of memory");
	rc = json_dumpf(o, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (rc == -1 || fputc('\n', fp) == EOF || fflush(fp) == EOF)
		return ep_err_set(err, errno, "writing JSON: %s",
		    strerror(errno));
	return 0;
}
