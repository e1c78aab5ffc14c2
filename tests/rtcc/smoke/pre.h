/* tests/rtcc/smoke/pre.h - pulled in with -include. */
#define PRE 5
