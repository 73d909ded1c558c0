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
  {
    name: "90%: the 1-hour page needs 141% of events to fail",
    model: objective(90),
    message:
      "objective 90% leaves a budget of 10%, so BudgetBurnPage1h would need more than every event to fail",
  },
  {
    name: "50%: every alert but the slowest ticket is deaf",
    model: objective(50),
    message:
      "so BudgetBurnPage1h, BudgetBurnPage6h, BudgetBurnTicket1d would need more than every event to fail: they can never fire",
  },
].map((b) => ({ ...b, subject: "slo shop-checkout", source: fixtureSource, fix: true }));

const good: GoodModel[] = [
  { name: "99.9%", model: objective(99.9) },
  { name: "99.99%", model: objective(99.99) },
  { name: "95%: the fast page fires at 67% of errors", model: objective(95) },
  { name: "a model without SLOs", model: () => withSlos([]) },
];

describeModelCheck("slo/objective", sloObjective, { severity: "error", match: "message", bad, good });
