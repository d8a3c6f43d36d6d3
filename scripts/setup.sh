#!/usr/bin/env bash
# Installs what the lab needs on Debian 12 (run as root, or through sudo): the kernel tools that
# build the networks, coturn, packet capture, Chromium, Firefox and Docker, then the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  iproute2 nftables util-linux   # namespaces, veth, bridges, NAT rules, nsenter/unshare
  coturn                         # STUN/TURN server and turnutils_natdiscovery (RFC 5780)
  mosquitto                      # MQTT v5 broker of `signaling: mqtt` (pi-webrtc's signaling)
  openssl                        # TLS certificate for TURN over TLS
  tcpdump tshark                 # packet captures and their inspection
  chromium                       # second WebRTC stack, HTML report checks (driven by playwright-core)
  firefox-esr                    # Firefox viewer (driven by puppeteer-core over WebDriver BiDi; VP8 only offline)
  docker.io                      # the docker backend (dockerd is started by the lab's scripts)
  passwd                         # useradd, for the non-root test
  gcc libc6-dev iptables         # nfq-impair, the link impairments' path on kernels without netem
)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

export DEBIAN_FRONTEND=noninteractive
echo "== apt-get update"
as_root apt-get update -q
echo "== apt-get install ${PACKAGES[*]}"
# shellcheck disable=SC2046
as_root apt-get install -y -q --no-install-recommends $(printf '%s\n' "${PACKAGES[@]}" | sed 's/#.*//') >/dev/null
echo "== npm ci"
npm ci --no-audit --no-fund
echo "== build"
npm run -s build
