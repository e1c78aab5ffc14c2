/*
 * cc-wrapper/elfcheck.h - tells whether an object file was built by rtcc
 * (holds a .rtrace_probes section), so that rtcc can warn when it links
 * code that will not be traced.
 */
#ifndef RTCC_ELFCHECK_H
#define RTCC_ELFCHECK_H

/* Result of rtcc_object_traced(). */
typedef enum {
    RTCC_OBJ_TRACED = 0,      /* an ELF relocatable object with probes */
    RTCC_OBJ_UNTRACED,        /* an ELF relocatable object without probes */
    RTCC_OBJ_OTHER            /* not a relocatable ELF object (archive, .so, script, missing) */
} rtcc_obj_state;

/*
 * Looks at `path` (reads only the ELF section headers).  For an archive, the
 * answer is RTCC_OBJ_UNTRACED if no member has probes, RTCC_OBJ_TRACED if
 * one has.
 */
rtcc_obj_state rtcc_object_traced(const char *path);

#endif
