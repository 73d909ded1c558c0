/**
 * Writes what `o11y import` generates as TypeScript through ts-morph's AST (values become syntax nodes, files are
 * edited by their declarations, never by matching text), formats every file with prettier and the project's own
 * configuration, and writes the files all together or not at all.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Project, SyntaxKind, VariableDeclarationKind, printNode, ts, type SourceFile } from "ts-morph";
import { ImportError } from "./report.ts";

const factory = ts.factory;

/** A value of the generated code: JSON, a call of a kit function, or a reference to an imported name. */
export type Code =
  null | boolean | number | string | Code[] | { [key: string]: Code | undefined } | CallCode | ReferenceCode;

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

export interface Constant {
  name: string;
  value: Code;
  docs?: string;
}

export const call = (callee: string, ...args: Code[]) => new CallCode(callee, args);
export const reference = (name: string) => new ReferenceCode(name);

const identifierName = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The syntax node of a value. */
export function expressionOf(value: Code): ts.Expression {
  if (value === null) return factory.createNull();
  if (value === true) return factory.createTrue();
  if (value === false) return factory.createFalse();
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    const literal = factory.createNumericLiteral(Math.abs(value));
    return value < 0 || Object.is(value, -0)
      ? factory.createPrefixUnaryExpression(SyntaxKind.MinusToken, literal)
      : literal;
  }
  if (typeof value === "string") return factory.createStringLiteral(value);
  if (value instanceof CallCode)
    return factory.createCallExpression(
      factory.createIdentifier(value.callee),
      undefined,
      value.args.map(expressionOf),
    );
  if (value instanceof ReferenceCode) {
    const [first, ...rest] = value.path.split(".");
    return rest.reduce<ts.Expression>(
      (target, name) => factory.createPropertyAccessExpression(target, name),
      factory.createIdentifier(first!),
    );
  }
  if (Array.isArray(value))
    return factory.createArrayLiteralExpression(value.map(expressionOf), value.length > 0);
  const properties = Object.entries(value)
    .filter((entry): entry is [string, Code] => entry[1] !== undefined)
    .map(([key, member]) =>
      factory.createPropertyAssignment(
        identifierName.test(key) ? factory.createIdentifier(key) : factory.createStringLiteral(key),
        expressionOf(member),
      ),
    );
  return factory.createObjectLiteralExpression(properties, properties.length > 0);
}

