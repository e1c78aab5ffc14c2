/* samples/sorts.c - differential-test sample: insertion sort, quicksort (Lomuto) and a
 * top-down merge sort with a scratch buffer on an array of structs, a comparison function
 * pointer passed down, struct assignment for swaps. */
#include <stdio.h>
#include <string.h>

struct rec {
    char name[6];
    int age;
    double score;
};

typedef int (*cmp_fn)(const struct rec *, const struct rec *);

static int by_age(const struct rec *a, const struct rec *b)
{
    return a->age - b->age;
}

static int by_score_desc(const struct rec *a, const struct rec *b)
{
    if (a->score < b->score)
        return 1;
    return a->score > b->score ? -1 : 0;
}

static void swap(struct rec *a, struct rec *b)
{
    struct rec tmp = *a;
    *a = *b;
    *b = tmp;
}

static void insertion_sort(struct rec *v, int n, cmp_fn cmp)
{
    for (int i = 1; i < n; i++) {
        struct rec key = v[i];
        int j = i - 1;
        while (j >= 0 && cmp(&v[j], &key) > 0) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = key;
    }
}

static void quick_sort(struct rec *v, int lo, int hi, cmp_fn cmp)
{
    /* no early return: at the closing brace the locals below would be in scope
     * but never set (stack garbage, different traced and untraced) */
    if (lo < hi) {
        struct rec *pivot = &v[hi];
        int i = lo;
        for (int j = lo; j < hi; j++)
            if (cmp(&v[j], pivot) < 0)
                swap(&v[i++], &v[j]);
        swap(&v[i], &v[hi]);
        quick_sort(v, lo, i - 1, cmp);
        quick_sort(v, i + 1, hi, cmp);
    }
}

static void merge_sort(struct rec *v, struct rec *tmp, int n, cmp_fn cmp)
{
    if (n >= 2) {
        int mid = n / 2;
        merge_sort(v, tmp, mid, cmp);
        merge_sort(v + mid, tmp, n - mid, cmp);
        int i = 0, j = mid, k = 0;
        while (i < mid && j < n)
            tmp[k++] = cmp(&v[j], &v[i]) < 0 ? v[j++] : v[i++];
        while (i < mid)
            tmp[k++] = v[i++];
        while (j < n)
            tmp[k++] = v[j++];
        memcpy(v, tmp, (size_t)n * sizeof *v);
    }
}

static void show(const char *title, const struct rec *v, int n)
{
    printf("%s:", title);
    for (int i = 0; i < n; i++)
        printf(" %s/%d/%.1f", v[i].name, v[i].age, v[i].score);
    printf("\n");
}

int main(void)
{
    const struct rec base[5] = {
        {"ann", 31, 7.5}, {"bob", 25, 9.0}, {"cy", 40, 6.25}, {"dee", 25, 8.5}, {"eve", 19, 9.5},
    };
    struct rec a[5] = {{"", 0, 0.0}};
    struct rec tmp[5] = {{"", 0, 0.0}};
    int n = 5;

    memcpy(a, base, sizeof a);
    insertion_sort(a, n, by_age);
    show("insertion/age", a, n);

    memcpy(a, base, sizeof a);
    quick_sort(a, 0, n - 1, by_score_desc);
    show("quick/score", a, n);

    memcpy(a, base, sizeof a);
    merge_sort(a, tmp, n, by_age);
    show("merge/age", a, n);
    return 0;
}
