/* exec_target.c - what exec.c runs: prints its argument and exits 6. */
#include <stdio.h>

static int answer(void) { return 6; }

int main(int argc, char **argv)
{
    printf("exec target got %s\n", argc > 1 ? argv[1] : "nothing");
    return answer();
}
