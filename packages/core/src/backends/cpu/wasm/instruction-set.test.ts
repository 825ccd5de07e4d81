import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../cpu-backend.js';
import { createWasmAccelerator } from './index.js';
import { hostSupportsRelaxedSimd, instructionSetFromEnvironment, selectInstructionSet } from './instruction-set.js';

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';
const nodeMajor = Number(process.versions.node.split('.')[0]);

/** Whether this CPU has fused multiply-add (V8 then lowers f32x4.relaxed_madd to one FMA instruction). */
function cpuHasFma(): boolean {
  if (process.arch === 'arm64') return true;
  if (process.arch !== 'x64' || !existsSync('/proc/cpuinfo')) return false;
  return /^flags\s*:.*\bfma\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
}

/**
 * Runs `code` (an ES module file importing the core sources through tsx) in a child Node with
 * `flags`, and returns what it printed last as JSON: how a fresh process without the vitest
 * config's flag picks. (A file, not `-e`: worker threads are unavailable to `--input-type=module -e`.)
 */
function runChild(flags: string[], code: string): unknown {
  const tsx = createRequire(import.meta.url).resolve('tsx');
  const directory = mkdtempSync(join(tmpdir(), 'dendrite-relaxed-simd-'));
  try {
    const script = join(directory, 'child.mjs');
    writeFileSync(script, code);
    const output = execFileSync(process.execPath, [...flags, '--import', tsx, script], {
      env: { ...process.env, DENDRITE_WASM_SIMD: '' },
      encoding: 'utf8',
    });
    return JSON.parse(output.trim().split('\n').pop()!);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const READY_AND_REPORT = `
import { ready, getBackendInfo } from ${JSON.stringify(new URL('../../../index.ts', import.meta.url).href)};
await ready();
const { implementation, instructionSet, threads, notes } = getBackendInfo();
console.log(JSON.stringify({ implementation, instructionSet, threads, notes }));
process.exit(0);`;

describe('choosing the kernel build', () => {
  it('runs relaxed SIMD in this test process (Node 22+, or Node 20 with the flag from vitest.config.ts)', () => {
    expect(hostSupportsRelaxedSimd()).toBe(true);
  });

  it('auto picks relaxed SIMD only where the host validates it; simd128 is always available', () => {
    expect(selectInstructionSet('auto', true)).toEqual({ instructionSet: 'relaxed-simd', note: null });
    const fallback = selectInstructionSet('auto', false);
    expect(fallback.instructionSet).toBe('simd128');
    expect(fallback.note).toMatch(/no relaxed SIMD.*--experimental-wasm-relaxed-simd/);
    expect(selectInstructionSet('simd128', true).instructionSet).toBe('simd128');
    expect(selectInstructionSet('relaxed-simd', true).instructionSet).toBe('relaxed-simd');
  });

  it('refuses to force relaxed SIMD on a host without it, and unknown choices', () => {
    expect(() => selectInstructionSet('relaxed-simd', false)).toThrow(/relaxed SIMD was requested.*--experimental-wasm-relaxed-simd/);
    expect(() => selectInstructionSet('sse' as never, true)).toThrow(/instructionSet must be one of auto, simd128, relaxed-simd, got 'sse'/);
  });

  it('reads DENDRITE_WASM_SIMD', async () => {
    const saved = process.env.DENDRITE_WASM_SIMD;
    try {
      delete process.env.DENDRITE_WASM_SIMD;
      expect(instructionSetFromEnvironment()).toBeUndefined();
      process.env.DENDRITE_WASM_SIMD = ' simd128 ';
      expect(instructionSetFromEnvironment()).toBe('simd128');
      const accelerator = await createWasmAccelerator({ threads: 1 });
      expect(accelerator.instructionSet).toBe('simd128');
      expect(accelerator.notes.join(' ')).toMatch(/SIMD128 kernels requested/);
      accelerator.dispose();
      process.env.DENDRITE_WASM_SIMD = 'relaxed';
      expect(() => instructionSetFromEnvironment()).toThrow(/DENDRITE_WASM_SIMD must be one of auto, simd128, relaxed-simd, got 'relaxed'/);
    } finally {
      if (saved === undefined) delete process.env.DENDRITE_WASM_SIMD;
      else process.env.DENDRITE_WASM_SIMD = saved;
    }
  });

  it('reports the build in getBackendInfo()', async () => {
    const accelerator = await createWasmAccelerator({ threads: 1, instructionSet: 'relaxed-simd' });
    try {
      expect(createCpuBackend({ accelerator }).info()).toMatchObject({ implementation: 'wasm-simd', instructionSet: 'relaxed-simd', notes: [] });
    } finally {
      accelerator.dispose();
    }
  });

  it.runIf(nodeMajor < 22)('ready() in a plain Node 20 loads SIMD128 and says why; with the flag, relaxed SIMD on worker threads too', () => {
    const plain = runChild([], READY_AND_REPORT) as { instructionSet: string; threads: number; notes: string[] };
    expect(plain).toMatchObject({ implementation: 'wasm-simd', instructionSet: 'simd128' });
    expect(plain.notes.join(' ')).toMatch(/no relaxed SIMD \(needs Node 22\+ or Chrome 114\+; Node 20 with --experimental-wasm-relaxed-simd\)/);
    // The workers instantiate the relaxed module too, so they need the flag as well (worker_threads
    // inherit the process's execArgv): a worker that could not would leave fewer threads, with a note.
    const flagged = runChild([RELAXED_FLAG], READY_AND_REPORT) as { instructionSet: string; threads: number; notes: string[] };
    expect(flagged).toMatchObject({ implementation: 'wasm-simd', instructionSet: 'relaxed-simd', threads: plain.threads, notes: [] });
  });
});

describe('the relaxed-SIMD build fuses multiply-adds', () => {
  // row · column = 1 * -(1 + 2^-11) + (1 + 2^-12)^2 = 2^-24 exactly. Multiplying and then adding
  // rounds (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 to 1 + 2^-11 first (a tie, to even) and gives 0; a fused
  // multiply-add rounds once and keeps 2^-24. 64 x 64 outputs, so the accelerator takes the call.
  const [m, n, k] = [64, 64, 2];
  const near = 1 + 2 ** -12;
  const a = new Float32Array(m * k);
  const b = new Float32Array(k * n);
  for (let row = 0; row < m; row++) a.set([1, near], row * k);
  for (let column = 0; column < n; column++) {
    b[column] = -(1 + 2 ** -11);
    b[n + column] = near;
  }

  async function product(instructionSet: 'simd128' | 'relaxed-simd'): Promise<Float32Array> {
    const accelerator = await createWasmAccelerator({ threads: 1, instructionSet });
    try {
      const out = new Float32Array(m * n);
      expect(accelerator.matmul(a, b, out, m, n, k, false, false, null, 'linear')).toBe(true);
      return out;
    } finally {
      accelerator.dispose();
    }
  }

  it('SIMD128 rounds the product before adding', async () => {
    expect((await product('simd128')).every((value) => value === 0)).toBe(true);
  });

  it('relaxed SIMD rounds once where the CPU has FMA (the spec allows either rounding elsewhere)', async () => {
    const out = await product('relaxed-simd');
    const expected = cpuHasFma() ? [2 ** -24] : [0, 2 ** -24];
    expect(out.every((value) => expected.includes(value))).toBe(true);
    expect(new Set(out).size).toBe(1);
  });
});
