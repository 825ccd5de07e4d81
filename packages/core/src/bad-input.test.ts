import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as core from './index.js';
import {
  add, backward, cast, concat, DendriteError, gather, getBackend, keep, matmul, randomPermutation, relu, reshape, setBackend,
  softmax, softmaxCrossEntropy, sum, tensor, tidy, valueAndGrad, variable, variableGrads, zeros, type Tensor,
} from './index.js';

// Every bad input tried against @dendrite/core and the error it gets. The README's table "Bad input
// and the error it gets" is checked against these rows, so the two cannot drift apart.

const x = () => tensor([[1, 2, 3], [4, 5, 6]]);

interface Row {
  /** The call, as the README shows it. */
  input: string;
  run: () => unknown;
  /** The error message (the whole of it, or its start when it ends with '…'). */
  message: string;
}

const rows: Row[] = [
  // Sizes: refused before anything is allocated.
  { input: 'zeros([2 ** 31])', run: () => zeros([2 ** 31]),
    message: "zeros: shape [2147483648] (float32) needs 8589934592 bytes (8.00 GiB), over the 'cpu' backend's limit of 2147483648 bytes (2.00 GiB); raise getBackend().maxTensorBytes if you mean it" },
  { input: 'zeros([2 ** 32])', run: () => zeros([2 ** 32]),
    message: "zeros: shape [4294967296] (float32) needs 17179869184 bytes (16.00 GiB), over the 'cpu' backend's limit of 2147483648 bytes (2.00 GiB); raise getBackend().maxTensorBytes if you mean it" },
  { input: 'zeros([1e6, 1e6])', run: () => zeros([1e6, 1e6]),
    message: "zeros: shape [1000000, 1000000] (float32) needs 4000000000000 bytes (3.64 TiB), over the 'cpu' backend's limit of 2147483648 bytes (2.00 GiB); raise getBackend().maxTensorBytes if you mean it" },
  { input: 'randomPermutation(2 ** 31)', run: () => randomPermutation(2 ** 31),
    message: "randomPermutation: shape [2147483648] (int32) needs 8589934592 bytes (8.00 GiB), over the 'cpu' backend's limit of 2147483648 bytes (2.00 GiB); raise getBackend().maxTensorBytes if you mean it" },
  { input: 'matmul(zeros([100000, 1]), zeros([1, 100000]))', run: () => matmul(zeros([100000, 1]), zeros([1, 100000])),
    message: "matmul: shape [100000, 100000] (float32) needs 40000000000 bytes (37.25 GiB), over the 'cpu' backend's limit of 2147483648 bytes (2.00 GiB); raise getBackend().maxTensorBytes if you mean it" },
  { input: 'zeros([2, -1])', run: () => zeros([2, -1]), message: 'zeros: invalid shape [2, -1]: dims must be non-negative integers' },
  { input: 'zeros([2.5])', run: () => zeros([2.5]), message: 'zeros: invalid shape [2.5]: dims must be non-negative integers' },
  { input: 'zeros([NaN])', run: () => zeros([NaN]), message: 'zeros: invalid shape [NaN]: dims must be non-negative integers' },
  { input: "zeros('3')", run: () => zeros('3' as unknown as number[]),
    message: "zeros: argument 'shape' must be an array of non-negative integers, got a string '3'" },
  // Dtypes and values.
  { input: "tensor([1.5], [1], 'int32')", run: () => tensor([1.5], [1], 'int32'),
    message: 'tensor: value 1.5 at index 0 is not an int32 (an integer in [-2^31, 2^31)); round or cast it first' },
  { input: "tensor([3e10], [1], 'int32')", run: () => tensor([3e10], [1], 'int32'),
    message: 'tensor: value 30000000000 at index 0 is not an int32 (an integer in [-2^31, 2^31)); round or cast it first' },
  { input: "tensor([1], [1], 'float64')", run: () => tensor([1], [1], 'float64' as 'float32'),
    message: "tensor: unknown dtype 'float64' (Dendrite has 'float32' and 'int32')" },
  { input: "zeros([2], 'bool')", run: () => zeros([2], 'bool' as 'float32'), message: "zeros: unknown dtype 'bool' (Dendrite has 'float32' and 'int32')" },
  { input: "cast(x, 'float64')", run: () => cast(x(), 'float64' as 'float32'), message: "cast: unknown dtype 'float64' (Dendrite has 'float32' and 'int32')" },
  { input: 'tensor([[1, 2], [3]])', run: () => tensor([[1, 2], [3]]), message: 'tensor: ragged nested array: expected length 2 at depth 1, got 1' },
  // Plain JavaScript misuse: the op and the argument, never a TypeError.
  { input: 'relu(null)', run: () => relu(null as unknown as Tensor), message: "relu: argument 'x' must be a Tensor, got null" },
  { input: 'relu([1, 2])', run: () => relu([1, 2] as unknown as Tensor), message: "relu: argument 'x' must be a Tensor, got an array of length 2" },
  { input: 'add(x, null)', run: () => add(x(), null as unknown as number), message: "add: argument 'b' must be a Tensor or a number, got null" },
  { input: "add('1', x)", run: () => add('1' as unknown as number, x()), message: "add: argument 'a' must be a Tensor or a number, got a string '1'" },
  { input: 'matmul(x, [[1], [2], [3]])', run: () => matmul(x(), [[1], [2], [3]] as unknown as Tensor),
    message: "matmul: argument 'b' must be a Tensor, got an array of length 3" },
  { input: 'concat([x, undefined])', run: () => concat([x(), undefined as unknown as Tensor]),
    message: "concat: argument 'tensors[1]' must be a Tensor, got undefined" },
  { input: "sum(x, 'rows')", run: () => sum(x(), 'rows' as unknown as number),
    message: "sum: argument 'axis' must be an integer or an array of integers, got a string 'rows'" },
  { input: 'softmax(x, 5)', run: () => softmax(x(), 5), message: 'softmax: axis 5 is out of range for a tensor of rank 2 (in logSumExp)' },
  { input: "softmax(x, '1')", run: () => softmax(x(), '1' as unknown as number),
    message: "softmax: argument 'axis' must be an integer or an array of integers, got a string '1' (in logSumExp)" },
  { input: 'tidy(5)', run: () => tidy(5 as unknown as () => void), message: "tidy: argument 'fn' must be a function, got the number 5" },
  { input: 'keep(null)', run: () => keep(null as unknown as Tensor), message: "keep: argument 'tensor' must be a Tensor, got null" },
  { input: 'variableGrads(f, w)', run: () => variableGrads(() => sum(x()), x() as unknown as Tensor[]),
    message: "variableGrads: argument 'variables' must be an array of tensors, got a float32 tensor [2, 3]" },
  { input: 'setBackend({})', run: () => setBackend({} as never), message: 'setBackend: the object is not a Backend (no string name; missing methods: upload, read, …' },
  { input: "setBackend('tpu')", run: () => setBackend('tpu'), message: "setBackend: no backend named 'tpu' is registered (registered: cpu)" },
  // Shapes, labels and lifetimes.
  { input: 'reshape(x, [4, 2])', run: () => reshape(x(), [4, 2]), message: 'reshape: cannot reshape [2, 3] (6 elements) into [4, 2]' },
  { input: 'matmul(x, x)', run: () => matmul(x(), x()), message: 'matmul: inner dimensions differ: [2, 3] @ [2, 3] (3 vs 2)' },
  { input: 'gather(x, tensor([0]))', run: () => gather(x(), tensor([0])), message: 'gather: indices must be int32, got float32' },
  { input: "softmaxCrossEntropy(x, tensor([0, 3], [2], 'int32'))", run: () => softmaxCrossEntropy(x(), tensor([0, 3], [2], 'int32')),
    message: 'softmaxCrossEntropy: label 3 at row 1 is outside [0, 3) (labels [2])' },
  { input: "softmaxCrossEntropy(x, tensor([0, -1], [2], 'int32'))", run: () => softmaxCrossEntropy(x(), tensor([0, -1], [2], 'int32')),
    message: 'softmaxCrossEntropy: label -1 at row 1 is outside [0, 3) (labels [2])' },
  { input: 'backward(variable(x))', run: () => backward(variable(x())),
    message: 'backward: the tensor has shape [2, 3]; backward without a seed gradient needs a one-element tensor (reduce it, e.g. with sum() or mean(), or pass the seed)' },
  { input: 'backward(loss) twice', run: () => {
    const loss = sum(variable(x()));
    backward(loss);
    backward(loss);
  }, message: 'backward: the graph of this tensor was already released by an earlier backward(); pass { retainGraph: true } to that call to run backward through it again' },
  { input: 'add(disposed, 1)', run: () => {
    const t = tensor([1]);
    t.dispose();
    return add(t, 1);
  }, message: 'add: tensor #… [1] was disposed' },
  { input: 'tidy(async () => …)', run: () => tidy((async () => 1) as unknown as () => number),
    message: 'tidy: the function returned a Promise; tidy scopes must be synchronous (await outside tidy)' },
  { input: 'valueAndGrad(f, { hasAux: true }) with f returning a tensor', run: () => valueAndGrad((t: Tensor) => sum(t) as never, { hasAux: true })(x()),
    message: 'valueAndGrad: with { hasAux: true } the function must return [loss, aux], got a float32 tensor []' },
];

