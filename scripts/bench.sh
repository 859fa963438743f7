#!/usr/bin/env bash
# Load and latency benchmark of the HTTP API (make bench). Placeholder until someone writes it.
set -euo pipefail
echo 'bench: not yet implemented' >&2
exit 1
