/* postern_map.c - "postern map": build, query and change lookup tables
 *
 * postern [-c DIR] map [-q KEY | -d KEY | -i] [TYPE:]FILE, Postfix's
 * postmap: without options, (re)build FILE.db from the text source FILE in
 * postmap syntax, atomically (dict_build); TYPE defaults to hash. A table
 * type that needs no building (texthash, inline) is parsed, which checks
 * its syntax. -q KEY prints the value (exit 0) or exits 1 when the key is
 * not there; -d KEY removes the key (exit 0) or exits 1 when it was not
 * there; -i adds the "key value" lines of standard input, replacing keys
 * that exist. Every failure is one error line and a sysexits status:
 * EX_USAGE for a bad command line or table type, EX_NOINPUT for a missing
 * source or table, EX_DATAERR for a syntax error or a corrupt table,
 * EX_TEMPFAIL for a system error (dict_exit_status). All the table work is
 * util/dict's; this file only parses arguments and maps results.
 */
#include <sysexits.h>

#include "buf.h"
#include "dict.h"
#include "log.h"
#include "mem.h"
#include "postern.h"

#define POSTERN_MAP_DEFAULT_TYPE	"hash:"

/* postern_map_usage - the usage line of map, then EX_USAGE */
static int
postern_map_usage(void)
{
	log_error("usage: postern [-c DIR] [-v] map %s",
	    postern_cmd_find("map")->usage);
	return EX_USAGE;
}

/* postern_map_fail - the error of a dict call and its exit status */
static int
postern_map_fail(const struct buf *why)
{
	log_error("%s", buf_str(why));
	return dict_exit_status();
}

/* postern_map_query - -q KEY */
static int
postern_map_query(const char *table, const char *key, struct buf *why)
{
	struct dict *d;
	struct buf *value = buf_new(0);
	int     ret;

	if ((d = dict_open(table, why)) == NULL) {
		buf_free(value);
		return postern_map_fail(why);
	}
	ret = dict_lookup(d, key, value, why);
	d = dict_close(d);
	if (ret > 0) {
		if (fwrite(buf_str(value), 1, buf_len(value), stdout)
		    != buf_len(value) || putchar('\n') == EOF
		    || fflush(stdout) == EOF) {
			buf_free(value);
			log_error("write to standard output: %m");
			return EX_IOERR;
		}
	}
	buf_free(value);
	if (ret < 0)
		return postern_map_fail(why);
	return ret > 0 ? 0 : 1;
}

/* postern_map_build - (re)build, or check a table that needs no build */
static int
postern_map_build(const char *table, struct buf *why)
{
	struct dict *d;

	if (dict_build(table, DICT_SYNTAX_POSTMAP, why) < 0)
		return postern_map_fail(why);
	if (strncmp(table, "hash:", 5) != 0
	    && strncmp(table, "btree:", 6) != 0) {
		/* texthash, inline: parsing is the whole check */
		if ((d = dict_open(table, why)) == NULL)
			return postern_map_fail(why);
		d = dict_close(d);
	}
	return 0;
}

/* postern_map - the map command */
int
postern_map(const struct postern_opts *opts, int argc, char **argv)
{
	const char *qkey = NULL, *dkey = NULL;
	struct buf *why;
	char   *table;
	bool    incremental = false;
	int     ch, ret, modes = 0;

	optind = 0;			/* glibc: start a fresh parse */
	opterr = 0;
	while ((ch = getopt(argc, argv, "+q:d:i")) != -1) {
		switch (ch) {
		case 'q':
			qkey = optarg;
			modes++;
			break;
		case 'd':
			dkey = optarg;
			modes++;
			break;
		case 'i':
			incremental = true;
			modes++;
			break;
		default:
			log_error("map: invalid option -%c", optopt);
			return postern_map_usage();
		}
	}
	if (modes > 1 || optind != argc - 1 || *argv[optind] == '\0')
		return postern_map_usage();
	postern_load_config(opts);
	if (strchr(argv[optind], ':') != NULL) {
		table = xstrdup(argv[optind]);
	} else {
		table = xmalloc(strlen(POSTERN_MAP_DEFAULT_TYPE)
		    + strlen(argv[optind]) + 1);
		memcpy(table, POSTERN_MAP_DEFAULT_TYPE,
		    strlen(POSTERN_MAP_DEFAULT_TYPE));
		memcpy(table + strlen(POSTERN_MAP_DEFAULT_TYPE), argv[optind],
		    strlen(argv[optind]) + 1);
	}
	why = buf_new(0);
	if (qkey != NULL) {
		ret = postern_map_query(table, qkey, why);
	} else if (dkey != NULL) {
		ret = dict_delete(table, dkey, why);
		ret = ret < 0 ? postern_map_fail(why) : ret > 0 ? 0 : 1;
	} else if (incremental) {
		ret = dict_add_text(table, 0, "standard input",
		    DICT_SYNTAX_POSTMAP, why) < 0 ? postern_map_fail(why) : 0;
	} else {
		ret = postern_map_build(table, why);
	}
	buf_free(why);
	free(table);
	return ret;
}
