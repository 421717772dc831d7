/* mailq.c - the mail queue listing: mailq text and postqueue -j JSON
 *
 * Owns the one reader of "what is queued" (envelope records and the defer
 * log) and the two renderings of it; see mailq.h for the formats and the
 * protocol of the showq daemon. Queue files and defer logs are untrusted
 * input here: the envelope goes through util/rec.c's reader (order,
 * record size) with a bound on the envelope bytes and on the recipients;
 * the defer log, which has no version or end record, is parsed by a small
 * loop over type, length, payload with a bound on its total size. A
 * damaged file is skipped with a warning; nothing here moves or changes
 * a file, so an unprivileged showq can run it.
 */
#include "mailq.h"
#include "buf.h"
#include "log.h"
#include "mem.h"
#include "queue.h"
#include "rec.h"
#include "str.h"

#include <dirent.h>

#define MAILQ_REASON_PREFIX	"reason="
#define MAILQ_NULL_SENDER	"MAILER-DAEMON"

/* the queues listed, in order */
static const char *const mailq_queues[] = {
	QUEUE_INCOMING, QUEUE_ACTIVE, QUEUE_DEFERRED, QUEUE_HOLD,
};

/* mailq_msg_clear - free what msg holds and zero it */
void
mailq_msg_clear(struct mailq_msg *msg)
{
	size_t  i;

	free(msg->sender);
	for (i = 0; i < msg->nrcpt; i++) {
		free(msg->rcpts[i].addr);
		free(msg->rcpts[i].reason);
	}
	free(msg->rcpts);
	memset(msg, 0, sizeof(*msg));
}

/* mailq_dup - payload as a NUL-terminated copy */
static char *
mailq_dup(const struct buf *b)
{
	return xstrndup(buf_str(b), buf_len(b));
}

/* mailq_size_field - the n-th (0-based) decimal field of a REC_SIZE
 * payload; -1 when it is not there */
static long long
mailq_size_field(const struct buf *b, int n)
{
	const char *p = buf_str(b), *end = p + buf_len(b);
	long long v;
	int     i;

	for (i = 0; ; i++) {
		while (p < end && *p == ' ')
			p++;
		if (p == end || *p < '0' || *p > '9')
			return -1;
		v = 0;
		while (p < end && *p >= '0' && *p <= '9') {
			if (v > (LLONG_MAX - 9) / 10)
				return -1;
			v = v * 10 + (*p++ - '0');
		}
		if (i == n)
			return v;
	}
}

/* mailq_time - the seconds of a REC_TIME payload "sec.usec"; -1 if bad */
static long long
mailq_time(const struct buf *b)
{
	const char *p = buf_str(b), *dot;
	unsigned long long v;
	char    digits[24];
	size_t  n;

	dot = memchr(p, '.', buf_len(b));
	n = dot != NULL ? (size_t)(dot - p) : buf_len(b);
	if (n == 0 || n >= sizeof(digits))
		return -1;
	memcpy(digits, p, n);
	digits[n] = '\0';
	if (parse_uint(digits, 0, LLONG_MAX, &v) < 0)
		return -1;
	return (long long)v;
}

/* mailq_read_envelope - the envelope of the queue file open on fd */
int
mailq_read_envelope(int fd, const struct stat *st, struct mailq_msg *msg,
    struct buf *why)
{
	struct rec_reader r;
	struct buf *payload = buf_new(0);
	size_t  cap = 0;
	long long v;
	int     type, ret = -1;

