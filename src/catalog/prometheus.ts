import { gauge } from "../engine/define/catalog.ts";

export const up = gauge({
  name: "up",
  help: "1 when Prometheus's last scrape of the target succeeded, 0 when it failed.",
  unit: "bool",
  labels: {},
  origin: { kind: "prometheus", detail: "written by Prometheus for every scrape target", status: "exported" },
});
