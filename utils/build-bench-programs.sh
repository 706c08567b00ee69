#!/usr/bin/env bash
# The bench corpus is built by bench/build-corpus.sh; kept under this name for old instructions.
exec "$(cd "$(dirname "$0")/.." && pwd)/bench/build-corpus.sh" "$@"
