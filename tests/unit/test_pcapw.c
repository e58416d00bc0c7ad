/* tests/unit/test_pcapw.c: the capture writer (capture/pcapw.c): files
 * read back with libpcap, and the pcapng blocks and options walked here
 * byte by byte (draft-ietf-opsawg-pcapng). */
#include <sys/resource.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "ednsprobe/frame.h"
#include "pcapw.h"

#define T0	1700000000123456ull	/* first frame, microseconds */

static char dir[] = "/tmp/ep-test-pcapw.XXXXXX";

/* An Ethernet/IPv4/UDP DNS query for "probe.test" A (checksums 0). */
static const uint8_t QUERY[] = {
	0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
	0x45, 0, 0, 56, 0x12, 0x34, 0x40, 0, 64, 17, 0, 0,
	192, 0, 2, 1, 203, 0, 113, 53,
	0x9c, 0x40, 0, 53, 0, 36, 0, 0,
	0xbe, 0xef, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0,
	5, 'p', 'r', 'o', 'b', 'e', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1,
};

/* A frame of n bytes, each byte its index plus seed. */
static uint8_t *
pattern(size_t n, unsigned seed)
{
	uint8_t *b = malloc(n ? n : 1);

	assert_non_null(b);
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(i + seed);
	return b;
}

