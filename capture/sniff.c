/* capture/sniff.c: libpcap behind one small interface, live or file. */
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sniff.h"

#define SNAPLEN		65535
#define BUFFER_BYTES	(4 * 1024 * 1024)	/* kernel ring: no drops at
						   our highest probe rate */

struct ep_sniff {
	pcap_t		*pc;
	int		 fd;
	int		 live;
	int		 pcapng;	/* a file whose first block is an SHB */
	ep_sniff_cb	*cb;
	void		*arg;
};

static struct ep_sniff *
fail(struct ep_sniff *s, struct ep_err *err, int code, const char *what,
    const char *why)
{
	ep_err_set(err, code, "%s: %s", what, why);
	if (s != NULL) {
		if (s->pc != NULL)
			pcap_close(s->pc);
		free(s);
	}
	return NULL;
}

struct ep_sniff *
ep_sniff_live(const char *iface, const char *filter, struct ep_err *err)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program prog;
	struct ep_sniff *s;
	int rc;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return fail(NULL, err, errno, "capture", strerror(errno));
	s->live = 1;
	if ((s->pc = pcap_create(iface, ebuf)) == NULL)
		return fail(s, err, EINVAL, iface, ebuf);
	pcap_set_snaplen(s->pc, SNAPLEN);
	pcap_set_promisc(s->pc, 0);
	pcap_set_immediate_mode(s->pc, 1);
	pcap_set_buffer_size(s->pc, BUFFER_BYTES);
	pcap_set_tstamp_precision(s->pc, PCAP_TSTAMP_PRECISION_MICRO);
	if ((rc = pcap_activate(s->pc)) < 0) {
		int code = rc == PCAP_ERROR_PERM_DENIED ? EPERM : EINVAL;

		return fail(s, err, code, iface, rc == PCAP_ERROR ?
		    pcap_geterr(s->pc) : pcap_statustostr(rc));
	}
#ifdef DLT_LINUX_SLL2
	/* On "any": SLL2 names the interface of each frame. */
	if (pcap_datalink(s->pc) == DLT_LINUX_SLL)
		(void)pcap_set_datalink(s->pc, DLT_LINUX_SLL2);
#endif
	if (pcap_setnonblock(s->pc, 1, ebuf) == -1)
		return fail(s, err, EINVAL, iface, ebuf);
	if (pcap_compile(s->pc, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) == -1)
		return fail(s, err, EINVAL, "capture filter",
		    pcap_geterr(s->pc));
	rc = pcap_setfilter(s->pc, &prog);
	pcap_freecode(&prog);
	if (rc == -1)
		return fail(s, err, EINVAL, "capture filter",
		    pcap_geterr(s->pc));
	if ((s->fd = pcap_get_selectable_fd(s->pc)) == -1)
		return fail(s, err, EINVAL, iface, "no selectable descriptor");
	return s;
}

struct ep_sniff *
ep_sniff_file(int fd, const char *path, struct ep_err *err)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct ep_sniff *s;
	uint8_t magic[4];
	FILE *fp = NULL;
	int dfd;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return fail(NULL, err, errno, path, strerror(errno));
	s->fd = -1;
	/* libpcap closes the FILE: give it a descriptor of its own. */
	if (lseek(fd, 0, SEEK_SET) == -1 ||
	    (dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1)
		return fail(s, err, errno, path, strerror(errno));
	if ((fp = fdopen(dfd, "rb")) == NULL) {
		close(dfd);
		return fail(s, err, errno, path, strerror(errno));
	}
	s->pc = pcap_fopen_offline_with_tstamp_precision(fp,
	    PCAP_TSTAMP_PRECISION_MICRO, ebuf);
	if (s->pc == NULL) {
		fclose(fp);
		return fail(s, err, EINVAL, path, ebuf[0] ? ebuf :
		    "not a capture file");
	}
	/* libpcap reads both formats through one handle and does not say
	 * which: a pcapng file begins with a Section Header Block, type
	 * 0x0A0D0D0A in either byte order (draft-ietf-opsawg-pcapng 4.1). */
	s->pcapng = pread(fd, magic, sizeof(magic), 0) == sizeof(magic) &&
	    magic[0] == 0x0a && magic[1] == 0x0d && magic[2] == 0x0d &&
	    magic[3] == 0x0a;
	return s;
}

int
ep_sniff_fd(const struct ep_sniff *s)
{
	return s->fd;
}

int
ep_sniff_pcapng(const struct ep_sniff *s)
{
	return s->pcapng;
}

int
ep_sniff_link(const struct ep_sniff *s)
{
	int dlt = pcap_datalink(s->pc);

	/* DLT_ and LINKTYPE_ values agree except for raw IP. */
	return dlt == DLT_RAW ? 101 : dlt;
}

static void
one(u_char *arg, const struct pcap_pkthdr *h, const u_char *data)
{
	struct ep_sniff *s = (struct ep_sniff *)(void *)arg;

	s->cb(s->arg, (uint64_t)h->ts.tv_sec * 1000000u +
	    (uint64_t)h->ts.tv_usec, data, h->caplen, h->len);
}

int
ep_sniff_read(struct ep_sniff *s, int max, ep_sniff_cb *cb, void *arg,
    struct ep_err *err)
{
	int n;

	s->cb = cb;
	s->arg = arg;
	n = pcap_dispatch(s->pc, s->live || max <= 0 ? -1 : max, one,
	    (u_char *)s);
	if (n == PCAP_ERROR)
		return ep_err_set(err, EIO, "capture: %s", pcap_geterr(s->pc));
	return n < 0 ? 0 : n;	/* PCAP_ERROR_BREAK: none */
}

int
ep_sniff_stats(struct ep_sniff *s, uint64_t *recv, uint64_t *drop)
{
	struct pcap_stat st;

	if (!s->live || pcap_stats(s->pc, &st) == -1)
		return -1;
	*recv = st.ps_recv;
	*drop = (uint64_t)st.ps_drop + st.ps_ifdrop;
	return 0;
}

void
ep_sniff_close(struct ep_sniff *s)
{
	if (s == NULL)
		return;
	pcap_close(s->pc);
	free(s);
}
