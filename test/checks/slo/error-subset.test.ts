import { sloErrorSubset } from "../../../src/engine/check/checks/slo/error-subset.ts";
import { describeModelCheck, type BadModel, type GoodModel } from "../../helpers/checks.ts";
import { fixtureSource, sloModel, withSlos } from "../../helpers/slos.ts";

const events = (errors: string, total: string) => () =>
  withSlos([sloModel({ sli: { kind: "events", errors, total } })]);
const total = 'sum(rate(shop_requests_total{job="shop"}[{{window}}]))';

const bad: BadModel[] = [
  {
    name: "errors from another metric",
    model: events('sum(rate(shop_failures_total{job="shop"}[{{window}}]))', total),
    message: "it reads shop_failures_total, the total shop_requests_total",
  },
  {
    name: "errors without the total's job matcher",
    model: events('sum(rate(shop_requests_total{code=~"5.."}[{{window}}]))', total),
    message: 'it lacks the total\'s job="shop"',
  },
  {
    name: "errors of another job: contradictory matchers",
    model: events('sum(rate(shop_requests_total{job="cart", code=~"5.."}[{{window}}]))', total),
    message: 'it lacks the total\'s job="shop"',
  },
  {
    name: "an error value the total's regex excludes",
    model: events(
      'sum(rate(shop_requests_total{job="shop", code="500"}[{{window}}]))',
      'sum(rate(shop_requests_total{job="shop", code=~"2..|4.."}[{{window}}]))',
    ),
    message: 'lacks the total\'s code=~"2..|4.."',
  },
].map((b) => ({ ...b, subject: "slo shop-checkout", source: fixtureSource, fix: "one more matcher" }));

const good: GoodModel[] = [
  { name: "the total with one more matcher", model: () => withSlos([sloModel()]) },
  {
    name: "an equality matcher the total's regex allows",
    model: events(
      'sum(rate(shop_requests_total{job="shop", code="500"}[{{window}}]))',
      'sum(rate(shop_requests_total{job=~"shop|cart"}[{{window}}]))',
    ),
  },
  {
    name: "errors from one of two total selectors",
    model: events(
      'sum(rate(shop_requests_total{job="shop", code=~"5.."}[{{window}}]))',
      `${total} + sum(rate(shop_other_total{job="shop"}[{{window}}]))`,
    ),
  },
  {
    name: "a latency SLO",
    model: () =>
      withSlos([
        sloModel({ sli: { kind: "latency", histogram: "h_seconds", le: 0.5, matchers: "", buckets: [0.5] } }),
      ]),
  },
];

describeModelCheck("slo/error-subset", sloErrorSubset, { severity: "error", match: "message", bad, good });
