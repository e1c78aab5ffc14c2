# gcc 12 shape of inline asm: the next statement's .loc sits inside the
# #APP block after the `# 0 "" 2` marker; two asm statements share one block;
# a naked function (body starts with asm); a `ret` inside user asm.
	.text
	.type	f, @function
f:
.LFB0:
	.loc 1 4 14
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset 6, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register 6
	.loc 1 5 7
	movl	$0, -4(%rbp)
	.loc 1 6 3
#APP
# 6 "t.c" 1
	nop
# 0 "" 2
	.loc 1 7 3
# 7 "t.c" 1
	cmpl $1, %eax
	ret
# 0 "" 2
	.loc 1 8 5
#NO_APP
	setg	%al
	.loc 1 9 1
	popq	%rbp
	.cfi_def_cfa 7, 8
	ret
	.cfi_endproc
.LFE0:
	.size	f, .-f
	.globl	nk
	.type	nk, @function
nk:
.LFB1:
	.loc 1 11 38
	.cfi_startproc
	.loc 1 11 40
#APP
# 11 "t.c" 1
	ret
# 0 "" 2
	.loc 1 11 52
#NO_APP
	nop
	ud2
	.cfi_endproc
.LFE1:
	.size	nk, .-nk
	.type	after_naked, @function
after_naked:
	.loc 1 13 1
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset 6, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register 6
	.loc 1 14 3
	nop
	.loc 1 15 1
	popq	%rbp
	.cfi_def_cfa 7, 8
	ret
	.cfi_endproc
	.size	after_naked, .-after_naked
