/* include/ednsprobe/result.h: probe specs, measured results, path facts,
 * findings. */
#ifndef EDNSPROBE_RESULT_H
#define EDNSPROBE_RESULT_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ednsprobe/dns.h"
#include "ednsprobe/findings.h"
#include "ednsprobe/wire.h"

enum ep_transport {
	EP_UDP,
	EP_TCP,
	EP_RAW,		/* UDP whose query leaves through a raw socket */
};

/* Why a probe is in the plan; the verdict reads probes by role. */
enum ep_role {
	EP_ROLE_BASE,	/* small baseline query: is the server there at all */
	EP_ROLE_LADDER,	/* one rung of the EDNS buffer-size ladder */
	EP_ROLE_TCPSIZE,/* the same question over TCP: full size, TCP path */
	EP_ROLE_FRAGOUT,/* a padded query, whole or in fragments (raw) */
	EP_ROLE_PMTU,	/* a padded query with DF, by size (raw) */
	EP_ROLE_HOP,	/* TTL-limited: small, large DF or fragmented (raw) */
	EP_ROLE_COMPLY,	/* one EDNS compliance test (probe/measure/comply.c) */
	EP_ROLE_RECHECK,/* a compliance test that got no answer, asked again
			   another way (over TCP) to tell server from path */
	EP_ROLE_OPTION,	/* the EDNS baseline with an option (a client cookie,
			   as resolvers send): do options pass the path */
	/* Two-ended mode (probe/measure/twoway.h): toward `ednsprobe respond`. */
	EP_ROLE_HELLO,	/* is the server a responder (phase 1) */
	EP_ROLE_TWIN,	/* an answer of an exact size (tw_want), perhaps
			   in fragments (tw_frag) or with DF (tw_df) */
	EP_ROLE_TWOUT,	/* a query padded to an exact size (msg_len) */
	EP_ROLE_TWLOG,	/* the responder's log of this run's queries */
	EP_ROLE_EH,	/* IPv6: a small query behind an extension header
			   (probe/measure/exthdr.c, RFC 7872) */
	EP_ROLE_NONE,	/* analyze: not identified yet (never reported) */
};

/*
 * The question a probe asks.  A subject is asked at several buffer sizes
 * and over TCP; answers to one subject should be the same bytes.
 */
enum ep_subject {
	EP_SUBJ_SMALL,	/* SOA of the name: a small answer */
	EP_SUBJ_MEDIUM,	/* a negative answer with DNSSEC proofs: 513..MTU */
	EP_SUBJ_LARGE,	/* DNSKEY with DO, or the user's NAME/TYPE */
	EP_SUBJ_COUNT
};

/* What the probe sends.  Plain data, fixed when the plan is made. */
struct ep_probe_spec {
	int		 id;		/* 1-based, unique in a run */
	enum ep_transport transport;
	enum ep_role	 role;
	enum ep_subject	 subject;
	uint8_t		 qname[EP_DNAME_MAX];	/* wire form */
	size_t		 qname_len;
	uint16_t	 qtype;
	int		 edns;		/* send an OPT record */
	uint16_t	 bufsize;	/* OPT UDP payload size when edns */
	int		 dnssec_ok;	/* DO bit (needs edns) */
	int		 recurse;	/* RD bit */
	/* Raw probes (sent through a raw socket, issue 4); 0: ordinary. */
	uint16_t	 msg_len;	/* pad the query with the EDNS Padding
					   option to this many bytes */
	int		 raw;		/* EP_RAW_* */
	uint16_t	 frag_size;	/* EP_RAW_FRAG: IP payload per fragment,
					   a multiple of 8 */
	uint16_t	 ip_size;	/* the IP datagram size it makes */
	uint8_t		 ttl;		/* TTL / hop limit; 0: the default */
	uint8_t		 eh;		/* IPv6 extension headers before the
					   UDP header: EP_EH_* bits; 0 none */
	/* analyze: the query's class (live probes ask IN; 0 there). */
	uint16_t	 qclass;
	/* The query's opcode, which a reply must echo (QUERY: 0). */
	uint8_t		 opcode;
	/* Compliance tests (probe/measure/comply.c); all 0 for the other probes. */
	uint8_t		 ctest;		/* test number, 1-based; 0: none */
	uint8_t		 rmode;		/* the tester's -R: a resolver, RD
					   on every query, AA not due */
	uint8_t		 edns_version;
	uint16_t	 edns_flags;	/* OPT flags besides DO */
	uint16_t	 hdr_flags;	/* header bits set: AA TC RD RA Z AD CD */
	int		 no_question;	/* a bare 12-byte header */
	uint8_t		 opts[64];	/* EDNS options, wire form, in order */
	uint8_t		 opts_len;
	/* Two-ended probes: what the name asks of the responder. */
	uint16_t	 tw_want;	/* answer size (s<N>); 0: none */
	uint16_t	 tw_frag;	/* in fragments of this (f<M>); 0 */
	uint8_t		 tw_df;		/* with DF (df) */
	uint8_t		 tw_ttl;	/* with this TTL / hop limit (h<N>) */
	/* How the engine runs it (probe/engine/measure.h), set by the plan. */
	uint8_t		 first;		/* starts with the baselines */
	uint8_t		 hold;		/* phase 2 waits for it, a little */
	uint8_t		 keep;		/* its answer's bytes go to the
					   module's done() */
	uint8_t		 tries;		/* sends at most; 0: the run's */
	uint16_t	 wait_ms;	/* its whole wait, its tries spread
					   over it; 0: the run's timeout */
};

