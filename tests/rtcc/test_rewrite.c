/*
 * tests/rtcc/test_rewrite.c - CUnit tests of the assembly rewriter
 * (cc-wrapper/rewrite.c) on small hand-made .s inputs in tests/rtcc/inputs/
 * shaped like gcc 12 and clang 14 output.
 *
 * Each test rewrites one input and reduces the output to a "probe summary":
 * for every probe, in order, its kind (L line, R return), "w" when it is
 * wrapped in .cfi_adjust_cfa_offset, and the instruction that follows it
 * (blanks collapsed), e.g. "L:movl $0, -4(%rbp)|Rw:ret".  The expected
 * summaries were derived by hand from the inputs (see the comments there and
 * the rules at the top of rewrite.c), not copied from the rewriter's output.
 *
 * Usage: test_rewrite [inputs-dir]   (default tests/rtcc/inputs)
 */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cc-wrapper/rewrite.h"

static const char *inputs_dir = "tests/rtcc/inputs";

/* Reads inputs/<name> (fails the test when missing). */
static char *read_input(const char *name, size_t *len)
{
    char path[1024];
    FILE *f;
    char *buf;
    long n;
    snprintf(path, sizeof path, "%s/%s", inputs_dir, name);
    f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* The flags of the rewrites below (tests of the basic placement rules probe
 * every is_stmt group; the same-line tests use the default, 0). */
static unsigned rw_flags = RTCC_RW_ALL_ROWS;

/* Rewrites a buffer; returns the output text (malloc'ed). */
static char *rewrite_text(const char *src, size_t len, rtcc_rewrite_stats *st)
{
    char *out = NULL;
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    int rc;
    if (!f)
        return NULL;
    rc = rtcc_rewrite_buf(src, len, f, rw_flags, st);
    fclose(f);
    if (rc != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* Rewrites inputs/<name>. */
static char *rewrite_input(const char *name, rtcc_rewrite_stats *st)
{
    size_t len = 0;
    char *src = read_input(name, &len);
    char *out;
    if (!src)
        return NULL;
    out = rewrite_text(src, len, st);
    free(src);
    return out;
}

/* Splits text into lines (in place); returns a NULL-terminated array. */
static char **lines_of(char *text, int *count)
{
    int n = 0, cap = 64;
    char **v = malloc(sizeof *v * (size_t)cap);
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (n + 2 > cap) {
            cap *= 2;
            v = realloc(v, sizeof *v * (size_t)cap);
        }
        v[n++] = l;
    }
    v[n] = NULL;
    *count = n;
    return v;
}

/* Trims, drops a trailing # comment, collapses blanks. */
static void normalize(const char *in, char *out, size_t size)
{
    size_t n = 0;
    int blank = 0;
    while (*in == ' ' || *in == '\t')
        in++;
    for (; *in && *in != '#' && n + 1 < size; in++) {
        if (*in == ' ' || *in == '\t') {
            blank = 1;
            continue;
        }
        if (blank && n > 0 && n + 2 < size)
            out[n++] = ' ';
        blank = 0;
        out[n++] = *in;
    }
    out[n] = 0;
}

/* Is this normalized line part of a probe sequence or its record? */
static int probe_line(const char *s)
{
    return strncmp(s, ".Lrtp_", 6) == 0 || strcmp(s, "leaq -128(%rsp), %rsp") == 0 ||
           strcmp(s, "leaq 128(%rsp), %rsp") == 0 || strncmp(s, "call __rt_", 10) == 0 ||
           strncmp(s, ".cfi_adjust_cfa_offset", 22) == 0;
}

/* Is this normalized line an instruction (not label, directive, comment)? */
static int insn_line(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || s[0] == '.' || (n > 0 && s[n - 1] == ':'))
        return 0;
    return !probe_line(s);
}

/* The probe summary of a rewritten text (see the header comment). */
static char *summary(const char *text)
{
    char *copy = strdup(text);
    int n;
    char **l = lines_of(copy, &n);
    static char out[8192];
    size_t len = 0;
    out[0] = 0;
    for (int i = 0; i < n; i++) {
        char s[512];
        int ret, wrap;
        normalize(l[i], s, sizeof s);
        if (strncmp(s, "call __rt_line_probe", 20) != 0 && strncmp(s, "call __rt_ret_probe", 19) != 0)
            continue;
        ret = strstr(s, "ret_probe") != NULL;
        {
            char prev[512];
            normalize(l[i - 1], prev, sizeof prev);
            wrap = strcmp(prev, ".cfi_adjust_cfa_offset 128") == 0;
        }
        for (int j = i + 1; j < n; j++) {
            char t[512];
            normalize(l[j], t, sizeof t);
            if (strcmp(t, ".pushsection .rtrace_probes,\"aR\",@progbits") == 0) {
                while (j < n && strstr(l[j], ".popsection") == NULL)
                    j++;
                continue;
            }
            if (insn_line(t)) {
                len += (size_t)snprintf(out + len, sizeof out - len, "%s%s%s:%s",
                                        len ? "|" : "", ret ? "R" : "L", wrap ? "w" : "", t);
                break;
            }
        }
    }
    free(l);
    free(copy);
    return out;
}

/* Removes what the rewriter inserts; what is left must be the input. */
static char *strip_probes(const char *text)
{
    char *copy = strdup(text);
    char *out = malloc(strlen(text) + 2);
    size_t len = 0;
    int n, in_record = 0, in_probe_tail = 0;
    char **l = lines_of(copy, &n);
    for (int i = 0; i < n; i++) {
        char s[512];
        normalize(l[i], s, sizeof s);
        if (strcmp(s, ".pushsection .rtrace_probes,\"aR\",@progbits") == 0) {
            in_record = 1;
            continue;
        }
        if (in_record) {
            if (strcmp(s, ".popsection") == 0) {
                in_record = 0;
                in_probe_tail = 1;
            }
            continue;
        }
        if (probe_line(s) || strncmp(s, ".hidden __rt_", 13) == 0)
            continue;
        /* the syntax switches around a probe in .intel_syntax files */
        if (strcmp(s, ".att_syntax prefix") == 0 && l[i + 1] && strncmp(l[i + 1], ".Lrtp_", 6) == 0)
            continue;
        if (strcmp(s, ".intel_syntax noprefix") == 0 && i > 0 && strstr(l[i - 1], ".popsection") &&
            in_probe_tail)
            continue;
        in_probe_tail = 0;
        len += (size_t)sprintf(out + len, "%s\n", l[i]);
    }
    out[len] = 0;
    free(l);
    free(copy);
    return out;
}

/* Input with the blank lines removed (strtok_r drops them in both). */
static char *squeeze(const char *name)
{
    size_t len;
    char *src = read_input(name, &len);
    char *copy, *out;
    int n;
    char **l;
    size_t o = 0;
    if (!src)
        return NULL;
    copy = strdup(src);
    out = malloc(len + 2);
    l = lines_of(copy, &n);
    for (int i = 0; i < n; i++)
        o += (size_t)sprintf(out + o, "%s\n", l[i]);
    out[o] = 0;
    free(l);
    free(copy);
    free(src);
    return out;
}

/* Checks the summary of one input, and that only probes were added. */
static void check_input(const char *name, const char *expected, rtcc_rewrite_stats *st)
{
    char *out = rewrite_input(name, st);
    char *orig, *stripped;
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_STRING_EQUAL(summary(out), expected);
    if (strcmp(summary(out), expected) != 0)
        fprintf(stderr, "\n%s:\n  got      %s\n  expected %s\n", name, summary(out), expected);
    orig = squeeze(name);
    stripped = strip_probes(out);
    CU_ASSERT_PTR_NOT_NULL(orig);
    if (orig)
        CU_ASSERT_STRING_EQUAL(stripped, orig);
    free(orig);
    free(stripped);
    free(out);
}

static void test_rewrite__gcc_probe_after_loc_group_and_before_ret(void)
{
    rtcc_rewrite_stats st;
    check_input("gcc_basic.s",
                "L:movl -4(%rbp), %edx|L:popq %rbp|Rw:ret|"
                "L:movl g(%rip), %eax|L:popq %rbp|Rw:ret", &st);
    CU_ASSERT_EQUAL(st.functions, 2);
    CU_ASSERT_EQUAL(st.line_probes, 4);
    CU_ASSERT_EQUAL(st.ret_probes, 2);
    CU_ASSERT_EQUAL(st.wrapped, 2);
}

static void test_rewrite__probe_goes_after_label_between_loc_and_insn(void)
{
    char *out = rewrite_input("gcc_basic.s", NULL);
    char *l3, *probe;
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    l3 = strstr(out, "\n.L3:\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(l3);
    probe = strstr(l3, "call\t__rt_line_probe");
    /* the next probe after .L3 is the one of `.loc 1 6 1`, right after it */
    CU_ASSERT_PTR_NOT_NULL_FATAL(probe);
    CU_ASSERT_PTR_NULL(memmem(l3, (size_t)(probe - l3), "popq", 4));
    CU_ASSERT(strncmp(l3, "\n.L3:\n.Lrtp_", 12) == 0);
    free(out);
}

static void test_rewrite__gcc_inline_asm_and_naked_function(void)
{
    rtcc_rewrite_stats st;
    check_input("gcc_asm.s",
                "L:movl $0, -4(%rbp)|L:nop|L:cmpl $1, %eax|L:setg %al|L:popq %rbp|Rw:ret|"
                "L:nop|L:popq %rbp|Rw:ret", &st);
    CU_ASSERT_EQUAL(st.functions, 3);
    CU_ASSERT_EQUAL(st.naked, 1);
    CU_ASSERT_EQUAL(st.instrumented, 2);
}

static void test_rewrite__no_probe_inside_user_asm_text(void)
{
    char *out = rewrite_input("gcc_asm.s", NULL);
    char *user, *end;
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    /* the text between `# 7 "t.c" 1` and its `# 0 "" 2` is the user's, as is */
    user = strstr(out, "# 7 \"t.c\" 1\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(user);
    end = strstr(user, "# 0 \"\" 2\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(end);
    CU_ASSERT_EQUAL((size_t)(end - user), strlen("# 7 \"t.c\" 1\n\tcmpl $1, %eax\n\tret\n"));
    free(out);
}

static void test_rewrite__clang_is_stmt_carries_over_and_prologue_end(void)
{
    rtcc_rewrite_stats st;
    check_input("clang_basic.s",
                "L:movl $0, -8(%rbp)|L:movl -12(%rbp), %edi|L:addl %eax, -8(%rbp)|"
                "L:nop|L:movl -8(%rbp), %eax|Rw:retq", &st);
    CU_ASSERT_EQUAL(st.functions, 2);
    CU_ASSERT_EQUAL(st.naked, 1);
}

static void test_rewrite__sections_only_code_gets_probes(void)
{
    rtcc_rewrite_stats st;
    char *out;
    check_input("sections.s", "L:cmpl $1, %edi|L:movl $1, %eax|L:popq %rbp|Rw:ret", &st);
    CU_ASSERT_EQUAL(st.functions, 1);
    /* the probe of `.loc 1 5 5` comes after the .popsection, back in code */
    out = rewrite_input("sections.s", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    {
        char *pop = strstr(out, "\t.long 7\n\t.popsection\n");
        CU_ASSERT_PTR_NOT_NULL(pop);
        if (pop)
            CU_ASSERT(strncmp(pop + strlen("\t.long 7\n\t.popsection\n"), ".Lrtp_", 6) == 0);
    }
    free(out);
}

static void test_rewrite__cfa_from_rsp_wraps_probe_and_restore_state(void)
{
    rtcc_rewrite_stats st;
    check_input("cfi_states.s",
                "L:testl %edi, %edi|L:movl $1, %eax|Rw:ret|L:movl $0, %eax|Rw:rep ret|"
                "Lw:leal 1(%rdi), %eax|Lw:ret|Rw:ret|L:nop|R:ret", &st);
    CU_ASSERT_EQUAL(st.wrapped, 5);
}

static void test_rewrite__intel_syntax_probes_switch_to_att_and_back(void)
{
    rtcc_rewrite_stats st;
    char *out;
    int att = 0, intel = 0;
    check_input("gcc_intel.s",
                "L:mov eax, DWORD PTR -20[rbp]|L:mov eax, DWORD PTR -4[rbp]|L:pop rbp|Rw:ret", &st);
    out = rewrite_input("gcc_intel.s", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    for (char *p = out; (p = strstr(p, "\t.att_syntax prefix\n.Lrtp_")) != NULL; p++)
        att++;
    for (char *p = out; (p = strstr(p, "\t.popsection\n\t.intel_syntax noprefix\n")) != NULL; p++)
        intel++;
    CU_ASSERT_EQUAL(att, 4);
    CU_ASSERT_EQUAL(intel, 4);
    free(out);
}

static void test_rewrite__clang_mixed_md5_file_rows_lose_md5(void)
{
    const char *mixed = "\t.file\t0 \"/w\" \"d/x.c\" md5 0x1ebd9d7c1193b6add3f053e738a64818\n"
                        "\t.file\t1 \"d\" \"x.h\" md5 0x32262e20e9e88493239b6a03105424fc\n"
                        "\t.file\t3 \"d\" \"x.c\"\n";
    const char *same = "\t.file\t\"x.c\"\n"
                       "\t.file\t0 \"/w\" \"x.c\" md5 0x1ebd9d7c1193b6add3f053e738a64818\n"
                       "\t.file\t1 \"/usr/include\" \"stdio.h\" md5 0xb5a90985555f47bfb88eff5a8f0f5b72\n";
    char *out = rewrite_text(mixed, strlen(mixed), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT(strncmp(out, "\t.file\t0 \"/w\" \"d/x.c\"\n\t.file\t1 \"d\" \"x.h\"\n\t.file\t3 \"d\" \"x.c\"\n",
                      strlen(mixed) - 2 * strlen(" md5 0x1ebd9d7c1193b6add3f053e738a64818")) == 0);
    CU_ASSERT_PTR_NULL(strstr(out, "md5"));
    free(out);
    /* all rows with md5 (the unnumbered .file does not count): kept */
    out = rewrite_text(same, strlen(same), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT(strncmp(out, same, strlen(same)) == 0);
    free(out);
}

static void test_rewrite__same_line_fallthrough_row_gets_no_probe(void)
{
    rtcc_rewrite_stats st;
    rw_flags = 0;
    check_input("same_line.s",
                "L:movl $0, -4(%rbp)|L:movl $0, -8(%rbp)|L:movl -8(%rbp), %eax|"
                "L:addl %eax, -4(%rbp)|L:addl $1, -8(%rbp)|L:cmpl $9, -8(%rbp)|"
                "L:movl -4(%rbp), %eax|L:popq %rbp|Rw:ret|"
                "L:nop|L:nop|L:popq %rbp|L:ret|R:ret", &st);
    CU_ASSERT_EQUAL(st.skipped_same_line, 3);
    rw_flags = RTCC_RW_ALL_ROWS;
}

static void test_rewrite__all_rows_flag_probes_fallthrough_rows_too(void)
{
    rtcc_rewrite_stats st;
    check_input("same_line.s",
                "L:movl $0, -4(%rbp)|L:movl $0, -8(%rbp)|L:jmp .L2|L:movl -8(%rbp), %eax|"
                "L:addl %eax, -4(%rbp)|L:addl $1, -8(%rbp)|L:cmpl $9, -8(%rbp)|"
                "L:movl -4(%rbp), %eax|L:addl $1, %eax|L:popq %rbp|Rw:ret|"
                "L:nop|L:nop|L:movl $1, %eax|L:popq %rbp|L:ret|R:ret", &st);
    CU_ASSERT_EQUAL(st.skipped_same_line, 0);
}

/* Jump targets with no probe-worthy group of their own get a line probe
 * (mid-row: the runtime takes the row's line, as gdb does when a jump lands
 * inside a row); see the comment at the top of mid_row.s. */
static void test_rewrite__mid_row_jump_target_gets_line_probe(void)
{
    static const char *const want =
        "L:movl -4(%rbp), %eax|L:movl -4(%rbp), %eax|L:movl -4(%rbp), %eax|"
        "L:movl -20(%rbp), %eax|L:movl -16(%rbp), %eax|L:popq %rbp|Rw:retq|"
        "L:movl -4(%rbp), %eax|L:callq clamp|L:addl $1, -4(%rbp)|L:nop|L:popq %rbp|Rw:retq";
    rtcc_rewrite_stats st;
    char *out;
    for (int pass = 0; pass < 2; pass++) {      /* default flags, then all rows */
        rw_flags = pass ? RTCC_RW_ALL_ROWS : 0;
        check_input("mid_row.s", want, &st);
        CU_ASSERT_EQUAL(st.functions, 2);
        CU_ASSERT_EQUAL(st.line_probes, 11);
        CU_ASSERT_EQUAL(st.ret_probes, 2);
        CU_ASSERT_EQUAL(st.mid_row_probes, 4);
        CU_ASSERT_EQUAL(st.skipped_same_line, 0);
    }
    rw_flags = RTCC_RW_ALL_ROWS;
    out = rewrite_input("mid_row.s", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    /* after the label and its .loc lines, before the instruction (the probe
     * starts the line-0 row, as the instruction did) */
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n.LBB1_5:\n\t.loc\t0 0 12 is_stmt 0\n.Lrtp_"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n.LBB1_6:\n.Lrtp_"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n.LBB2_1:\n.Lrtp_"));
    /* one probe at .LBB2_2 (its group's), before #APP at .LBB2_3, none in the asm text */
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n.LBB2_2:\n.Lrtp_"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\t.popsection\n\taddl\t$1, -4(%rbp)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\t.popsection\n\t#APP\n.Luser:\n\tnop\n\tjmp\t.Luser\n\t#NO_APP\n"));
    /* no probe at labels used only as data, at the entry, before data, in the prologue */
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n.Ltmp12:\n\tmovl\t%eax, -16(%rbp)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n.Ltmp13:\n\tmovl\t%eax, -20(%rbp)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nclamp:                                  # @clamp\n.Lfunc_begin1:\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n.Ltab:\n\t.long\t0x90909090\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n.LBB2_9:\n\tmovq\t%r9, -184(%rbp)\n"));   /* prologue */
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n.LBB2_4:\n.Lrtp_"));   /* the return probe only */
    free(out);
}

/* The basic inputs under the default flags: only same-line rows go. */
static void test_rewrite__default_flags_on_gcc_basic(void)
{
    rtcc_rewrite_stats st;
    rw_flags = 0;
    /* add() is one line: its closing-brace row (2:46) falls through from 2:41 */
    check_input("gcc_basic.s",
                "L:movl -4(%rbp), %edx|Rw:ret|"
                "L:movl g(%rip), %eax|L:popq %rbp|Rw:ret", &st);
    CU_ASSERT_EQUAL(st.skipped_same_line, 1);
    rw_flags = RTCC_RW_ALL_ROWS;
}

static void test_rewrite__ymm_function_calls_avx_trampolines(void)
{
    rtcc_rewrite_stats st;
    char *out, *scalar;
    check_input("avx.s",
                "L:vmovaps -64(%rbp), %ymm0|L:vmovaps %ymm0, -32(%rbp)|L:popq %rbp|Rw:ret|"
                "L:movss -4(%rbp), %xmm0|L:popq %rbp|Rw:ret", &st);
    CU_ASSERT_EQUAL(st.avx_probes, 4);
    out = rewrite_input("avx.s", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    scalar = strstr(out, "\nscalar:\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(scalar);
    /* vec's probes (before `scalar:`) are all _avx, scalar's none */
    {
        int avx_before = 0, plain_before = 0;
        for (char *p = out; (p = strstr(p, "\tcall\t__rt_")) != NULL && p < scalar; p++) {
            if (strncmp(p, "\tcall\t__rt_line_probe_avx\n", 26) == 0 ||
                strncmp(p, "\tcall\t__rt_ret_probe_avx\n", 25) == 0)
                avx_before++;
            else
                plain_before++;
        }
        CU_ASSERT_EQUAL(avx_before, 4);
        CU_ASSERT_EQUAL(plain_before, 0);
    }
    CU_ASSERT_PTR_NULL(strstr(scalar, "_avx\n\t.L"));
    CU_ASSERT_PTR_NULL(strstr(scalar, "call\t__rt_line_probe_avx"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\t.hidden\t__rt_line_probe_avx\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\t.hidden\t__rt_line_probe\n"));
    free(out);
}

static void test_rewrite__function_without_enter_hook_gets_no_probes(void)
{
    rtcc_rewrite_stats st;
    rw_flags = RTCC_RW_ALL_ROWS | RTCC_RW_HOOKED_ONLY;
    check_input("hooked.s",
                "L:movl $1, %eax|L:popq %rbp|Rw:ret|Lw:movl $3, %eax|Rw:ret", &st);
    CU_ASSERT_EQUAL(st.functions, 3);
    CU_ASSERT_EQUAL(st.excluded, 1);
    CU_ASSERT_EQUAL(st.instrumented, 2);
    /* without the flag (input not from -finstrument-functions): all probed */
    rw_flags = RTCC_RW_ALL_ROWS;
    check_input("hooked.s",
                "L:movl $1, %eax|L:popq %rbp|Rw:ret|L:movl $2, %eax|L:popq %rbp|Rw:ret|"
                "Lw:movl $3, %eax|Rw:ret", &st);
    CU_ASSERT_EQUAL(st.excluded, 0);
}

/* gcc -finstrument-functions: the exit hook's lines between a call and the closing line's row;
 * the row and its probe move up to the call's return address (gdb stops there). */
static const char k_exit_hook_src[] =
    "\t.text\n\t.type\tchain, @function\nchain:\n\t.loc 1 14 25\n\tpushq\t%rbp\n"
    "\tmovq\t%rsp, %rbp\n\tcall\t__cyg_profile_func_enter@PLT\n\t.loc 1 14 34\n"
    "\tmovl\t-20(%rbp), %eax\n\tcall\tf\n"
    "\tmovl\t%eax, %ebx\n\tmovq\t8(%rbp), %rax\n\tmovq\t%rax, %rsi\n"
    "\tleaq\tchain(%rip), %rax\n\tmovq\t%rax, %rdi\n\tcall\t__cyg_profile_func_exit@PLT\n"
    "\tmovl\t%ebx, %eax\n\t.loc 1 14 49\n\tmovq\t-8(%rbp), %rbx\n\tleave\n\tret\n"
    "\t.size\tchain, .-chain\n";

static void test_rewrite__gcc_exit_hook_after_call_goes_after_the_next_row(void)
{
    rw_flags = 0;
    char *out = rewrite_text(k_exit_hook_src, sizeof k_exit_hook_src - 1, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    const char *call = strstr(out, "\tcall\tf\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(call);
    /* right after the call: the row, then its probe, then the hook's lines unchanged */
    CU_ASSERT(strncmp(call, "\tcall\tf\n\t.loc 1 14 49\n.Lrtp_", 28) == 0);
    const char *hook = strstr(call, "__cyg_profile_func_exit");
    const char *probe = strstr(call, "__rt_line_probe");
    CU_ASSERT(hook && probe && probe < hook);
    CU_ASSERT_PTR_NOT_NULL(strstr(call, "\tmovl\t%eax, %ebx\n\tmovq\t8(%rbp), %rax\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(hook, "\n\tmovl\t%ebx, %eax\n\tmovq\t-8(%rbp), %rbx\n"));
    free(out);
    /* without the hook between them, code after a call stays before the row */
    static const char plain[] =
        "\t.text\n\t.type\tg, @function\ng:\n\t.loc 1 3 1\n\tpushq\t%rbp\n"
        "\t.loc 1 4 3\n\tcall\tf\n\tmovl\t%eax, -4(%rbp)\n\t.loc 1 4 9\n\tleave\n\tret\n"
        "\t.size\tg, .-g\n";
    out = rewrite_text(plain, sizeof plain - 1, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\tcall\tf\n\tmovl\t%eax, -4(%rbp)\n\t.loc 1 4 9\n"));
    free(out);
    /* the statement's own stores after the call (`p->cur = next_token(p);`, a struct returned
     * in rax:rdx) stay before the row: only the hook's lines go after it */
    static const char stores[] =
        "\t.text\n\t.type\tadv, @function\nadv:\n\t.loc 1 58 1\n\tpushq\t%rbp\n"
        "\tmovq\t%rsp, %rbp\n\tcall\t__cyg_profile_func_enter@PLT\n\t.loc 1 59 14\n"
        "\tcall\tnext_token\n\tmovl\t%eax, %ecx\n\tmovq\t%rdx, %rax\n\tmovl\t%ecx, 16(%rbx)\n"
        "\tmovq\t%rax, 24(%rbx)\n\tmovq\t8(%rbp), %rax\n\tmovq\t%rax, %rsi\n"
        "\tleaq\tadv(%rip), %rax\n\tmovq\t%rax, %rdi\n\tcall\t__cyg_profile_func_exit@PLT\n"
        "\t.loc 1 60 1\n\tnop\n\tleave\n\tret\n\t.size\tadv, .-adv\n";
    out = rewrite_text(stores, sizeof stores - 1, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\tmovq\t%rax, 24(%rbx)\n\t.loc 1 60 1\n.Lrtp_"));
    CU_ASSERT(strstr(out, "__rt_line_probe") < strstr(out, "__cyg_profile_func_exit"));
    free(out);
    /* a label at the return address (a block ending with the call, jumped over) stays before
     * the moved row, so that the jump runs the probe too */
    static const char label[] =
        "\t.text\n\t.type\tqs, @function\nqs:\n\t.loc 1 48 1\n\tpushq\t%rbp\n"
        "\tmovq\t%rsp, %rbp\n\tcall\t__cyg_profile_func_enter@PLT\n\t.loc 1 51 8\n"
        "\tcmpl\t$0, %eax\n\tjle\t.L23\n\t.loc 1 59 9\n\tcall\tqs\n.L23:\n.LBE4:\n"
        "\tmovq\t8(%rbp), %rax\n\tmovq\t%rax, %rsi\n\tleaq\tqs(%rip), %rax\n"
        "\tmovq\t%rax, %rdi\n\tcall\t__cyg_profile_func_exit@PLT\n"
        "\t.loc 1 61 1\n\tnop\n\tleave\n\tret\n\t.size\tqs, .-qs\n";
    out = rewrite_text(label, sizeof label - 1, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\tcall\tqs\n.L23:\n.LBE4:\n\t.loc 1 61 1\n.Lrtp_"));
    /* one line probe after the label (the moved row's), no mid-row one */
    const char *l23 = strstr(out, ".L23:\n");
    const char *p1 = l23 ? strstr(l23, "\tcall\t__rt_line_probe") : NULL;
    CU_ASSERT(p1 && !strstr(p1 + 1, "\tcall\t__rt_line_probe"));
    free(out);
    rw_flags = RTCC_RW_ALL_ROWS;
}

static void test_rewrite__records_match_probes(void)
{
    char *out = rewrite_input("cfi_states.s", NULL);
    char want[128];
    int probes = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    for (char *p = out; (p = strstr(p, "\tcall\t__rt_")) != NULL; p++)
        probes++;
    CU_ASSERT_EQUAL(probes, 10);
    for (int i = 0; i < probes; i++) {
        int kind = 0;
        char *rec;
        snprintf(want, sizeof want, "\t.long\t.Lrtp_%d - .\n\t.long\t.Lrtp_%d_pc - .\n\t.long\t", i, i);
        rec = strstr(out, want);
        CU_ASSERT_PTR_NOT_NULL(rec);
        if (!rec)
            continue;
        kind = atoi(rec + strlen(want));
        /* the 3rd, 5th, 8th and 10th probes (0-based 2, 4, 7, 9) are returns */
        CU_ASSERT_EQUAL(kind, (i == 2 || i == 4 || i == 7 || i == 9) ? 2 : 1);
        snprintf(want, sizeof want, ".Lrtp_%d:\n", i);
        CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
        snprintf(want, sizeof want, ".Lrtp_%d_pc:\n", i);
        CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\t.hidden\t__rt_line_probe\n"));
    free(out);
}

static void test_rewrite__data_only_file_gets_only_the_marker_section(void)
{
    const char *src = "\t.data\n\t.type\tf, @function\nf:\n\t.loc 1 2 3\n\t.long 1\n\tret\n"
                      "\t.text\n\t.loc 1 4 1\n\tnop\n\tret\n";
    char *out = rewrite_text(src, strlen(src), NULL);
    char *stripped;
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_PTR_NULL(strstr(out, "call\t__rt_"));
    CU_ASSERT_PTR_NULL(strstr(out, ".hidden"));
    /* only the (empty) marker section is added */
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\t.pushsection\t.rtrace_probes,\"aR\",@progbits\n\t.popsection\n"));
    stripped = strip_probes(out);
    CU_ASSERT_STRING_EQUAL(stripped, src);
    free(stripped);
    free(out);
}

static void test_rewrite__last_line_without_newline_and_empty_input(void)
{
    const char *src = "\t.text\n\t.type\tf, @function\nf:\n\t.loc 1 1 1\n\tpushq %rbp\n"
                      "\t.loc 1 2 1\n\tret";
    char *out = rewrite_text(src, strlen(src), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_STRING_EQUAL(summary(out), "L:ret|R:ret");
    CU_ASSERT(out[strlen(out) - 1] == '\n');
    free(out);
    out = rewrite_text("", 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_STRING_EQUAL(out, "\t.pushsection\t.rtrace_probes,\"aR\",@progbits\n\t.popsection\n");
    free(out);
}

static void test_rewrite__missing_input_file_gives_clear_error(void)
{
    char err[512] = "";
    int rc = rtcc_rewrite_file("/nonexistent/dir/x.s", "/tmp/rtcc-test-never.s", 0, NULL,
                               err, sizeof err);
    CU_ASSERT_EQUAL(rc, -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/dir/x.s"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file"));
}

int main(int argc, char **argv)
{
    CU_pSuite s;
    unsigned fails;
    if (argc > 1)
        inputs_dir = argv[1];
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("rewrite", NULL, NULL);
#define T(f) CU_add_test(s, #f, f)
    T(test_rewrite__gcc_probe_after_loc_group_and_before_ret);
    T(test_rewrite__probe_goes_after_label_between_loc_and_insn);
    T(test_rewrite__gcc_inline_asm_and_naked_function);
    T(test_rewrite__no_probe_inside_user_asm_text);
    T(test_rewrite__clang_is_stmt_carries_over_and_prologue_end);
    T(test_rewrite__sections_only_code_gets_probes);
    T(test_rewrite__cfa_from_rsp_wraps_probe_and_restore_state);
    T(test_rewrite__intel_syntax_probes_switch_to_att_and_back);
    T(test_rewrite__clang_mixed_md5_file_rows_lose_md5);
    T(test_rewrite__same_line_fallthrough_row_gets_no_probe);
    T(test_rewrite__all_rows_flag_probes_fallthrough_rows_too);
    T(test_rewrite__default_flags_on_gcc_basic);
    T(test_rewrite__mid_row_jump_target_gets_line_probe);
    T(test_rewrite__ymm_function_calls_avx_trampolines);
    T(test_rewrite__function_without_enter_hook_gets_no_probes);
    T(test_rewrite__gcc_exit_hook_after_call_goes_after_the_next_row);
    T(test_rewrite__records_match_probes);
    T(test_rewrite__data_only_file_gets_only_the_marker_section);
    T(test_rewrite__last_line_without_newline_and_empty_input);
    T(test_rewrite__missing_input_file_gives_clear_error);
#undef T
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    fails = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return fails ? 1 : 0;
}
