#!/usr/bin/env bash
# Regenerates the tshark ground truth for the shared public captures:
#   test/expectations/shared-pcaps.json            per-capture counts (see README.md for every field)
#   test/expectations/tshark-tcp-stream-rules.json how this tshark splits TCP streams (crafted probes)
# Usage: test/expectations/make-shared-expectations.sh [PCAPS_DIR]
#   PCAPS_DIR defaults to ../shared/pcaps beside the repository. Captures are only read, never copied.
# Needs: tshark, capinfos, awk, node (with the repo's devDependencies installed, for tsx).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
pcaps=$(cd "${1:-$repo/../shared/pcaps}" && pwd)
out_json=$here/shared-pcaps.json
rules_json=$here/tshark-tcp-stream-rules.json

for tool in tshark capinfos awk node; do
  command -v "$tool" >/dev/null 2>&1 || { echo "make-shared-expectations: $tool is required" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tshark_version=$(tshark --version 2>/dev/null | head -n 1)
capinfos_version=$(capinfos --version 2>/dev/null | head -n 1)

# Decode-as needed for the FTP counts (does not change TCP/UDP streams or conversations).
extra_tshark_options() {
  case "$1" in
    zeek/globus-url-copy.pcap) echo "-d tcp.port==2811,ftp" ;;
    *) echo "" ;;
  esac
}

