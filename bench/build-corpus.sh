#!/usr/bin/env bash
# Builds the bench corpus: bench/c/*.c for wasm32-wasi with the Swift toolchain's clang at -O0, -O1 and
# -O2, each with and without -msimd128, into bench/wasm/NAME.O<n>[.simd].wasm (plain clang output:
# --no-wasm-opt), and writes bench/expected/NAME.txt, the program's stdout under wasmtime (every variant
# must print the same). Needs Debian's wasi-libc and libclang-rt-14-dev-wasm32 (installed when missing)
# and wasmtime (bench/setup-peers.sh; WASMTIME=PATH to choose one).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
clang="${CLANG:-/opt/swift/usr/bin/clang}"
sysroot=/usr
builtins=/usr/lib/llvm-14/lib/clang/14.0.6/lib/wasi/libclang_rt.builtins-wasm32.a

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
[ -f "$sysroot/lib/wasm32-wasi/libc.a" ] || missing+=(wasi-libc)
[ -f "$builtins" ] || missing+=(libclang-rt-14-dev-wasm32)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}" >&2
    as_root apt-get update -q && as_root apt-get install -y -q "${missing[@]}"
fi

wasmtime="${WASMTIME:-$(command -v wasmtime || true)}"
src="$root/bench/c" out="$root/bench/wasm" expected="$root/bench/expected"
mkdir -p "$out" "$expected"
for c in "$src"/*.c; do
    name="$(basename "$c" .c)"
    for level in O0 O1 O2; do
        for simd in "" .simd; do
            file="$out/$name.$level$simd.wasm"
            "$clang" --target=wasm32-wasi --sysroot="$sysroot" "-$level" ${simd:+-msimd128} --no-wasm-opt -Wall -Werror \
                -nodefaultlibs -Wl,--strip-debug "$c" -lc "$builtins" -o "$file"
            echo "built $(basename "$file") ($(wc -c < "$file") bytes)"
            if [ -n "$wasmtime" ]; then
                "$wasmtime" run "$file" > "$out/.$name.out"
                if [ "$level$simd" = O0 ]; then
                    mv "$out/.$name.out" "$expected/$name.txt"
                elif ! cmp -s "$out/.$name.out" "$expected/$name.txt"; then
                    echo "error: $(basename "$file") prints other output than $name.O0.wasm" >&2
                    exit 1
                fi
                rm -f "$out/.$name.out"
            fi
        done
    done
done
[ -n "$wasmtime" ] || echo "note: no wasmtime; bench/expected not written (bench/setup-peers.sh installs it)" >&2
