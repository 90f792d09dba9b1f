#!/usr/bin/env bash
# Packs the kit with its own Java runtime (a jlink image) for machines that have no Java and no
# network, such as GPU and cluster nodes: target/portable/{runtime,mecam.jar,lib,scripts}.
# There: scripts/torch-jni.sh --python python3 builds the JNI against that node's torch, and
# scripts/mecam --torch <env file> train --device gpu runs the kit on it.
#
# usage: scripts/portable.sh [--out DIR] [--slim] [--archive] [--djl-src DIR]
#   --out      where to write (default: target/portable; replaced)
#   --slim     leave out what train, evaluate, bench and torch-jni.sh do not load (the bundled CPU
#              libtorch, Tablesaw's libraries, the notebook kernel; Tribuo stays: the method registry
#              loads its baselines at start): about a third of
#              the size, for copying to a node that brings its own torch
#   --archive  also write DIR.tar.xz (the runtime's modules then stay uncompressed, which xz packs
#              better: about 49 MB with --slim)
#   --djl-src  also copy DJL's JNI sources (default: ../shared/djl-jni-src when it exists) to
#              DIR/djl-jni-src, so that the node needs no network to build the JNI
# Needs: mvn -q -B -DskipTests package first, and a JDK with jmods (jlink).
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/portable
slim=0
archive=0
djl_src=
[ -d ../shared/djl-jni-src ] && djl_src=../shared/djl-jni-src
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --slim) slim=1; shift ;;
    --archive) archive=1; shift ;;
    --djl-src) djl_src=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -f target/mecam.jar ] || { echo "error: target/mecam.jar not found: build it first (mvn -q -B -DskipTests package)" >&2; exit 2; }
command -v jlink >/dev/null || { echo "error: jlink not found (a JDK 17+ with jmods is needed)" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out/lib" "$out/scripts"
# The modules the kit's classes and libraries use (jdeps --print-module-deps), and the JDK's
# headers (jni.h: torch-jni.sh compiles against them).
modules=java.base,java.desktop,java.logging,java.management,java.naming,java.scripting,java.sql,java.xml,jdk.unsupported,jdk.zipfs
[ $slim = 1 ] || modules=$modules,jdk.jshell,jdk.compiler
compress=2
[ $archive = 0 ] || compress=0
jlink --add-modules "$modules" --strip-debug --no-man-pages --compress=$compress --output "$out/runtime"
# Debian's libjvm.so keeps its symbol table (23 MB): not needed to run
! command -v strip >/dev/null || strip --strip-unneeded "$out/runtime/lib/server/libjvm.so"
cp target/mecam.jar "$out/"
for j in target/lib/*.jar; do
  name=$(basename "$j")
  if [ $slim = 1 ]; then
    case "$name" in
      pytorch-native-cpu-*|fastutil-*|icu4j-*|tablesaw-*|pdfbox-*|fontbox-*|jjava-*|jeromq-*|jline-reader-*|jline-builtins-*|commons-math3-*|RoaringBitmap-*|univocity-*|opencsv-*|commons-beanutils-*|commons-text-*|commons-collections-*|commons-collections4-*|classgraph-*|guava-*|failureaccess-*|checker-qual-*|listenablefuture-*) continue ;;
    esac
  fi
  cp "$j" "$out/lib/"
done
cp scripts/mecam scripts/torch-jni.sh "$out/scripts/"
[ -f scripts/torch_reference_bench.py ] && cp scripts/torch_reference_bench.py "$out/scripts/"
if [ -n "$djl_src" ]; then
  mkdir -p "$out/djl-jni-src"
  cp -r "$djl_src"/. "$out/djl-jni-src/"
fi
if [ $archive = 1 ]; then
  tar -C "$(dirname "$out")" -cJf "$out.tar.xz.partial" "$(basename "$out")"
  mv "$out.tar.xz.partial" "$out.tar.xz"
  echo "$out.tar.xz: $(du -sh "$out.tar.xz" | cut -f1)"
fi
echo "$out: $(du -sh "$out" | cut -f1) (runtime $(du -sh "$out/runtime" | cut -f1), lib $(du -sh "$out/lib" | cut -f1))"
