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
