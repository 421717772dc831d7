/* rec_test.c - unit tests of util/rec.c: record format and group order
 *
 * Each reader case builds a queue file from a compact description
 * ("V|S|F:a@b|M|L:text|E": type letters with optional ":payload"), may
 * cut bytes off its end or append raw bytes, and reads it back, checking
 * the record types returned and, for corrupt files, the reason. The writer
 * cases check offsets, in-place marks, REC_SIZE overwrite, large payloads
 * and the sticky write error.
 */
#include "buf.h"
#include "log.h"
#include "rec.h"

#include "tap.h"

struct read_case {
	const char *name;
	const char *spec;	/* records; "S" alone is a zero size record */
	size_t	max;		/* reader max; 0: default */
	size_t	cut;		/* bytes removed from the end */
	const char *tail;	/* raw bytes appended */
	const char *want;	/* types returned before the end or error */
	const char *why;	/* substring of the error; NULL: clean end */
};

#define OKV	"V:postern-queue 1|S"

static const struct read_case read_cases[] = {
	{"minimal file", OKV "|M|E", 0, 0, "", "VSME", NULL},
	{"full envelope", OKV "|T:1.2|F:a@b|A:x=y|O:rfc822;c@d|N:6|R:c@d|"
	    "D:e@f|N:2|R:g@h|A:z=w|M|L:hi\n|L:there\n|E", 0, 0, "",
	    "VSTFAONRDNRAMLLE", NULL},
	{"empty file", "", 0, 0, "", "", "truncated file: no end record"},
	{"no version first", "S|M|E", 0, 0, "", "",
	    "size record where the version record must be first"},
	{"wrong version", "V:postern-queue 2|S|M|E", 0, 0, "", "",
	    "unsupported queue file version"},
	{"size not first", "V:postern-queue 1|F:a|S|M|E", 0, 0, "", "V",
	    "sender record where the size record must be first"},
	{"size wrong length", "V:postern-queue 1|S:123|M|E", 0, 0, "", "V",
	    "size record of 3 bytes"},
	{"duplicate size", OKV "|F:a|S|M|E", 0, 0, "", "VSF",
	    "size record not first"},
	{"duplicate sender", OKV "|F:a|F:b|M|E", 0, 0, "", "VSF",
	    "duplicate sender record"},
	{"orcpt without recipient", OKV "|O:x|M|E", 0, 0, "", "VSO",
	    "message record after orcpt/notify"},
	{"duplicate notify", OKV "|N:2|N:4|R:a|M|E", 0, 0, "", "VSN",
	    "duplicate notify record"},
	{"notify per recipient", OKV "|N:2|R:a|N:4|R:b|M|E", 0, 0, "",
	    "VSNRNRME", NULL},
	{"data in envelope", OKV "|L:x|M|E", 0, 0, "", "VS",
	    "data record in envelope"},
	{"end in envelope", OKV "|R:a|E", 0, 0, "", "VSR",
	    "end record in envelope"},
	{"version twice", OKV "|V:postern-queue 1|M|E", 0, 0, "", "VS",
	    "version record in envelope"},
	{"message with payload", OKV "|M:x|E", 0, 0, "", "VS",
	    "message record with a payload"},
	{"end with payload", OKV "|M|E:x", 0, 0, "", "VSM",
	    "end record with a payload"},
	{"envelope record in content", OKV "|M|R:a|E", 0, 0, "", "VSM",
	    "recipient record in message content"},
	{"second message record", OKV "|M|M|E", 0, 0, "", "VSM",
	    "message record in message content"},
	{"unknown type", OKV "|M|Z:x|E", 0, 0, "", "VSM",
	    "unknown record type 0x5a"},
	{"missing end", OKV "|M|L:x", 0, 0, "", "VSML",
	    "truncated file: no end record"},
	{"truncated header", OKV "|M|L:abc", 0, 6, "", "VSM",
	    "truncated record header"},
	{"truncated payload", OKV "|M|L:abc", 0, 1, "", "VSM",
	    "truncated data record"},
	{"trailing bytes", OKV "|M|E", 0, 0, "x", "VSME",
	    "trailing bytes after the end record"},
	{"trailing record", OKV "|M|E|L:x", 0, 0, "", "VSME",
	    "trailing bytes after the end record"},
	{"payload at max", OKV "|M|L:0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef|E", 64, 0, "", "VSMLE", NULL},
	{"payload past max", OKV "|M|L:0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef!|E", 64, 0, "", "VSM",
	    "data record of 65 bytes at offset"},
	{"huge length field", OKV "|M", 0, 0, "L\xff\xff\xff\xff", "VSM",
	    "exceeds the limit of 1048576"},
};

