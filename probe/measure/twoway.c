/* probe/measure/twoway.c: the two-ended protocol's names and log lines (twoway.h),
 * read and written by both ends. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measure/twoway.h"

/* A decimal number of 1..digits digits, the whole of s[0..n). */
static int
number(const uint8_t *s, size_t n, int digits, uint32_t *v)
{
	uint32_t x = 0;

	if (n == 0 || n > (size_t)digits || (s[0] == '0' && n > 1))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit(s[i]))
			return -1;
		x = x * 10 + (uint32_t)(s[i] - '0');
	}
	*v = x;
	return 0;
}

/* One option label of len bytes at l (lower-cased) into req. */
static int
option_label(const uint8_t *l, size_t len, struct ep_tw_req *req,
    unsigned *seen, struct ep_err *err)
{
	uint32_t v;
	unsigned bit;

	if (len == 3 && memcmp(l, "log", 3) == 0) {
		bit = 1;
		req->kind = EP_TW_LOG;
	} else if (len == 2 && memcmp(l, "df", 2) == 0) {
		bit = 2;
		req->df = 1;
	} else if (len > 1 && l[0] == 's') {
		bit = 4;
		if (number(l + 1, len - 1, 5, &v) == -1 || v < 12 || v > 65535)
			return ep_err_set(err, EP_EUSAGE, "size label \"%.*s\" "
			    "is not 12..65535", (int)len, l);
		req->size = v;
	} else if (len > 1 && l[0] == 'f') {
		bit = 8;
		if (number(l + 1, len - 1, 4, &v) == -1 || v % 8 ||
		    v < EP_TW_FRAG_MIN || v > EP_TW_FRAG_MAX)
			return ep_err_set(err, EP_EUSAGE, "fragment label "
			    "\"%.*s\" is not a multiple of 8 in %d..%d",
			    (int)len, l, EP_TW_FRAG_MIN, EP_TW_FRAG_MAX);
		req->frag = (uint16_t)v;
	} else if (len > 1 && l[0] == 'h') {
		bit = 32;
		if (number(l + 1, len - 1, 2, &v) == -1 || v < 1 ||
		    v > EP_TW_HOPS_MAX)
			return ep_err_set(err, EP_EUSAGE, "hop label \"%.*s\" "
			    "is not 1..%d", (int)len, l, EP_TW_HOPS_MAX);
		req->ttl = (uint8_t)v;
	} else if (len > 1 && l[0] == 't' && len - 1 <= EP_TW_TOKEN_MAX) {
		bit = 16;
		for (size_t i = 1; i < len; i++)
			if (!isdigit(l[i]) && !(l[i] >= 'a' && l[i] <= 'z'))
				return ep_err_set(err, EP_EUSAGE, "token label "
				    "\"%.*s\" is not a-z 0-9", (int)len, l);
		memcpy(req->token, l + 1, len - 1);
		req->token[len - 1] = '\0';
	} else
		return ep_err_set(err, EP_EUSAGE, "unknown label \"%.*s\"",
		    (int)len, l);
	if (*seen & bit)
		return ep_err_set(err, EP_EUSAGE, "label \"%.*s\" twice",
		    (int)len, l);
	*seen |= bit;
	return 0;
}

int
ep_tw_parse_name(const uint8_t *qname, size_t qlen, const uint8_t *zone,
    size_t zlen, struct ep_tw_req *req, struct ep_err *err)
{
	uint8_t low[EP_DNAME_MAX];
	size_t labels[EP_DNAME_MAX / 2], n = 0, i = 0;
	unsigned seen = 0;

	memset(req, 0, sizeof(*req));
	if (qlen > EP_DNAME_MAX || qlen < zlen || zlen == 0)
		return 1;
	for (size_t k = 0; k < qlen; k++)
		low[k] = (uint8_t)tolower(qname[k]);
	/* The label starts before the zone's suffix. */
	while (i < qlen - zlen) {
		if (low[i] == 0 || low[i] > 63 || i + 1 + low[i] > qlen)
			return 1;
		labels[n++] = i;
		i += 1 + (size_t)low[i];
	}
	if (i != qlen - zlen || memcmp(low + i, zone, zlen) != 0)
		return 1;
	if (n == 0) {
		req->kind = EP_TW_APEX;
		return 0;
	}
	if (n == 1 && low[0] == strlen(EP_TW_HELLO_LABEL) &&
	    memcmp(low + 1, EP_TW_HELLO_LABEL, low[0]) == 0) {
		req->kind = EP_TW_HELLO_NAME;
		return 0;
	}
	req->kind = EP_TW_TEST;
	for (size_t k = 0; k < n; k++)
		if (option_label(low + labels[k] + 1, low[labels[k]], req,
		    &seen, err) == -1)
			return -1;
	if (req->kind == EP_TW_LOG && (seen != (1u | 16u)))
		return ep_err_set(err, EP_EUSAGE,
		    "a log name is log.t<TOKEN> and nothing else");
	return 0;
}

/* Append label "<c><text>" to out at *n; 0 when it does not fit. */
static int
put_label(uint8_t *out, size_t *n, const char *text)
{
	size_t len = strlen(text);

	if (len == 0 || len > 63 || *n + 1 + len > EP_DNAME_MAX)
		return 0;
	out[(*n)++] = (uint8_t)len;
	memcpy(out + *n, text, len);
	*n += len;
	return 1;
}

