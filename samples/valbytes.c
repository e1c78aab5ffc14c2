/* valbytes.c - value capture: char arrays with embedded NULs and UTF-8 bytes, signed
   bitfields of odd widths holding negatives, enums used as bit flags, string tables,
   a const char *const, 3-D arrays, an array of more than 32 elements, volatile locals. */
#include <stdio.h>

enum flags { F_READ = 1, F_WRITE = 2, F_EXEC = 4 };

struct bits {
    signed int a : 3;
    signed int b : 5;
    unsigned int c : 7;
    signed int d : 11;
};

static const char *const greeting = "h\xc3\xa9llo";

static int sum3(int cube[2][3][4])
{
    int total = 0;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            total += cube[i][j][1];
    return total;
}

int main(void)
{
    char buf[12] = "ab\0cd\xc3\xa9" "e";
    char utf[8] = "\xe2\x82\xac\xc3\xbc";
    struct bits bf = { -3, -11, 99, -700 };
    enum flags fl = F_READ | F_EXEC;
    enum flags none = (enum flags)0;
    enum flags odd = (enum flags)(F_WRITE | 16);
    const char *names[4] = { "zero", "one", "", "thr\xc3\xa9" };
    const char *const label = "fixed";
    int cube[2][3][4] = { { { 1, 2, 3, 4 }, { 5, 6, 7, 8 }, { 9, 10, 11, 12 } },
                          { { -1, -2, -3, -4 }, { -5, -6, -7, -8 }, { -9, -10, -11, -12 } } };
    int big[40] = { 0 };
    volatile int vcount = 0;
    volatile const char vch = 'Z';
    for (int k = 0; k < 40; k += 7) {
        big[k] = k * k - 50;
        vcount++;
    }
    bf.a = bf.a + 1;
    bf.d = -bf.d / 3;
    fl |= F_WRITE;
    int s = sum3(cube);
    printf("%s %s %d %d %d %d %d %s %s %d %d %d %c %d %s\n", buf, utf, bf.a, bf.b, bf.c, bf.d,
           fl, names[3], label, s, big[35], vcount, vch, none + odd, greeting);
    return 0;
}
