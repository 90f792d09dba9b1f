#!/usr/bin/env bash
# The GPU measurements of docs/bench/, in one run on one machine: builds DJL's JNI against the
# node's Python torch (scripts/torch-jni.sh), trains the tiny preset on the GPU (and lists what the
# run wrote: figures need fonts, which such nodes often lack), runs `mecam bench --device gpu`
# (train/eval step times of the bench entries, the main job's wall time), and the same steps in
# plain PyTorch (scripts/torch_reference_bench.py, both styles) on the same GPU.
#
# usage: scripts/gpu-bench.sh [--portable DIR] [--python PY] [--out DIR] [--device gpu|cpu]
#                             [--processes N] [--steps N]
#   --portable  a bundle from scripts/portable.sh (default: this checkout's target/ and java)
#   --python    the Python whose torch to build against and to run the reference with (python3)
#   --out       where the JSON files and logs go (default: results/gpu-bench)
#   --device    cpu runs the same sequence on the CPU
#   --quick     a dry run of this script: 2 timed steps everywhere, no BERT
#   --skip-bert leave out BERT mode (the kit's bench entries; the reference's --all keeps it)
# Writes: run.log, jni-build.log, bench.json, pytorch-mirror.json, pytorch-idiomatic.json.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
portable=
py=python3
out=$repo/results/gpu-bench
device=gpu
processes=2
steps=20
ref_steps=30
bert=
while [ $# -gt 0 ]; do
  case "$1" in
    --portable) portable=$(cd "$2" && pwd); shift 2 ;;
    --python) py=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --device) device=$2; shift 2 ;;
    --processes) processes=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --quick) processes=1; steps=2; ref_steps=2; bert=--skip-bert; shift ;;
    --skip-bert) bert=--skip-bert; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
exec > >(tee -a "$out/run.log") 2>&1
log() { echo "[$(date -u +%T)] $*"; }
scripts=$repo/scripts
[ -z "$portable" ] || scripts=$portable/scripts
torch_device=cuda
[ "$device" = gpu ] || torch_device=cpu

log "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; fonts: $(fc-list 2>/dev/null | wc -l) (fc-list)"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
"$py" -c "import torch, sys; print('python', sys.version.split()[0], 'torch', torch.__version__, 'cuda', torch.version.cuda, 'gpu', torch.cuda.get_device_name() if torch.cuda.is_available() else None)"

log "plain PyTorch reference, mirror style"
PYTHONUNBUFFERED=1 "$py" "$repo/scripts/torch_reference_bench.py" --device $torch_device --all --style mirror \
  --warmup 5 --steps $ref_steps --out "$out/pytorch-mirror.json" | tail -n 6
log "plain PyTorch reference, idiomatic style"
PYTHONUNBUFFERED=1 "$py" "$repo/scripts/torch_reference_bench.py" --device $torch_device --all --style idiomatic \
  --warmup 5 --steps $ref_steps --out "$out/pytorch-idiomatic.json" | tail -n 6

log "building the JNI against $py's torch"
cache=${MECAM_GPU_BENCH_CACHE:-/tmp/mecam-djl}
"$scripts/torch-jni.sh" --python "$py" --cache "$cache" --jobs "$(nproc)" > "$out/jni-build.log" 2>&1
rc=$?
tail -n 3 "$out/jni-build.log"
if [ $rc != 0 ]; then
  cp "$cache"/build/*/build.log "$out/jni-cmake.log" 2>/dev/null
  log "JNI build failed (exit $rc): the kit cannot run on this torch"; exit 3
fi
env_file=$(tail -n 1 "$out/jni-build.log")

log "tiny preset, 2 epochs, on the $device"
rm -rf /tmp/gpu-bench-tiny
"$scripts/mecam" --torch "$env_file" train --preset tiny --epochs 2 --device $device --quiet --results /tmp/gpu-bench-tiny
ls /tmp/gpu-bench-tiny/*/
grep -h -A3 '"warnings"' /tmp/gpu-bench-tiny/*/metrics.json
grep -h -E '"(libtorch|onednn|device)"' /tmp/gpu-bench-tiny/*/config.json

log "mecam bench --device $device"
"$scripts/mecam" --torch "$env_file" bench --device $device --skip-data --skip-rss $bert --processes "$processes" \
  --steps "$steps" --out "$out/bench.json"
log "done"
