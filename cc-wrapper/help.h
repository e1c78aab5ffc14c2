/*
 * cc-wrapper/help.h - rtcc's --help and its man page rtcc(1), both printed
 * from the tables of help.c, so that they can never disagree.
 */
#ifndef RTCC_HELP_H
#define RTCC_HELP_H

#include <stdio.h>

/* Prints `rtcc --help`. */
void rtcc_help(FILE *f);
/* Prints the man page rtcc(1) (roff), for `rtcc --man` (hidden). */
void rtcc_man(FILE *f);

#endif
