/* samples/enums_unions.c - differential-test sample: enums (with a value that has no
 * enumerator), unions, bitfields, anonymous struct and union members, _Bool. */
#include <stdbool.h>
#include <stdio.h>

enum color { RED, GREEN = 5, BLUE };

union number {
    int i;
    unsigned char bytes[4];
};

struct flags {
    unsigned ready : 1;
    unsigned mode : 3;
    signed level : 4;
};

struct shape {
    enum color color;
    union {
        int radius;
        int side;
    };
    struct {
        short w;
        short h;
    };
};

static enum color next(enum color c)
{
    switch (c) {
    case RED:
        return GREEN;
    case GREEN:
        return BLUE;
    default:
        return RED;
    }
}

int main(void)
{
    enum color c = RED;
    enum color odd = (enum color)3;
    union number num = {.i = 0x01020304};
    struct flags f = {1, 5, -3};
    struct shape s = {BLUE, {7}, {2, 3}};
    bool done = false;
    for (int i = 0; i < 3; i++)
        c = next(c);
    f.level = (signed)(f.level + 1);
    s.side = 9;
    done = c == RED && f.mode == 5;
    printf("c=%d odd=%d byte0=%d level=%d side=%d w=%d done=%d\n",
           c, odd, num.bytes[0], f.level, s.radius, s.w, done);
    return 0;
}
