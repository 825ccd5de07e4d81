import { describe, expect, it } from 'vitest';
import { parseOptions, UsageError } from './options.js';
import { IMPLEMENTATIONS } from './records.js';

describe('parseOptions', () => {
  it('runs everything, fully, by default', () => {
    expect(parseOptions([], {})).toEqual({ quick: false, only: null, implementations: [...IMPLEMENTATIONS], repeat: 1 });
  });

  it('reads --quick, --only and --impl, ignoring the -- pnpm forwards', () => {
    const options = parseOptions(['--', '--quick', '--only', 'matmul|mlp step', '--impl', 'tfjs-wasm,dendrite-cpu'], {});
    expect(options.quick).toBe(true);
    expect(options.only!.test('MATMUL 512')).toBe(true);
    expect(options.only!.test('cnn epoch')).toBe(false);
    expect(options.implementations).toEqual(['dendrite-cpu', 'tfjs-wasm']);
  });

  it('accepts --flag=value and BENCH_QUICK', () => {
    const options = parseOptions(['--only=epoch'], { BENCH_QUICK: '1' });
    expect(options.quick).toBe(true);
    expect(options.only!.source).toBe('epoch');
    expect(parseOptions([], { BENCH_QUICK: '0' }).quick).toBe(false);
  });

  it('names the problem in bad input', () => {
    expect(() => parseOptions(['--fast'], {})).toThrow(/unknown option '--fast'/);
    expect(() => parseOptions(['--only'], {})).toThrow(/--only needs a value/);
    expect(() => parseOptions(['--only', '('], {})).toThrow(UsageError);
    expect(() => parseOptions(['--impl', 'tfjs-gpu'], {})).toThrow(/unknown implementation 'tfjs-gpu'/);
    expect(() => parseOptions(['--repeat', '0'], {})).toThrow(/--repeat: expected a whole number from 1 to 100, got '0'/);
    expect(() => parseOptions(['--repeat', '2.5'], {})).toThrow(/--repeat/);
  });

  it('reads --repeat', () => {
    expect(parseOptions(['--only', 'cnn', '--repeat', '10'], {}).repeat).toBe(10);
    expect(parseOptions(['--repeat=3'], {}).repeat).toBe(3);
  });
});
