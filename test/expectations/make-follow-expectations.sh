#!/usr/bin/env bash
# Regenerates test/expectations/follow-tcp.json: for every TCP stream carrying payload in every shared
# capture, the bytes and SHA-256 of each direction as `tshark -q -z follow,tcp,raw,N` gives them.
# Exceptions (streams where flowsh rightly differs from tshark, with the reason) are kept from the
# existing file. Usage: test/expectations/make-follow-expectations.sh [PCAPS_DIR]
#   PCAPS_DIR defaults to ../shared/pcaps beside the repository. Captures are only read, never copied.
# Needs: tshark, node. Takes several minutes (the 36 MB composite capture has ~3700 data streams).
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
pcaps=$(cd "${1:-$repo/../shared/pcaps}" && pwd)
for tool in tshark node; do
  command -v "$tool" >/dev/null 2>&1 || { echo "make-follow-expectations: $tool is required" >&2; exit 1; }
done
exec node "$here/make-follow-expectations.mjs" "$pcaps" "$here/shared-pcaps.json" "$here/follow-tcp.json"
