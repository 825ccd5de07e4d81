import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The '.' entry must bundle for the browser: no module outside src/node/ may import Node built-ins.
const sourceDirectory = dirname(fileURLToPath(import.meta.url));
const NODE_BUILTINS = /from '(node:[^']+|fs|fs\/promises|path|os|zlib|http|https|crypto|stream|url)'/;

describe('universal entry point', () => {
  it('imports no Node built-in outside src/node/', () => {
    const universal = readdirSync(sourceDirectory).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
    expect(universal).toContain('index.ts');
    const offenders = universal.filter((name) => NODE_BUILTINS.test(readFileSync(join(sourceDirectory, name), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('imports no @dendrite/core anywhere (core is a devDependency for tests only; tensorBatches takes its tensor function)', () => {
    const sources = [
      ...readdirSync(sourceDirectory).map((name) => join(sourceDirectory, name)),
      ...readdirSync(join(sourceDirectory, 'node')).map((name) => join(sourceDirectory, 'node', name)),
    ].filter((path) => path.endsWith('.ts') && !path.endsWith('.test.ts'));
    expect(sources.filter((path) => /^(import|export)[^\n]*from '@dendrite\/core/m.test(readFileSync(path, 'utf8')))).toEqual([]);
  });
});
