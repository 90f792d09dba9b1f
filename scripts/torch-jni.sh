#!/usr/bin/env bash
# Builds DJL 0.36.0's PyTorch JNI (libdjl_torch.so) against the torch of a Python install (pip or
# conda; CPU or CUDA), installs it where DJL looks for it, and writes an environment file that
# scripts/mecam reads, so that the kit runs on that libtorch instead of the bundled 2.7.1 CPU one.
#
# usage: scripts/torch-jni.sh [--python PY] [--djl-src DIR] [--cache DIR] [--jobs N]
#                             [--cxx-std 17|20] [--cuda-home DIR] [--default]
#   --python    the Python whose torch to use (default: python3)
#   --djl-src   DJL's sources at tag v0.36.0 (a checkout or the unpacked release archive); default:
#               $MECAM_DJL_SRC, else djl-jni-src in a portable bundle, else ../shared/djl-jni-src
#               beside the repository, else the tag's
#               archive is downloaded from github.com/deepjavalibrary/djl (needs the network)
#   --cache     DJL's cache folder (default: DJL_CACHE_DIR, else $XDG_CACHE_HOME/mecam/djl, else
#               ~/.cache/mecam/djl: the kit's default, see README "Runtime settings")
#   --jobs      parallel compile jobs (default: the number of cores)
#   --cxx-std   C++ standard (default: 20 for torch >= 2.14, whose headers need it, else 17)
#   --cuda-home CUDA toolkit for a CUDA torch (default: CUDA_HOME, else the nvcc on PATH, else
#               /usr/local/cuda)
#   --rebuild   build even when the installed JNI was built for the same torch and settings
#   --default   also make it the kit's default libtorch for scripts/mecam (writes
#               ~/.config/mecam/torch.env; delete that file to return to the bundled one)
# Writes <cache>/pytorch/<version>-<flavor>-linux-x86_64/{0.36.0-libdjl_torch.so,mecam-torch.env}
# and prints the environment file's path last. Exit 2: bad option or missing tool; 3: build failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
python=python3
djl_src=${MECAM_DJL_SRC:-}
cache=
jobs=$(nproc 2>/dev/null || echo 2)
cxx_std=
cuda_home=${CUDA_HOME:-}
make_default=0
rebuild=0
die() { echo "error: $1" >&2; exit "${2:-2}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --python) python=$2; shift 2 ;;
    --djl-src) djl_src=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --cxx-std) cxx_std=$2; shift 2 ;;
    --cuda-home) cuda_home=$2; shift 2 ;;
    --default) make_default=1; shift ;;
    --rebuild) rebuild=1; shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
case "$jobs" in ''|*[!0-9]*|0) die "--jobs must be a positive whole number, got '$jobs'" ;; esac
case "$cxx_std" in ''|17|20|23) ;; *) die "--cxx-std must be 17, 20 or 23, got '$cxx_std'" ;; esac
command -v cmake >/dev/null || die "cmake not found (Debian: apt-get install cmake)"
cxx=${CXX:-$(command -v c++ || command -v g++ || true)}
[ -n "$cxx" ] || die "no C++ compiler found (Debian: apt-get install g++)"
# java: $MECAM_JAVA, else the runtime of a portable bundle (scripts/portable.sh), else the PATH's
java=${MECAM_JAVA:-}
[ -n "$java" ] || { [ -x "$repo/runtime/bin/java" ] && java=$repo/runtime/bin/java; } || java=$(command -v java || true)
[ -n "$java" ] || die "java not found (set MECAM_JAVA)"
# The kit's jar and its libraries (the JNI header is written from DJL's PyTorchLibrary class).
# MECAM_CLASSPATH (a class path with the kit's classes and DJL's) replaces the jar: the tests use it.
classpath=${MECAM_CLASSPATH:-}
if [ -z "$classpath" ]; then
  jar=${MECAM_JAR:-}
  if [ -z "$jar" ]; then
    for j in "$repo/target/mecam.jar" "$repo/mecam.jar"; do [ -f "$j" ] && jar=$j && break; done
  fi
  [ -n "$jar" ] && [ -f "$jar" ] || die "mecam.jar not found: build it first (mvn -q -B -DskipTests package) or set MECAM_JAR"
  lib=$(dirname "$jar")/lib
  ls "$lib"/pytorch-engine-*.jar >/dev/null 2>&1 || die "no pytorch-engine jar in $lib"
  classpath="$jar:$lib/*"
fi

