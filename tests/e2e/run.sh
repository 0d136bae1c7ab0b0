#!/usr/bin/env bash
# Browser end-to-end tests: builds dist/ (release, as scripts/serve does), serves it with
# scripts/static-server.py (static files with the security headers a deployment sends) on a free
# loopback port, runs tests/e2e/*.test.mjs with Node's test runner in Debian's headless Chromium
# (driven by playwright-core; no browser is ever downloaded), and stops the server, also when a
# test or the build fails.
#
#   tests/e2e/run.sh              build dist/ (and dist-single/ from it), then test them
#   tests/e2e/run.sh --no-build   test the dist/ that is there (dist-single/ is still made from it)
#   tests/e2e/run.sh -- FILE...   only these test files (paths relative to the repository)
#
# Screenshots of each screen land in tests/e2e/screenshots/ (git-ignored).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "${root}"

build=1
files=()
while (($#)); do
    case "$1" in
        --no-build) build=0 ;;
        --) shift; files=("$@"); break ;;
        *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

# shellcheck source=scripts/setup-toolchain
source scripts/setup-toolchain
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# Chromium from Debian (skips when installed).
setup_browser

# playwright-core, exactly as package-lock.json pins it; `npm ci` only when the installed copy
# differs (it needs no browser download: playwright-core has no install script).
e2e_deps() {
    local want have=""
    want="$(node -p "require('./tests/e2e/package-lock.json').packages['node_modules/playwright-core'].version")"
    if [[ -f tests/e2e/node_modules/playwright-core/package.json ]]; then
        have="$(node -p "require('./tests/e2e/node_modules/playwright-core/package.json').version")"
    fi
    if [[ "${have}" == "${want}" ]]; then
        log "playwright-core ${want} already installed"
        return
    fi
    log "npm ci in tests/e2e (playwright-core ${want}, found: ${have:-none})"
    (cd tests/e2e && npm ci --no-audit --no-fund --prefer-offline)
}
e2e_deps

if ((build)); then
    setup_toolchain
    echo "== cargo fetch --locked"
    cargo fetch --locked
    echo "== trunk build --release"
    TRUNK_SKIP_VERSION_CHECK=true trunk build --release --offline --locked
fi
if [[ ! -f dist/index.html ]]; then
    echo "run.sh: dist/index.html is missing (build it, or drop --no-build)" >&2
    exit 1
fi
# The single-file app (dist-single/trailscope.html) is made from dist/ in a second; the test in
# single-file.test.mjs opens it from file://.
echo "== scripts/build-single-file --no-build"
scripts/build-single-file --no-build

# A free loopback port, chosen by the kernel.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
server_log="$(mktemp)"
# The server lives at most 15 minutes, whatever happens to this script.
timeout 900 python3 scripts/static-server.py --bind 127.0.0.1 --directory dist "${port}" >"${server_log}" 2>&1 &
server_pid=$!
cleanup() {
    kill "${server_pid}" 2>/dev/null || true
    wait "${server_pid}" 2>/dev/null || true
    rm -f "${server_log}"
}
trap cleanup EXIT

base="http://127.0.0.1:${port}/"
for _ in $(seq 1 100); do
    if python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "${base}" 2>/dev/null; then
        break
    fi
    if ! kill -0 "${server_pid}" 2>/dev/null; then
        echo "run.sh: the static server did not start:" >&2
        cat "${server_log}" >&2
        exit 1
    fi
    sleep 0.1
done

rm -rf tests/e2e/screenshots
mkdir -p tests/e2e/screenshots
if ((${#files[@]} == 0)); then
    files=(tests/e2e/*.test.mjs)
fi
echo "== node --test (${#files[@]} files) against ${base}"
start=$SECONDS
set +e
E2E_BASE_URL="${base}" node --test --test-reporter=tap "${files[@]}"
status=$?
set -e
echo "== browser tests took $((SECONDS - start)) s; screenshots in tests/e2e/screenshots/"
exit "${status}"
