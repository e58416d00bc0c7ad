/* probe/output/out_zone.c: the zone command's section of the report, as text
 * and as JSON (docs/json.md "zone"). */
#include <stdio.h>
#include <string.h>

#include "ednsprobe/zone.h"
#include "output/output.h"
#include "engine/query.h"

static json_t *
addr_refs(const struct ep_zone *z, const int *list, int n)
{
	json_t *a = json_array();

	for (int k = 0; k < n; k++)
		json_array_append_new(a, json_string(z->addrs[list[k]].str));
	return a;
}

static json_t *
key_json(const struct ep_zone_key *k, int kind)
{
	json_t *o = json_object();

	json_object_set_new(o, "key_tag", json_integer(k->tag));
	json_object_set_new(o, "algorithm", json_integer(k->alg));
	if (kind == 0) {
		json_object_set_new(o, "digest_type",
		    json_integer(k->digest_type));
		json_object_set_new(o, "matches_dnskey",
		    json_boolean(k->matches));
	} else if (kind == 1) {
		json_object_set_new(o, "flags", json_integer(k->flags));
		json_object_set_new(o, "ds_points_here",
		    json_boolean(k->matches));
	} else {
		json_object_set_new(o, "type_covered", json_integer(
		    k->covered));
		json_object_set_new(o, "inception", json_integer(
		    k->inception));
		json_object_set_new(o, "expiration", json_integer(
		    k->expiration));
		json_object_set_new(o, "valid", json_boolean(k->matches));
		json_object_set_new(o, "why", k->why[0] ? json_string(k->why) :
		    json_null());
	}
	return o;
}

static json_t *
keys_json(const struct ep_zone_key *k, int n, int kind)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, key_json(&k[i], kind));
	return a;
}

json_t *
ep_out_json_zone(const struct ep_zone *z)
{
	json_t *o = json_object(), *ns = json_array(), *ad = json_array(),
	    *fs = json_array(), *ds = json_object();

	json_object_set_new(o, "name", json_string(z->name));
	json_object_set_new(o, "error", z->error[0] ? json_string(z->error) :
	    json_null());
	json_object_set_new(o, "parent", z->parent[0] ?
	    json_string(z->parent) : json_null());
	json_object_set_new(o, "parent_server", z->parent_addr[0] ?
	    json_string(z->parent_addr) : json_null());
	json_object_set_new(o, "delegated", json_boolean(z->delegated));
	json_object_set_new(o, "queries", json_integer((json_int_t)
	    z->queries));
	for (int i = 0; i < z->nns; i++) {
		const struct ep_zone_ns *n = &z->ns[i];
		json_t *e = json_object();

		json_object_set_new(e, "name", json_string(n->name));
		json_object_set_new(e, "at_parent", json_boolean(n->at_parent));
		json_object_set_new(e, "at_child", json_boolean(n->at_child));
		json_object_set_new(e, "in_zone", json_boolean(n->in_zone));
		json_object_set_new(e, "glue", addr_refs(z, n->glue, n->nglue));
		json_object_set_new(e, "addresses", addr_refs(z, n->auth,
		    n->nauth));
		json_object_set_new(e, "cname", n->cname[0] ?
		    json_string(n->cname) : json_null());
		json_object_set_new(e, "nxdomain", json_boolean(n->nxdomain));
		json_array_append_new(ns, e);
	}
	json_object_set_new(o, "name_servers", ns);
	for (int a = 0; a < z->naddrs; a++) {
		const struct ep_zone_addr *za = &z->addrs[a];
		json_t *e = json_object();

		json_object_set_new(e, "address", json_string(za->str));
		json_object_set_new(e, "family", json_integer(za->family));
		json_object_set_new(e, "name", za->ns >= 0 ?
		    json_string(z->ns[za->ns].name) : json_null());
		json_object_set_new(e, "from_glue", json_boolean(
		    za->from_glue));
		json_object_set_new(e, "from_zone", json_boolean(
		    za->from_auth));
		json_object_set_new(e, "answer", json_string(ep_zone_auth_str(
		    za->auth)));
		json_object_set_new(e, "serial", za->have_serial ?
		    json_integer(za->serial) : json_null());
		json_object_set_new(e, "ns_rrset", za->have_nsset ?
		    json_string(za->nsset) : json_null());
		json_object_set_new(e, "rtt_ms", za->rtt_ms >= 0 ?
		    json_real(za->rtt_ms) : json_null());
		json_object_set_new(e, "target", za->target >= 0 ?
		    json_integer(za->target) : json_null());
		json_array_append_new(ad, e);
	}
	json_object_set_new(o, "servers", ad);
	json_object_set_new(o, "left_out", json_integer(z->addrs_left_out +
	    z->ns_left_out));
	json_object_set_new(ds, "ds", keys_json(z->ds, z->nds, 0));
	json_object_set_new(ds, "dnskey", keys_json(z->dnskey, z->ndnskey, 1));
	json_object_set_new(ds, "rrsig", keys_json(z->rrsig, z->nrrsig, 2));
	json_object_set_new(ds, "keys_from", z->keys_from[0] ?
	    json_string(z->keys_from) : json_null());
	json_object_set_new(ds, "nsec3", json_boolean(z->nsec3));
	json_object_set_new(ds, "checked_at", json_integer((json_int_t)
	    z->checked_at));
	json_object_set_new(o, "dnssec", ds);
	for (int i = 0; i < z->nfindings; i++) {
		const struct ep_zone_finding *f = &z->findings[i];
		json_t *e = json_object(), *c = json_array();

		json_object_set_new(e, "id", json_string(ep_finding_name(f->f.id)));
		json_object_set_new(e, "severity", json_string(
		    ep_severity_str(f->f.severity)));
		json_object_set_new(e, "summary", json_string(f->f.summary));
		json_object_set_new(e, "advice", json_string(f->f.advice));
		for (int k = 0; k < f->ncites; k++)
			json_array_append_new(c, json_string(f->cites[k]));
		json_object_set_new(e, "evidence", c);
		json_array_append_new(fs, e);
	}
	json_object_set_new(o, "findings", fs);
	return o;
}

