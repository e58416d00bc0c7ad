/* capture/pcapw.c: pcapng and classic pcap writer.  pcapng after
 * draft-ietf-opsawg-pcapng (Section Header, Interface Description,
 * Enhanced Packet and Interface Statistics Blocks), in host byte order:
 * readers learn it from the byte-order magic.
 *
 * Each block is built in memory and handed to the kernel in one write(2):
 * no stdio buffer to lose when the run is interrupted, and a failed write
 * is cut back (ftruncate) to the last whole block so the file stays
 * readable.  Classic pcap goes the same way rather than through libpcap's
 * pcap_dump_fopen: that needs a dead pcap_t and a stdio FILE flushed after
 * every frame, and pcap_dump() returns void, so a full disk would only
 * show at the next flush; here both formats share one fd opened with
 * O_NOFOLLOW, one write path and one error path. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcapw.h"

/* Block types, option codes (draft-ietf-opsawg-pcapng sections 4, 3.5). */
#define BT_SHB		0x0a0d0d0au
#define BT_IDB		0x00000001u
#define BT_ISB		0x00000005u
#define BT_EPB		0x00000006u
#define BYTE_ORDER_MAGIC 0x1a2b3c4du
#define OPT_ENDOFOPT	0
#define OPT_COMMENT	1
#define SHB_USERAPPL	4
#define IF_NAME		2
#define IF_TSRESOL	9
#define ISB_STARTTIME	2
#define ISB_ENDTIME	3
#define ISB_IFRECV	4
#define ISB_IFDROP	5
#define TSRESOL_US	6		/* 10^-6 s */

#define PCAP_MAGIC	0xa1b2c3d4u	/* classic, microseconds */
#define PCAP_HDR_LEN	24

/* Room for any block but the frame bytes: an SHB with two strings of
 * EP_PCAPW_STR_MAX is the largest (2 * 1004 + 36 bytes), an EPB adds
 * one string and 31 bytes of header, padding and trailer to its data. */
#define BLOCK_SLACK	4096

struct ep_pcapw {
	int			 fd;		/* owned */
	enum ep_pcap_format	 fmt;
	uint32_t		 snaplen;
	uint32_t		 count;
	char			*path;		/* for messages, owned */
	off_t			 good;		/* file size after the last
						   whole block */
	int			 failed;	/* errno of a failed write */
	uint8_t			*buf;		/* block being built, owned */
	size_t			 len, cap;
	int			 overrun;	/* a put did not fit: a bug */
};

