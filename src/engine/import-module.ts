/**
 * `import(specifier)` for a package name or an absolute `file:` URL, wherever o11y's code runs.
 *
 * From the CLI's cached bundle, which bin/o11y.js runs as a script compiled from V8's code cache, Node 20 cannot
 * serve the script's own `import()` ("A dynamic import callback was not specified": a code cache loses what tells
 * Node which loader the script uses). bin/o11y.js then provides its own `import()` here, a module's, which resolves
 * package names from the same node_modules. Everywhere else (tsx, the tests) this is the module's own. No relative
 * specifiers: they would resolve against bin/o11y.js. bin/o11y.js refuses a bundle that calls `import()` itself.
 */
export const importModule: (specifier: string) => Promise<unknown> =
  (globalThis as { [key: symbol]: ((specifier: string) => Promise<unknown>) | undefined })[
    Symbol.for("o11y.import")
  ] ?? ((specifier) => import(specifier));
