/**
 * Any text round-trips exactly through the YAML and JSON we write (see round-trip-case.ts): every text
 * field of an alert, a recording rule, a dashboard and the settings, through the real renderers. Any
 * document of text: round-trip-documents.test.ts.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { checkProperty, fuzzTimeout } from "./arbitraries.ts";
import { definitionTextCase, texts } from "./round-trip-case.ts";

describe("text round-trips through the files we write", () => {
  it(
    "every text field of the definitions, read back by yaml and js-yaml (YAML 1.2 and 1.1) and JSON.parse",
    () => {
      checkProperty("round trip: definition texts", fc.property(texts, definitionTextCase), { fallback: 50 });
    },
    fuzzTimeout,
  );
});
