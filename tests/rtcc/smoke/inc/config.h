/* tests/rtcc/smoke/inc/config.h - found through -I. */
#define CONFIG 7
