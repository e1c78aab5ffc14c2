# gcc 12 -masm=intel shape: the probes are written in AT&T syntax, so the
# rewriter switches to .att_syntax around each probe and back.
	.file	"it.c"
	.intel_syntax noprefix
	.text
	.globl	sq
	.type	sq, @function
sq:
.LFB0:
	.loc 1 2 1
	.cfi_startproc
	push	rbp
	.cfi_def_cfa_offset 16
	.cfi_offset 6, -16
	mov	rbp, rsp
	.cfi_def_cfa_register 6
	mov	DWORD PTR -20[rbp], edi
	.loc 1 3 9
	mov	eax, DWORD PTR -20[rbp]
	imul	eax, eax
	mov	DWORD PTR -4[rbp], eax
	.loc 1 4 12
	mov	eax, DWORD PTR -4[rbp]
	.loc 1 5 1
	pop	rbp
	.cfi_def_cfa 7, 8
	ret
	.cfi_endproc
.LFE0:
	.size	sq, .-sq
	.section	.note.GNU-stack,"",@progbits
