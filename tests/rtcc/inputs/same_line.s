# Same-line fall-through rows (gcc shape): a row of the line control falls
# through from gets no probe, unless a label before it is a jump target
# (referenced by a jump, by a jump table in .rodata) or a call comes between
# (control returns there from the callee: 6:7 after `call g` keeps its probe)
# - labels referenced only from .debug_* sections (.LBB/.LBE) do not count.  A group mixing two lines
# is always probed and the group after it too.
	.text
	.type	f, @function
f:
	.loc 1 3 1
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset 6, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register 6
	.loc 1 4 9
	movl	$0, -4(%rbp)
	.loc 1 5 12
	movl	$0, -8(%rbp)
	.loc 1 5 3
	jmp	.L2
.L3:
	.loc 1 6 10
	movl	-8(%rbp), %eax
	call	g
	.loc 1 6 7
	addl	%eax, -4(%rbp)
	.loc 1 5 27
	addl	$1, -8(%rbp)
.L2:
	.loc 1 5 21
	cmpl	$9, -8(%rbp)
	jle	.L3
.LBB4:
	.loc 1 7 5
	.loc 1 7 12
	movl	-4(%rbp), %eax
.LBE4:
	.loc 1 7 20
	addl	$1, %eax
	.loc 1 8 1
	popq	%rbp
	.cfi_def_cfa 7, 8
	ret
	.cfi_endproc
	.size	f, .-f
	.section	.debug_info,"",@progbits
	.quad	.LBB4
	.quad	.LBE4
	.section	.rodata
	.align 8
.L9:
	.quad	.L10
	.text
	.type	h, @function
h:
	.loc 1 10 1
	.cfi_startproc
	pushq	%rbp
	movq	%rsp, %rbp
	.cfi_def_cfa_register 6
	.loc 1 11 3
	nop
.L10:
	.loc 1 11 3
	nop
	.loc 1 11 9
	movl	$1, %eax
	.loc 1 11 9
	.loc 1 12 1
	popq	%rbp
	.loc 1 12 1
	ret
	.cfi_endproc
	.size	h, .-h
