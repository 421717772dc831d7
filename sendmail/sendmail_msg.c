/* sendmail_msg.c - read a message from stdin and submit it through postdrop
 *
 * Owns the shape of the content: input ends at end of file or, without
 * -i, at a line holding a lone "."; CRLF becomes LF (Postfix's
 * sendmail_fix_line_endings = always); a leading mbox "From " line is
 * dropped. The header section (every "Name:" line and its continuation
 * lines up to the first empty or non-header line) is held in memory,
 * because the envelope comes before the content in the record stream and
 * -t takes the recipients from it: To, Cc and Bcc, or only the Resent-
 * forms when any is present, plus the command-line recipients, as
 * Postfix does; with -t the Bcc headers are then left out. A From header
 * "Full Name <sender>" is added at the end of the header section when the
 * message has none (Date and Message-ID are cleanup's). The body is
 * streamed and never held.
 *
 * Limits (the input is the user's own, so each is a clear error and a
 * sysexits code, never a crash): one logical header at most
 * header_size_limit bytes, the content at most message_size_limit bytes
 * (EX_DATAERR), at most MAILDROP_MAX_RCPTS recipients, and a message
 * without any recipient is EX_USAGE "no recipient addresses found".
 */
#include "sendmail.h"
#include "buf.h"
#include "log.h"
#include "maildrop.h"
#include "mem.h"
#include "params.h"
#include "str.h"

#define SENDMAIL_IN_SIZE	(64 * 1024)
#define SENDMAIL_SEGMENT	(64 * 1024)	/* body bytes per read */

struct sendmail_in {
	int	fd;
	char	buf[SENDMAIL_IN_SIZE];
	size_t	pos, len;
	bool	eof;
};

struct sendmail_hdrs {
	char	**text;		/* logical headers, continuation included */
	size_t	*len;
	size_t	n, cap;
	size_t	total;		/* bytes held */
};

/* sendmail_in_fill - more input; false at end of file */
static bool
sendmail_in_fill(struct sendmail_in *in)
{
	ssize_t n;

	if (in->eof)
		return false;
	do {
		n = read(in->fd, in->buf, sizeof(in->buf));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		log_die(EX_IOERR, "read message input: %m");
	if (n == 0) {
		in->eof = true;
		return false;
	}
	in->pos = 0;
	in->len = (size_t)n;
	return true;
}

/* sendmail_in_line - append input to line up to and including LF, at
 * most max bytes; *complete tells whether LF was reached; false when
 * nothing was left */
static bool
sendmail_in_line(struct sendmail_in *in, struct buf *line, size_t max,
    bool *complete)
{
	const char *nl;
	size_t  take, room;
	bool	any = false;

	*complete = false;
	while (buf_len(line) < max) {
		if (in->pos == in->len && !sendmail_in_fill(in))
			break;
		room = max - buf_len(line);
		take = in->len - in->pos;
		nl = memchr(in->buf + in->pos, '\n', take);
		if (nl != NULL)
			take = (size_t)(nl - (in->buf + in->pos)) + 1;
		if (take > room) {
			take = room;
			nl = NULL;
		}
		if (buf_append(line, in->buf + in->pos, take) < 0)
			log_die(EX_SOFTWARE, "input buffer limit");
		in->pos += take;
		any = true;
		if (nl != NULL) {
			*complete = true;
			break;
		}
	}
	return any;
}

/* sendmail_fix_crlf - a complete line ending in CRLF ends in LF */
static void
sendmail_fix_crlf(struct buf *line)
{
	size_t  n = buf_len(line);

	if (n >= 2 && buf_str(line)[n - 2] == '\r' && buf_str(line)[n - 1]
	    == '\n') {
		buf_truncate(line, n - 2);
		(void)buf_append_char(line, '\n');	/* shorter: fits */
	}
}

/* sendmail_is_dot - a lone "." line */
static bool
sendmail_is_dot(const struct buf *line, bool complete)
{
	return (complete && buf_len(line) == 2 && memcmp(buf_str(line), ".\n",
	    2) == 0) || (!complete && buf_len(line) == 1
	    && buf_str(line)[0] == '.');
}

/* sendmail_header_name - length of "Name" when line starts "Name:" */
static size_t
sendmail_header_name(const char *line, size_t len)
{
	size_t  i;

	for (i = 0; i < len; i++) {
		if (line[i] == ':')
			return i;
		if ((unsigned char)line[i] <= ' ' || (unsigned char)line[i]
		    >= 0x7f)
			return 0;
	}
	return 0;
}

/* sendmail_header_is - header text is named name (case-insensitive) */
static bool
sendmail_header_is(const char *text, size_t len, const char *name)
{
	size_t  n = sendmail_header_name(text, len);

	return n == strlen(name) && str_ncasecmp(text, name, n) == 0;
}

/* sendmail_hdrs_add - keep one more logical header */
static void
sendmail_hdrs_add(struct sendmail_hdrs *h, const struct buf *hdr,
    size_t total_max)
{
	if (h->total + buf_len(hdr) > total_max)
		log_die(EX_DATAERR, "message size exceeds "
		    "message_size_limit (%lld bytes)", var_message_size_limit);
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 32;
		h->text = xreallocarray(h->text, h->cap, sizeof(*h->text));
		h->len = xreallocarray(h->len, h->cap, sizeof(*h->len));
	}
	h->text[h->n] = xmemdup(buf_str(hdr), buf_len(hdr));
	h->len[h->n++] = buf_len(hdr);
	h->total += buf_len(hdr);
}

