#!/usr/bin/env bash
# The dependency rule (docs/adr/0001-hexagonal-workspace.md): the domain crate depends on no I/O,
# framework or wire-format crate. Fails when the domain's normal dependency tree names any of them.
# Dev-dependencies (tokio for async tests, proptest, mockall) are not part of the check.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# One crate name per alternative, anchored at the start of a `--prefix none` line ("name vX.Y.Z").
forbidden='^(diesel[-_a-z]*|actix[-_a-z]*|tokio[-_a-z]*|hyper[-_a-z]*|reqwest|async-stripe[-_a-z]*|stripe[-_a-z]*|serde|serde_json|sqlx[-_a-z]*) '

tree=$(cargo tree -p domain -e normal --prefix none) || {
  echo "check-domain-purity: 'cargo tree -p domain' failed" >&2
  exit 1
}
bad=$(printf '%s\n' "$tree" | grep -E -o "$forbidden" | sed 's/ $//' | sort -u | tr '\n' ' ' || true)
if [ -n "$bad" ]; then
  echo "check-domain-purity: FAILED: the domain crate depends on: ${bad% }" >&2
  echo "  The domain must stay free of I/O and wire crates; move the code into an adapter. Paths:" >&2
  for crate in $bad; do
    cargo tree -p domain -e normal -i "$crate" >&2 || true
  done
  exit 1
fi
echo "check-domain-purity: ok (domain depends on: $(printf '%s\n' "$tree" | sed -n '2,$p' | cut -d' ' -f1 | sort -u | tr '\n' ' '))"
