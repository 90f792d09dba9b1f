#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for the tests and for trying `--launcher slurm`:
# Debian's slurm-wlm (22.05) and munge, slurmctld and slurmd on 127.0.0.1, the configuration and
# state in a temporary directory ($MECAM_SLURM_DIR, default /tmp/mecam-slurm).
#
#   scripts/slurm-local.sh start    install the packages if missing (needs root and apt), start munged,
#                                   slurmctld and slurmd, wait until the node is idle; prints
#                                   `export SLURM_CONF=...` for the shell that submits
#   scripts/slurm-local.sh stop     stop the daemons this script started
#   scripts/slurm-local.sh status   sinfo of the local cluster
#
# Exit codes: 0 done; 3 this machine cannot run Slurm (not root, no apt, no packages), with the
# reason on stderr, so that tests can say why they skip.
set -euo pipefail
dir="${MECAM_SLURM_DIR:-/tmp/mecam-slurm}"
conf="$dir/slurm.conf"
export SLURM_CONF="$conf"
host=$(hostname -s)

cannot() { echo "slurm-local: $*" >&2; exit 3; }

install() {
  command -v slurmctld >/dev/null && command -v munged >/dev/null && return
  [[ $(id -u) -eq 0 ]] || cannot "slurm-wlm and munge are not installed and this is not root"
  command -v apt-get >/dev/null || cannot "slurm-wlm and munge are not installed and there is no apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null 2>&1; } \
    || cannot "apt-get install slurm-wlm munge failed"
}

start() {
  [[ $(id -u) -eq 0 ]] || cannot "slurmd needs root here (this is uid $(id -u))"
  install
  mkdir -p "$dir/state" "$dir/spool" "$dir/log"
  if ! pgrep -x munged >/dev/null; then
    [[ -f /etc/munge/munge.key ]] || { mungekey --create >/dev/null 2>&1 || cannot "no munge key"; chown munge:munge /etc/munge/munge.key; }
    mkdir -p /run/munge && chown munge:munge /run/munge
    runuser -u munge -- munged || cannot "munged did not start"
  fi
  mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
  cat > "$conf" <<CONF
ClusterName=mecam-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=${MECAM_SLURM_PORT:-6817}
SlurmdPort=$(( ${MECAM_SLURM_PORT:-6817} + 1 ))
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MaxArraySize=10001
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  pkill -f "slurmctld -f $conf" 2>/dev/null || true
  pkill -f "slurmd -f $conf" 2>/dev/null || true
  slurmctld -f "$conf" -i || cannot "slurmctld did not start; see $dir/log/slurmctld.log"
  slurmd -f "$conf" || cannot "slurmd did not start; see $dir/log/slurmd.log"
  for _ in $(seq 1 60); do
    if sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      echo "export SLURM_CONF=$conf"
      return
    fi
    sleep 1
  done
  cannot "the node did not become idle; see $dir/log/"
}

stop() {
  pkill -f "slurmd -f $conf" 2>/dev/null || true
  pkill -f "slurmctld -f $conf" 2>/dev/null || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) sinfo ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
