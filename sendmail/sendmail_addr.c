/* sendmail_addr.c - recipient lists, address qualification, the submitter
 *
 * sendmail_addr_list reads an RFC 5322 address list (To:, Cc:, Bcc:, their
 * Resent- forms, or a command-line argument) with a small state machine:
 * quoted strings (with backslash escapes) and comments (nested) are
 * skipped over when looking for the separators ',' and ';', a ':' outside
 * angle brackets ends a group's display name, and an element's address is
 * what is inside <...> when it has angle brackets, else the element with
 * its comments removed. Each address must then pass addr_parse_path as a
 * whole, and one without a domain gets "@$myorigin" (Postfix's
 * append_at_myorigin). Limits: an element of at most
 * SENDMAIL_ADDR_ELEM_MAX bytes, at most MAILDROP_MAX_RCPTS recipients.
 * The input is the user's own message: a bad address is a clear error
 * for the user, never a crash.
 */
#include "sendmail.h"
#include <pwd.h>
#include "addr.h"
#include "buf.h"
#include "log.h"
#include "maildrop.h"
#include "mem.h"
#include "params.h"
#include "str.h"

#define SENDMAIL_ADDR_ELEM_MAX	1024

/* sendmail_rcpts_init - an empty list */
void
sendmail_rcpts_init(struct sendmail_rcpts *r)
{
	memset(r, 0, sizeof(*r));
}

/* sendmail_rcpts_free - release the list */
void
sendmail_rcpts_free(struct sendmail_rcpts *r)
{
	size_t  i;

	for (i = 0; i < r->n; i++)
		free(r->addr[i]);
	free(r->addr);
	memset(r, 0, sizeof(*r));
}

/* sendmail_rcpts_add - append a copy of addr; -1 past the limit */
static int
sendmail_rcpts_add(struct sendmail_rcpts *r, const char *addr,
    struct buf *why)
{
	if (r->n >= MAILDROP_MAX_RCPTS) {
		(void)buf_set(why, "too many recipients");
		(void)buf_printf(why, " (limit %d)", MAILDROP_MAX_RCPTS);
		return -1;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->addr = xreallocarray(r->addr, r->cap, sizeof(*r->addr));
	}
	r->addr[r->n++] = xstrdup(addr);
	return 0;
}

/* sendmail_addr_qualify - one address, checked and qualified */
int
sendmail_addr_qualify(const char *text, bool allow_null, struct buf *out,
    struct buf *why)
{
	struct buf *local, *domain;
	const char *rest;
	int     ret = 0;

	if (allow_null && (*text == '\0' || strcmp(text, "<>") == 0)) {
		buf_reset(out);
		return 0;
	}
	if (addr_parse_path(text, allow_null, true, out, &rest, why) < 0)
		return -1;
	if (*rest != '\0') {
		(void)buf_set(why, "malformed address: text after the "
		    "address");
		return -1;
	}
	if (buf_len(out) == 0)
		return 0;
	local = buf_new(0);
	domain = buf_new(0);
	addr_split(buf_str(out), local, domain);
	if (buf_len(domain) == 0) {
		buf_reset(out);
		if (buf_printf(out, "%s@%s", buf_str(local), var_myorigin) < 0
		    || buf_len(out) > ADDR_MAX_PATH) {
			(void)buf_set(why, "address too long");
			ret = -1;
		}
	}
	buf_free(local);
	buf_free(domain);
	return ret;
}

struct sendmail_scan {
	struct buf *elem;	/* the element without comments */
	struct buf *angle;	/* what was inside <...> */
	bool	has_angle;
	bool	overflow;
};

/* sendmail_addr_flush - one element done: its address into r */
static int
sendmail_addr_flush(struct sendmail_scan *s, struct sendmail_rcpts *r,
    struct buf *addr, struct buf *why)
{
	struct buf *src = s->has_angle ? s->angle : s->elem;
	char   *text;
	int     ret = 0;

	if (s->overflow) {
		(void)buf_set(why, "address too long");
		return -1;
	}
	text = xstrndup(buf_str(src), buf_len(src));
	if (*str_trim(text) != '\0') {
		if (sendmail_addr_qualify(str_trim(text), false, addr,
		    why) < 0 || sendmail_rcpts_add(r, buf_str(addr), why) < 0)
			ret = -1;
	}
	free(text);
	buf_reset(s->elem);
	buf_reset(s->angle);
	s->has_angle = false;
	return ret;
}

