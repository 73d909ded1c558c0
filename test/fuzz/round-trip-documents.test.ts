/**
 * Any document of text round-trips exactly through yamlArtifact and jsonArtifact (see round-trip-case.ts).
 * Apart from round-trip.test.ts so that `npm run fuzz` spreads its properties over the workers.
 */
import fc from "fast-check";
import { load as jsYamlLoad, YAML11_SCHEMA } from "js-yaml";
import { describe, expect, it } from "vitest";
import { parse as yamlParse } from "yaml";
import { checkProperty, fuzzTimeout } from "./arbitraries.ts";
import { documentCase, textDocument, yamlReaders } from "./round-trip-case.ts";

/** Each library's own reading, as the readers must give it. */
const own: Record<string, (text: string) => unknown> = {
  "yaml (YAML 1.2)": (text) => yamlParse(text),
  "yaml (YAML 1.1)": (text) => yamlParse(text, { version: "1.1" }),
  "js-yaml (YAML 1.2 core)": (text) => jsYamlLoad(text),
  "js-yaml (YAML 1.1)": (text) => jsYamlLoad(text, { schema: YAML11_SCHEMA }),
};

/** What a reading gives, or the error it throws. */
const outcome = (read: () => unknown) => {
  try {
    return { value: read() };
  } catch (error) {
    return { error: (error as Error).message };
  }
};

describe("the round trip's YAML readers", () => {
  // Texts the versions read apart, texts a reader refuses, and streams that are not one document.
  it.each([
    "a: yes\nb: on\nc: 0o17\nd: 017\ne: 1:20\nf: 1_000\ng: ~\nh: .inf\n",
    "x: &a [1, 2]\ny: *a\n<<: {z: 3}\n",
    'k: "tab\\there \\x85 \\u2028"\nl: |\n  block\n   more\n',
    "a: b: c\n",
    "- [unclosed\n",
    "key: 'unterminated\n",
    "a: 1\n---\nb: 2\n",
    "",
    "# only a comment\n",
    "a: 1\na: 2\n",
    "\u0000",
    "!!binary aGVsbG8=\n",
  ])("read %j as the libraries' own parse and load do", (text) => {
    const readers = yamlReaders(text);
    for (const [name, read] of Object.entries(own))
      expect(outcome(readers[name]!), name).toEqual(outcome(() => read(text)));
  });
});

describe("text round-trips through the files we write", () => {
  it(
    "any document of text through yamlArtifact and jsonArtifact",
    () => {
      checkProperty("round trip: documents", fc.property(textDocument, documentCase), { fallback: 200 });
    },
    fuzzTimeout,
  );
});
