/* samples/lists.c - differential-test sample: a struct pointing to itself (linked list, a
 * small tree), a struct holding an array of structs, arrays of pointers, pointer to pointer. */
#include <stdio.h>

struct node {
    int value;
    struct node *next;
};

struct tree {
    int key;
    struct tree *left, *right;
};

struct item {
    short id;
    char code[4];
};

struct bag {
    int count;
    struct item items[3];
    struct bag *self;
};

static int list_sum(const struct node *n)
{
    int s = 0;
    while (n) {
        s += n->value;
        n = n->next;
    }
    return s;
}

static int depth(const struct tree *t)
{
    /* l and r are declared before the early return: a local whose declaration the return
       skips holds stack garbage at the closing brace, which differs between the traced and
       the untraced run (the probes use the stack) */
    int l = 0, r = 0;
    if (!t)
        return 0;
    l = depth(t->left);
    r = depth(t->right);
    return 1 + (l > r ? l : r);
}

static void push(struct node **head, struct node *n)
{
    n->next = *head;
    *head = n;
}

int main(void)
{
    struct node c = {3, NULL};
    struct node b = {2, &c};
    struct node a = {1, &b};
    struct node *head = &a;
    struct node extra = {10, NULL};
    push(&head, &extra);
    struct tree leaf = {5, NULL, NULL};
    struct tree mid = {4, &leaf, NULL};
    struct tree root = {1, &mid, NULL};
    struct bag bag = {2, {{1, "ab"}, {2, "cd"}, {0, ""}}, NULL};
    bag.self = &bag;
    int x = 7, y = 8;
    int *ptrs[2] = {&x, &y};
    int **pp = &ptrs[1];
    **pp += 1;
    printf("%d %d %d %d %s\n", list_sum(head), depth(&root), bag.items[1].id, y, bag.self->items[0].code);
    return 0;
}