/* How a raw probe's query leaves. */
enum {
	EP_RAW_NONE = 0,
	EP_RAW_WHOLE,		/* one packet, DF clear (IPv6: unfragmented) */
	EP_RAW_DF,		/* one packet, DF set: path MTU probes */
	EP_RAW_FRAG,		/* IP fragments of frag_size */
};

/* IPv6 extension headers a raw probe carries (spec.eh), 8 bytes each,
 * padded with PadN (RFC 8200 4.2): in RFC 8200 4.1's order, Hop-by-Hop
 * first, Destination Options last (after a Fragment header). */
enum {
	EP_EH_HBH = 0x01,	/* Hop-by-Hop Options */
	EP_EH_DST = 0x02,	/* Destination Options */
};

/* A measurement outcome: never an error (STYLE.md section 3). */
enum ep_outcome {
	EP_OUT_PENDING = 0,
	EP_OUT_ANSWER,		/* a whole answer (TC=0) */
	EP_OUT_TRUNCATED,	/* an answer with TC=1 */
	EP_OUT_TIMEOUT,		/* nothing before the deadline (TCP: no connect) */
	EP_OUT_ICMP,		/* an ICMP error about our packet */
	EP_OUT_RESET,		/* TCP reset (connect refused, or later) */
	EP_OUT_NOANSWER,	/* TCP connected, no whole answer */
	EP_OUT_MALFORMED,	/* a reply that is not a valid DNS answer */
	EP_OUT_ERROR,		/* local failure to send (no route...) */
	EP_OUT_INTERRUPTED,	/* the run was stopped before an outcome
				   (analyze: the capture ended too soon
				   after the query to call it lost) */
	EP_OUT_SKIPPED,		/* not sent: no baseline reply came back */
	EP_OUT_UNKNOWN,		/* analyze: the capture missed bytes of the
				   TCP stream the answer was in */
};

/* What was measured.  Filled by the probe, read by verdict and output. */
struct ep_probe_result {
	enum ep_outcome	 outcome;
	int		 tries;		/* UDP transmissions, TCP connect attempts */
	size_t		 sent_bytes;	/* DNS message bytes of one transmission */
	double		 rtt_ms;	/* to the reply; < 0 when none */
	uint64_t	 started_us;	/* first transmission, monotonic */
	uint64_t	 last_us;	/* analyze: last transmission, capture
					   time */
	uint32_t	 waited_ms;	/* from the first transmission to the
					   end, reply or not */
	int		 connected;	/* TCP: a connection was made */
	double		 connect_ms;	/* TCP: connect time, < 0 when none */
	size_t		 stream_bytes;	/* TCP: bytes received in all */
	int		 peer_closed;	/* TCP: the peer closed before answering */
	int		 ignored;	/* replies dropped: wrong id or question */
	int		 hello;		/* analyze: the reply was an ednsprobe
					   responder's answer to the hello */
	int		 cut;		/* analyze: the snap length cut its
					   frames before its question */
	struct ep_dns_msg reply;	/* valid when outcome is ANSWER/TRUNCATED,
					   partially when MALFORMED */
	/* ICMP error (EP_OUT_ICMP) or local errno (EP_OUT_ERROR). */
	int		 icmp_type, icmp_code;
	uint32_t	 icmp_mtu;	/* frag-needed / packet too big */
	struct sockaddr_storage icmp_from;
	int		 sys_errno;
	/* For the capture's matcher: the query's DNS id and the local ports
	 * of the probe's sockets (TCP: one per connect attempt). */
	uint16_t	 qid;
	uint16_t	 lports[EP_WIRE_LPORTS];
	int		 nlports;
};

/* What the far end (`ednsprobe respond`) logged of a probe's query
 * (twoway.h), matched by DNS id: all 0 without its log. */
