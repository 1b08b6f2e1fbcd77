#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs the Debian packages the tests need when missing,
# then typecheck, lint, and every test. Usage: npm test [-- test/some.test.ts ...]
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
command -v openssl >/dev/null 2>&1 || need+=(openssl)   # the realtime stand-in makes its self-signed wss:// certificate with it
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test: installing Debian packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "test: missing ${need[*]}; install them (apt-get install ${need[*]}) or the tests that need them fail" >&2
  fi
fi

[ -d node_modules ] || npm ci
echo "test: typecheck"; npx tsc -p tsconfig.json
echo "test: lint"; npx eslint .
echo "test: build"; npm run --silent build
echo "test: run"; node scripts/run-tests.mjs "$@"
