#!/bin/sh
# Installs the consensus binary for this machine from a GitHub release:
# downloads it and the release's SHA256SUMS, checks the checksum, and only
# then puts it in ~/.local/bin (or --dir). Nothing is installed when the
# checksum does not match.
#
#   curl -fsSL https://github.com/OWNER/REPO/releases/latest/download/install.sh | sh
#   sh install.sh --dir /usr/local/bin --version v0.1.0
#
# Environment (all optional):
#   CONSENSUS_BASE_URL     where the release files are, instead of the GitHub release
#   CONSENSUS_REPOSITORY   the GitHub repository (OWNER/REPO) whose releases to use
#   CONSENSUS_OS           the system instead of the detected one: linux, macos, windows
#   CONSENSUS_ARCH         the CPU instead of the detected one: x64, arm64
set -eu

# The release workflow writes the repository here in the copy it publishes.
repository="${CONSENSUS_REPOSITORY:-__REPOSITORY__}"
dir="${HOME:-}/.local/bin"
version=""

usage() {
  cat <<'USAGE'
Usage: install.sh [--dir DIR] [--version vX.Y.Z]

Downloads the consensus binary for this system and CPU and the release's SHA256SUMS, checks the
checksum and installs it as DIR/consensus (default ~/.local/bin).

  --dir DIR          where to install (created if needed)
  --version vX.Y.Z   that release instead of the latest
  -h, --help         show this help

Environment: CONSENSUS_BASE_URL (where the release files are), CONSENSUS_REPOSITORY (OWNER/REPO),
CONSENSUS_OS (linux, macos) and CONSENSUS_ARCH (x64, arm64) instead of the detected ones.
USAGE
}

fail() {
  printf 'install.sh: %s\n' "$*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
    --dir)
      [ $# -ge 2 ] || fail "--dir needs a directory"
      dir="$2"
      shift 2
      ;;
    --dir=*)
      dir="${1#--dir=}"
      shift
      ;;
    --version)
      [ $# -ge 2 ] || fail "--version needs a release tag, e.g. v0.1.0"
      version="$2"
      shift 2
      ;;
    --version=*)
      version="${1#--version=}"
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) fail "unknown argument \"$1\" (see install.sh --help)" ;;
  esac
done
[ -n "$dir" ] || fail "no install directory: give --dir DIR (HOME is not set)"

available="linux x64, linux arm64, macos x64, macos arm64, windows x64"
os="${CONSENSUS_OS:-$(uname -s)}"
arch="${CONSENSUS_ARCH:-$(uname -m)}"
case "$os" in
  Linux | linux) os=linux ;;
  Darwin | darwin | macos) os=macos ;;
  MINGW* | MSYS* | CYGWIN* | Windows_NT | windows)
    fail "this is Windows: use install.ps1 in PowerShell instead"
    ;;
  *) fail "no consensus binary for the system \"$os\" (there are: $available)" ;;
esac
case "$arch" in
  x86_64 | amd64 | x64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) fail "no consensus binary for the CPU \"$arch\" on $os (there are: $available)" ;;
esac
# A shell under Rosetta on Apple silicon reports x86_64: take the native binary.
if [ "$os" = macos ] && [ "$arch" = x64 ] && [ -z "${CONSENSUS_ARCH:-}" ] &&
  [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
  arch=arm64
fi
file="consensus-$os-$arch"

base="${CONSENSUS_BASE_URL:-}"
if [ -z "$base" ]; then
  case "$repository" in
    */*) ;;
    *) fail "no release to download from: set CONSENSUS_REPOSITORY=OWNER/REPO or CONSENSUS_BASE_URL" ;;
  esac
  if [ -n "$version" ]; then
    base="https://github.com/$repository/releases/download/$version"
  else
    base="https://github.com/$repository/releases/latest/download"
  fi
fi
base="${base%/}"

download() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL -o "$2" "$1" || fail "cannot download $1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1" || fail "cannot download $1"
  else
    fail "curl or wget is needed to download $1"
  fi
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  elif command -v openssl >/dev/null 2>&1; then
    openssl dgst -sha256 -r "$1" | cut -d ' ' -f 1
  else
    fail "sha256sum, shasum or openssl is needed to check the download"
  fi
}

work="$(mktemp -d 2>/dev/null || mktemp -d -t consensus-install)"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

printf 'Downloading %s from %s\n' "$file" "$base"
download "$base/SHA256SUMS" "$work/SHA256SUMS"
download "$base/$file" "$work/$file"

# A line of SHA256SUMS is "HASH  NAME" (or "HASH *NAME" for binary mode).
expected="$(awk -v name="$file" '$2 == name || $2 == "*" name { print $1; exit }' "$work/SHA256SUMS")"
[ -n "$expected" ] || fail "SHA256SUMS has no line for $file: nothing was installed"
actual="$(sha256 "$work/$file")"
if [ "$actual" != "$expected" ]; then
  fail "checksum mismatch for $file: SHA256SUMS says $expected, the download is $actual. Nothing was installed."
fi

mkdir -p "$dir" || fail "cannot create $dir"
chmod 755 "$work/$file"
# Copied next to its place first, then renamed: a running consensus is never half-replaced.
cp "$work/$file" "$dir/.consensus.$$" || fail "cannot write to $dir"
mv -f "$dir/.consensus.$$" "$dir/consensus" || fail "cannot write $dir/consensus"

printf 'Installed %s as %s\n' "$file" "$dir/consensus"
"$dir/consensus" --version || printf 'install.sh: warning: %s/consensus does not run here\n' "$dir" >&2
case ":${PATH:-}:" in
  *":$dir:"*) printf 'Run: consensus serve, or consensus join HOST:PORT\n' ;;
  *)
    printf '%s is not on your PATH. Add it (in ~/.profile, ~/.bashrc or ~/.zshrc):\n' "$dir"
    printf '  export PATH="%s:$PATH"\n' "$dir"
    printf 'or in fish: fish_add_path %s\n' "$dir"
    ;;
esac
