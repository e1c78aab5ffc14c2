/* rtrace/rtrace.h - the whole public API of the rtrace library. */
#ifndef RTRACE_RTRACE_H
#define RTRACE_RTRACE_H
#include "common.h"
#include "encode.h"
#include "event.h"
#include "sink.h"
#include "tracer.h"
#include "reader.h"
#include "validate.h"
#endif
