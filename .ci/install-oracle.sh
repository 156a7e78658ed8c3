#!/usr/bin/env bash
# Installs what the kernel oracle (test/oracle/netfilter.mjs) needs:
#   nftables (nft), iproute2 (ip netns, veth), conntrack (conntrack -F / -C / -L),
#   iptables (iptables-restore / -save, ip6tables-restore / -save: iptables-nft),
#   iputils-ping (ping, for ICMP echo flows).
# Idempotent: installs only what is missing, and runs `apt-get update` only
# when something is missing and the package lists do not already know it.
# Exits non-zero on any failure.
set -euo pipefail

export PATH="$PATH:/usr/sbin:/sbin"

say() { printf '[install-oracle] %s\n' "$*"; }
die() { say "FAILED: $*" >&2; exit 1; }

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

command -v dpkg-query >/dev/null || die "not a Debian/Ubuntu system (no dpkg-query): install nftables, iproute2, conntrack, iptables and iputils-ping by hand"

missing=()
for p in nftables iproute2 conntrack iptables iputils-ping; do
  have_pkg "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  say "nftables, iproute2, conntrack, iptables and iputils-ping already installed"
else
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  # apt-get update only if the package lists cannot already install them
  need_update=0
  for p in "${missing[@]}"; do
    cand=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')
    if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then need_update=1; fi
  done
  if [ "$need_update" -eq 1 ]; then
    say "apt-get update"
    $SUDO apt-get update -qq || die "apt-get update"
  fi
  say "apt-get install ${missing[*]}"
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]}"
fi

for b in nft ip conntrack iptables-restore ip6tables-restore iptables-save ip6tables-save ping; do
  command -v "$b" >/dev/null || die "$b not found after installing"
done
say "$(nft --version); $(ip -V); $(conntrack --version 2>&1 | head -1); $(iptables-restore --version); $(ping -V 2>&1 | head -1)"
