#!/usr/bin/env bash
# Records real FTP sessions (Debian vsftpd <-> lftp / curl / tnftp) into samples/recorded/*.pcap.
#
# Everything runs inside two network namespaces made here and joined by one veth pair:
#   flowsh-srv  192.0.2.21  2001:db8::21   vsftpd
#   flowsh-cli  192.0.2.10  2001:db8::10   clients + tcpdump (on the client's veth end)
# No address outside 192.0.2.0/24 and 2001:db8::/32 is configured or routed, so nothing can
# leave the link; the host's own network, sysctls and routes are never touched.
#
# Usage (as root):  bash samples/record/record.sh [OUTPUT_DIR]   (default: samples/recorded)
# Idempotent: leftovers of an interrupted run are removed first, and everything made here
# (namespaces, processes, the throwaway FTP user, its PAM service, the temp dir) goes on exit.
set -euo pipefail

readonly SRV_NS=flowsh-srv CLI_NS=flowsh-cli
readonly SRV_IF=fs-srv0 CLI_IF=fs-cli0
readonly SRV_V4=192.0.2.21 CLI_V4=192.0.2.10
readonly SRV_V6=2001:db8::21 CLI_V6=2001:db8::10
# Throwaway credentials: the account exists only while this script runs.
readonly FTP_USER=flowshftp FTP_PASS=flowsh-throwaway-pw WRONG_PASS=not-the-password
readonly PAM_SERVICE=flowsh-vsftpd-record
readonly PAM_FILE=/etc/pam.d/$PAM_SERVICE
# Fixed mtime so directory listings are the same on every run.
readonly TREE_MTIME='2024-01-02 03:04:05 UTC'

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
OUT_DIR=$(mkdir -p "${1:-$REPO_ROOT/samples/recorded}" && cd "${1:-$REPO_ROOT/samples/recorded}" && pwd)

