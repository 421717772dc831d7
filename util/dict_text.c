/* dict_text.c - the parser of lookup-table text sources (postmap, aliases)
 *
 * Owns dict_text_parse and dict_text_parse_fd, used by dict_build (the
 * hash:/btree: source), texthash: and the fuzz target. The input is
 * untrusted in the sense that any local user may have written it: it is
 * read as a stream of physical lines, each at most DICT_MAX_LINE bytes and
 * without NUL; comment ('#' first non-space) and blank lines are skipped;
 * a line that starts with whitespace continues the entry above, joined with
 * one space, the whole entry again at most DICT_MAX_LINE. A complete entry
 * is split per syntax (postmap "key value", aliases "name: value" with an
 * optionally "quoted" name), its key folded to lower case and checked
 * against DICT_MAX_KEY, its value against DICT_MAX_VALUE, and handed to the
 * caller's function. Every error reads "name:line: what" and stops the
 * parse; nothing here allocates per entry beyond three bounded buffers.
 */
#include "buf.h"
#include "dict.h"
#include "mem.h"
#include "str.h"

#define DICT_TEXT_CHUNK	(64 * 1024)

struct dict_text {
	const char *name;		/* source name in errors */
	enum dict_syntax syntax;
	dict_text_fn fn;
	void   *ctx;
	struct buf *why;
	size_t	lineno;			/* physical lines seen */
	size_t	entry_line;		/* first line of entry; 0 none */
	struct buf *phys;		/* the physical line being read */
	struct buf *entry;		/* the logical line (entry) */
	struct buf *key;		/* the folded key of an entry */
	bool	failed;
};

/* dict_text_space - isspace for the C locale, without locale lookups */
static bool
dict_text_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v'
	    || c == '\f';
}

/* dict_text_error - "name:line: what" into why; returns -1 */
static int
dict_text_error(struct dict_text *t, size_t line, const char *fmt, ...)
{
	va_list ap;

	buf_reset(t->why);
	(void)buf_printf(t->why, "%s:%zu: ", t->name, line);
	va_start(ap, fmt);
	(void)buf_vprintf(t->why, fmt, ap);
	va_end(ap);
	t->failed = true;
	return -1;
}

/* dict_text_split_postmap - "key whitespace value": key into t->key, the
 * value's offset in the entry into *voff */
static int
dict_text_split_postmap(struct dict_text *t, const char *s, size_t len,
    size_t *voff)
{
	size_t  i = 0;

	while (i < len && !dict_text_space((unsigned char)s[i]))
		i++;
	if (i > DICT_MAX_KEY)
		return dict_text_error(t, t->entry_line,
		    "key longer than %d bytes", DICT_MAX_KEY);
	if (buf_append(t->key, s, i) < 0)
		return dict_text_error(t, t->entry_line, "key too long");
	while (i < len && dict_text_space((unsigned char)s[i]))
		i++;
	if (i == len)
		return dict_text_error(t, t->entry_line,
		    "expected format: key whitespace value");
	*voff = i;
	return 0;
}

/* dict_text_split_aliases - "name: value" or "\"quoted name\": value" */
static int
dict_text_split_aliases(struct dict_text *t, const char *s, size_t len,
    size_t *voff)
{
	size_t  i = 0, klen;

	if (s[0] == '"') {
		for (i = 1; i < len && s[i] != '"'; i++) {
			if (s[i] == '\\' && i + 1 < len)
				i++;
			if (buf_append_char(t->key, s[i]) < 0)
				return dict_text_error(t, t->entry_line,
				    "key too long");
		}
		if (i >= len)
			return dict_text_error(t, t->entry_line,
			    "unterminated quoted name");
		i++;
		while (i < len && dict_text_space((unsigned char)s[i]))
			i++;
		if (i >= len || s[i] != ':')
			return dict_text_error(t, t->entry_line,
			    "expected format: name: value");
	} else {
		while (i < len && s[i] != ':')
			i++;
		if (i >= len)
			return dict_text_error(t, t->entry_line,
			    "expected format: name: value");
		klen = i;
		while (klen > 0 && dict_text_space((unsigned char)s[klen - 1]))
			klen--;
		if (memchr(s, ' ', klen) != NULL
		    || memchr(s, '\t', klen) != NULL)
			return dict_text_error(t, t->entry_line,
			    "whitespace in name (quote the name)");
		if (buf_append(t->key, s, klen) < 0)
			return dict_text_error(t, t->entry_line,
			    "key too long");
	}
	if (buf_len(t->key) == 0)
		return dict_text_error(t, t->entry_line, "empty name");
	if (buf_len(t->key) > DICT_MAX_KEY)
		return dict_text_error(t, t->entry_line,
		    "key longer than %d bytes", DICT_MAX_KEY);
	i++;				/* the colon */
	while (i < len && dict_text_space((unsigned char)s[i]))
		i++;
	if (i == len)
		return dict_text_error(t, t->entry_line,
		    "expected format: name: value (empty value)");
	*voff = i;
	return 0;
}