static const char *
in_dir(const char *name)
{
	static char path[sizeof(dir) + 256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	struct dirent *e;
	DIR *d;

	(void)state;
	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlink(in_dir(e->d_name));
	closedir(d);
	return rmdir(dir);
}

/* ------------------------------------------------- reading it back */

struct rec {
	uint64_t	 ts_us;
	uint32_t	 caplen, len;
	const uint8_t	*data;
};

/* Read path with libpcap and check it holds exactly the n records. */
static void
check_libpcap(const char *path, int link, uint32_t snaplen,
    const struct rec *r, int n)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pc;
	int i = 0, rc;

	pc = pcap_open_offline_with_tstamp_precision(path,
	    PCAP_TSTAMP_PRECISION_MICRO, ebuf);
	if (pc == NULL)
		fail_msg("libpcap cannot read %s: %s", path, ebuf);
	assert_int_equal(pcap_datalink(pc), link);
	assert_int_equal(pcap_snapshot(pc), snaplen);
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		assert_true(i < n);
		assert_int_equal(h->ts.tv_sec, r[i].ts_us / 1000000);
		assert_int_equal(h->ts.tv_usec, r[i].ts_us % 1000000);
		assert_int_equal(h->caplen, r[i].caplen);
		assert_int_equal(h->len, r[i].len);
		if (r[i].caplen > 0)
			assert_memory_equal(data, r[i].data, r[i].caplen);
		i++;
	}
	if (rc != PCAP_ERROR_BREAK)
		fail_msg("%s: record %d: %s", path, i, pcap_geterr(pc));
	assert_int_equal(i, n);
	pcap_close(pc);
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *b;
	int fd;

	assert_true((fd = open(path, O_RDONLY)) != -1);
	assert_int_equal(fstat(fd, &st), 0);
	b = malloc((size_t)st.st_size + 1);
	assert_non_null(b);
	assert_int_equal(read(fd, b, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return b;
}

static uint32_t
h32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint16_t
h16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

/* One pcapng block as walked. */
struct block {
	uint32_t	 type, len;
	const uint8_t	*p;		/* whole block */
	size_t		 opts;		/* offset of the options in p */
};

/*
 * The blocks of a pcapng file, each checked: length a multiple of 4 and
 * repeated at the end, options 32-bit aligned and ended by opt_endofopt
 * exactly at the trailer.  Returns how many (at most max).
 */
static int
walk(const uint8_t *f, size_t flen, struct block *b, int max)
{
	size_t off = 0, o;
	int n = 0;

	while (off < flen) {
		assert_true(n < max);
		assert_true(flen - off >= 12);
		b[n].p = f + off;
		b[n].type = h32(f + off);
		b[n].len = h32(f + off + 4);
		assert_int_equal(b[n].len % 4, 0);
		assert_true(b[n].len >= 12 && b[n].len <= flen - off);
		assert_int_equal(h32(f + off + b[n].len - 4), b[n].len);
		switch (b[n].type) {
		case 0x0a0d0d0a:		/* SHB */
			assert_int_equal(h32(f + off + 8), 0x1a2b3c4d);
			assert_int_equal(h16(f + off + 12), 1);
			assert_int_equal(h16(f + off + 14), 0);
			assert_int_equal(h32(f + off + 16), 0xffffffffu);
			assert_int_equal(h32(f + off + 20), 0xffffffffu);
			b[n].opts = 24;
			break;
		case 1:				/* IDB */
			b[n].opts = 16;
			break;
		case 6:				/* EPB */
			b[n].opts = 28 + (h32(f + off + 20) + 3) / 4 * 4;
			break;
		case 5:				/* ISB */
			b[n].opts = 20;
			break;
		default:
			fail_msg("unexpected block type %#x", b[n].type);
		}
		/* Options: code, length, value padded to 4; end of options
		 * last, unless there are none at all. */
		o = b[n].opts;
		if (o < b[n].len - 4) {
			for (;;) {
				uint16_t code = h16(b[n].p + o);
				uint16_t olen = h16(b[n].p + o + 2);

				assert_true(o + 4 + olen <= b[n].len - 4);
				o += 4 + (olen + 3u) / 4 * 4;
				if (code == 0) {
					assert_int_equal(olen, 0);
					break;
				}
			}
		}
		assert_int_equal(o, b[n].len - 4);
		off += b[n].len;
		n++;
	}
	return n;
}

/* Option code of block b: its value and length, or NULL. */
static const uint8_t *
opt(const struct block *b, uint16_t code, uint16_t *len)
{
	size_t o = b->opts;

	while (o < b->len - 4) {
		uint16_t c = h16(b->p + o), l = h16(b->p + o + 2);

		if (c == 0)
			break;
		if (c == code) {
			*len = l;
			return b->p + o + 4;
		}
		o += 4 + (l + 3u) / 4 * 4;
	}
	return NULL;
}

static void
assert_opt_str(const struct block *b, uint16_t code, const char *want)
{
	const uint8_t *v;
	uint16_t len;

	v = opt(b, code, &len);
	if (want == NULL) {
		assert_null(v);
		return;
	}
	assert_non_null(v);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(v, want, len);
}

static uint64_t
opt_ts(const struct block *b, uint16_t code)
{
	const uint8_t *v;
	uint16_t len;

	assert_non_null(v = opt(b, code, &len));
	assert_int_equal(len, 8);
	return (uint64_t)h32(v) << 32 | h32(v + 4);
}

static uint64_t
opt_u64(const struct block *b, uint16_t code)
{
	const uint8_t *v;
	uint16_t len;
	uint64_t x;

	assert_non_null(v = opt(b, code, &len));
	assert_int_equal(len, 8);
	memcpy(&x, v, 8);
	return x;
}

/* ------------------------------------------------------------ tests */

static void
test_pcapng(void **state)
{
	const char *path = in_dir("run.pcapng");
	static const char *comments[] = { NULL, "probe 1: query id 48879",
	    "", "réponse → 2 fragments" };
	uint8_t *big = pattern(1514, 7), *f;
	struct rec r[4];
	struct block b[16];
	struct ep_pcapw *w;
	struct ep_err err;
	uint16_t len;
	size_t flen;
	int n;

	(void)state;
	w = ep_pcapw_open(path, EP_PCAP_NG, EP_LINK_ETHERNET, 65535, "to-r1",
	    "ednsprobe " EP_VERSION, "ednsprobe path 203.0.113.53", &err);
	if (w == NULL)
		fail_msg("%s", err.msg);
	r[0] = (struct rec){ T0, sizeof(QUERY), sizeof(QUERY), QUERY };
	r[1] = (struct rec){ T0 + 999999, sizeof(QUERY), sizeof(QUERY),
	    QUERY };
	r[2] = (struct rec){ T0 + 1000001, 1514, 1514, big };
	/* Odd length: padding; after 2106, past classic pcap's range. */
	r[3] = (struct rec){ 4500000000000001ull, 61, 1514, big };
	for (int i = 0; i < 4; i++) {
		assert_int_equal(ep_pcapw_write(w, r[i].ts_us, r[i].data,
		    r[i].caplen, r[i].len, comments[i], &err), 0);
		assert_int_equal(ep_pcapw_count(w), i + 1);
	}
	assert_int_equal(ep_pcapw_stats(w, T0 - 5, T0 + 2000000, 17, 3, &err),
	    0);
	assert_int_equal(ep_pcapw_close(w, &err), 0);

	check_libpcap(path, DLT_EN10MB, 65535, r, 4);

	f = slurp(path, &flen);
	n = walk(f, flen, b, 16);
	assert_int_equal(n, 7);
	assert_int_equal(b[0].type, 0x0a0d0d0a);
	assert_opt_str(&b[0], 4, "ednsprobe " EP_VERSION);
	assert_opt_str(&b[0], 1, "ednsprobe path 203.0.113.53");
	assert_int_equal(b[1].type, 1);
	assert_int_equal(h16(b[1].p + 8), EP_LINK_ETHERNET);
	assert_int_equal(h32(b[1].p + 12), 65535);
	assert_opt_str(&b[1], 2, "to-r1");
	assert_non_null(opt(&b[1], 9, &len));
	assert_int_equal(len, 1);
	assert_int_equal(*opt(&b[1], 9, &len), 6);
	for (int i = 0; i < 4; i++) {
		const struct block *e = &b[2 + i];

		assert_int_equal(e->type, 6);
		assert_int_equal(h32(e->p + 8), 0);		/* interface */
		assert_int_equal((uint64_t)h32(e->p + 12) << 32 |
		    h32(e->p + 16), r[i].ts_us);
		assert_int_equal(h32(e->p + 20), r[i].caplen);
		assert_int_equal(h32(e->p + 24), r[i].len);
		assert_memory_equal(e->p + 28, r[i].data, r[i].caplen);
		/* NULL and "" write no comment and no options at all. */
		assert_opt_str(e, 1, comments[i] != NULL &&
		    comments[i][0] != '\0' ? comments[i] : NULL);
		if (comments[i] == NULL || comments[i][0] == '\0')
			assert_int_equal(e->opts, e->len - 4);
	}
	assert_int_equal(b[6].type, 5);
	assert_int_equal(h32(b[6].p + 8), 0);
	assert_int_equal(opt_ts(&b[6], 2), T0 - 5);
	assert_int_equal(opt_ts(&b[6], 3), T0 + 2000000);
	assert_int_equal(opt_u64(&b[6], 4), 17);
	assert_int_equal(opt_u64(&b[6], 5), 3);
	free(f);
	free(big);
}

static void
test_classic(void **state)
{
	const char *path = in_dir("run.pcap");
	uint32_t hdr[6] = { 0xa1b2c3d4, 0, 0, 0, 65535, EP_LINK_ETHERNET };
	uint16_t version[2] = { 2, 4 };
	uint8_t *big = pattern(1514, 3), *f;
	struct ep_pcapw *w;
	struct ep_err err;
	struct rec r[3];
	size_t flen;

	(void)state;
	memcpy(&hdr[1], version, 4);
	w = ep_pcapw_open(path, EP_PCAP_CLASSIC, EP_LINK_ETHERNET, 65535,
	    "to-r1", "ednsprobe " EP_VERSION, "ignored", &err);
	if (w == NULL)
		fail_msg("%s", err.msg);
	r[0] = (struct rec){ T0, sizeof(QUERY), sizeof(QUERY), QUERY };
	r[1] = (struct rec){ T0 + 1, 1514, 1514, big };
	r[2] = (struct rec){ T0 + 3999999, 101, 1514, big };
	for (int i = 0; i < 3; i++)
		assert_int_equal(ep_pcapw_write(w, r[i].ts_us, r[i].data,
		    r[i].caplen, r[i].len, i == 1 ? "comment" : NULL, &err),
		    0);
	assert_int_equal(ep_pcapw_count(w), 3);
	/* No statistics block in classic pcap. */
	assert_int_equal(ep_pcapw_stats(w, 1, 2, 3, 4, &err), 0);
	assert_int_equal(ep_pcapw_close(w, &err), 0);
	check_libpcap(path, DLT_EN10MB, 65535, r, 3);
	f = slurp(path, &flen);
	assert_memory_equal(f, hdr, 24);
	assert_int_equal(flen, 24 + 3 * 16 + sizeof(QUERY) + 1514 + 101);
	free(f);
	free(big);
}

/* caplen over the snaplen is clipped; a wirelen under caplen raised; an
 * empty frame is fine; snaplen 0 means the largest. */
static void
test_snaplen(void **state)
{
	static const enum ep_pcap_format fmts[] = { EP_PCAP_NG,
	    EP_PCAP_CLASSIC };
	uint8_t *big = pattern(70000, 1);
	struct ep_pcapw *w;
	struct ep_err err;
	struct rec r[3];

	(void)state;
	for (int k = 0; k < 2; k++) {
		const char *path = in_dir(k ? "snap.pcap" : "snap.pcapng");

		w = ep_pcapw_open(path, fmts[k], EP_LINK_RAW, 96, NULL, NULL,
		    NULL, &err);
		assert_non_null(w);
		assert_int_equal(ep_pcapw_write(w, T0, big, 1500, 1500, NULL,
		    &err), 0);
		assert_int_equal(ep_pcapw_write(w, T0 + 1, big, 80, 40, NULL,
		    &err), 0);
		assert_int_equal(ep_pcapw_write(w, T0 + 2, NULL, 0, 60, "x",
		    &err), 0);
		assert_int_equal(ep_pcapw_close(w, &err), 0);
		r[0] = (struct rec){ T0, 96, 1500, big };
		r[1] = (struct rec){ T0 + 1, 80, 80, big };
		r[2] = (struct rec){ T0 + 2, 0, 60, NULL };
		check_libpcap(path, DLT_RAW, 96, r, 3);

		/* Jumbo frames under the default snaplen. */
		w = ep_pcapw_open(path, fmts[k], EP_LINK_ETHERNET, 0, NULL,
		    NULL, NULL, &err);
		assert_non_null(w);
		assert_int_equal(ep_pcapw_write(w, T0, big, 70000, 70000,
		    "jumbo", &err), 0);
		assert_int_equal(ep_pcapw_close(w, &err), 0);
		r[0] = (struct rec){ T0, 70000, 70000, big };
		check_libpcap(path, DLT_EN10MB, EP_PCAPW_SNAP_MAX, r, 1);
	}
	free(big);
}

/* Strings are capped at 1000 bytes, never inside a UTF-8 character. */
static void
test_long_strings(void **state)
{
	const char *path = in_dir("long.pcapng");
	char ascii[1500], utf8[1100];
	struct block b[8];
	struct ep_pcapw *w;
	struct ep_err err;
	const uint8_t *v;
	uint16_t len;
	uint8_t *f;
	size_t flen;

	(void)state;
	memset(ascii, 'a', sizeof(ascii) - 1);
	ascii[sizeof(ascii) - 1] = '\0';
	/* 999 bytes, then "é" (2 bytes) across the 1000 mark. */
	memset(utf8, 'b', 999);
	strcpy(utf8 + 999, "\xc3\xa9 and more");
	w = ep_pcapw_open(path, EP_PCAP_NG, EP_LINK_ETHERNET, 65535, ascii,
	    utf8, ascii, &err);
	assert_non_null(w);
	assert_int_equal(ep_pcapw_write(w, T0, QUERY, sizeof(QUERY),
	    sizeof(QUERY), utf8, &err), 0);
	assert_int_equal(ep_pcapw_write(w, T0, QUERY, sizeof(QUERY),
	    sizeof(QUERY), ascii, &err), 0);
	assert_int_equal(ep_pcapw_close(w, &err), 0);
	f = slurp(path, &flen);
	assert_int_equal(walk(f, flen, b, 8), 4);
	assert_non_null(v = opt(&b[0], 1, &len));
	assert_int_equal(len, EP_PCAPW_STR_MAX);
	assert_non_null(v = opt(&b[0], 4, &len));
	assert_int_equal(len, 999);
	assert_non_null(v = opt(&b[1], 2, &len));
	assert_int_equal(len, EP_PCAPW_STR_MAX);
	assert_non_null(v = opt(&b[2], 1, &len));
	assert_int_equal(len, 999);
	assert_memory_equal(v, utf8, 999);
	assert_non_null(v = opt(&b[3], 1, &len));
	assert_int_equal(len, EP_PCAPW_STR_MAX);
	free(f);
}

/* Every frame is in the file when write returns: readable before close,
 * as after an interrupted run. */
static void
test_readable_before_close(void **state)
{
	static const enum ep_pcap_format fmts[] = { EP_PCAP_NG,
	    EP_PCAP_CLASSIC };
	struct ep_pcapw *w;
	struct ep_err err;
	struct rec r[2];

	(void)state;
	for (int k = 0; k < 2; k++) {
		const char *path = in_dir(k ? "live.pcap" : "live.pcapng");

		w = ep_pcapw_open(path, fmts[k], EP_LINK_ETHERNET, 65535,
		    "eth0", "ednsprobe " EP_VERSION, NULL, &err);
		assert_non_null(w);
		check_libpcap(path, DLT_EN10MB, 65535, r, 0);
		for (int i = 0; i < 2; i++) {
			r[i] = (struct rec){ T0 + (uint64_t)i, sizeof(QUERY),
			    sizeof(QUERY), QUERY };
			assert_int_equal(ep_pcapw_write(w, r[i].ts_us, QUERY,
			    sizeof(QUERY), sizeof(QUERY), "c", &err), 0);
			check_libpcap(path, DLT_EN10MB, 65535, r, i + 1);
		}
		assert_int_equal(ep_pcapw_close(w, &err), 0);
	}
}

/* Never through a symlink, dangling or not. */
static void
test_symlink(void **state)
{
	const char *path;
	char target[sizeof(dir) + 256];
	struct ep_err err;
	struct stat st;
	uint8_t *f;
	size_t flen;
	int fd;

	(void)state;
	snprintf(target, sizeof(target), "%s", in_dir("target"));
	path = in_dir("link.pcapng");
	assert_int_equal(symlink(target, path), 0);
	memset(&err, 0, sizeof(err));
	assert_null(ep_pcapw_open(path, EP_PCAP_NG, 1, 65535, NULL, NULL,
	    NULL, &err));
	assert_int_equal(err.code, ELOOP);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "symbolic link"));
	assert_int_equal(lstat(target, &st), -1);	/* not created */
	/* An existing target is not truncated either. */
	assert_true((fd = open(target, O_WRONLY | O_CREAT, 0600)) != -1);
	assert_int_equal(write(fd, "keep", 4), 4);
	close(fd);
	memset(&err, 0, sizeof(err));
	assert_null(ep_pcapw_open(path, EP_PCAP_CLASSIC, 1, 65535, NULL,
	    NULL, NULL, &err));
	assert_int_equal(err.code, ELOOP);
	f = slurp(target, &flen);
	assert_int_equal(flen, 4);
	assert_memory_equal(f, "keep", 4);
	free(f);
}

