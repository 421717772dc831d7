/* rec.h - reading and writing queue-file records
 *
 * The writer buffers records and tracks the file offset of each, so that a
 * caller can remember where a record starts (REC_RCPT, to mark it done in
 * place later; REC_SIZE, to fill it in). The reader reads records from an
 * fd through a buffer and enforces the group order of rec_type.h and a
 * maximum payload length; any violation is -1 with why, never a crash.
 * Nothing here moves files: that is queue.c's job.
 */
#ifndef POSTERN_REC_H
#define POSTERN_REC_H

#include "sys.h"
#include "rec_type.h"

struct buf;

struct rec_writer {
	int	fd;
	off_t	offset;		/* file offset of the next record */
	struct buf *out;	/* pending bytes */
	int	error;		/* errno of the first write error, 0 if none;
				 * once set, rec_put and rec_flush fail */
};

void	rec_writer_init(struct rec_writer *w, int fd);
void	rec_writer_done(struct rec_writer *w);	/* frees the buffer */

/* rec_put - append a record; returns its file offset, or -1 on a write
 * error (errno set) */
off_t	rec_put(struct rec_writer *w, int type, const void *data, size_t len);
off_t	rec_put_str(struct rec_writer *w, int type, const char *s);
int	rec_flush(struct rec_writer *w);	/* write out; 0 or -1 */

/* rec_overwrite - flush, then overwrite the payload of the record at
 * offset with len bytes (pwrite): REC_SIZE is filled in this way. len must
 * be the payload length the record was written with. 0 or -1 (errno). */
int	rec_overwrite(struct rec_writer *w, off_t offset, const void *data,
	    size_t len);

/* rec_mark - overwrite the type byte of the record at offset (pwrite) */
int	rec_mark(int fd, off_t offset, int type);

enum rec_group { REC_GROUP_START, REC_GROUP_ENVELOPE, REC_GROUP_CONTENT,
	REC_GROUP_END };

struct rec_reader {
	int	fd;
	off_t	offset;		/* offset of the next unread byte */
	size_t	max;		/* largest payload accepted */
	enum rec_group group;
	char	*ibuf;
	size_t	ilen, ipos;
	int	last;		/* type of the previous record, 0 none */
	unsigned seen;		/* once-only records seen (rec.c) */
	bool	failed;		/* an error was returned: no more records */
};

/* rec_reader_init - read fd from offset; group says where the reader
 * starts (REC_GROUP_START at offset 0; REC_GROUP_CONTENT to read content
 * from the REC_MESSAGE record's offset) */
void	rec_reader_init(struct rec_reader *r, int fd, off_t offset,
	    enum rec_group group, size_t max);
void	rec_reader_done(struct rec_reader *r);

/* rec_get - next record into payload (reset); *at gets its offset (may be
 * NULL). Returns the type, 0 at end of file after REC_END, or -1 with why
 * for a read error, truncation, bad type, bad order or oversize record.
 * Order checks: REC_VERSION first with payload REC_VERSION_TEXT; REC_SIZE
 * (REC_SIZE_LEN bytes) first in the envelope; REC_SENDER at most once;
 * REC_ORCPT and REC_NOTIFY at most once each and only just before a
 * REC_RCPT or REC_DONE; REC_MESSAGE (empty) after the envelope, then only
 * REC_DATA, then REC_END (empty), then end of file. Reads use pread, so
 * the descriptor's file position does not matter. After -1, every later
 * call fails too. */
int	rec_get(struct rec_reader *r, struct buf *payload, off_t *at,
	    struct buf *why);

#endif
