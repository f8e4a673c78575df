#!/usr/bin/env bash
# System packages the tests need beyond Node and npm: HAProxy (the many-instances test puts three llmux
# instances behind it), redis-server (that test runs a Redis of its own, to stop it mid-run) and Chromium
# (the web UI's browser tests drive /usr/bin/chromium with playwright-core), tmux (the real Claude Code
# sign-in test drives its terminal), jq, curl and openssl (docs/teams.md's quick start uses them, and
# test/project/team-quickstart.test.ts runs it as written), valgrind (test/bench/instructions.test.ts counts a
# real node process's instructions under callgrind, as `npm run bench -- --instructions-only` does).
# Idempotent: installs only what is missing; uses sudo when not root.
set -euo pipefail
need=()
command -v haproxy >/dev/null 2>&1 || need+=(haproxy)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v jq >/dev/null 2>&1 || need+=(jq)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v callgrind_control >/dev/null 2>&1 || need+=(valgrind)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: please install: ${need[*]} (no apt-get here)" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" != "0" ]; then sudo="sudo"; fi
echo "system-deps: installing ${need[*]}" >&2
$sudo apt-get install -y --no-install-recommends "${need[@]}" >/dev/null 2>&1 ||
  { $sudo apt-get update >/dev/null && $sudo apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; }
