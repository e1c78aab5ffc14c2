/*
 * cc-wrapper/spawn.h - running the real compiler, and rtcc's temporary files
 * (created in TMPDIR, removed on every exit path, also on a fatal signal).
 */
#ifndef RTCC_SPAWN_H
#define RTCC_SPAWN_H

#include <stdbool.h>

/* Installs the signal handlers that remove temporary files; call first. */
void rtcc_tmp_init(void);

/*
 * Creates an empty temporary file TMPDIR/rtcc-XXXXXX<suffix> and registers
 * it (and its .d sibling, which gas --MD or gcc -MD might write) for removal;
 * returns its path (owned by the registry).  Exits with a clear message if
 * it cannot.
 */
const char *rtcc_tmp_create(const char *suffix);

/* Registers a path to remove at exit (e.g. a file the compiler writes). */
void rtcc_tmp_register(const char *path);

/* Removes every registered temporary file (idempotent; async-signal-safe). */
void rtcc_tmp_cleanup(void);

/*
 * Runs argv (argv[0] searched in PATH) and waits for it.  Returns its exit
 * status (0-255), or 128+N if it was killed by signal N (after saying so on
 * stderr), or 127 with a message if it could not be run.  verbose: print the
 * command line on stderr first (rtcc -v).
 */
int rtcc_run(char *const argv[], bool verbose);

/* Replaces rtcc by argv (exec); only returns on failure, after a message. */
void rtcc_exec(char *const argv[]);

#endif
