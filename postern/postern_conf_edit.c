/* postern_conf_edit.c - the text edits of "postern conf -e" and "conf -X"
 *
 * Owns postern_conf_apply(): given the bytes of a main.cf and a list of
 * edits (set name to value, or remove name), it produces the new bytes.
 * It works on physical lines and keeps everything it is not asked to
 * change byte for byte: comments, blank lines, the order of entries, the
 * layout of other entries and their continuation lines. It sees logical
 * lines the way util/cf.c reads them: a line that starts with white space
 * continues the entry before it, and comment or blank lines in between do
 * not end that entry (they are kept even when the entry around them is
 * replaced or removed). The first entry of a name that is set is replaced
 * by one line "name = value"; later entries of the same name (which
 * cf_read_main would let win) and every entry of a removed name are
 * dropped with their continuation lines; a name set but not present is
 * appended at the end. Names and values are checked here for what would
 * break the file (postern_conf_edit_ok); what a value means is the
 * caller's business (params_check). Input size is bounded by the caller;
 * the output is bounded by out's maximum (-1 when it would not fit).
 */
#include "buf.h"
#include "cf.h"
#include "mem.h"
#include "postern.h"

/* the kinds of physical line */
enum postern_conf_line {
	POSTERN_CONF_OTHER,	/* blank or comment: always kept */
	POSTERN_CONF_START,	/* starts an entry */
	POSTERN_CONF_CONT	/* continues the entry before it */
};

/* postern_conf_is_space - white space as util/cf.c sees it */
static inline bool
postern_conf_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'
	    || c == '\v';
}

/* postern_conf_name_char - a character of a parameter name */
static inline bool
postern_conf_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
	    || (c >= '0' && c <= '9') || c == '_';
}

/* postern_conf_classify - the kind of the line of len bytes at p; for a
 * start line, the length of the name it begins with in *nlen */
static enum postern_conf_line
postern_conf_classify(const char *p, size_t len, size_t *nlen)
{
	size_t  i = 0;

	while (i < len && postern_conf_is_space((unsigned char)p[i]))
		i++;
	if (i == len || p[i] == '#')
		return POSTERN_CONF_OTHER;
	if (i > 0)
		return POSTERN_CONF_CONT;
	while (i < len && !postern_conf_is_space((unsigned char)p[i])
	    && p[i] != '=')
		i++;
	*nlen = i;
	return POSTERN_CONF_START;
}

/* postern_conf_edit_ok - whether name and value can be written as one
 * main.cf line: name of [A-Za-z0-9_], value without line breaks or NUL
 * (value NULL: removal); false with why */
bool
postern_conf_edit_ok(const char *name, const char *value, struct buf *why)
{
	const char *p;

	buf_reset(why);
	if (*name == '\0') {
		(void)buf_append_str(why, "empty parameter name");
		return false;
	}
	for (p = name; *p; p++) {
		if (!postern_conf_name_char((unsigned char)*p)) {
			(void)buf_printf(why, "bad parameter name \"%.100s\": "
			    "expected letters, digits and _", name);
			return false;
		}
	}
	if (value == NULL)
		return true;
	if (strlen(name) + strlen(value) + 4 > CF_MAX_LINE) {
		(void)buf_printf(why, "%s: value too long (more than %d "
		    "bytes)", name, CF_MAX_LINE);
		return false;
	}
	for (p = value; *p; p++) {
		if (*p == '\n' || *p == '\r') {
			(void)buf_printf(why, "%s: the value must not contain "
			    "a line break", name);
			return false;
		}
	}
	return true;
}

/* postern_conf_find - the last edit of the name of nlen bytes at p (a
 * later edit of a name overrides an earlier one), or NULL */
static const struct postern_conf_edit *
postern_conf_find(const struct postern_conf_edit *edits, size_t n,
    const char *p, size_t nlen)
{
	size_t  i;

	for (i = n; i > 0; i--)
		if (strlen(edits[i - 1].name) == nlen
		    && memcmp(edits[i - 1].name, p, nlen) == 0)
			return &edits[i - 1];
	return NULL;
}

/* postern_conf_put - append "name = value\n" (or "name =\n") */
static int
postern_conf_put(struct buf *out, const struct postern_conf_edit *e)
{
	if (*e->value == '\0')
		return buf_printf(out, "%s =\n", e->name);
	return buf_printf(out, "%s = %s\n", e->name, e->value);
}

/* postern_conf_apply - apply the edits to the main.cf text of len bytes;
 * the new text in out (reset first). 0, or -1 when out would overflow. */
int
postern_conf_apply(const char *text, size_t len,
    const struct postern_conf_edit *edits, size_t n, struct buf *out)
{
	const char *p = text, *end = text + len, *nl;
	const struct postern_conf_edit *e;
	bool   *done, keep = true;
	size_t  llen, nlen = 0, i;
	int     r = -1;

	done = xcalloc(n ? n : 1, sizeof(*done));
	buf_reset(out);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		llen = nl ? (size_t)(nl + 1 - p) : (size_t)(end - p);
		switch (postern_conf_classify(p, llen, &nlen)) {
		case POSTERN_CONF_START:
			e = postern_conf_find(edits, n, p, nlen);
			keep = e == NULL;
			if (e != NULL && e->value != NULL
			    && !done[e - edits]) {
				done[e - edits] = true;
				if (postern_conf_put(out, e) < 0)
					goto fail;
			}
			break;
		case POSTERN_CONF_CONT:
			break;
		case POSTERN_CONF_OTHER:
			if (buf_append(out, p, llen) < 0)
				goto fail;
			p += llen;
			continue;
		}
		if (keep && buf_append(out, p, llen) < 0)
			goto fail;
		p += llen;
	}
	for (i = 0; i < n; i++) {
		e = &edits[i];
		if (e->value == NULL || done[i]
		    || postern_conf_find(edits, n, e->name,
		    strlen(e->name)) != e)
			continue;
		if (buf_len(out) > 0 && buf_str(out)[buf_len(out) - 1] != '\n'
		    && buf_append_char(out, '\n') < 0)
			goto fail;
		if (postern_conf_put(out, e) < 0)
			goto fail;
	}
	r = 0;

fail:
	free(done);
	return r;
}
