#!/usr/bin/env bash
# Builds C programs to wasm32-wasi at -O0 and -O2 into OUT/NAME.O{0,2}.wasm.
#
# Usage: build-c-programs.sh [SRC OUT [CFLAGS...]]   (default: Tests/programs/c Tests/programs/wasm)
#
# Uses the Swift toolchain's clang and wasm-ld, Debian's wasi-libc as the sysroot and Debian's
# compiler-rt builtins for wasm32 (passed explicitly: clang looks for them only in its own resource
# directory). --no-wasm-opt keeps clang from running wasm-opt, so the modules are plain clang output.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
clang="${CLANG:-/opt/swift/usr/bin/clang}"
sysroot=/usr
builtins=/usr/lib/llvm-14/lib/clang/14.0.6/lib/wasi/libclang_rt.builtins-wasm32.a

missing=()
[ -f "$sysroot/lib/wasm32-wasi/libc.a" ] || missing+=(wasi-libc)
[ -f "$builtins" ] || missing+=(libclang-rt-14-dev-wasm32)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    if [ "$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q "${missing[@]}"
    else sudo apt-get update -q && sudo apt-get install -y -q "${missing[@]}"; fi
fi

src="$(cd "${1:-$root/Tests/programs/c}" && pwd)"
mkdir -p "${2:-$root/Tests/programs/wasm}"
out="$(cd "${2:-$root/Tests/programs/wasm}" && pwd)"
shift $(( $# < 2 ? $# : 2 ))
for c in "$src"/*.c; do
    name="$(basename "$c" .c)"
    for level in O0 O2; do
        "$clang" --target=wasm32-wasi --sysroot="$sysroot" "-$level" --no-wasm-opt "$@" \
            -nodefaultlibs -Wl,--strip-debug "$c" -lc "$builtins" -o "$out/$name.$level.wasm"
        echo "built $name.$level.wasm ($(wc -c < "$out/$name.$level.wasm") bytes)"
    done
done
