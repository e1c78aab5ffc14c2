# A function whose code uses ymm registers (its probes call the _avx
# trampolines, which keep ymm upper halves) next to one that does not.
	.text
	.globl	vec
	.type	vec, @function
vec:                                    # @vec (clang writes a comment here)
	.loc 1 3 1
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset 6, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register 6
	.loc 1 4 5
	vmovaps	-64(%rbp), %ymm0
	.loc 1 5 5
	vmovaps	%ymm0, -32(%rbp)
	.loc 1 6 1
	popq	%rbp
	.cfi_def_cfa 7, 8
	ret
	.cfi_endproc
	.size	vec, .-vec
	.globl	scalar
	.type	scalar, @function
scalar:
	.loc 1 8 1
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset 6, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register 6
	.loc 1 9 5
	movss	-4(%rbp), %xmm0
	.loc 1 10 1
	popq	%rbp
	.cfi_def_cfa 7, 8
	ret
	.cfi_endproc
	.size	scalar, .-scalar
