/* addr_fuzz.c - fuzz target for addr_parse_path and the address helpers
 *
 * Reads one input (at most FUZZ_MAX bytes) from the file named in argv[1],
 * or from stdin, as AFL expects (afl-fuzz ... -- ./addr_fuzz @@), cuts it
 * at the first NUL as an SMTP server would after refusing NUL bytes, and
 * parses it as a MAIL FROM / RCPT TO argument in all four modes (null path
 * allowed or not, SMTPUTF8 or not). A successful parse must respect the
 * limits of addr.h; then the address goes through addr_split,
 * addr_domain_valid and addr_strip_extension. A broken invariant aborts,
 * which the fuzzer reports as a crash. Seeds: t/fuzz/corpus/addr_fuzz/.
 *   make BUILD=/tmp/f SANITIZE=1 /tmp/f/fuzz/addr_fuzz
 *   /tmp/f/fuzz/addr_fuzz t/fuzz/corpus/addr_fuzz/simple
 * Built with -DPOSTERN_LIBFUZZER the file has no main() and links with
 * libFuzzer (clang -fsanitize=fuzzer with the util sources).
 */
#include "addr.h"
#include "buf.h"
#include "log.h"

#define FUZZ_MAX	(64 * 1024)

int	LLVMFuzzerTestOneInput(const unsigned char *data, size_t len);

/* fuzz_check - abort when an invariant does not hold */
static void
fuzz_check(bool cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "addr_fuzz: invariant broken: %s\n", what);
		abort();
	}
}

/* fuzz_one_mode - parse text in one mode and check the result */
static void
fuzz_one_mode(const char *text, bool null_ok, bool utf8, struct buf *addr,
    struct buf *why, struct buf *local, struct buf *domain)
{
	const char *params;
	size_t  i;

	if (addr_parse_path(text, null_ok, utf8, addr, &params, why) < 0) {
		fuzz_check(buf_len(why) > 0, "error without a reason");
		return;
	}
	fuzz_check(buf_len(addr) <= ADDR_MAX_PATH - 2, "address too long");
	fuzz_check(strlen(buf_str(addr)) == buf_len(addr), "NUL in address");
	fuzz_check(params >= text && params <= text + strlen(text),
	    "params outside the input");
	fuzz_check(null_ok || buf_len(addr) > 0, "null address accepted");
	for (i = 0; i < buf_len(addr); i++) {
		unsigned char c = (unsigned char)buf_str(addr)[i];

		fuzz_check(c >= 0x20 && c != 0x7f, "control character");
		fuzz_check(utf8 || c < 0x80, "8-bit byte without SMTPUTF8");
	}
	addr_split(buf_str(addr), local, domain);
	fuzz_check(buf_len(local) <= ADDR_MAX_PATH, "local part too long");
	if (buf_len(domain) > 0)
		fuzz_check(addr_domain_valid(buf_str(domain), utf8),
		    "accepted domain is invalid");
	addr_strip_extension(local, "+-", why);
}

/* LLVMFuzzerTestOneInput - one input, every mode */
int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
	struct buf *addr = buf_new(0), *why = buf_new(0);
	struct buf *local = buf_new(0), *domain = buf_new(0);
	char   *text;

	text = malloc(len + 1);
	if (text == NULL)
		abort();
	memcpy(text, data, len);
	text[len] = '\0';
	fuzz_one_mode(text, false, false, addr, why, local, domain);
	fuzz_one_mode(text, true, false, addr, why, local, domain);
	fuzz_one_mode(text, false, true, addr, why, local, domain);
	fuzz_one_mode(text, true, true, addr, why, local, domain);
	(void)addr_domain_valid(text, true);
	free(text);
	buf_free(addr);
	buf_free(why);
	buf_free(local);
	buf_free(domain);
	return 0;
}

#define FUZZ_NAME "addr_fuzz"
#include "fuzz_main.h"
