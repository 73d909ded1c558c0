import { sloLatencyBucket } from "../../../src/engine/check/checks/slo/latency-bucket.ts";
import { describeModelCheck, type BadModel, type GoodModel } from "../../helpers/checks.ts";
import { fixtureSource, sloModel, withSlos } from "../../helpers/slos.ts";

const latency = (le: number, buckets: number[]) => () =>
  withSlos([sloModel({ sli: { kind: "latency", histogram: "shop_seconds", le, matchers: "", buckets } })]);

const bad: BadModel[] = [
  {
    name: "a bound between two buckets",
    model: latency(0.3, [0.1, 0.25, 0.5]),
    message: 'shop_seconds has no bucket le="0.3" in the catalog (buckets: 0.1, 0.25, 0.5)',
    fix: "use one of its buckets (0.1, 0.25, 0.5)",
  },
  {
    name: "a histogram without declared buckets",
    model: latency(0.5, []),
    message: "buckets: none declared",
  },
].map((b) => ({ ...b, subject: "slo shop-checkout", source: fixtureSource }));

const good: GoodModel[] = [
  { name: "a declared bucket", model: latency(0.25, [0.1, 0.25, 0.5]) },
  { name: "an events SLO", model: () => withSlos([sloModel()]) },
];

describeModelCheck("slo/latency-bucket", sloLatencyBucket, {
  severity: "error",
  match: "message",
  bad,
  good,
});
