#!/usr/bin/env bash
# Builds the benchmark workloads bench/c/*.c to wasm32-wasi at -O0 and -O2 into bench/wasm/NAME.O{0,2}.wasm
# (utils/build-c-programs.sh with warnings as errors). utils/bench-opt.py measures them.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exec "$root/utils/build-c-programs.sh" "$root/bench/c" "$root/bench/wasm" -Wall -Werror
