import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// The layout's rules (issue 10): no import cycles, no file over 250 lines, and dependencies that
// point one way: lib/ imports nothing of ours, and no module reaches into http/ or the app.
const src = join(__dirname, '..', '..', 'src');

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const files = sourceFiles(src);

/** Runtime imports only: `import type` vanishes at compile time and cannot form a cycle. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/^import (?!type )[^;]*?from '(\.[^']+)';/gms)) {
    const target = resolve(dirname(file), match[1]);
    const candidates = [`${target}.ts`, join(target, 'index.ts')];
    const hit = candidates.find((candidate) => files.includes(candidate));
    if (hit) found.push(hit);
  }
  return found;
}

const graph = new Map(files.map((file) => [file, importsOf(file)]));

test('no file is over 250 lines', () => {
  const long = files
    .map((file) => [relative(src, file), readFileSync(file, 'utf8').split('\n').length] as const)
    .filter(([, lines]) => lines > 250);
  expect(long).toEqual([]);
});

test('no runtime import cycles', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(file)), file].map((entry) => relative(src, entry)).join(' -> '));
      return;
    }
    state.set(file, 'visiting');
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of files) visit(file, []);
  expect(cycles).toEqual([]);
});

test('lib/ imports nothing of ours; modules do not import http/ or the app', () => {
  const wrong: string[] = [];
  for (const [file, imports] of graph) {
    const from = relative(src, file);
    for (const target of imports.map((entry) => relative(src, entry))) {
      if (from.startsWith('lib/') && !target.startsWith('lib/')) wrong.push(`${from} -> ${target}`);
      if (from.startsWith('modules/') && (target.startsWith('http/') || target === 'app.ts'))
        wrong.push(`${from} -> ${target}`);
    }
  }
  expect(wrong).toEqual([]);
});
