#!/usr/bin/env bash
# Benchmark tollgate against the tools users would pick instead, on generated monorepo-like corpora.
#
#   scripts/bench.sh                       # scales 2000 20000 100000, every tool found on PATH
#   SCALES="2000 20000" scripts/bench.sh   # fewer scales
#   RUNS=3 scripts/bench.sh                # best of 3 per measurement (default 1)
#   TOOLS="tollgate ripgrep" scripts/bench.sh   # a subset of tools (slow competitors at large scales)
#
# Optional competitors (measured when found on PATH, else listed as "not installed"):
#   pip install checkov detect-secrets squawk-cli    # Checkov, detect-secrets, squawk
#   apt-get install ripgrep time                      # the regex floor; GNU time for peak RSS
#
# What each tool runs on (same corpus, same run):
#   tollgate        full scan: SQL, env, Dockerfile, Kubernetes, and the secret scan of every file
#   checkov         --framework dockerfile kubernetes (its Dockerfile+k8s subset)
#   detect-secrets  `scan` of the tree (git-tracked files; node_modules is gitignored)
#   squawk          the migration files
#   ripgrep         tollgate's own secret regexes (policies/secrets.toml) over the tree, .gitignore
#                   honoured, hidden files included: the floor for "read every file and match regexes"
# Ratios are tool wall time / tollgate wall time. files/s and MB/s use the corpus's tracked files
# (node_modules excluded) for every tool, so they compare directly.
#
# Output: a markdown table on stdout, raw numbers in $OUT/results.tsv.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
SCALES="${SCALES:-2000 20000 100000}"
RUNS="${RUNS:-1}"
BENCH_DIR="${BENCH_DIR:-${TMPDIR:-/tmp}/tollgate-bench}"
OUT="${OUT:-$BENCH_DIR/results}"
TOOL_TIMEOUT="${TOOL_TIMEOUT:-3600}"
TOOLS="${TOOLS:-tollgate ripgrep detect-secrets squawk checkov}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"

if ! /usr/bin/time -v true 2>/dev/null; then
    echo "GNU time is needed for peak RSS: apt-get install time" >&2
    exit 2
fi

mkdir -p "$BENCH_DIR" "$OUT"
(cd "$here" && cargo build --release --quiet)
TOLLGATE="$CARGO_TARGET_DIR/release/tollgate"

# tollgate's secret detectors as a ripgrep pattern file: every `regex = '''...'''` line.
python3 - "$here/policies/secrets.toml" > "$OUT/secret-patterns.txt" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
for m in re.finditer(r"^regex = '''(.*)'''$", text, re.M):
    print(m.group(1))
PY

have() { [[ " $TOOLS " == *" $1 "* ]] && command -v "$1" >/dev/null 2>&1; }

# measure NAME DIR CMD... -> prints "wall_seconds peak_rss_kb exit_code" (best wall of RUNS)
measure() {
    local name="$1" dir="$2"
    shift 2
    local best="" rss="" rc=0 i
    for ((i = 0; i < RUNS; i++)); do
        local tfile="$OUT/time-$name.txt"
        set +e
        (cd "$dir" && timeout "$TOOL_TIMEOUT" /usr/bin/time -v -o "$tfile" "$@" >"$OUT/out-$name.txt" 2>"$OUT/err-$name.txt")
        rc=$?
        set -e
        local wall kb
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(j=1;j<=n;j++) s=s*60+p[j]; print s}' "$tfile" 2>/dev/null || echo "")
        kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tfile" 2>/dev/null || echo "")
        [ -z "$wall" ] && wall="nan"
        if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN{exit !(a<b)}'; then
            best="$wall"
            rss="$kb"
        fi
    done
    echo "$best ${rss:-0} $rc"
}

printf 'scale\ttool\tfiles\tbytes\twall_s\tpeak_rss_kb\texit\n' >"$OUT/results.tsv"

for n in $SCALES; do
    corpus="$BENCH_DIR/corpus-$n"
    if [ ! -f "$corpus/.bench-done" ]; then
        rm -rf "$corpus"
        python3 "$here/scripts/bench_corpus.py" "$corpus" --files "$n" >&2
        touch "$corpus/.bench-done"
    fi
    files=$(git -C "$corpus" ls-files | wc -l)
    bytes=$(git -C "$corpus" ls-files -z | (cd "$corpus" && xargs -0 cat) | wc -c)
    # Warm the page cache for every tool alike.
    git -C "$corpus" ls-files -z | (cd "$corpus" && xargs -0 cat) >/dev/null
    find "$corpus/services" -path '*/migrations/*.sql' >"$OUT/migrations-$n.txt"

    run_tool() {
        local tool="$1"
        shift
        read -r wall kb rc < <(measure "$tool-$n" "$corpus" "$@")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$tool" "$files" "$bytes" "$wall" "$kb" "$rc" >>"$OUT/results.tsv"
        echo "  $tool: ${wall}s, peak ${kb} KiB, exit $rc" >&2
    }
    echo "scale $n: $files files, $bytes bytes" >&2
    [[ " $TOOLS " == *" tollgate "* ]] && run_tool tollgate "$TOLLGATE" check . --format json --fail-on never
    if [[ " $TOOLS " == *" ripgrep "* ]] && command -v rg >/dev/null; then
        run_tool ripgrep rg --regex-size-limit 2G --dfa-size-limit 2G --hidden -g '!.git' --no-messages --count-matches -f "$OUT/secret-patterns.txt" .
    fi
    if have detect-secrets; then
        run_tool detect-secrets detect-secrets scan
    fi
    if have squawk; then
        run_tool squawk sh -c "xargs squawk < '$OUT/migrations-$n.txt'"
    fi
    if have checkov; then
        run_tool checkov checkov -d . --framework dockerfile kubernetes --quiet --compact -o json --skip-download
    fi
done

# Markdown table.
python3 - "$OUT/results.tsv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
base = {r["scale"]: float(r["wall_s"]) for r in rows if r["tool"] == "tollgate"}
print("| files | tool | wall (s) | files/s | MB/s | peak RSS (MiB) | wall vs tollgate |")
print("|---:|---|---:|---:|---:|---:|---:|")
for r in rows:
    wall = float(r["wall_s"])
    files, mb = int(r["files"]), int(r["bytes"]) / 1e6
    ratio = wall / base[r["scale"]] if base.get(r["scale"]) else float("nan")
    note = "" if r["exit"] in ("0", "1", "2") or r["tool"] in ("squawk", "checkov", "detect-secrets") else f" (exit {r['exit']})"
    print(f"| {files} | {r['tool']}{note} | {wall:.2f} | {files / wall:,.0f} | {mb / wall:,.1f} | {int(r['peak_rss_kb']) / 1024:,.0f} | {ratio:.1f}× |")
PY