log() { printf 'record: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (namespaces, vsftpd, tcpdump)"

REQUIRED_COMMANDS=(vsftpd lftp curl tnftp tcpdump ip ethtool perl sha256sum useradd)
ensure_tools() {
  local missing=() cmd
  for cmd in "${REQUIRED_COMMANDS[@]}"; do command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing missing tools (${missing[*]}) with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq vsftpd lftp curl tnftp tcpdump iproute2 ethtool >/dev/null
}

WORK_DIR=
VSFTPD_PID=
TCPDUMP_PID=

kill_namespace_processes() {
  local ns=$1 pid
  ip netns list 2>/dev/null | grep -qw "^$ns" || return 0
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
  sleep 0.3
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
}

teardown() {
  [ -n "$TCPDUMP_PID" ] && kill "$TCPDUMP_PID" 2>/dev/null || true
  [ -n "$VSFTPD_PID" ] && kill "$VSFTPD_PID" 2>/dev/null || true
  # Only processes living in our own namespaces: vsftpd's per-session children, stray clients.
  kill_namespace_processes "$CLI_NS"
  kill_namespace_processes "$SRV_NS"
  ip netns del "$CLI_NS" 2>/dev/null || true
  ip netns del "$SRV_NS" 2>/dev/null || true
  if id "$FTP_USER" >/dev/null 2>&1; then userdel "$FTP_USER" 2>/dev/null || true; fi
  rm -f "$PAM_FILE"
  if [ -n "$WORK_DIR" ]; then rm -rf "$WORK_DIR"; fi
}

on_exit() {
  local rc=$?
  if [ $rc -ne 0 ] && [ -n "$WORK_DIR" ] && [ -f "$WORK_DIR/vsftpd.log" ]; then
    log "vsftpd log tail:"; tail -n 30 "$WORK_DIR/vsftpd.log" >&2 || true
  fi
  teardown
  exit $rc
}

in_cli() { ip netns exec "$CLI_NS" "$@"; }
in_srv() { ip netns exec "$SRV_NS" "$@"; }

setup_namespaces() {
  local ns
  for ns in "$SRV_NS" "$CLI_NS"; do
    ip netns add "$ns"
    # No router solicitations, no DAD: keeps the link quiet; these sysctls are per namespace.
    ip netns exec "$ns" sysctl -q -w net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.accept_ra=0 \
      net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.router_solicitations=0 \
      net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
    ip -n "$ns" link set lo up
  done
  # Made directly inside the namespaces: the host namespace never sees either end.
  # Fixed, locally administered MACs: the Ethernet headers are the same on every run.
  ip -n "$CLI_NS" link add "$CLI_IF" address 02:00:00:00:00:10 type veth \
    peer name "$SRV_IF" address 02:00:00:00:00:21 netns "$SRV_NS"
  ip -n "$CLI_NS" addr add "$CLI_V4/24" dev "$CLI_IF"
  ip -n "$CLI_NS" addr add "$CLI_V6/64" dev "$CLI_IF" nodad
  ip -n "$SRV_NS" addr add "$SRV_V4/24" dev "$SRV_IF"
  ip -n "$SRV_NS" addr add "$SRV_V6/64" dev "$SRV_IF" nodad
  # Segmentation/checksum offloads off, so the capture holds wire-sized frames with real checksums.
  in_cli ethtool -K "$CLI_IF" tx off rx off sg off tso off gso off gro off >/dev/null 2>&1 || true
  in_srv ethtool -K "$SRV_IF" tx off rx off sg off tso off gso off gro off >/dev/null 2>&1 || true
  ip -n "$CLI_NS" link set "$CLI_IF" up
  ip -n "$SRV_NS" link set "$SRV_IF" up
  # Let the link-up multicast listener reports pass before any capture starts.
  sleep 3
}

# Deterministic file tree served by vsftpd (anonymous root and the local user's root alike).
make_tree() {
  local tree=$WORK_DIR/tree
  mkdir -p "$tree/pub" "$tree/incoming"
  printf '%s\n' \
    'flowsh recorded FTP samples' \
    '' \
    'This tree is served by vsftpd inside a network namespace made by samples/record/record.sh.' \
    'Files have fixed contents, so every recording carries the same bytes.' >"$tree/pub/readme.txt"
  perl -e 'printf("line %03d: flowsh recorded FTP sample, deterministic content %s\n", $_, "." x ($_ % 7)) for 1..100' \
    >"$tree/pub/lines.txt"
  perl -e 'binmode STDOUT; print chr(($_ * 37 + 11) % 256) for 0..4095' >"$tree/pub/flowsh-4k.bin"
  perl -e 'printf("upload line %02d: sent by curl -T over IPv6\n", $_) for 1..50' >"$WORK_DIR/upload.txt"
  chown -R root:root "$tree"
  chmod 755 "$WORK_DIR" "$tree" "$tree/pub"
  chmod 644 "$tree/pub/"*
  chown "$FTP_USER" "$tree/incoming"
  chmod 755 "$tree/incoming"
  touch -d "$TREE_MTIME" "$tree/pub/"* "$tree/pub" "$tree/incoming" "$tree"
}

make_user() {
  if id "$FTP_USER" >/dev/null 2>&1; then userdel "$FTP_USER" 2>/dev/null || true; fi
  useradd --no-create-home --home-dir "$WORK_DIR/tree" --shell /usr/sbin/nologin "$FTP_USER"
  printf '%s:%s\n' "$FTP_USER" "$FTP_PASS" | chpasswd
  # Own PAM service: plain pam_unix, so the nologin shell and /etc/ftpusers don't matter.
  printf '%s\n' \
    '# Written by flowsh samples/record/record.sh; removed when it exits.' \
    'auth     required pam_unix.so' \
    'account  required pam_unix.so' \
    'session  required pam_permit.so' >"$PAM_FILE"
}

start_vsftpd() {
  mkdir -p "$WORK_DIR/empty"
  chmod 755 "$WORK_DIR/empty"
  cat >"$WORK_DIR/vsftpd.conf" <<EOF
# One listener on :: inside $SRV_NS; dual-stack, so IPv4 clients reach it too.
listen=NO
listen_ipv6=YES
background=NO
ftpd_banner=flowsh recording server (vsftpd)
anonymous_enable=YES
anon_root=$WORK_DIR/tree
anon_upload_enable=NO
local_enable=YES
local_root=$WORK_DIR/tree
write_enable=YES
local_umask=022
# Chroot the local user too, so PWD answers "/" rather than the temp dir's path.
chroot_local_user=YES
pam_service_name=$PAM_SERVICE
pasv_enable=YES
pasv_min_port=50000
pasv_max_port=50019
port_enable=YES
connect_from_port_20=YES
hide_ids=YES
use_localtime=NO
dirmessage_enable=NO
secure_chroot_dir=$WORK_DIR/empty
xferlog_enable=YES
vsftpd_log_file=$WORK_DIR/vsftpd.log
log_ftp_protocol=YES
EOF
  # ip netns exec execs the command, so $! is the pid of vsftpd itself (not of a subshell).
  ip netns exec "$SRV_NS" vsftpd "$WORK_DIR/vsftpd.conf" >"$WORK_DIR/vsftpd.out" 2>&1 &
  VSFTPD_PID=$!
  local i
  for i in $(seq 50); do
    if in_srv ss -Hltn 'sport = :21' | grep -q .; then return 0; fi
    kill -0 "$VSFTPD_PID" 2>/dev/null || { cat "$WORK_DIR/vsftpd.out" >&2; die "vsftpd exited"; }
    sleep 0.1
  done
  die "vsftpd did not start listening"
}

start_capture() {
  local name=$1
  # Fresh neighbour caches: every capture shows its own ARP / neighbour discovery.
  ip -n "$CLI_NS" neigh flush dev "$CLI_IF"
  ip -n "$SRV_NS" neigh flush dev "$SRV_IF"
  : >"$WORK_DIR/$name.tcpdump.err"
  ip netns exec "$CLI_NS" tcpdump -i "$CLI_IF" -n -s 0 -U -Z root -w "$WORK_DIR/$name" 2>"$WORK_DIR/$name.tcpdump.err" &
  TCPDUMP_PID=$!
  local i
  for i in $(seq 50); do
    grep -q 'listening on' "$WORK_DIR/$name.tcpdump.err" && return 0
    sleep 0.1
  done
  die "tcpdump did not start for $name"
}

stop_capture() {
  local name=$1
  sleep 1 # let the last FIN/ACKs reach the wire
  kill -INT "$TCPDUMP_PID"
  wait "$TCPDUMP_PID" || true
  TCPDUMP_PID=
  grep -q '^0 packets dropped by kernel' "$WORK_DIR/$name.tcpdump.err" \
    || { cat "$WORK_DIR/$name.tcpdump.err" >&2; die "tcpdump dropped packets in $name"; }
  install -m 644 "$WORK_DIR/$name" "$OUT_DIR/$name"
  log "wrote $OUT_DIR/$name ($(grep -o '^[0-9]* packets captured' "$WORK_DIR/$name.tcpdump.err"))"
}

same_content() { # expected actual what
  [ "$(sha256sum <"$1")" = "$(sha256sum <"$2")" ] || die "$3: content differs from the served file"
}

# lftp reads no rc files (--norc) and never tries AUTH TLS, so the commands below are all it sends.
LFTP_BASE='set ftp:ssl-allow no; set net:max-retries 1; set net:timeout 10; set cmd:interactive false'

record_lftp_passive() {
  local name=recorded-lftp-passive.pcap dl=$WORK_DIR/dl-lftp-passive
  mkdir -p "$dl"
  start_capture "$name"
  in_cli env HOME="$WORK_DIR" lftp --norc -u "$FTP_USER,$FTP_PASS" \
    -e "$LFTP_BASE; set ftp:passive-mode on; ls; cd pub; get -O $dl lines.txt; bye" \
    "ftp://$SRV_V4" </dev/null >"$WORK_DIR/$name.out"
  stop_capture "$name"
  same_content "$WORK_DIR/tree/pub/lines.txt" "$dl/lines.txt" "$name"
}

record_lftp_active() {
  local name=recorded-lftp-active.pcap dl=$WORK_DIR/dl-lftp-active
  mkdir -p "$dl"
  start_capture "$name"
  # Anonymous login (lftp sends USER anonymous / PASS lftp@); the server opens the data
  # connections from 192.0.2.21:20 to the port named in PORT.
  in_cli env HOME="$WORK_DIR" lftp --norc \
    -e "$LFTP_BASE; set ftp:passive-mode off; cd pub; ls; get -O $dl flowsh-4k.bin; bye" \
    "ftp://$SRV_V4" </dev/null >"$WORK_DIR/$name.out"
  stop_capture "$name"
  same_content "$WORK_DIR/tree/pub/flowsh-4k.bin" "$dl/flowsh-4k.bin" "$name"
}

record_curl_ipv6() {
  local name=recorded-curl-ipv6-epsv-eprt.pcap dl=$WORK_DIR/dl-curl
  mkdir -p "$dl"
  start_capture "$name"
  # 1. upload as the local user, passive (curl uses EPSV).
  in_cli curl -g -sS --user "$FTP_USER:$FTP_PASS" -T "$WORK_DIR/upload.txt" "ftp://[$SRV_V6]/incoming/"
  # 2. anonymous download, passive via EPSV.
  in_cli curl -g -sS -o "$dl/flowsh-4k.bin" "ftp://[$SRV_V6]/pub/flowsh-4k.bin"
  # 3. download as the local user, active via EPRT (--ftp-port - : the control connection's own address).
  in_cli curl -g -sS --user "$FTP_USER:$FTP_PASS" --ftp-port - -o "$dl/lines.txt" "ftp://[$SRV_V6]/pub/lines.txt"
  stop_capture "$name"
  same_content "$WORK_DIR/upload.txt" "$WORK_DIR/tree/incoming/upload.txt" "$name upload"
  same_content "$WORK_DIR/tree/pub/flowsh-4k.bin" "$dl/flowsh-4k.bin" "$name EPSV download"
  same_content "$WORK_DIR/tree/pub/lines.txt" "$dl/lines.txt" "$name EPRT download"
}

record_login_fail() {
  local name=recorded-login-fail.pcap rc=0
  start_capture "$name"
  # 1. curl with a wrong password: 530, curl gives up (exit 67) and the connection closes.
  in_cli curl -sS --user "$FTP_USER:$WRONG_PASS" "ftp://$SRV_V4/" >/dev/null 2>"$WORK_DIR/$name.curl.err" || rc=$?
  [ $rc -eq 67 ] || die "$name: expected curl exit 67 (login denied), got $rc"
  # 2. tnftp: wrong password, then the right one on the SAME control connection, then PWD + LIST.
  in_cli env HOME="$WORK_DIR" tnftp -n "$SRV_V4" >"$WORK_DIR/$name.out" 2>&1 <<EOF
user $FTP_USER $WRONG_PASS
user $FTP_USER $FTP_PASS
pwd
ls pub
quit
EOF
  stop_capture "$name"
  grep -q 'readme.txt' "$WORK_DIR/$name.out" || { cat "$WORK_DIR/$name.out" >&2; die "$name: tnftp listing missing"; }
}

main() {
  ensure_tools
  trap on_exit EXIT
  trap 'exit 130' INT TERM
  teardown # leftovers of an interrupted run
  WORK_DIR=$(mktemp -d /tmp/flowsh-record.XXXXXX)
  setup_namespaces
  make_user
  make_tree
  start_vsftpd
  record_lftp_passive
  record_lftp_active
  record_curl_ipv6
  record_login_fail
  log "done; software: $(dpkg-query -W -f '${Package} ${Version}, ' vsftpd lftp curl tnftp tcpdump | sed 's/, $//')"
}

main "$@"
