/* maildrop.c - the rules of a maildrop record stream, as a state machine
 *
 * Implements maildrop.h's checker. Input is untrusted (written by any
 * local user through sendmail and postdrop, and then lying in a directory
 * that user's postdrop could write): every record is checked against the
 * order of maildrop.h, a per-type length limit (MAILDROP_MAX_ENV_RECORD
 * for envelope records, MAILDROP_MAX_RECORD for content), and its own
 * syntax: addresses through addr_parse_path (the whole payload must be
 * the address), numbers through parse_uint, no NUL or control bytes in
 * any envelope text. Nothing here reads, writes or logs: the callers
 * (postdrop, pickup) do I/O and decide what an error means.
 */
#include "maildrop.h"
#include "addr.h"
#include "buf.h"
#include "str.h"

#define MAILDROP_MAX_ENV_RECORD	1024	/* envelope record payload */
#define MAILDROP_MAX_TIME	32
#define MAILDROP_MAX_UID	0xffffffffULL

/* maildrop_check_init - a fresh checker */
void
maildrop_check_init(struct maildrop_check *c, long long size_limit)
{
	memset(c, 0, sizeof(*c));
	c->state = MAILDROP_S_VERSION;
	c->size_limit = size_limit;
	c->addr = buf_new(MAILDROP_MAX_ENV_RECORD);
}

/* maildrop_check_done - release the scratch buffer */
void
maildrop_check_done(struct maildrop_check *c)
{
	c->addr = buf_free(c->addr);
}

/* maildrop_why - replace why with a reason; returns -1 */
static int __attribute__((format(printf, 2, 3)))
maildrop_why(struct buf *why, const char *fmt, ...)
{
	va_list ap;

	buf_reset(why);
	va_start(ap, fmt);
	(void)buf_vprintf(why, fmt, ap);	/* a cut reason still helps */
	va_end(ap);
	return -1;
}

/* maildrop_text_ok - no NUL and no control bytes (8-bit is allowed) */
static bool
maildrop_text_ok(const char *data, size_t len)
{
	size_t  i;
	unsigned char ch;

	for (i = 0; i < len; i++) {
		ch = (unsigned char)data[i];
		if (ch < 0x20 || ch == 0x7f)
			return false;
	}
	return true;
}

/* maildrop_check_addr - the whole payload is one address */
static int
maildrop_check_addr(struct maildrop_check *c, const char *what,
    const char *data, size_t len, bool allow_null, struct buf *why)
{
	struct buf *tmp;
	const char *rest;
	int     ret;

	if (len == 0 && allow_null)
		return 0;
	if (!maildrop_text_ok(data, len))
		return maildrop_why(why, "%s: control character in address",
		    what);
	tmp = buf_new(MAILDROP_MAX_ENV_RECORD + 1);
	(void)buf_append(tmp, data, len);	/* len checked by the caller */
	ret = addr_parse_path(buf_str(tmp), allow_null, true, c->addr, &rest,
	    why);
	if (ret == 0 && *rest != '\0')
		ret = maildrop_why(why, "%s: text after the address", what);
	else if (ret < 0)
		(void)buf_printf(why, " (%s)", what);
	buf_free(tmp);
	return ret;
}

/* maildrop_check_attr - "uid=N" or "full_name=TEXT", each at most once */
static int
maildrop_check_attr(struct maildrop_check *c, const char *data, size_t len,
    struct buf *why)
{
	char    num[24];
	const char *eq = memchr(data, '=', len);
	size_t  nlen, vlen;
	unsigned long long uid;

	if (eq == NULL || !maildrop_text_ok(data, len))
		return maildrop_why(why, "malformed attribute record");
	nlen = (size_t)(eq - data);
	vlen = len - nlen - 1;
	if (nlen == strlen(MAILDROP_ATTR_UID)
	    && memcmp(data, MAILDROP_ATTR_UID, nlen) == 0) {
		if (c->has_uid)
			return maildrop_why(why, "duplicate uid attribute");
		if (vlen == 0 || vlen >= sizeof(num))
			return maildrop_why(why, "bad uid attribute");
		memcpy(num, eq + 1, vlen);
		num[vlen] = '\0';
		if (parse_uint(num, 0, MAILDROP_MAX_UID, &uid) < 0)
			return maildrop_why(why, "bad uid attribute");
		c->has_uid = true;
		c->uid = (long long)uid;
		return 0;
	}
	if (nlen == strlen(MAILDROP_ATTR_FULL_NAME)
	    && memcmp(data, MAILDROP_ATTR_FULL_NAME, nlen) == 0) {
		if (c->has_full_name)
			return maildrop_why(why, "duplicate full_name "
			    "attribute");
		if (vlen > MAILDROP_MAX_ATTR)
			return maildrop_why(why, "full_name attribute longer "
			    "than %d bytes", MAILDROP_MAX_ATTR);
		c->has_full_name = true;
		return 0;
	}
	return maildrop_why(why, "unknown attribute");
}

