#!/usr/bin/env bash
# The short fuzzing run for CI: installs cargo-fuzz when missing, seeds the
# corpora (seed.sh), builds every target and fuzzes each for 30 seconds.
# Exits non-zero when any target crashes, times out (30 s on one input) or
# runs out of memory; the input that did it is in fuzz/artifacts/TARGET/.
#
#   bash fuzz/ci.sh                 # 30 s a target
#   FUZZ_SECONDS=300 bash fuzz/ci.sh
set -uo pipefail
cd "$(dirname "$0")"

# cargo-fuzz passes -Z flags (the sanitizer); stable rustc accepts them so.
export RUSTC_BOOTSTRAP=1
seconds=${FUZZ_SECONDS:-30}

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked || exit 1
fi
if ! bash seed.sh; then
  echo "fuzz/ci.sh: seeding failed; fuzzing from the corpora as they are" >&2
fi
cargo fuzz build || exit 1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=()
for target in $(cargo fuzz list); do
  echo "== fuzz $target ($seconds s)"
  cargo fuzz run "$target" -- -max_total_time="$seconds" -timeout=30 \
    -print_final_stats=1 >"$log" 2>&1
  status=$?
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|Done )' "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$log"
    failed+=("$target")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz/ci.sh: crashes in: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz/ci.sh: no crashes"
