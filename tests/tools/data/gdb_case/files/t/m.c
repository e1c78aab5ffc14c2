/* m.c - the (imaginary) program of the hand-written gdb_case trace */
int main(void);
int add(int a)
{ return a + 2; }

/* lines 6-9 left blank on purpose */



int main(void) {
    int x = -5; _Bool b = 1; double d = 0.1; const char *s = "a\"b\\c\n\xc3\xa9"; struct pt *p = &pt;
    int arr[3] = {1, 2, 3}; /* and the others */
    int r = add(2);
    printf("%d\n", r);
}
