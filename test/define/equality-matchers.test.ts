/** `equalityMatchers`: a latency SLI's `label="value"` pairs as labels, each an own key, or undefined for anything else. */
import { describe, expect, it } from "vitest";
import { equalityMatchers } from "../../src/engine/define/slo.ts";

describe("equalityMatchers", () => {
  it.each([
    ['job="global-sovereign"', [["job", "global-sovereign"]]],
    [
      'job="a", method="GET"',
      [
        ["job", "a"],
        ["method", "GET"],
      ],
    ],
    [
      '  job = "a" ,method="b"  ',
      [
        ["job", "a"],
        ["method", "b"],
      ],
    ],
    ['path="/a\\"b"', [["path", '/a"b']]],
    ["", []],
    // Names that plain-object assignment treats specially stay labels of their own.
    [
      '__proto__="x", job="a"',
      [
        ["__proto__", "x"],
        ["job", "a"],
      ],
    ],
    [
      'constructor="c", toString="t"',
      [
        ["constructor", "c"],
        ["toString", "t"],
      ],
    ],
  ])("%s", (matchers, pairs) => {
    const labels = equalityMatchers(matchers)!;
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
    expect(Object.entries(labels)).toEqual(pairs);
  });

  it.each(['job=~"a.*"', 'job!="a"', "job=a", 'job="a" method="b"', '{job="a"}'])(
    "%s is not equality matchers",
    (matchers) => expect(equalityMatchers(matchers)).toBeUndefined(),
  );
});
