#!/usr/bin/env bash
# Records more real FTP sessions into samples/recorded/recorded-*.pcap(ng) and writes
# samples/recorded/manifest.json (every transfer: capture, mode, direction, path as sent, size and
# SHA-256). Same setup as record.sh (whose captures it leaves alone): two network namespaces joined
# by one veth pair, offloads off, fixed file contents, throwaway user, everything removed on exit.
#   flowsh-srv  192.0.2.21  2001:db8::21   vsftpd / pyftpdlib
#   flowsh-cli  192.0.2.10  2001:db8::10   clients (lftp, curl, inetutils-ftp, python3 ftplib) + capture
# No address outside 192.0.2.0/24 and 2001:db8::/32 is configured or routed.
#
# Usage (as root):  bash samples/record/record-more.sh [OUTPUT_DIR]   (default: samples/recorded)
# Afterwards samples/record/impair.ts derives the reordered/lossy variants (it is run at the end).
# Do not run at the same time as record.sh (same namespace names). What each capture shows:
# samples/recorded/README-more.md.
set -euo pipefail

readonly SRV_NS=flowsh-srv CLI_NS=flowsh-cli
# record_lossy_large only: a bridge namespace on the path, where packets are dropped at random
readonly PATH_NS=flowsh-path PATH_CLI_IF=fs-pathc PATH_SRV_IF=fs-paths PATH_BR=fs-br0
readonly SRV_IF=fs-srv0 CLI_IF=fs-cli0
readonly SRV_V4=192.0.2.21 CLI_V4=192.0.2.10
readonly SRV_V6=2001:db8::21 CLI_V6=2001:db8::10
# Throwaway credentials: the account exists only while this script runs.
readonly FTP_USER=flowshftp FTP_PASS=flowsh-throwaway-pw
readonly PAM_SERVICE=flowsh-vsftpd-record
readonly PAM_FILE=/etc/pam.d/$PAM_SERVICE
readonly TREE_MTIME='2024-01-02 03:04:05 UTC'
readonly SYSTEM_PYTHON=/usr/bin/python3 # Debian's python3 has python3-pyftpdlib; a pyenv one may not

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
OUT_DIR=$(mkdir -p "${1:-$REPO_ROOT/samples/recorded}" && cd "${1:-$REPO_ROOT/samples/recorded}" && pwd)