# What the Python's torch is.
info=$("$python" - <<'EOF' 2>&1
import glob, os, sys
try:
    import torch
except Exception as e:
    print("error=cannot import torch: %s" % e); sys.exit(0)
tdir = os.path.dirname(torch.__file__)
site = os.path.dirname(tdir)
print("version=" + torch.__version__.split("+")[0])
print("full_version=" + torch.__version__)
print("cuda=" + (torch.version.cuda or ""))
print("libdir=" + os.path.join(tdir, "lib"))
print("cmake_prefix=" + torch.utils.cmake_prefix_path)
print("cxx11abi=" + str(int(torch._C._GLIBCXX_USE_CXX11_ABI)))
# pip's CUDA wheels put their libraries in site-packages/nvidia/*/lib, without a RUNPATH to them
print("nvidia_libs=" + ":".join(sorted(d for d in glob.glob(os.path.join(site, "nvidia", "*", "lib")) + glob.glob(os.path.join(site, "nvidia", "*", "lib64")) if os.path.isdir(d))))
EOF
) || die "could not run $python"
get() { sed -n "s/^$1=//p" <<<"$info" | head -1; }
[ -z "$(get error)" ] || die "$python: $(get error)"
version=$(get version)
[ -n "$version" ] || die "$python printed no torch version: $info"
cuda=$(get cuda)
libdir=$(get libdir)
cmake_prefix=$(get cmake_prefix)
nvidia_libs=$(get nvidia_libs)
if [ -n "$cuda" ]; then flavor=cu$(tr -d . <<<"$cuda"); else flavor=cpu; fi
if [ -z "$cxx_std" ]; then
  major=${version%%.*}; rest=${version#*.}; minor=${rest%%.*}
  if [ "$major" -gt 2 ] || { [ "$major" -eq 2 ] && [ "$minor" -ge 14 ]; }; then cxx_std=20; else cxx_std=17; fi
fi
[ -n "$cache" ] || cache=${DJL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mecam/djl}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
target_dir="$cache/pytorch/$version-$flavor-linux-x86_64"
echo "torch $(get full_version) ($flavor) from $python; C++$cxx_std; $jobs jobs; installing into $target_dir"

# DJL's JNI sources.
for d in "$repo/djl-jni-src" "$repo/../shared/djl-jni-src"; do
  if [ -z "$djl_src" ] && [ -d "$d" ]; then djl_src=$d; fi
done
if [ -z "$djl_src" ]; then
  djl_src="$cache/src/djl-0.36.0"
  if [ ! -f "$djl_src/engines/pytorch/pytorch-native/CMakeLists.txt" ]; then
    url=https://github.com/deepjavalibrary/djl/archive/refs/tags/v0.36.0.tar.gz
    echo "downloading DJL v0.36.0 sources from $url"
    mkdir -p "$djl_src"
    curl -fsSL --connect-timeout 20 --max-time 600 "$url" | tar -xz -C "$djl_src" --strip-components=1 \
      || die "could not download $url (offline? pass --djl-src with DJL's v0.36.0 sources)"
  fi
fi
native="$djl_src/engines/pytorch/pytorch-native"
[ -f "$native/CMakeLists.txt" ] && [ -f "$djl_src/api/src/main/native/djl/utils.h" ] \
  || die "$djl_src does not hold DJL's sources (engines/pytorch/pytorch-native/CMakeLists.txt, api/src/main/native/djl/utils.h)"

# Build in a copy, so that the sources stay unchanged; only the C++ standard is a parameter.
build="$cache/build/$version-$flavor"
stamp="torch $(get full_version) at $libdir, C++$cxx_std, $(cat "$native"/src/main/native/*.cc | cksum | cut -d' ' -f1)"
if [ $rebuild = 0 ] && [ -f "$target_dir/0.36.0-libdjl_torch.so" ] && [ -f "$target_dir/mecam-torch.env" ] \
   && [ "$(cat "$target_dir/build-stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "already built for $stamp (--rebuild to build again)"
  if [ $make_default = 1 ]; then mkdir -p "$HOME/.config/mecam" && cp "$target_dir/mecam-torch.env" "$HOME/.config/mecam/torch.env"; fi
  echo "run the kit on it with: scripts/mecam --torch $target_dir/mecam-torch.env train"
  echo "$target_dir/mecam-torch.env"
  exit 0
fi
rm -rf "$build"
mkdir -p "$build/engines/pytorch/pytorch-native" "$build/api/src/main"
cp -r "$native/CMakeLists.txt" "$native/src" "$build/engines/pytorch/pytorch-native/"
cp -r "$djl_src/api/src/main/native" "$build/api/src/main/"
src="$build/engines/pytorch/pytorch-native"
sed -i "s/CXX_STANDARD 17/CXX_STANDARD $cxx_std/" "$src/CMakeLists.txt"
"$java" -cp "$classpath" org.mecam.engine.JniHeader ai.djl.pytorch.jni.PyTorchLibrary "$src/build/include" >/dev/null \
  || die "could not write the JNI header"
cmake_args=(-S "$src" -B "$build/cmake" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$cmake_prefix"
            -DCMAKE_CXX_COMPILER="$cxx")
java_home=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.home = //p')
[ -n "$java_home" ] && [ -f "$java_home/include/jni.h" ] && cmake_args+=(-DJAVA_HOME="$java_home")
case "$version" in 1.13.1|2.0.1|2.1.*) cmake_args+=(-DPT_VERSION=V1_13_X) ;; esac
if [ "$flavor" != cpu ]; then
  if [ -z "$cuda_home" ]; then
    if command -v nvcc >/dev/null; then cuda_home=$(dirname "$(dirname "$(command -v nvcc)")"); else cuda_home=/usr/local/cuda; fi
  fi
  [ -x "$cuda_home/bin/nvcc" ] || die "torch is a CUDA build ($cuda) but no CUDA toolkit was found (nvcc under $cuda_home/bin): pass --cuda-home"
  cmake_args+=(-DUSE_CUDA=ON -DCUDAToolkit_ROOT="$cuda_home" -DCMAKE_CUDA_COMPILER="$cuda_home/bin/nvcc")
  export PATH="$cuda_home/bin:$PATH"
fi
log="$build/build.log"
echo "configuring and compiling (log: $log)"
if ! { cmake "${cmake_args[@]}" && cmake --build "$build/cmake" -j "$jobs"; } >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  die "the build failed; the whole log is $log" 3
fi
mkdir -p "$target_dir"
cp "$build/cmake/libdjl_torch.so" "$target_dir/0.36.0-libdjl_torch.so.partial"
mv "$target_dir/0.36.0-libdjl_torch.so.partial" "$target_dir/0.36.0-libdjl_torch.so"

env_file="$target_dir/mecam-torch.env"
ld="$libdir"
[ -z "$nvidia_libs" ] || ld="$nvidia_libs:$libdir"
if [ "$flavor" != cpu ]; then
  # DJL counts GPUs by loading "cudart" through JNA, which looks for libcudart.so; pip's wheels
  # carry only libcudart.so.<major>: link the first one found under that name
  cudart=
  for d in ${nvidia_libs//:/ } "$libdir" "$cuda_home/lib64"; do
    for f in "$d"/libcudart.so*; do
      if [ -z "$cudart" ] && [ -f "$f" ]; then cudart=$f; fi
    done
  done
  if [ -n "$cudart" ]; then
    mkdir -p "$target_dir/cudart"
    ln -sf "$cudart" "$target_dir/cudart/libcudart.so"
    ld="$ld:$target_dir/cudart"
  fi
fi
{
  echo "# The kit on torch $(get full_version) ($flavor) of $python, written by scripts/torch-jni.sh on $(date -u +%FT%TZ)."
  echo "# scripts/mecam --torch $env_file ... reads it (or MECAM_TORCH=$env_file)."
  echo "export PYTORCH_LIBRARY_PATH='$libdir'"
  echo "export PYTORCH_VERSION='$version'"
  echo "export PYTORCH_FLAVOR='$flavor'"
  echo "export DJL_CACHE_DIR='$cache'"
  echo "export LD_LIBRARY_PATH='$ld'\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
  echo "export MECAM_TORCH_PYTHON='$python'"
  # cuDNN's LSTM warns on every call that DJL's separate weight tensors are not one flat chunk
  [ "$flavor" = cpu ] || echo "export TORCH_CPP_LOG_LEVEL=\${TORCH_CPP_LOG_LEVEL:-ERROR}"
} >"$env_file.partial"
mv "$env_file.partial" "$env_file"
echo "$stamp" >"$target_dir/build-stamp"
if [ $make_default = 1 ]; then
  mkdir -p "$HOME/.config/mecam"
  cp "$env_file" "$HOME/.config/mecam/torch.env"
  echo "default libtorch for scripts/mecam: $HOME/.config/mecam/torch.env"
fi
echo "built; run the kit on it with: scripts/mecam --torch $env_file train"
echo "$env_file"
