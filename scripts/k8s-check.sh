#!/usr/bin/env bash
# Validates deploy/k8s (make k8s-check, part of make lint): every resource the kustomization lists exists, and every
# one passes kubernetes-validate --strict (the Kubernetes JSON schemas, from PyPI, in a venv under target/).
# Without a way to install it (no network to PyPI), says so and skips.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=$ROOT/target/k8s-venv
K8S=$ROOT/deploy/k8s
if [ ! -x "$VENV/bin/kubernetes-validate" ]; then
  if ! { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q kubernetes-validate==1.34.*; } >/dev/null 2>&1 \
     && ! { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q kubernetes-validate; } >/dev/null 2>&1; then
    echo "k8s-check: skipped (kubernetes-validate cannot be installed from PyPI here)" >&2
    exit 0
  fi
fi
files=$("$VENV/bin/python" - "$K8S/kustomization.yaml" <<'PY'
import os, sys, yaml
k = yaml.safe_load(open(sys.argv[1]))
assert k["kind"] == "Kustomization", "not a Kustomization"
base = os.path.dirname(sys.argv[1])
missing = [r for r in k["resources"] if not os.path.exists(os.path.join(base, r))]
assert not missing, f"kustomization lists missing files: {missing}"
on_disk = {f for f in os.listdir(base) if f.endswith(".yaml") and f != "kustomization.yaml"}
unlisted = on_disk - set(k["resources"])
assert not unlisted, f"manifests not in the kustomization: {sorted(unlisted)}"
print(" ".join(os.path.join(base, r) for r in k["resources"]))
PY
)
# shellcheck disable=SC2086
"$VENV/bin/kubernetes-validate" --strict --quiet -k 1.30.0 $files
echo "k8s-check: $(echo "$files" | wc -w) manifests valid against Kubernetes 1.30 (strict)"