/* sendmail_addr_put - one character of the element */
static void
sendmail_addr_put(struct sendmail_scan *s, bool in_angle, int ch)
{
	if (ch == '\r' || ch == '\n' || ch == '\t')
		ch = ' ';
	if (buf_append_char(in_angle ? s->angle : s->elem, ch) < 0)
		s->overflow = true;
}

/* sendmail_addr_list - every address of an address list into r */
int
sendmail_addr_list(const char *text, size_t len, struct sendmail_rcpts *r,
    struct buf *why)
{
	struct sendmail_scan s;
	struct buf *addr = buf_new(0);
	size_t  i;
	int     depth = 0, ret = 0;
	bool	quoted = false, in_angle = false;
	char    ch;

	s.elem = buf_new(SENDMAIL_ADDR_ELEM_MAX);
	s.angle = buf_new(SENDMAIL_ADDR_ELEM_MAX);
	s.has_angle = false;
	s.overflow = false;
	for (i = 0; i < len && ret == 0; i++) {
		ch = text[i];
		if (ch == '\0') {
			(void)buf_set(why, "NUL byte in address list");
			ret = -1;
		} else if (depth > 0) {		/* in a comment */
			if (ch == '\\' && i + 1 < len)
				i++;
			else if (ch == '(')
				depth++;
			else if (ch == ')')
				depth--;
		} else if (quoted) {
			sendmail_addr_put(&s, in_angle, ch);
			if (ch == '\\' && i + 1 < len)
				sendmail_addr_put(&s, in_angle, text[++i]);
			else if (ch == '"')
				quoted = false;
		} else if (ch == '"') {
			quoted = true;
			sendmail_addr_put(&s, in_angle, ch);
		} else if (ch == '(') {
			depth = 1;
		} else if (ch == '<' && !in_angle) {
			in_angle = true;
			s.has_angle = true;
			buf_reset(s.angle);
		} else if (ch == '>' && in_angle) {
			in_angle = false;
		} else if (ch == ':' && !in_angle) {
			buf_reset(s.elem);	/* a group's display name */
		} else if ((ch == ',' || ch == ';') && !in_angle) {
			ret = sendmail_addr_flush(&s, r, addr, why);
		} else {
			sendmail_addr_put(&s, in_angle, ch);
		}
	}
	if (ret == 0 && (quoted || in_angle || depth > 0)) {
		(void)buf_set(why, quoted ? "unterminated quoted string" :
		    in_angle ? "missing >" : "unterminated comment");
		ret = -1;
	}
	if (ret == 0)
		ret = sendmail_addr_flush(&s, r, addr, why);
	buf_free(s.elem);
	buf_free(s.angle);
	buf_free(addr);
	return ret;
}

/* sendmail_user_init - the submitter from passwd, -F and -f */
void
sendmail_user_init(struct sendmail_user *u, const struct sendmail_opts *o)
{
	struct passwd *pw;
	struct buf *addr = buf_new(0), *why = buf_new(0);
	char    num[32];
	char   *comma;

	memset(u, 0, sizeof(*u));
	u->uid = getuid();
	errno = 0;
	pw = getpwuid(u->uid);
	if (pw != NULL) {
		u->login = xstrdup(pw->pw_name);
		u->full_name = xstrdup(pw->pw_gecos ? pw->pw_gecos : "");
		if ((comma = strchr(u->full_name, ',')) != NULL)
			*comma = '\0';	/* the name is the first gecos field */
	} else {
		(void)snprintf(num, sizeof(num), "%lu", (unsigned long)u->uid);
		u->login = xstrdup(num);
		u->full_name = xstrdup("");
	}
	if (o->full_name != NULL) {
		free(u->full_name);
		u->full_name = xstrdup(o->full_name);
	}
	if (strlen(u->full_name) > MAILDROP_MAX_ATTR)
		u->full_name[MAILDROP_MAX_ATTR] = '\0';
	for (comma = u->full_name; *comma != '\0'; comma++) {
		if ((unsigned char)*comma < 0x20 || *comma == 0x7f)
			*comma = ' ';	/* no control bytes in a header */
	}
	if (sendmail_addr_qualify(o->sender != NULL ? o->sender : u->login,
	    o->sender != NULL, addr, why) < 0)
		log_die(EX_USAGE, "bad sender address \"%s\": %s",
		    o->sender != NULL ? o->sender : u->login, buf_str(why));
	u->sender = xstrdup(buf_str(addr));
	buf_free(addr);
	buf_free(why);
}
