/*
 * runtime/arch/x86_64/safe_copy.S - rt_safe_copy: memcpy that never crashes.
 *
 *   size_t rt_safe_copy(void *dst, const void *src, size_t n)
 *
 * Copies up to n bytes and returns how many were copied before src became
 * unreadable. No syscall per call: the copy just runs, and when a load
 * faults, the SIGSEGV/SIGBUS handler (signals.c) sees that the faulting pc
 * lies in one of the two loops below and sets the pc to resume:
 *   - a fault in the 8-byte loop resumes in the byte loop at the same
 *     offset, so the count is exact to the byte;
 *   - a fault in the byte loop resumes at the exit with %rax = bytes copied.
 * The loops keep all their state in rax (count), rcx (scratch), rdx (n),
 * rsi, rdi, which the fault does not change.
 */
    .text
    .p2align 4
    .globl rt_safe_copy
    .hidden rt_safe_copy
    .type rt_safe_copy, @function
rt_safe_copy:
    xorl %eax, %eax
    .globl rt_safe_copy_q_begin
    .hidden rt_safe_copy_q_begin
rt_safe_copy_q_begin:
1:  movq %rdx, %rcx
    subq %rax, %rcx
    cmpq $8, %rcx
    jb rt_safe_copy_b_begin
    movq (%rsi,%rax), %rcx          /* may fault */
    movq %rcx, (%rdi,%rax)
    addq $8, %rax
    jmp 1b
    .globl rt_safe_copy_q_end
    .hidden rt_safe_copy_q_end
rt_safe_copy_q_end:
    .globl rt_safe_copy_b_begin
    .hidden rt_safe_copy_b_begin
rt_safe_copy_b_begin:
2:  cmpq %rdx, %rax
    jae rt_safe_copy_done
    movzbl (%rsi,%rax), %ecx        /* may fault */
    movb %cl, (%rdi,%rax)
    incq %rax
    jmp 2b
    .globl rt_safe_copy_b_end
    .hidden rt_safe_copy_b_end
rt_safe_copy_b_end:
    .globl rt_safe_copy_done
    .hidden rt_safe_copy_done
rt_safe_copy_done:
    ret
    .size rt_safe_copy, .-rt_safe_copy

    .section .note.GNU-stack,"",@progbits
