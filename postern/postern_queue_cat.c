/* postern_queue_cat.c - "postern queue cat ID": one queue file, as postcat
 *
 * Finds ID in incoming, active, deferred, hold or corrupt and prints it
 * the way postcat -q does: "*** ENVELOPE RECORDS queue/ID ***" with one
 * "name: value" line per envelope record (message_size,
 * message_arrival_time, sender, named_attribute, original_recipient,
 * notify_flags, recipient, done_recipient), "*** MESSAGE CONTENTS
 * queue/ID ***" and the content, "*** HEADER EXTRACTED queue/ID ***"
 * (postern's queue files have no records after the content, so the
 * section is empty), and "*** MESSAGE FILE END queue/ID ***". The file is
 * read through util/rec.c's reader, read only; a malformed file is
 * printed up to the damage and reported (exit 1), never moved. Values are
 * printed as they are, as postcat does: this is a tool for root.
 */
#include "buf.h"
#include "log.h"
#include "postern_queue.h"
#include "queue.h"
#include "rec.h"

/* the queues searched, in order */
static const char *const postern_cat_queues[] = {
	QUEUE_INCOMING, QUEUE_ACTIVE, QUEUE_DEFERRED, QUEUE_HOLD,
	QUEUE_CORRUPT,
};

/* postern_cat_time - a REC_TIME payload as asctime text, or itself */
static void
postern_cat_time(const struct buf *payload)
{
	const char *p = buf_str(payload);
	struct tm tm;
	time_t  t = 0;
	char    date[64];
	size_t  i;

	for (i = 0; i < buf_len(payload) && p[i] >= '0' && p[i] <= '9'; i++) {
		if (t > (time_t)((LLONG_MAX - 9) / 10))
			break;
		t = t * 10 + (p[i] - '0');
	}
	if (i == 0 || localtime_r(&t, &tm) == NULL
	    || strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &tm) == 0)
		(void)printf("message_arrival_time: %s\n", p);
	else
		(void)printf("message_arrival_time: %s\n", date);
}

/* postern_cat_envelope - one envelope record as a postcat line */
static void
postern_cat_envelope(int type, const struct buf *payload)
{
	const char *name;

	switch (type) {
	case REC_VERSION:
		return;			/* postcat has no such line */
	case REC_TIME:
		postern_cat_time(payload);
		return;
	case REC_SIZE:
		name = "message_size";
		break;
	case REC_SENDER:
		name = "sender";
		break;
	case REC_ATTR:
		name = "named_attribute";
		break;
	case REC_ORCPT:
		name = "original_recipient";
		break;
	case REC_NOTIFY:
		name = "notify_flags";
		break;
	case REC_RCPT:
		name = "recipient";
		break;
	case REC_DONE:
		name = "done_recipient";
		break;
	default:
		name = "unknown_record";
		break;
	}
	(void)printf("%s: ", name);
	(void)fwrite(buf_str(payload), 1, buf_len(payload), stdout);
	(void)putchar('\n');
}

/* postern_queue_cat - print queue file id */
int
postern_queue_cat(const char *id)
{
	char    path[QUEUE_PATH_SIZE];
	struct rec_reader r;
	struct buf *payload, *why;
	const char *queue = NULL;
	int     fd = -1, type, status = 0;
	size_t  i;

	if (!queue_id_valid(id))
		log_fatal("invalid queue id: \"%s\"", id);
	for (i = 0; i < SYS_ARRAY_LEN(postern_cat_queues); i++) {
		if (queue_path(path, sizeof(path), postern_cat_queues[i],
		    id) < 0)
			log_panic("postern_queue_cat: bad id %s", id);
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		if (fd >= 0) {
			queue = postern_cat_queues[i];
			break;
		}
		if (errno != ENOENT)
			log_fatal("%s: open %s: %m", id, path);
	}
	if (queue == NULL) {
		log_error("%s: no such message in the queue", id);
		return 1;
	}
	payload = buf_new(0);
	why = buf_new(0);
	rec_reader_init(&r, fd, 0, REC_GROUP_START, REC_MAX_DEFAULT);
	(void)printf("*** ENVELOPE RECORDS %s ***\n", path);
	while ((type = rec_get(&r, payload, NULL, why)) > 0) {
		if (type == REC_MESSAGE)
			(void)printf("*** MESSAGE CONTENTS %s ***\n", path);
		else if (type == REC_DATA)
			(void)fwrite(buf_str(payload), 1, buf_len(payload),
			    stdout);
		else if (type == REC_END)
			(void)printf("*** HEADER EXTRACTED %s ***\n", path);
		else
			postern_cat_envelope(type, payload);
	}
	if (type < 0) {
		if (fflush(stdout) == EOF)
			log_fatal("write to standard output: %m");
		log_error("%s: malformed queue file %s: %s", id, path,
		    buf_str(why));
		status = 1;
	} else {
		(void)printf("*** MESSAGE FILE END %s ***\n", path);
	}
	rec_reader_done(&r);
	buf_free(payload);
	buf_free(why);
	(void)close(fd);		/* read-only */
	if (fflush(stdout) == EOF || ferror(stdout))
		log_fatal("write to standard output: %m");
	return status;
}