/* sendmail_hdrs_free - release the held headers */
static void
sendmail_hdrs_free(struct sendmail_hdrs *h)
{
	size_t  i;

	for (i = 0; i < h->n; i++)
		free(h->text[i]);
	free(h->text);
	free(h->len);
}

static const char *const sendmail_rcpt_hdrs[] = {"To", "Cc", "Bcc"};
static const char *const sendmail_resent_hdrs[] = {"Resent-To",
	"Resent-Cc", "Resent-Bcc"};

/* sendmail_is_any - header i is one of names */
static bool
sendmail_is_any(const struct sendmail_hdrs *h, size_t i,
    const char *const *names, size_t n)
{
	size_t  k;

	for (k = 0; k < n; k++)
		if (sendmail_header_is(h->text[i], h->len[i], names[k]))
			return true;
	return false;
}

/* sendmail_extract - -t: recipients from the headers */
static void
sendmail_extract(const struct sendmail_hdrs *h, struct sendmail_rcpts *r)
{
	const char *const *names = sendmail_rcpt_hdrs;
	struct buf *why = buf_new(0);
	size_t  i, n;

	for (i = 0; i < h->n; i++)
		if (sendmail_is_any(h, i, sendmail_resent_hdrs, 3))
			names = sendmail_resent_hdrs;
	for (i = 0; i < h->n; i++) {
		if (!sendmail_is_any(h, i, names, 3))
			continue;
		n = sendmail_header_name(h->text[i], h->len[i]) + 1;
		if (sendmail_addr_list(h->text[i] + n, h->len[i] - n, r,
		    why) < 0)
			log_die(EX_DATAERR, "bad address in message "
			    "header %.*s: %s", (int)(n - 1), h->text[i],
			    buf_str(why));
	}
	buf_free(why);
}

/* sendmail_from_header - "From: Full Name <sender>" */
static void
sendmail_from_header(const struct sendmail_user *u, struct buf *out)
{
	const char *p;
	bool	plain = true;

	buf_reset(out);
	(void)buf_append_str(out, "From: ");
	if (*u->full_name != '\0') {
		for (p = u->full_name; *p != '\0'; p++)
			if (strchr("()<>[]:;@\\,.\"", *p) != NULL)
				plain = false;
		if (plain) {
			(void)buf_printf(out, "%s ", u->full_name);
		} else {
			(void)buf_append_char(out, '"');
			for (p = u->full_name; *p != '\0'; p++) {
				if (*p == '"' || *p == '\\')
					(void)buf_append_char(out, '\\');
				(void)buf_append_char(out, *p);
			}
			(void)buf_append_str(out, "\" ");
		}
	}
	(void)buf_printf(out, "<%s>\n", *u->sender != '\0' ? u->sender :
	    "MAILER-DAEMON");
}

struct sendmail_read {
	struct sendmail_in *in;
	const struct sendmail_opts *o;
	long long size;		/* content bytes so far */
	bool	done;		/* a lone dot or end of file */
};

/* sendmail_count - count content against message_size_limit */
static void
sendmail_count(struct sendmail_read *rd, size_t n)
{
	rd->size += (long long)n;
	if (var_message_size_limit > 0 && rd->size > var_message_size_limit)
		log_die(EX_DATAERR, "message size exceeds "
		    "message_size_limit (%lld bytes)", var_message_size_limit);
}

/* sendmail_headers - read the header section into h; line gets the
 * first body line (maybe partial: *complete false), if any */
static void
sendmail_headers(struct sendmail_read *rd, struct sendmail_hdrs *h,
    struct buf *line, bool *complete)
{
	size_t  limit = (size_t)var_header_size_limit;
	size_t  total_max = var_message_size_limit > 0 ?
	    (size_t)var_message_size_limit : BUF_DEFAULT_MAX;
	struct buf *hdr = buf_new(limit);
	bool	first = true;