	buf_reset(why);
	msg->arrival = -1;
	msg->size = -1;
	rec_reader_init(&r, fd, 0, REC_GROUP_START, REC_MAX_DEFAULT);
	for (;;) {
		type = rec_get(&r, payload, NULL, why);
		if (type < 0)
			goto fail;
		if (type == 0 || type == REC_DATA || type == REC_END) {
			(void)buf_set(why, "no message content record");
			goto fail;
		}
		if (r.offset > MAILQ_ENVELOPE_MAX) {
			(void)buf_printf(why, "envelope larger than %d bytes",
			    MAILQ_ENVELOPE_MAX);
			goto fail;
		}
		if (type == REC_MESSAGE)
			break;
		switch (type) {
		case REC_SIZE:
			v = mailq_size_field(payload, 2);
			if (v > 0)
				msg->size = v;
			break;
		case REC_TIME:
			msg->arrival = mailq_time(payload);
			break;
		case REC_SENDER:
			msg->sender = mailq_dup(payload);
			break;
		case REC_RCPT:
			if (msg->nrcpt >= MAILQ_RCPT_MAX) {
				(void)buf_printf(why, "more than %d recipients",
				    MAILQ_RCPT_MAX);
				goto fail;
			}
			if (msg->nrcpt == cap) {
				cap = cap ? cap * 2 : 8;
				msg->rcpts = xreallocarray(msg->rcpts, cap,
				    sizeof(*msg->rcpts));
			}
			msg->rcpts[msg->nrcpt].addr = mailq_dup(payload);
			msg->rcpts[msg->nrcpt].reason = NULL;
			msg->nrcpt++;
			break;
		default:
			break;		/* attributes, done recipients, DSN */
		}
	}
	if (msg->sender == NULL) {
		(void)buf_set(why, "no sender record");
		goto fail;
	}
	/* a file not yet filled in, or from a crash: the file's own data */
	if (msg->size < 0)
		msg->size = (long long)st->st_size;
	if (msg->arrival < 0)
		msg->arrival = (long long)st->st_mtime;
	ret = 0;

fail:
	rec_reader_done(&r);
	buf_free(payload);
	return ret;
}

struct mailq_defer {
	const char *addr;
	const char *reason;
	size_t	order;
};

/* mailq_defer_cmp - by address, then by order in the log */
static int
mailq_defer_cmp(const void *a, const void *b)
{
	const struct mailq_defer *x = a, *y = b;
	int     c = strcmp(x->addr, y->addr);

	if (c != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* mailq_defer_find - the last reason logged for addr, or NULL */
static const char *
mailq_defer_find(const struct mailq_defer *d, size_t n, const char *addr)
{
	size_t  lo = 0, hi = n, mid;

	/* the first entry past addr; the one before it is addr's last */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(d[mid].addr, addr) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0 && strcmp(d[lo - 1].addr, addr) == 0)
		return d[lo - 1].reason;
	return NULL;
}

/* mailq_slurp - up to max bytes of fd into b; 0, or -1 with why */
static int
mailq_slurp(int fd, struct buf *b, size_t max, struct buf *why)
{
	char    tmp[8192];
	ssize_t n;

	for (;;) {
		n = read(fd, tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			(void)buf_printf(why, "read: %s", strerror(errno));
			return -1;
		}
		if (n == 0)
			return 0;
		if (buf_len(b) + (size_t)n > max
		    || buf_append(b, tmp, (size_t)n) < 0) {
			(void)buf_printf(why, "larger than %zu bytes", max);
			return -1;
		}
	}
}

/* mailq_read_defer - attach the reasons of a defer log to msg */
int
mailq_read_defer(int fd, struct mailq_msg *msg, struct buf *why)
{
	struct buf *log = buf_new(MAILQ_DEFER_MAX + 1);
	struct mailq_defer *d = NULL;
	const unsigned char *p;
	char   *addr = NULL;
	size_t  n = 0, cap = 0, pos = 0, len, i;
	int     type, ret = -1;
	char  **strs = NULL;
	size_t  nstrs = 0;

	buf_reset(why);
	if (mailq_slurp(fd, log, MAILQ_DEFER_MAX, why) < 0)
		goto fail;
	p = (const unsigned char *)buf_str(log);
	while (pos < buf_len(log)) {
		if (buf_len(log) - pos < REC_HEADER_LEN) {
			(void)buf_printf(why, "cut-off record at offset %zu",
			    pos);
			goto fail;
		}
		type = p[pos];
		len = (size_t)p[pos + 1] << 24 | (size_t)p[pos + 2] << 16
		    | (size_t)p[pos + 3] << 8 | (size_t)p[pos + 4];
		if (len > buf_len(log) - pos - REC_HEADER_LEN) {
			(void)buf_printf(why, "cut-off record at offset %zu",
			    pos);
			goto fail;
		}
		pos += REC_HEADER_LEN;
		if (type == REC_RCPT) {
			free(addr);
			addr = xstrndup((const char *)p + pos, len);
		} else if (type == REC_ATTR && addr != NULL
		    && len >= strlen(MAILQ_REASON_PREFIX)
		    && memcmp(p + pos, MAILQ_REASON_PREFIX,
		    strlen(MAILQ_REASON_PREFIX)) == 0) {
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				d = xreallocarray(d, cap, sizeof(*d));
				strs = xreallocarray(strs, cap * 2,
				    sizeof(*strs));
			}
			strs[nstrs++] = addr;
			strs[nstrs] = xstrndup((const char *)p + pos
			    + strlen(MAILQ_REASON_PREFIX),
			    len - strlen(MAILQ_REASON_PREFIX));
			d[n].addr = addr;
			d[n].reason = strs[nstrs++];
			d[n].order = n;
			n++;
			addr = NULL;
		} else {
			(void)buf_printf(why, "unexpected record type 0x%02x "
			    "at offset %zu", type, pos - REC_HEADER_LEN);
			goto fail;
		}
		pos += len;
	}
	ret = 0;

fail:
	/* the reasons read so far are shown even from a damaged log */
	if (n > 0) {
		qsort(d, n, sizeof(*d), mailq_defer_cmp);
		for (i = 0; i < msg->nrcpt; i++) {
			const char *r = mailq_defer_find(d, n,
			    msg->rcpts[i].addr);

			if (r != NULL && msg->rcpts[i].reason == NULL)
				msg->rcpts[i].reason = xstrdup(r);
		}
	}
	for (i = 0; i < nstrs; i++)
		free(strs[i]);
	free(strs);
	free(d);
	free(addr);
	buf_free(log);
	return ret;
}

