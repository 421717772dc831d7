/* str.h - bounded string helpers and strict number parsing
 *
 * str_copy never truncates silently: it returns -1 when src does not fit.
 * parse_uint/parse_size/parse_time reject signs, junk, overflow and values
 * outside [min, max]; they are the only number parsers used on input.
 */
#ifndef POSTERN_STR_H
#define POSTERN_STR_H

#include "sys.h"

int	str_copy(char *dst, size_t size, const char *src);	/* 0 or -1 */
int	str_casecmp(const char *a, const char *b);	/* ASCII only */
int	str_ncasecmp(const char *a, const char *b, size_t n);
bool	str_has_prefix_case(const char *s, const char *prefix);
char	*str_lower(char *s);			/* in place, ASCII; returns s */
char	*str_trim(char *s);			/* in place; returns start */

/* parse_uint - decimal unsigned in [min, max]; 0 ok, -1 bad */
int	parse_uint(const char *s, unsigned long long min,
	    unsigned long long max, unsigned long long *out);

/* parse_time - "30", "30s", "5m", "2h", "1d", "1w" into seconds */
int	parse_time(const char *s, long long *out);

/* parse_bool - yes/no/true/false/1/0 (case-insensitive) */
int	parse_bool(const char *s, bool *out);

/* str_split - next token of a list separated by any char of seps (comma,
 * space, tab, newline), skipping empty tokens. *cursor advances; returns a
 * pointer into the modified string or NULL at the end (in-place, like
 * strsep but skipping empties). */
char	*str_split(char **cursor, const char *seps);

#define STR_LIST_SEPS ", \t\r\n"

#endif
