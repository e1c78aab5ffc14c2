/*
 * tests/dwarf/progs/types.c - one variable of every C type kind the DWARF
 * tables must describe, for the type tests. Each local of main is named for
 * what it shows; the test looks the names up at the line marked with the probe marker and
 * checks the type's name and shape. The program also prints the raw bytes
 * of a struct with bitfields set to known values ("BITS <hex>") so the test
 * can decode the bitfields with the tables' offsets and compare.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef int my_t;
typedef unsigned long size_like;
enum color { RED, GREEN = 5, BLUE };
enum neg { MINUS = -2, PLUS = 2 };
struct point { int x, y; };
union u { int i; float f; char bytes[4]; };
struct node { int v; struct node *next; };
struct bits { unsigned a : 3; signed b : 5; unsigned c : 12; int d; unsigned long e : 40; unsigned f : 1; };
struct outer {
    int tag;
    struct { int in1; char in2; };      /* anonymous struct member */
    union { long l; double d; };         /* anonymous union member */
    struct point pts[2];
};
struct incomplete;
typedef struct point point_t;
/* six arrays with one bound: gcc then gives DW_AT_upper_bound the form
 * DW_FORM_implicit_const (a value stored in the abbreviation) */
struct big1 { char x[4096]; }; struct big2 { int x[4096]; }; struct big3 { long x[4096]; };
struct big4 { short x[4096]; }; struct big5 { double x[4096]; }; struct big6 { float x[4096]; };
typedef const char *cstr;

static int add(int a, int b) { return a + b; }

int main(void)
{
    int v_int = 1;
    unsigned int v_uint = 2;
    long v_long = 3;
    unsigned long v_ulong = 4;
    short v_short = 5;
    unsigned short v_ushort = 6;
    long long v_llong = 7;
    unsigned long long v_ullong = 8;
    char v_char = 'c';
    signed char v_schar = -1;
    unsigned char v_uchar = 255;
    _Bool v_bool = 1;
    float v_float = 1.5f;
    double v_double = 2.5;
    long double v_ldouble = 3.5L;
    enum color v_enum = GREEN;
    enum neg v_negenum = MINUS;
    struct point v_point = { 1, 2 };
    struct point *v_ppoint = &v_point;
    union u v_union = { 7 };
    struct node v_node = { 1, NULL };
    struct bits v_bits;
    struct outer v_outer;
    struct { int q; } v_anon = { 3 };
    int v_arr[3] = { 1, 2, 3 };
    int v_arr2[2][3] = { { 1, 2, 3 }, { 4, 5, 6 } };
    char *v_str = "hi";
    const char *v_cstr = "const";
    char *const v_strc = v_str;
    const char **v_cstrp = &v_cstr;
    void *v_void = NULL;
    my_t v_my = 9;
    size_like v_size = 10;
    size_t v_size_t = 11;
    point_t v_point_t = { 3, 4 };
    cstr v_cstr_t = "typedef";
    const int v_const = 12;
    volatile int v_volatile = 13;
    int (*v_fptr)(int, int) = add;
    int *v_parr[2] = { &v_int, &v_int };
    int (*v_arrp)[3] = &v_arr;
    struct incomplete *v_inc = NULL;
    static struct big1 v_big1; static struct big2 v_big2; static struct big3 v_big3;
    static struct big4 v_big4; static struct big5 v_big5; static struct big6 v_big6;
    static _Thread_local int v_tls = 14;
    v_tls++;
    memset(&v_bits, 0, sizeof v_bits);
    v_bits.a = 5; v_bits.b = -3; v_bits.c = 1234; v_bits.d = -7; v_bits.e = 0x123456789aUL; v_bits.f = 1;
    memset(&v_outer, 0, sizeof v_outer);
    printf("BITS ");                                           /* L:probe */
    for (size_t i = 0; i < sizeof v_bits; i++) printf("%02x", ((unsigned char *)&v_bits)[i]);
    printf("\n");
    printf("%d %u %ld %lu %d %d %lld %llu %c %d %d %d %g %g %Lg %d %d %d %p %d %d %d %d %d %d\n",
           v_int, v_uint, v_long, v_ulong, v_short, v_ushort, v_llong, v_ullong, v_char, v_schar,
           v_uchar, v_bool, v_float, v_double, v_ldouble, v_enum, v_negenum, v_point.x, (void *)v_ppoint,
           v_union.i, v_node.v, v_anon.q, v_arr[0], v_arr2[1][2], v_outer.tag);
    printf("%s %s %s %s %p %d %lu %zu %d %s %d %d %d %d %d %p\n", v_str, v_cstr, v_strc, *v_cstrp, v_void,
           v_my, v_size, v_size_t, v_point_t.x, v_cstr_t, v_const, v_volatile, v_fptr(1, 2), *v_parr[0],
           (*v_arrp)[1], (void *)v_inc);
    printf("%d\n", v_big1.x[0] + v_big2.x[0] + (int)v_big3.x[0] + v_big4.x[0] + (int)v_big5.x[0] + (int)v_big6.x[0]);
    return 0;
}
