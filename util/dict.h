/* dict.h - the one lookup-table interface (Postfix's type:name tables)
 *
 * Types: hash:PATH and btree:PATH (Berkeley DB 5.3 file PATH.db, built from
 * the text source PATH by dict_build; compatible with Postfix's: keys and
 * values are stored with their terminating NUL), texthash:PATH (the text
 * source read into memory), inline:{ key=value, key2=value2 } (the table in
 * the name itself). Lookups fold the key to lower case, as Postfix does for
 * these types. A table list ("hash:/etc/aliases, texthash:/x") is searched
 * in order; the first hit wins.
 *
 * Text source syntax (postmap): "key value" or "key: value" (aliases),
 * '#' comment lines, blank lines, continuation lines starting with
 * whitespace; dict_build parses it with file and line in every error.
 * Limits: DICT_MAX_KEY bytes per key, DICT_MAX_VALUE per value, a table
 * line of DICT_MAX_LINE.
 *
 * Changes: a table is opened once (before chroot) and stays open.
 * dict_changed() tells whether the file behind an open table was replaced
 * (dict_build renames a new file into place, so the old inode loses its
 * link) or modified; a daemon then finishes its request and exits, and
 * master starts a fresh process that opens the new table: readers never
 * see a half-built table and see a rebuilt one without a restart.
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
/* dict_lookup - 1 found (value reset and set), 0 not found, -1 error */
int	dict_lookup(struct dict *d, const char *key, struct buf *value,
	    struct buf *why);
/* dict_changed - whether the table's file was replaced or modified */
bool	dict_changed(const struct dict *d);
const char *dict_name(const struct dict *d);	/* "type:name" */

/* dict_list_open - a comma/space list of tables; "" is an empty list */
struct dict_list *dict_list_open(const char *list, struct buf *why);
struct dict_list *dict_list_close(struct dict_list *l);
int	dict_list_lookup(struct dict_list *l, const char *key,
	    struct buf *value, struct buf *why);
bool	dict_list_changed(const struct dict_list *l);

/* dict_build - (re)build the table "type:PATH" from the text file PATH
 * with the given syntax, atomically (a new file renamed into place);
 * errors name file and line. 0 or -1 with why. Only hash and btree are
 * built; texthash and inline need no building (0). */
int	dict_build(const char *type_name, enum dict_syntax syntax,
	    struct buf *why);
/* dict_delete - remove key from a hash/btree table in place (postmap -d):
 * 1 removed, 0 not there, -1 error */
int	dict_delete(const char *type_name, const char *key, struct buf *why);

#endif