/* maildrop_check_digits - only digits, spaces and at most one '.' */
static bool
maildrop_check_digits(const char *data, size_t len, bool dot)
{
	size_t  i;
	int     dots = 0;

	for (i = 0; i < len; i++) {
		if (data[i] >= '0' && data[i] <= '9')
			continue;
		if (data[i] == ' ' && !dot)
			continue;
		if (data[i] == '.' && dot && dots++ == 0)
			continue;
		return false;
	}
	return len > 0;
}

/* maildrop_check_envelope - a record in the envelope state */
static int
maildrop_check_envelope(struct maildrop_check *c, int type,
    const char *data, size_t len, struct buf *why)
{
	switch (type) {
	case REC_ATTR:
		return maildrop_check_attr(c, data, len, why);
	case REC_RCPT:
		if (c->nrcpts >= MAILDROP_MAX_RCPTS)
			return maildrop_why(why, "more than %d recipients",
			    MAILDROP_MAX_RCPTS);
		if (maildrop_check_addr(c, "recipient", data, len, false,
		    why) < 0)
			return -1;
		c->nrcpts++;
		return 0;
	case REC_MESSAGE:
		if (len != 0)
			return maildrop_why(why, "non-empty message record");
		if (c->nrcpts == 0)
			return maildrop_why(why, "no recipients");
		if (!c->has_uid)
			return maildrop_why(why, "no uid attribute");
		c->state = MAILDROP_S_DATA;
		return 0;
	default:
		return maildrop_why(why, "unexpected record type %d in the "
		    "envelope", type);
	}
}

/* maildrop_check_record - one record against the state machine */
int
maildrop_check_record(struct maildrop_check *c, int type, const char *data,
    size_t len, struct buf *why)
{
	if (len > MAILDROP_MAX_RECORD
	    || (c->state != MAILDROP_S_DATA && len > MAILDROP_MAX_ENV_RECORD))
		return maildrop_why(why, "record of %zu bytes is too long",
		    len);
	switch (c->state) {
	case MAILDROP_S_VERSION:
		if (type != REC_VERSION || len != strlen(REC_VERSION_TEXT)
		    || memcmp(data, REC_VERSION_TEXT, len) != 0)
			return maildrop_why(why, "no version record first");
		c->state = MAILDROP_S_SIZE;
		return 0;
	case MAILDROP_S_SIZE:
		if (type != REC_SIZE || len != REC_SIZE_LEN
		    || !maildrop_check_digits(data, len, false))
			return maildrop_why(why, "no valid size record");
		c->state = MAILDROP_S_TIME;
		return 0;
	case MAILDROP_S_TIME:
		if (type != REC_TIME || len > MAILDROP_MAX_TIME
		    || !maildrop_check_digits(data, len, true))
			return maildrop_why(why, "no valid time record");
		c->state = MAILDROP_S_SENDER;
		return 0;
	case MAILDROP_S_SENDER:
		if (type != REC_SENDER)
			return maildrop_why(why, "no sender record");
		if (maildrop_check_addr(c, "sender", data, len, true, why) < 0)
			return -1;
		c->state = MAILDROP_S_ENVELOPE;
		return 0;
	case MAILDROP_S_ENVELOPE:
		return maildrop_check_envelope(c, type, data, len, why);
	case MAILDROP_S_DATA:
		if (type == REC_END) {
			if (len != 0)
				return maildrop_why(why, "non-empty end "
				    "record");
			c->state = MAILDROP_S_DONE;
			return 0;
		}
		if (type != REC_DATA)
			return maildrop_why(why, "unexpected record type %d in "
			    "the content", type);
		c->size += (long long)len;
		if (c->size_limit > 0 && c->size > c->size_limit)
			return maildrop_why(why, "message size exceeds the "
			    "limit of %lld bytes", c->size_limit);
		return 0;
	case MAILDROP_S_DONE:
		return maildrop_why(why, "data after the end record");
	}
	return maildrop_why(why, "bad checker state");
}

/* maildrop_check_complete - END was seen */
int
maildrop_check_complete(const struct maildrop_check *c, struct buf *why)
{
	if (c->state != MAILDROP_S_DONE)
		return maildrop_why(why, "truncated: no end record");
	return 0;
}

/* maildrop_is_ready - a regular file in the ready mode */
bool
maildrop_is_ready(const struct stat *st)
{
	return S_ISREG(st->st_mode)
	    && (st->st_mode & 07777) == MAILDROP_MODE_READY;
}
