#!/usr/bin/env bash
# Time to first frame of the release binary under Xvfb, beside KeePassXC's
# time to map its window, in the same run. Usage: benches/first_frame.sh [RUNS]
# Needs: xvfb, xdotool, keepassxc (optional, for the peer).
set -u
runs=${1:-10}
bin=target/release/qvault
[ -x "$bin" ] || cargo build --release --quiet
tmp=$(mktemp -d); trap 'kill $xvfb 2>/dev/null; rm -rf "$tmp"' EXIT
Xvfb :93 -screen 0 1280x800x24 >/dev/null 2>&1 & xvfb=$!
sleep 1
export DISPLAY=:93 HOME=$tmp XDG_DATA_HOME=$tmp/data XDG_CONFIG_HOME=$tmp/config

now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# 1. Qvault reports its own first frame (QVAULT_BENCH_FIRST_FRAME), exact.
for _ in $(seq "$runs"); do
  start=$(now_ns)
  end=$(QVAULT_BENCH_FIRST_FRAME=1 "$bin" 2>/dev/null | awk '/first-frame-unix-ns/ {print $2}')
  echo $(( (end - start) / 1000000 ))
done | median > "$tmp/q_self"

# 2. Both apps measured alike from outside: launch until the window is mapped.
mapped_ms() { # NAME CMD...
  local name=$1; shift
  local start; start=$(now_ns)
  "$@" >/dev/null 2>&1 & local pid=$!
  local deadline=$(( start + 20000000000 ))
  # Only viewable windows count: KeePassXC also makes an unmapped 1x1 window
  # with the same title. A short pause keeps the poll from crowding the X server.
  until [ -n "$(xdotool search --onlyvisible --name "^$name\$" 2>/dev/null)" ]; do
    if [ "$(now_ns)" -gt "$deadline" ]; then echo "$name: no window in 20 s" >&2; break; fi
    sleep 0.002
  done
  local end; end=$(now_ns)
  kill $pid 2>/dev/null; wait $pid 2>/dev/null
  echo $(( (end - start) / 1000000 ))
}
for _ in $(seq "$runs"); do mapped_ms Qvault "$bin"; done | median > "$tmp/q_map"
# The bare eframe window (examples/bare_window.rs, same profile): eframe's own share.
bare=target/release/examples/bare_window
[ -x "$bare" ] || cargo build --release --quiet --example bare_window
for _ in $(seq "$runs"); do mapped_ms 'Bare eframe' "$bare"; done | median > "$tmp/b_map"
echo "qvault first frame (self-reported): $(cat "$tmp/q_self") ms (median of $runs)"
echo "qvault window viewable:             $(cat "$tmp/q_map") ms (median of $runs)"
echo "bare eframe window viewable:        $(cat "$tmp/b_map") ms (median of $runs)"
awk -v b="$(cat "$tmp/b_map")" -v q="$(cat "$tmp/q_map")" 'BEGIN { if (b > 0) printf "Qvault takes %.2fx the time of a bare eframe window\n", q / b }'
if command -v keepassxc >/dev/null; then
  for _ in $(seq "$runs"); do mapped_ms KeePassXC keepassxc; done | median > "$tmp/k_map"
  k=$(cat "$tmp/k_map"); q=$(cat "$tmp/q_map")
  echo "keepassxc window viewable:          $k ms (median of $runs)"
  awk -v k="$k" -v q="$q" 'BEGIN { if (q > 0) printf "ratio: Qvault maps its window %.1fx as fast as KeePassXC\n", k / q }'
else
  echo "keepassxc not installed: no peer (apt-get install keepassxc)"
fi
