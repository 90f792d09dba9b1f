#!/usr/bin/env bash
# Puts the kit's command on the PATH: links PREFIX/bin/mecam to this checkout's scripts/mecam,
# which starts target/mecam.jar with the libtorch it should use (see scripts/mecam).
#
# usage: scripts/install.sh [--prefix DIR]   default DIR: ~/.local (DIR/bin should be on the PATH)
# Build the jar first (mvn -q -B -DskipTests package); a missing jar is only a note here, since
# the link stays valid across rebuilds. Exit 2 with one error: line on bad usage.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
prefix=$HOME/.local
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || { echo "error: --prefix needs a folder" >&2; exit 2; }; prefix=$2; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$prefix/bin"
ln -sfn "$here/mecam" "$prefix/bin/mecam"
echo "installed $prefix/bin/mecam -> $here/mecam"
[ -f "$here/../target/mecam.jar" ] || echo "note: build the jar before the first use: mvn -q -B -DskipTests package"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "note: $prefix/bin is not on your PATH; add it: export PATH=\"$prefix/bin:\$PATH\"" ;;
esac