log() { printf 'record-more: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (namespaces, servers, tcpdump)"

REQUIRED_COMMANDS=(vsftpd lftp curl inetutils-ftp tcpdump dumpcap openssl ip ethtool perl sha256sum useradd node nft gzip)
ensure_tools() {
  local missing=() cmd
  for cmd in "${REQUIRED_COMMANDS[@]}"; do command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd"); done
  "$SYSTEM_PYTHON" -c 'import pyftpdlib' 2>/dev/null || missing+=(python3-pyftpdlib)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing missing tools (${missing[*]}) with apt-get"
  apt-get update -qq
  # Not pure-ftpd: Debian makes it and vsftpd conflict (installing one removes the other).
  # tshark brings dumpcap (wireshark-common), which writes the pcapng capture.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq vsftpd python3-pyftpdlib lftp curl \
    inetutils-ftp tcpdump tshark openssl iproute2 ethtool nftables gzip >/dev/null
}

WORK_DIR=
SERVER_PID=
CAPTURE_PID=
CAPTURE_TOOL=

kill_namespace_processes() {
  local ns=$1 pid
  ip netns list 2>/dev/null | grep -qw "^$ns" || return 0
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
  sleep 0.3
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
}

teardown() {
  [ -n "$CAPTURE_PID" ] && kill "$CAPTURE_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  kill_namespace_processes "$CLI_NS"
  kill_namespace_processes "$SRV_NS"
  ip netns del "$CLI_NS" 2>/dev/null || true
  ip netns del "$SRV_NS" 2>/dev/null || true
  ip netns del "$PATH_NS" 2>/dev/null || true
  if id "$FTP_USER" >/dev/null 2>&1; then userdel "$FTP_USER" 2>/dev/null || true; fi
  rm -f "$PAM_FILE"
  if [ -n "$WORK_DIR" ]; then rm -rf "$WORK_DIR"; fi
}

on_exit() {
  local rc=$?
  if [ $rc -ne 0 ] && [ -n "$WORK_DIR" ]; then
    local f
    for f in "$WORK_DIR"/*.log "$WORK_DIR"/*.server.out; do
      [ -f "$f" ] && { log "tail of $f:"; tail -n 20 "$f" >&2 || true; }
    done
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
    ip netns exec "$ns" sysctl -q -w net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.accept_ra=0 \
      net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.router_solicitations=0 \
      net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
    ip -n "$ns" link set lo up
  done
  ip -n "$CLI_NS" link add "$CLI_IF" address 02:00:00:00:00:10 type veth \
    peer name "$SRV_IF" address 02:00:00:00:00:21 netns "$SRV_NS"
  ip -n "$CLI_NS" addr add "$CLI_V4/24" dev "$CLI_IF"
  ip -n "$CLI_NS" addr add "$CLI_V6/64" dev "$CLI_IF" nodad
  ip -n "$SRV_NS" addr add "$SRV_V4/24" dev "$SRV_IF"
  ip -n "$SRV_NS" addr add "$SRV_V6/64" dev "$SRV_IF" nodad
  in_cli ethtool -K "$CLI_IF" tx off rx off sg off tso off gso off gro off >/dev/null 2>&1 || true
  in_srv ethtool -K "$SRV_IF" tx off rx off sg off tso off gso off gro off >/dev/null 2>&1 || true
  ip -n "$CLI_NS" link set "$CLI_IF" up
  ip -n "$SRV_NS" link set "$SRV_IF" up
  sleep 3
}

# Pseudo-random but reproducible bytes: SHA-256("NAME:0") || SHA-256("NAME:1") || ... cut to SIZE.
# test/recorded-more.test.ts regenerates them the same way (e.g. to check an aborted prefix).
hash_stream() { # name size
  perl -MDigest::SHA=sha256 -e 'binmode STDOUT; my ($n, $size) = @ARGV; my $out = "";
    for (my $i = 0; length($out) < $size; $i++) { $out .= sha256("$n:$i") } print substr($out, 0, $size)' "$1" "$2"
}

make_tree() {
  local tree=$WORK_DIR/tree
  mkdir -p "$tree/pub" "$tree/incoming" "$WORK_DIR/send"
  printf '%s\n' \
    'flowsh recorded FTP samples' \
    '' \
    'This tree is served inside a network namespace made by samples/record/record-more.sh.' \
    'Files have fixed contents, so every recording carries the same bytes.' >"$tree/pub/readme.txt"
  perl -e 'printf("line %03d: flowsh recorded FTP sample, deterministic content %s\n", $_, "." x ($_ % 7)) for 1..100' \
    >"$tree/pub/lines.txt"
  # LF line ends; sent with TYPE A it crosses the wire with CRLF.
  perl -e 'printf("note %02d: text sent in ASCII mode (TYPE A), LF here, CRLF on the wire\n", $_) for 1..60' \
    >"$tree/pub/notes.txt"
  perl -e 'binmode STDOUT; print chr(($_ * 37 + 11) % 256) for 0..4095' >"$tree/pub/flowsh-4k.bin"
  hash_stream flowsh-64k 65659 >"$tree/pub/flowsh-64k.bin"
  hash_stream resume 40000 >"$tree/pub/resume.bin"
  hash_stream parallel-a 120000 >"$tree/pub/parallel-a.bin"
  hash_stream parallel-b 120000 >"$tree/pub/parallel-b.bin"
  hash_stream large 1572941 >"$tree/pub/large.bin"
  perl -e 'printf("stored line %02d: sent with STOR, appended to with APPE\n", $_) for 1..40' >"$WORK_DIR/send/log.txt"
  perl -e 'printf("appended line %02d: sent with APPE by curl --append\n", $_) for 1..25' >"$WORK_DIR/send/append.txt"
  hash_stream upload-ftplib 30000 >"$WORK_DIR/send/upload-ftplib.bin"
  hash_stream upload-inetutils 20000 >"$WORK_DIR/send/upload-inetutils.bin"
  # The first 15000 bytes of resume.bin: what an interrupted download left behind.
  head -c 15000 "$tree/pub/resume.bin" >"$WORK_DIR/send/resume.partial"
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
  printf '%s\n' \
    '# Written by flowsh samples/record/record-more.sh; removed when it exits.' \
    'auth     required pam_unix.so' \
    'account  required pam_unix.so' \
    'session  required pam_permit.so' >"$PAM_FILE"
}

make_cert() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=flowsh-test-ftps' \
    -keyout "$WORK_DIR/ftps.key" -out "$WORK_DIR/ftps.crt" 2>/dev/null
  chmod 600 "$WORK_DIR/ftps.key"
}

wait_listening() { # port what
  local i
  for i in $(seq 50); do
    if in_srv ss -Hltn "sport = :$1" | grep -q .; then return 0; fi
    kill -0 "$SERVER_PID" 2>/dev/null || die "$2 exited"
    sleep 0.1
  done
  die "$2 did not start listening on port $1"
}

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
  kill_namespace_processes "$SRV_NS" # session children
}

# vsftpd as in record.sh, plus ASCII conversion (without it vsftpd answers TYPE A but sends the
# file unchanged). Extra lines (port, TLS) come as arguments.
start_vsftpd() { # name port [extra config lines...]
  local name=$1 port=$2
  shift 2
  mkdir -p "$WORK_DIR/empty"
  chmod 755 "$WORK_DIR/empty"
  {
    cat <<EOF
listen=NO
listen_ipv6=YES
listen_port=$port
background=NO
ftpd_banner=flowsh recording server (vsftpd)
anonymous_enable=YES
anon_root=$WORK_DIR/tree
anon_upload_enable=NO
local_enable=YES
local_root=$WORK_DIR/tree
write_enable=YES
local_umask=022
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
ascii_download_enable=YES
ascii_upload_enable=YES
secure_chroot_dir=$WORK_DIR/empty
xferlog_enable=YES
vsftpd_log_file=$WORK_DIR/$name.log
log_ftp_protocol=YES
EOF
    printf '%s\n' "$@"
  } >"$WORK_DIR/$name.conf"
  ip netns exec "$SRV_NS" vsftpd "$WORK_DIR/$name.conf" >"$WORK_DIR/$name.server.out" 2>&1 &
  SERVER_PID=$!
  wait_listening "$port" "vsftpd ($name)"
}

start_pyftpdlib() {
  # One user with its home in the tree, write permission, passive ports 50040-50059.
  ip netns exec "$SRV_NS" "$SYSTEM_PYTHON" -m pyftpdlib -i "$SRV_V4" -p 21 -w -d "$WORK_DIR/tree" \
    -u "$FTP_USER" -P "$FTP_PASS" -r 50040-50059 >"$WORK_DIR/pyftpdlib.server.out" 2>&1 &
  SERVER_PID=$!
  wait_listening 21 pyftpdlib
}

# start_capture NAME TOOL [ARGS...]: TOOL is tcpdump (on fs-cli0 unless ARGS say -i any) or dumpcap.
start_capture() {
  local name=$1 tool=$2
  shift 2
  ip -n "$CLI_NS" neigh flush dev "$CLI_IF"
  ip -n "$SRV_NS" neigh flush dev "$SRV_IF"
  : >"$WORK_DIR/$name.capture.err"
  case $tool in
    tcpdump)
      local iface=(-i "$CLI_IF")
      [[ " $* " == *" -i any "* ]] && iface=()
      ip netns exec "$CLI_NS" tcpdump "${iface[@]}" -n -U -Z root "$@" -w "$WORK_DIR/$name" 2>"$WORK_DIR/$name.capture.err" &
      ;;
    dumpcap)
      ip netns exec "$CLI_NS" dumpcap -i "$CLI_IF" -n "$@" -w "$WORK_DIR/$name" 2>"$WORK_DIR/$name.capture.err" &
      ;;
  esac
  CAPTURE_PID=$!
  CAPTURE_TOOL=$tool
  local i
  for i in $(seq 50); do
    grep -qE 'listening on|Capturing on' "$WORK_DIR/$name.capture.err" && return 0
    sleep 0.1
  done
  die "$tool did not start for $name"
}

stop_capture() {
  local name=$1
  sleep 1 # let the last FIN/ACKs reach the wire
  kill -INT "$CAPTURE_PID"
  wait "$CAPTURE_PID" || true
  CAPTURE_PID=
  if [ "$CAPTURE_TOOL" = tcpdump ]; then
    grep -q '^0 packets dropped by kernel' "$WORK_DIR/$name.capture.err" \
      || { cat "$WORK_DIR/$name.capture.err" >&2; die "tcpdump dropped packets in $name"; }
  else
    grep -qE "Packets received/dropped on interface '$CLI_IF': [0-9]+/0 " "$WORK_DIR/$name.capture.err" \
      || { cat "$WORK_DIR/$name.capture.err" >&2; die "dumpcap dropped packets in $name"; }
  fi
  install -m 644 "$WORK_DIR/$name" "$OUT_DIR/$name"
  log "wrote $OUT_DIR/$name ($(stat -c %s "$OUT_DIR/$name") bytes)"
}

same_content() { # expected actual what
  [ "$(sha256sum <"$1")" = "$(sha256sum <"$2")" ] || die "$3: content differs"
}

# ---- manifest notes: one JSON object per line, merged into manifest.json at the end ----------------

sha_of() { sha256sum <"$1" | cut -d' ' -f1; }
size_of() { stat -c %s "$1"; }
file_json() { printf '{"size":%s,"sha256":"%s"}' "$(size_of "$1")" "$(sha_of "$1")"; }
# CRLF form of a LF text file: what TYPE A puts on the wire.
crlf_of() { perl -pe 's/\n/\r\n/' <"$1" >"$2"; }

# note_capture FILE JSON-FIELDS (without braces)
note_capture() { printf '{"kind":"capture","file":"%s",%s}\n' "$1" "$2" >>"$WORK_DIR/manifest.jsonl"; }
# note_transfer CAPTURE JSON-FIELDS (without braces)
note_transfer() { printf '{"kind":"transfer","capture":"%s",%s}\n' "$1" "$2" >>"$WORK_DIR/manifest.jsonl"; }

# A transfer whose data crossed the wire as a whole file: wire bytes = FILE.
# note_file CAPTURE COMMAND PATH MODE DIRECTION FILE [EXTRA-FIELDS]
note_file() {
  local extra=${7:+,$7}
  note_transfer "$1" "$(printf '"command":"%s","path":"%s","mode":"%s","direction":"%s","type":"I","expect":"complete","size":%s,"sha256":"%s"%s' \
    "$2" "$3" "$4" "$5" "$(size_of "$6")" "$(sha_of "$6")" "$extra")"
}
# note_listing CAPTURE COMMAND PATH MODE NAMES-JSON-ARRAY
note_listing() {
  note_transfer "$1" "$(printf '"command":"%s","path":"%s","mode":"%s","direction":"download","type":"A","listing":true,"expect":"complete","names":%s' \
    "$2" "$3" "$4" "$5")"
}

readonly LFTP_BASE='set ftp:ssl-allow no; set net:max-retries 1; set net:timeout 10; set cmd:interactive false'
readonly PUB_NAMES='["flowsh-4k.bin","flowsh-64k.bin","large.bin","lines.txt","notes.txt","parallel-a.bin","parallel-b.bin","readme.txt","resume.bin"]'
lftp_as_user() { in_cli env HOME="$WORK_DIR" lftp --norc -u "$FTP_USER,$FTP_PASS" "$@"; }

# ---- 1. several transfers in one session, resume (REST), ASCII (TYPE A), append (APPE) --------------
record_session_multi() {
  local name=recorded-session-multi.pcap dl=$WORK_DIR/dl-multi tree=$WORK_DIR/tree
  mkdir -p "$dl"
  cp "$WORK_DIR/send/resume.partial" "$dl/resume.bin"
  cp "$WORK_DIR/send/log.txt" "$WORK_DIR/log.txt"
  start_capture "$name" tcpdump -s 0
  # One lftp control connection, PASV throughout.
  lftp_as_user -e "$LFTP_BASE; set ftp:passive-mode on; set ftp:prefer-epsv no; ls; cd pub; nlist; \
get -O $dl lines.txt; get -O $dl flowsh-64k.bin; get -c -O $dl resume.bin; get -a -O $dl notes.txt; \
cd /incoming; put -O /incoming $WORK_DIR/log.txt; bye" "ftp://$SRV_V4" </dev/null >"$WORK_DIR/$name.out"
  # A second control connection in the same capture: curl appends to the file just stored (PASV).
  in_cli curl -sS --disable-epsv --user "$FTP_USER:$FTP_PASS" --append -T "$WORK_DIR/send/append.txt" \
    "ftp://$SRV_V4/incoming/log.txt"
  stop_capture "$name"
  same_content "$tree/pub/lines.txt" "$dl/lines.txt" "$name lines.txt"
  same_content "$tree/pub/flowsh-64k.bin" "$dl/flowsh-64k.bin" "$name flowsh-64k.bin"
  same_content "$tree/pub/resume.bin" "$dl/resume.bin" "$name resumed resume.bin"
  same_content "$tree/pub/notes.txt" "$dl/notes.txt" "$name ASCII notes.txt"
  cat "$WORK_DIR/send/log.txt" "$WORK_DIR/send/append.txt" >"$WORK_DIR/expected-log.txt"
  same_content "$WORK_DIR/expected-log.txt" "$tree/incoming/log.txt" "$name appended log.txt"

  tail -c +15001 "$tree/pub/resume.bin" >"$WORK_DIR/resume.tail"
  crlf_of "$tree/pub/notes.txt" "$WORK_DIR/notes.crlf"
  note_capture "$name" '"format":"pcap","linkType":1,"timestampPrecision":"us","snaplen":262144,"server":"vsftpd","serverAddress":"192.0.2.21","serverPort":21,"clients":["lftp","curl"],"expect":"complete","exercises":"one lftp session (PASV) with LIST, NLST, three binary RETRs, a resumed RETR (REST 15000), an ASCII RETR (TYPE A) and a STOR; then a curl session appending to the stored file with APPE (PASV)","commands":["USER","PASS","PASV","LIST","NLST","CWD","TYPE","REST","RETR","STOR","APPE","QUIT"]'
  note_listing "$name" LIST "" PASV '["incoming","pub"]'
  note_listing "$name" NLST "" PASV "$PUB_NAMES"
  note_file "$name" RETR lines.txt PASV download "$tree/pub/lines.txt"
  note_file "$name" RETR flowsh-64k.bin PASV download "$tree/pub/flowsh-64k.bin" '"generator":"hash_stream flowsh-64k 65659"'
  note_file "$name" RETR resume.bin PASV download "$WORK_DIR/resume.tail" \
    "\"restOffset\":15000,\"note\":\"REST 15000 then RETR: the wire carries bytes 15000.. of the file\",\"file\":$(file_json "$tree/pub/resume.bin"),\"generator\":\"hash_stream resume 40000\""
  note_transfer "$name" "$(printf '"command":"RETR","path":"notes.txt","mode":"PASV","direction":"download","type":"A","expect":"complete","size":%s,"sha256":"%s","note":"TYPE A: the server turned each LF into CRLF, so size and sha256 are of the CRLF bytes on the wire; file is the LF original","file":%s' \
    "$(size_of "$WORK_DIR/notes.crlf")" "$(sha_of "$WORK_DIR/notes.crlf")" "$(file_json "$tree/pub/notes.txt")")"
  note_file "$name" STOR log.txt PASV upload "$WORK_DIR/send/log.txt"
  note_file "$name" APPE log.txt PASV upload "$WORK_DIR/send/append.txt" \
    "\"note\":\"appended to incoming/log.txt stored just before; serverResult is the file the server ended up with\",\"serverResult\":$(file_json "$tree/incoming/log.txt")"
  rm -f "$tree/incoming/log.txt"
}

# ---- 2. two sessions at once --------------------------------------------------------------------
record_parallel() {
  local name=recorded-parallel-sessions.pcap dl=$WORK_DIR/dl-parallel tree=$WORK_DIR/tree pid_a pid_b
  mkdir -p "$dl"
  # Small receive windows in the client namespace (only there, only for this recording), so the
  # servers cannot push everything into the kernel at once: both downloads trickle at the clients'
  # rate limit (~60 kB/s, about 2 s each) and their data segments interleave on the wire.
  local rmem
  rmem=$(in_cli sysctl -n net.ipv4.tcp_rmem)
  in_cli sysctl -q -w net.ipv4.tcp_rmem="4096 16384 16384"
  start_capture "$name" tcpdump -s 0
  lftp_as_user -e "$LFTP_BASE; set ftp:passive-mode on; set ftp:prefer-epsv no; set net:limit-rate 60000; \
cd pub; get -O $dl parallel-a.bin; bye" "ftp://$SRV_V4" </dev/null >"$WORK_DIR/$name.a.out" &
  pid_a=$!
  sleep 0.3
  in_cli curl -sS --limit-rate 60k --disable-eprt --ftp-port - -o "$dl/parallel-b.bin" "ftp://$SRV_V4/pub/parallel-b.bin" &
  pid_b=$!
  wait "$pid_a" || die "$name: lftp failed"
  wait "$pid_b" || die "$name: curl failed"
  stop_capture "$name"
  in_cli sysctl -q -w net.ipv4.tcp_rmem="$rmem"
  same_content "$tree/pub/parallel-a.bin" "$dl/parallel-a.bin" "$name a"
  same_content "$tree/pub/parallel-b.bin" "$dl/parallel-b.bin" "$name b"
  note_capture "$name" '"format":"pcap","linkType":1,"timestampPrecision":"us","snaplen":262144,"server":"vsftpd","serverAddress":"192.0.2.21","serverPort":21,"clients":["lftp","curl"],"expect":"complete","overlapping":true,"exercises":"two control connections at once: lftp (local user, PASV) and curl (anonymous, active PORT), both downloads rate-limited with small receive windows, so their data segments interleave in time","commands":["USER","PASS","PASV","PORT","RETR","QUIT"]'
  note_file "$name" RETR parallel-a.bin PASV download "$tree/pub/parallel-a.bin" '"generator":"hash_stream parallel-a 120000"'
  note_file "$name" RETR parallel-b.bin PORT download "$tree/pub/parallel-b.bin" '"generator":"hash_stream parallel-b 120000"'
}

# ---- 3. a server on port 2121 ---------------------------------------------------------------------
record_port_2121() {
  local name=recorded-port-2121.pcap dl=$WORK_DIR/dl-2121 tree=$WORK_DIR/tree
  mkdir -p "$dl"
  start_capture "$name" tcpdump -s 0
  lftp_as_user -p 2121 -e "$LFTP_BASE; set ftp:passive-mode on; set ftp:prefer-epsv no; cd pub; \
get -O $dl lines.txt; get -O $dl flowsh-4k.bin; bye" "ftp://$SRV_V4" </dev/null >"$WORK_DIR/$name.out"
  stop_capture "$name"
  same_content "$tree/pub/lines.txt" "$dl/lines.txt" "$name lines.txt"
  same_content "$tree/pub/flowsh-4k.bin" "$dl/flowsh-4k.bin" "$name flowsh-4k.bin"
  note_capture "$name" '"format":"pcap","linkType":1,"timestampPrecision":"us","snaplen":262144,"server":"vsftpd","serverAddress":"192.0.2.21","serverPort":2121,"clients":["lftp"],"expect":"complete","exercises":"control connection on a non-standard port (vsftpd listen_port=2121), PASV downloads","commands":["USER","PASS","PASV","TYPE","RETR","QUIT"]'
  note_file "$name" RETR lines.txt PASV download "$tree/pub/lines.txt"
  note_file "$name" RETR flowsh-4k.bin PASV download "$tree/pub/flowsh-4k.bin"
}

# ---- 5. a large transfer ----------------------------------------------------------------------------
record_large() {
  local name=recorded-large-epsv-ipv6.pcap dl=$WORK_DIR/dl-large tree=$WORK_DIR/tree
  mkdir -p "$dl"
  start_capture "$name" tcpdump -s 0
  in_cli curl -g -sS --user "$FTP_USER:$FTP_PASS" -o "$dl/large.bin" "ftp://[$SRV_V6]/pub/large.bin"
  stop_capture "$name"
  same_content "$tree/pub/large.bin" "$dl/large.bin" "$name"
  note_capture "$name" '"format":"pcap","linkType":1,"timestampPrecision":"us","snaplen":262144,"server":"vsftpd","serverAddress":"2001:db8::21","serverPort":21,"clients":["curl"],"expect":"complete","exercises":"a 1.5 MB download over IPv6 with EPSV (about 1100 data segments)","commands":["USER","PASS","EPSV","TYPE","SIZE","RETR","QUIT"]'
  note_file "$name" RETR large.bin EPSV download "$tree/pub/large.bin" '"generator":"hash_stream large 1572941"'
}

# ---- 6b. a large transfer through a lossy path ------------------------------------------------------
# The client and server are re-plumbed through a third namespace holding a bridge (same addresses, one
# subnet), whose nftables forward chain drops data-connection packets at random: 2 % of the server's
# segments and 1 % of the client's ACKs. The capture is still on the client's interface, after the
# drop, so it shows what a receiver behind a lossy path sees: holes, then TCP's real retransmissions
# (fast retransmit, SACK, RTO). impair.ts then adds reordering and duplicates by rewriting.
# The file is text (compressible), so the committed .pcap.gz stays small.
lossy_path() {
  ip -n "$CLI_NS" link del "$CLI_IF"
  ip netns add "$PATH_NS"
  ip -n "$PATH_NS" link set lo up
  ip -n "$PATH_NS" link add "$PATH_BR" type bridge
  ip -n "$PATH_NS" link add "$PATH_CLI_IF" type veth peer name "$CLI_IF" address 02:00:00:00:00:10 netns "$CLI_NS"
  ip -n "$PATH_NS" link add "$PATH_SRV_IF" type veth peer name "$SRV_IF" address 02:00:00:00:00:21 netns "$SRV_NS"
  ip -n "$CLI_NS" addr add "$CLI_V4/24" dev "$CLI_IF"
  ip -n "$CLI_NS" addr add "$CLI_V6/64" dev "$CLI_IF" nodad
  ip -n "$SRV_NS" addr add "$SRV_V4/24" dev "$SRV_IF"
  ip -n "$SRV_NS" addr add "$SRV_V6/64" dev "$SRV_IF" nodad
  ip netns exec "$PATH_NS" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1
  local dev
  for dev in "$PATH_CLI_IF" "$PATH_SRV_IF"; do
    ip netns exec "$PATH_NS" ethtool -K "$dev" tx off rx off sg off tso off gso off gro off >/dev/null 2>&1 || true
    ip -n "$PATH_NS" link set "$dev" master "$PATH_BR" up
  done
  ip -n "$PATH_NS" link set "$PATH_BR" up
  in_cli ethtool -K "$CLI_IF" tx off rx off sg off tso off gso off gro off >/dev/null 2>&1 || true
  in_srv ethtool -K "$SRV_IF" tx off rx off sg off tso off gso off gro off >/dev/null 2>&1 || true
  ip -n "$CLI_NS" link set "$CLI_IF" up
  ip -n "$SRV_NS" link set "$SRV_IF" up
  ip netns exec "$PATH_NS" nft -f - <<'EOF'
table bridge flowsh_loss {
  chain forward {
    type filter hook forward priority 0; policy accept;
    ip saddr 192.0.2.21 tcp sport 50000-50019 numgen random mod 1000 < 20 counter drop
    ip daddr 192.0.2.21 tcp dport 50000-50019 numgen random mod 1000 < 10 counter drop
  }
}
EOF
  sleep 3
}

readonly LOSSY_LINE='%07d flowsh large transfer through a lossy path: line %d of 50000, text so the capture compresses\n'
record_lossy_large() {
  local name=recorded-large-lossy.pcap dl=$WORK_DIR/dl-lossy tree=$WORK_DIR/tree
  mkdir -p "$dl"
  perl -e "printf(\"$LOSSY_LINE\", \$_, \$_) for 1..50000" >"$tree/pub/lossy-large.txt"
  touch -d "$TREE_MTIME" "$tree/pub/lossy-large.txt"
  lossy_path
  start_capture "$name" tcpdump -s 0 -B 65536
  # binary mode (curl's default), PASV, 3 MB/s so tcpdump keeps every frame
  in_cli curl -sS --disable-epsv --limit-rate 3M --user "$FTP_USER:$FTP_PASS" -o "$dl/lossy-large.txt" "ftp://$SRV_V4/pub/lossy-large.txt"
  stop_capture "$name"
  same_content "$tree/pub/lossy-large.txt" "$dl/lossy-large.txt" "$name"
  local dropped
  dropped=$(ip netns exec "$PATH_NS" nft list table bridge flowsh_loss | grep -o 'packets [0-9]*' | awk '{print $2}' | paste -sd/)
  log "$name: the lossy path dropped $dropped packets (server->client/client->server)"
  gzip -9 -n -f "$OUT_DIR/$name"
  note_capture "$name.gz" '"format":"pcap","compression":"gzip","linkType":1,"timestampPrecision":"us","snaplen":262144,"server":"vsftpd","serverAddress":"192.0.2.21","serverPort":21,"clients":["curl"],"expect":"complete","lossyPath":{"dropPerMille":{"serverToClient":20,"clientToServer":10},"droppedPackets":"'"$dropped"'","where":"nftables bridge forward chain in a namespace between client and server, before the capture point (the client interface)"},"exercises":"a '"$(size_of "$tree/pub/lossy-large.txt")"'-byte text download (PASV, TYPE I) through a path that really drops packets: the capture shows holes and the real TCP retransmissions that fill them","commands":["USER","PASS","PWD","CWD","PASV","TYPE","SIZE","RETR","QUIT"]'
  note_file "$name.gz" RETR lossy-large.txt PASV download "$tree/pub/lossy-large.txt" '"content":"the line format LOSSY_LINE of samples/record/record-more.sh printed for 1..50000"'
  rm -f "$tree/pub/lossy-large.txt"
}

# ---- 7. other formats and link types ----------------------------------------------------------------
record_pcapng() {
  local name=recorded-pcapng-epsv-ipv6.pcapng dl=$WORK_DIR/dl-pcapng tree=$WORK_DIR/tree
  mkdir -p "$dl"
  start_capture "$name" dumpcap
  lftp_as_user -e "$LFTP_BASE; set ftp:passive-mode on; set ftp:prefer-epsv yes; cd pub; ls; \
get -O $dl flowsh-4k.bin; bye" "ftp://[$SRV_V6]" </dev/null >"$WORK_DIR/$name.out"
  stop_capture "$name"
  same_content "$tree/pub/flowsh-4k.bin" "$dl/flowsh-4k.bin" "$name"
  note_capture "$name" '"format":"pcapng","linkType":1,"timestampPrecision":"ns","snaplen":262144,"server":"vsftpd","serverAddress":"2001:db8::21","serverPort":21,"clients":["lftp"],"expect":"complete","exercises":"pcapng written by dumpcap (SHB, IDB with options, EPBs, if_tsresol 9: nanoseconds), lftp over IPv6 with EPSV","commands":["USER","PASS","EPSV","LIST","TYPE","RETR","QUIT"]'
  note_listing "$name" LIST "" EPSV "$PUB_NAMES"
  note_file "$name" RETR flowsh-4k.bin EPSV download "$tree/pub/flowsh-4k.bin"
}

record_sll() {
  local name=recorded-sll-port.pcap dl=$WORK_DIR/dl-sll tree=$WORK_DIR/tree
  mkdir -p "$dl"
  start_capture "$name" tcpdump -i any -y LINUX_SLL -s 0
  in_cli curl -sS --user "$FTP_USER:$FTP_PASS" --disable-eprt --ftp-port - -o "$dl/lines.txt" "ftp://$SRV_V4/pub/lines.txt"
  stop_capture "$name"
  same_content "$tree/pub/lines.txt" "$dl/lines.txt" "$name"
  note_capture "$name" '"format":"pcap","linkType":113,"timestampPrecision":"us","snaplen":262144,"server":"vsftpd","serverAddress":"192.0.2.21","serverPort":21,"clients":["curl"],"expect":"complete","exercises":"Linux cooked capture v1 (tcpdump -i any -y LINUX_SLL), curl active mode with PORT","commands":["USER","PASS","PORT","TYPE","SIZE","RETR","QUIT"]'
  note_file "$name" RETR lines.txt PORT download "$tree/pub/lines.txt"
}

record_sll2() {
  local name=recorded-sll2-eprt-nanosec.pcap dl=$WORK_DIR/dl-sll2 tree=$WORK_DIR/tree
  mkdir -p "$dl"
  start_capture "$name" tcpdump -i any -y LINUX_SLL2 --time-stamp-precision=nano -s 0
  in_cli curl -sS --user "$FTP_USER:$FTP_PASS" -T "$WORK_DIR/send/upload-inetutils.bin" --ftp-port - "ftp://$SRV_V4/incoming/sll2-upload.bin"
  in_cli curl -sS --user "$FTP_USER:$FTP_PASS" --ftp-port - -o "$dl/flowsh-4k.bin" "ftp://$SRV_V4/pub/flowsh-4k.bin"
  stop_capture "$name"
  same_content "$WORK_DIR/send/upload-inetutils.bin" "$tree/incoming/sll2-upload.bin" "$name upload"
  same_content "$tree/pub/flowsh-4k.bin" "$dl/flowsh-4k.bin" "$name download"
  note_capture "$name" '"format":"pcap","linkType":276,"timestampPrecision":"ns","snaplen":262144,"server":"vsftpd","serverAddress":"192.0.2.21","serverPort":21,"clients":["curl"],"expect":"complete","exercises":"Linux cooked capture v2 (tcpdump -i any), nanosecond timestamps, curl active mode with EPRT over IPv4: one upload, one download","commands":["USER","PASS","EPRT","TYPE","STOR","RETR","QUIT"]'
  note_file "$name" STOR sll2-upload.bin EPRT upload "$WORK_DIR/send/upload-inetutils.bin" '"generator":"hash_stream upload-inetutils 20000"'
  note_file "$name" RETR flowsh-4k.bin EPRT download "$tree/pub/flowsh-4k.bin"
  rm -f "$tree/incoming/sll2-upload.bin"
}

# ---- 8. honest failure cases ------------------------------------------------------------------------
record_snaplen() {
  local name=recorded-snaplen-128.pcap dl=$WORK_DIR/dl-snap tree=$WORK_DIR/tree
  mkdir -p "$dl"
  start_capture "$name" tcpdump -s 128
  lftp_as_user -e "$LFTP_BASE; set ftp:passive-mode on; set ftp:prefer-epsv no; cd pub; \
get -O $dl lines.txt; bye" "ftp://$SRV_V4" </dev/null >"$WORK_DIR/$name.out"
  stop_capture "$name"
  same_content "$tree/pub/lines.txt" "$dl/lines.txt" "$name"
  note_capture "$name" '"format":"pcap","linkType":1,"timestampPrecision":"us","snaplen":128,"server":"vsftpd","serverAddress":"192.0.2.21","serverPort":21,"clients":["lftp"],"expect":"truncated-capture","exercises":"tcpdump -s 128: every frame cut to 128 bytes, so data segments keep only their first 62 payload bytes; the transfer completed on the wire but cannot be carved","commands":["USER","PASS","PASV","TYPE","RETR","QUIT"]'
  note_file "$name" RETR lines.txt PASV download "$tree/pub/lines.txt" '"expect":"truncated-capture"'
}

record_aborted() {
  local name=recorded-aborted-download.pcap dl=$WORK_DIR/dl-abort tree=$WORK_DIR/tree pid got
  mkdir -p "$dl"
  start_capture "$name" tcpdump -s 0
  # A small receive buffer, or the kernel would take the whole file at once despite the rate limit.
  # Started without a shell function in between, so $! is lftp itself (ip netns exec and env exec).
  ip netns exec "$CLI_NS" env HOME="$WORK_DIR" lftp --norc -u "$FTP_USER,$FTP_PASS" \
    -e "$LFTP_BASE; set ftp:passive-mode on; set ftp:prefer-epsv no; set net:socket-buffer 16384; \
set net:limit-rate 40000; cd pub; get -O $dl large.bin; bye" "ftp://$SRV_V4" </dev/null >"$WORK_DIR/$name.out" 2>&1 &
  pid=$!
  sleep 1.2
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  sleep 1
  stop_capture "$name"
  got=$(size_of "$dl/large.bin")
  [ "$got" -lt "$(size_of "$tree/pub/large.bin")" ] || die "$name: the download finished before the kill"
  note_capture "$name" '"format":"pcap","linkType":1,"timestampPrecision":"us","snaplen":262144,"server":"vsftpd","serverAddress":"192.0.2.21","serverPort":21,"clients":["lftp"],"expect":"aborted","exercises":"lftp (rate-limited to 40 kB/s, 16 kB socket buffer) killed with SIGKILL 1.2 s into a 1.5 MB PASV download: the connections end with RST, only a prefix of the file crossed the wire","commands":["USER","PASS","PASV","TYPE","RETR"]'
  note_file "$name" RETR large.bin PASV download "$tree/pub/large.bin" '"expect":"aborted","generator":"hash_stream large 1572941"'
}

record_ftps() {
  local name=recorded-ftps-explicit.pcap dl=$WORK_DIR/dl-ftps tree=$WORK_DIR/tree
  mkdir -p "$dl"
  start_capture "$name" tcpdump -s 0
  lftp_as_user -e "set ftp:ssl-force true; set ftp:ssl-protect-data true; set ftp:ssl-protect-list true; \
set ssl:verify-certificate no; set net:max-retries 1; set net:timeout 10; set cmd:interactive false; \
set ftp:passive-mode on; set ftp:prefer-epsv no; cd pub; ls; get -O $dl lines.txt; bye" "ftp://$SRV_V4" \
    </dev/null >"$WORK_DIR/$name.out"
  stop_capture "$name"
  same_content "$tree/pub/lines.txt" "$dl/lines.txt" "$name"
  note_capture "$name" '"format":"pcap","linkType":1,"timestampPrecision":"us","snaplen":262144,"server":"vsftpd","serverAddress":"192.0.2.21","serverPort":21,"clients":["lftp"],"expect":"encrypted","tls":true,"exercises":"explicit FTPS: AUTH TLS answered 234, then TLS on the control connection (PBSZ/PROT P, PASV, LIST, RETR inside it) and TLS on both data connections; nothing can be carved","commands":["AUTH"],"plaintextCommandsAfterTls":false'
  note_transfer "$name" "$(printf '"command":"LIST","path":"","mode":"PASV","direction":"download","type":"A","listing":true,"expect":"encrypted","names":%s' "$PUB_NAMES")"
  note_file "$name" RETR lines.txt PASV download "$tree/pub/lines.txt" '"expect":"encrypted"'
}

# ---- 4. other server and client implementations -----------------------------------------------------
record_pyftpdlib_inetutils() {
  local name=recorded-pyftpdlib-inetutils.pcap dl=$WORK_DIR/dl-inetutils tree=$WORK_DIR/tree
  mkdir -p "$dl"
  start_capture "$name" tcpdump -s 0
  (cd "$dl" && in_cli env HOME="$WORK_DIR" inetutils-ftp -n -p "$SRV_V4" >"$WORK_DIR/$name.out" 2>&1 <<EOF
user $FTP_USER $FTP_PASS
binary
cd pub
ls
get lines.txt
get flowsh-4k.bin
cd /incoming
put $WORK_DIR/send/upload-inetutils.bin upload-inetutils.bin
quit
EOF
  )
  stop_capture "$name"
  same_content "$tree/pub/lines.txt" "$dl/lines.txt" "$name lines.txt"
  same_content "$tree/pub/flowsh-4k.bin" "$dl/flowsh-4k.bin" "$name flowsh-4k.bin"
  same_content "$WORK_DIR/send/upload-inetutils.bin" "$tree/incoming/upload-inetutils.bin" "$name upload"
  rm -f "$tree/incoming/upload-inetutils.bin"
  note_capture "$name" '"format":"pcap","linkType":1,"timestampPrecision":"us","snaplen":262144,"server":"pyftpdlib","serverAddress":"192.0.2.21","serverPort":21,"clients":["inetutils-ftp"],"expect":"complete","exercises":"a second server implementation (pyftpdlib) and a second client (GNU inetutils ftp -p): PASV listing, two downloads and an upload; pyftpdlib answers RETR with 125 when it can","commands":["SYST","USER","PASS","TYPE","CWD","PASV","LIST","RETR","STOR","QUIT"]'
  note_listing "$name" LIST "" PASV "$PUB_NAMES"
  note_file "$name" RETR lines.txt PASV download "$tree/pub/lines.txt"
  note_file "$name" RETR flowsh-4k.bin PASV download "$tree/pub/flowsh-4k.bin"
  note_file "$name" STOR upload-inetutils.bin PASV upload "$WORK_DIR/send/upload-inetutils.bin" '"generator":"hash_stream upload-inetutils 20000"'
}

record_pyftpdlib_ftplib() {
  local name=recorded-pyftpdlib-ftplib.pcap dl=$WORK_DIR/dl-py tree=$WORK_DIR/tree
  mkdir -p "$dl"
  start_capture "$name" tcpdump -s 0
  in_cli "$SYSTEM_PYTHON" "$SCRIPT_DIR/ftplib-client.py" "$SRV_V4" "$FTP_USER" "$FTP_PASS" "$dl" \
    "$WORK_DIR/send/upload-ftplib.bin" >"$WORK_DIR/$name.out" 2>&1 || { cat "$WORK_DIR/$name.out" >&2; die "$name: ftplib client failed"; }
  stop_capture "$name"
  same_content "$tree/pub/lines.txt" "$dl/lines.txt" "$name lines.txt"
  same_content "$tree/pub/flowsh-64k.bin" "$dl/flowsh-64k.bin" "$name flowsh-64k.bin"
  same_content "$WORK_DIR/send/upload-ftplib.bin" "$tree/incoming/upload-ftplib.bin" "$name upload"
  rm -f "$tree/incoming/upload-ftplib.bin"
  note_capture "$name" '"format":"pcap","linkType":1,"timestampPrecision":"us","snaplen":262144,"server":"pyftpdlib","serverAddress":"192.0.2.21","serverPort":21,"clients":["python3 ftplib"],"expect":"complete","exercises":"pyftpdlib with a Python ftplib client (samples/record/ftplib-client.py): PASV download, active PORT download (pyftpdlib connects back from an ephemeral port, not 20), PASV upload, NLST","commands":["USER","PASS","CWD","TYPE","PASV","PORT","RETR","STOR","NLST","QUIT"]'
  note_file "$name" RETR lines.txt PASV download "$tree/pub/lines.txt"
  note_file "$name" RETR flowsh-64k.bin PORT download "$tree/pub/flowsh-64k.bin" '"generator":"hash_stream flowsh-64k 65659"'
  note_file "$name" STOR upload-ftplib.bin PASV upload "$WORK_DIR/send/upload-ftplib.bin" '"generator":"hash_stream upload-ftplib 30000"'
  note_listing "$name" NLST "" PASV '["upload-ftplib.bin"]'
}

# ONLY="record_x record_y" runs just those steps (while developing); default: all.
step() { [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $1 "* ]] || return 0; "$1"; }

main() {
  ensure_tools
  trap on_exit EXIT
  trap 'exit 130' INT TERM
  teardown
  WORK_DIR=$(mktemp -d /tmp/flowsh-record-more.XXXXXX)
  : >"$WORK_DIR/manifest.jsonl"
  setup_namespaces
  make_user
  make_tree
  make_cert

  start_vsftpd vsftpd 21
  step record_session_multi
  step record_parallel
  step record_large
  step record_pcapng
  step record_sll
  step record_sll2
  step record_snaplen
  step record_aborted
  step record_lossy_large # last with this server: it re-plumbs the link through the lossy path
  stop_server

  start_vsftpd vsftpd-2121 2121 'ftp_data_port=2120'
  step record_port_2121
  stop_server

  start_vsftpd vsftpd-ftps 21 ssl_enable=YES "rsa_cert_file=$WORK_DIR/ftps.crt" "rsa_private_key_file=$WORK_DIR/ftps.key" \
    require_ssl_reuse=NO force_local_logins_ssl=YES force_local_data_ssl=YES ssl_ciphers=HIGH
  step record_ftps
  stop_server

  start_pyftpdlib
  step record_pyftpdlib_inetutils
  step record_pyftpdlib_ftplib
  stop_server

  node "$SCRIPT_DIR/write-manifest.mjs" "$WORK_DIR/manifest.jsonl" "$OUT_DIR/manifest.json"
  log "wrote $OUT_DIR/manifest.json; deriving the reordered/lossy variants with impair.ts"
  (cd "$REPO_ROOT" && node --import tsx samples/record/impair.ts "$OUT_DIR")
  log "done; software: $(dpkg-query -W -f '${Package} ${Version}, ' vsftpd python3-pyftpdlib lftp curl inetutils-ftp tcpdump wireshark-common openssl | sed 's/, $//')"
}

main "$@"
