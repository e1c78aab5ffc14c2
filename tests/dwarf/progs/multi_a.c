/*
 * tests/dwarf/progs/multi_a.c - first CU of the cross-CU type test. It and
 * multi_b.c both define `struct node` (different layouts: two types, two
 * names), `struct same` (identical layouts: one type) and `my_t` (different
 * typedefs: two names). `struct opaque` is only declared here, defined in
 * multi_b.c: the tables must show its layout through this CU's typedef.
 */
#include "multi.h"

struct node { int v; struct node *next; };
typedef int my_t;
typedef struct opaque opaque_t;

int a_func(struct node *n, struct same *s)
{
    opaque_t *op = 0;
    my_t k = n ? n->v : 0;
    struct node local = { k, n };
    return local.v + (s ? s->x : 0) + (op != 0);
}

int main(void)
{
    struct node n = { 1, 0 };
    struct same s = { 2, 3 };
    return a_func(&n, &s) + b_func(&s) - 4 + twice(0);
}
