import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { engine } from './engine.js';
import { DendriteError } from './errors.js';
import { claimSingleCopy } from './single-copy.js';

const KEY = Symbol.for('@dendrite/core:engine');
const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtemp(join(tmpdir(), 'dendrite-core-copy-'));
afterAll(async () => rm(await scratch, { recursive: true, force: true }));

describe('one copy of @dendrite/core per process', () => {
  it('this copy registered its engine under a global symbol', () => {
    expect(engine).toBeDefined();
    expect((globalThis as Record<symbol, { copy: string }>)[KEY].copy).toMatch(/^@dendrite\/core sources at file:.*single-copy\.ts$/);
  });

  it('a second copy from another path throws a DendriteError naming both; the same file again is not a copy', () => {
    const registered = Object.getOwnPropertyDescriptor(globalThis, KEY)!;
    const first = (registered.value as { location: string }).location;
    try {
      expect(() => claimSingleCopy({}, 'file:///elsewhere/node_modules/@dendrite/core/dist/chunk.cjs')).toThrow(DendriteError);
      expect(() => claimSingleCopy({}, 'file:///elsewhere/node_modules/@dendrite/core/dist/chunk.cjs'))
        .toThrow(`@dendrite/core is loaded twice (@dendrite/core sources at ${first}, and now @dendrite/core sources at file:///elsewhere/node_modules/@dendrite/core/dist/chunk.cjs)`);
      const same = {};
      expect(claimSingleCopy(same, first)).toBe(same); // re-evaluation (hot reload) of the same file
    } finally {
      Object.defineProperty(globalThis, KEY, registered);
    }
  });

  it('loading a real second copy of the sources (another folder) fails at import with that error', async () => {
    const copy = await scratch;
    await cp(join(packageRoot, 'src'), join(copy, 'src'), { recursive: true });
    await cp(join(packageRoot, 'generated'), join(copy, 'generated'), { recursive: true });
    const error = await import(/* @vite-ignore */ join(copy, 'src', 'index.ts')).then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('DendriteError');
    expect((error as Error).message).toContain(`@dendrite/core is loaded twice`);
    expect((error as Error).message).toContain(copy);
  });
});
