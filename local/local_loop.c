/* local_loop.c - mail forwarding loop detection by Delivered-To
 *
 * Input: the content group of a queue file (REC_MESSAGE, REC_DATA
 * records split anywhere, REC_END), read from the REC_MESSAGE offset.
 * Every delivery (mailbox, command, file, and each copy local resubmits
 * through cleanup) carries "Delivered-To: RCPT"; a message that comes
 * back to local with that header for the recipient being delivered has
 * gone round in a loop, and is bounced (5.4.6) instead of delivered
 * again, as Postfix does. Only the header section is read: it ends at the
 * first empty line. A header line longer than LOCAL_LOOP_LINE_MAX bytes
 * cannot be a Delivered-To of ours and is skipped; unfolded continuation
 * lines are ignored (we write the header on one line).
 */
#include "local.h"
#include "buf.h"
#include "rec.h"
#include "str.h"

#define LOCAL_LOOP_LINE_MAX	(LOCAL_ADDR_MAX + 64)
#define LOCAL_LOOP_HEADER	"delivered-to:"

/* local_loop_line - whether one complete header line names addr */
static bool
local_loop_line(const char *line, size_t len, const char *addr)
{
	size_t  hlen = strlen(LOCAL_LOOP_HEADER), alen = strlen(addr);

	if (len < hlen || str_ncasecmp(line, LOCAL_LOOP_HEADER, hlen) != 0)
		return false;
	line += hlen;
	len -= hlen;
	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' ||
	    line[len - 1] == '\r'))
		len--;
	return len == alen && str_ncasecmp(line, addr, alen) == 0;
}

/* local_loop_check - scan the headers for Delivered-To: addr */
int
local_loop_check(int qfd, off_t offset, const char *addr,
    struct buf *payload, struct buf *why)
{
	struct rec_reader r;
	struct buf *line = buf_new(LOCAL_LOOP_LINE_MAX);
	const char *p, *end, *nl;
	bool    skipping = false;
	int     type, ret = -1;

	rec_reader_init(&r, qfd, offset, REC_GROUP_CONTENT, REC_MAX_DEFAULT);
	buf_reset(why);
	if ((type = rec_get(&r, payload, NULL, why)) != REC_MESSAGE) {
		if (type >= 0)
			(void)buf_set(why, "no content at the given offset");
		goto fail;
	}
	while ((type = rec_get(&r, payload, NULL, why)) == REC_DATA) {
		p = buf_str(payload);
		end = p + buf_len(payload);
		while (p < end) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL) {
				if (!skipping && buf_append(line, p,
				    (size_t)(end - p)) < 0)
					skipping = true;
				break;
			}
			if (!skipping && buf_append(line, p,
			    (size_t)(nl - p)) < 0)
				skipping = true;
			p = nl + 1;
			if (!skipping && (buf_len(line) == 0 || (buf_len(line)
			    == 1 && buf_str(line)[0] == '\r'))) {
				ret = 0;	/* the end of the headers */
				goto fail;
			}
			if (!skipping && local_loop_line(buf_str(line),
			    buf_len(line), addr)) {
				ret = 1;
				goto fail;
			}
			skipping = false;
			buf_reset(line);
		}
	}
	if (type == REC_END)
		ret = 0;
	else if (type >= 0)
		(void)buf_set(why, "unexpected record in the content");

fail:
	rec_reader_done(&r);
	buf_free(line);
	return ret;
}
