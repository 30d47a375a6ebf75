#!/usr/bin/env bash
# Runs `tollgate github` with the action's inputs, read from the environment (never interpolated
# into this script). tollgate writes the annotations, $GITHUB_STEP_SUMMARY and $GITHUB_OUTPUT.
set -euo pipefail

args=(github
  --fail-on "${INPUT_FAIL_ON:-error}"
  --filter-mode "${INPUT_FILTER_MODE:-added}"
  --comment "${INPUT_COMMENT:-review}")
if [[ -n "${INPUT_POLICY:-}" ]]; then
  args+=(--policy "$INPUT_POLICY")
fi
case "${INPUT_CHECK_RUN:-false}" in
  true | True | TRUE | 1 | yes) args+=(--check-run) ;;
esac
if [[ -n "${INPUT_SARIF_FILE:-}" ]]; then
  args+=(--sarif-file "$INPUT_SARIF_FILE")
fi

# Paths are split on whitespace only: `read -a` does no globbing and no expansion.
paths=()
read -r -d '' -a paths <<< "${INPUT_PATHS:-.}" || true
if [[ ${#paths[@]} -eq 0 ]]; then
  paths=(.)
fi

exec "${TOLLGATE_BIN:-tollgate}" "${args[@]}" -- "${paths[@]}"
