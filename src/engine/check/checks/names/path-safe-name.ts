import {
  pathNames,
  safeNamePattern,
  suggestName,
  windowsReservedNames,
  type PathName,
} from "../../path-names.ts";
import type { Finding, ModelCheck } from "../../check.ts";

/** Why `name` is outside the character set, in words; undefined when it is inside it. */
function whyUnsafe(name: string, maxLength: number): string | undefined {
  if (name === "") return "it is empty";
  if (/[/\\]/.test(name) || name.includes(".."))
    return "it holds a path separator or `..`, so the file would be written outside its folder, or not at all";
  if (name.length > maxLength) return `it is ${name.length} characters long, more than ${maxLength}`;
  if (/[A-Z]/.test(name))
    return "it has an uppercase letter, and names that differ only in case are one file on macOS and Windows";
  const other = /[^a-z0-9-]/.exec(name);
  if (other) return `it has the character ${JSON.stringify(other[0])}`;
  if (!safeNamePattern.test(name)) return "it starts or ends with '-'";
  return undefined;
}

function judge(entry: PathName): Finding[] {
  const { subject, source, what, name, maxLength, paths } = entry;
  const file = paths[0]!;
  const rule = `use 1 to ${maxLength} lowercase letters, digits and '-', starting and ending with a letter or digit`;
  if (typeof name !== "string") {
    return [
      {
        subject,
        source,
        message: `the ${what} is ${name === undefined ? "missing" : `not a string (${typeof name})`}, and it becomes a file name`,
        fix: `set ${entry.setIn}: ${rule}.`,
      },
    ];
  }
  const why = whyUnsafe(name, maxLength);
  if (why !== undefined) {
    const suggestion = suggestName(name, maxLength);
    const rename =
      safeNamePattern.test(suggestion) && !windowsReservedNames.has(suggestion)
        ? `rename it, e.g. to "${suggestion}", in ${entry.setIn}`
        : `rename it in ${entry.setIn}`;
    return [
      {
        subject,
        source,
        message: `the ${what} ${JSON.stringify(name)} cannot be a file name (it would write ${file}): ${why}`,
        fix: `${rename}; ${rule}.`,
      },
    ];
  }
  const reserved = paths
    .map((p) => p.slice(p.lastIndexOf("/") + 1).split(".")[0]!)
    .find((stem) => windowsReservedNames.has(stem));
  if (reserved !== undefined) {
    return [
      {
        subject,
        source,
        message: `the ${what} ${JSON.stringify(name)} writes ${file}, a file name Windows reserves for a device (${reserved.toUpperCase()})`,
        fix: `rename it in ${entry.setIn}, so the build can be checked out on any machine.`,
      },
    ];
  }
  return [];
}

/**
 * A rule group name or dashboard uid that cannot be a file name everywhere: `../` in it writes outside build/,
 * an uppercase letter makes two names one file on a case-insensitive file system.
 */
export const pathSafeName: ModelCheck = {
  id: "names/path-safe-name",
  kind: "correctness",
  severity: "error",
  summary:
    "A rule group name or dashboard uid that is not a safe file name: lowercase letters, digits and '-' only.",
  scope: "model",
  check(model) {
    return pathNames(model).flatMap(judge);
  },
};
