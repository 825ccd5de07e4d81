import type { Backend, DataId, DType, TypedArray } from './backend/backend.js';
import { engine } from './engine.js';
import { DendriteError } from './errors.js';
import { formatShape, shapesEqual, sizeOf, stridesOf } from './shape.js';

/** How a tensor was made, for reverse-mode autograd: its inputs and the rule giving their gradients. */
export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /**
   * Given the gradient of the output, the gradient of each input (null where none flows).
   * `wanted[i]` is false when input i needs no gradient, so costly rules (matmul, conv) can skip it.
   */
  readonly backward: (dy: Tensor, wanted: readonly boolean[]) => ReadonlyArray<Tensor | null>;
  /** Tensors besides the inputs and the output that `backward` reads (kept alive with the graph). */
  readonly saved?: readonly Tensor[];
  /**
   * Set on each output of an op with several outputs (unstack): the sweep runs the group's rule once,
   * with every output's gradient, instead of `backward` once per output (each a full-size input gradient).
   */
  readonly group?: GradGroup;
}

/**
 * The gradient rule an op with several outputs shares between them. `backward` gets one gradient per
 * output (null for an output no gradient reached) and returns the inputs' gradients, like GradNode's.
 */
export interface GradGroup {
  /** Every output of the op, in order (the `dys` of `backward` line up with them). */
  readonly outputs: readonly Tensor[];
  /** The inputs' gradients from one gradient per output (null where none reached it); `wanted[k]`: whether input k needs one. */
  readonly backward: (dys: ReadonlyArray<Tensor | null>, wanted: readonly boolean[]) => ReadonlyArray<Tensor | null>;
}

/** Nested arrays of numbers, as `Tensor.array()` returns them. */
export type NestedArray = number | NestedArray[];

let nextTensorId = 0;

/**
 * @internal The id the next tensor made will get. Ids only grow, so a tensor whose id is at least
 * this value was made after the call (backward uses it to tell its own gradients from the caller's).
 */
export function upcomingTensorId(): number {
  return nextTensorId;
}

/**
 * An n-dimensional array of float32 or int32 values that lives on a backend (host memory or a GPU).
 * Reading values out is async (`await t.data()`), since a GPU answers later; everything else is a handle.
 *
 * @example
 * ```ts
 * const t = tensor([[1, 2], [3, 4]]);
 * console.log(t.shape, await t.array()); // [2, 2] [[1, 2], [3, 4]]
 * t.dispose();
 * ```
 */
export class Tensor {
  readonly id = nextTensorId++;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  /** Whether gradients flow back to this tensor (true for variables). */
  requiresGrad = false;
  /** Accumulated gradient of a leaf that requires grad, set by `backward()`. */
  grad: Tensor | null = null;
  /** Optional name, used by models and in error messages. */
  name: string | undefined;
  /** @internal The backend buffer this tensor views (shared by reshapes). */
  dataId: DataId;
  /** @internal The backend that owns `dataId`. */
  backend: Backend;
  /** @internal How this tensor was computed, while autograd may need it. */
  gradNode: GradNode | null = null;
  /** @internal Kept tensors survive `tidy` scopes (variables, gradients). */
  kept = false;
  /**
   * @internal How many recorded gradient rules read this tensor. While non-zero, dispose() only
   * retires the handle: the buffer stays until backward releases the graph (PyTorch's saved tensors).
   */
  savedBy = 0;
  /** @internal The buffer has been given back (the handle was disposed and no graph needs it). */
  freed = false;
  /** @internal backward() released the graph that made this tensor. */
  graphReleased = false;
  private disposed = false;

  /** @internal Use the creation ops (`tensor`, `zeros`, …); the engine builds tensors. */
  constructor(dataId: DataId, shape: readonly number[], dtype: DType, backend: Backend) {
    this.dataId = dataId;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = sizeOf(shape);
    this.backend = backend;
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Read the values (a copy the caller owns), in row-major order. */
  async data(): Promise<TypedArray> {
    this.assertAlive('data');
    return this.backend.read(this.dataId, this.dtype);
  }

  /** Synchronous read; only backends whose memory is host memory (the CPU backend) support it. */
  dataSync(): TypedArray {
    this.assertAlive('dataSync');
    if (!this.backend.readSync) {
      throw new DendriteError(`dataSync: backend '${this.backend.name}' cannot read synchronously; use await tensor.data()`);
    }
    return this.backend.readSync(this.dataId, this.dtype);
  }

  /** Read the values as nested arrays shaped like the tensor. */
  async array(): Promise<NestedArray> {
    return toNested(await this.data(), this.shape);
  }

  /** {@link Tensor.array} without waiting, for backends whose memory is host memory (the CPU backend). */
  arraySync(): NestedArray {
    return toNested(this.dataSync(), this.shape);
  }

  /** Read a one-element tensor as a number. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new DendriteError(`item: tensor has ${this.size} elements (shape ${formatShape(this.shape)}), not 1`);
    return (await this.data())[0];
  }

  /**
   * Replace the values of a variable with those of `value` (same shape and dtype). The variable takes
   * a reference to value's buffer, so `value` may be disposed afterwards. Used by optimizers.
   */
  assign(value: Tensor): void {
    this.assertAlive('assign');
    if (!shapesEqual(value.shape, this.shape) || value.dtype !== this.dtype) {
      throw new DendriteError(`assign: value ${value.dtype} ${formatShape(value.shape)} does not match ${this.dtype} ${formatShape(this.shape)}`);
    }
    engine.reassign(this, value);
  }

  /**
   * Free the tensor's memory now (views of the same buffer keep it alive until they go too, and so
   * does a gradient graph that reads it, until backward() runs or the graph's tensors are disposed).
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.grad) {
      this.grad.dispose();
      this.grad = null;
    }
    engine.release(this);
  }

  /** @internal */
  assertAlive(op: string): void {
    // Gradient rules (engine.replaying) may read a disposed tensor that a graph saved.
    if (this.disposed && (this.freed || engine.replaying === 0)) throw new DendriteError(`${op}: tensor #${this.id}${this.name ? ` '${this.name}'` : ''} ${formatShape(this.shape)} was disposed`);
  }

  /** `Tensor(float32 [2, 3])`, plus `, requiresGrad` when it has one. */
  toString(): string {
    return `Tensor(${this.dtype} ${formatShape(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }
}

function toNested(values: TypedArray, shape: readonly number[]): NestedArray {
  if (shape.length === 0) return values[0];
  const strides = stridesOf(shape);
  const build = (offset: number, axis: number): NestedArray[] => {
    const result: NestedArray[] = [];
    for (let i = 0; i < shape[axis]; i++) {
      result.push(axis === shape.length - 1 ? values[offset + i] : build(offset + i * strides[axis], axis + 1));
    }
    return result;
  };
  return build(0, 0);
}
