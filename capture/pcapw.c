/* capture/pcapw.c: pcapng and classic pcap writer.  pcapng blocks (section
 * header, interface description, enhanced packet, interface statistics)
 * after draft-ietf-opsawg-pcapng, in host byte order (the byte-order magic
 * tells readers).  Each block is built in memory and handed to the kernel
 * in one write(2): no stdio buffer to lose when the run is interrupted. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcapw.h"

#define BT_SHB		0x0a0d0d0au
#define BT_IDB		0x00000001u
#define BT_ISB		0x00000005u
#define BT_EPB		0x00000006u
#define BOM		0x1a2b3c4du
#define OPT_END		0
#define OPT_COMMENT	1
#define SHB_USERAPPL	4
#define IF_NAME		2
#define IF_TSRESOL	9
#define ISB_START	2
#define ISB_END		3
#define ISB_IFRECV	4
#define ISB_IFDROP	5
#define COMMENT_MAX	1000
#define PCAP_MAGIC	0xa1b2c3d4u
#define BUF_BYTES	(65536 + COMMENT_MAX + 256)

struct ep_pcapw {
	int			 fd;
	enum ep_pcap_format	 fmt;
	uint32_t		 snaplen;
	uint32_t		 count;
	uint8_t			*buf;	/* one block being built */
	size_t			 len;
};

static void
put(struct ep_pcapw *w, const void *p, size_t n)
{
	if (w->len + n <= BUF_BYTES) {
		memcpy(w->buf + w->len, p, n);
		w->len += n;
	}
}

static void
put32(struct ep_pcapw *w, uint32_t v)
{
	put(w, &v, 4);
}

static void
put16(struct ep_pcapw *w, uint16_t v)
{
	put(w, &v, 2);
}

static void
pad4(struct ep_pcapw *w)
{
	static const uint8_t zero[4];

	put(w, zero, (4 - w->len % 4) % 4);
}

static void
option(struct ep_pcapw *w, uint16_t code, const void *v, size_t n)
{
	put16(w, code);
	put16(w, (uint16_t)n);
	put(w, v, n);
	pad4(w);
}

static void
option_str(struct ep_pcapw *w, uint16_t code, const char *s)
{
	size_t n;

	if (s == NULL || *s == '\0')
		return;
	n = strlen(s);
	option(w, code, s, n > COMMENT_MAX ? COMMENT_MAX : n);
}

static void
block_start(struct ep_pcapw *w, uint32_t type)
{
	w->len = 0;
	put32(w, type);
	put32(w, 0);		/* total length, set by block_end */
}

/* The bytes built so far, to the kernel. */
static int
raw_end(struct ep_pcapw *w, struct ep_err *err)
{
	size_t off = 0;

	while (off < w->len) {
		ssize_t n = write(w->fd, w->buf + off, w->len - off);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return ep_err_set(err, n == -1 ? errno : EIO,
			    "writing the capture: %s", strerror(n == -1 ?
			    errno : EIO));
		off += (size_t)n;
	}
	return 0;
}

/* Close the options and the block, and write it. */
static int
block_end(struct ep_pcapw *w, int options, struct ep_err *err)
{
	uint32_t total;

	if (options) {
		put16(w, OPT_END);
		put16(w, 0);
	}
	total = (uint32_t)(w->len + 4);
	put32(w, total);
	memcpy(w->buf + 4, &total, 4);
	return raw_end(w, err);
}

static int
header(struct ep_pcapw *w, int linktype, const char *ifname,
    const char *appl, const char *comment, struct ep_err *err)
{
	uint8_t tsresol = 6;	/* 10^-6 s */

	if (w->fmt == EP_PCAP_CLASSIC) {
		w->len = 0;
		put32(w, PCAP_MAGIC);
		put16(w, 2);
		put16(w, 4);
		put32(w, 0);		/* thiszone */
		put32(w, 0);		/* sigfigs */
		put32(w, w->snaplen);
		put32(w, (uint32_t)linktype);
		return raw_end(w, err);
	}
	block_start(w, BT_SHB);
	put32(w, BOM);
	put16(w, 1);
	put16(w, 0);
	put32(w, 0xffffffffu);	/* section length: unknown (-1) */
	put32(w, 0xffffffffu);
	option_str(w, OPT_COMMENT, comment);
	option_str(w, SHB_USERAPPL, appl);
	if (block_end(w, 1, err) == -1)
		return -1;
	block_start(w, BT_IDB);
	put16(w, (uint16_t)linktype);
	put16(w, 0);
	put32(w, w->snaplen);
	option_str(w, IF_NAME, ifname);
	option(w, IF_TSRESOL, &tsresol, 1);
	return block_end(w, 1, err);
}