static void
test_bad_paths(void **state)
{
	struct ep_err err;

	(void)state;
	memset(&err, 0, sizeof(err));
	assert_null(ep_pcapw_open("/nonexistent/dir/x.pcapng", EP_PCAP_NG, 1,
	    65535, NULL, NULL, NULL, &err));
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/dir/x.pcapng"));
	assert_non_null(strstr(err.msg, strerror(ENOENT)));
	memset(&err, 0, sizeof(err));
	assert_null(ep_pcapw_open(dir, EP_PCAP_CLASSIC, 1, 65535, NULL, NULL,
	    NULL, &err));
	assert_int_equal(err.code, EISDIR);
	assert_non_null(strstr(err.msg, dir));
	memset(&err, 0, sizeof(err));
	assert_null(ep_pcapw_open("", EP_PCAP_NG, 1, 65535, NULL, NULL, NULL,
	    &err));
	assert_int_equal(err.code, EINVAL);
	memset(&err, 0, sizeof(err));
	assert_null(ep_pcapw_open(in_dir("bad"), EP_PCAP_NG, 70000, 65535,
	    NULL, NULL, NULL, &err));
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "70000"));
	assert_null(ep_pcapw_open(in_dir("bad"), (enum ep_pcap_format)7, 1,
	    65535, NULL, NULL, NULL, &err));
	assert_int_equal(err.code, EINVAL);
	/* A device that is always full: the header write fails. */
	if (access("/dev/full", W_OK) == 0) {
		memset(&err, 0, sizeof(err));
		assert_null(ep_pcapw_open("/dev/full", EP_PCAP_NG, 1, 65535,
		    NULL, NULL, NULL, &err));
		assert_int_equal(err.code, ENOSPC);
		assert_non_null(strstr(err.msg, "/dev/full"));
	}
	/* NULL writer. */
	assert_int_equal(ep_pcapw_close(NULL, &err), 0);
	assert_int_equal(ep_pcapw_count(NULL), 0);
	assert_int_equal(ep_pcapw_write(NULL, T0, QUERY, 1, 1, NULL, &err),
	    -1);
}

