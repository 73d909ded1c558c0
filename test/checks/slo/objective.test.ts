import { sloObjective } from "../../../src/engine/check/checks/slo/objective.ts";
import { describeModelCheck, type BadModel, type GoodModel } from "../../helpers/checks.ts";
import { fixtureSource, sloModel, withSlos } from "../../helpers/slos.ts";

const objective = (value: number) => () => withSlos([sloModel({ objective: value })]);

const bad: BadModel[] = [
  { name: "100%, which leaves no budget", model: objective(100), message: "it leaves no error budget" },
  { name: "more than 100%", model: objective(100.5), message: "objective 100.5 is not a percentage" },
  { name: "0%", model: objective(0), message: "it promises nothing" },
  { name: "a negative objective", model: objective(-99), message: "objective -99 is not a percentage" },
  { name: "NaN", model: objective(Number.NaN), message: "objective NaN is not a percentage" },
  { name: "a ratio written for a percentage", model: objective(0.999), message: "looks like a ratio" },
].map((b) => ({ ...b, subject: "slo shop-checkout", source: fixtureSource, fix: true }));

const good: GoodModel[] = [
  { name: "99.9%", model: objective(99.9) },
  { name: "99.99%", model: objective(99.99) },
  { name: "1%", model: objective(1) },
  { name: "a model without SLOs", model: () => withSlos([]) },
];

describeModelCheck("slo/objective", sloObjective, { severity: "error", match: "message", bad, good });
