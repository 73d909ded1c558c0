/**
 * Writes what `o11y import` generates as TypeScript through ts-morph's AST (values become syntax nodes, files are
 * edited by their declarations, never by matching text), and formats every file with prettier and the project's
 * own configuration. `o11y import dashboard` runs it in its writer thread (writer-thread.ts), where ts-morph and
 * prettier load while the main thread checks the dashboard; `o11y import rules` in the main thread, which reads the
 * project's modules with it too.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Project, SyntaxKind, VariableDeclarationKind, printNode, ts, type SourceFile } from "ts-morph";
import { CallCode, ReferenceCode, TemplateCode, type Code, type Constant } from "./code.ts";
import { ImportError } from "./report.ts";
import { importModule } from "../import-module.ts";

const factory = ts.factory;

const identifierName = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * A key as written in an object literal. `__proto__: v` and `"__proto__": v` set the object's prototype (and drop a
 * string), so that key is computed, which makes it an own key like any other.
 */
function propertyName(key: string): ts.PropertyName {
  if (key === "__proto__") return factory.createComputedPropertyName(factory.createStringLiteral(key));
  return identifierName.test(key) ? factory.createIdentifier(key) : factory.createStringLiteral(key);
}

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
  if (value instanceof TemplateCode) {
    // Adjacent texts joined: a template alternates text and values, starting and ending with text.
    const texts: string[] = [""];
    const values: Code[] = [];
    for (const part of value.parts) {
      if (typeof part === "string") texts[texts.length - 1] += part;
      else {
        values.push(part);
        texts.push("");
      }
    }
    if (!values.length) return factory.createNoSubstitutionTemplateLiteral(texts[0]!);
    return factory.createTemplateExpression(
      factory.createTemplateHead(texts[0]!),
      values.map((v, i) =>
        factory.createTemplateSpan(
          expressionOf(v),
          i === values.length - 1
            ? factory.createTemplateTail(texts[i + 1]!)
            : factory.createTemplateMiddle(texts[i + 1]!),
        ),
      ),
    );
  }
  if (value instanceof ReferenceCode) {
    const [first, ...rest] = value.path.split(".");
    return rest.reduce<ts.Expression>(
      (target, name) => factory.createPropertyAccessExpression(target, name),
      factory.createIdentifier(first!),
    );
  }
  if (Array.isArray(value)) return factory.createArrayLiteralExpression(value.map(expressionOf), false);
  const properties = Object.entries(value)
    .filter((entry): entry is [string, Code] => entry[1] !== undefined)
    .map(([key, member]) => factory.createPropertyAssignment(propertyName(key), expressionOf(member)));
  // On one line: prettier breaks what does not fit, and keeps what does on one line, as hand-written code has it
  // (an object printed over several lines would stay so). It also leaves prettier a third of the text to read.
  return factory.createObjectLiteralExpression(properties, false);
}

/** One in-memory ts-morph project per import: files are read from disk into it, edited, and printed. */
export class ModuleWriter {
  private readonly project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext },
  });

  /** New modules, printed whole (newModule). */
  private readonly generated = new Map<string, string>();

  constructor(readonly root: string) {}

  /** A module on disk (relative to the project), or a new empty one. */
  open(file: string): SourceFile {
    const existing = this.project.getSourceFile(`/${file}`);
    if (existing) return existing;
    const absolute = path.join(this.root, file);
    const text = existsSync(absolute) ? readFileSync(absolute, "utf8") : "";
    return this.project.createSourceFile(`/${file}`, text, { overwrite: true });
  }

  /** The names a module (relative to the project) imports or declares at its top; none when it is not there. */
  declaredNames(file: string): Set<string> {
    if (!existsSync(path.join(this.root, file))) return new Set();
    const source = this.open(file);
    return new Set([
      ...source
        .getImportDeclarations()
        .flatMap((d) => [
          ...d.getNamedImports().map((n) => n.getAliasNode()?.getText() ?? n.getName()),
          ...(d.getNamespaceImport() ? [d.getNamespaceImport()!.getText()] : []),
          ...(d.getDefaultImport() ? [d.getDefaultImport()!.getText()] : []),
        ]),
      ...source.getVariableDeclarations().map((d) => d.getName()),
      ...source.getFunctions().flatMap((f) => f.getName() ?? []),
    ]);
  }

  /** The exported constants of a module whose value is a call, by the line the call starts on. */
  exportedCalls(file: string): Map<number, string> {
    const found = new Map<number, string>();
    for (const statement of this.open(file).getVariableStatements()) {
      if (!statement.isExported()) continue;
      for (const declaration of statement.getDeclarations()) {
        const initializer = declaration.getInitializerIfKind(SyntaxKind.CallExpression);
        if (initializer) found.set(initializer.getStartLineNumber(), declaration.getName());
      }
    }
    return found;
  }

  /**
   * A module's list of names (`export const dashboards = [a, b]`) and the module each name is imported from (`./a.ts`,
   * relative to the project); no list when it is not a plain list of names.
   */
  listedImports(
    file: string,
    variable: string,
  ): { modules: Map<string, string>; list: string[] | undefined } {
    const source = this.open(file);
    const modules = new Map<string, string>();
    for (const declaration of source.getImportDeclarations()) {
      const from = declaration.getModuleSpecifierValue();
      if (!from.startsWith(".")) continue;
      for (const named of declaration.getNamedImports())
        modules.set(named.getName(), path.posix.join(path.posix.dirname(file), from));
    }
    const elements =
      source
        .getVariableDeclaration(variable)
        ?.getInitializerIfKind(SyntaxKind.ArrayLiteralExpression)
        ?.getElements() ?? [];
    const plain = elements.every((e) => e.isKind(SyntaxKind.Identifier));
    return { modules, list: plain ? elements.map((e) => e.getText()) : undefined };
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
    // Each statement printed by itself, so that a blank line can part the imports from the constants and each
    // constant from the next, as hand-written modules have them (the printer writes none, prettier adds none).
    const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
    const printed = statements.map((s) => printer.printNode(ts.EmitHint.Unspecified, s, sourceFile));
    const head = printed.slice(0, imports.length).join("\n");
    this.generated.set(file, `${[head, ...printed.slice(imports.length)].filter(Boolean).join("\n\n")}\n`);
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
    const prettier = (await importModule("prettier")) as typeof import("prettier");
    const out: { path: string; content: string }[] = [];
    for (const file of files) {
      const absolute = path.join(this.root, file);
      const options = (await prettier.resolveConfig(absolute)) ?? {};
      const generated = this.generated.get(file);
      // babel-ts prints TypeScript as the typescript parser does, in about half the time on large modules. A module
      // made here holds no tagged template nor a comment that marks one (what prettier formats as CSS, GraphQL, HTML
      // or Markdown), so looking for them would change nothing: skipped (a tenth of a large module's format). A
      // module of the project keeps the configuration's choice.
      const embedded = generated === undefined ? {} : { embeddedLanguageFormatting: "off" as const };
      out.push({
        path: file,
        content: await prettier.format(generated ?? this.open(file).getFullText(), {
          ...options,
          ...embedded,
          filepath: absolute,
          parser: "babel-ts",
        }),
      });
    }
    return out;
  }
}
