#!/usr/bin/env bash
# Benchmark tollgate against the tools users would pick instead, on generated monorepo-like corpora.
#
#   scripts/bench.sh                       # scales 2000 20000 100000, every tool found on PATH
#   SCALES="2000 20000" scripts/bench.sh   # fewer scales
#   RUNS=3 scripts/bench.sh                # best of 3 per measurement (default 1)
#   TOOLS="tollgate floor" scripts/bench.sh   # a subset of tools (slow competitors at large scales)
#
# Optional competitors (measured when found on PATH, else skipped):
#   pip install kingfisher-bin checkov detect-secrets squawk-cli
#   apt-get install ripgrep time                      # the regex floor; GNU time for peak RSS
#
# What each tool runs on (same corpus, same run; with RUNS>1 the tools alternate, run after run,
# and the best wall time of each is kept):
#   tollgate        full scan: SQL, env, Dockerfile, Kubernetes, and the secret scan of every file
#   floor           ripgrep with the 22 common secret regexes of scripts/bench/secrets.rg:
#                   `rg --hidden -g '!.git' -n -f secrets.rg .` (the speed floor of the targets)
#   ripgrep         tollgate's own detector regexes (policies/secrets.toml) as one rg pattern file
#   kingfisher      `kingfisher scan . --git-history none --no-validate --no-update-check`
#   checkov         --framework dockerfile kubernetes (its Dockerfile+k8s subset)
#   detect-secrets  `scan` of the tree (git-tracked files; node_modules is gitignored)
#   squawk          the migration files
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
TOOLS="${TOOLS:-tollgate floor ripgrep kingfisher detect-secrets squawk checkov}"
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

# measure NAME DIR CMD... -> prints "wall_seconds peak_rss_kb exit_code" of one run
measure() {
    local name="$1" dir="$2"
    shift 2
    local tfile="$OUT/time-$name.txt" rc wall kb
    set +e
    (cd "$dir" && timeout "$TOOL_TIMEOUT" /usr/bin/time -v -o "$tfile" "$@" >"$OUT/out-$name.txt" 2>"$OUT/err-$name.txt")
    rc=$?
    set -e
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(j=1;j<=n;j++) s=s*60+p[j]; print s}' "$tfile" 2>/dev/null || echo "")
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tfile" 2>/dev/null || echo "")
    echo "${wall:-nan} ${kb:-0} $rc"
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

    # Each run measures every tool once, in turn, so load drifts hit them alike; best wall wins.
    declare -A best_wall=() best_kb=() last_rc=()
    run_tool() {
        local tool="$1"
        shift
        read -r wall kb rc < <(measure "$tool-$n" "$corpus" "$@")
        echo "  run $run $tool: ${wall}s, peak ${kb} KiB, exit $rc" >&2
        if [ -z "${best_wall[$tool]:-}" ] || awk -v a="$wall" -v b="${best_wall[$tool]}" 'BEGIN{exit !(a<b)}'; then
            best_wall[$tool]="$wall"
            best_kb[$tool]="$kb"
        fi
        last_rc[$tool]="$rc"
    }
    echo "scale $n: $files files, $bytes bytes" >&2
    for ((run = 1; run <= RUNS; run++)); do
        [[ " $TOOLS " == *" tollgate "* ]] && run_tool tollgate "$TOLLGATE" check . --format json --fail-on never
        if [[ " $TOOLS " == *" floor "* ]] && command -v rg >/dev/null; then
            run_tool floor rg --hidden -g '!.git' -n -f "$here/scripts/bench/secrets.rg" .
        fi
        if [[ " $TOOLS " == *" ripgrep "* ]] && command -v rg >/dev/null; then
            run_tool ripgrep rg --regex-size-limit 2G --dfa-size-limit 2G --hidden -g '!.git' --no-messages --count-matches -f "$OUT/secret-patterns.txt" .
        fi
        if have kingfisher; then
            run_tool kingfisher kingfisher scan . --git-history none --no-validate --no-update-check
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
    for tool in "${!best_wall[@]}"; do
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$tool" "$files" "$bytes" "${best_wall[$tool]}" "${best_kb[$tool]}" "${last_rc[$tool]}" >>"$OUT/results.tsv"
    done
    unset best_wall best_kb last_rc
done

# Markdown table.
python3 - "$OUT/results.tsv" <<'PY'
import csv, sys
order = "tollgate floor ripgrep kingfisher detect-secrets squawk checkov".split()
rows = sorted(csv.DictReader(open(sys.argv[1]), delimiter="\t"),
              key=lambda r: (int(r["scale"]), order.index(r["tool"]) if r["tool"] in order else 99))
base = {r["scale"]: float(r["wall_s"]) for r in rows if r["tool"] == "tollgate"}
floor = {r["scale"]: float(r["wall_s"]) for r in rows if r["tool"] == "floor"}
print("| files | tool | wall (s) | files/s | MB/s | peak RSS (MiB) | wall vs tollgate | wall vs floor |")
print("|---:|---|---:|---:|---:|---:|---:|---:|")
for r in rows:
    wall = float(r["wall_s"])
    files, mb = int(r["files"]), int(r["bytes"]) / 1e6
    ratio = wall / base[r["scale"]] if base.get(r["scale"]) else float("nan")
    note = "" if r["exit"] in ("0", "1", "2") or r["tool"] in ("squawk", "checkov", "detect-secrets", "kingfisher") else f" (exit {r['exit']})"
    vs_floor = wall / floor[r["scale"]] if floor.get(r["scale"]) else float("nan")
    print(f"| {files} | {r['tool']}{note} | {wall:.2f} | {files / wall:,.0f} | {mb / wall:,.1f} | {int(r['peak_rss_kb']) / 1024:,.0f} | {ratio:.1f}× | {vs_floor:.1f}× |")
PY
