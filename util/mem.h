/* mem.h - memory allocation that never returns NULL
 *
 * Running out of memory is fatal (log_fatal), so callers never test for
 * NULL. xstrndup copies at most n bytes and always terminates.
 */
#ifndef POSTERN_MEM_H
#define POSTERN_MEM_H

#include "sys.h"

void	*xmalloc(size_t size);
void	*xcalloc(size_t n, size_t size);	/* overflow-checked */
void	*xrealloc(void *ptr, size_t size);
void	*xreallocarray(void *ptr, size_t n, size_t size); /* overflow-checked */
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
void	*xmemdup(const void *p, size_t n);

#endif
