// tests/rtcc/smoke/hello.cpp - C++: compiled untraced, with a warning.
extern "C" int cpp_answer(void) { return 42; }
