/* dict.h - the one lookup-table interface (Postfix's type:name tables)
 *
 * Types: hash:PATH and btree:PATH (Berkeley DB 5.3 file PATH.db, built from
 * the text source PATH by dict_build; compatible with Postfix's: keys and
 * values are stored with their terminating NUL), texthash:PATH (the text
 * source read into memory), inline:{ key=value, key2=value2 } (the table in
 * the name itself; an element with spaces is braced: { key = a b }).
 * Lookups fold the key to lower case, as Postfix does for these types, and
 * dict_build stores folded keys. A table list ("hash:/etc/aliases,
 * texthash:/x") is searched in order; the first hit wins, and a lookup
 * error stops the search (-1), as Postfix's "table lookup problem".
 *
 * Text source syntax: '#' comment lines and blank lines are ignored; a line
 * starting with whitespace continues the entry above (joined with one
 * space). DICT_SYNTAX_POSTMAP: "key whitespace value". DICT_SYNTAX_ALIASES:
 * "name: value" where name may be "quoted" (the value, e.g. "a, b, |cmd",
 * is the caller's to split). A duplicate key is a warning naming file and
 * line; the first entry wins. Every error names file and line.
 * Limits: DICT_MAX_KEY bytes per key, DICT_MAX_VALUE per value, a logical
 * line (an entry and its continuation lines) of DICT_MAX_LINE; no NUL byte.
 *
 * Changes: a table is opened once (before chroot) and stays open.
 * dict_changed() tells whether the file behind an open table was replaced
 * (dict_build and dict_delete write a new file and rename it into place, so
 * the old inode loses its link) or modified in place; a daemon then
 * finishes its request and exits, and master starts a fresh process that
 * opens the new table: readers never see a half-built table and see a
 * rebuilt one without a restart. Writers (build, delete, add) serialize
 * on flock(LOCK_EX) of PATH.db, as Postfix's postmap does.
 *
 * System calls of a lookup in an open table (for seccomp allow-lists):
 * hash/btree: pread64 (and read, lseek); dict_changed: fstat (newfstatat).
 * texthash and inline lookups make none.
 */
#ifndef POSTERN_DICT_H
#define POSTERN_DICT_H

#include "sys.h"

struct buf;
struct dict;
struct dict_list;

#define DICT_MAX_KEY	1024
#define DICT_MAX_VALUE	(64 * 1024)
#define DICT_MAX_LINE	(128 * 1024)

enum dict_syntax { DICT_SYNTAX_POSTMAP, DICT_SYNTAX_ALIASES };

/* dict_open - open "type:name"; NULL with why (unknown type, missing or
 * corrupt file) */
struct dict *dict_open(const char *type_name, struct buf *why);
struct dict *dict_close(struct dict *d);	/* NULL ok; returns NULL */
/* dict_lookup - 1 found (value reset and set), 0 not found, -1 error.
 * A key longer than DICT_MAX_KEY is not found. */
int	dict_lookup(struct dict *d, const char *key, struct buf *value,
	    struct buf *why);
/* dict_changed - whether the table's file was replaced or modified */
bool	dict_changed(const struct dict *d);
const char *dict_name(const struct dict *d);	/* "type:name" */

/* dict_list_open - a comma/space list of tables; "" is an empty list
 * (every lookup: 0). Braces of inline: tables keep their commas. */
struct dict_list *dict_list_open(const char *list, struct buf *why);
struct dict_list *dict_list_close(struct dict_list *l);
int	dict_list_lookup(struct dict_list *l, const char *key,
	    struct buf *value, struct buf *why);
bool	dict_list_changed(const struct dict_list *l);

/* dict_build - (re)build the table "type:PATH" from the text file PATH
 * with the given syntax, atomically (PATH.db.tmpXXXXXX, fsync, rename);
 * the new file gets the source's permissions (and owner, as root).
 * Errors name file and line; nothing is replaced on error. 0 or -1 with
 * why. Only hash and btree are built; texthash and inline need no
 * building (0). */
int	dict_build(const char *type_name, enum dict_syntax syntax,
	    struct buf *why);
/* dict_delete - remove key from a hash/btree table (postmap -d), through
 * an atomic rewrite: 1 removed, 0 not there, -1 error */
int	dict_delete(const char *type_name, const char *key, struct buf *why);
/* dict_add_text - add the entries of a text source (fd, named source in
 * errors) to a hash/btree table, replacing existing keys, atomically
 * (postmap -i); the table is created when missing. 0 or -1 with why. */
int	dict_add_text(const char *type_name, int fd, const char *source,
	    enum dict_syntax syntax, struct buf *why);

/* dict_exit_status - the sysexits code for the last failure of a dict_*
 * call in this process: EX_USAGE (bad type or name), EX_NOINPUT (missing
 * file), EX_DATAERR (syntax error, corrupt table), EX_TEMPFAIL (system
 * error); EX_SOFTWARE when nothing failed yet */
int	dict_exit_status(void);

/* The text-source parser (dict_text.c), for dict_build, texthash and the
 * fuzz target. fn receives each entry, key folded to lower case, with the
 * line number where the entry starts; it returns 0, or -1 with why to stop
 * the parse. */
typedef int (*dict_text_fn)(void *ctx, const char *key, const char *value,
	    size_t line, struct buf *why);
/* dict_text_parse - parse len bytes of source text named name in errors;
 * 0 or -1 with why ("name:line: what") */
int	dict_text_parse(const char *data, size_t len, const char *name,
	    enum dict_syntax syntax, dict_text_fn fn, void *ctx,
	    struct buf *why);
/* dict_text_parse_fd - the same, reading fd to its end */
int	dict_text_parse_fd(int fd, const char *name, enum dict_syntax syntax,
	    dict_text_fn fn, void *ctx, struct buf *why);

#endif
