/* str.c - bounded string helpers and strict number parsing
 *
 * str_copy never truncates silently. The parsers (parse_uint, parse_time,
 * parse_bool) accept exactly the documented syntax: no sign, no leading or
 * trailing white space, no junk, and every arithmetic step is checked for
 * overflow, because their input comes from configuration files and peers.
 * Case folding is ASCII only, independent of the locale.
 */
#include "str.h"

/* str_ascii_lower - ASCII lower case of one byte */
static inline int
str_ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* str_copy - copy src into dst of size bytes; -1 (dst "") if too long */
int
str_copy(char *dst, size_t size, const char *src)
{
	size_t  len;

	if (size == 0)
		return -1;
	len = strlen(src);
	if (len >= size) {
		dst[0] = '\0';
		return -1;
	}
	memcpy(dst, src, len + 1);
	return 0;
}

/* str_casecmp - ASCII case-insensitive compare */
int
str_casecmp(const char *a, const char *b)
{
	int     ca, cb;

	do {
		ca = str_ascii_lower((unsigned char)*a++);
		cb = str_ascii_lower((unsigned char)*b++);
	} while (ca == cb && ca != 0);
	return ca - cb;
}

/* str_ncasecmp - ASCII case-insensitive compare of at most n bytes */
int
str_ncasecmp(const char *a, const char *b, size_t n)
{
	int     ca, cb;

	while (n-- > 0) {
		ca = str_ascii_lower((unsigned char)*a++);
		cb = str_ascii_lower((unsigned char)*b++);
		if (ca != cb)
			return ca - cb;
		if (ca == 0)
			break;
	}
	return 0;
}

/* str_has_prefix_case - whether s starts with prefix, ignoring case */
bool
str_has_prefix_case(const char *s, const char *prefix)
{
	return str_ncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* str_lower - lower-case s in place (ASCII) */
char *
str_lower(char *s)
{
	char   *p;

	for (p = s; *p; p++)
		*p = (char)str_ascii_lower((unsigned char)*p);
	return s;
}

/* str_is_space - ASCII white space */
static inline bool
str_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
	    || c == '\v';
}

/* str_trim - strip leading and trailing white space in place */
char *
str_trim(char *s)
{
	char   *end;

	while (str_is_space((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && str_is_space((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return s;
}

/* parse_digits - leading decimal digits of s; -1 on none or overflow */
static int
parse_digits(const char *s, unsigned long long *out, const char **end)
{
	unsigned long long v = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		unsigned long long digit = (unsigned long long)(*p - '0');

		if (__builtin_mul_overflow(v, 10ULL, &v)
		    || __builtin_add_overflow(v, digit, &v))
			return -1;
	}
	if (p == s)
		return -1;
	*out = v;
	*end = p;
	return 0;
}

/* parse_uint - decimal unsigned in [min, max]; 0 ok, -1 bad */
int
parse_uint(const char *s, unsigned long long min, unsigned long long max,
    unsigned long long *out)
{
	unsigned long long v;
	const char *end;

	if (s == NULL || parse_digits(s, &v, &end) < 0 || *end != '\0')
		return -1;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* parse_time - a number with an optional unit s, m, h, d or w (default
 * seconds) into seconds; 0 ok, -1 bad or overflow */
int
parse_time(const char *s, long long *out)
{
	unsigned long long v, mult;
	const char *end;

	if (s == NULL || parse_digits(s, &v, &end) < 0)
		return -1;
	switch (*end) {
	case '\0':
	case 's':
		mult = 1;
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	case 'w':
		mult = 7 * 86400;
		break;
	default:
		return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	if (__builtin_mul_overflow(v, mult, &v)
	    || v > (unsigned long long)LLONG_MAX)
		return -1;
	*out = (long long)v;
	return 0;
}

/* parse_bool - yes/no/true/false/1/0, case-insensitive */
int
parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"yes", "true", "1"};
	static const char *const no[] = {"no", "false", "0"};
	size_t  i;

	if (s == NULL)
		return -1;
	for (i = 0; i < SYS_ARRAY_LEN(yes); i++) {
		if (str_casecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (str_casecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* str_split - next non-empty token of *cursor separated by seps */
char *
str_split(char **cursor, const char *seps)
{
	char   *start, *end;

	if (*cursor == NULL)
		return NULL;
	start = *cursor + strspn(*cursor, seps);
	if (*start == '\0') {
		*cursor = start;
		return NULL;
	}
	end = start + strcspn(start, seps);
	if (*end != '\0') {
		*end = '\0';
		*cursor = end + 1;
	} else {
		*cursor = end;
	}
	return start;
}
