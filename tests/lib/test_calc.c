/*
 * tests/lib/test_calc.c - the sample interpreter rtrace-calc records
 * examples/fib.calc correctly.
 *
 * Expected facts are worked out by hand from the script, not taken from a
 * run: the printed lines fib(0..9) and their sum 88; fib is called
 * 1+1+3+5+9+15+25+41+67+109 = 276 times; every Return carries fib(n) of its
 * Call's argument; every Call of fib is preceded by a Value of n and a Step
 * at the def line 2 (upstream's register_call order); a Return is followed
 * by a Step (the caller resuming); Values only name declared variables. Paths: RTRACE_CALC (the binary) and CALC_EXAMPLE.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib_tests.h"

static const char *calc_bin(void)
{
    const char *b = getenv("RTRACE_CALC");
    return b && *b ? b : "build/bin/rtrace-calc";
}

static const char *calc_example(void)
{
    const char *e = getenv("CALC_EXAMPLE");
    return e && *e ? e : "samples/calc/examples/fib.calc";
}

/* Runs rtrace-calc -o dir script, stdout to out_file, stderr to err_file; returns the exit status. */
static int run_calc(const char *dir, const char *script, const char *out_file, const char *err_file)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' -o '%s' '%s' >'%s' 2>'%s'", calc_bin(), dir, script, out_file, err_file);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int64_t fib(int64_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static const char *event_name(const cJSON *ev)
{
    if (cJSON_IsString(ev))
        return ev->valuestring;
    return ev && ev->child ? ev->child->string : "";
}

static void test_calc__fib_example_trace(void)
{
    char *tmp = make_tmpdir();
    CU_ASSERT_FATAL(tmp != NULL);
    char dir[256], out[256], err[256], path[8192], script[4096];
    snprintf(dir, sizeof dir, "%s/fib.trace", tmp);
    snprintf(out, sizeof out, "%s/stdout", tmp);
    snprintf(err, sizeof err, "%s/stderr", tmp);
    CU_ASSERT_FATAL(realpath(calc_example(), script) != NULL);
    CU_ASSERT_EQUAL_FATAL(run_calc(dir, script, out, err), 0);

    const char *want_out =
        "fib 0 = 0\nfib 1 = 1\nfib 2 = 1\nfib 3 = 2\nfib 4 = 3\n"
        "fib 5 = 5\nfib 6 = 8\nfib 7 = 13\nfib 8 = 21\nfib 9 = 34\nsum 88\n";
    char *got_out = read_whole(out, NULL);
    CU_ASSERT(got_out && strcmp(got_out, want_out) == 0);
    free(got_out);

    snprintf(path, sizeof path, "%s/trace.json", dir);
    char *text = read_whole(path, NULL);
    CU_ASSERT_FATAL(text != NULL);
    cJSON *tr = cJSON_Parse(text);
    CU_ASSERT_FATAL(cJSON_IsArray(tr));

    /* The start sequence. */
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(tr, 0), "Path")), script);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetArrayItem(tr, 1), "Function"), "name")), "<toplevel>");
    CU_ASSERT_STRING_EQUAL(event_name(cJSON_GetArrayItem(tr, 2)), "Call");
    CU_ASSERT_STRING_EQUAL(event_name(cJSON_GetArrayItem(tr, 3)), "Type");

    int nvars = 0, calls = 0, returns = 0, steps_on_while = 0;
    int64_t stack[64];
    int sp = 0;
    char printed[1024] = "";
    const char *prev = "";
    int n = cJSON_GetArraySize(tr);
    for (int i = 0; i < n; i++) {
        const cJSON *ev = cJSON_GetArrayItem(tr, i);
        const char *name = event_name(ev);
        const cJSON *p = ev->child;
        /* The caller resumes with a Step: nothing but a Step right after a Return
         * (a Value there would attach to the callee's last step). */
        if (!strcmp(prev, "Return") && i + 1 < n)
            CU_ASSERT_STRING_EQUAL(name, "Step");
        prev = name;
        if (!strcmp(name, "VariableName")) {
            nvars++;
        } else if (!strcmp(name, "Value")) {
            CU_ASSERT(cJSON_GetObjectItem(p, "variable_id")->valueint < nvars);
            CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "value"), "kind")), "Int");
        } else if (!strcmp(name, "Step")) {
            int line = cJSON_GetObjectItem(p, "line")->valueint;
            CU_ASSERT(line >= 1 && line <= 17);
            if (line == 11 && sp == 0)   /* "while i < 10" */
                steps_on_while++;
        } else if (!strcmp(name, "Call") && cJSON_GetObjectItem(p, "function_id")->valueint == 1) {
            calls++;
            const cJSON *arg = cJSON_GetArrayItem(cJSON_GetObjectItem(p, "args"), 0);
            int64_t nval = (int64_t)cJSON_GetObjectItem(cJSON_GetObjectItem(arg, "value"), "i")->valuedouble;
            /* register_call order: Value n, Step at "def fib" (line 2), Call. */
            const cJSON *step = cJSON_GetObjectItem(cJSON_GetArrayItem(tr, i - 1), "Step");
            const cJSON *val = cJSON_GetObjectItem(cJSON_GetArrayItem(tr, i - 2), "Value");
            CU_ASSERT(step && cJSON_GetObjectItem(step, "line")->valueint == 2);
            CU_ASSERT(val && cJSON_GetObjectItem(cJSON_GetObjectItem(val, "value"), "i")->valuedouble == (double)nval);
            if (sp < 64)
                stack[sp++] = nval;
        } else if (!strcmp(name, "Return")) {
            returns++;
            CU_ASSERT_FATAL(sp > 0);
            int64_t arg = stack[--sp];
            CU_ASSERT(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "return_value"), "i")->valuedouble == (double)fib(arg));
        } else if (!strcmp(name, "Event")) {
            CU_ASSERT_EQUAL(cJSON_GetObjectItem(p, "kind")->valueint, 0);
            strncat(printed, cJSON_GetStringValue(cJSON_GetObjectItem(p, "content")), sizeof printed - strlen(printed) - 1);
        }
    }
    CU_ASSERT_EQUAL(calls, 276);
    CU_ASSERT_EQUAL(returns, 276);
    CU_ASSERT_EQUAL(sp, 0);
    CU_ASSERT_EQUAL(steps_on_while, 11);
    CU_ASSERT_STRING_EQUAL(printed, want_out);
    CU_ASSERT_EQUAL(nvars, 4);   /* i, total, n, f: in order of first use */
    cJSON_Delete(tr);
    free(text);

    snprintf(path, sizeof path, "%s/trace_paths.json", dir);
    text = read_whole(path, NULL);
    tr = cJSON_Parse(text);
    CU_ASSERT(cJSON_GetArraySize(tr) == 1 && !strcmp(cJSON_GetStringValue(cJSON_GetArrayItem(tr, 0)), script));
    cJSON_Delete(tr);
    free(text);
    snprintf(path, sizeof path, "%s/files%s", dir, script);
    char *copy = read_whole(path, NULL), *orig = read_whole(script, NULL);
    CU_ASSERT(copy && orig && strcmp(copy, orig) == 0);
    free(copy);
    free(orig);
    snprintf(path, sizeof path, "%s/trace_metadata.json", dir);
    text = read_whole(path, NULL);
    tr = cJSON_Parse(text);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(tr, "program")), script);
    cJSON_Delete(tr);
    free(text);
    remove_tree(tmp);
}

