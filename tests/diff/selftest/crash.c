/* tests/diff/selftest/crash.c - a program that dies of SIGSEGV at line 9: gdb_steps.py must
 * show that line once and stop (selftest.sh holds the expected listing). */
#include <stddef.h>

int main(void)
{
    int *p = NULL;
    int a = 1;
    a = *p;
    return a;
}
