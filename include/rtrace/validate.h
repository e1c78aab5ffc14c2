/*
 * rtrace/validate.h - judges a trace folder as CodeTracer's real reader and
 * its consumer do: the shapes upstream's types accept, and the semantics the
 * consumer relies on (ids defined before use, Call/Return balance per thread,
 * struct values matching their type's fields, references with pointer types,
 * Values after a Step or Call, Path events equal to trace_paths.json, every
 * source copied under files/, metadata complete).
 */
#ifndef RTRACE_VALIDATE_H
#define RTRACE_VALIDATE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rtrace_validate_flags {
    RTRACE_VALIDATE_CRASHED = 1 << 0   /* calls left open at the end are fine (without it,
                                          they are fine only after an RTRACE_EXIT_METADATA
                                          Event: the process left through exit or exec) */
} rtrace_validate_flags;

/*
 * Called once per problem: `event_index` is the 0-based event number, or -1
 * for problems not tied to an event (side files). `message` is valid for the
 * call only.
 */
typedef void (*rtrace_validate_cb)(void *ctx, int64_t event_index, const char *message);

/*
 * Validates the folder `dir`. *nerrors gets the number of problems found.
 * Returns 0 when the folder could be judged (valid or not), or a negative code
 * when it could not be read at all (also reported through `cb`). Stops
 * reporting after `max_errors` problems (0 = no limit) but keeps counting.
 */
int rtrace_validate(size_t *nerrors, const char *dir, unsigned flags, size_t max_errors,
                    rtrace_validate_cb cb, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
