#!/bin/bash
# Stops the cluster tests/slurm/start-cluster.sh DIR started: cancels its jobs (so that no task's
# slurmstepd or compile outlives slurmd), stops slurmd and slurmctld by the PIDs in their pid
# files, then munged by its own, then the watchdog; waits until each has exited.
#   tests/slurm/stop-cluster.sh DIR
set -uo pipefail
dir=${1:?usage: stop-cluster.sh DIR}

stop() {  # stop PIDFILE: SIGTERM, then SIGKILL after 10 s
  [ -f "$1" ] || return 0
  local pid
  pid=$(cat "$1")
  [ -n "$pid" ] && kill "$pid" 2> /dev/null || return 0
  for _ in $(seq 100); do
    kill -0 "$pid" 2> /dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2> /dev/null
}
if [ -f "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2> /dev/null; then
  export SLURM_CONF=$dir/slurm.conf
  scancel --quiet --full --user="$(id -un)" 2> /dev/null
  for _ in $(seq 100); do
    [ -z "$(squeue -h -o %i 2> /dev/null)" ] && break
    sleep 0.1
  done
fi
stop "$dir/slurmd.pid"
stop "$dir/slurmctld.pid"
stop "$dir/munge/munged.pid"
stop "$dir/watchdog.pid"