/** The message as a matcher: exact, or a prefix/pattern where the row elides part with '…'. */
function matcher(message: string): string | RegExp {
  if (!message.includes('…')) return message;
  const escaped = message.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}`);
}

describe('bad input and the error it gets', () => {
  for (const row of rows) {
    it(row.input, async () => {
      const failure = await (async () => {
        try {
          await row.run();
        } catch (error) {
          return error;
        }
        return null;
      })();
      expect(failure, 'no error was thrown').toBeInstanceOf(DendriteError);
      const expected = matcher(row.message);
      if (typeof expected === 'string') expect((failure as Error).message).toBe(expected);
      else expect((failure as Error).message).toMatch(expected);
    });
  }

  it('the README table lists every row with its message', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const row of rows) expect(readme).toContain(`| \`${row.input}\` | \`${row.message}\` |`);
  });

  it('the size limit is the backend\'s and can be changed', () => {
    const backend = getBackend();
    const previous = backend.maxTensorBytes;
    try {
      backend.maxTensorBytes = 64;
      expect(() => zeros([17])).toThrow("zeros: shape [17] (float32) needs 68 bytes (68 bytes), over the 'cpu' backend's limit of 64 bytes (64 bytes)");
      zeros([16]).dispose();
    } finally {
      backend.maxTensorBytes = previous;
    }
  });
});