/* build - encode a record description into out */
static void
build(struct buf *out, const char *spec)
{
	char    size[REC_SIZE_LEN + 1];
	const char *p = spec, *end, *payload;
	size_t  len;

	buf_reset(out);
	(void)snprintf(size, sizeof(size), REC_SIZE_FMT, 0LL, 0LL, 0LL, 0LL);
	while (*p) {
		end = strchr(p, '|');
		if (end == NULL)
			end = p + strlen(p);
		if (end - p >= 2 && p[1] == ':') {
			payload = p + 2;
			len = (size_t)(end - payload);
		} else if (*p == REC_SIZE) {
			payload = size;
			len = REC_SIZE_LEN;
		} else {
			payload = "";
			len = 0;
		}
		buf_printf(out, "%c%c%c%c%c", p[0], (int)(len >> 24 & 0xff),
		    (int)(len >> 16 & 0xff), (int)(len >> 8 & 0xff),
		    (int)(len & 0xff));
		buf_append(out, payload, len);
		p = *end ? end + 1 : end;
	}
}

/* temp_file - an unlinked temporary file holding len bytes of data */
static int
temp_file(const char *data, size_t len)
{
	char    path[] = "/tmp/rec_test.XXXXXX";
	int     fd;

	fd = mkstemp(path);
	if (fd < 0 || unlink(path) < 0)
		log_fatal("mkstemp: %m");
	if (len > 0 && write(fd, data, len) != (ssize_t)len)
		log_fatal("write: %m");
	return fd;
}

/* read_all - read fd from offset in group; types into got; last result */
static int
read_all(int fd, off_t offset, enum rec_group group, size_t max,
    char *got, size_t size, struct buf *why)
{
	struct rec_reader r;
	struct buf *payload = buf_new(0);
	size_t  n = 0;
	int     type;

	rec_reader_init(&r, fd, offset, group, max);
	while ((type = rec_get(&r, payload, NULL, why)) > 0) {
		if (n + 1 < size)
			got[n++] = (char)type;
	}
	got[n] = '\0';
	rec_reader_done(&r);
	buf_free(payload);
	return type;
}

/* test_read_cases - the table */
static void
test_read_cases(struct buf *why)
{
	const struct read_case *c;
	struct buf *raw = buf_new(0);
	char    got[64];
	size_t  i;
	int     fd, ret, good;

	for (i = 0; i < SYS_ARRAY_LEN(read_cases); i++) {
		c = &read_cases[i];
		build(raw, c->spec);
		buf_truncate(raw, buf_len(raw) - c->cut);
		buf_append_str(raw, c->tail);
		fd = temp_file(buf_str(raw), buf_len(raw));
		buf_reset(why);
		ret = read_all(fd, 0, REC_GROUP_START, c->max, got,
		    sizeof(got), why);
		good = strcmp(got, c->want) == 0 && (c->why == NULL ? ret == 0
		    : ret < 0 && strstr(buf_str(why), c->why) != NULL);
		if (!ok(good, "%s", c->name))
			diag("got %s, %d (%s)", got, ret, buf_str(why));
		(void)close(fd);
	}
	buf_free(raw);
}

