# tests/rtcc/smoke/asm_add.s - a function in plain assembly (assembled untouched).
	.text
	.globl	asm_add
	.type	asm_add, @function
asm_add:
	leal	(%rdi,%rsi), %eax
	ret
	.size	asm_add, .-asm_add
	.section	.note.GNU-stack,"",@progbits
