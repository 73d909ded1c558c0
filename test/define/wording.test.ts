import { describe, expect, it } from "vitest";
import { above, atLeast, below } from "../../src/engine/define/alerting.ts";
import { durationText, inWords, say, thresholdValueText } from "../../src/engine/define/wording.ts";

describe("a threshold in its unit", () => {
  it.each([
    [0.05, "ratio", "5%"],
    [0.051, "ratio", "5.1%"],
    [0.8, "ratio", "80%"],
    [0.07, "ratio", "7%"],
    [0.5, "seconds", "500 ms"],
    [0.75, "seconds", "750 ms"],
    [2.5, "seconds", "2.5 s"],
    [512 * 1024 ** 2, "bytes", "512 MiB"],
    [2 * 1024 ** 3, "bytes", "2 GiB"],
    [1500, "bytes", "1500 bytes"],
    [1000, "count", "1000"],
    [1, "bool", "1"],
  ] as const)("%s %s is %s", (value, unit, text) => {
    expect(thresholdValueText({ value, unit })).toBe(text);
  });
});

describe("a window in words", () => {
  it.each([
    ["5m", "5 minutes"],
    ["1m", "1 minute"],
    ["1h", "1 hour"],
    ["90s", "90 seconds"],
    ["1h30m", "90 minutes"],
    ["2d", "2 days"],
    ["not a duration", "not a duration"],
  ])("%s is %s", (duration, text) => {
    expect(durationText(duration)).toBe(text);
  });
});

describe("say", () => {
  it("writes thresholds in their unit and windows in words, the rest as it is", () => {
    const t = above(0.05, "ratio");
    expect(say`more than ${t} for ${inWords("5m")} in ${3} regions, ${"eu"}`).toBe(
      "more than 5% for 5 minutes in 3 regions, eu",
    );
    expect(say`${atLeast(3, "count")}+ regions, below ${below(0.5, "seconds")}`).toBe(
      "3+ regions, below 500 ms",
    );
  });

  it("changes with the threshold: the same text, another constant", () => {
    const text = (ratio: number) =>
      say`The API answers more than ${above(ratio, "ratio")} of requests with a 5xx error.`;
    expect(text(0.08)).toBe("The API answers more than 8% of requests with a 5xx error.");
  });

  it("leaves PromQL as it was: a threshold in a plain template is its comparison", () => {
    expect(`${above(0.05, "ratio")}`).toBe("> 0.05");
  });
});
