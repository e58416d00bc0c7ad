/* probe/output/out_text.c: the readable report: probe table, findings, resume
 * lines. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measure/comply.h"
#include "measure/measures.h"
#include "output/output.h"
#include "engine/query.h"
#include "measure/verdict.h"

const char *
ep_out_resume(const struct ep_target *t, char *buf, size_t len)
{
	const struct ep_path *p = &t->path;
	const struct ep_comply_set *cs = ep_comply_results(t);
	char udp[32] = "none";
	size_t n;

	if (p->udp_max_response >= 0)
		snprintf(udp, sizeof(udp), "%ld", p->udp_max_response);
	if (ep_comply_alone(t))
		n = (size_t)snprintf(buf, len, "%s:", t->addr_str);
	else
		n = (size_t)snprintf(buf, len, "%s: edns %s, udp max %s, "
		    "frag-in %s, tcp %s", t->addr_str, ep_fact_str("edns",
		    p->edns), udp, ep_fact_str("frag_in", p->frag_in),
		    ep_fact_str("tcp", p->tcp));
	/* The raw probes' facts, when they were measured. */
	if (p->frag_out != EP_FACT_UNTESTED && n < len)
		n += (size_t)snprintf(buf + n, len - n, ", frag-out %s",
		    ep_fact_str("frag_out", p->frag_out));
	if (p->eh_dst != EP_FACT_UNTESTED && n < len)
		n += (size_t)snprintf(buf + n, len - n, ", dst-opts %s",
		    ep_fact_str("ext_headers", p->eh_dst));
	if (p->eh_hbh != EP_FACT_UNTESTED && n < len)
		n += (size_t)snprintf(buf + n, len - n, ", hop-by-hop %s",
		    ep_fact_str("ext_headers", p->eh_hbh));
	if (p->pmtu > 0 && n < len)
		n += (size_t)snprintf(buf + n, len - n, ", pmtu %ld%s",
		    p->pmtu, p->pmtud == EP_FACT_DROPPED ? " blackhole" :
		    p->pmtud == EP_FACT_OK ? " (icmp ok)" : "");
	if (cs->n > 0 && n < len) {
		int all = 0, ok = 0;

		for (int i = 0; i < cs->n; i++) {
			all += cs->r[i].genreport;
			ok += cs->r[i].genreport && cs->r[i].ok;
		}
		n += (size_t)snprintf(buf + n, len - n, "%s compliance %d of "
		    "%d ok", ep_comply_alone(t) ? "" : ",", ok, all);
	}
	if (n < len)
		n += (size_t)snprintf(buf + n, len - n, " ->");
	if (t->nfindings == 0 && n < len)
		snprintf(buf + n, len - n, " no findings");
	for (int i = 0; i < t->nfindings && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s %s",
		    i ? "," : "", ep_finding_name(t->findings[i].id));
	return buf;
}

