/* tests/rtcc/smoke/bad.c - a syntax error: rtcc must report it as cc does. */
int main(void)
{
    int x = ;
    return x;
}
