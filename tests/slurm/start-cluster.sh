#!/bin/bash
# Starts a one-node Slurm cluster (Debian's slurm-wlm 22.05 and munge) in a scratch folder, as
# docs/zoo.md's test needs it on a machine without systemd or cgroups
# (/work/shared/reference/slurm.md): its own munge key and munged, a slurm.conf for this host on
# free non-default ports with proctrack/linuxproc and task/none, slurmctld and slurmd in the
# foreground as background processes; waits until sinfo shows the node idle.
#   tests/slurm/start-cluster.sh DIR [OWNER_PID]
# On success prints `export SLURM_CONF=DIR/slurm.conf` (for eval) and exits 0; stop it with
# tests/slurm/stop-cluster.sh DIR. With OWNER_PID, a watchdog stops the cluster when that process
# ends, however it ends. When Slurm cannot start here, exits 77 with the reason on stderr and
# leaves nothing running.
set -uo pipefail
dir=${1:?usage: start-cluster.sh DIR [OWNER_PID]}
owner=${2:-}
here=$(cd "$(dirname "$0")" && pwd)

cannot_start() {
  echo "start-cluster.sh: Slurm cannot start here: $*" >&2
  bash "$here/stop-cluster.sh" "$dir" > /dev/null 2>&1
  exit 77
}

for tool in munged munge unmunge slurmctld slurmd sinfo sbatch; do
  command -v "$tool" > /dev/null || cannot_start "$tool is not installed (scripts/install-deps.sh)"
done
[ "$(id -u)" = 0 ] || cannot_start "slurmd must run as root (SlurmdUser=root)"

rm -rf "$dir"
mkdir -p "$dir"/{munge,state,spool,log} || cannot_start "cannot create $dir"
dir=$(cd "$dir" && pwd)

# munge: a key of 1024 random bytes, mode 400, and munged on a socket of our own; --force accepts
# root's ownership of the files.
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge/munge.key"
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/socket" \
  --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" \
  --seed-file="$dir/munge/seed" 2> "$dir/log/munged.err" ||
  cannot_start "munged failed: $(cat "$dir/log/munged.err" "$dir/log/munged.log" 2> /dev/null)"
munge -S "$dir/munge/socket" -n | unmunge -S "$dir/munge/socket" > /dev/null 2>&1 ||
  cannot_start "munge cannot encode and decode a credential"

# Two free TCP ports from 16817 up (not Slurm's 6817/6818, so a real cluster or another run of
# this script does not collide).
free_port() {
  local port=$1
  while ss -Htan "( sport = :$port )" | grep -q . || [ "$port" = "${2:-}" ]; do
    port=$((port + 1))
  done
  echo "$port"
}
ctld_port=$(free_port $((16817 + RANDOM % 1000)))
slurmd_port=$(free_port $((ctld_port + 1)) "$ctld_port")

host=$(hostname -s)
memory_mb=$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
cat > "$dir/slurm.conf" <<CONF
ClusterName=tpuc-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
ReturnToService=2
MpiDefault=none
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
# A task over its time limit is signalled at the next limit check (every 30 s), and killed 2 s
# later rather than 30: the zoo test's TIMEOUT case waits less.
OverTimeLimit=0
KillWait=2
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$memory_mb State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$dir/slurm.conf

slurmctld -D -f "$SLURM_CONF" > "$dir/log/slurmctld.out" 2>&1 &
slurmd -D -f "$SLURM_CONF" > "$dir/log/slurmd.out" 2>&1 &
if [ -n "$owner" ]; then
  # The watchdog, in a session of its own: ctest may kill the test's processes outright (its
  # timeout), and then no trap runs.
  setsid bash -c "while kill -0 $owner 2> /dev/null; do sleep 1; done
    bash '$here/stop-cluster.sh' '$dir'" < /dev/null > /dev/null 2>&1 &
  echo $! > "$dir/watchdog.pid"
fi

for _ in $(seq 60); do
  if [ "$(sinfo -h -N -o %t 2> /dev/null)" = idle ]; then
    echo "export SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 0.5
done
cannot_start "the node is not idle after 30 s: $(sinfo -h -N -o %t 2>&1);" \
  "$(tail -n 5 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" "$dir"/log/*.out 2>&1)"
