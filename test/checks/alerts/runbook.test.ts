import { expect, it } from "vitest";
import { alertRunbook } from "../../../src/engine/check/checks/alerts/runbook.ts";
import type { Model } from "../../../src/engine/model.ts";
import { compile } from "../../../src/engine/pipeline.ts";
import { parseRunbook } from "../../../src/engine/runbook.ts";
import { projectWith, variantAlert } from "../../helpers/alerts.ts";
import { describeModelCheck, realModel, type BadModel, type GoodModel } from "../../helpers/checks.ts";

const base = realModel();
const text = base.runbook.text;
const heading = "### Alert: High 5xx Error Rate";
const withRunbook = (edited: string): Model => ({ ...base, runbook: parseRunbook("RUNBOOK.md", edited) });
const lineOf = (haystack: string, needle: string) =>
  haystack.split("\n").findIndex((l) => l.includes(needle)) + 1;

const bad: BadModel[] = [
  {
    name: "an alert pointing at a playbook that does not exist",
    model: () => compile(projectWith([variantAlert({ runbook: "Phoenix On Fire" })])).model,
    message: 'RUNBOOK.md has no section "### Alert: Phoenix On Fire" (anchor #alert-phoenix-on-fire)',
    subject: "alert PhoenixHigh5xxErrorRate",
  },
  {
    name: "a playbook renamed under its alert",
    model: () => withRunbook(text.replace(heading, "### Alert: High 5xx Errors")),
    message: 'RUNBOOK.md has no section "### Alert: High 5xx Error Rate" (anchor #alert-high-5xx-error-rate)',
    subject: "alert PhoenixHigh5xxErrorRate",
  },
  {
    name: "the renamed playbook, now linked by no alert",
    model: () => withRunbook(text.replace(heading, "### Alert: High 5xx Errors")),
    message: "no alert links to this playbook",
    subject: 'runbook section "Alert: High 5xx Errors"',
  },
  {
    name: "an orphan playbook appended to the runbook",
    model: () => withRunbook(`${text}\n### Alert: Orphan Playbook\nNo alert points here.\n`),
    message: "no alert links to this playbook",
    subject: 'runbook section "Alert: Orphan Playbook"',
  },
  {
    name: "a playbook heading that only appears inside a code block",
    model: () => withRunbook(text.replace(heading, `\`\`\`markdown\n${heading}\n\`\`\``)),
    message: 'RUNBOOK.md has no section "### Alert: High 5xx Error Rate"',
    subject: "alert PhoenixHigh5xxErrorRate",
  },
  {
    name: "a playbook pasted twice (the copy gets anchor -1, which nothing links)",
    model: () => withRunbook(text.replace(heading, `${heading}\nFirst copy.\n\n${heading}`)),
    message: "no alert links to this playbook",
    subject: 'runbook section "Alert: High 5xx Error Rate"',
  },
];

const good: GoodModel[] = [
  { name: "the real project", model: () => base },
  {
    name: "a playbook at another heading level (same anchor)",
    model: () => withRunbook(text.replace(heading, "#### Alert: High 5xx Error Rate")),
  },
  {
    name: "an extra section that is not an alert playbook",
    model: () => withRunbook(`${text}\n### Escalation contacts\nWho to call.\n`),
  },
];

// One edit can leave several sections with the same message: the finding is looked up by its subject too.
describeModelCheck(
  "alerts/runbook",
  alertRunbook,
  { severity: "error", match: "message and subject", bad, good },
  (run) => {
    it("points an orphan playbook at its line in the runbook", () => {
      const edited = `${text}\n### Alert: Orphan Playbook\nNo alert points here.\n`;
      const [orphan] = run(withRunbook(edited));
      expect(orphan!.source).toEqual({
        file: "RUNBOOK.md",
        line: lineOf(edited, "### Alert: Orphan Playbook"),
      });
    });
  },
);