/** One in-memory ts-morph project per import: files are read from disk into it, edited, and printed. */
export class ModuleWriter {
  private readonly project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext },
  });

  /** New modules, printed whole (newModule). */
  private readonly generated = new Map<string, string>();

  constructor(private readonly root: string) {}

  /** A module on disk (relative to the project), or a new empty one. */
  open(file: string): SourceFile {
    const existing = this.project.getSourceFile(`/${file}`);
    if (existing) return existing;
    const absolute = path.join(this.root, file);
    const text = existsSync(absolute) ? readFileSync(absolute, "utf8") : "";
    return this.project.createSourceFile(`/${file}`, text, { overwrite: true });
  }

  /** Adds `import { names } from "specifier"` unless each name is imported already. */
  importNames(source: SourceFile, specifier: string, names: string[]): void {
    const existing = source.getImportDeclaration((d) => d.getModuleSpecifierValue() === specifier);
    const have = new Set(existing?.getNamedImports().map((n) => n.getName()) ?? []);
    const missing = [...new Set(names)].filter((n) => !have.has(n)).sort();
    if (!missing.length) return;
    if (existing) existing.addNamedImports(missing);
    else source.addImportDeclaration({ moduleSpecifier: specifier, namedImports: missing });
  }

  /** `/** docs *\/ export const name = value;` for each, at the end of the module, in one edit. */
  addConstants(source: SourceFile, constants: Constant[]): void {
    source.addVariableStatements(
      constants.map(({ name, value, docs }) => ({
        isExported: true,
        declarationKind: VariableDeclarationKind.Const,
        docs: docs ? [docs] : [],
        declarations: [{ name, initializer: (writer) => writer.write(printNode(expressionOf(value))) }],
      })),
    );
  }

  /**
   * A new module made whole as a syntax tree and printed once: its doc comment, its imports and its constants.
   * (Editing a module statement by statement makes ts-morph parse it again each time: too slow for a dashboard
   * of hundreds of panels.)
   */
  newModule(
    file: string,
    module: { docs: string; imports: { specifier: string; names: string[] }[]; constants: Constant[] },
  ): void {
    const imports = module.imports.map(({ specifier, names }) =>
      factory.createImportDeclaration(
        undefined,
        factory.createImportClause(
          false,
          undefined,
          factory.createNamedImports(
            [...new Set(names)]
              .sort()
              .map((name) => factory.createImportSpecifier(false, undefined, factory.createIdentifier(name))),
          ),
        ),
        factory.createStringLiteral(specifier),
      ),
    );
    const constants = module.constants.map(({ name, value, docs }) => {
      const statement = factory.createVariableStatement(
        [factory.createModifier(SyntaxKind.ExportKeyword)],
        factory.createVariableDeclarationList(
          [factory.createVariableDeclaration(name, undefined, undefined, expressionOf(value))],
          ts.NodeFlags.Const,
        ),
      );
      if (docs)
        ts.addSyntheticLeadingComment(statement, SyntaxKind.MultiLineCommentTrivia, `* ${docs} `, true);
      return statement;
    });
    const statements: ts.Statement[] = [...imports, ...constants];
    ts.addSyntheticLeadingComment(
      statements[0]!,
      SyntaxKind.MultiLineCommentTrivia,
      `* ${module.docs} `,
      true,
    );
    const sourceFile = factory.createSourceFile(
      statements,
      factory.createToken(SyntaxKind.EndOfFileToken),
      ts.NodeFlags.None,
    );
    this.generated.set(file, ts.createPrinter({ newLine: ts.NewLineKind.LineFeed }).printFile(sourceFile));
  }

  /** Appends `element` to the array literal that initializes `variable`; false if the module has none. */
  appendToArray(source: SourceFile, variable: string, element: string): boolean {
    const array = source
      .getVariableDeclaration(variable)
      ?.getInitializerIfKind(SyntaxKind.ArrayLiteralExpression);
    if (!array) return false;
    array.addElement((writer) => writer.write(printNode(factory.createIdentifier(element))));
    return true;
  }

  /** Every file changed, formatted with prettier and the project's configuration for its path. */
  async render(files: string[]): Promise<{ path: string; content: string }[]> {
    // Loaded here: only `o11y import` formats code, and prettier would cost every other command its load.
    const prettier = await import("prettier");
    const out: { path: string; content: string }[] = [];
    for (const file of files) {
      const absolute = path.join(this.root, file);
      const options = (await prettier.resolveConfig(absolute)) ?? {};
      const text = this.generated.get(file) ?? this.open(file).getFullText();
      // babel-ts prints TypeScript as the typescript parser does, in about half the time on large modules.
      out.push({
        path: file,
        content: await prettier.format(text, { ...options, filepath: absolute, parser: "babel-ts" }),
      });
    }
    return out;
  }
}

/**
 * Writes every file or none: each is written beside its target and synced, then all are renamed in place; if any
 * step fails, the files already renamed get their previous content back (or are removed if they were new).
 */
export function writeAll(root: string, files: { path: string; content: string }[]): void {
  const staged: { temp: string; target: string; previous?: string }[] = [];
  try {
    for (const file of files) {
      const target = path.join(root, file.path);
      const temp = `${target}.o11y-import-${randomBytes(4).toString("hex")}.tmp`;
      const entry: { temp: string; target: string; previous?: string } = { temp, target };
      if (existsSync(target)) entry.previous = readFileSync(target, "utf8");
      staged.push(entry);
      writeFileSync(temp, file.content, { flag: "wx" });
    }
  } catch (error) {
    for (const { temp } of staged) rmSync(temp, { force: true });
    throw new ImportError([
      {
        message: `cannot write the imported files: ${(error as Error).message}`,
        fix: "check that src/ is writable.",
      },
    ]);
  }
  const done: typeof staged = [];
  try {
    for (const entry of staged) {
      renameSync(entry.temp, entry.target);
      done.push(entry);
    }
  } catch (error) {
    for (const entry of done) {
      if (entry.previous === undefined) rmSync(entry.target, { force: true });
      else writeFileSync(entry.target, entry.previous);
    }
    for (const { temp } of staged) rmSync(temp, { force: true });
    throw new ImportError([
      {
        message: `cannot write the imported files: ${(error as Error).message}; none was changed`,
        fix: "check that src/ is writable.",
      },
    ]);
  }
}
