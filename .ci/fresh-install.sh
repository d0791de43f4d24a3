#!/usr/bin/env bash
# CI step: the README's commands on fresh clones of this repository's HEAD, installed with
# `npm ci` (npm's allowScripts policy made strict where npm has it) and with `npm ci --ignore-scripts`
# (by npm 10 where the system's npm is newer),
# in a 0700 directory as mktemp -d makes it: --version, then `npm start` until /readyz answers and
# SIGTERM to npm stops it; then, from there, the tests that depend on the user and directory modes.
# It clones HEAD: uncommitted changes are not in it.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
npm_pid=""
cleanup() {
  if [ -n "$npm_pid" ]; then kill "$npm_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
# Tests may read ../shared; the clones get the same neighbour.
if [ -d "$src/../shared" ]; then ln -s "$(cd "$src/../shared" && pwd)" "$work/shared"; fi

policy=()
if [ "$(npm config get strict-allow-scripts 2>/dev/null)" = "false" ]; then
  policy=(--strict-allow-scripts)
fi
# The install without scripts goes through npm 10 when the system has a newer npm: npm 10 drops
# node_modules/.bin/node (it unlinks the bin of the other platforms' Node packages it skips).
# (Not through npx, whose own shell would stand between the signal and npm.)
npm_other=(npm)
if [ "$(npm --version | cut -d. -f1)" -ge 11 ]; then
  npm install --prefix "$work/npm10" --no-audit --no-fund --prefer-offline npm@10 >/dev/null
  npm_other=(node "$work/npm10/node_modules/npm/bin/npm-cli.js")
fi

free_port() {
  node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}

# `npm start` in the demo until /readyz answers 200, then SIGTERM to npm's own pid.
start_until_ready() {
  local port url deadline
  port="$(free_port)"
  url="http://127.0.0.1:$port/readyz"
  "${npm_run[@]}" start -- --listen-address "127.0.0.1:$port" >"$work/start.log" 2>&1 &
  npm_pid=$!
  deadline=$((SECONDS + 30))
  until node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$url"; do
    if ! kill -0 "$npm_pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
      echo "fresh-install: npm start did not answer $url" >&2
      cat "$work/start.log" >&2
      return 1
    fi
    sleep 0.2
  done
  kill -TERM "$npm_pid"
  wait "$npm_pid" || true
  npm_pid=""
  if node -e 'fetch(process.argv[1]).then(() => process.exit(0), () => process.exit(1))' "$url"; then
    echo "fresh-install: $url still answers after npm start was stopped" >&2
    return 1
  fi
  grep -q '"msg":"exporter stopped"' "$work/start.log" || {
    echo "fresh-install: the exporter did not stop cleanly" >&2
    cat "$work/start.log" >&2
    return 1
  }
}

for mode in scripts ignore-scripts; do
  started=$SECONDS
  git clone -q "$src" "$work/$mode"
  cd "$work/$mode"
  if [ "$mode" = scripts ]; then
    npm_run=(npm) flags=("${policy[@]}")
  else
    npm_run=("${npm_other[@]}") flags=(--ignore-scripts)
  fi
  "${npm_run[@]}" ci --no-audit --no-fund --prefer-offline "${flags[@]}" >/dev/null
  installed=$((SECONDS - started))
  # The shebang's node is the system's: on Node 20 this is the launcher's re-exec path.
  ./bin/vbo-restore-exporter.mjs --version
  start_until_ready
  echo "fresh-install: npm $("${npm_run[@]}" --version) ci ${flags[*]}: installed in ${installed} s; --version, npm start until /readyz, SIGTERM to npm: $((SECONDS - started)) s in all"
done

# The whole suite runs in the checkout; these are the tests that depend on who runs them where.
echo "fresh-install: as $(id -un) in $work (mode $(stat -c %a "$work")): the state, launcher and CLI tests"
node bin/project-node.mjs --test --test-concurrency=2 test/state/*.test.ts test/e2e/launcher.test.ts test/cli.test.ts
