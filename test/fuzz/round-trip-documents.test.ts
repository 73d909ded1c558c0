/**
 * Any document of text round-trips exactly through yamlArtifact and jsonArtifact (see round-trip-case.ts).
 * Apart from round-trip.test.ts so that `npm run fuzz` spreads its properties over the workers.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { checkProperty, fuzzTimeout } from "./arbitraries.ts";
import { documentCase, textDocument } from "./round-trip-case.ts";

describe("text round-trips through the files we write", () => {
  it(
    "any document of text through yamlArtifact and jsonArtifact",
    () => {
      checkProperty("round trip: documents", fc.property(textDocument, documentCase), { fallback: 200 });
    },
    fuzzTimeout,
  );
});
