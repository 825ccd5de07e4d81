import { describe, expect, it } from 'vitest';
import { implementationProcess } from './implementation-process.js';

describe('implementationProcess', () => {
  it('starts dendrite-cpu-relaxed with the relaxed-SIMD kernels forced, and the V8 flag before Node 22', () => {
    expect(implementationProcess('dendrite-cpu-relaxed', '20.20.2')).toEqual({
      nodeFlags: ['--experimental-wasm-relaxed-simd'], environment: { DENDRITE_WASM_SIMD: 'relaxed-simd' },
    });
    expect(implementationProcess('dendrite-cpu-relaxed', '22.3.0')).toEqual({ nodeFlags: [], environment: { DENDRITE_WASM_SIMD: 'relaxed-simd' } });
  });

  it('starts the others as plain Node', () => {
    for (const impl of ['dendrite-cpu', 'tfjs-cpu', 'tfjs-wasm'] as const) {
      expect(implementationProcess(impl, '20.20.2')).toEqual({ nodeFlags: [], environment: {} });
    }
  });
});
