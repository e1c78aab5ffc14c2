# runtime/runtime.mk - the instrumentation runtime, $(LIBD)/librtrace_rt.so.
#
# Every runtime/*.c and runtime/arch/x86_64/*.S joins the library, except
# trampoline.S (rtcc links it, hidden, into each instrumented module as part
# of rtrace_probe.o), plus the objects of the format library. Compiled with
# -fvisibility=hidden and never with probes or -finstrument-functions (an
# instrumented runtime would recurse into itself). A version script exports
# only the entry points (rt_on_*, __cyg_profile_func_*, __rt_*) and the libc
# functions the runtime interposes; everything else, including the format
# library's rtrace_* names, stays private to the .so.

RT_C_SRCS := $(wildcard runtime/*.c)
RT_S_SRCS := $(filter-out runtime/arch/x86_64/trampoline.S,$(wildcard runtime/arch/x86_64/*.S))
RT_OBJS   := $(RT_C_SRCS:%.c=$(OBJ)/%.o) $(RT_S_SRCS:%.S=$(OBJ)/%.o)
RT_SO     := $(LIBD)/librtrace_rt.so
RT_MAP    := $(BUILD)/runtime/librtrace_rt.map
RT_LDLIBS := -ldwarf -lelf -lzstd -lpthread -ldl $(LIB_LDLIBS)

# The libc functions the runtime interposes (threads.c, process.c,
# signals.c, modules.c (dlopen, dlclose), io_capture.c, output.c: flush before blocking;
# stack.c: the stack limit around children).
RT_INTERPOSED := pthread_create dlopen dlclose sigaction signal sigaltstack exit _exit _Exit vfork \
    execve execv execvp execvpe execl execlp execle fexecve \
    printf vprintf fprintf vfprintf dprintf vdprintf __printf_chk __vprintf_chk \
    __fprintf_chk __vfprintf_chk __dprintf_chk __vdprintf_chk \
    puts fputs putchar fputc putc fwrite perror write writev \
    nanosleep clock_nanosleep sleep usleep pause sigsuspend poll select epoll_wait \
    pthread_join pthread_cond_wait pthread_cond_timedwait sem_wait wait waitpid read \
    close dup2 dup3 close_range closefrom sigprocmask pthread_sigmask sigpending \
    getrlimit setrlimit prlimit getrlimit64 setrlimit64 prlimit64 fcntl fcntl64 daemon \
    system popen posix_spawn posix_spawnp

$(RT_OBJS): ALL_CFLAGS += -fvisibility=hidden

# The probes' fast path runs with only the GPRs saved (trampoline.S): no
# vector register, no call out of its own object but rt_safe_copy (assembly,
# GPRs only: arch/x86_64/safe_copy.S). Built so, and checked: the object must
# hold no xmm/ymm/zmm operand and no other call relocation (PLT32: a function
# elsewhere; -fno-tree-loop-distribute-patterns: no loop turned into a
# memcpy/memset call). Its dependencies name fastpath.o,
# not the .tmp it is compiled to, so header edits rebuild it.
RT_FASTPATH_O := $(OBJ)/runtime/fastpath.o
$(RT_FASTPATH_O): ALL_CFLAGS += -mgeneral-regs-only -fno-tree-loop-distribute-patterns
$(RT_FASTPATH_O): runtime/fastpath.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -MF $(@:.o=.d) -MT $@ -c $< -o $@.tmp
	@if objdump -dr $@.tmp | grep -E '%[xyz]mm|R_X86_64_PLT32' | grep -vE 'R_X86_64_PLT32[[:space:]]+rt_safe_copy-0x4$$' >&2; then \
	    echo "$<: the fast path must use no vector register and call nothing (but rt_safe_copy)" >&2; rm -f $@.tmp; exit 1; fi
	@mv $@.tmp $@

$(RT_MAP): runtime/runtime.mk
	@mkdir -p $(@D)
	@{ echo '{ global:'; echo '  rt_on_*; __cyg_profile_func_*; __rt_*;'; \
	   for s in $(RT_INTERPOSED); do echo "  $$s;"; done; \
	   echo '  local: *; };'; } > $@

$(RT_SO): $(RT_OBJS) $(LIB_OBJS) $(RT_MAP)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,librtrace_rt.so -Wl,--version-script=$(RT_MAP) -Wl,-z,defs \
	    -o $@ $(RT_OBJS) $(LIB_OBJS) $(RT_LDLIBS)

.PHONY: runtime
runtime: $(RT_SO)

ALL_TARGETS  += $(RT_SO)
INSTALL_LIBS += $(RT_SO)