static void test_calc__runtime_error_ends_with_error_event(void)
{
    char *tmp = make_tmpdir();
    CU_ASSERT_FATAL(tmp != NULL);
    char dir[256], out[256], err[256], script[256], path[512];
    snprintf(dir, sizeof dir, "%s/e.trace", tmp);
    snprintf(out, sizeof out, "%s/stdout", tmp);
    snprintf(err, sizeof err, "%s/stderr", tmp);
    snprintf(script, sizeof script, "%s/div.calc", tmp);
    FILE *f = fopen(script, "w");
    fputs("def inv(x)\n  return 100 / x\nend\nprint inv(4)\nprint inv(0)\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(run_calc(dir, script, out, err), 1);
    char *e = read_whole(err, NULL);
    CU_ASSERT(e && strstr(e, "line 2: division by zero") != NULL);
    free(e);
    snprintf(path, sizeof path, "%s/trace.json", dir);
    char *text = read_whole(path, NULL);
    cJSON *tr = cJSON_Parse(text);
    CU_ASSERT_FATAL(cJSON_IsArray(tr));
    const cJSON *last = cJSON_GetObjectItem(cJSON_GetArrayItem(tr, cJSON_GetArraySize(tr) - 1), "Event");
    CU_ASSERT(last && cJSON_GetObjectItem(last, "kind")->valueint == 11);
    CU_ASSERT(last && strstr(cJSON_GetStringValue(cJSON_GetObjectItem(last, "content")), "division by zero"));
    cJSON_Delete(tr);
    free(text);

    /* A syntax error: exit 2, message naming the line, no crash. */
    f = fopen(script, "w");
    fputs("x = 1\nwhile x <\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(run_calc(dir, script, out, err), 2);
    e = read_whole(err, NULL);
    CU_ASSERT(e && strstr(e, "line 2: expected a value") != NULL);
    free(e);
    remove_tree(tmp);
}

void register_calc_suite(void)
{
    CU_pSuite s = CU_add_suite("calc", NULL, NULL);
    CU_add_test(s, "calc__fib_example_trace", test_calc__fib_example_trace);
    CU_add_test(s, "calc__runtime_error_ends_with_error_event", test_calc__runtime_error_ends_with_error_event);
}
