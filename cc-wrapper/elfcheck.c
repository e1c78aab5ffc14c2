/*
 * cc-wrapper/elfcheck.c - finds the .rtrace_probes section in objects and
 * archives with libelf (section headers only: cheap even for big objects).
 */
#include "elfcheck.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

/* 1 if the ELF object `e` has a section named .rtrace_probes, 0 if not, -1 if not ET_REL. */
static int has_probes(Elf *e)
{
    GElf_Ehdr eh;
    size_t shstrndx;
    Elf_Scn *scn = NULL;
    if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) || eh.e_type != ET_REL)
        return -1;
    if (elf_getshdrstrndx(e, &shstrndx) != 0)
        return -1;
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        GElf_Shdr sh;
        const char *name;
        if (!gelf_getshdr(scn, &sh))
            continue;
        name = elf_strptr(e, shstrndx, sh.sh_name);
        if (name && strcmp(name, ".rtrace_probes") == 0)
            return 1;
    }
    return 0;
}

rtcc_obj_state rtcc_object_traced(const char *path)
{
    int fd;
    Elf *e;
    rtcc_obj_state st = RTCC_OBJ_OTHER;
    if (elf_version(EV_CURRENT) == EV_NONE)
        return RTCC_OBJ_OTHER;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return RTCC_OBJ_OTHER;
    e = elf_begin(fd, ELF_C_READ, NULL);
    if (e && elf_kind(e) == ELF_K_AR) {
        Elf *m;
        Elf_Cmd cmd = ELF_C_READ;
        while ((m = elf_begin(fd, cmd, e)) != NULL) {
            int h = has_probes(m);
            if (h == 1)
                st = RTCC_OBJ_TRACED;
            else if (h == 0 && st == RTCC_OBJ_OTHER)
                st = RTCC_OBJ_UNTRACED;
            cmd = elf_next(m);
            elf_end(m);
            if (st == RTCC_OBJ_TRACED)
                break;
        }
    } else if (e) {
        int h = has_probes(e);
        st = h == 1 ? RTCC_OBJ_TRACED : h == 0 ? RTCC_OBJ_UNTRACED : RTCC_OBJ_OTHER;
    }
    if (e)
        elf_end(e);
    close(fd);
    return st;
}
