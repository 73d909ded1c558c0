/**
 * The code `o11y import` generates, as values: JSON, calls of the kit's functions, references to names a module
 * imports, and template literals. The import works them out and evaluates them with the kit, to check them; the
 * writer (typescript-writer.ts) makes them syntax trees. Nothing here loads ts-morph: the import loads it (and
 * prettier) only once it writes.
 */

/** A value of the generated code: JSON, a call of a kit function, a reference to an imported name, or a template. */
export type Code =
  | null
  | boolean
  | number
  | string
  | Code[]
  | { [key: string]: Code | undefined }
  | CallCode
  | ReferenceCode
  | TemplateCode;

export class CallCode {
  constructor(
    readonly callee: string,
    readonly args: Code[],
  ) {}
}

/** `settings.datasource.uid`: a name the module imports, with its property path. */
export class ReferenceCode {
  constructor(readonly path: string) {}
}

/** A template literal: its text, with values interpolated (`${rule} ${thresholds.x}`). */
export class TemplateCode {
  constructor(readonly parts: (string | Code)[]) {}
}

export interface Constant {
  name: string;
  value: Code;
  docs?: string;
}

export const call = (callee: string, ...args: Code[]) => new CallCode(callee, args);
export const reference = (name: string) => new ReferenceCode(name);
export const template = (...parts: (string | Code)[]) => new TemplateCode(parts);

/**
 * A value of the generated code as plain data, for the writer thread (writer-thread.ts): a thread receives a
 * CallCode as a bare object, so every value but a scalar is tagged with its kind, and no key of an imported
 * dashboard's JSON can be taken for a tag.
 */
export type EncodedCode =
  | null
  | boolean
  | number
  | string
  | ["array", EncodedCode[]]
  | ["object", [string, EncodedCode][]]
  | ["call", string, EncodedCode[]]
  | ["reference", string]
  | ["template", EncodedCode[]];

export function encodeCode(code: Code): EncodedCode {
  if (code === null || typeof code !== "object") return code;
  if (code instanceof CallCode) return ["call", code.callee, code.args.map(encodeCode)];
  if (code instanceof ReferenceCode) return ["reference", code.path];
  if (code instanceof TemplateCode) return ["template", code.parts.map((part) => encodeCode(part))];
  if (Array.isArray(code)) return ["array", code.map(encodeCode)];
  // Members left undefined are no part of the code (the writer skips them).
  return [
    "object",
    Object.entries(code).flatMap(([key, value]) =>
      value === undefined ? [] : [[key, encodeCode(value)] as [string, EncodedCode]],
    ),
  ];
}

export function decodeCode(encoded: EncodedCode): Code {
  if (encoded === null || typeof encoded !== "object") return encoded;
  switch (encoded[0]) {
    case "call":
      return new CallCode(encoded[1], encoded[2].map(decodeCode));
    case "reference":
      return new ReferenceCode(encoded[1]);
    case "template":
      // A string part is text, as it was: encoding leaves strings as they are.
      return new TemplateCode(encoded[1].map(decodeCode));
    case "array":
      return encoded[1].map(decodeCode);
    case "object":
      // fromEntries: a key such as "__proto__" stays a key of the object, as JSON.parse made it.
      return Object.fromEntries(encoded[1].map(([key, value]) => [key, decodeCode(value)]));
  }
}