struct ep_probe_far {
	int		 known;		/* the log was read: seen is a fact */
	int		 seen;		/* copies of the query that arrived */
	uint32_t	 qsize;		/* DNS bytes it received */
	uint16_t	 frag;		/* largest IP fragment it came in; 0:
					   whole */
	uint32_t	 sent;		/* DNS bytes answered; 0: none */
	int		 tc;
	uint16_t	 pkts;		/* IP packets the answer left in (its
					   own fragments or DF); 0: kernel's */
	char		 how[16];	/* udp df frag tcp noraw sendfail */
	uint8_t		 ttl;		/* the TTL its answer left with; 0 */
	char		 te[48];	/* the router whose Time Exceeded
					   quoted that answer; "": none */
};

struct ep_probe_record {
	struct ep_probe_spec	spec;
	struct ep_probe_result	res;
	struct ep_probe_wire	wire;
	struct ep_probe_far	far;
};


enum ep_severity {
	EP_SEV_INFO,
	EP_SEV_WARNING,
	EP_SEV_ERROR,
};

#define EP_EVIDENCE_MAX	32

/* One interpretation of the measured facts; ids are documented in docs/. */
struct ep_finding {
	enum ep_finding_id id;		/* ednsprobe/findings.h */
	enum ep_severity severity;
	char		 summary[256];
	char		 advice[384];
	int		 probes[EP_EVIDENCE_MAX];	/* evidence: probe ids */
	int		 nprobes;
	uint32_t	 frames[EP_EVIDENCE_MAX];	/* and capture frames */
	int		 nframes;
};

/* Tri-state-ish measured facts of one path; see docs/json.md. */
enum ep_fact {
	EP_FACT_UNTESTED = 0,
	EP_FACT_OK,		/* edns ok, frag pass, tcp ok */
	EP_FACT_DROPPED,	/* edns dropped, frag drop, tcp timeout */
	EP_FACT_UNSUPPORTED,	/* edns unsupported */
	EP_FACT_RESET,		/* tcp reset */
	EP_FACT_PARTIAL,	/* frag partial */
};

/* Which way a located packet was going. */
enum ep_drop_dir {
	EP_DROP_OUT,	/* toward the server: hops counted from us */
	EP_DROP_IN,	/* toward us (two-ended): hops counted from the server */
};

#define EP_DROPS_MAX	8

/* Where one kind of packet dies: after hop ttl - 1, before hop ttl. */
struct ep_drop {
	const char	*what;		/* a kind: docs/json.md ("drop_hop") */
	enum ep_drop_dir dir;
	int		 ttl;		/* the first hop it does not reach */
	char		 addr[64];	/* the last hop that returned it (its
					   Time Exceeded); "": none did */
	int		 silent;	/* hops from ttl on that answered no
					   TTL probe at all (rate limits, a
					   silent router): it dies at one of
					   ttl .. ttl + silent */
};

struct ep_path {
	enum ep_fact	 edns;
	long		 udp_max_response;	/* bytes, -1: none received */
	enum ep_fact	 frag_in;
	enum ep_fact	 frag_out;
	enum ep_fact	 tcp;
	long		 pmtu;			/* -1: not measured */
	enum ep_fact	 pmtud;
	int		 iface_mtu;		/* route MTU toward the target */
	long		 size_known[EP_SUBJ_COUNT];	/* full answer size, -1 */
	/* Where each kind of packet dies (TTL-limited probes), in the
	 * order found: one per kind and direction. */
	struct ep_drop	 drops[EP_DROPS_MAX];
	int		 ndrops;
	int		 server_ttl;		/* hops to the server, 0: unknown */
	/* IPv6 queries behind an extension header (exthdr.c): OK pass,
	 * DROPPED drop; untested for IPv4 and when unmeasured. */
	enum ep_fact	 eh_dst;		/* Destination Options */
	enum ep_fact	 eh_hbh;		/* Hop-by-Hop Options */
	int		 size_lost;	/* the ladder lost an answer by its size
					   (a finding says how); not in JSON */
};

#define EP_FINDINGS_MAX	16
#define EP_PROBES_MAX	128
#define EP_TARGET_RESULTS	4	/* measurements with a result */