# Facts about a capture that the counts do not show (from MANIFEST.md and from inspecting tshark's output).
manual_notes() {
  case "$1" in
    zeek/globus-url-copy.pcap)
      echo "GridFTP control on tcp/2811: tshark needs '-d tcp.port==2811,ftp' to decode it as FTP (applied here to every tshark run of this file)." ;;
    composite/perf-mixed-ndpi-ftp.pcap)
      echo "COMPOSITE (mergecap of 380 captures, ~36 MB): not a real trace. Many link/tunnel encapsulations (VLAN/QinQ, VXLAN, GTP, CAPWAP, Teredo, GRE, IP-in-IP, 6in4), ICMP errors quoting TCP/UDP headers, IPv4 fragments, fuzzed packets; timestamps jump across 2002-2026 and are not ordered."
      echo "The 'Dissector bug, protocol Ceph' stderr lines are a tshark dissector bug, not a capture fault." ;;
    ctfs-write-ups/h4ckit-ctf-2016-r341m4710n-100/*)
      echo "Standard pcap magic but RedHat 6.1 (Kuznetzov) 24-byte record headers: capinfos reports file type rh6_1pcap; libpcap/tcpdump stop after the first record." ;;
    Yuga-Oshiro-R6_CTF-Network/FTP.pcap|silviogiavaroto-pcapsamples/ftp.cap)
      echo "pcapng despite the file name extension." ;;
    aliawa-saved_pcaps/ftp_eprt.pcap)
      echo "Same control connection seen twice (pre-NAT untagged frames and post-NAT 802.1Q-tagged frames): tshark counts the two address views as separate streams; VLAN ids are not part of tshark's conversation key." ;;
    aliawa-saved_pcaps/ftp_passive.pcap)
      echo "All frames 802.1Q-tagged; VLAN ids are not part of tshark's conversation key." ;;
    derived/bug-4877.snaplen128.pcap|derived/ipv4.snaplen96.pcap)
      echo "Frames truncated by the snaplen (captured length < wire length); tshark still counts every TCP segment in its stream." ;;
    derived/ipv6.sll.pcap)
      echo "Linux cooked capture v1 (DLT 113)." ;;
    derived/ruletype-firewall-116-ftp-all-data-ipv4.sll2.pcap)
      echo "Linux cooked capture v2 (DLT 276)." ;;
    chrissanders-packets/ppa1e/ftpclientdenied.pcap)
      echo "Three SYNs with the same ISN and no answer: one tcp.stream, one conv,tcp row (a SYN-only connection is counted)." ;;
    jovair1994-Intro_Traffic_Analysis/ftp.pcapng)
      echo "Docker lab: the client reuses its source ports towards tcp/9000 after FIN close (new ISN each time), hence tcpStreams > tcp4Tuples." ;;
    chrissanders-packets/ppa1e/ftp-crack.pcap)
      echo "Timestamps are not monotonic." ;;
    pcapplusplus/Ftp.pcap)
      echo "10 packets stitched from different captures: timestamps jump by years; IPv4 and IPv6 mixed." ;;
    ndpi/fuzz-2006-06-26-2594.pcap)
      echo "Fuzzed capture: corrupted addresses/lengths/flags; some IPv4 headers carry bogus fragment bits." ;;
    ndpi/ftp-start-tls.pcap)
      echo "Every server segment is captured twice (tshark marks retransmissions, same stream)." ;;
    suricata-verify/ftp-port-memcap/input.pcap)
      echo "DLT_NULL (BSD loopback, DLT 0)." ;;
  esac
}

# Link-layer types (DLT numbers) declared in the file: pcap header, or every pcapng interface block.
link_types() {
  node --input-type=module - "$1" <<'EOF'
import { readFileSync } from 'node:fs';
const b = readFileSync(process.argv[2]);
const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
const out = [];
const magic = v.getUint32(0, false);
if (magic === 0x0a0d0d0a) {
  let o = 0, le = true;
  while (o + 12 <= b.length) {
    if (v.getUint32(o, true) === 0x0a0d0d0a) le = v.getUint32(o + 8, true) === 0x1a2b3c4d;
    const type = v.getUint32(o, le), len = v.getUint32(o + 4, le);
    if (len < 12) break;
    if (type === 1) out.push(v.getUint16(o + 8, le));
    o += len;
  }
} else {
  const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1 || magic === 0x34cdb2a1;
  out.push(v.getUint32(20, le) & 0x0fffffff);
}
process.stdout.write(out.join(','));
EOF
}

# One line per packet: everything the counts below need, all occurrences of each field ('|'-joined).
FIELDS=(-e frame.number -e frame.time_epoch -e frame.protocols -e tcp.stream -e udp.stream
        -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport
        -e tcp.flags -e ip.flags.mf -e ip.frag_offset -e ipv6.fraghdr.offset)

# Computes the per-capture JSON members from the field dump ($1) and the stats output ($2).
summarise() {
  awk -F '\t' -v stats="$2" '
    function esc(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\t/, " ", s); return s }
    # placement of the transport header at token i: 0 outermost IP, 1 tunneled, 2 quoted in ICMP error
    function placement(i,   j, ips, icmp) {
      ips = 0; icmp = 0
      for (j = 1; j < i; j++) {
        if (tok[j] == "ip" || tok[j] == "ipv6") ips++
        else if (tok[j] == "icmp" || tok[j] == "icmpv6") icmp = 1
      }
      return icmp ? 2 : (ips > 1 ? 1 : 0)
    }
    # compares epoch strings exactly (a double loses the nanoseconds): seconds, then the fraction digits
    function tcmp(a, b,   as, bs, ai, bi) {
      split(a, as, "."); split(b, bs, ".")
      ai = as[1] + 0; bi = bs[1] + 0
      if (ai != bi) return ai < bi ? -1 : 1
      return as[2] == bs[2] ? 0 : (as[2] < bs[2] ? -1 : 1)
    }
    function better(a, b) { return (a == "" || b < a) ? b : a }
    {
      packets++
      if (packets == 1) firstTime = $2
      lastTime = $2
      if (minTime == "" || tcmp($2, minTime) < 0) minTime = $2
      if (maxTime == "" || tcmp($2, maxTime) > 0) maxTime = $2
      if (packets > 1 && tcmp($2, prevTime) < 0) backwards++
      prevTime = $2
      n = split($3, tok, ":")
      has["ip"] = has["ipv6"] = has["tcp"] = has["udp"] = has["ftp"] = has["ftp-data"] = 0
      for (i = 1; i <= n; i++) if (tok[i] in has) has[tok[i]] = 1
      ipv4 += has["ip"]; ipv6 += has["ipv6"]; tcp += has["tcp"]; udp += has["udp"]
      ftp += has["ftp"]; ftpData += has["ftp-data"]
      if ($15 ~ /1/ || $16 ~ /[1-9]/ || $17 != "") fragments++
      nts = ($4 == "") ? 0 : split($4, tcpStream, "|")
      nus = ($5 == "") ? 0 : split($5, udpStream, "|")
      split($6, ip4s, "|"); split($7, ip4d, "|"); split($8, ip6s, "|"); split($9, ip6d, "|")
      split($10, tsp, "|"); split($11, tdp, "|"); split($12, usp, "|"); split($13, udp_dp, "|")
      v4 = 0; v6 = 0; fam = ""; famIdx = 0; kt = 0; ku = 0; firstUdpPlace = ""
      for (i = 1; i <= n; i++) {
        t = tok[i]
        if (t == "ip") { v4++; fam = "4"; famIdx = v4 }
        else if (t == "ipv6") { v6++; fam = "6"; famIdx = v6 }
        else if (t == "tcp" || t == "udp") {
          place = placement(i)
          if (fam == "4") { s = ip4s[famIdx]; d = ip4d[famIdx] } else { s = ip6s[famIdx]; d = ip6d[famIdx] }
          if (t == "tcp") {
            kt++
            tcpPlace[place]++
            # a TCP header cut short (e.g. 8 bytes quoted in an ICMP error) gets no tcp.stream
            if (nts < kt) continue
            if (place == 2) tcpInIcmpWithStream++
            id = tcpStream[kt]
            a = s " " tsp[kt]; b = d " " tdp[kt]
            key = (a < b) ? a "|" b : b "|" a
            if (!(id in tcpKey)) { tcpKey[id] = key; tcpStreams++ }
            tcpTuple[key] = 1
            if (!((id SUBSEP key) in tcpPair)) { tcpPair[id, key] = 1; tcpPairs++; tcpPairsOfStream[id]++ }
            if ((id in tcpLast) && $2 - tcpLast[id] > tcpMaxIdle) tcpMaxIdle = $2 - tcpLast[id]
            tcpLast[id] = $2 + 0
            tcpBest[id] = better(tcpBest[id], place)
            fl = strtonum_hex($14)
            if (and2(fl, 18) == 2) tcpSyn[id] = 1
            else tcpNonSyn[id] = 1
          } else {
            ku++
            if (firstUdpPlace == "") firstUdpPlace = place
            if (nus < ku) continue
            id = udpStream[ku]
            a = s " " usp[ku]; b = d " " udp_dp[ku]
            key = (a < b) ? a "|" b : b "|" a
            if (!(id in udpKey)) { udpKey[id] = key; udpStreams++ }
            udpTuple[key] = 1
            if (!((id SUBSEP key) in udpPair)) { udpPair[id, key] = 1; udpPairs++; udpPairsOfStream[id]++ }
            if ((id in udpLast) && $2 - udpLast[id] > udpMaxIdle) udpMaxIdle = $2 - udpLast[id]
            udpLast[id] = $2 + 0
            udpBest[id] = better(udpBest[id], place)
          }
        }
      }
      if (firstUdpPlace != "") udpPlace[firstUdpPlace]++
    }
    function strtonum_hex(h,   i, c, v) {
      v = 0; h = tolower(h); sub(/^0x/, "", h)
      for (i = 1; i <= length(h); i++) { c = index("0123456789abcdef", substr(h, i, 1)); if (c == 0) return 0; v = v * 16 + c - 1 }
      return v
    }
    function and2(x, m,   r, bit) { r = 0; for (bit = 1; bit <= m; bit *= 2) if (int(x / bit) % 2 == 1 && int(m / bit) % 2 == 1) r += bit; return r }
    END {
      # conversation rows and expert counts from the -z output
      section = ""
      while ((getline line < stats) > 0) {
        if (line ~ /^TCP Conversations/) section = "tcp"
        else if (line ~ /^UDP Conversations/) section = "udp"
        else if (line ~ /^(Errors|Warns|Notes|Chats) \(/) {
          section = ""
          count = line; sub(/^[A-Za-z]+ \(/, "", count)
          if (line ~ /^Errors/) errors = count + 0
          if (line ~ /^Warns/) warns = count + 0
        }
        else if (line ~ /<->/ && section == "tcp") tcpConv++
        else if (line ~ /<->/ && section == "udp") udpConv++
        if (line ~ /^(Errors|Warns) \(/) expertSeverity = (line ~ /^Errors/) ? "error" : "warning"
        else if (line ~ /^(Notes|Chats) \(/ || line ~ /Conversations/) expertSeverity = ""
        else if (expertSeverity != "" && match(line, /  (Ethernet|802\.1Q|VLAN|IPv4|IPv6|TCP|UDP|SLL|SLL2|NULL|Null\/Loopback)  /)) {
          # link/network/transport expert items only: the ones that matter for flow building
          proto = substr(line, RSTART + 2, RLENGTH - 4)
          summary = substr(line, RSTART + RLENGTH); sub(/^ +/, "", summary); gsub(/[0-9]+/, "#", summary)
          freq = line; sub(/^ +/, "", freq); sub(/ .*/, "", freq)
          ek = "tshark expert " expertSeverity ", " proto ": " summary
          if (!(ek in expert)) expertOrder[++expertCount] = ek
          expert[ek] += freq
        }
      }
      for (k in tcpTuple) tcpTuples++
      for (k in udpTuple) udpTuples++
      for (id in tcpKey) {
        sb[tcpBest[id]]++
        if (!(id in tcpSyn)) noSyn++
        else if (!(id in tcpNonSyn)) synOnly++
      }
      for (id in udpKey) ub[udpBest[id]]++
      printf "\"packets\": %d, ", packets
      printf "\"tcpConversations\": %d, \"tcpStreams\": %d, \"tcp4Tuples\": %d, ", tcpConv, tcpStreams, tcpTuples
      printf "\"tcpStreamsSynOnly\": %d, \"tcpStreamsWithoutSyn\": %d, ", synOnly, noSyn
      printf "\"tcpStreamsByPlacement\": {\"outer\": %d, \"tunneled\": %d, \"inIcmpError\": %d}, ", sb[0], sb[1], sb[2]
      printf "\"udpConversations\": %d, \"udpStreams\": %d, \"udp4Tuples\": %d, ", udpConv, udpStreams, udpTuples
      printf "\"udpStreamsByPlacement\": {\"outer\": %d, \"tunneled\": %d, \"inIcmpError\": %d}, ", ub[0], ub[1], ub[2]
      printf "\"ipv4Packets\": %d, \"ipv6Packets\": %d, \"tcpPackets\": %d, \"udpPackets\": %d, ", ipv4, ipv6, tcp, udp
      printf "\"tcpPacketsByPlacement\": {\"outer\": %d, \"tunneled\": %d, \"inIcmpError\": %d}, ", tcpPlace[0], tcpPlace[1], tcpPlace[2]
      printf "\"udpPacketsByPlacement\": {\"outer\": %d, \"tunneled\": %d, \"inIcmpError\": %d}, ", udpPlace[0], udpPlace[1], udpPlace[2]
      printf "\"tcpMaxIdleSeconds\": %.6f, \"udpMaxIdleSeconds\": %.6f, ", tcpMaxIdle, udpMaxIdle
      printf "\"ipFragmentPackets\": %d, \"ftpPackets\": %d, \"ftpDataPackets\": %d, ", fragments, ftp, ftpData
      printf "\"firstTime\": \"%s\", \"lastTime\": \"%s\", \"minTime\": \"%s\", \"maxTime\": \"%s\", \"timestampsBackwards\": %d, ", esc(firstTime), esc(lastTime), esc(minTime), esc(maxTime), backwards
      printf "\"expertErrors\": %d, \"expertWarnings\": %d\n", errors, warns
      # automatic notes, one per line after the members
      reused = 0; for (k in tcpPair) { split(k, kp, SUBSEP); perTuple[kp[2]]++ }
      for (k in perTuple) if (perTuple[k] > 1) reused++
      if (reused) printf "Port reuse: %d TCP 4-tuples carry more than one tcp.stream (a SYN with a new ISN starts a new stream).\n", reused
      multi = 0; for (id in tcpPairsOfStream) if (tcpPairsOfStream[id] > 1) multi++
      if (multi) printf "%d tcp.stream values span more than one address/port pair.\n", multi
      multi = 0; for (id in udpPairsOfStream) if (udpPairsOfStream[id] > 1) multi++
      if (multi) printf "%d udp.stream values span more than one address/port pair (a conversation set up by signalling, e.g. SDP for RTP, has a wildcard address): conv,udp counts one row per (pair, stream).\n", multi
      if (tcpConv != tcpPairs) printf "conv,tcp has %d rows but there are %d (tcp.stream, address/port pair) combinations (seen: TCP inside reassembled IPv4 fragments and TCP quoted in ICMPv6 errors get a tcp.stream but no row).\n", tcpConv, tcpPairs
      if (udpConv != udpPairs) printf "conv,udp has %d rows but there are %d (udp.stream, address/port pair) combinations.\n", udpConv, udpPairs
      if (sb[1] + sb[2] + ub[1] + ub[2]) printf "Streams not carried directly by the outermost IP header: TCP %d tunneled + %d quoted in ICMP errors, UDP %d tunneled + %d quoted in ICMP errors (tshark counts them all).\n", sb[1], sb[2], ub[1], ub[2]
      if (tcpPlace[2] > tcpInIcmpWithStream) printf "%d TCP headers quoted in ICMP errors are too short for tshark to assign a tcp.stream.\n", tcpPlace[2] - tcpInIcmpWithStream
      if (tcpMaxIdle > 120) printf "A tcp.stream is idle for %.0f s (tshark has no timeouts; Tranalyzer-style flow timeouts could split it).\n", tcpMaxIdle
      if (udpMaxIdle > 182) printf "A udp.stream is idle for %.0f s (tshark has no timeouts; Tranalyzer-style flow timeouts could split it).\n", udpMaxIdle
      if (fragments) printf "%d packets are IP fragments: tshark reassembles them and shows TCP/UDP only in the reassembling (last) fragment.\n", fragments
      if (backwards) printf "Timestamps go backwards %d times (firstTime/lastTime are in file order; minTime/maxTime are the extremes).\n", backwards
      for (i = 1; i <= expertCount; i++) printf "%s (x%d)\n", expertOrder[i], expert[expertOrder[i]]
    }
  ' "$1"
}

