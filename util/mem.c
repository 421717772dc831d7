/* mem.c - memory allocation that never returns NULL
 *
 * Thin wrappers around malloc and friends. Every failure, including a size
 * computation that would overflow, is fatal through log_fatal(), so callers
 * never test for NULL. A request for zero bytes is served as one byte so
 * that the result is always a unique, freeable pointer.
 */
#include "mem.h"
#include "log.h"

/* xmalloc - malloc or die */
void *
xmalloc(size_t size)
{
	void   *p;

	p = malloc(size ? size : 1);
	if (p == NULL)
		log_fatal("out of memory allocating %zu bytes", size);
	return p;
}

/* xcalloc - zeroed array allocation, overflow-checked */
void *
xcalloc(size_t n, size_t size)
{
	void   *p;

	if (n == 0 || size == 0) {
		n = 1;
		size = 1;
	}
	p = calloc(n, size);
	if (p == NULL)
		log_fatal("out of memory allocating %zu x %zu bytes", n, size);
	return p;
}

/* xrealloc - realloc or die */
void *
xrealloc(void *ptr, size_t size)
{
	void   *p;

	p = realloc(ptr, size ? size : 1);
	if (p == NULL)
		log_fatal("out of memory reallocating to %zu bytes", size);
	return p;
}

/* xreallocarray - realloc of n elements, overflow-checked */
void *
xreallocarray(void *ptr, size_t n, size_t size)
{
	size_t  total;

	if (__builtin_mul_overflow(n, size, &total))
		log_fatal("allocation size overflow: %zu x %zu", n, size);
	return xrealloc(ptr, total);
}

/* xstrdup - copy a string */
char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s) + 1);
}

/* xstrndup - copy at most n bytes of a string, always terminated */
char *
xstrndup(const char *s, size_t n)
{
	size_t  len;
	char   *p;

	len = strnlen(s, n);
	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* xmemdup - copy n bytes */
void *
xmemdup(const void *src, size_t n)
{
	void   *p;

	p = xmalloc(n);
	if (n > 0)
		memcpy(p, src, n);
	return p;
}
