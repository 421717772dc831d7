/* ipc_fuzz.c - fuzz target for the IPC attribute-list reader
 *
 * Reads one input (at most FUZZ_MAX bytes) from the file named in argv[1],
 * or from stdin, as AFL expects (afl-fuzz ... -- ./ipc_fuzz @@), and feeds
 * it through a memfd to ipc_get as a stream of lists against a spec with
 * each type, required and optional values and small limits, reusing one
 * ipc_msg as a daemon does, until end of input or an error; then once more
 * through ipc_expect_proto. Invariants: every value within its limit, a
 * string without NUL bytes, required values present, a reason with every
 * error, and a failed connection staying failed. A broken invariant
 * aborts. Build with -DPOSTERN_LIBFUZZER for libFuzzer instead of main();
 * see addr_fuzz.c. Seeds: t/fuzz/corpus/ipc_fuzz/.
 */
#include "buf.h"
#include "ipc.h"
#include "log.h"

#include <sys/mman.h>

#define FUZZ_MAX	(1024 * 1024)

int	LLVMFuzzerTestOneInput(const unsigned char *data, size_t len);

static const struct ipc_spec fuzz_spec[] = {
	{"req", IPC_STR, true, 16},
	{"queue_id", IPC_STR, false, 0},
	{"status", IPC_INT, false, 0},
	{"data", IPC_DATA, false, 1024},
	{"offset", IPC_INT, false, 8},
};

/* fuzz_check - abort when an invariant does not hold */
static void
fuzz_check(bool cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "ipc_fuzz: invariant broken: %s\n", what);
		abort();
	}
}

/* fuzz_open - an ipc reading the input from the start */
static struct ipc *
fuzz_open(const unsigned char *data, size_t len)
{
	int     fd;

	fd = memfd_create("ipc_fuzz", MFD_CLOEXEC);
	if (fd < 0 || (len > 0 && write(fd, data, len) != (ssize_t)len)
	    || lseek(fd, 0, SEEK_SET) < 0)
		abort();
	return ipc_open(fd, 1000);
}

/* fuzz_lists - read lists until the end or an error */
static void
fuzz_lists(struct ipc *ipc, struct buf *why)
{
	struct ipc_msg msg;
	size_t  i, max;
	int     ret;

	memset(&msg, 0, sizeof(msg));
	while ((ret = ipc_get(ipc, fuzz_spec, SYS_ARRAY_LEN(fuzz_spec), &msg,
	    why)) == 0) {
		fuzz_check(msg.vals[0].present, "required value missing");
		for (i = 0; i < SYS_ARRAY_LEN(fuzz_spec); i++) {
			max = fuzz_spec[i].max ? fuzz_spec[i].max :
			    IPC_MAX_VALUE_DEFAULT;
			fuzz_check(ipc_len(&msg, i) <= max, "value too long");
			if (fuzz_spec[i].type == IPC_STR)
				fuzz_check(strlen(ipc_str(&msg, i))
				    == ipc_len(&msg, i), "NUL in a string");
		}
	}
	if (ret < 0) {
		fuzz_check(buf_len(why) > 0, "error without a reason");
		fuzz_check(ipc_get(ipc, fuzz_spec, SYS_ARRAY_LEN(fuzz_spec),
		    &msg, why) < 0, "failed connection read again");
	}
	ipc_msg_free(&msg);
}

/* LLVMFuzzerTestOneInput - one input as lists, then as a banner */
int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
	struct buf *why = buf_new(0);
	struct ipc *ipc;

	ipc = fuzz_open(data, len);
	fuzz_lists(ipc, why);
	ipc_free(ipc);
	ipc = fuzz_open(data, len);
	if (ipc_expect_proto(ipc, "cleanup/1", why) == 0)
		fuzz_lists(ipc, why);
	else
		fuzz_check(buf_len(why) > 0, "banner error without a reason");
	ipc_free(ipc);
	buf_free(why);
	return 0;
}

#define FUZZ_NAME "ipc_fuzz"
#include "fuzz_main.h"
