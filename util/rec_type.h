/* rec_type.h - the record types of a queue file, and their order
 *
 * A queue file is a sequence of records: type byte, 4-byte big-endian
 * payload length, payload. The groups come in this order, and a reader
 * rejects anything else (the file goes to corrupt/):
 *
 *   REC_VERSION            first record, payload REC_VERSION_TEXT
 *   envelope group:
 *     REC_SIZE             first envelope record, fixed width (REC_SIZE_FMT):
 *                          total file length, content offset, content
 *                          length, recipient count; written as zeros and
 *                          filled in place before the file is committed
 *     REC_TIME             arrival time "seconds.microseconds"
 *     REC_SENDER           envelope sender, "" for the null sender (once)
 *     REC_ATTR             "name=value": client_address, client_name,
 *                          helo_name, protocol, sasl_username, dsn_envid,
 *                          dsn_ret, body_type, smtputf8 (any number)
 *     REC_ORCPT, REC_NOTIFY  DSN original recipient ("rfc822;addr") and
 *                          notify mask (decimal, REC_NOTIFY_*) of the next
 *                          recipient; optional
 *     REC_RCPT             a recipient still to be delivered
 *     REC_DONE             a finished recipient: qmgr overwrites the type
 *                          byte of REC_RCPT in place with REC_DONE
 *   content group:
 *     REC_MESSAGE          empty; starts the content
 *     REC_DATA             message bytes, lines ending in LF, any split
 *   REC_END                empty; last record; nothing may follow
 */
#ifndef POSTERN_REC_TYPE_H
#define POSTERN_REC_TYPE_H

#define REC_VERSION	'V'
#define REC_SIZE	'S'
#define REC_TIME	'T'
#define REC_SENDER	'F'
#define REC_ATTR	'A'
#define REC_ORCPT	'O'
#define REC_NOTIFY	'N'
#define REC_RCPT	'R'
#define REC_DONE	'D'
#define REC_MESSAGE	'M'
#define REC_DATA	'L'
#define REC_END		'E'

#define REC_VERSION_TEXT "postern-queue 1"

/* REC_SIZE payload: total length, content offset, content length, rcpts */
#define REC_SIZE_FMT	"%15lld %15lld %15lld %8lld"
#define REC_SIZE_LEN	(15 + 1 + 15 + 1 + 15 + 1 + 8)

#define REC_HEADER_LEN	5		/* type byte + 4-byte length */
#define REC_MAX_DEFAULT	(1024 * 1024)	/* largest record a reader takes */

/* DSN NOTIFY bits (RFC 3461) */
#define REC_NOTIFY_NEVER	1
#define REC_NOTIFY_SUCCESS	2
#define REC_NOTIFY_FAILURE	4
#define REC_NOTIFY_DELAY	8

#endif
