/* sandbox.h - per-program seccomp allow-lists
 *
 * sandbox_enter installs a filter that allows the system calls every
 * daemon needs (SANDBOX_BASE in sandbox.c: read, write, close, poll, memory
 * management, signals, exit, clocks...) plus the program's own list of
 * names, and kills the whole process on anything else
 * (SCMP_ACT_KILL_PROCESS). It sets no_new_privs first. Any failure to
 * install is fatal: a daemon never runs unsandboxed. Builds with
 * AddressSanitizer add the calls its runtime makes.
 * sandbox_selftest makes a call no daemon allows (ptrace); if the process
 * survives, the filter is not working and it exits 1.
 */
#ifndef POSTERN_SANDBOX_H
#define POSTERN_SANDBOX_H

#include "sys.h"

void	sandbox_enter(const char *progname, const char *const *allow,
	    size_t n);
_Noreturn void sandbox_selftest(void);

#endif
