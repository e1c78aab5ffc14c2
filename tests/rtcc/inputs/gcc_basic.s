# gcc 12 -S -g -O0 shape: two functions, a variable in .data between them.
	.file	"t.c"
	.text
.Ltext0:
	.file 0 "/tmp" "t.c"
	.type	add, @function
add:
.LFB0:
	.file 1 "t.c"
	.loc 1 2 30
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset 6, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register 6
	movl	%edi, -4(%rbp)
	movl	%esi, -8(%rbp)
	.loc 1 2 41
	movl	-4(%rbp), %edx
	movl	-8(%rbp), %eax
	addl	%edx, %eax
	.loc 1 2 46
	popq	%rbp
	.cfi_def_cfa 7, 8
	ret
	.cfi_endproc
.LFE0:
	.size	add, .-add
	.globl	g
	.data
	.align 4
	.type	g, @object
	.size	g, 4
g:
	.long	3
	.text
	.globl	main
	.type	main, @function
main:
.LFB1:
	.loc 1 4 16
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset 6, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register 6
	.loc 1 5 10
	movl	g(%rip), %eax
	movl	$1, %esi
	movl	%eax, %edi
	call	add
	.loc 1 6 1 discriminator 2
.L3:
	popq	%rbp
	.cfi_def_cfa 7, 8
	ret
	.cfi_endproc
.LFE1:
	.size	main, .-main
	.section	.note.GNU-stack,"",@progbits
