import { parseDurationMs } from "../../../duration.ts";
import { sloWindows } from "../../../compile/slo.ts";
import type { Finding, ModelCheck } from "../../check.ts";
import { sloSubject } from "../../slo-sli.ts";

const minimumScrapes = 4;

/** Every SLI window must span four scrapes, or one missed scrape leaves its rate, and the page alert on it, empty. */
export const sloWindow: ModelCheck = {
  id: "slo/window",
  kind: "correctness",
  severity: "error",
  summary: "An SLO window shorter than four scrape intervals.",
  scope: "model",
  check(model, ctx) {
    const scrape = ctx.scrapeIntervalMs;
    const short = sloWindows.filter((w) => parseDurationMs(w) < minimumScrapes * scrape);
    if (!scrape || short.length === 0) return [];
    return (model.slos ?? []).map((slo): Finding => ({
      subject: sloSubject(slo),
      source: slo.source,
      message: `its ${short.join(", ")} window${short.length > 1 ? "s are" : " is"} shorter than ${minimumScrapes} scrape intervals of ${model.settings.scrapeInterval}: rate() needs two samples in it, and one missed scrape leaves the SLI, and the page alert that reads it, empty`,
      fix: `scrape at most every ${parseDurationMs(short[short.length - 1]!) / minimumScrapes / 1000}s (scrapeInterval in src/config.ts).`,
    }));
  },
};