size_t
ep_tw_build_name(const struct ep_tw_req *req, const uint8_t *zone,
    size_t zlen, uint8_t *out)
{
	char l[EP_TW_TOKEN_MAX + 2];
	size_t n = 0;
	int ok = 1;

	if (req->kind == EP_TW_LOG)
		ok &= put_label(out, &n, "log");
	if (req->kind == EP_TW_TEST && req->size) {
		snprintf(l, sizeof(l), "s%u", (unsigned)req->size);
		ok &= put_label(out, &n, l);
	}
	if (req->kind == EP_TW_TEST && req->frag) {
		snprintf(l, sizeof(l), "f%u", (unsigned)req->frag);
		ok &= put_label(out, &n, l);
	}
	if (req->kind == EP_TW_TEST && req->df)
		ok &= put_label(out, &n, "df");
	if (req->kind == EP_TW_TEST && req->ttl) {
		snprintf(l, sizeof(l), "h%u", (unsigned)req->ttl);
		ok &= put_label(out, &n, l);
	}
	if (req->token[0] != '\0') {
		snprintf(l, sizeof(l), "t%s", req->token);
		ok &= put_label(out, &n, l);
	}
	if (!ok || n + zlen > EP_DNAME_MAX)
		return 0;
	memcpy(out + n, zone, zlen);
	return n + zlen;
}

size_t
ep_tw_entry_format(const struct ep_tw_entry *e, char *buf, size_t len)
{
	int n = snprintf(buf, len, "id=%u tcp=%d q=%u frag=%u edns=%d do=%d "
	    "want=%u sent=%u tc=%d pkts=%u how=%s", (unsigned)e->id,
	    e->tcp != 0, (unsigned)e->qsize, (unsigned)e->frag, (int)e->edns,
	    e->dnssec_ok != 0, (unsigned)e->want, (unsigned)e->sent,
	    e->tc != 0, (unsigned)e->out_frags, e->how);

	if (n >= 0 && (size_t)n < len && e->ttl)
		n += snprintf(buf + n, len - (size_t)n, " ttl=%u te=%s",
		    (unsigned)e->ttl, e->te[0] ? e->te : "-");
	return n < 0 || (size_t)n >= len || n > 255 ? 0 : (size_t)n;
}

/* The value of key in s (len bytes) as a number within [lo, hi]. */
static int
field(const char *s, size_t len, const char *key, long lo, long hi, long *v)
{
	size_t k = strlen(key);

	for (size_t i = 0; i + k + 1 < len; i++) {
		char num[16];
		size_t j = 0;
		char *end;

		if ((i > 0 && s[i - 1] != ' ') || memcmp(s + i, key, k) != 0 ||
		    s[i + k] != '=')
			continue;
		for (i += k + 1; i < len && s[i] != ' ' && j < sizeof(num) - 1;)
			num[j++] = s[i++];
		num[j] = '\0';
		*v = strtol(num, &end, 10);
		return j == 0 || *end != '\0' || *v < lo || *v > hi ? -1 : 0;
	}
	return -1;
}

/* The word after " key=" in s (len bytes) into out (cap bytes, at least
 * 2): 0, or -1 when absent, empty or too long. */
static int
word(const char *s, size_t len, const char *key, char *out, size_t cap)
{
	char pat[16];
	const char *w;
	size_t k = (size_t)snprintf(pat, sizeof(pat), " %s=", key), n = 0;

	if ((w = memmem(s, len, pat, k)) == NULL)
		return -1;
	w += k;
	while (w + n < s + len && w[n] != ' ' && n < cap - 1)
		n++;
	if (n == 0 || (w + n < s + len && w[n] != ' '))
		return -1;
	memcpy(out, w, n);
	out[n] = '\0';
	return 0;
}

/* A router's address as a responder writes it: hex digits, '.', ':'. */
static int
address_chars(const char *a)
{
	for (; *a; a++)
		if (!isxdigit((unsigned char)*a) && *a != '.' && *a != ':')
			return 0;
	return 1;
}

int
ep_tw_entry_parse(const char *s, size_t len, struct ep_tw_entry *e)
{
	long v[10];
	static const struct { const char *key; long lo, hi; } keys[] = {
		{ "id", 0, 65535 }, { "tcp", 0, 1 }, { "q", 0, 65535 },
		{ "frag", 0, 65535 }, { "edns", -1, 65535 }, { "do", 0, 1 },
		{ "want", 0, 65535 }, { "sent", 0, 65535 }, { "tc", 0, 1 },
		{ "pkts", 0, 65535 },
	};
	const char *how;
	size_t hl = 0;

	memset(e, 0, sizeof(*e));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (field(s, len, keys[i].key, keys[i].lo, keys[i].hi,
		    &v[i]) == -1)
			return -1;
	how = memmem(s, len, " how=", 5);
	if (how == NULL)
		return -1;
	how += 5;
	while (how + hl < s + len && how[hl] != ' ' &&
	    hl < sizeof(e->how) - 1)
		hl++;
	memcpy(e->how, how, hl);
	e->how[hl] = '\0';
	e->id = (uint16_t)v[0];
	e->tcp = (int)v[1];
	e->qsize = (uint32_t)v[2];
	e->frag = (uint16_t)v[3];
	e->edns = (int32_t)v[4];
	e->dnssec_ok = (int)v[5];
	e->want = (uint32_t)v[6];
	e->sent = (uint32_t)v[7];
	e->tc = (int)v[8];
	e->out_frags = (uint16_t)v[9];
	/* A TTL-limited answer's fields (optional: older responders). */
	if (field(s, len, "ttl", 1, EP_TW_HOPS_MAX, &v[0]) == 0) {
		e->ttl = (uint8_t)v[0];
		if (word(s, len, "te", e->te, sizeof(e->te)) == -1 ||
		    strcmp(e->te, "-") == 0 || !address_chars(e->te))
			e->te[0] = '\0';
	}
	return 0;
}
