#!/bin/bash
# Instructions executed (valgrind callgrind) by the timed lift loop and the timed lower loop of
# `lathe measure lift`: a deterministic figure for comparing two builds, where wall time on a
# shared machine drifts by 10-30%.
#
# usage: utils/count-lift-instructions.sh LATHE_BINARY MODULE.wasm [FUNCTIONS]
#   FUNCTIONS: how many function bodies to take (default 1500; valgrind runs ~50x slower).
# Needs valgrind (apt install valgrind). The binary's DWARF is stripped into a copy first
# (valgrind 3.19 cannot read the toolchain's debug info); symbols stay.
set -euo pipefail
bin=$1; module=$2; limit=${3:-1500}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
objcopy --strip-debug "$bin" "$work/lathe"
# The closures timed as "lift" and "lower" in MeasureLiftCommand.run.
lift='*MeasureLiftCommandV3runyyKFyyXEfU_S*'
lower='$s5lathe18MeasureLiftCommandV3runyyKFyyKXEfU1_'
for step in lift lower; do
  pattern=$lift; [ "$step" = lower ] && pattern=$lower
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.$step" --toggle-collect="$pattern" \
    "$work/lathe" measure lift "$module" --limit "$limit" --runs 1 >/dev/null 2>"$work/log.$step"
  count=$(grep -E "Collected" "$work/log.$step" | awk '{print $4}')
  [ -n "$count" ] && [ "$count" -gt 100000 ] || { echo "no instructions collected for $step (symbol names changed?)" >&2; exit 1; }
  echo "$step $count"
done
