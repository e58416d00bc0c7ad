/* probe/measure/finding.c: making findings. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "measure/finding.h"

void
ep_finding_vset(struct ep_finding *f, enum ep_finding_id id, const char *fmt,
    va_list ap)
{
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->severity = ep_finding_severity(id);
	if (vsnprintf(f->summary, sizeof(f->summary), fmt, ap) >=
	    (int)sizeof(f->summary))
		memcpy(f->summary + sizeof(f->summary) - 4, "...", 4);
}

struct ep_finding *
ep_finding_add(struct ep_target *t, enum ep_finding_id id, const char *fmt,
    ...)
{
	static struct ep_finding overflow;	/* dropped, counts lost */
	struct ep_finding *f = t->nfindings < EP_FINDINGS_MAX ?
	    &t->findings[t->nfindings++] : &overflow;
	va_list ap;

	va_start(ap, fmt);
	ep_finding_vset(f, id, fmt, ap);
	va_end(ap);
	return f;
}

void
ep_finding_advise(struct ep_finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->advice, sizeof(f->advice), fmt, ap);
	va_end(ap);
}

void
ep_finding_cite_frame(struct ep_finding *f, uint32_t frame)
{
	for (int i = 0; i < f->nframes; i++)
		if (f->frames[i] == frame)
			return;
	if (f->nframes < EP_EVIDENCE_MAX)
		f->frames[f->nframes++] = frame;
}

void
ep_finding_cite(struct ep_finding *f, const struct ep_probe_record *r)
{
	for (int i = 0; i < f->nprobes; i++)
		if (f->probes[i] == r->spec.id)
			return;
	if (f->nprobes < EP_EVIDENCE_MAX)
		f->probes[f->nprobes++] = r->spec.id;
	for (int i = 0; i < r->wire.nframes; i++)
		ep_finding_cite_frame(f, r->wire.frames[i]);
}

int
ep_finding_has(const struct ep_target *t, enum ep_finding_id id)
{
	for (int i = 0; i < t->nfindings; i++)
		if (t->findings[i].id == id)
			return 1;
	return 0;
}
