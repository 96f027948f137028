#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, unit and
# end-to-end tests of the binary, then the default theme in a real browser
# (tests/browser/, about a minute). Run from anywhere; installs nothing that
# is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

cargo fmt --check
cargo clippy --all-targets --quiet -- -D warnings
cargo test --quiet
# Last, so that the output ends with the runner's summary.
node --test tests/browser/
