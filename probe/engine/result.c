/* probe/engine/result.c: the stable names of result values (docs/json.md). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "ednsprobe/result.h"
#include "ednsprobe/zone.h"

const char *
ep_sockaddr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const void *a = NULL;

	if (ss->ss_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)ss)->sin_addr;
	else if (ss->ss_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)ss)->
		    sin6_addr;
	if (a == NULL || inet_ntop(ss->ss_family, a, buf, (socklen_t)len)
	    == NULL)
		snprintf(buf, len, "?");
	return buf;
}

const char *
ep_outcome_str(enum ep_outcome o)
{
	switch (o) {
	case EP_OUT_PENDING:	return "pending";
	case EP_OUT_ANSWER:	return "answer";
	case EP_OUT_TRUNCATED:	return "truncated";
	case EP_OUT_TIMEOUT:	return "timeout";
	case EP_OUT_ICMP:	return "icmp";
	case EP_OUT_RESET:	return "reset";
	case EP_OUT_NOANSWER:	return "no-answer";
	case EP_OUT_MALFORMED:	return "malformed";
	case EP_OUT_ERROR:	return "error";
	case EP_OUT_INTERRUPTED: return "interrupted";
	case EP_OUT_SKIPPED:	return "skipped";
	case EP_OUT_UNKNOWN:	return "unknown";
	}
	return "unknown";
}

const char *
ep_severity_str(enum ep_severity s)
{
	switch (s) {
	case EP_SEV_INFO:	return "info";
	case EP_SEV_WARNING:	return "warning";
	case EP_SEV_ERROR:	return "error";
	}
	return "unknown";
}

const char *
ep_transport_str(enum ep_transport t)
{
	return t == EP_TCP ? "tcp" : t == EP_RAW ? "raw" : "udp";
}

const char *
ep_subject_str(enum ep_subject s)
{
	switch (s) {
	case EP_SUBJ_SMALL:	return "small";
	case EP_SUBJ_MEDIUM:	return "medium";
	case EP_SUBJ_LARGE:	return "large";
	case EP_SUBJ_COUNT:	break;
	}
	return "unknown";
}


const char *
ep_role_str(enum ep_role r)
{
	switch (r) {
	case EP_ROLE_BASE:	return "baseline";
	case EP_ROLE_LADDER:	return "ladder";
	case EP_ROLE_TCPSIZE:	return "tcp-size";
	case EP_ROLE_FRAGOUT:	return "frag-out";
	case EP_ROLE_PMTU:	return "pmtu";
	case EP_ROLE_HOP:	return "hop";
	case EP_ROLE_COMPLY:	return "compliance";
	case EP_ROLE_RECHECK:	return "recheck";
	case EP_ROLE_OPTION:	return "option";
	case EP_ROLE_HELLO:	return "hello";
	case EP_ROLE_TWIN:	return "twoway-in";
	case EP_ROLE_TWOUT:	return "twoway-out";
	case EP_ROLE_TWLOG:	return "twoway-log";
	case EP_ROLE_EH:		return "exthdr";
	case EP_ROLE_NONE:	break;
	}
	return "unknown";
}

void *
ep_target_result(const struct ep_target *t, const void *key)
{
	for (int i = 0; i < EP_TARGET_RESULTS; i++)
		if (t->results[i].key == key)
			return t->results[i].data;
	return NULL;
}

void *
ep_target_result_new(struct ep_target *t, const void *key, size_t size)
{
	void *d = ep_target_result(t, key);

	if (d != NULL)
		return d;
	for (int i = 0; i < EP_TARGET_RESULTS; i++)
		if (t->results[i].key == NULL) {
			if ((d = calloc(1, size)) == NULL)
				return NULL;
			t->results[i].key = key;
			t->results[i].data = d;
			return d;
		}
	return NULL;
}

void
ep_target_fini(struct ep_target *t)
{
	for (int i = 0; i < EP_TARGET_RESULTS; i++) {
		free(t->results[i].data);
		t->results[i].key = NULL;
		t->results[i].data = NULL;
	}
}

/* The catalogue (ednsprobe/findings.h) as a table. */
static const struct {
	const char	*name;
	enum ep_severity sev;
	const char	*anchor;
} catalogue[EP_F_COUNT] = {
#define EP_FINDING_ROW(id, sev, anchor)	\
	[EP_F_##id] = { #id, EP_SEV_##sev, anchor },
	EP_FINDINGS(EP_FINDING_ROW)
#undef EP_FINDING_ROW
};

const char *
ep_finding_name(enum ep_finding_id id)
{
	return (unsigned)id < EP_F_COUNT ? catalogue[id].name : "UNKNOWN";
}

enum ep_severity
ep_finding_severity(enum ep_finding_id id)
{
	return (unsigned)id < EP_F_COUNT ? catalogue[id].sev : EP_SEV_ERROR;
}

const char *
ep_finding_anchor(enum ep_finding_id id)
{
	return (unsigned)id < EP_F_COUNT ? catalogue[id].anchor : "";
}

const char *
ep_zone_auth_str(enum ep_zone_auth a)
{
	static const char *const s[] = { "untested", "authoritative",
	    "not_authoritative", "refused", "servfail", "silent",
	    "unreachable", "malformed" };

	return (unsigned)a < sizeof(s) / sizeof(s[0]) ? s[a] : "?";
}