/*
 * A disk that fills in the middle of a frame (RLIMIT_FSIZE): the error
 * comes back, the file is cut back to the last whole frame and stays
 * readable, later writes and the close fail too.
 */
static void
test_disk_full(void **state)
{
	static const enum ep_pcap_format fmts[] = { EP_PCAP_NG,
	    EP_PCAP_CLASSIC };
	uint8_t *big = pattern(1000, 9);
	struct rlimit old, lim;
	struct rec r[8];
	struct ep_pcapw *w;
	struct ep_err err;
	struct stat st;
	void (*oldsig)(int);
	int n, k, rc;

	(void)state;
	oldsig = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	for (k = 0; k < 2; k++) {
		const char *path = in_dir(k ? "full.pcap" : "full.pcapng");

		w = ep_pcapw_open(path, fmts[k], EP_LINK_ETHERNET, 65535,
		    NULL, NULL, NULL, &err);
		assert_non_null(w);
		lim = old;
		lim.rlim_cur = 4500;
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
		for (n = 0; n < 8; n++) {
			r[n] = (struct rec){ T0 + (uint64_t)n, 1000, 1000,
			    big };
			rc = ep_pcapw_write(w, r[n].ts_us, big, 1000, 1000,
			    "c", &err);
			if (rc == -1)
				break;
		}
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
		assert_int_equal(n, 4);
		assert_int_equal(err.code, EFBIG);
		assert_non_null(strstr(err.msg, path));
		assert_int_equal(ep_pcapw_count(w), 4);
		/* Sticky: the file must not grow a hole or a torn frame. */
		assert_int_equal(ep_pcapw_write(w, T0, QUERY, sizeof(QUERY),
		    sizeof(QUERY), NULL, &err), -1);
		assert_int_equal(ep_pcapw_stats(w, 1, 2, 3, 4, &err),
		    k ? 0 : -1);
		memset(&err, 0, sizeof(err));
		assert_int_equal(ep_pcapw_close(w, &err), -1);
		assert_int_equal(err.code, EFBIG);
		assert_non_null(strstr(err.msg, "frame 4"));
		assert_int_equal(stat(path, &st), 0);
		assert_true(st.st_size <= 4500);
		check_libpcap(path, DLT_EN10MB, 65535, r, 4);
	}
	signal(SIGXFSZ, oldsig);
	free(big);
}

