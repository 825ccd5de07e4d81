import type { BinaryOp, DType } from '../backend/backend.js';
import { engine } from '../engine.js';
import { DendriteError } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { toTensors, type TensorLike } from './util.js';

const COMPARISONS = new Set<BinaryOp>(['equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual']);

/** Run a broadcasting binary kernel; `backward` gets the output gradient and returns both input gradients. */
export function binaryOp(
  op: BinaryOp, a: TensorLike, b: TensorLike,
  backward?: (dy: Tensor, x: Tensor, y: Tensor, output: Tensor) => [Tensor | null, Tensor | null],
): Tensor {
  const [x, y] = toTensors(op, a, b);
  let output: Tensor;
  try {
    const shape = broadcastShapes(op, x.shape, y.shape);
    const dtype = outputDtype(op, x.dtype, y.dtype);
    output = engine.runOp({
      name: op, inputs: [x, y], shape, dtype,
      kernel: (backend, [xInfo, yInfo]) => backend.binary(op, xInfo, yInfo, shape, dtype),
      backward: backward && ((dy) => backward(dy, x, y, output)),
    });
  } finally {
    // Scalars made here from plain numbers are ours to free (a gradient rule that reads one keeps
    // it alive as a saved tensor).
    if (x !== a) x.dispose();
    if (y !== b) y.dispose();
  }
  return output;
}

function outputDtype(op: BinaryOp, a: DType, b: DType): DType {
  if (COMPARISONS.has(op)) return 'float32';
  if (a === 'int32' && b === 'int32') {
    if (op === 'div' || op === 'pow') return 'float32';
    return 'int32';
  }
  if (a !== b) throw new DendriteError(`${op}: cannot mix dtypes ${a} and ${b}; cast one with cast()`);
  return 'float32';
}
