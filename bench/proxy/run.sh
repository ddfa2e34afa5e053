#!/usr/bin/env bash
# Proxy benchmark, in one go on loopback: sdkflow proxy (recording into a real session store in a
# temporary directory), the same proxy recording nothing ("nostore": the ceiling the proxy
# itself sets) and mitmdump (writing its flows to a file) in front of the same local HTTPS
# upstream. Requests per second with keep-alive and with a new connection per request, at 1 and
# 50 concurrent clients, latency added over a direct connection, and the ratio to mitmdump;
# then a 1 GiB upload through sdkflow with its peak memory.
#
#   bench/proxy/run.sh    # DUR=5s per cell; REPEAT=N runs every cell N times (best kept);
#                         # UPLOAD=0 skips the upload
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR=${DUR:-5s}
UPLOAD=${UPLOAD:-1}
REPEAT=${REPEAT:-1}
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
waitfile() { for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.1; done; echo "timed out waiting for $1" >&2; exit 1; }
waitport() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }

go build -o "$tmp/sdkflow" ./cmd/sdkflow
go build -o "$tmp/loadgen" ./bench/proxy/loadgen

"$tmp/loadgen" upstream -dir "$tmp" > "$tmp/upstream.addr" & pids+=($!)
waitfile "$tmp/upstream.addr"
up_port=$(sed 's/.*://' "$tmp/upstream.addr")
url="https://localhost:$up_port/v2/events"

start_sdkflow() { # $1 port, $2 store
  SDKFLOW_HOME="$2" "$tmp/sdkflow" proxy --session bench --listen "127.0.0.1:$1" \
    --upstream-ca "$tmp/upstream-ca.pem" </dev/null >"$2.log" 2>&1 & pids+=($!)
  waitport "$1"
}

sf_port=$(freeport)
start_sdkflow "$sf_port" "$tmp/home"
sf_ca="$tmp/home/ca/sdkflow-ca-cert.pem"

results="$tmp/results"
: > "$results"
run() { # name proxyURL ca keepalive clients
  local out
  out=$("$tmp/loadgen" load -proxy "$2" -ca "$tmp/upstream-ca.pem" ${3:+-ca "$3"} -url "$url" \
        -keepalive="$4" -c "$5" -d "$DUR")
  echo "$1 $4 $5 $out" >> "$results"
  echo "  $1 keepalive=$4 clients=$5: $out" >&2
}

# The same proxy with a recorder that keeps nothing: the ceiling the proxy itself sets.
ns_port=$(freeport)
"$tmp/loadgen" nostore -listen "127.0.0.1:$ns_port" -ca-dir "$tmp/nostore-ca" \
  -upstream-ca "$tmp/upstream-ca.pem" >"$tmp/nostore.log" 2>&1 & pids+=($!)
waitport "$ns_port"

have_mitm=0
if command -v mitmdump >/dev/null; then
  have_mitm=1
  mp=$(freeport)
  mitmdump --listen-host 127.0.0.1 --listen-port "$mp" --set confdir="$tmp/mitm" \
    --set ssl_verify_upstream_trusted_ca="$tmp/upstream-ca.pem" -w "$tmp/mitm.flows" -q \
    </dev/null >"$tmp/mitm.log" 2>&1 & pids+=($!)
  waitport "$mp"
  waitfile "$tmp/mitm/mitmproxy-ca-cert.pem"
else
  echo "mitmdump not installed: no comparison" >&2
fi

for _ in $(seq "$REPEAT"); do
  for ka in true false; do
    for c in 1 50; do
      run direct "" "" "$ka" "$c"
      run sdkflow "http://127.0.0.1:$sf_port" "$sf_ca" "$ka" "$c"
      run nostore "http://127.0.0.1:$ns_port" "$tmp/nostore-ca/sdkflow-ca-cert.pem" "$ka" "$c"
      if [ "$have_mitm" = 1 ]; then
        run mitmdump "http://127.0.0.1:$mp" "$tmp/mitm/mitmproxy-ca-cert.pem" "$ka" "$c"
      fi
    done
  done
done

echo
"$tmp/loadgen" report "$results"
flows=$(SDKFLOW_HOME="$tmp/home" "$tmp/sdkflow" session list 2>/dev/null | grep -w bench || true)
echo "sdkflow session after the runs: ${flows:-?}"

if [ "$UPLOAD" = 1 ]; then
  # A fresh proxy, so its peak memory is the upload's alone.
  up2=$(freeport)
  start_sdkflow "$up2" "$tmp/home2"
  pid=${pids[-1]}
  echo
  echo "1 GiB upload through sdkflow:"
  "$tmp/loadgen" upload -proxy "http://127.0.0.1:$up2" -ca "$tmp/upstream-ca.pem" \
    -ca "$tmp/home2/ca/sdkflow-ca-cert.pem" -url "https://localhost:$up_port/upload" -size $((1 << 30))
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  echo "sdkflow peak RSS: $((hwm / 1024)) MB (goal < 200 MB)"
fi