/* test_writer - offsets, mark, overwrite, content reader, large records */
static void
test_writer(struct buf *why)
{
	struct rec_writer w;
	struct buf *payload = buf_new(0);
	char    size[REC_SIZE_LEN + 1], got[64], *big;
	off_t   size_at, rcpt_at, msg_at, at;
	size_t  big_len = 200 * 1024;
	int     fd, ro;
	struct rec_reader r;

	fd = temp_file("", 0);
	rec_writer_init(&w, fd);
	(void)snprintf(size, sizeof(size), REC_SIZE_FMT, 0LL, 0LL, 0LL, 0LL);
	is_int(rec_put_str(&w, REC_VERSION, REC_VERSION_TEXT), 0,
	    "writer: first record at offset 0");
	size_at = rec_put(&w, REC_SIZE, size, REC_SIZE_LEN);
	is_int(size_at, REC_HEADER_LEN + (off_t)strlen(REC_VERSION_TEXT),
	    "writer: size record offset");
	rec_put_str(&w, REC_SENDER, "");
	rcpt_at = rec_put_str(&w, REC_RCPT, "a@b");
	rec_put_str(&w, REC_RCPT, "c@d");
	msg_at = rec_put(&w, REC_MESSAGE, "", 0);
	big = malloc(big_len);
	memset(big, 'x', big_len);
	at = rec_put(&w, REC_DATA, big, big_len);
	ok(at == msg_at + REC_HEADER_LEN, "writer: large record offset");
	rec_put(&w, REC_END, "", 0);
	is_int(w.offset, at + REC_HEADER_LEN + (off_t)big_len + REC_HEADER_LEN,
	    "writer: offset tracks the file length");
	(void)snprintf(size, sizeof(size), REC_SIZE_FMT, (long long)w.offset,
	    (long long)msg_at, 7LL, 2LL);
	is_int(rec_overwrite(&w, size_at, size, REC_SIZE_LEN), 0,
	    "writer: overwrite size record");
	is_int(rec_flush(&w), 0, "writer: flush");
	is_int(lseek(fd, 0, SEEK_END), w.offset, "writer: file length");
	is_int(rec_mark(fd, rcpt_at, REC_DONE), 0, "writer: mark done");
	rec_writer_done(&w);

	is_int(read_all(fd, 0, REC_GROUP_START, 256 * 1024, got, sizeof(got),
	    why), 0, "reader: whole file");
	is_str(got, "VSFDRMLE", "reader: marked recipient reads as done");
	is_int(read_all(fd, msg_at, REC_GROUP_CONTENT, 256 * 1024, got,
	    sizeof(got), why), 0, "reader: from the message record");
	is_str(got, "MLE", "reader: content records");
	ok(read_all(fd, size_at, REC_GROUP_CONTENT, 0, got, sizeof(got),
	    why) < 0 && strstr(buf_str(why), "where content must start"),
	    "reader: content must start with message");

	rec_reader_init(&r, fd, 0, REC_GROUP_START, 0);
	(void)rec_get(&r, payload, NULL, why);
	ok(rec_get(&r, payload, &at, why) == REC_SIZE && at == size_at
	    && strncmp(buf_str(payload), size, REC_SIZE_LEN) == 0,
	    "reader: size record filled in place");
	rec_reader_done(&r);

	/* the first write error sticks */
	ro = open("/dev/null", O_RDONLY);
	rec_writer_init(&w, ro);
	rec_put(&w, REC_VERSION, "x", 1);
	ok(rec_flush(&w) < 0 && rec_put(&w, REC_END, "", 0) < 0
	    && rec_flush(&w) < 0, "writer: write error sticks");
	rec_writer_done(&w);
	(void)close(ro);
	(void)close(fd);
	free(big);
	buf_free(payload);
}

int
main(void)
{
	struct buf *why = buf_new(0);

	log_init("rec_test");
	plan((int)SYS_ARRAY_LEN(read_cases) + 15);
	test_read_cases(why);
	test_writer(why);
	buf_free(why);
	return done();
}
