import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// '@dendrite/training' must run in a browser: only '@dendrite/training/node' (src/node/) may use Node
// modules, the terminal progress bar or the native chart renderer.
const source = fileURLToPath(new URL('.', import.meta.url));
const NODE_ONLY = /from '(node:[^']+|cli-progress|vega|vega-lite|@resvg\/resvg-js)'/;

function universalFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return name === 'node' || name === 'test-support' ? [] : universalFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the universal entry point', () => {
  it('imports no Node module, progress bar or renderer outside src/node/', () => {
    const files = universalFiles(source);
    expect(files.length).toBeGreaterThan(15);
    const offenders = files.filter((file) => NODE_ONLY.test(readFileSync(file, 'utf8'))).map((file) => relative(source, file));
    expect(offenders).toEqual([]);
  });
});
