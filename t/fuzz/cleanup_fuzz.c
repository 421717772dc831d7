/* cleanup_fuzz.c - fuzz target: cleanup's content filter (header fixes)
 *
 * Reads one input (the file named by argv[1], or stdin), at most
 * FUZZ_INPUT_MAX bytes, and runs it through cleanup_msg_* three times:
 * whole, one byte at a time, and in chunks whose sizes come from the input
 * itself. The three outputs and results must be identical, and a message
 * that was accepted must end in LF and carry exactly the headers that were
 * missing; anything else aborts. Header limit 1024 (the smallest
 * header_size_limit), so that the limit paths are reached. The fuzz build
 * rule links cleanup's objects but cleanup.o (the name says so).
 */
#include "../../cleanup/cleanup.h"
#include "buf.h"
#include "log.h"

#define FUZZ_INPUT_MAX	(1024 * 1024)
#define FUZZ_LIMIT	1024
#define FUZZ_MID	"Message-ID: <0123456789ABCDEF0@fuzz.example>"

/* fuzz_out - collect the filter's output */
static int
fuzz_out(void *ctx, const char *data, size_t len)
{
	if (buf_append(ctx, data, len) < 0)
		log_panic("fuzz: output buffer full");
	return 0;
}

/* fuzz_run - filter in, chunk sizes from sizes (NULL: step) */
static enum cleanup_msg_result
fuzz_run(const char *in, size_t len, size_t step, const unsigned char *sizes,
    struct buf *out)
{
	struct cleanup_msg m;
	enum cleanup_msg_result r = CLEANUP_MSG_OK;
	size_t  off = 0, n, k = 0;

	buf_reset(out);
	cleanup_msg_init(&m, "0123456789ABCDEF0", "fuzz.example",
	    (time_t)1700000000, FUZZ_LIMIT, fuzz_out, out);
	while (off < len && r == CLEANUP_MSG_OK) {
		n = sizes != NULL ? (size_t)sizes[k++ % len] + 1 : step;
		if (n == 0 || n > len - off)
			n = len - off;
		r = cleanup_msg_input(&m, in + off, n);
		off += n;
	}
	if (r == CLEANUP_MSG_OK)
		r = cleanup_msg_finish(&m);
	cleanup_msg_free(&m);
	return r;
}

/* fuzz_count - occurrences of a line starting with prefix */
static size_t
fuzz_count(const struct buf *b, const char *prefix)
{
	size_t  plen = strlen(prefix), i, n = 0;

	for (i = 0; i + plen <= buf_len(b); i++)
		if ((i == 0 || buf_str(b)[i - 1] == '\n')
		    && memcmp(buf_str(b) + i, prefix, plen) == 0)
			n++;
	return n;
}

int
main(int argc, char **argv)
{
	struct buf *in = buf_new(FUZZ_INPUT_MAX);
	struct buf *o1 = buf_new(0), *o2 = buf_new(0), *o3 = buf_new(0);
	enum cleanup_msg_result r1, r2, r3;
	char	chunk[4096];
	size_t  n;
	FILE   *fp = argc > 1 ? fopen(argv[1], "rb") : stdin;

	if (fp == NULL)
		log_fatal("fuzz: open %s: %m", argv[1]);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_append(in, chunk, n) < 0)
			break;	/* only the first FUZZ_INPUT_MAX bytes */
	if (fp != stdin)
		(void)fclose(fp);
	setenv("TZ", "UTC0", 1);
	tzset();
	r1 = fuzz_run(buf_str(in), buf_len(in), buf_len(in), NULL, o1);
	r2 = fuzz_run(buf_str(in), buf_len(in), 1, NULL, o2);
	r3 = fuzz_run(buf_str(in), buf_len(in), 0,
	    (const unsigned char *)buf_str(in), o3);
	if (r1 != r2 || r1 != r3 || buf_len(o1) != buf_len(o2)
	    || buf_len(o1) != buf_len(o3)
	    || memcmp(buf_str(o1), buf_str(o2), buf_len(o1)) != 0
	    || memcmp(buf_str(o1), buf_str(o3), buf_len(o1)) != 0)
		log_panic("fuzz: output depends on how the input is split");
	if (r1 == CLEANUP_MSG_OK && (buf_len(o1) == 0
	    || buf_str(o1)[buf_len(o1) - 1] != '\n'
	    || buf_len(o1) < buf_len(in)))
		log_panic("fuzz: accepted output lost bytes or its final LF");
	if (r1 == CLEANUP_MSG_OK && fuzz_count(o1, FUZZ_MID)
	    > fuzz_count(in, FUZZ_MID) + 1)
		log_panic("fuzz: Message-ID added twice");
	buf_free(in);
	buf_free(o1);
	buf_free(o2);
	buf_free(o3);
	return 0;
}
