#!/usr/bin/env bash
# The run command of the README: installs, builds, and starts the self-contained demo. Without a
# display (a server, a container) the demo runs headless and logs each pass instead.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
args=(--demo)
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    case " $* " in
    *" --no-gui "*) ;;
    *)
        echo "demo: no display found; running the demo headless (Ctrl+C stops it)" >&2
        args+=(--no-gui)
        ;;
    esac
fi
exec "$root/build/bin/callops" "${args[@]}" "$@"
