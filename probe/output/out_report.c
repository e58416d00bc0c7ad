/* probe/output/out_report.c: the ticket report (--report FILE): one Markdown
 * file a firewall vendor or a colleague can act on, next to the capture
 * it cites. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ednsprobe/zone.h"
#include "measure/measures.h"
#include "output/output.h"
#include "engine/query.h"
#include "measure/verdict.h"

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* "frame.number in {3, 4, 5, 9}": every frame named, commas between
 * (Wireshark 4 wants them; 3.6 reads them too). */
static const char *
frame_filter(const struct ep_finding *f, char *buf, size_t len)
{
	uint32_t v[EP_EVIDENCE_MAX];
	size_t n;

	memcpy(v, f->frames, (size_t)f->nframes * sizeof(v[0]));
	qsort(v, (size_t)f->nframes, sizeof(v[0]), cmp_u32);
	n = (size_t)snprintf(buf, len, "frame.number in {");
	for (int i = 0; i < f->nframes && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%u", i ? ", " : "",
		    v[i]);
	if (n < len)
		snprintf(buf + n, len - n, "}");
	return buf;
}

/* A target's finding: what, evidence (probes, frames, how to see them),
 * advice. */
static void
finding_md(FILE *fp, const struct ep_report *r, const struct ep_target *t,
    const struct ep_finding *f)
{
	char frames[256], filter[512];

	fprintf(fp, "### %s `%s` at %s\n\n%s\n\n", ep_severity_str(
	    f->severity), ep_finding_name(f->id), t->addr_str, f->summary);
	if (f->nprobes > 0) {
		fprintf(fp, "- Evidence: probes");
		for (int k = 0; k < f->nprobes; k++)
			fprintf(fp, "%s %d", k ? "," : "", f->probes[k]);
		fprintf(fp, " (the probe table of %s below)\n", t->addr_str);
	}
	if (f->nframes > 0 && r->capture.path[0] != '\0') {
		frame_filter(f, filter, sizeof(filter));
		fprintf(fp, "- Frames %s of `%s`\n", ep_out_frames(f, frames,
		    sizeof(frames)), r->capture.path);
		fprintf(fp, "- Wireshark display filter: `%s`\n", filter);
		fprintf(fp, "- tshark: `tshark -r '%s' -Y '%s'`\n",
		    r->capture.path, filter);
	} else if (f->nframes > 0)
		fprintf(fp, "- Frames %s (the capture was not written: "
		    "--no-pcap)\n", ep_out_frames(f, frames, sizeof(frames)));
	fprintf(fp, "- What to do: %s\n\n", f->advice);
}

static void
probes_md(FILE *fp, const struct ep_target *t)
{
	fprintf(fp, "| probe | via | question | EDNS | DO | outcome | "
	    "bytes | TC | rcode | ms | tries |\n"
	    "|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (int i = 0; i < t->nprobes; i++) {
		const struct ep_probe_record *p = &t->probes[i];
		const struct ep_dns_msg *m = &p->res.reply;
		int reply = p->res.outcome == EP_OUT_ANSWER ||
		    p->res.outcome == EP_OUT_TRUNCATED;
		char name[EP_DNAME_STRMAX], type[16], rc[16];

		if (p->res.outcome == EP_OUT_SKIPPED)
			continue;
		fprintf(fp, "| %d | %s | %s %s | ", p->spec.id,
		    ep_transport_str(p->spec.transport), ep_dns_name_str(
		    p->spec.qname, p->spec.qname_len, name, sizeof(name)),
		    ep_query_type_str(p->spec.qtype, type, sizeof(type)));
		if (p->spec.edns)
			fprintf(fp, "%u", p->spec.bufsize);
		else
			fprintf(fp, "-");
		fprintf(fp, " | %s | %s | ", p->spec.dnssec_ok ? "do" : "-",
		    ep_outcome_str(p->res.outcome));
		if (reply)
			fprintf(fp, "%zu | %s | %s | ", m->length,
			    (m->flags & EP_DNS_TC) ? "tc" : "-",
			    ep_dns_rcode_str(m->rcode, rc, sizeof(rc)));
		else
			fprintf(fp, "- | - | - | ");
		if (p->res.rtt_ms >= 0)
			fprintf(fp, "%.2f", p->res.rtt_ms);
		else
			fprintf(fp, "-");
		fprintf(fp, " | %d |\n", p->res.tries);
	}
	fprintf(fp, "\n");
}

