/* include/ednsprobe/options.h: the run's settings, as the command line
 * gave them: which command, what to ask, how to probe, where to write.
 * Plain data shared by every layer; probe/cmd/options.h parses it. */
#ifndef EDNSPROBE_OPTIONS_H
#define EDNSPROBE_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "ednsprobe/dns.h"

/* The sizes of the arrays below; the bounds of the values stored in the
 * other fields belong to the code that uses them (measure/plan.h,
 * engine/run.h, cmd/survey.h, respond/respond.h, ednsprobe/zone.h). */
#define EP_SIZES_MAX		16	/* EDNS sizes of the ladder */
#define EP_PARENTS_MAX		8	/* zone: --parent addresses */
#define EP_LISTEN_MAX		8	/* respond: --listen addresses */

enum ep_command {
	EP_CMD_NONE,
	EP_CMD_PATH,
	EP_CMD_ANALYZE,
	EP_CMD_COMPLY,		/* compliance @SERVER ZONE */
	EP_CMD_SURVEY,		/* survey FILE */
	EP_CMD_ZONE,		/* zone NAME */
	EP_CMD_RESOLVER,	/* resolver [@SERVER] [NAME [TYPE]] */
	EP_CMD_RESPOND,		/* respond --zone NAME --listen ADDR */
	EP_CMD_COMPLETION,	/* completion bash */
};

struct ep_options {
	enum ep_command	 cmd;
	char		 server[256];	/* @SERVER as given */
	int		 family;	/* 0: every family, 4 or 6 */
	uint16_t	 port;
	char		 name[EP_DNAME_STRMAX];	/* NAME as given, "." default */
	uint8_t		 qname[EP_DNAME_MAX];	/* NAME in wire form */
	size_t		 qname_len;
	uint16_t	 qtype;		/* 0: choose (DNSKEY) */
	uint16_t	 sizes[EP_SIZES_MAX];	/* the ladder */
	int		 nsizes;
	int		 dnssec;	/* DO on the ladder */
	int		 recurse;	/* RD on every query */
	int		 udp;		/* run the UDP probes */
	int		 tcp;		/* run the TCP probes */
	int		 raw;		/* run the raw probes (fragments,
					   MTU, hops) */
	int		 max_hops;	/* TTL probes: 1..max_hops */
	uint16_t	 frag_size;	/* outbound fragments: IP payload per
					   fragment (and twice that) */
	uint32_t	 timeout_ms;	/* cap of the adaptive timeout */
	uint32_t	 floor_ms;	/* floor of the adaptive timeout */
	uint32_t	 budget_ms;	/* survey: time per target; 0 bound */
	int		 tries;		/* sends per UDP probe, connects per
					   TCP probe */
	unsigned	 rate;		/* packets per second */
	int		 json;		/* JSON on stdout instead of text */
	int		 genreport;	/* --format genreport: one line per
					   address, as ISC's tester prints */
	int		 full;		/* compliance: genreport's -f tests */
	int		 resolver;	/* compliance: genreport's -R mode */
	int		 compliance;	/* path --compliance: the tests too */
	char		 json_file[1024];	/* also write JSON here */
	char		 report[1024];	/* --report: the ticket report */
	char		 pcap[1024];	/* --pcap FILE; "" for the default */
	int		 no_pcap;	/* --no-pcap: capture, write no file */
	int		 pcap_classic;	/* --pcap-format pcap */
	int		 pcap_open;	/* main opened the capture file
					   before the run: pcap_fd */
	int		 pcap_fd;	/* that file (standard output's
					   copy for "--pcap -") */
	char		 iface[64];	/* --iface; "" to follow the route */
	char		 user[64];	/* --user: who root becomes (privs.h) */
	char		 file[1024];	/* analyze: the capture; survey: the
					   target list ("-": stdin);
					   completion: the shell */
	int		 parallel;	/* survey: targets in flight */
	char		 resume[1024];	/* survey: an earlier output */
	char		 parents[EP_PARENTS_MAX][64];	/* zone: --parent */
	int		 nparents;
	char		 hints[1024];	/* zone: --hints FILE */
	int		 max_addresses;	/* zone: server addresses probed */
	int		 no_path;	/* zone: delegation only */
	char		 resolv_conf[1024];	/* resolver: --resolv-conf */
	char		 listen[EP_LISTEN_MAX][64];	/* respond: --listen */
	int		 nlisten;
	uint32_t	 duration_ms;	/* respond: --duration; 0: until a
					   signal */
	int		 short_out;	/* +short: the Resume lines only */
	const char	*dig_name;	/* -q NAME: argv's, not owned */
	const char	*dig_type;	/* -t TYPE: argv's, not owned */
	int		 verbose;
	int		 help;
	int		 version;
};

#endif