static void
addrs_text(FILE *fp, const struct ep_zone *z, const int *list, int n)
{
	for (int k = 0; k < n; k++)
		fprintf(fp, " %s", z->addrs[list[k]].str);
	if (n == 0)
		fprintf(fp, " -");
}

void
ep_out_text_zone(FILE *fp, const struct ep_zone *z)
{
	fprintf(fp, "\nZone %s", z->name);
	if (z->delegated)
		fprintf(fp, ", delegated from %s (asked %s)", z->parent,
		    z->parent_addr);
	fprintf(fp, ", %llu questions\n", (unsigned long long)z->queries);
	if (z->error[0] != '\0') {
		fprintf(fp, "  No delegation to check: %s\n", z->error);
		return;
	}
	fprintf(fp, "\n  %-28s %-6s %-6s %s\n", "name server", "parent",
	    "child", "glue / zone addresses");
	for (int i = 0; i < z->nns; i++) {
		const struct ep_zone_ns *n = &z->ns[i];

		fprintf(fp, "  %-28s %-6s %-6s glue", n->name,
		    n->at_parent ? "yes" : "no", n->at_child ? "yes" : "no");
		addrs_text(fp, z, n->glue, n->nglue);
		fprintf(fp, " / zone");
		if (n->cname[0])
			fprintf(fp, " CNAME %s", n->cname);
		else if (n->nxdomain)
			fprintf(fp, " NXDOMAIN");
		else
			addrs_text(fp, z, n->auth, n->nauth);
		fprintf(fp, "\n");
	}
	fprintf(fp, "\n  %-26s %-18s %-10s %8s  %s\n", "server", "answer",
	    "serial", "rtt ms", "NS RRset");
	for (int a = 0; a < z->naddrs; a++) {
		const struct ep_zone_addr *za = &z->addrs[a];
		char serial[16] = "-", rtt[16] = "-";

		if (za->have_serial)
			snprintf(serial, sizeof(serial), "%u", za->serial);
		if (za->rtt_ms >= 0)
			snprintf(rtt, sizeof(rtt), "%.2f", za->rtt_ms);
		fprintf(fp, "  %-26s %-18s %-10s %8s  %s\n", za->str,
		    ep_zone_auth_str(za->auth), serial, rtt,
		    za->have_nsset ? za->nsset : "-");
	}
	if (z->nds + z->ndnskey > 0) {
		fprintf(fp, "\n  DNSSEC:");
		for (int i = 0; i < z->nds; i++)
			fprintf(fp, " DS %u/%u/%u%s", z->ds[i].tag,
			    z->ds[i].alg, z->ds[i].digest_type,
			    z->ds[i].matches ? "" : " (no key)");
		for (int i = 0; i < z->ndnskey; i++)
			fprintf(fp, " DNSKEY %u/%u flags %u%s", z->dnskey[i].tag,
			    z->dnskey[i].alg, z->dnskey[i].flags,
			    z->dnskey[i].matches ? " (DS)" : "");
		fprintf(fp, "\n");
		for (int i = 0; i < z->nrrsig; i++) {
			char type[16];

			fprintf(fp, "    RRSIG %s by key %u: %s\n",
			    ep_query_type_str(z->rrsig[i].covered, type,
			    sizeof(type)), z->rrsig[i].tag,
			    z->rrsig[i].matches ? "valid" : z->rrsig[i].why);
		}
	}
	fprintf(fp, "\n");
	if (z->nfindings == 0)
		fprintf(fp, "  No delegation or DNSSEC findings.\n");
	for (int i = 0; i < z->nfindings; i++) {
		const struct ep_zone_finding *f = &z->findings[i];

		fprintf(fp, "  %-7s %s\n          %s\n", ep_severity_str(
		    f->f.severity), ep_finding_name(f->f.id),
		    f->f.summary);
		for (int k = 0; k < f->ncites; k++)
			fprintf(fp, "          evidence: %s\n", f->cites[k]);
		fprintf(fp, "          advice: %s\n", f->f.advice);
	}
}
