/* capture/dissect_dns.c: DNS message dissector (RFC 1035 4.1, RFC 6891 6.1). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ednsprobe/cursor.h"
#include "ednsprobe/dns.h"

#define TYPE_SOA	6
#define TYPE_OPT	41
#define TYPE_RRSIG	46
#define OPT_COOKIE	10
#define MAX_JUMPS	64	/* more pointers than any sane name needs */

int
ep_dns_name(struct ep_cursor *c, uint8_t *out, size_t *outlen)
{
	struct ep_cursor at = *c;	/* follows pointers; c stays in place */
	const uint8_t *limit = c->p;	/* a pointer must point before this */
	size_t n = 0;
	int jumps = 0, jumped = 0;

	for (;;) {
		uint8_t len = ep_cursor_u8(&at);

		if (at.err)
			goto trunc;
		if ((len & 0xc0) == 0xc0) {
			uint16_t off = (uint16_t)((len & 0x3f) << 8 |
			    ep_cursor_u8(&at));

			if (at.err)
				goto trunc;
			if (!jumped)
				c->p = at.p;
			jumped = 1;
			/* Backwards only, and bounded: no loop can last. */
			if (c->start + off >= limit || ++jumps > MAX_JUMPS)
				return EP_DNS_BADNAME;
			limit = c->start + off;
			at.p = limit;
			continue;
		}
		if ((len & 0xc0) != 0)
			return EP_DNS_BADNAME;	/* 0x40/0x80: obsolete labels */
		if (n + 1 + len > EP_DNAME_MAX)
			return EP_DNS_BADNAME;
		out[n++] = len;
		if (len == 0)
			break;
		if (!ep_cursor_need(&at, len))
			goto trunc;
		for (uint8_t i = 0; i < len; i++)
			out[n++] = (uint8_t)tolower(at.p[i]);
		at.p += len;
	}
	if (!jumped)
		c->p = at.p;
	*outlen = n;
	return EP_DNS_OK;
trunc:
	c->err = EP_ETRUNC;
	return EP_DNS_TRUNCATED;
}

static enum ep_dns_status
dissect_opt(struct ep_dns_msg *m, uint16_t cls, uint32_t ttl,
    struct ep_cursor *rdata)
{
	m->opt_count++;
	if (m->opt_count > 1)
		return EP_DNS_BADOPT;	/* RFC 6891 6.1.1: at most one */
	m->edns_udp = cls;
	m->edns_ext_rcode = (uint8_t)(ttl >> 24);
	m->edns_version = (uint8_t)(ttl >> 16);
	m->edns_flags = (uint16_t)ttl;
	m->rcode = (uint16_t)(m->edns_ext_rcode << 4 | (m->flags & 0xf));
	while (ep_cursor_left(rdata) > 0) {
		struct ep_cursor opt;
		uint16_t olen;

		uint16_t code = ep_cursor_u16(rdata);

		olen = ep_cursor_u16(rdata);
		opt = ep_cursor_sub(rdata, olen);
		if (rdata->err || opt.err)
			return EP_DNS_BADOPT;
		if (m->edns_options < EP_EDNS_OPTS_MAX) {
			m->edns_opt[m->edns_options].code = code;
			m->edns_opt[m->edns_options].len = olen;
		}
		if (code == OPT_COOKIE && m->edns_cookie_len == 0 &&
		    olen <= EP_EDNS_COOKIE_MAX) {
			memcpy(m->edns_cookie, opt.p, olen);
			m->edns_cookie_len = olen;
		}
		m->edns_options++;
	}
	return rdata->err ? EP_DNS_BADOPT : EP_DNS_OK;
}

