/* samples/globals/state.c - the globals' definitions and a function with a static local. */
#include "state.h"

const char *g_name = "state";
struct config g_config = {4, 3};
static int file_calls = 0;

int bump(int by)
{
    static int total = 0;
    total += by;
    file_calls++;
    g_counter = clamp(g_counter + by, -50, 50);
    return total;
}

int calls(void)
{
    return file_calls;
}
