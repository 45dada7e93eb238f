#!/usr/bin/env bash
# Installs everything ccu needs to build and test on Debian 12 (run as root, or with sudo).
# Skips apt entirely when every package is already installed.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  libcli11-dev nlohmann-json3-dev libcurl4-openssl-dev libsqlitecpp-dev libsqlite3-dev
  libsecret-1-dev libspdlog-dev libsimdjson-dev catch2 libgit2-dev
  # tests: git http-backend serves the fake gists' repositories; openssl makes a self-signed cert
  git openssl
  python3 ca-certificates
  # tests: a real Secret Service in a private D-Bus session
  gnome-keyring dbus libsecret-tools
  # tests: the fake gist's git host (git-http-backend) and its self-tests' git client
  git
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