/* mailq_printable - append s with non-printable bytes as '?' */
static void
mailq_printable(struct buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		(void)buf_append_char(out, c < 0x20 || c >= 0x7f ? '?' : c);
	}
}

/* mailq_pad - append n spaces */
static void
mailq_pad(struct buf *out, int n)
{
	while (n-- > 0)
		(void)buf_append_char(out, ' ');
}

/* mailq_date - "Wed Nov 25 03:10:54" in local time (asctime's first 19) */
static void
mailq_date(struct buf *out, long long when)
{
	time_t  t = (time_t)when;
	struct tm tm;
	char    date[32];

	if (localtime_r(&t, &tm) == NULL
	    || strftime(date, sizeof(date), "%a %b %e %H:%M:%S", &tm) == 0)
		(void)str_copy(date, sizeof(date), "???");
	(void)buf_printf(out, "%-20s", date);
}

/* mailq_format_text - the mailq entry of msg (Postfix's short format:
 * "%-11s %7ld %20.20s %s" and recipients under "%-11s %7s %-20s %s") */
void
mailq_format_text(struct buf *out, const struct mailq_msg *msg)
{
	const char *saved = "", *show;
	size_t  start, i;
	int     pad;

	start = buf_len(out);
	(void)buf_append_str(out, msg->queue_id);
	if (strcmp(msg->queue_name, QUEUE_ACTIVE) == 0)
		(void)buf_append_char(out, '*');
	else if (strcmp(msg->queue_name, QUEUE_HOLD) == 0)
		(void)buf_append_char(out, '!');
	mailq_pad(out, 11 - (int)(buf_len(out) - start));
	(void)buf_printf(out, " %7lld ", msg->size);
	mailq_date(out, msg->arrival);
	(void)buf_append_char(out, ' ');
	mailq_printable(out, *msg->sender ? msg->sender : MAILQ_NULL_SENDER);
	(void)buf_append_char(out, '\n');
	for (i = 0; i < msg->nrcpt; i++) {
		const char *why = msg->rcpts[i].reason ? msg->rcpts[i].reason
		    : "";

		if (strcmp(saved, why) != 0) {
			saved = why;
			show = *why ? why : "reason unavailable";
			pad = 76 - (int)strlen(show);
			mailq_pad(out, pad);
			(void)buf_append_char(out, '(');
			mailq_printable(out, show);
			(void)buf_append_str(out, ")\n");
		}
		mailq_pad(out, 11 + 1 + 7 + 1 + 20 + 1);
		mailq_printable(out, msg->rcpts[i].addr);
		(void)buf_append_char(out, '\n');
	}
}

