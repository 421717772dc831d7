/* sys.h - system headers every postern file includes, and banned functions
 *
 * Included first by every .c file (through the module headers). Pulls in
 * the POSIX/GNU feature macros and the common system headers, and poisons
 * the unbounded string functions so that they cannot be used by accident:
 * use str_copy(), buf_printf() and parse_uint() from util/str.h instead.
 */
#ifndef POSTERN_SYS_H
#define POSTERN_SYS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define POSTERN_VERSION "0.1"

#define SYS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#pragma GCC poison strcpy strcat sprintf vsprintf strtok gets atoi atol

#endif
