#!/usr/bin/env bash
# Runs every "$ " line of docs/getting-started.md, in order, in a scratch
# directory with examples/ and docs/ and otaconf on the PATH: the page's
# commands cannot rot. Usage: getting_started.sh OTACONF SOURCE_DIR
set -uo pipefail
otaconf=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ln -s "$src/examples" "$work/examples"
ln -s "$src/docs" "$work/docs"
export PATH="$(dirname "$otaconf"):$PATH" NO_COLOR=1
cd "$work" || exit 1
count=0
while IFS= read -r line; do
  command=${line#\$ }
  count=$((count + 1))
  if ! bash -c "$command" >"$work/out" 2>"$work/err"; then
    echo "FAIL: docs/getting-started.md: '$command' exited $?"
    tail -n 20 "$work/out" "$work/err"
    exit 1
  fi
done < <(grep '^\$ ' "$src/docs/getting-started.md")
[ "$count" -ge 8 ] || { echo "FAIL: only $count commands found in docs/getting-started.md"; exit 1; }
for file in my-state.json packages/manifest.json server.json server.xml server.har parser.json device.json report.html all.xml; do
  [ -s "$work/$file" ] || { echo "FAIL: the walk-through left no $file"; exit 1; }
done
echo "ok: $count commands of docs/getting-started.md"
