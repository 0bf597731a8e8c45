import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

/**
 * `strategies/tradeloop.d.ts`, generated from the contracts (`libs/contracts/src/strategy-api.ts`
 * and the types it imports), so script authors' editors autocomplete the same API the server
 * implements. `npm run types:strategies` writes it; a test fails when the committed file is stale.
 */

const ENTRY = 'strategy-api.ts';

type Declaration = ts.InterfaceDeclaration | ts.TypeAliasDeclaration;

interface SourceIndex {
  declarations: Map<string, Declaration>;
  /** Imported name → the file it comes from. */
  imports: Map<string, string>;
  file: ts.SourceFile;
}

function indexFile(dir: string, name: string): SourceIndex {
  const file = ts.createSourceFile(name, readFileSync(join(dir, name), 'utf8'), ts.ScriptTarget.ES2022, true);
  const declarations = new Map<string, Declaration>();
  const imports = new Map<string, string>();
  for (const statement of file.statements) {
    if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) declarations.set(statement.name.text, statement);
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const from = statement.moduleSpecifier.text.replace(/^\.\//, '').replace(/\.js$/, '.ts');
      const bindings = statement.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) for (const element of bindings.elements) imports.set(element.name.text, from);
    }
  }
  return { declarations, imports, file };
}

/** Names of types a declaration refers to. */
function references(node: ts.Node): Set<string> {
  const names = new Set<string>();
  const visit = (n: ts.Node) => {
    if (ts.isTypeReferenceNode(n) && ts.isIdentifier(n.typeName)) names.add(n.typeName.text);
    if (ts.isExpressionWithTypeArguments(n) && ts.isIdentifier(n.expression)) names.add(n.expression.text);
    ts.forEachChild(n, visit);
  };
  visit(node);
  return names;
}

/** The declaration's text with its doc comment, `export`ed, indented for the namespace. */
function render(declaration: Declaration, file: ts.SourceFile): string {
  const full = declaration.getFullText(file).replace(/^\s*\n/, '');
  const text = /^(\s*\/\*\*[\s\S]*?\*\/\s*)?export /.test(full) ? full : full.replace(/^((\s*\/\*\*[\s\S]*?\*\/\s*)?)/, '$1export ');
  return text
    .trim()
    .split('\n')
    .map((line) => (line ? `  ${line}` : ''))
    .join('\n');
}

export function renderStrategyTypes(contractsSrc: string): string {
  const files = new Map<string, SourceIndex>();
  const load = (name: string) => {
    let index = files.get(name);
    if (!index) files.set(name, (index = indexFile(contractsSrc, name)));
    return index;
  };
  const out: string[] = [];
  const done = new Set<string>();
  const include = (name: string, fileName: string) => {
    const index = load(fileName);
    const imported = index.imports.get(name);
    if (imported) return include(name, imported);
    const declaration = index.declarations.get(name);
    if (!declaration || done.has(`${fileName}:${name}`)) return;
    done.add(`${fileName}:${name}`);
    for (const ref of references(declaration)) if (ref !== name) include(ref, fileName);
    out.push(render(declaration, index.file));
  };
  for (const name of load(ENTRY).declarations.keys()) include(name, ENTRY);

  return `// Generated from libs/contracts/src/${ENTRY} by \`npm run types:strategies\`: do not edit.
// The API of Tradeloop strategy scripts, for editors: scripts in this folder see it without an import.
// See README.md in this folder.

declare namespace Tradeloop {
${out.join('\n\n')}
}

/** Declares a strategy: \`export default defineStrategy({ params, onWebhook(alert, ctx) { ... } })\`. */
declare function defineStrategy<P extends Tradeloop.ScriptParams = {}, S extends object = Tradeloop.ScriptState>(
  strategy: Tradeloop.StrategyDefinition<P, S>,
): Tradeloop.StrategyDefinition<P, S>;

/** Lines go to the strategy's log (\`log\` and \`info\` at info level), 20 per call at most. */
declare const console: {
  log(...values: unknown[]): void;
  info(...values: unknown[]): void;
  debug(...values: unknown[]): void;
  warn(...values: unknown[]): void;
  error(...values: unknown[]): void;
};
`;
}

/** The repository root, from this file in `apps/server/{src,dist}/scripts/`. */
const root = () => resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

export const contractsSource = () => join(root(), 'libs', 'contracts', 'src');
export const strategyTypesFile = () => join(root(), 'strategies', 'tradeloop.d.ts');

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  writeFileSync(strategyTypesFile(), renderStrategyTypes(contractsSource()));
  console.log(`wrote ${strategyTypesFile()}`);
}
