#!/usr/bin/env bash
# The run command of the README: installs, builds, and starts the self-contained demo.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
exec "$root/build/bin/callops" --demo "$@"