/* One server address probed: its plan, its measurements, their meaning. */
struct ep_target {
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	char			 addr_str[64];	/* numeric, no port */
	int			 family;	/* 4 or 6 */
	char			 name[EP_DNAME_STRMAX];	/* NAME asked */
	char			 qtype_str[16];		/* TYPE of LARGE */
	struct ep_probe_record	 probes[EP_PROBES_MAX];
	int			 nprobes;
	uint32_t		 timeout_ms;	/* adaptive timeout used */
	uint32_t		 tcp_wait_ms;	/* UDP wait once TCP answered the
					   same question; 0: not used */
	double			 base_rtt_ms;	/* < 0 when no baseline reply */
	struct ep_path		 path;
	struct ep_finding	 findings[EP_FINDINGS_MAX];
	int			 nfindings;
	/* Fragmented datagrams from the target whose first fragment never
	 * arrived: no ports, so tied to no probe. */
	int			 orphan_dgrams;
	int			 orphan_frags;
	uint32_t		 orphan_frames[EP_WIRE_FRAMES];
	int			 norphan_frames;
	struct ep_wire_icmp	 ptb;	/* first frag-needed / PTB about us */
	/* The capture behind the wire fields: 0 none, 1 complete, -1 the
	 * kernel dropped frames (the wire fields may miss some). */
	int			 capture;
	/* analyze: what the capture could not show of it (live runs: 0).
	 * Exchanges cut by the snap length (a UDP query, a TCP connection
	 * whose DNS bytes are cut) are not probes: their question is
	 * unknown.  one_way: the file holds no frame from any server. */
	int			 cut_exchanges;
	int			 one_way;
	int			 file_cut;	/* the file ends mid-record */
	int			 cut;	/* survey: its time budget ran out */
	const char		*role;	/* resolver command: "resolver" or
					   "authoritative"; NULL otherwise */
	int			 alive;	/* resolver: it answered a question
					   outside the plan (discovery) */
	/* What a measurement measured beyond the path's facts (the
	 * compliance tests' grades, two-ended facts): its own struct, made
	 * when it first has something, keyed by its module (its table
	 * entry); ep_target_result() finds it, ep_target_fini() frees all. */
	struct ep_target_result {
		const void	*key;
		void		*data;		/* owned */
	}			 results[EP_TARGET_RESULTS];
};

struct ep_zone;

/* The capture of a run. */
struct ep_capture {
	int		 on;		/* a capture ran */
	char		 skipped[256];	/* why not, when it did not */
	char		 path[1024];	/* the file written, "" if none */
	int		 pcapng;	/* the file is pcapng (written, or read) */
	char		 iface[64];
	int		 link;		/* LINKTYPE_ */
	uint64_t	 frames;	/* frames the filter passed to us */
	uint64_t	 cut;		/* frames cut by the snap length */
	uint64_t	 dropped;	/* kernel drops (pcap_stats); -1 unknown */
	int		 stats_known;
	char		 error[256];	/* a failure mid-run (disk full...) */
	uint64_t	 tcp_unseen;	/* analyze: TCP streams with bytes the
					   receiver acknowledged and the
					   capture lacks (what follows them
					   is unknown) */
	uint64_t	 tcp_evicted;	/* analyze: TCP streams given up at
					   the reassembler's bound */
};

struct ep_report {
	char		 command[2048];	/* the command line, for reproduction */
	char		 started[32];	/* UTC ISO-8601 */
	uint64_t	 duration_ms;
	int		 interrupted;
	struct ep_target *targets;	/* owned */
	int		 ntargets;
	struct ep_capture capture;
	uint64_t	 unanalysed;	/* analyze: queries past the limits */
	uint64_t	 orphan_replies;	/* analyze: DNS replies whose
					   query is not in the capture */
	char		 raw_skipped[512];	/* why no raw probe ran */
	char		 server[256];	/* @SERVER as given ("" analyze) */
	int		 compliance;	/* the compliance command's report */
	uint64_t	 packets;	/* packets charged to the rate cap */
	struct ep_zone	*zone;		/* the zone command's (owned), or
					   NULL */
	int		 resolver;	/* the resolver command's report */
};

/* Constant names used in JSON and text (stable: see docs/json.md). */
const char *ep_outcome_str(enum ep_outcome);
const char *ep_severity_str(enum ep_severity);
const char *ep_transport_str(enum ep_transport);
const char *ep_subject_str(enum ep_subject);
const char *ep_role_str(enum ep_role);
/* A finding id's name ("FRAG_IN_DROPPED"), its severity and its
 * docs/faults.md anchor, from the catalogue (ednsprobe/findings.h). */
const char *ep_finding_name(enum ep_finding_id id);
enum ep_severity ep_finding_severity(enum ep_finding_id id);
const char *ep_finding_anchor(enum ep_finding_id id);

/* The result of the measurement key in t (see struct ep_target), NULL
 * when it has none. */
void	*ep_target_result(const struct ep_target *t, const void *key);
/* The same, made (size bytes, zeroed) when t has none; NULL when out of
 * memory or room. */
void	*ep_target_result_new(struct ep_target *t, const void *key,
	    size_t size);
/* Free what t owns (its results); t stays valid, without them. */
void	ep_target_fini(struct ep_target *t);

/* The numeric address of ss (IPv4 or IPv6) in buf, "?" if none. */
const char *ep_sockaddr_str(const struct sockaddr_storage *ss, char *buf,
    size_t len);

#endif