/* mailq_utf8_len - length of the valid UTF-8 sequence at s (n bytes
 * left), 0 if the byte at s does not start one */
static size_t
mailq_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t  len, i;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		if (c == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		if (c == 0xf4)
			hi = 0x8f;	/* past U+10FFFF */
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* mailq_json_string - s as a quoted JSON string */
void
mailq_json_string(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t  i = 0, n;

	(void)buf_append_char(out, '"');
	while (i < len) {
		unsigned char c = p[i];

		if (c == '"' || c == '\\') {
			(void)buf_printf(out, "\\%c", c);
		} else if (c == '\n') {
			(void)buf_append_str(out, "\\n");
		} else if (c == '\r') {
			(void)buf_append_str(out, "\\r");
		} else if (c == '\t') {
			(void)buf_append_str(out, "\\t");
		} else if (c < 0x20 || c == 0x7f) {
			(void)buf_printf(out, "\\u%04x", c);
		} else if (c < 0x80) {
			(void)buf_append_char(out, c);
		} else if ((n = mailq_utf8_len(p + i, len - i)) > 0) {
			(void)buf_append(out, p + i, n);
			i += n;
			continue;
		} else {
			/* not UTF-8: the byte's Latin-1 character */
			(void)buf_printf(out, "\\u%04x", c);
		}
		i++;
	}
	(void)buf_append_char(out, '"');
}

/* mailq_json_str - a C string as a JSON string */
static void
mailq_json_str(struct buf *out, const char *s)
{
	mailq_json_string(out, s, strlen(s));
}

/* mailq_format_json - the postqueue -j object of msg, and a newline */
void
mailq_format_json(struct buf *out, const struct mailq_msg *msg)
{
	size_t  i;

	(void)buf_append_str(out, "{\"queue_name\": ");
	mailq_json_str(out, msg->queue_name);
	(void)buf_append_str(out, ", \"queue_id\": ");
	mailq_json_str(out, msg->queue_id);
	(void)buf_printf(out, ", \"arrival_time\": %lld, \"message_size\": "
	    "%lld, \"forced_expire\": false, \"sender\": ", msg->arrival,
	    msg->size);
	mailq_json_str(out, *msg->sender ? msg->sender : MAILQ_NULL_SENDER);
	(void)buf_append_str(out, ", \"recipients\": [");
	for (i = 0; i < msg->nrcpt; i++) {
		(void)buf_append_str(out, i ? ", {\"address\": "
		    : "{\"address\": ");
		mailq_json_str(out, msg->rcpts[i].addr);
		if (msg->rcpts[i].reason != NULL) {
			(void)buf_append_str(out, ", \"delay_reason\": ");
			mailq_json_str(out, msg->rcpts[i].reason);
		}
		(void)buf_append_char(out, '}');
	}
	(void)buf_append_str(out, "]}\n");
}

/* mailq_id_cmp - qsort by queue ID */
static int
mailq_id_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* mailq_list_dir - the sorted queue IDs in dir; NULL (logged) on error */
static char **
mailq_list_dir(const char *dir, size_t *count)
{
	DIR    *d;
	struct dirent *e;
	char  **ids = NULL;
	size_t  n = 0, cap = 0;

	if ((d = opendir(dir)) == NULL) {
		log_warn("open queue directory %s: %m", dir);
		return NULL;
	}
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (!queue_id_valid(e->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			ids = xreallocarray(ids, cap, sizeof(*ids));
		}
		ids[n++] = xstrdup(e->d_name);
		errno = 0;
	}
	if (errno != 0)
		log_warn("read queue directory %s: %m", dir);
	(void)closedir(d);	/* read-only: nothing to lose */
	if (n > 0)
		qsort(ids, n, sizeof(*ids), mailq_id_cmp);
	*count = n;
	return ids != NULL ? ids : xcalloc(1, sizeof(*ids));
}

/* mailq_load - read queue/id into msg; 1 ok, 0 skip (gone, unready,
 * malformed: logged) */
static int
mailq_load(const char *queue, const char *id, struct mailq_msg *msg)
{
	char    path[QUEUE_PATH_SIZE];
	struct stat st;
	struct buf *why;
	int     fd, dfd, ret = 0;

	memset(msg, 0, sizeof(*msg));
	if (queue_path(path, sizeof(path), queue, id) < 0)
		return 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno != ENOENT)
			log_warn("%s: open %s: %m", id, path);
		return 0;
	}
	if (fstat(fd, &st) < 0) {
		log_warn("%s: fstat %s: %m", id, path);
		(void)close(fd);	/* read-only */
		return 0;
	}
	if (!S_ISREG(st.st_mode) || (strcmp(queue, QUEUE_INCOMING) == 0
	    && !queue_is_ready(&st))) {
		(void)close(fd);	/* read-only */
		return 0;
	}
	why = buf_new(0);
	(void)str_copy(msg->queue_id, sizeof(msg->queue_id), id);
	msg->queue_name = queue;
	if (mailq_read_envelope(fd, &st, msg, why) < 0) {
		log_warn("%s: malformed queue file %s: %s", id, path,
		    buf_str(why));
		mailq_msg_clear(msg);
		goto done;
	}
	ret = 1;
	if (queue_path(path, sizeof(path), QUEUE_DEFER_LOG, id) == 0
	    && (dfd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC
	    | O_NONBLOCK)) >= 0) {
		buf_reset(why);
		if (mailq_read_defer(dfd, msg, why) < 0)
			log_warn("%s: malformed defer log %s: %s", id, path,
			    buf_str(why));
		(void)close(dfd);	/* read-only */
	} else if (errno != ENOENT) {
		log_warn("%s: open %s: %m", id, path);
	}