/* ep_pcapw_open_fd on a file opened before the run: a longer file that
 * was there (yesterday's capture) is emptied, so no old bytes trail the
 * new capture; the writer owns the fd, also when it fails. */
static void
test_open_fd_truncates(void **state)
{
	const char *path = in_dir("old.pcapng");
	struct rec r = { T0, sizeof(QUERY), sizeof(QUERY), QUERY };
	uint8_t *old = pattern(100000, 3);
	struct ep_pcapw *w;
	struct ep_err err;
	struct stat st;
	FILE *fp;
	int fd;

	(void)state;
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fwrite(old, 1, 100000, fp), 100000);
	assert_int_equal(fclose(fp), 0);
	assert_true((fd = open(path, O_WRONLY)) != -1);
	w = ep_pcapw_open_fd(fd, path, EP_PCAP_CLASSIC, EP_LINK_ETHERNET,
	    65535, NULL, NULL, NULL, &err);
	if (w == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(ep_pcapw_write(w, r.ts_us, r.data, r.caplen, r.len,
	    NULL, &err), 0);
	assert_int_equal(ep_pcapw_close(w, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	/* classic: 24-byte header, 16-byte record header, the frame */
	assert_int_equal(st.st_size, 24 + 16 + (off_t)sizeof(QUERY));
	check_libpcap(path, DLT_EN10MB, 65535, &r, 1);
	assert_null(ep_pcapw_open_fd(-1, path, EP_PCAP_NG, 1, 65535, NULL,
	    NULL, NULL, &err));
	assert_int_equal(err.code, EBADF);
	free(old);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_fd_truncates),
		cmocka_unit_test(test_pcapng),
		cmocka_unit_test(test_classic),
		cmocka_unit_test(test_snaplen),
		cmocka_unit_test(test_long_strings),
		cmocka_unit_test(test_readable_before_close),
		cmocka_unit_test(test_symlink),
		cmocka_unit_test(test_bad_paths),
		cmocka_unit_test(test_disk_full),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
