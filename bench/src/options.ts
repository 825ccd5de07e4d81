import { IMPLEMENTATIONS, type ImplementationName } from './records.js';

/** What the command line asked for. */
export interface BenchOptions {
  /** Fewer repetitions and a slice of each epoch (extrapolated), for a smoke run. */
  quick: boolean;
  /** Case-insensitive regular expression over workload names (`matmul 512`, `mlp epoch`), or null for all. */
  only: RegExp | null;
  /** The implementations to run, in order. */
  implementations: ImplementationName[];
  /** Runs of each implementation, each in a fresh process (1 unless --repeat). */
  repeat: number;
}

/** Most runs --repeat takes. */
const MAX_REPEAT = 100;

export const USAGE = `Usage: pnpm bench [-- options]
  --quick              fast smoke run: fewer repetitions, a slice of each epoch (extrapolated); also BENCH_QUICK=1
  --only <pattern>     run only workloads whose name matches (case-insensitive regex), e.g. --only "matmul|mlp step"
  --impl <names>       comma-separated subset of ${IMPLEMENTATIONS.join(', ')}
  --repeat <n>         run each implementation n times (each in a fresh process, round by round: every
                       implementation once, then again) and report every run:
                       failures, the spread of the values, whether training gave the same loss and accuracy
  --help               this text`;

export class UsageError extends Error {}

/**
 * Parse `process.argv.slice(2)` and the environment. A bare `--` (as pnpm forwards it) is ignored.
 *
 * @example
 * ```ts
 * parseOptions(['--quick', '--only', 'matmul'], {}); // { quick: true, only: /matmul/i, implementations: [...all], repeat: 1 }
 * ```
 */
export function parseOptions(argv: readonly string[], env: Record<string, string | undefined>): BenchOptions {
  const quickFromEnv = env.BENCH_QUICK !== undefined && env.BENCH_QUICK !== '' && env.BENCH_QUICK !== '0';
  const options: BenchOptions = { quick: quickFromEnv, only: null, implementations: [...IMPLEMENTATIONS], repeat: 1 };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    const [flag, inlineValue] = argument.startsWith('--') && argument.includes('=')
      ? [argument.slice(0, argument.indexOf('=')), argument.slice(argument.indexOf('=') + 1)]
      : [argument, undefined];
    const value = (): string => {
      if (inlineValue !== undefined) return inlineValue;
      const next = argv[index + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${flag} needs a value\n${USAGE}`);
      index++;
      return next;
    };
    switch (flag) {
      case '--': break;
      case '--quick': options.quick = true; break;
      case '--only': options.only = patternFrom(value()); break;
      case '--impl': options.implementations = implementationsFrom(value()); break;
      case '--repeat': options.repeat = repeatFrom(value()); break;
      case '--help': case '-h': throw new UsageError(USAGE);
      default: throw new UsageError(`unknown option '${argument}'\n${USAGE}`);
    }
  }
  return options;
}

function patternFrom(text: string): RegExp {
  try {
    return new RegExp(text, 'i');
  } catch (error) {
    throw new UsageError(`--only: '${text}' is not a valid pattern (${(error as Error).message})`);
  }
}

function repeatFrom(text: string): number {
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1 || count > MAX_REPEAT) {
    throw new UsageError(`--repeat: expected a whole number from 1 to ${MAX_REPEAT}, got '${text}'`);
  }
  return count;
}

function implementationsFrom(text: string): ImplementationName[] {
  const names = text.split(',').map((name) => name.trim()).filter((name) => name.length > 0);
  const unknown = names.filter((name) => !(IMPLEMENTATIONS as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new UsageError(`--impl: unknown implementation ${unknown.map((name) => `'${name}'`).join(', ') || '(none given)'}; choose from ${IMPLEMENTATIONS.join(', ')}`);
  }
  // Keep the canonical order (ours first), whatever order was typed.
  return IMPLEMENTATIONS.filter((name) => names.includes(name));
}
