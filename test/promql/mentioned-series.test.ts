/**
 * mentionedSeries reads an expression's tokens without parsing it. What it decides is safe only as a superset: every
 * metric name the parser finds in a selector is among its names, and every selector without a metric name (or one
 * reading the alerts' state) sets `unnamed`.
 */
import { describe, expect, it } from "vitest";
import { mentionedSeries } from "../../src/engine/promql/mentioned-series.ts";
import { parsePromQL, selectors } from "../../src/engine/promql/parse.ts";

describe("mentionedSeries", () => {
  it.each([
    ["a metric", "up", ["up"], false],
    ["a recorded series", "job:http_requests:rate5m > 0.5", ["job:http_requests:rate5m"], false],
    [
      "label names and functions are mentioned too",
      'sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))',
      ["sum", "by", "job", "rate", "http_requests_total", "code"],
      false,
    ],
    [
      "a string's content is not",
      'label_replace(up, "dst", "x:y:z", "src", "(.*)")',
      ["label_replace", "up"],
      false,
    ],
    ["an escaped quote stays in its string", 'up{a="say \\"b{c\\"", d=\'{\'}', ["up", "a", "d"], false],
    ["a raw string", "up{a=`{x}`}", ["up", "a"], false],
    // lezer-promql ends a string left open at the line's end, without an error: what follows is read as code.
    ["a string left open at a line's end", 'up{a="x\n} + job:x:rate5m', ["up", "a", "job:x:rate5m"], false],
    ["a selector after a string left open", 'up{a=\'x\n} + {job="y"}', ["up", "a", "job"], true],
    ["an escaped line end stays in its string", 'up{a="x\\\n{"}', ["up", "a"], false],
    ["a comment", "up # {__name__} and ALERTS\n > 1", ["up"], false],
    [
      "durations, subqueries and numbers",
      "max_over_time(x[5m:30s] offset 1h) > 1e3",
      ["max_over_time", "x", "offset"],
      false,
    ],
    ["a space before the matchers", 'up {job="a"}', ["up", "job"], false],
    ["a selector without a name", '{job="a"}', ["job"], true],
    ["__name__ matchers", 'count({__name__=~"job:.*"})', ["count", "__name__"], true],
    ["a UTF-8 metric name", '{"my.metric", job="a"}', ["job"], true],
    ["after a set operator", 'up and {job="a"}', ["up", "and", "job"], true],
    ["after a keyword in capitals", 'up > BOOL {job="a"}', ["up", "BOOL", "job"], true],
    [
      "after a grouping modifier",
      'a * on(job) group_left {x="y"}',
      ["a", "on", "job", "group_left", "x"],
      true,
    ],
    ["after a closing parenthesis", 'rate(x[5m]) + ({y="z"})', ["rate", "x", "y"], true],
    ["the alerts' state", 'ALERTS{alertname="X"} == 1', ["ALERTS", "alertname"], true],
    ["the alerts' pending times", "ALERTS_FOR_STATE > 0", ["ALERTS_FOR_STATE"], true],
  ])("%s: %s", (_name, text, names, unnamed) => {
    const found = mentionedSeries(text);
    expect([...found.names]).toEqual(names);
    expect(found.unnamed).toBe(unnamed);
  });

  // Whatever the parser finds, mentionedSeries finds too (the parse's selectors are the truth it stands in for).
  it.each([
    'sum by (job) (rate(http_requests_total{job="api", code=~"5.."}[5m])) / sum by (job) (rate(http_requests_total[5m]))',
    "histogram_quantile(0.99, sum by (le) (rate(http_duration_seconds_bucket[5m])))",
    'job:errors:ratio_rate5m{job="api"} > 0.05 and job:errors:ratio_rate1h > 0.05',
    "absent_over_time(up[10m]) or vector(0)",
    '{__name__=~"job:.*", job="x"} * on(instance) group_left(node) node_uname_info',
    'count by (alertname) (ALERTS{alertstate="firing"}) > 0',
    "rate(x[5m] @ end()) - rate(x[5m] offset -1h)",
    '-sum(a{b!~"c"}) ^ 2 % 3 unless on() b',
    "topk(3, sum without (instance) (node_cpu_seconds_total))",
    'label_join(up{job="a"}, "foo", ",", "job", "instance")',
    "deriv(x[1h:]) >= bool 0",
    'up{a="x\n} + job:x:rate5m',
    'sum(rate(x{a=\'y\n}[5m])) or {job="z"}',
    'sum(rate(nats_consumer_num_pending{stream="ORDERS"}[5m]))',
  ])("a superset of the parse's selectors: %s", (text) => {
    const parsed = parsePromQL(text, { grafana: false });
    expect(parsed.errorAt).toBeUndefined();
    const found = mentionedSeries(text);
    for (const selector of selectors(parsed)) {
      if (selector.metric === undefined || selector.metric.startsWith("ALERTS"))
        expect(found.unnamed).toBe(true);
      else expect(found.names).toContain(selector.metric);
    }
  });
});
