#!/usr/bin/env bash
# Builds the benchmark workloads bench/c/*.c to wasm32-wasi at -O0 and -O2 into bench/wasm/NAME.O{0,2}.wasm.
#
# Same toolchain as utils/build-c-programs.sh: the Swift toolchain's clang and wasm-ld, Debian's
# wasi-libc as the sysroot and Debian's compiler-rt builtins for wasm32; --no-wasm-opt keeps clang
# from running wasm-opt, so the modules are plain clang output. utils/bench-opt.py measures them.
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

src="$root/bench/c"
out="$root/bench/wasm"
mkdir -p "$out"
for c in "$src"/*.c; do
    name="$(basename "$c" .c)"
    for level in O0 O2; do
        "$clang" --target=wasm32-wasi --sysroot="$sysroot" "-$level" --no-wasm-opt -Wall -Werror \
            -nodefaultlibs -Wl,--strip-debug "$c" -lc "$builtins" -o "$out/$name.$level.wasm"
        echo "built $name.$level.wasm ($(wc -c < "$out/$name.$level.wasm") bytes)"
    done
done
