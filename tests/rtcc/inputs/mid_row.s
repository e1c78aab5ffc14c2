# Mid-row jump targets (clang 14 -S -g -O0 shape; clamp is samples/multiline.c's).
# A local label that code jumps to (a jump, a jump-table entry, a lea'd address)
# and that no probe-worthy .loc group follows gets a line probe right before its
# instruction, after any .loc lines: .LBB1_6 (no .loc: the middle of the line-0
# row that joins the arms of the ?:), .LBB1_5 (only a line-0 row), .LBB2_1 (a
# jump-table entry), .LBB2_3 (before #APP).  No extra probe at: .LBB1_2/.LBB1_4
# (their own group is probed), .LBB2_2 (the group before the label is probed
# after it), .Ltmp12 (referenced only from .debug_info), .Ltmp13 (only from the
# __sancov_pcs table), clamp (a function entry, called), .Ltab (followed by data),
# .Luser (inside the user's asm text), .LBB2_9 (in the prologue: a variadic
# function's jump over the xmm saves), .LBB2_4 (the CFA is computed from %rsp
# there: only the return probe).
	.text
	.file	"m.c"
	.globl	clamp                           # -- Begin function clamp
	.p2align	4, 0x90
	.type	clamp,@function
clamp:                                  # @clamp
.Lfunc_begin1:
	.file	0 "/tmp" "m.c" md5 0x1ebd9d7c1193b6add3f053e738a64818
	.loc	0 13 0                          # m.c:13:0
	.cfi_startproc
# %bb.0:
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	movl	%edi, -4(%rbp)
	movl	%esi, -8(%rbp)
	movl	%edx, -12(%rbp)
.Ltmp11:
	.loc	0 14 12 prologue_end            # m.c:14:12
	movl	-4(%rbp), %eax
	.loc	0 14 14 is_stmt 0               # m.c:14:14
	cmpl	-8(%rbp), %eax
	.loc	0 14 12                         # m.c:14:12
	jge	.LBB1_2
# %bb.1:
	.loc	0 14 21                         # m.c:14:21
	movl	-8(%rbp), %eax
.Ltmp12:
	movl	%eax, -16(%rbp)                 # 4-byte Spill
	.loc	0 14 12                         # m.c:14:12
	jmp	.LBB1_6
.LBB1_2:
	.loc	0 15 12 is_stmt 1               # m.c:15:12
	movl	-4(%rbp), %eax
	.loc	0 15 14 is_stmt 0               # m.c:15:14
	cmpl	-12(%rbp), %eax
	.loc	0 15 12                         # m.c:15:12
	jle	.LBB1_4
# %bb.3:
	.loc	0 15 21                         # m.c:15:21
	movl	-12(%rbp), %eax
.Ltmp13:
	movl	%eax, -20(%rbp)                 # 4-byte Spill
	.loc	0 15 12                         # m.c:15:12
	jmp	.LBB1_5
.LBB1_4:
	.loc	0 16 12 is_stmt 1               # m.c:16:12
	movl	-4(%rbp), %eax
	movl	%eax, -20(%rbp)                 # 4-byte Spill
.LBB1_5:
	.loc	0 0 12 is_stmt 0
	movl	-20(%rbp), %eax                 # 4-byte Reload
	movl	%eax, -16(%rbp)                 # 4-byte Spill
.LBB1_6:
	movl	-16(%rbp), %eax                 # 4-byte Reload
	.loc	0 14 5 is_stmt 1                # m.c:14:5
	popq	%rbp
	.cfi_def_cfa %rsp, 8
	retq
.Ltmp14:
.Lfunc_end1:
	.size	clamp, .Lfunc_end1-clamp
	.cfi_endproc
                                        # -- End function
	.globl	sw                              # -- Begin function sw
	.p2align	4, 0x90
	.type	sw,@function
sw:                                     # @sw
.Lfunc_begin2:
	.loc	0 20 0                          # m.c:20:0
	.cfi_startproc
# %bb.0:
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	movl	%edi, -4(%rbp)
	testb	%al, %al
	je	.LBB2_9
	movaps	%xmm0, -176(%rbp)
.LBB2_9:
	movq	%r9, -184(%rbp)
.Ltmp20:
	.loc	0 21 5 prologue_end             # m.c:21:5
	movl	-4(%rbp), %eax
	movq	.LJTI2_0(,%rax,8), %rcx
	jmpq	*%rcx
.LBB2_1:
	callq	clamp
	.loc	0 22 7 is_stmt 1                # m.c:22:7
.LBB2_2:
	addl	$1, -4(%rbp)
	leaq	.Ltab(%rip), %rax
	jmp	.LBB2_3
.Ltab:
	.long	0x90909090
.LBB2_3:
	#APP
.Luser:
	nop
	jmp	.Luser
	#NO_APP
	.loc	0 24 1 epilogue_begin           # m.c:24:1
	popq	%rbp
	.cfi_def_cfa %rsp, 8
.LBB2_4:
	retq
.Lfunc_end2:
	.size	sw, .Lfunc_end2-sw
	.cfi_endproc
	.section	.rodata,"a",@progbits
	.p2align	3
.LJTI2_0:
	.quad	.LBB2_1
	.quad	.LBB2_2
	.long	.LBB2_4-.LJTI2_0
                                        # -- End function
	.section	.debug_info,"",@progbits
	.quad	.Lfunc_begin1
	.quad	.Ltmp12
	.section	__sancov_pcs,"ao",@progbits,clamp
	.quad	.Ltmp13
	.section	".note.GNU-stack","",@progbits
