#!/usr/bin/env bash
# Fuzz tollgate's parsers with cargo-fuzz (libFuzzer), seeded from fixtures/.
#
#   scripts/fuzz.sh seed                 # (re)build fuzz/corpus/<target>/ from fixtures/ and regressions
#   scripts/fuzz.sh run sql 600          # fuzz one target for 600 s (or RUNS executions, if sooner)
#   scripts/fuzz.sh all 300              # every target, 300 s each
#   RUNS=1000000 scripts/fuzz.sh run sql 240   # stop at 1M executions or 240 s, whichever first
#   scripts/fuzz.sh list                 # target names
#
# Needs a nightly toolchain and `cargo install cargo-fuzz`. Each run prints libFuzzer's
# "Done N runs in S second(s)"; the totals are appended to fuzz/runs.log. A crashing input lands in
# fuzz/artifacts/<target>/: copy it to fuzz/regressions/<target>/ (tests/robust_fuzz_regressions.rs
# runs it in the normal suite), then fix the bug.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here/fuzz"
TARGETS=(sql env dockerfile yaml policy suppress engine)
# Per-input timeout (s) and memory cap (MiB): a hang or blow-up is a finding too. Inputs up to
# MAX_LEN bytes (default 4096): long enough for every construct, short enough for >1M executions
# in a few minutes; a quadratic parser still shows up as a timeout or in the slow-unit report.
FUZZ_ARGS=(-timeout=10 -rss_limit_mb=2048 "-max_len=${MAX_LEN:-4096}" -runs="${RUNS:--1}")
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$here/fuzz/target}"
# Release build with debug assertions off (cargo-fuzz's default; `--debug-assertions` made every
# run several times slower), no sanitizer (safe Rust): the build takes the shared cargo lock, the
# fuzzing itself does not.
BUILD_ARGS=(--release --sanitizer none)
TRIPLE="$(rustc +nightly -vV | sed -n 's/^host: //p')"

seed() {
    local t dir
    for t in "${TARGETS[@]}"; do
        dir="corpus/$t"
        mkdir -p "$dir"
        cp -f regressions/"$t"/* "$dir"/ 2>/dev/null || true
    done
    find "$here/fixtures" -type f -name '*.sql' -exec cp -f --backup=numbered -t corpus/sql/ {} +
    find "$here/fixtures" -type f \( -name 'Dockerfile*' -o -name '*.Dockerfile' -o -name 'Containerfile*' \) \
        -exec cp -f --backup=numbered -t corpus/dockerfile/ {} +
    find "$here/fixtures" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) \
        -exec cp -f --backup=numbered -t corpus/yaml/ {} +
    find "$here/fixtures" -type f \( -name '.env*' -o -name '*.env' -o -name 'env.*' -o -name 'next.config.*' \
        -o -name '*.ts' -o -name '*.py' -o -name 'compose*.y*ml' -o -name 'docker-compose*.y*ml' \) \
        -exec cp -f --backup=numbered -t corpus/env/ {} +
    find "$here/fixtures" "$here/policies" -type f -name '*.toml' -exec cp -f --backup=numbered -t corpus/policy/ {} +
    # Suppression comments live in every kind; the engine target takes any kind's text.
    grep -rl --include='*' 'tollgate-ignore' "$here/fixtures" | xargs -r cp -f --backup=numbered -t corpus/suppress/
    for t in sql dockerfile yaml; do cp -f corpus/"$t"/* corpus/engine/ 2>/dev/null || true; done
    for t in "${TARGETS[@]}"; do echo "$t: $(ls corpus/"$t" | wc -l) seeds"; done
}

run() {
    local t="$1" secs="$2" log
    mkdir -p corpus/"$t"
    log="$(mktemp)"
    mkdir -p artifacts/"$t"
    # NO_BUILD=1 reuses the binaries already built (the lock may be held by a long build).
    [ -n "${NO_BUILD:-}" ] || flock /tmp/cargo.lock cargo +nightly fuzz build "${BUILD_ARGS[@]}" "$t"
    "$CARGO_TARGET_DIR/$TRIPLE/release/$t" -artifact_prefix=artifacts/"$t"/ corpus/"$t" \
        -max_total_time="$secs" "${FUZZ_ARGS[@]}" 2>&1 | tee "$log" |
        grep -E '^(#[0-9]+\s+(INITED|DONE)|Done|==|SUMMARY|artifact_prefix|Test unit written|Slowest)' || true
    local done_line
    done_line="$(grep -E '^Done [0-9]+ runs' "$log" | tail -n 1 || true)"
    echo "$(date -u +%FT%TZ) $t ${secs}s max_len=${MAX_LEN:-4096} runs<=${RUNS:--1}: ${done_line:-no Done line (crash? see fuzz/artifacts/$t)}" >>runs.log
    rm -f "$log"
}

case "${1:-}" in
seed) seed ;;
run) run "$2" "${3:-60}" ;;
all)
    for t in "${TARGETS[@]}"; do run "$t" "${2:-60}"; done
    ;;
list) printf '%s\n' "${TARGETS[@]}" ;;
*)
    sed -n '2,13p' "$0"
    exit 2
    ;;
esac
