#!/usr/bin/env bash
# Installs tpuc's build and test dependencies from Debian 12's archive; with `bench`, also what
# bench/ and the examples' generators need (torch, Pillow, DejaVu fonts; Node.js for
# onnxruntime-node from npm); with `lint`, what make lint needs (clang-format, clang-tidy).
# Idempotent: does nothing when every package is already installed.
set -euo pipefail
packages=(
  cmake ninja-build g++ ccache pkg-config
  libhalide14-0-dev llvm-14-dev
  libonnx-dev libprotobuf-dev protobuf-compiler
  libyaml-cpp-dev libcli11-dev libgtest-dev libgmock-dev nlohmann-json3-dev libzip-dev zlib1g-dev libstb-dev libssl-dev
  flatbuffers-compiler libflatbuffers-dev  # the .bmodel container (chip/bm1684x/bmodel)
  dataset-fashion-mnist libonnx-testdata
  chromium  # tests render the zoo's HTML summary in a real browser
  slurm-wlm munge  # the zoo's Slurm test starts a one-node cluster (tests/slurm)
)
if [ "${1:-}" = lint ]; then
  packages+=(clang-format clang-tidy)
fi
if [ "${1:-}" = bench ]; then
  packages+=(python3-torch python3-torchvision python3-numpy python3-pil fonts-dejavu-core)
  # Any Node.js with npm will do (Debian's, or one the machine already has).
  command -v npm > /dev/null || packages+=(nodejs npm)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