done:
	(void)close(fd);		/* read-only */
	buf_free(why);
	return ret;
}

/* mailq_report - list the whole queue through write */
int
mailq_report(bool json, mailq_write_fn write, void *ctx)
{
	struct buf *out = buf_new(0);
	struct mailq_msg msg;
	unsigned long long total = 0, count = 0;
	char  **ids;
	size_t  q, i, n;
	int     ret = 0;

	for (q = 0; q < SYS_ARRAY_LEN(mailq_queues) && ret == 0; q++) {
		if ((ids = mailq_list_dir(mailq_queues[q], &n)) == NULL) {
			ret = -1;
			break;
		}
		for (i = 0; i < n; i++) {
			if (ret == 0 && mailq_load(mailq_queues[q], ids[i],
			    &msg) == 1) {
				buf_reset(out);
				if (json) {
					mailq_format_json(out, &msg);
				} else {
					if (count == 0)
						(void)buf_printf(out,
						    "%-11s %7s %-20s %s\n",
						    "-Queue ID-", "--Size--",
						    "----Arrival Time----",
						    "-Sender/Recipient-------");
					else
						(void)buf_append_char(out,
						    '\n');
					mailq_format_text(out, &msg);
				}
				count++;
				total += (unsigned long long)msg.size;
				mailq_msg_clear(&msg);
				if (write(buf_str(out), buf_len(out), ctx) < 0)
					ret = -1;
			}
			free(ids[i]);
		}
		free(ids);
	}
	if (ret == 0 && !json) {
		buf_reset(out);
		if (count == 0)
			(void)buf_append_str(out, "Mail queue is empty\n");
		else
			(void)buf_printf(out, "\n-- %llu Kbytes in %llu "
			    "Request%s.\n", total / 1024, count,
			    count == 1 ? "" : "s");
		if (write(buf_str(out), buf_len(out), ctx) < 0)
			ret = -1;
	}
	buf_free(out);
	return ret;
}
