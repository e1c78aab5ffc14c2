# Sections: a function in .text.startup, a jump table in .rodata in the
# middle of a function (with .loc pending across it), .pushsection/.popsection
# and .previous inside a function, an object in .data.rel.local that looks
# like code, and a function whose section is not code.
	.section	.text.startup,"ax",@progbits
	.type	main, @function
main:
	.loc 1 3 1
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset 6, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register 6
	.loc 1 4 3
	cmpl	$1, %edi
	ja	.L2
	leaq	.L4(%rip), %rax
	.section	.rodata
	.align 4
.L4:
	.long	.L5-.L4
	.section	.text.startup,"ax",@progbits
.L5:
	.loc 1 5 5
	.pushsection .data
	.long 7
	.popsection
	movl	$1, %eax
	.section	.rodata.str1.1,"aMS",@progbits,1
.LC0:
	.string	"ret"
	.previous
.L2:
	.loc 1 6 1
	popq	%rbp
	.cfi_def_cfa 7, 8
	ret
	.cfi_endproc
	.size	main, .-main
	.section	.data.rel.local,"aw"
	.type	notcode, @function
notcode:
	.loc 1 9 1
	.loc 1 10 1
	.quad	main
	ret
	.size	notcode, .-notcode
