#!/usr/bin/env bash
# The pinned CRDs behind schemas/kubernetes-prometheusrule.schema.json and kubernetes-grafanadashboard.schema.json:
# run with the folder that holds them (a copy of the files named below) to generate both schemas again.
set -euo pipefail
crds="${1:?usage: scripts/crd-schemas.sh <folder with the CRD files>}"
cd "$(dirname "$0")/.."
node --import tsx scripts/crd-schemas.ts \
  --crd "$crds/monitoring.coreos.com_prometheusrules.yaml" \
  --source "prometheus-operator/prometheus-operator, example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml at commit 6adcebc5 (2026-08-08)" \
  --version "operator 0.93.0" --id kubernetes-prometheusrule \
  --crd "$crds/grafana.integreatly.org_grafanadashboards.yaml" \
  --source "grafana/grafana-operator, config/crd/bases/grafana.integreatly.org_grafanadashboards.yaml at commit 60d3ebd2 (2026-08-20)" \
  --version "v5.24.0+" --id kubernetes-grafanadashboard
npx prettier --write schemas/kubernetes-prometheusrule.schema.json schemas/kubernetes-grafanadashboard.schema.json >/dev/null
