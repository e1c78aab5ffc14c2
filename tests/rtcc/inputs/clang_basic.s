# clang 14 -S -g -O0 shape: .file 0 with md5, prologue_end, is_stmt carried
# over from one .loc to the next, #APP/#NO_APP without markers, retq,
# trailing comments.
	.text
	.file	"t.c"
	.globl	f                               # -- Begin function f
	.p2align	4, 0x90
	.type	f,@function
f:                                      # @f
.Lfunc_begin0:
	.file	0 "/tmp" "t.c" md5 0x1ebd9d7c1193b6add3f053e738a64818
	.loc	0 4 0                           # t.c:4:0
	.cfi_startproc
# %bb.0:
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	movl	%edi, -4(%rbp)
.Ltmp0:
	.loc	0 5 7 prologue_end              # t.c:5:7
	movl	$0, -8(%rbp)
.LBB0_1:                                # =>This Inner Loop Header: Depth=1
.Ltmp1:
	.loc	0 6 19 is_stmt 0                # t.c:6:19
	movl	-12(%rbp), %eax
	.loc	0 6 21                          # t.c:6:21
	cmpl	-4(%rbp), %eax
	.loc	0 7 14 is_stmt 1                # t.c:7:14
	movl	-12(%rbp), %edi
	.loc	0 7 7                           # t.c:7:7
	addl	%eax, -8(%rbp)
	.loc	0 0 7 is_stmt 1                 # t.c:0:7
	addl	$1, -8(%rbp)
.Ltmp7:
	.loc	0 8 17                          # t.c:8:17
	#APP
	nop
	retq
	#NO_APP
	.loc	0 9 10 epilogue_begin           # t.c:9:10
	movl	-8(%rbp), %eax
	popq	%rbp
	.cfi_def_cfa %rsp, 8
	retq
.Ltmp9:
.Lfunc_end0:
	.size	f, .Lfunc_end0-f
	.cfi_endproc
                                        # -- End function
	.globl	nk                              # -- Begin function nk
	.p2align	4, 0x90
	.type	nk,@function
nk:                                     # @nk
.Lfunc_begin1:
	.loc	0 11 0                          # t.c:11:0
	.cfi_startproc
# %bb.0:
	.loc	0 11 40 prologue_end            # t.c:11:40
	#APP
	retq
	#NO_APP
.Lfunc_end1:
	.size	nk, .Lfunc_end1-nk
	.cfi_endproc
	.section	".note.GNU-stack","",@progbits