static void
put(struct ep_pcapw *w, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (n > w->cap - w->len) {
		w->overrun = 1;
		return;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void
put16(struct ep_pcapw *w, uint16_t v)
{
	put(w, &v, 2);
}

static void
put32(struct ep_pcapw *w, uint32_t v)
{
	put(w, &v, 4);
}

/* A timestamp as EPB and ISB carry it: high 32 bits, then low 32 bits. */
static void
put_ts(struct ep_pcapw *w, uint64_t ts)
{
	put32(w, (uint32_t)(ts >> 32));
	put32(w, (uint32_t)ts);
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

/* Bytes of s to write: at most EP_PCAPW_STR_MAX, never half a UTF-8
 * character (a cut that lands on a continuation byte backs off to the
 * character's lead byte; at most 3 steps, whatever the bytes are). */
static size_t
str_len(const char *s)
{
	size_t n = strlen(s);

	if (n <= EP_PCAPW_STR_MAX)
		return n;
	n = EP_PCAPW_STR_MAX;
	for (int k = 0; k < 3 && ((uint8_t)s[n] & 0xc0) == 0x80; k++)
		n--;
	return n;
}

/* A UTF-8 string option (not NUL-terminated in the file), if any.
 * Returns whether one was written. */
static int
option_str(struct ep_pcapw *w, uint16_t code, const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	option(w, code, s, str_len(s));
	return 1;
}

static void
block_start(struct ep_pcapw *w, uint32_t type)
{
	w->len = 0;
	w->overrun = 0;
	put32(w, type);
	put32(w, 0);		/* total length, set by block_end */
}

/* What was built, to the kernel in one go. */
static int
flush(struct ep_pcapw *w, struct ep_err *err)
{
	size_t off = 0;
	ssize_t n;
	int e;

	if (w->failed)
		return ep_err_set(err, w->failed, "writing %s: an earlier "
		    "write failed: %s", w->path, strerror(w->failed));
	if (w->overrun)
		return ep_err_set(err, EP_EINTERNAL, "writing %s: a block of "
		    "more than %zu bytes", w->path, w->cap);
	while (off < w->len) {
		n = write(w->fd, w->buf + off, w->len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n == -1 ? errno : EIO;
			/* Leave whole blocks only: readers stop cleanly at
			 * the end instead of at a torn record. */
			if (ftruncate(w->fd, w->good) == -1) {
				/* Not a regular file: nothing to cut. */
			}
			w->failed = e;
			return ep_err_set(err, e, "writing %s: %s", w->path,
			    strerror(e));
		}
		off += (size_t)n;
	}
	w->good += (off_t)w->len;
	return 0;
}

/* End the options (if any were written), close the block, write it. */
static int
block_end(struct ep_pcapw *w, int options, struct ep_err *err)
{
	uint32_t total;

	if (options) {
		put16(w, OPT_ENDOFOPT);
		put16(w, 0);
	}
	total = (uint32_t)(w->len + 4);
	put32(w, total);
	if (!w->overrun)
		memcpy(w->buf + 4, &total, 4);
	return flush(w, err);
}

static int
header_classic(struct ep_pcapw *w, int linktype, struct ep_err *err)
{
	w->len = 0;
	w->overrun = 0;
	put32(w, PCAP_MAGIC);
	put16(w, 2);		/* version 2.4 */
	put16(w, 4);
	put32(w, 0);		/* thiszone: UTC */
	put32(w, 0);		/* sigfigs */
	put32(w, w->snaplen);
	put32(w, (uint32_t)linktype);
	return flush(w, err);
}

static int
header_ng(struct ep_pcapw *w, int linktype, const char *ifname,
    const char *appl, const char *comment, struct ep_err *err)
{
	uint8_t tsresol = TSRESOL_US;
	int opts;

	block_start(w, BT_SHB);
	put32(w, BYTE_ORDER_MAGIC);
	put16(w, 1);		/* version 1.0 */
	put16(w, 0);
	put32(w, 0xffffffffu);	/* section length: not given (-1) */
	put32(w, 0xffffffffu);
	opts = option_str(w, SHB_USERAPPL, appl);
	opts |= option_str(w, OPT_COMMENT, comment);
	if (block_end(w, opts, err) == -1)
		return -1;
	block_start(w, BT_IDB);
	put16(w, (uint16_t)linktype);
	put16(w, 0);		/* reserved */
	put32(w, w->snaplen);
	option_str(w, IF_NAME, ifname);
	option(w, IF_TSRESOL, &tsresol, 1);
	return block_end(w, 1, err);
}

static void
pcapw_free(struct ep_pcapw *w)
{
	free(w->buf);
	free(w->path);
	free(w);
}

struct ep_pcapw *
ep_pcapw_open(const char *path, enum ep_pcap_format fmt, int linktype,
    uint32_t snaplen, const char *ifname, const char *appl,
    const char *comment, struct ep_err *err)
{
	struct stat st;
	int fd, e;

	if (path == NULL || *path == '\0') {
		ep_err_set(err, EINVAL, "capture file: no path");
		return NULL;
	}
	/* O_NOFOLLOW: never write through a symlink planted where the
	 * file goes (we may run as root in a shared directory). */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (fd == -1) {
		e = errno;
		if (e == ELOOP && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			ep_err_set(err, e, "%s: a symbolic link, not followed",
			    path);
		else
			ep_err_set(err, e, "%s: %s", path, strerror(e));
		return NULL;
	}
	return ep_pcapw_open_fd(fd, path, fmt, linktype, snaplen, ifname,
	    appl, comment, err);
}

struct ep_pcapw *
ep_pcapw_open_fd(int fd, const char *path, enum ep_pcap_format fmt,
    int linktype, uint32_t snaplen, const char *ifname, const char *appl,
    const char *comment, struct ep_err *err)
{
	struct ep_pcapw *w = NULL;
	struct stat st;

	if (path == NULL || *path == '\0')
		path = "capture file";
	if (fd < 0) {
		ep_err_set(err, EBADF, "%s: no file descriptor", path);
		return NULL;
	}
	/* The file starts here: what an existing one held goes now, not
	 * when it was opened (a run that failed first kept it). */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    ftruncate(fd, 0) == -1) {
		ep_err_set(err, errno, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if ((fmt != EP_PCAP_NG && fmt != EP_PCAP_CLASSIC) || linktype < 0 ||
	    linktype > 0xffff) {
		ep_err_set(err, EINVAL, "%s: format %d, link type %d: not "
		    "supported", path, (int)fmt, linktype);
		goto fail;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		ep_err_set(err, ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	w->fd = fd;
	w->fmt = fmt;
	w->snaplen = snaplen == 0 || snaplen > EP_PCAPW_SNAP_MAX ?
	    EP_PCAPW_SNAP_MAX : snaplen;
	w->cap = w->snaplen + BLOCK_SLACK;
	if ((w->path = strdup(path)) == NULL ||
	    (w->buf = malloc(w->cap)) == NULL) {
		ep_err_set(err, ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	if ((fmt == EP_PCAP_CLASSIC ? header_classic(w, linktype, err) :
	    header_ng(w, linktype, ifname, appl, comment, err)) == -1)
		goto fail;
	return w;
fail:
	close(fd);
	if (w != NULL)
		pcapw_free(w);
	return NULL;
}

int
ep_pcapw_write(struct ep_pcapw *w, uint64_t ts_us, const uint8_t *data,
    uint32_t caplen, uint32_t wirelen, const char *comment,
    struct ep_err *err)
{
	int opts;

	if (w == NULL || (data == NULL && caplen > 0))
		return ep_err_set(err, EINVAL, "capture file: no %s",
		    w == NULL ? "writer" : "frame data");
	if (caplen > w->snaplen)
		caplen = w->snaplen;
	if (wirelen < caplen)
		wirelen = caplen;
	if (w->fmt == EP_PCAP_CLASSIC) {
		w->len = 0;
		w->overrun = 0;
		put32(w, (uint32_t)(ts_us / 1000000u));
		put32(w, (uint32_t)(ts_us % 1000000u));
		put32(w, caplen);
		put32(w, wirelen);
		put(w, data, caplen);
		if (flush(w, err) == -1)
			return -1;
	} else {
		block_start(w, BT_EPB);
		put32(w, 0);			/* interface 0 */
		put_ts(w, ts_us);
		put32(w, caplen);
		put32(w, wirelen);
		put(w, data, caplen);
		pad4(w);
		opts = option_str(w, OPT_COMMENT, comment);
		if (block_end(w, opts, err) == -1)
			return -1;
	}
	w->count++;
	return 0;
}

uint32_t
ep_pcapw_count(const struct ep_pcapw *w)
{
	return w == NULL ? 0 : w->count;
}

int
ep_pcapw_stats(struct ep_pcapw *w, uint64_t start_us, uint64_t end_us,
    uint64_t recv, uint64_t drop, struct ep_err *err)
{
	if (w == NULL)
		return ep_err_set(err, EINVAL, "capture file: no writer");
	if (w->fmt == EP_PCAP_CLASSIC)
		return 0;
	block_start(w, BT_ISB);
	put32(w, 0);				/* interface 0 */
	put_ts(w, end_us);			/* when the counts were read */
	put16(w, ISB_STARTTIME);
	put16(w, 8);
	put_ts(w, start_us);
	put16(w, ISB_ENDTIME);
	put16(w, 8);
	put_ts(w, end_us);
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
	if (w->failed)
		rc = ep_err_set(err, w->failed, "writing %s: %s (the file "
		    "ends at frame %u)", w->path, strerror(w->failed),
		    w->count);
	/* Delayed allocation and network file systems report a full disk
	 * only here.  Special files (a pipe, /dev/null) cannot sync. */
	else if (fsync(w->fd) == -1 && errno != EINVAL && errno != EROFS)
		rc = ep_err_set(err, errno, "writing %s: %s", w->path,
		    strerror(errno));
	if (close(w->fd) == -1 && rc == 0)
		rc = ep_err_set(err, errno, "closing %s: %s", w->path,
		    strerror(errno));
	pcapw_free(w);
	return rc;
}

int
ep_pcapw_fd(const struct ep_pcapw *w)
{
	return w->fd;
}
