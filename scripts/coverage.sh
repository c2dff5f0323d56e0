#!/usr/bin/env bash
# Line coverage of the workspace, unit tests and the end-to-end suites, per crate.
#
# cargo-tarpaulin with its LLVM engine (-Cinstrument-coverage, profiles read by tarpaulin
# itself: no llvm-tools component needed); `cargo install cargo-tarpaulin --locked` first.
# Like `just test`, PostgreSQL and Redis must be running (see README) and chromium installed.
# The figure counts the code under crates/<name>/src and apps/gateway/src; test code
# (tests/ — the balcao-tests support crate and its suites — crates/*/tests, #[cfg(test)]
# modules) and build scripts are run but not counted. Doctests are not run: instrumenting
# them needs a nightly rustdoc.
#
# Builds in $CARGO_TARGET_DIR/coverage (default target/coverage), apart from the normal
# build since the flags differ; the reports (lcov.info, tarpaulin-report.json, summary.txt)
# go to its report/ folder. Fails when a test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

command -v cargo-tarpaulin >/dev/null || {
    echo "cargo-tarpaulin is missing: cargo install cargo-tarpaulin --locked" >&2
    exit 1
}

target="${CARGO_TARGET_DIR:-$root/target}/coverage"
report="$target/report"
# A clean start: no report or profile of an earlier run (tarpaulin clears its profraws too).
rm -rf "$report" "$target/tarpaulin/profraws"
mkdir -p "$report"

# The end-to-end binary runs for many minutes: the timeout is per test binary.
cargo tarpaulin --engine llvm --workspace --locked --skip-clean --no-fail-fast \
    --target-dir "$target" --timeout "${COVERAGE_TIMEOUT_SECS:-5400}" \
    --exclude-files 'tests/*' 'crates/*/tests/*' 'crates/*/build.rs' \
    --out Lcov Json --output-dir "$report" || status=$?

if [ ! -s "$report/lcov.info" ]; then
    echo "coverage: tarpaulin wrote no report" >&2
    exit "${status:-1}"
fi

python3 - "$report/lcov.info" "$root" <<'EOF' | tee "$report/summary.txt"
import collections, os, sys

lcov, root = sys.argv[1], sys.argv[2]
lines = collections.defaultdict(dict)  # path -> line -> hit
path = None
with open(lcov) as f:
    for raw in f:
        raw = raw.strip()
        if raw.startswith("SF:"):
            path = os.path.relpath(raw[3:], root)
        elif raw.startswith("DA:") and path:
            line, hits = raw[3:].split(",")[:2]
            lines[path][int(line)] = lines[path].get(int(line), False) or int(hits) > 0

def crate_of(p):
    parts = p.split(os.sep)
    if len(parts) > 2 and parts[0] == "crates" and parts[2] == "src":
        return parts[1]
    if parts[:3] == ["apps", "gateway", "src"]:
        return "gateway"
    return None  # test code, build scripts

crates = {name: [0, 0] for name in sorted(os.listdir(os.path.join(root, "crates")))}
crates["gateway"] = [0, 0]
files = []
for p, hits in lines.items():
    crate = crate_of(p)
    if crate is None:
        continue
    covered = sum(hits.values())
    crates.setdefault(crate, [0, 0])
    crates[crate][0] += covered
    crates[crate][1] += len(hits)
    files.append((len(hits) - covered, p, covered, len(hits)))

def pct(c, n):
    return f"{100 * c / n:6.2f}%" if n else "    n/a"

print(f"{'crate':<12} {'covered/coverable':>18} {'percent':>8}")
for name, (c, n) in crates.items():
    print(f"{name:<12} {f'{c}/{n}':>18} {pct(c, n):>8}")
tc, tn = sum(c for c, _ in crates.values()), sum(n for _, n in crates.values())
print(f"{'total':<12} {f'{tc}/{tn}':>18} {pct(tc, tn):>8}")
print("\nfiles with the most uncovered lines:")
for missed, p, c, n in sorted(files, reverse=True)[:10]:
    print(f"{missed:>6}  {p} ({c}/{n})")
EOF

if [ -n "${status:-}" ]; then
    echo "coverage: tests failed (tarpaulin exit $status); see the output above" >&2
    exit "$status"
fi
