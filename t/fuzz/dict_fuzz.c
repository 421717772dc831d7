/* dict_fuzz.c - fuzz target for the lookup-table text parser and inline:
 *
 * Reads one input (at most FUZZ_MAX bytes) from the file named in argv[1],
 * or from stdin, as AFL expects (afl-fuzz ... -- ./dict_fuzz @@), and
 * parses it with dict_text_parse in both syntaxes (postmap, aliases). Each
 * entry must respect the limits of dict.h: a non-empty key of at most
 * DICT_MAX_KEY bytes, folded, without NUL or whitespace (postmap); a
 * non-empty value of at most DICT_MAX_VALUE bytes without NUL and without
 * surrounding whitespace; line numbers that never go back. A failure must
 * say "fuzz:LINE: ...". Then the input, NUL-terminated, becomes the body
 * of an inline:{...} table, which is opened and queried. A broken
 * invariant aborts, which the fuzzer reports as a crash.
 * Seeds: t/fuzz/corpus/dict_fuzz/.
 *   make BUILD=/tmp/f SANITIZE=1 /tmp/f/fuzz/dict_fuzz
 *   /tmp/f/fuzz/dict_fuzz t/fuzz/corpus/dict_fuzz/aliases
 * Built with -DPOSTERN_LIBFUZZER the file has no main() and links with
 * libFuzzer (clang -fsanitize=fuzzer with the util sources).
 */
#include "buf.h"
#include "dict.h"
#include "log.h"
#include "mem.h"

#define FUZZ_MAX	(512 * 1024)

int	LLVMFuzzerTestOneInput(const unsigned char *data, size_t len);

struct fuzz_state {
	enum dict_syntax syntax;
	size_t	last_line;
};

/* fuzz_check - abort when an invariant does not hold */
static void
fuzz_check(bool cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "dict_fuzz: invariant broken: %s\n", what);
		abort();
	}
}

/* fuzz_space - the parser's idea of whitespace */
static bool
fuzz_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v'
	    || c == '\f';
}

/* fuzz_entry - check one entry the parser produced */
static int
fuzz_entry(void *ctx, const char *key, const char *value, size_t line,
    struct buf *why)
{
	struct fuzz_state *st = ctx;
	size_t  klen = strlen(key), vlen = strlen(value), i;

	(void)why;
	fuzz_check(klen > 0 && klen <= DICT_MAX_KEY, "key length");
	fuzz_check(vlen > 0 && vlen <= DICT_MAX_VALUE, "value length");
	for (i = 0; i < klen; i++) {
		fuzz_check(key[i] < 'A' || key[i] > 'Z', "key not folded");
		fuzz_check(st->syntax == DICT_SYNTAX_ALIASES
		    || !fuzz_space((unsigned char)key[i]),
		    "whitespace in a postmap key");
	}
	fuzz_check(!fuzz_space((unsigned char)value[0])
	    && !fuzz_space((unsigned char)value[vlen - 1]),
	    "value not trimmed");
	fuzz_check(line >= 1 && line > st->last_line, "line order");
	st->last_line = line;
	return 0;
}

/* fuzz_parse - one syntax */
static void
fuzz_parse(const unsigned char *data, size_t len, enum dict_syntax syntax,
    struct buf *why)
{
	struct fuzz_state st = { syntax, 0 };

	buf_reset(why);
	if (dict_text_parse((const char *)data, len, "fuzz", syntax,
	    fuzz_entry, &st, why) < 0)
		fuzz_check(strncmp(buf_str(why), "fuzz:", 5) == 0,
		    "error without file:line");
}

/* fuzz_inline - the input as the body of an inline: table */
static void
fuzz_inline(const unsigned char *data, size_t len, struct buf *why)
{
	struct buf *name = buf_new(0), *value = buf_new(0);
	struct dict *d;

	if (memchr(data, '\0', len) != NULL || len > DICT_MAX_LINE)
		goto fail;
	(void)buf_append_str(name, "inline:{");
	(void)buf_append(name, data, len);
	(void)buf_append_str(name, "}");
	d = dict_open(buf_str(name), why);
	if (d == NULL) {
		fuzz_check(buf_len(why) > 0, "open error without a reason");
		goto fail;
	}
	(void)dict_lookup(d, "a", value, why);
	(void)dict_lookup(d, (const char *)buf_str(name) + 8, value, why);
	fuzz_check(!dict_changed(d), "inline table changed");
	dict_close(d);
fail:
	buf_free(name);
	buf_free(value);
}

/* LLVMFuzzerTestOneInput - one input, both syntaxes, then inline */
int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
	struct buf *why = buf_new(0);

	fuzz_parse(data, len, DICT_SYNTAX_POSTMAP, why);
	fuzz_parse(data, len, DICT_SYNTAX_ALIASES, why);
	fuzz_inline(data, len, why);
	buf_free(why);
	return 0;
}

#define FUZZ_NAME "dict_fuzz"
#include "fuzz_main.h"
