#!/usr/bin/env bash
# Installs the tollgate binary for this runner: the release archive for the runner's OS/arch with
# its sha256 verified, else `cargo install --locked --path "$GITHUB_ACTION_PATH"`. Puts it on PATH.
#
# Environment: INPUT_VERSION (empty = this action's own version; `source` = build this checkout of
# the action, as its own CI does), RUNNER_OS, RUNNER_ARCH,
# GITHUB_ACTION_PATH, GITHUB_PATH, TOLLGATE_INSTALL_DIR (cached between runs),
# TOLLGATE_RELEASE_BASE (mirror of the releases download URL; file:// works).
set -euo pipefail

log() { printf 'tollgate install: %s\n' "$*" >&2; }

action_path="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
install_dir="${TOLLGATE_INSTALL_DIR:-${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}}/tollgate}"
release_base="${TOLLGATE_RELEASE_BASE:-https://github.com/tollgate-dev/tollgate/releases/download}"

version="${INPUT_VERSION:-}"
version="${version#v}"
from_source=false
if [[ "$version" == source ]]; then
  from_source=true
  version=""
fi
if [[ -z "$version" ]]; then
  version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$action_path/Cargo.toml" | head -n 1)"
fi
if [[ ! "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]]; then
  log "invalid version '$version' (expected e.g. 0.1.0)"
  exit 2
fi

# The release matrix in .github/workflows/release.yml builds exactly these targets.
case "${RUNNER_OS:-Linux}/${RUNNER_ARCH:-X64}" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc ;;
  *) target="" ;;
esac
exe=tollgate
[[ "${RUNNER_OS:-}" == Windows ]] && exe=tollgate.exe

bin_dir="$install_dir/$version/${target:-source}/bin"
add_to_path() {
  if [[ -n "${GITHUB_PATH:-}" ]]; then
    printf '%s\n' "$bin_dir" >> "$GITHUB_PATH"
  fi
  log "tollgate $version ready in $bin_dir"
}

if [[ "$from_source" == true ]]; then
  # The cache key of a source build is the commit (action.yml), so a cached binary is this source.
  bin_dir="$install_dir/$version/source/bin"
fi

if [[ -x "$bin_dir/$exe" ]] && "$bin_dir/$exe" --version 2>/dev/null | grep -qF " $version"; then
  log "using cached tollgate $version"
  add_to_path
  exit 0
fi

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

download_release() {
  [[ -n "$target" ]] || { log "no release build for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}"; return 1; }
  local archive="tollgate-v$version-$target.tar.gz"
  local url="$release_base/v$version/$archive"
  local tmp
  tmp="$(mktemp -d)"
  log "downloading $url"
  if ! curl --proto '=https,file' --fail --silent --show-error --location --retry 3 --output "$tmp/$archive" "$url" \
    || ! curl --proto '=https,file' --fail --silent --show-error --location --retry 3 --output "$tmp/$archive.sha256" "$url.sha256"; then
    log "no release archive at $url"
    rm -rf "$tmp"
    return 1
  fi
  local expected actual
  expected="$(cut -d' ' -f1 < "$tmp/$archive.sha256" | tr -d '[:space:]')"
  actual="$(sha256 "$tmp/$archive")"
  if [[ -z "$expected" || "$expected" != "$actual" ]]; then
    log "checksum mismatch for $archive (expected '$expected', got '$actual'); refusing to install it"
    rm -rf "$tmp"
    return 1
  fi
  mkdir -p "$tmp/unpacked" "$bin_dir"
  tar -xzf "$tmp/$archive" -C "$tmp/unpacked"
  local found
  found="$(find "$tmp/unpacked" -type f -name "$exe" | head -n 1)"
  [[ -n "$found" ]] || { log "$archive holds no $exe"; rm -rf "$tmp"; return 1; }
  install -m 0755 "$found" "$bin_dir/$exe"
  rm -rf "$tmp"
}

build_from_source() {
  if ! command -v cargo >/dev/null 2>&1; then
    log "cargo is not available to build from source"
    return 1
  fi
  log "building tollgate $version from $action_path with cargo (a few minutes)"
  local root="${bin_dir%/bin}"
  cargo install --locked --path "$action_path" --root "$root" --force
}

if [[ "$from_source" == false ]] && download_release; then
  add_to_path
elif build_from_source; then
  add_to_path
else
  log "could not install tollgate: no verified release archive and no cargo to build one"
  exit 1
fi
