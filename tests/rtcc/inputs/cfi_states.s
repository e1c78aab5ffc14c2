# CFI: two epilogues (.cfi_remember_state / .cfi_restore_state) and a
# function without frame pointer (CFA computed from %rsp throughout), a
# group of is_stmt 0 rows and a line-0 row (no probes), a function without
# CFI at all.
	.text
	.type	two, @function
two:
	.loc 1 1 10
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset 6, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register 6
	.loc 1 2 3
	testl	%edi, %edi
	je	.L2
	.loc 1 3 5
	movl	$1, %eax
	popq	%rbp
	.cfi_remember_state
	.cfi_def_cfa 7, 8
	ret
.L2:
	.cfi_restore_state
	.loc 1 4 3
	movl	$0, %eax
	popq	%rbp
	.cfi_def_cfa 7, 8
	rep ret
	.cfi_endproc
	.size	two, .-two
	.type	nofp, @function
nofp:
	.loc 1 7 1
	.cfi_startproc
	.loc 1 8 3 is_stmt 1
	leal	1(%rdi), %eax
	.loc 1 8 9 is_stmt 0
	addl	%eax, %eax
	.loc 1 0 3
	addl	$2, %eax
	.loc 1 9 1 is_stmt 1
	ret
	.cfi_endproc
	.size	nofp, .-nofp
	.type	nocfi, @function
nocfi:
	.loc 1 11 1
	pushq	%rbp
	movq	%rsp, %rbp
	.loc 1 12 3
	nop
	popq	%rbp
	ret
	.size	nocfi, .-nocfi