enum ep_dns_status
ep_dns_dissect(const uint8_t *buf, size_t len, struct ep_dns_msg *m)
{
	struct ep_cursor c;
	uint8_t name[EP_DNAME_MAX];
	size_t namelen;
	unsigned total;
	int rc;

	memset(m, 0, sizeof(*m));
	m->length = len;
	ep_cursor_init(&c, buf, len);
	m->id = ep_cursor_u16(&c);
	m->flags = ep_cursor_u16(&c);
	m->qdcount = ep_cursor_u16(&c);
	m->ancount = ep_cursor_u16(&c);
	m->nscount = ep_cursor_u16(&c);
	m->arcount = ep_cursor_u16(&c);
	if (c.err)
		return m->status = EP_DNS_SHORT;
	m->rcode = m->flags & 0xf;

	for (unsigned i = 0; i < m->qdcount; i++) {
		rc = ep_dns_name(&c, name, &namelen);
		if (rc != EP_DNS_OK)
			return m->status = rc;
		uint16_t qtype = ep_cursor_u16(&c);
		uint16_t qclass = ep_cursor_u16(&c);
		if (c.err)
			return m->status = EP_DNS_TRUNCATED;
		if (i == 0) {
			memcpy(m->qname, name, namelen);
			m->qname_len = namelen;
			m->qtype = qtype;
			m->qclass = qclass;
			m->has_question = 1;
		}
	}

	total = (unsigned)m->ancount + m->nscount + m->arcount;
	for (unsigned i = 0; i < total; i++) {
		struct ep_cursor rdata;
		uint16_t type, cls, rdlen;
		uint32_t ttl;

		rc = ep_dns_name(&c, name, &namelen);
		if (rc != EP_DNS_OK)
			return m->status = rc;
		type = ep_cursor_u16(&c);
		cls = ep_cursor_u16(&c);
		ttl = ep_cursor_u32(&c);
		rdlen = ep_cursor_u16(&c);
		rdata = ep_cursor_sub(&c, rdlen);
		if (c.err)
			return m->status = EP_DNS_TRUNCATED;
		if (i < m->ancount && type == TYPE_RRSIG)
			m->an_rrsig = 1;
		if (i < m->ancount && type == TYPE_SOA && m->has_question &&
		    namelen == m->qname_len &&
		    memcmp(name, m->qname, namelen) == 0)
			m->an_soa = 1;
		if (type == TYPE_OPT) {
			/* OPT belongs in the additional section, owner root. */
			if (i < (unsigned)m->ancount + m->nscount ||
			    namelen != 1)
				return m->status = EP_DNS_BADOPT;
			rc = dissect_opt(m, cls, ttl, &rdata);
			if (rc != EP_DNS_OK)
				return m->status = rc;
		}
	}
	if (ep_cursor_left(&c) > 0)
		return m->status = EP_DNS_TRAILING;
	return m->status = EP_DNS_OK;
}

const char *
ep_dns_strstatus(enum ep_dns_status s)
{
	switch (s) {
	case EP_DNS_OK:		return "ok";
	case EP_DNS_SHORT:	return "shorter than a DNS header";
	case EP_DNS_TRUNCATED:	return "records run past the end";
	case EP_DNS_BADNAME:	return "malformed name or compression pointer";
	case EP_DNS_BADOPT:	return "malformed or repeated OPT record";
	case EP_DNS_TRAILING:	return "bytes after the last record";
	}
	return "unknown";
}

const char *
ep_dns_rcode_str(uint16_t rcode, char *buf, size_t len)
{
	static const char *names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
		"NOTZONE",
	};

	if (rcode < sizeof(names) / sizeof(names[0]))
		snprintf(buf, len, "%s", names[rcode]);
	else if (rcode == 16)
		snprintf(buf, len, "BADVERS");
	else if (rcode == 23)
		snprintf(buf, len, "BADCOOKIE");
	else
		snprintf(buf, len, "RCODE%u", rcode);
	return buf;
}

const char *
ep_dns_name_str(const uint8_t *wire, size_t len, char *buf, size_t buflen)
{
	size_t i = 0, o = 0;

	if (buflen == 0)
		return buf;
	while (i < len && wire[i] != 0) {
		uint8_t l = wire[i++];

		for (uint8_t k = 0; k < l && i < len; k++, i++) {
			uint8_t ch = wire[i];
			char tmp[5];

			if (ch == '.' || ch == '\\')
				snprintf(tmp, sizeof(tmp), "\\%c", ch);
			else if (ch <= 0x20 || ch >= 0x7f)
				snprintf(tmp, sizeof(tmp), "\\%03u", ch);
			else
				snprintf(tmp, sizeof(tmp), "%c", ch);
			for (char *t = tmp; *t && o + 1 < buflen; t++)
				buf[o++] = *t;
		}
		if (o + 1 < buflen)
			buf[o++] = '.';
	}
	if (o == 0 && buflen > 1)
		buf[o++] = '.';
	buf[o] = '\0';
	return buf;
}