struct ep_pcapw *
ep_pcapw_open(const char *path, enum ep_pcap_format fmt, int linktype,
    uint32_t snaplen, const char *ifname, const char *appl,
    const char *comment, struct ep_err *err)
{
	struct ep_pcapw *w = calloc(1, sizeof(*w));

	if (w == NULL || (w->buf = malloc(BUF_BYTES)) == NULL) {
		free(w);
		ep_err_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	w->fmt = fmt;
	w->snaplen = snaplen ? snaplen : 65535;
	/* O_NOFOLLOW: never write through a planted symlink. */
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (w->fd == -1) {
		ep_err_set(err, errno, "%s: %s", path, strerror(errno));
		free(w->buf);
		free(w);
		return NULL;
	}
	if (header(w, linktype, ifname, appl, comment, err) == -1) {
		close(w->fd);
		free(w->buf);
		free(w);
		return NULL;
	}
	return w;
}

int
ep_pcapw_write(struct ep_pcapw *w, uint64_t ts_us, const uint8_t *data,
    uint32_t caplen, uint32_t wirelen, const char *comment,
    struct ep_err *err)
{
	if (caplen > w->snaplen)
		caplen = w->snaplen;
	if (wirelen < caplen)
		wirelen = caplen;
	if (w->fmt == EP_PCAP_CLASSIC) {
		w->len = 0;
		put32(w, (uint32_t)(ts_us / 1000000u));
		put32(w, (uint32_t)(ts_us % 1000000u));
		put32(w, caplen);
		put32(w, wirelen);
		put(w, data, caplen);
		if (raw_end(w, err) == -1)
			return -1;
	} else {
		block_start(w, BT_EPB);
		put32(w, 0);				/* interface 0 */
		put32(w, (uint32_t)(ts_us >> 32));
		put32(w, (uint32_t)ts_us);
		put32(w, caplen);
		put32(w, wirelen);
		put(w, data, caplen);
		pad4(w);
		option_str(w, OPT_COMMENT, comment);
		if (block_end(w, comment != NULL && *comment != '\0', err)
		    == -1)
			return -1;
	}
	w->count++;
	return 0;
}

uint32_t
ep_pcapw_count(const struct ep_pcapw *w)
{
	return w->count;
}

int
ep_pcapw_stats(struct ep_pcapw *w, uint64_t start_us, uint64_t end_us,
    uint64_t recv, uint64_t drop, struct ep_err *err)
{
	uint32_t ts[2];

	if (w->fmt == EP_PCAP_CLASSIC)
		return 0;
	block_start(w, BT_ISB);
	put32(w, 0);
	put32(w, (uint32_t)(end_us >> 32));
	put32(w, (uint32_t)end_us);
	ts[0] = (uint32_t)(start_us >> 32);
	ts[1] = (uint32_t)start_us;
	option(w, ISB_START, ts, 8);
	ts[0] = (uint32_t)(end_us >> 32);
	ts[1] = (uint32_t)end_us;
	option(w, ISB_END, ts, 8);
	option(w, ISB_IFRECV, &recv, 8);
	option(w, ISB_IFDROP, &drop, 8);
	return block_end(w, 1, err);
}

int
ep_pcapw_close(struct ep_pcapw *w, struct ep_err *err)
{
	int rc = 0;

	if (w == NULL)
		return 0;
	if (fsync(w->fd) == -1 && errno != EINVAL && errno != EROFS)
		rc = ep_err_set(err, errno, "writing the capture: %s",
		    strerror(errno));
	if (close(w->fd) == -1 && rc == 0)
		rc = ep_err_set(err, errno, "closing the capture: %s",
		    strerror(errno));
	free(w->buf);
	free(w);
	return rc;
}
