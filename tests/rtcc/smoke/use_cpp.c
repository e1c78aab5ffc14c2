/* tests/rtcc/smoke/use_cpp.c - calls the C++ function of hello.cpp. */
#include <stdio.h>
int cpp_answer(void);
int main(void)
{
    printf("cpp=%d\n", cpp_answer());
    return 0;
}
