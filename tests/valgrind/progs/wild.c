/* wild.c - pointers the runtime must read without crashing: NULL, an
 * unmapped address (rt_safe_copy faults and resumes in its SIGSEGV handler),
 * a freed heap block, a string running into an unmapped page, and a local
 * read before its first assignment. Two threads, so the per-thread state and
 * the alternate signal stacks of both are exercised. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct node {
    int value;
    struct node *next;
    const char *name;
};

static int walk(const struct node *n)
{
    int sum = 0;
    while (n && n->value >= 0) {
        sum += n->value;
        n = n->next;
    }
    return sum;
}

static void *worker(void *arg)
{
    struct node wild = {3, (struct node *)0x10, (const char *)0x20};
    struct node tail = {-1, &wild, "tail"};
    struct node head = {(int)(long)arg, &tail, "head"};
    return (void *)(long)walk(&head);
}

int main(void)
{
    int before;   /* recorded before its first assignment: uninitialised */
    before = 1;
    /* A string whose last byte is the end of a mapping: the next page is gone. */
    char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        return 1;
    munmap(page + 4096, 4096);
    memset(page, 'x', 4096);
    const char *edge = page + 4090;
    struct node *gone = malloc(sizeof *gone);
    gone->value = 7;
    gone->next = NULL;
    gone->name = "gone";
    free(gone);
    struct node keep = {5, gone, edge};   /* keep.next: dangling (freed) */
    pthread_t th;
    pthread_create(&th, NULL, worker, (void *)2L);
    void *r;
    pthread_join(th, &r);
    int total = walk(&keep.next == NULL ? NULL : &(struct node){1, NULL, edge}) + (int)(long)r + before;
    printf("total %d %c\n", total, keep.name[5]);
    munmap(page, 4096);
    return 0;
}