/* dict_text_flush - hand the complete entry, if any, to the caller */
static int
dict_text_flush(struct dict_text *t)
{
	const char *s = buf_str(t->entry);
	size_t  len = buf_len(t->entry), voff = 0;
	int     ret;

	if (t->entry_line == 0)
		return 0;
	buf_reset(t->key);
	if (t->syntax == DICT_SYNTAX_ALIASES)
		ret = dict_text_split_aliases(t, s, len, &voff);
	else
		ret = dict_text_split_postmap(t, s, len, &voff);
	if (ret < 0)
		return -1;
	if (memchr(buf_str(t->key), '\0', buf_len(t->key)) != NULL)
		return dict_text_error(t, t->entry_line, "NUL in key");
	if (len - voff > DICT_MAX_VALUE)
		return dict_text_error(t, t->entry_line,
		    "value longer than %d bytes", DICT_MAX_VALUE);
	(void)str_lower(t->key->data);
	ret = t->fn(t->ctx, buf_str(t->key), s + voff, t->entry_line, t->why);
	t->entry_line = 0;
	buf_reset(t->entry);
	if (ret < 0) {
		t->failed = true;
		return -1;
	}
	return 0;
}

/* dict_text_line - one complete physical line (without its newline) */
static int
dict_text_line(struct dict_text *t, const char *s, size_t len)
{
	size_t  i = 0;

	if (memchr(s, '\0', len) != NULL)
		return dict_text_error(t, t->lineno, "NUL byte in line");
	while (i < len && dict_text_space((unsigned char)s[i]))
		i++;
	if (i == len || s[i] == '#')
		return 0;			/* blank or comment */
	while (len > i && dict_text_space((unsigned char)s[len - 1]))
		len--;
	if (i > 0) {				/* continuation */
		if (t->entry_line == 0)
			return dict_text_error(t, t->lineno,
			    "continuation line without an entry above");
		if (buf_len(t->entry) + 1 + (len - i) > DICT_MAX_LINE
		    || buf_append_char(t->entry, ' ') < 0
		    || buf_append(t->entry, s + i, len - i) < 0)
			return dict_text_error(t, t->entry_line,
			    "entry longer than %d bytes", DICT_MAX_LINE);
		return 0;
	}
	if (dict_text_flush(t) < 0)
		return -1;
	t->entry_line = t->lineno;
	if (buf_append(t->entry, s, len) < 0)
		return dict_text_error(t, t->lineno,
		    "entry longer than %d bytes", DICT_MAX_LINE);
	return 0;
}

/* dict_text_feed - the next bytes of the source */
static int
dict_text_feed(struct dict_text *t, const char *data, size_t len)
{
	const char *nl;
	size_t  n;

	while (len > 0) {
		nl = memchr(data, '\n', len);
		n = nl ? (size_t)(nl - data) : len;
		if (buf_len(t->phys) + n > DICT_MAX_LINE
		    || buf_append(t->phys, data, n) < 0)
			return dict_text_error(t, t->lineno + 1,
			    "line longer than %d bytes", DICT_MAX_LINE);
		if (nl == NULL)
			return 0;
		t->lineno++;
		if (dict_text_line(t, buf_str(t->phys), buf_len(t->phys)) < 0)
			return -1;
		buf_reset(t->phys);
		data += n + 1;
		len -= n + 1;
	}
	return 0;
}

/* dict_text_end - the last line without a newline, then the last entry */
static int
dict_text_end(struct dict_text *t)
{
	if (buf_len(t->phys) > 0) {
		t->lineno++;
		if (dict_text_line(t, buf_str(t->phys), buf_len(t->phys)) < 0)
			return -1;
	}
	return dict_text_flush(t);
}

/* dict_text_init - a parser over the caller's function */
static void
dict_text_init(struct dict_text *t, const char *name,
    enum dict_syntax syntax, dict_text_fn fn, void *ctx, struct buf *why)
{
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->syntax = syntax;
	t->fn = fn;
	t->ctx = ctx;
	t->why = why;
	t->phys = buf_new(DICT_MAX_LINE + 1);
	t->entry = buf_new(DICT_MAX_LINE + 1);
	t->key = buf_new(DICT_MAX_LINE + 1);
}

/* dict_text_done - free the parser's buffers; returns the parse result */
static int
dict_text_done(struct dict_text *t, int ret)
{
	buf_free(t->phys);
	buf_free(t->entry);
	buf_free(t->key);
	return ret;
}

/* dict_text_parse - parse a source held in memory */
int
dict_text_parse(const char *data, size_t len, const char *name,
    enum dict_syntax syntax, dict_text_fn fn, void *ctx, struct buf *why)
{
	struct dict_text t;
	int     ret;

	dict_text_init(&t, name, syntax, fn, ctx, why);
	ret = dict_text_feed(&t, data, len);
	if (ret == 0)
		ret = dict_text_end(&t);
	return dict_text_done(&t, ret);
}

/* dict_text_parse_fd - parse a source read from fd to its end */
int
dict_text_parse_fd(int fd, const char *name, enum dict_syntax syntax,
    dict_text_fn fn, void *ctx, struct buf *why)
{
	struct dict_text t;
	char   *chunk;
	ssize_t n;
	int     ret = 0;

	dict_text_init(&t, name, syntax, fn, ctx, why);
	chunk = xmalloc(DICT_TEXT_CHUNK);
	for (;;) {
		n = read(fd, chunk, DICT_TEXT_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf_reset(why);
			(void)buf_printf(why, "read %s: %s", name,
			    strerror(errno));
			ret = -1;
			break;
		}
		if (n == 0) {
			ret = dict_text_end(&t);
			break;
		}
		if ((ret = dict_text_feed(&t, chunk, (size_t)n)) < 0)
			break;
	}
	free(chunk);
	return dict_text_done(&t, ret);
}