static void
zone_md(FILE *fp, const struct ep_zone *z)
{
	fprintf(fp, "## Delegation of %s\n\n", z->name);
	if (z->error[0] != '\0') {
		fprintf(fp, "No delegation could be checked: %s\n\n", z->error);
		return;
	}
	if (z->delegated)
		fprintf(fp, "Parent zone %s, referral read from %s.\n\n",
		    z->parent, z->parent_addr);
	fprintf(fp, "| server | answer | SOA serial | NS RRset |\n"
	    "|---|---|---|---|\n");
	for (int a = 0; a < z->naddrs; a++) {
		const struct ep_zone_addr *za = &z->addrs[a];

		fprintf(fp, "| %s (%s) | %s | ", za->str, za->ns >= 0 ?
		    z->ns[za->ns].name : "?", ep_zone_auth_str(za->auth));
		if (za->have_serial)
			fprintf(fp, "%u", za->serial);
		else
			fprintf(fp, "-");
		fprintf(fp, " | %s |\n", za->have_nsset ? za->nsset : "-");
	}
	fprintf(fp, "\n");
	for (int i = 0; i < z->nfindings; i++) {
		const struct ep_zone_finding *f = &z->findings[i];

		fprintf(fp, "### %s `%s`\n\n%s\n\n", ep_severity_str(
		    f->f.severity), ep_finding_name(f->f.id), f->f.summary);
		for (int k = 0; k < f->ncites; k++)
			fprintf(fp, "- Evidence: `%s`\n", f->cites[k]);
		fprintf(fp, "- What to do: %s\n\n", f->f.advice);
	}
	if (z->nfindings == 0)
		fprintf(fp, "No delegation or DNSSEC finding.\n\n");
}

void
ep_out_report_head(FILE *fp, const struct ep_report *r, const char *what)
{
	fprintf(fp, "# ednsprobe report: %s\n\n", what);
	fprintf(fp, "- Tested: %s, by ednsprobe %s%s\n", r->started,
	    EP_VERSION, r->interrupted ?
	    " (INTERRUPTED: partial results)" : "");
	fprintf(fp, "- Command (run it again to reproduce): `%s`\n",
	    r->command);
	if (r->capture.on)
		fprintf(fp, "- Capture: %s%s on %s\n",
		    r->capture.path[0] ? r->capture.path : "(not written)",
		    r->capture.path[0] ? (!r->capture.pcapng ? " (pcap)" :
		    r->server[0] == '\0' ? " (pcapng)" :	/* analyze */
		    " (pcapng, our frames commented with their probe)") : "",
		    r->capture.iface[0] ? r->capture.iface : "?");
	else if (r->capture.skipped[0])
		fprintf(fp, "- Capture: none (%s)\n", r->capture.skipped);
	if (r->raw_skipped[0])
		fprintf(fp, "- Raw probes skipped: %s\n", r->raw_skipped);
	fprintf(fp, "\n");
}

void
ep_out_report_findings(FILE *fp, const struct ep_report *r,
    const struct ep_target *t)
{
	for (int k = 0; k < t->nfindings; k++)
		finding_md(fp, r, t, &t->findings[k]);
}

int
ep_out_report(FILE *fp, const struct ep_report *r, struct ep_err *err)
{
	const struct ep_measure_set *all = ep_measures_all();
	int nf = 0;
	char resume[512];

	for (int i = 0; i < r->ntargets; i++)
		nf += r->targets[i].nfindings;
	ep_out_report_head(fp, r, r->server[0] ? r->server : "capture");
	fprintf(fp, "- Duration: %llu ms", (unsigned long long)r->duration_ms);
	if (r->capture.on)
		fprintf(fp, "; %llu frames captured%s",
		    (unsigned long long)r->capture.frames,
		    r->capture.stats_known && r->capture.dropped ?
		    " (the kernel dropped some: see each target)" : "");
	fprintf(fp, "\n\n## Summary\n\n| target | route MTU | result |\n"
	    "|---|---|---|\n");
	for (int i = 0; i < r->ntargets; i++) {
		const struct ep_target *t = &r->targets[i];

		fprintf(fp, "| %s (IPv%d%s%s) | ", t->addr_str, t->family,
		    t->role ? ", " : "", t->role ? t->role : "");
		if (t->path.iface_mtu > 0)
			fprintf(fp, "%d", t->path.iface_mtu);
		else
			fprintf(fp, "?");
		fprintf(fp, " | %s |\n", ep_out_resume(t, resume,
		    sizeof(resume)));
	}
	fprintf(fp, "\n");
	if (r->zone != NULL)
		zone_md(fp, r->zone);
	/* Each target's sections of its measurements. */
	for (int i = 0; i < r->ntargets; i++)
		for (int k = 0; k < all->n; k++)
			if (all->m[k]->report != NULL)
				all->m[k]->report(fp, &r->targets[i]);
	fprintf(fp, "## Findings\n\n");
	if (nf == 0)
		fprintf(fp, "None: every measured size and transport worked.\n\n");
	for (int i = 0; i < r->ntargets; i++)
		ep_out_report_findings(fp, r, &r->targets[i]);
	fprintf(fp, "## Probes\n\n");
	for (int i = 0; i < r->ntargets; i++) {
		fprintf(fp, "### %s\n\n", r->targets[i].addr_str);
		probes_md(fp, &r->targets[i]);
	}
	if (fflush(fp) == EOF || ferror(fp))
		return ep_err_set(err, errno, "writing the report: %s",
		    strerror(errno));
	return 0;
}
