#!/bin/bash
# ctest's ZooOnSlurm: starts a one-node Slurm cluster in DIR (start-cluster.sh), runs the zoo's
# Slurm tests against it and stops it however they end (the trap; start-cluster.sh's watchdog
# covers a kill). Exit code 77, which ctest reports as skipped, with the reason printed, when
# Slurm cannot start on this machine.
#   tests/slurm/run-test.sh TEST_BINARY DIR
set -uo pipefail
test_binary=${1:?usage: run-test.sh TEST_BINARY DIR}
dir=${2:?usage: run-test.sh TEST_BINARY DIR}
here=$(cd "$(dirname "$0")" && pwd)
trap 'bash "$here/stop-cluster.sh" "$dir"' EXIT
if ! started=$(bash "$here/start-cluster.sh" "$dir" $$); then
  echo "ZooOnSlurm skipped: no Slurm cluster could start (see the reason above)"
  exit 77
fi
eval "$started"
"$test_binary"
