/* tests/rtcc/smoke/midrow.c - compiled by midrow_cc.sh, which edits main's
 * assembly so that line 4 jumps into the middle of a row of line 6. */
int g;
int main(void)
{
    g = 1;
    g = 2;
    g = 3;
    g = 4;
    return 0;
}
