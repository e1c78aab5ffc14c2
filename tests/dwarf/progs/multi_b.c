/*
 * tests/dwarf/progs/multi_b.c - second CU of the cross-CU type test (see
 * multi_a.c): its `struct node` differs from multi_a.c's; it defines the
 * `struct opaque` that multi_a.c only declares.
 */
#include "multi.h"

typedef double my_t;

struct node {
    double weight;
    struct node *left, *right;
};

struct opaque { int secret; long more; };

int b_func(struct same *s)
{
    struct opaque o = { 1, 2 };
    struct node n = { 1.0, 0, 0 };
    my_t w = n.weight;
    return s->y + (int)w + o.secret;
}
