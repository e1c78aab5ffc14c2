/* tests/runtime/core_progs/crash.c - the core's end-to-end program: a linked list
 * walked (pointer capture), then a write through a wild pointer (Error event). */
#include <stdio.h>
#include <string.h>
struct node { int v; struct node *next; };
static int walk(struct node *n)
{
    int s = 0;
    while (n) {
        s += n->v;
        n = n->next;
    }
    return s;
}
static void boom(int *p)
{
    *p = 42;
}
int main(void)
{
    struct node c = {3, NULL}, b = {2, &c}, a = {1, &b};
    c.next = &a;   /* a cycle, for the capture */
    c.next = NULL;
    printf("%d\n", walk(&a));
    boom((int *)16);
    return 0;
}
