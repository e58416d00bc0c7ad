/* tests/fuzz/fuzz_twoway.c: fuzz entry for both ends of two-ended mode.
 * The first byte picks the end; the rest is what a hostile peer sends:
 *   0  a query to the responder (probe/respond/respond.c's engine), over UDP
 *      (whole or "fragmented") or TCP, then logged (h<N>: admitted, and a
 *      Time Exceeded for it when bit 2 of the second byte is set); then
 *      its log read back through the engine and the client's reader;
 *   1  a responder's log answer to the client (twoway_verdict.c: the log
 *      read into probes, the verdict), and a hello check;
 *   2  a log line and a query name (twoway.c's parsers).
 * One engine for the whole run, as a long-lived responder has. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "respond/respond.h"
#include "measure/twoway.h"
#include "measure/twoway_verdict.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* resp.test in wire form */
static const uint8_t zone[] = { 4, 'r', 'e', 's', 'p', 4, 't', 'e', 's',
    't', 0 };

static struct ep_respond *
engine(void)
{
	static struct ep_respond *r;
	struct ep_err err;

	if (r == NULL && (r = ep_respond_new(zone, sizeof(zone), &err)) ==
	    NULL)
		abort();
	return r;
}

/* A target with two-ended probes of every kind, ids 0..5, and a hop
 * ladder. */
static void
target(struct ep_target *t)
{
	static const enum ep_role roles[] = { EP_ROLE_TWIN, EP_ROLE_TWIN,
	    EP_ROLE_TWIN, EP_ROLE_TWOUT, EP_ROLE_TWOUT, EP_ROLE_LADDER };

	ep_target_fini(t);
	memset(t, 0, sizeof(*t));
	t->family = 4;
	t->path.iface_mtu = 1500;
	t->path.pmtu = 1280;
	ep_tw_facts_new(t)->responder = 1;
	for (int i = 0; i < 6; i++) {
		struct ep_probe_record *p = &t->probes[t->nprobes++];

		p->spec.id = i + 1;
		p->spec.role = roles[i];
		p->spec.tw_want = (uint16_t)(1000 + 500 * i);
		p->spec.tw_frag = i == 1 ? 256 : 0;
		p->spec.tw_df = i == 2;
		p->spec.msg_len = i >= 3 ? (uint16_t)(1000 * i) : 0;
		p->res.qid = (uint16_t)i;
		p->res.outcome = i % 2 ? EP_OUT_ANSWER : EP_OUT_TIMEOUT;
	}
	/* The hop ladder (h<N>): a reference and a kind of each, TTL 1..3,
	 * ids 6..17. */
	for (int i = 0; i < 12; i++) {
		struct ep_probe_record *p = &t->probes[t->nprobes++];

		p->spec.id = 7 + i;
		p->spec.role = EP_ROLE_TWIN;
		p->spec.subject = i % 3 == 0 ? EP_SUBJ_SMALL : EP_SUBJ_LARGE;
		p->spec.tw_want = i % 3 == 0 ? 200 : 1200;
		p->spec.tw_frag = i % 3 == 1 ? 256 : 0;
		p->spec.tw_ttl = (uint8_t)(1 + i / 3);
		p->res.qid = (uint16_t)(6 + i);
		p->res.outcome = i % 3 == 0 && i >= 6 ? EP_OUT_ANSWER :
		    EP_OUT_TIMEOUT;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[EP_RESP_MSG_MAX], logq[64];
	static struct ep_target t;
	struct ep_respond_query qi;
	struct ep_tw_req req;
	struct ep_tw_entry e;
	struct ep_err err;
	size_t n;

	if (size < 2)
		return 0;
	switch (data[0] % 3) {
	case 0:
		n = ep_respond_answer(engine(), data + 2, size - 2,
		    data[1] & 1, (uint16_t)(data[1] & 2 ? 576 : 0), out,
		    sizeof(out), &qi);
		if (n > sizeof(out))
			abort();
		ep_respond_hop_admit(engine(), &qi);
		ep_respond_record(engine(), &qi);
		if (qi.entry.ttl && (data[1] & 4))
			ep_respond_time_exceeded(engine(), qi.req.token,
			    qi.entry.id, "203.0.113.1");
		/* The log of its token, if any, as a client reads it. */
		if (qi.req.token[0] != '\0') {
			struct ep_tw_req lr = { .kind = EP_TW_LOG };
			size_t ql;

			memcpy(lr.token, qi.req.token, sizeof(lr.token));
			memset(logq, 0, 12);
			logq[5] = 1;	/* QDCOUNT */
			ql = ep_tw_build_name(&lr, zone, sizeof(zone),
			    logq + 12);
			if (ql == 0 || 12 + ql + 4 > sizeof(logq))
				return 0;
			logq[12 + ql + 1] = 16;	/* TXT */
			logq[12 + ql + 3] = 1;	/* IN */
			n = ep_respond_answer(engine(), logq, 12 + ql + 4, 1, 0,
			    out, sizeof(out), &qi);
			target(&t);
			ep_tw_read_log(&t, out, n);
			ep_tw_verdict(&t);
		}
		break;
	case 1:
		target(&t);
		ep_tw_read_log(&t, data + 1, size - 1);
		ep_tw_verdict(&t);
		ep_tw_is_hello(data + 1, size - 1);
		break;
	default:
		ep_tw_entry_parse((const char *)data + 1, size - 1, &e);
		if (size - 1 <= EP_DNAME_MAX)
			ep_tw_parse_name(data + 1, size - 1, zone,
			    sizeof(zone), &req, &err);
		ep_tw_name_role(data + 1, size - 1);
		break;
	}
	return 0;
}
