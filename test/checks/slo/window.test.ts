import { sloWindow } from "../../../src/engine/check/checks/slo/window.ts";
import { describeModelCheck, type BadModel, type GoodModel } from "../../helpers/checks.ts";
import { fixtureSource, sloModel, withSlos } from "../../helpers/slos.ts";

const scraping = (scrapeInterval: string) => () => withSlos([sloModel()], { scrapeInterval });

const bad: BadModel[] = [
  {
    name: "a 2m scrape interval: the 5m window holds two scrapes",
    model: scraping("2m"),
    message: "its 5m window is shorter than 4 scrape intervals of 2m",
    fix: "every 75s",
  },
  {
    name: "a 10m scrape interval: the 5m and 30m windows",
    model: scraping("10m"),
    message: "its 5m, 30m windows are shorter than 4 scrape intervals of 10m",
  },
].map((b) => ({ ...b, subject: "slo shop-checkout", source: fixtureSource }));

const good: GoodModel[] = [
  { name: "a 15s scrape interval", model: scraping("15s") },
  { name: "a 75s scrape interval: exactly four scrapes in 5m", model: scraping("75s") },
  { name: "a slow scrape interval without SLOs", model: () => withSlos([], { scrapeInterval: "10m" }) },
];

describeModelCheck("slo/window", sloWindow, { severity: "error", match: "message", bad, good });
