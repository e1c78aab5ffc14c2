# -finstrument-functions output (gcc shape): `traced` calls the enter hook;
# `excluded` does not (no_instrument_function): with RTCC_RW_HOOKED_ONLY it
# gets no probes; `traced.cold` (a split part, no hook of its own) keeps them.
	.text
	.type	traced, @function
traced:
	.loc 1 2 1
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset 6, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register 6
	leaq	traced(%rip), %rdi
	call	__cyg_profile_func_enter@PLT
	.loc 1 3 5
	movl	$1, %eax
	.loc 1 4 1
	popq	%rbp
	.cfi_def_cfa 7, 8
	ret
	.cfi_endproc
	.size	traced, .-traced
	.type	excluded, @function
excluded:
	.loc 1 7 1
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset 6, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register 6
	.loc 1 8 5
	movl	$2, %eax
	.loc 1 9 1
	popq	%rbp
	.cfi_def_cfa 7, 8
	ret
	.cfi_endproc
	.size	excluded, .-excluded
	.section	.text.unlikely
	.type	traced.cold, @function
traced.cold:
	.loc 1 12 1
	.cfi_startproc
	.loc 1 13 5
	movl	$3, %eax
	ret
	.cfi_endproc
	.size	traced.cold, .-traced.cold