describe('every public function answers plain-JavaScript misuse with a DendriteError', () => {
  // Helpers over plain shapes/values and backend plumbing are not ops; they are exempt.
  const exempt = new Set([
    'sizeOf', 'stridesOf', 'broadcastShapes', 'formatShape', 'createCpuBackend', 'createDefaultCpuBackend',
    'createWasmAccelerator', 'conv2dWithInfo', 'conv2dBackpropInput', 'conv2dBackpropFilter', 'setSeed', 'registerBackend',
    'getBackend', 'getBackendInfo', 'ready', 'memory', 'setBackend',
  ]);
  const functions = Object.entries(core).filter(([name, value]) => typeof value === 'function' && !/^[A-Z]/.test(name) && !exempt.has(name));

  it('covers the ops', () => {
    expect(functions.length).toBeGreaterThan(80);
  });

  for (const [name, fn] of functions) {
    it(name, () => {
      const valid = tensor([[1, 2], [3, 4]]);
      const wrongs: unknown[] = [null, undefined, 'a', [1, 2], { shape: 1 }];
      for (const wrong of wrongs) {
        // The wrong value in each of the first three argument positions, after valid tensors.
        for (let position = 0; position < 3; position++) {
          const args = [...new Array<unknown>(position).fill(valid), wrong];
          try {
            (fn as (...values: unknown[]) => unknown)(...args);
          } catch (error) {
            if (!(error instanceof DendriteError)) {
              throw new Error(`${name}(${args.map((a) => (a === valid ? 'x' : JSON.stringify(a))).join(', ')}) threw ${String(error)}`, { cause: error });
            }
          }
        }
      }
      valid.dispose();
    });
  }
});
