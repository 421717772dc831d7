/* tap.h - a tiny TAP producer for the C unit tests
 *
 * plan(n), ok(cond, name, ...), is_int(got, want, name), is_str(got, want,
 * name), diag(fmt, ...), done() returns the exit status (0 when every test
 * passed and the plan was met). Header-only: each test is one program.
 */
#ifndef POSTERN_TAP_H
#define POSTERN_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_run, tap_failed, tap_planned;

static inline void
plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
}

static inline void
diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
}

static inline int
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_run++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	return cond;
}

static inline int
is_int(long long got, long long want, const char *name)
{
	if (!ok(got == want, "%s", name))
		diag("got %lld, want %lld", got, want);
	return got == want;
}

static inline int
is_str(const char *got, const char *want, const char *name)
{
	int same = (got && want) ? strcmp(got, want) == 0 : got == want;

	if (!ok(same, "%s", name))
		diag("got \"%s\", want \"%s\"", got ? got : "(null)",
		    want ? want : "(null)");
	return same;
}

static inline int
done(void)
{
	if (tap_planned != tap_run) {
		diag("planned %d tests, ran %d", tap_planned, tap_run);
		return 1;
	}
	return tap_failed ? 1 : 0;
}

#endif
