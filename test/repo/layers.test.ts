/**
 * The shape of src/ that docs/architecture.md promises the next person:
 *
 * - the folders import one another in one direction, the order of the architecture's folder
 *   table (a folder imports only folders listed below it), so no two folders import each other;
 * - wire/ imports nothing outside wire/ but base/ (errors);
 * - no function is longer than MAX_FUNCTION_LINES.
 *
 * Imports are read with the TypeScript parser (static imports, `export ... from`, `import()`);
 * `import type` counts too, since a type is a dependency a reader must follow.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const src = join(root, 'src');
const MAX_FUNCTION_LINES = 80;
/** The files directly in src/: the command line, the top floor. */
const TOP = '(top)';

function sourceFiles(dir = src): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The folder of src/ a file belongs to (`capture`, `wire`, ...), or TOP for src/*.ts. */
function folderOf(file: string): string {
  const rel = relative(src, file).split('/');
  return rel.length === 1 ? TOP : rel[0]!;
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

/** The relative module specifiers `file` imports or re-exports. */
function relativeImports(sf: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && ts.isStringLiteral(node.arguments[0]!)) {
      found.push((node.arguments[0] as ts.StringLiteral).text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found.filter((s) => s.startsWith('.'));
}

/** Folder -> folders it imports (itself left out), with one example import per edge. */
function folderGraph(files: readonly string[]): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of files) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    for (const spec of relativeImports(parse(file))) {
      const target = resolve(dirname(file), spec);
      expect(target.startsWith(src + '/'), `${relative(root, file)} imports ${spec} from outside src/`).toBe(true);
      const to = folderOf(target);
      if (to !== from && !edges.has(to)) edges.set(to, `${relative(root, file)} -> ${spec}`);
    }
  }
  return graph;
}

/** The folders of docs/architecture.md's folder table, top row first (a row may name several). */
function documentedOrder(): string[][] {
  const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## The folders, in import order'));
  const rows = section.split('\n').filter((l) => /^\| `/.test(l));
  return rows.map((row) =>
    [...row.split('|')[1]!.matchAll(/`([^`]+)`/g)].map((m) => (m[1]!.endsWith('/') ? m[1]!.slice(0, -1) : m[1]!.endsWith('.ts') ? TOP : m[1]!)),
  );
}

/** Every function-like node of `sf` longer than MAX_FUNCTION_LINES, as `file:line name (n lines)`. */
function longFunctions(sf: ts.SourceFile): string[] {
  const long: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      const name = node.name !== undefined && ts.isIdentifier(node.name) ? node.name.text : '(anonymous)';
      if (lines > MAX_FUNCTION_LINES) long.push(`${relative(root, sf.fileName)}:${first + 1} ${name} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return long;
}

describe('the layers of src/', () => {
  const files = sourceFiles();
  const graph = folderGraph(files);

  it('reads every folder of src/', () => {
    expect(files.length).toBeGreaterThan(50);
    expect([...graph.keys()]).toEqual(expect.arrayContaining(['wire', 'track', 'capture', 'pipeline', 'live', 'base', TOP]));
  });

  it("each folder imports only folders below it in docs/architecture.md's table", () => {
    const order = documentedOrder();
    const rank = new Map<string, number>();
    order.forEach((names, i) => names.forEach((n) => rank.set(n, i)));
    expect([...graph.keys()].filter((f) => !rank.has(f)).sort(), 'folders missing from the table').toEqual([]);
    const upward: string[] = [];
    for (const [from, edges] of graph) {
      for (const [to, example] of edges) if (rank.get(to)! <= rank.get(from)!) upward.push(`${from} imports ${to}: ${example}`);
    }
    expect(upward).toEqual([]);
  });

  it('no two folders import each other, however far round', () => {
    // Depth-first search for a back edge; reports the first cycle found.
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const walk = (folder: string, stack: string[]): void => {
      state.set(folder, 'open');
      for (const to of graph.get(folder)?.keys() ?? []) {
        if (state.get(to) === 'open') cycles.push([...stack.slice(stack.indexOf(to)), to].join(' -> '));
        else if (state.get(to) === undefined) walk(to, [...stack, to]);
      }
      state.set(folder, 'done');
    };
    for (const folder of graph.keys()) if (state.get(folder) === undefined) walk(folder, [folder]);
    expect(cycles).toEqual([]);
  });

  it('wire/ imports nothing outside wire/ but base/', () => {
    expect([...(graph.get('wire')?.keys() ?? [])].filter((f) => f !== 'base')).toEqual([]);
  });

  it(`no function in src/ is longer than ${MAX_FUNCTION_LINES} lines`, () => {
    expect(files.flatMap((f) => longFunctions(parse(f)))).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it('find a long function and an upward import in code written to have them', () => {
    const body = Array.from({ length: MAX_FUNCTION_LINES }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const sf = ts.createSourceFile(
      join(src, 'wire/x.ts'),
      `import { a } from '../track/t.js';\nexport function big() {\n${body}\n}\n`,
      ts.ScriptTarget.Latest,
      true,
    );
    expect(longFunctions(sf)).toEqual([`src/wire/x.ts:2 big (${MAX_FUNCTION_LINES + 2} lines)`]);
    expect(relativeImports(sf)).toEqual(['../track/t.js']);
  });
});