json_string() { local s=$1; s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\t'/ }; printf '"%s"' "$s"; }

mapfile -t files < <(cd "$pcaps" && find . -type f ! -name '*.md' ! -name '*.tsv' | sed 's|^\./||' | sort)
echo "make-shared-expectations: ${#files[@]} captures in $pcaps, $tshark_version" >&2

{
  printf '{\n'
  printf '  "generatedBy": "test/expectations/make-shared-expectations.sh",\n'
  printf '  "tsharkVersion": %s,\n' "$(json_string "$tshark_version")"
  printf '  "capinfosVersion": %s,\n' "$(json_string "$capinfos_version")"
  printf '  "pcapsDir": "../shared/pcaps (relative to the repository root)",\n'
  printf '  "captureCount": %d,\n' "${#files[@]}"
  printf '  "captures": {\n'
  index=0
  for rel in "${files[@]}"; do
    index=$((index + 1))
    file=$pcaps/$rel
    echo "  [$index/${#files[@]}] $rel" >&2
    read -r -a extra <<< "$(extra_tshark_options "$rel")"
    tshark -r "$file" "${extra[@]}" -T fields -E separator=/t -E occurrence=a -E aggregator='|' "${FIELDS[@]}" \
      > "$work/fields" 2> "$work/fields.err"
    tshark -r "$file" "${extra[@]}" -q -z conv,tcp -z conv,udp -z expert > "$work/stats" 2> "$work/stats.err"
    capinfos -M "$file" > "$work/capinfos" 2> "$work/capinfos.err" || true
    cap_packets=$(awk -F': *' '/^Number of packets:/ { print $2 }' "$work/capinfos")
    file_type=$(awk -F': *' '/^File type:/ { print $2 }' "$work/capinfos")
    encapsulation=$(awk -F': *' '/^File encapsulation:/ { print $2 }' "$work/capinfos")
    ts_precision=$(awk -F': *' '/^File timestamp precision:/ { print $2 }' "$work/capinfos")
    summarise "$work/fields" "$work/stats" > "$work/summary"
    members=$(head -n 1 "$work/summary")
    tshark_packets=$(wc -l < "$work/fields")
    notes=()
    while IFS= read -r line; do [ -n "$line" ] && notes+=("$line"); done < <(manual_notes "$rel"; tail -n +2 "$work/summary")
    if [ "$cap_packets" != "$tshark_packets" ]; then
      notes+=("capinfos counts $cap_packets packets but tshark dissects $tshark_packets.")
    fi
    # tshark/capinfos diagnostics, minus the root warning and timestamps/pids that change per run
    while IFS= read -r line; do notes+=("$line"); done < <(
      cat "$work/fields.err" "$work/stats.err" "$work/capinfos.err" | grep -v 'Running as user' \
        | sed -E 's/\(tshark:[0-9]+\) [0-9:.]+ //; s/^ *\*\* *//' | sort | uniq -c | sed -E 's/^ *([0-9]+) (.*)/stderr (x\1): \2/')
    printf '    %s: {\n' "$(json_string "$rel")"
    printf '      "fileType": %s, "encapsulation": %s, "timestampPrecision": %s, "linkTypes": [%s],\n' \
      "$(json_string "$file_type")" "$(json_string "$encapsulation")" "$(json_string "$ts_precision")" "$(link_types "$file")"
    printf '      "tsharkExtraOptions": %s,\n' "$(json_string "$(extra_tshark_options "$rel")")"
    printf '      %s,\n' "$members"
    printf '      "notes": ['
    for i in "${!notes[@]}"; do
      [ "$i" -gt 0 ] && printf ', '
      json_string "${notes[$i]}"
    done
    printf ']\n'
    if [ "$index" -lt "${#files[@]}" ]; then printf '    },\n'; else printf '    }\n'; fi
  done
  printf '  }\n}\n'
} > "$work/shared-pcaps.json"
mv "$work/shared-pcaps.json" "$out_json"
echo "make-shared-expectations: wrote $out_json" >&2

# Crafted probes: how this tshark assigns tcp.stream values and conv,tcp rows on one 4-tuple.
probe_dir=$work/probes
(cd "$repo" && node --import tsx test/expectations/tcp-stream-probes.ts "$probe_dir") > "$work/probes.tsv"
{
  printf '{\n'
  printf '  "generatedBy": "test/expectations/make-shared-expectations.sh (captures from tcp-stream-probes.ts)",\n'
  printf '  "tsharkVersion": %s,\n' "$(json_string "$tshark_version")"
  printf '  "probes": {\n'
  count=$(wc -l < "$work/probes.tsv")
  index=0
  while IFS=$'\t' read -r name description; do
    index=$((index + 1))
    streams=$(tshark -r "$probe_dir/$name" -T fields -e tcp.stream 2>/dev/null | paste -sd, -)
    rows=$(tshark -r "$probe_dir/$name" -q -z conv,tcp 2>/dev/null | grep -c '<->' || true)
    distinct=$(printf '%s\n' "$streams" | tr ',' '\n' | sort -u | grep -c . || true)
    printf '    %s: {"description": %s, "tcpStreamPerPacket": [%s], "tcpStreams": %d, "tcpConversations": %d}' \
      "$(json_string "${name%.pcap}")" "$(json_string "$description")" "$streams" "$distinct" "$rows"
    if [ "$index" -lt "$count" ]; then printf ',\n'; else printf '\n'; fi
  done < "$work/probes.tsv"
  printf '  }\n}\n'
} > "$work/rules.json"
mv "$work/rules.json" "$rules_json"
echo "make-shared-expectations: wrote $rules_json" >&2
