#!/bin/sh
# Installs the Debian packages the build, the tests and the benchmark need, when
# they are missing. Called by the Makefile (once per build tree, via a stamp file);
# safe to run by hand. Exits non-zero with a clear message when it cannot install.
set -u

# package : a file that proves it is installed
NEEDED="
libdwarf-dev:/usr/include/libdwarf/libdwarf.h
libelf-dev:/usr/include/libelf.h
libcjson-dev:/usr/include/cjson/cJSON.h
libcunit1-dev:/usr/include/CUnit/Basic.h
libzstd-dev:/usr/include/zstd.h
pkg-config:/usr/bin/pkg-config
gdb:/usr/bin/gdb
python3:/usr/bin/python3
clang:/usr/bin/clang
make:/usr/bin/make
valgrind:/usr/bin/valgrind
csmith:/usr/bin/csmith
libcsmith-dev:/usr/include/csmith/csmith.h
"
[ "${1:-}" = "--bench" ] && NEEDED="$NEEDED uftrace:/usr/bin/uftrace"
[ "${1:-}" = "--fuzz" ] && NEEDED="$NEEDED libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a"

missing=""
for entry in $NEEDED; do
    pkg=${entry%%:*}
    file=${entry#*:}
    [ -e "$file" ] || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing missing Debian packages:$missing" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "install-deps: error: not root and no sudo; please install:$missing" >&2
        exit 1
    fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: error: no apt-get on this machine; please install the equivalents of:$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2 || echo "install-deps: warning: apt-get update failed" >&2
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y -qq --no-install-recommends $missing >&2; then
    echo "install-deps: error: apt-get could not install:$missing" >&2
    exit 1
fi
exit 0
