import { describe, expect, it } from "vitest";
import { findVariables, substituteVariables } from "../../src/engine/promql/grafana-variables.ts";
import { parsePromQL } from "../../src/engine/promql/parse.ts";

interface Case {
  name: string;
  query: string;
  /** The variables found, as `name@from` (`!` marks one inside a string literal). */
  uses: string[];
  /** What lezer-promql is given. */
  substituted: string;
}

const cases: Case[] = [
  {
    name: "a rate window",
    query: "rate(x[$__rate_interval])",
    uses: ["__rate_interval@7"],
    substituted: "rate(x[000000000000001m])",
  },
  {
    name: "a rate window with spaces around the variable",
    query: "rate(x[ $__rate_interval ])",
    uses: ["__rate_interval@8"],
    substituted: "rate(x[ 000000000000001m ])",
  },
  {
    name: "a subquery's step, after the colon",
    query: "max_over_time(x[1h:$__interval])",
    uses: ["__interval@19"],
    substituted: "max_over_time(x[1h:0000000001m])",
  },
  {
    name: "a subquery's range, before the colon",
    query: "max_over_time(x[$__range:1m])",
    uses: ["__range@16"],
    substituted: "max_over_time(x[0000001m:1m])",
  },
  {
    name: "a number outside brackets",
    query: "x > $threshold",
    uses: ["threshold@4"],
    substituted: "x > 1111111111",
  },
  {
    name: "the ${name:format} and [[name]] forms",
    query: "x * ${factor:raw} + [[offset]]",
    uses: ["factor@4", "offset@20"],
    substituted: "x * 1111111111111 + 1111111111",
  },
  {
    name: "inside a string literal: used, but left as it is",
    query: 'x{job=~"$job", instance=~"${instance:regex}"}',
    uses: ["job!@8", "instance!@26"],
    substituted: 'x{job=~"$job", instance=~"${instance:regex}"}',
  },
  {
    name: "a regex group of label_replace is not a variable",
    query: 'label_replace(x, "a", "$1", "b", "(.*)")',
    uses: [],
    substituted: 'label_replace(x, "a", "$1", "b", "(.*)")',
  },
  {
    name: "a comment is not a use",
    query: "x # per $job\n",
    uses: [],
    substituted: "x # per $job\n",
  },
];

describe("Grafana variables in PromQL", () => {
  it.each(cases)("$name", ({ query, uses, substituted }) => {
    const found = findVariables(query).map((use) => `${use.name}${use.insideString ? "!" : ""}@${use.from}`);
    expect(found).toEqual(uses);
    expect(substituteVariables(query)).toBe(substituted);
    // Same length, so offsets in the tree are offsets in the query; and it parses.
    expect(substituted).toHaveLength(query.length);
    const parsed = parsePromQL(query, { grafana: true });
    expect(parsed.parsed).toBe(substituted);
    expect(parsed.errorAt).toBeUndefined();
    expect(parsed.variables?.map((use) => use.name)).toEqual(findVariables(query).map((use) => use.name));
  });
});
