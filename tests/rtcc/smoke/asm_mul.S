/* tests/rtcc/smoke/asm_mul.S - preprocessed assembly (assembled untouched). */
#define FN asm_mul
	.text
	.globl	FN
	.type	FN, @function
FN:
	movl	%edi, %eax
	imull	%esi, %eax
	ret
	.size	FN, .-FN
	.section	.note.GNU-stack,"",@progbits
