/*
 * bench/progs/structs.c - structs passed by value in a loop.
 *
 *   structs [SIZE]   SIZE passes over an array of 64 particles; each step
 *                    passes a particle and a vector by value to small
 *                    functions that return new structs. Prints a checksum.
 * Every call carries struct arguments and struct return values, the costly
 * kind of value for a recorder. Work is linear in SIZE; SIZE 0 = start-up.
 */
#include <stdio.h>
#include <stdlib.h>

#define COUNT 64
#define DEFAULT_SIZE 40000        /* about 0.1 s untraced at -O0 */

struct vec { int x, y, z; };
struct particle { struct vec pos; struct vec vel; int mass; int id; };

static struct vec vec_add(struct vec a, struct vec b)
{
    struct vec r = { a.x + b.x, a.y + b.y, a.z + b.z };
    return r;
}

static struct particle step(struct particle p, struct vec gravity)
{
    p.vel = vec_add(p.vel, gravity);
    p.pos = vec_add(p.pos, p.vel);
    if (p.pos.y < 0) {
        p.pos.y = -p.pos.y;
        p.vel.y = -p.vel.y;
    }
    return p;
}

static long energy(struct particle p)
{
    return (long)p.mass * (p.vel.x * p.vel.x + p.vel.y * p.vel.y + p.vel.z * p.vel.z);
}

int main(int argc, char **argv)
{
    long size = argc > 1 ? atol(argv[1]) : DEFAULT_SIZE;
    static struct particle ps[COUNT];
    for (int i = 0; i < COUNT; i++) {
        struct particle p = { { i, 100 + i, -i }, { 1, 0, -1 }, 1 + i % 7, i };
        ps[i] = p;
    }
    struct vec gravity = { 0, -1, 0 };
    long sum = 0;
    for (long s = 0; s < size; s++) {
        for (int i = 0; i < COUNT; i++) {
            ps[i] = step(ps[i], gravity);
            sum += energy(ps[i]) & 0xffff;
        }
    }
    printf("structs: size=%ld checksum=%ld\n", size, sum);
    return 0;
}
