/* atexit.c - atexit handlers that call traced code and print; main returns 4. */
#include <stdio.h>
#include <stdlib.h>

static int add(int a, int b) { return a + b; }

static void first_registered(void)
{
    printf("handler one: %d\n", add(1, 2));
}

static void second_registered(void)
{
    printf("handler two: %d\n", add(3, 4));
}

int main(void)
{
    atexit(first_registered);
    atexit(second_registered);
    printf("main returns\n");
    return 4;
}
