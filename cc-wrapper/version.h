/*
 * cc-wrapper/version.h - rtcc's version string (follows the project's).
 */
#ifndef RTCC_VERSION_H
#define RTCC_VERSION_H
#define RTCC_VERSION "0.1.0"
#endif