	for (;;) {
		buf_reset(line);
		if (!sendmail_in_line(rd->in, line, limit + 2, complete)) {
			rd->done = true;
			break;
		}
		if (*complete)
			sendmail_fix_crlf(line);
		if (!rd->o->ignore_dots && sendmail_is_dot(line, *complete)) {
			buf_reset(line);
			rd->done = true;
			break;
		}
		if (first && buf_len(line) >= 5
		    && memcmp(buf_str(line), "From ", 5) == 0) {
			first = false;
			while (!*complete && sendmail_in_line(rd->in,
			    (buf_reset(line), line), limit, complete))
				continue;	/* the rest of the From_ line */
			continue;
		}
		first = false;
		if ((buf_str(line)[0] == ' ' || buf_str(line)[0] == '\t')
		    && buf_len(hdr) > 0) {
			if (buf_append(hdr, buf_str(line), buf_len(line)) < 0
			    || !*complete)
				log_die(EX_DATAERR, "message header "
				    "exceeds header_size_limit (%zu bytes)",
				    limit);
			continue;
		}
		if (buf_len(hdr) > 0) {
			sendmail_hdrs_add(h, hdr, total_max);
			buf_reset(hdr);
		}
		if (sendmail_header_name(buf_str(line), buf_len(line)) == 0)
			break;		/* the empty line, or a body line */
		if (!*complete || buf_append(hdr, buf_str(line),
		    buf_len(line)) < 0)
			log_die(EX_DATAERR, "message header exceeds "
			    "header_size_limit (%zu bytes)", limit);
	}
	if (buf_len(hdr) > 0)
		sendmail_hdrs_add(h, hdr, total_max);
	buf_free(hdr);
}

/* sendmail_body - stream the rest of the input; line holds the first
 * body line (complete or not) */
static int
sendmail_body(struct sendmail_read *rd, struct sendmail_post *p,
    struct buf *line, bool complete)
{
	bool	pending_cr = false, last_complete = true;
	int     ret = 0;

	if (buf_len(line) > 0) {
		sendmail_count(rd, buf_len(line));
		ret |= sendmail_post_write(p, buf_str(line), buf_len(line));
		last_complete = complete;
	}
	while (!rd->done) {
		buf_reset(line);
		if (pending_cr)
			(void)buf_append_char(line, '\r');
		pending_cr = false;
		if (!sendmail_in_line(rd->in, line, SENDMAIL_SEGMENT,
		    &complete) && buf_len(line) == 0)
			break;
		if (complete)
			sendmail_fix_crlf(line);
		else if (buf_len(line) > 1 && !rd->in->eof
		    && buf_str(line)[buf_len(line) - 1] == '\r') {
			buf_truncate(line, buf_len(line) - 1);
			pending_cr = true;	/* maybe CR LF split here */
		}
		if (last_complete && !rd->o->ignore_dots
		    && sendmail_is_dot(line, complete))
			break;
		sendmail_count(rd, buf_len(line));
		ret |= sendmail_post_write(p, buf_str(line), buf_len(line));
		last_complete = complete;
	}
	if (!last_complete) {
		sendmail_count(rd, 1);
		ret |= sendmail_post_write(p, "\n", 1);
	}
	return ret;
}

/* sendmail_msg_submit - the whole message, through postdrop */
int
sendmail_msg_submit(int fd, const struct sendmail_opts *o,
    const struct sendmail_user *u, struct sendmail_rcpts *rcpts,
    bool add_from)
{
	struct sendmail_in *in = xcalloc(1, sizeof(*in));
	struct sendmail_read rd = {in, o, 0, false};
	struct sendmail_hdrs h;
	struct sendmail_post *p;
	struct buf *line = buf_new(0), *why = buf_new(0);
	bool	complete = true, has_from = false;
	size_t  i;
	int     ret = 0;

	in->fd = fd;
	memset(&h, 0, sizeof(h));
	for (i = 0; i < (size_t)o->argc; i++)
		if (sendmail_addr_list(o->argv[i], strlen(o->argv[i]), rcpts,
		    why) < 0)
			log_die(EX_DATAERR, "bad recipient address "
			    "\"%s\": %s", o->argv[i], buf_str(why));
	sendmail_headers(&rd, &h, line, &complete);
	if (o->extract)
		sendmail_extract(&h, rcpts);
	if (rcpts->n == 0)
		log_die(EX_USAGE, "no recipient addresses found%s",
		    o->extract ? " in message header" : "");
	p = sendmail_post_open(o, u, rcpts);
	for (i = 0; i < h.n; i++) {
		if (sendmail_header_is(h.text[i], h.len[i], "From"))
			has_from = true;
		if (o->extract && (sendmail_header_is(h.text[i], h.len[i],
		    "Bcc") || sendmail_header_is(h.text[i], h.len[i],
		    "Resent-Bcc")))
			continue;
		sendmail_count(&rd, h.len[i]);
		ret |= sendmail_post_write(p, h.text[i], h.len[i]);
	}
	if (!has_from && add_from) {
		sendmail_from_header(u, why);
		sendmail_count(&rd, buf_len(why));
		ret |= sendmail_post_write(p, buf_str(why), buf_len(why));
	}
	ret |= sendmail_body(&rd, p, line, complete);
	sendmail_hdrs_free(&h);
	buf_free(line);
	buf_free(why);
	free(in);
	(void)ret;	/* a broken pipe shows in postdrop's status */
	return sendmail_post_close(p);
}