static void
probe_line(FILE *fp, const struct ep_probe_record *pr)
{
	const struct ep_probe_spec *s = &pr->spec;
	const struct ep_probe_result *r = &pr->res;
	char name[EP_DNAME_STRMAX], type[16], q[80], edns[8] = "-",
	    bytes[16] = "-", rc[16] = "-", rtt[16] = "-", icmp[128] = "";
	int reply = r->outcome == EP_OUT_ANSWER ||
	    r->outcome == EP_OUT_TRUNCATED || r->outcome == EP_OUT_MALFORMED;

	snprintf(q, sizeof(q), "%s %s", ep_dns_name_str(s->qname,
	    s->qname_len, name, sizeof(name)), ep_query_type_str(s->qtype,
	    type, sizeof(type)));
	/* Raw probes: how the query left, by its IP size (and TTL). */
	if (s->ttl)
		snprintf(q + strlen(q), sizeof(q) - strlen(q), " ttl %u",
		    s->ttl);
	if (s->transport == EP_RAW)
		snprintf(q + strlen(q), sizeof(q) - strlen(q), " %s %u",
		    s->raw == EP_RAW_DF ? "DF" : s->raw == EP_RAW_FRAG ?
		    "frags of" : "whole", s->raw == EP_RAW_FRAG ?
		    s->frag_size : s->ip_size);
	if (s->eh & EP_EH_HBH)
		snprintf(q + strlen(q), sizeof(q) - strlen(q), " +hbh");
	if (s->eh & EP_EH_DST)
		snprintf(q + strlen(q), sizeof(q) - strlen(q), " +dstopt");
	if (s->edns)
		snprintf(edns, sizeof(edns), "%u", s->bufsize);
	if (reply) {
		snprintf(bytes, sizeof(bytes), "%zu", r->reply.length);
		ep_dns_rcode_str(r->reply.rcode, rc, sizeof(rc));
	}
	if (r->rtt_ms >= 0)
		snprintf(rtt, sizeof(rtt), "%.2f", r->rtt_ms);
	else if (r->outcome == EP_OUT_TIMEOUT ||
	    r->outcome == EP_OUT_NOANSWER)
		snprintf(rtt, sizeof(rtt), ">%u", r->waited_ms);
	if (r->outcome == EP_OUT_ICMP) {
		char from[64];

		snprintf(icmp, sizeof(icmp), "  <- %s ICMP %d/%d%s",
		    ep_sockaddr_str(&r->icmp_from, from, sizeof(from)),
		    r->icmp_type, r->icmp_code, r->icmp_mtu ? " too big" :
		    "");
		if (r->icmp_mtu)
			snprintf(icmp + strlen(icmp), sizeof(icmp) -
			    strlen(icmp), ", MTU %u", r->icmp_mtu);
	}
	fprintf(fp, "  %3d %-3s %-36.36s %5s %-2s %4zu %-11s %5s %-2s "
	    "%-8s %8s %d%s\n", s->id, ep_transport_str(s->transport), q, edns,
	    s->dnssec_ok ? "do" : "-", r->sent_bytes, ep_outcome_str(
	    r->outcome), bytes, reply && (r->reply.flags & EP_DNS_TC) ? "tc" :
	    "-", rc, rtt, r->tries, icmp);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* "3-5, 9, 12" for Wireshark's "Go to packet" and frame.number filters. */
const char *
ep_out_frames(const struct ep_finding *f, char *buf, size_t len)
{
	uint32_t v[EP_EVIDENCE_MAX];
	size_t n = 0;
	int k = f->nframes;

	memcpy(v, f->frames, (size_t)k * sizeof(v[0]));
	qsort(v, (size_t)k, sizeof(v[0]), cmp_u32);
	buf[0] = '\0';
	for (int i = 0; i < k && n < len; i++) {
		int j = i;

		while (j + 1 < k && v[j + 1] == v[j] + 1)
			j++;
		n += (size_t)snprintf(buf + n, len - n, j > i ? "%s%u-%u" :
		    "%s%u", i ? ", " : "", v[i], v[j]);
		i = j;
	}
	return buf;
}

/* The sections of t's measurements at at (engine/measure.h). */
static void
sections(FILE *fp, const struct ep_target *t, const char *server,
    enum ep_text_at at)
{
	const struct ep_measure_set *all = ep_measures_all();

	for (int k = 0; k < all->n; k++)
		if (all->m[k]->text != NULL && all->m[k]->text_at == at)
			all->m[k]->text(fp, t, server);
}

static void
target_text(FILE *fp, const struct ep_target *t, const char *server,
    int brief)
{
	char frames[256];
	int beyond = 0;
	char resume[512], mtu[16] = "unknown", rtt[24] = "none";
	int retried = 0;

	if (t->path.iface_mtu > 0)
		snprintf(mtu, sizeof(mtu), "%d", t->path.iface_mtu);
	if (t->base_rtt_ms >= 0)
		snprintf(rtt, sizeof(rtt), "%.2f ms", t->base_rtt_ms);
	if (ep_comply_alone(t))
		fprintf(fp, "\n%s (IPv%d), zone %s, EDNS compliance\n"
		    "  baseline RTT %s, ", t->addr_str, t->family, t->name,
		    rtt);
	else
		fprintf(fp, "\n%s (IPv%d%s%s), name %s, large answer %s\n"
		    "  baseline RTT %s, ", t->addr_str, t->family,
		    t->role ? ", " : "", t->role ? t->role : "", t->name,
		    t->qtype_str, rtt);
	if (t->timeout_ms)
		fprintf(fp, "timeout %u ms", t->timeout_ms);
	else
		fprintf(fp, "timeout unknown");
	if (t->tcp_wait_ms)
		fprintf(fp, " (UDP %u ms once TCP had the answer)",
		    t->tcp_wait_ms);
	fprintf(fp, ", route MTU %s\n\n", mtu);
	sections(fp, t, server, EP_TEXT_BEFORE_PROBES);
	if (brief)
		goto findings;	/* zone: the probes of each address with -v */
	fprintf(fp, "  %3s %-3s %-36s %5s %-2s %4s %-11s %5s %-2s %-8s %8s "
	    "%s\n", "id", "via", "question", "edns", "do", "sent", "outcome",
	    "bytes", "tc", "rcode", "ms", "tries");
	for (int i = 0; i < t->nprobes; i++) {
		/* TTL probes past the server were not needed: counted below. */
		if (t->probes[i].spec.role == EP_ROLE_HOP &&
		    t->probes[i].res.outcome == EP_OUT_SKIPPED) {
			beyond++;
			continue;
		}
		probe_line(fp, &t->probes[i]);
		retried += t->probes[i].res.tries > 1 &&
		    t->probes[i].spec.transport == EP_UDP &&
		    t->probes[i].res.outcome != EP_OUT_TIMEOUT;
	}
	if (beyond)
		fprintf(fp, "  (%d TTL probes beyond the server, %d hops "
		    "away, not needed)\n", beyond, t->path.server_ttl);
	if (retried)
		fprintf(fp, "  (%d UDP probes needed more than one try: loss "
		    "that a retry recovered is not a finding)\n", retried);
	fprintf(fp, "\n");
	sections(fp, t, server, EP_TEXT_AFTER_PROBES);
findings:
	if (t->nfindings == 0)
		fprintf(fp, "  No findings: %s.\n", ep_comply_alone(t) ?
		    "every compliance test passed" :
		    ep_comply_results(t)->n > 0 ?
		    "every measured size and transport worked, every "
		    "compliance test passed" : "every measured size and "
		    "transport worked");
	for (int i = 0; i < t->nfindings; i++) {
		const struct ep_finding *f = &t->findings[i];

		fprintf(fp, "  %-7s %s\n          %s\n", ep_severity_str(
		    f->severity), ep_finding_name(f->id), f->summary);
		if (f->nprobes > 0) {
			fprintf(fp, "          evidence: probes");
			for (int k = 0; k < f->nprobes; k++)
				fprintf(fp, "%s %d", k ? "," : "",
				    f->probes[k]);
			if (f->nframes > 0)
				fprintf(fp, "; frames %s", ep_out_frames(f,
				    frames, sizeof(frames)));
			fprintf(fp, "\n");
		}
		fprintf(fp, "          advice: %s\n", f->advice);
	}
	fprintf(fp, "Resume: %s\n", ep_out_resume(t, resume, sizeof(resume)));
}

void
ep_out_short(FILE *fp, const struct ep_report *r)
{
	char resume[512];

	for (int i = 0; i < r->ntargets; i++)
		fprintf(fp, "Resume: %s\n", ep_out_resume(&r->targets[i],
		    resume, sizeof(resume)));
}

void
ep_out_text(FILE *fp, const struct ep_report *r, int verbose)
{
	fprintf(fp, "ednsprobe %s  %s  (%s, %llu ms)%s\n", EP_VERSION,
	    r->command, r->started, (unsigned long long)r->duration_ms,
	    r->interrupted ? "  INTERRUPTED: results are partial" : "");
	if (r->zone != NULL)
		ep_out_text_zone(fp, r->zone);
	for (int i = 0; i < r->ntargets; i++)
		target_text(fp, &r->targets[i], r->server,
		    (r->zone != NULL || r->resolver) && !verbose);
	if (r->capture.on) {
		fprintf(fp, "Capture: %llu frames%s%s", (unsigned long long)
		    r->capture.frames, r->capture.iface[0] ? " on " : "",
		    r->capture.iface);
		if (r->capture.cut)
			fprintf(fp, ", %llu cut by the snap length (their "
			    "DNS content is unknown)",
			    (unsigned long long)r->capture.cut);
		if (r->capture.tcp_unseen)
			fprintf(fp, ", %llu TCP streams with bytes the "
			    "capture missed (what follows is unknown)",
			    (unsigned long long)r->capture.tcp_unseen);
		if (r->capture.tcp_evicted)
			fprintf(fp, ", %llu TCP streams past the reassembler's "
			    "bound", (unsigned long long)r->capture.tcp_evicted);
		if (r->capture.stats_known)
			fprintf(fp, ", %llu dropped by the kernel",
			    (unsigned long long)r->capture.dropped);
		if (r->orphan_replies)
			fprintf(fp, ", %llu DNS %s whose queries are not in "
			    "it", (unsigned long long)r->orphan_replies,
			    r->orphan_replies == 1 ? "reply" : "replies");
		fprintf(fp, "%s%s\n", r->capture.path[0] ? " -> " : "",
		    r->capture.path);
		if (r->capture.error[0])
			fprintf(fp, "Capture error: %s\n", r->capture.error);
	} else if (r->capture.skipped[0])
		fprintf(fp, "Capture skipped: %s\n", r->capture.skipped);
	if (r->raw_skipped[0])
		fprintf(fp, "Raw probes skipped: %s\n", r->raw_skipped);
	fflush(fp);
}
