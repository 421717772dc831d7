/* rec_fuzz.c - fuzz target for the queue-file record reader
 *
 * Reads one input (at most FUZZ_MAX bytes) from the file named in argv[1],
 * or from stdin, as AFL expects (afl-fuzz ... -- ./rec_fuzz @@), puts it in
 * a memfd (the reader uses pread) and reads it as a whole queue file with
 * a small record limit, then as content from offset 0, until the end or an
 * error. Invariants: no payload longer than the limit, a reason with every
 * error, offsets increasing, nothing returned after an error, and a clean
 * end only after REC_END. A broken invariant aborts. Build with
 * -DPOSTERN_LIBFUZZER for libFuzzer instead of main(); see addr_fuzz.c.
 * Seeds: t/fuzz/corpus/rec_fuzz/.
 */
#include "buf.h"
#include "log.h"
#include "rec.h"

#include <sys/mman.h>

#define FUZZ_MAX	(1024 * 1024)
#define FUZZ_REC_MAX	4096

int	LLVMFuzzerTestOneInput(const unsigned char *data, size_t len);

/* fuzz_check - abort when an invariant does not hold */
static void
fuzz_check(bool cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "rec_fuzz: invariant broken: %s\n", what);
		abort();
	}
}

/* fuzz_read - read fd in group until the end or an error */
static void
fuzz_read(int fd, enum rec_group group, struct buf *payload,
    struct buf *why)
{
	struct rec_reader r;
	off_t   at, last = -1;
	int     type, prev = 0;

	rec_reader_init(&r, fd, 0, group, FUZZ_REC_MAX);
	buf_reset(why);
	while ((type = rec_get(&r, payload, &at, why)) > 0) {
		fuzz_check(buf_len(payload) <= FUZZ_REC_MAX,
		    "record too long");
		fuzz_check(at > last, "offsets not increasing");
		last = at;
		prev = type;
	}
	if (type == 0)
		fuzz_check(prev == REC_END, "clean end without an end record");
	else
		fuzz_check(buf_len(why) > 0, "error without a reason");
	fuzz_check(rec_get(&r, payload, NULL, why) == type,
	    "a result after the end");
	rec_reader_done(&r);
}

/* LLVMFuzzerTestOneInput - one input, read both ways */
int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
	struct buf *payload = buf_new(0), *why = buf_new(0);
	int     fd;

	fd = memfd_create("rec_fuzz", MFD_CLOEXEC);
	if (fd < 0 || (len > 0 && write(fd, data, len) != (ssize_t)len))
		abort();
	fuzz_read(fd, REC_GROUP_START, payload, why);
	fuzz_read(fd, REC_GROUP_CONTENT, payload, why);
	(void)close(fd);
	buf_free(payload);
	buf_free(why);
	return 0;
}

#define FUZZ_NAME "rec_fuzz"
#include "fuzz_main.h"
