import {
  DEFAULT_MAX_TENSOR_BYTES, type Backend, type BackendInfo, type DataId, type DType, type TensorInfo,
} from './backend/backend.js';
import { createDefaultCpuBackend } from './backends/cpu/default-cpu-backend.js';
import { DendriteError } from './errors.js';
import { claimSingleCopy } from './single-copy.js';
import { formatShape, sizeOf } from './shape.js';
import { Tensor, type GradGroup, type GradNode } from './tensor.js';
import { collectTensors, describe, formatBytes } from './values.js';
import { assertBackend } from './backend/assert-backend.js';

export { DEFAULT_MAX_TENSOR_BYTES };

/** Makes a backend; may be async (compiling WebAssembly, asking for a GPU). */
export type BackendFactory = () => Backend | Promise<Backend>;

interface Registration {
  factory: BackendFactory;
  priority: number;
  instance: Backend | null;
}

/**
 * The one place every op goes through: it owns the backends, tensor lifetimes (reference counts of
 * shared buffers, tidy scopes, the live-tensor count) and whether gradients are being recorded.
 * Ops never call a backend directly but through {@link Engine.runOp}, the seam where fusion or graph
 * capture can be added later without touching op files.
 */
export class Engine {
  private readonly registry = new Map<string, Registration>();
  private active: Backend | null = null;
  private readonly scopes: Set<Tensor>[] = [];
  private readonly refCounts = new Map<DataId, number>();
  /** Tensors waiting to be freed; one array reused, so disposal allocates nothing. */
  private readonly freeQueue: Tensor[] = [];
  /** Names of the composite ops running now, outermost first (errors are reported under the first). */
  private readonly opNames: string[] = [];
  private gradDisabled = 0;
  private live = 0;
  /**
   * @internal Non-zero while backward runs gradient rules: they may read tensors the user (or tidy) already
   * disposed but the graph saved.
   */
  replaying = 0;
  /** Why the active backend was chosen over others, reported by getBackendInfo(). */
  private selectionNotes: string[] = [];

  constructor() {
    this.registry.set('cpu', { factory: createDefaultCpuBackend, priority: 1, instance: null });
  }

  /** The active backend; the CPU backend until `setBackend` picks another. */
  get backend(): Backend {
    if (!this.active) {
      const registration = this.registry.get('cpu')!;
      registration.instance ??= createDefaultCpuBackend();
      this.active = registration.instance;
    }
    return this.active;
  }

  /** Register (or replace) a backend factory under `name`; higher `priority` is tried first. */
  registerBackend(name: string, factory: BackendFactory, priority = 1): void {
    const previous = this.registry.get(name);
    this.registry.set(name, { factory, priority, instance: previous?.instance ?? null });
  }

  /** Registered backend names, highest priority first. */
  registeredBackends(): string[] {
    return [...this.registry.entries()].sort((a, b) => b[1].priority - a[1].priority).map(([name]) => name);
  }

  /**
   * Make `name` (or the given backend object) the active backend, initialising it once. `notes`
   * (e.g. why a faster backend was not chosen) are reported by `getBackendInfo()`.
   */
  async setBackend(nameOrBackend: string | Backend, options: { notes?: readonly string[] } = {}): Promise<Backend> {
    if (typeof nameOrBackend !== 'string') assertBackend(nameOrBackend);
    this.selectionNotes = [...(options.notes ?? [])];
    if (typeof nameOrBackend !== 'string') {
      await nameOrBackend.init?.();
      const registration = this.registry.get(nameOrBackend.name);
      this.registry.set(nameOrBackend.name, { factory: () => nameOrBackend, priority: registration?.priority ?? 1, instance: nameOrBackend });
      this.active = nameOrBackend;
      return nameOrBackend;
    }
    const registration = this.registry.get(nameOrBackend);
    if (!registration) {
      throw new DendriteError(`setBackend: no backend named '${nameOrBackend}' is registered (registered: ${this.registeredBackends().join(', ')})`);
    }
    if (!registration.instance) {
      const created = await registration.factory();
      assertBackend(created);
      registration.instance = created;
    }
    await registration.instance.init?.();
    this.active = registration.instance;
    return registration.instance;
  }

  /**
   * Run `fn` with `backend` active, then restore the previous one (tests compare backends this way).
   * Tensors made inside live on `backend`.
   */
  withBackend<T>(backend: Backend, fn: () => T): T {
    const previous = this.active;
    this.active = backend;
    try {
      return fn();
    } finally {
      this.active = previous;
    }
  }

  /** Initialise the active backend (e.g. load the CPU backend's WebAssembly kernels). */
  async ready(): Promise<Backend> {
    const backend = this.backend;
    await backend.init?.();
    return backend;
  }

  // ---- tensors and their lifetimes ----

  /** @internal Wrap a fresh buffer in a tensor, tracked by the innermost tidy scope. */
  makeTensor(dataId: DataId, shape: readonly number[], dtype: DType, backend: Backend = this.backend): Tensor {
    const tensor = new Tensor(dataId, shape, dtype, backend);
    this.refCounts.set(dataId, (this.refCounts.get(dataId) ?? 0) + 1);
    this.live++;
    this.scopes[this.scopes.length - 1]?.add(tensor);
    return tensor;
  }

  /** @internal A tensor viewing `source`'s buffer with another shape (reshape is metadata only). */
  makeView(source: Tensor, shape: readonly number[]): Tensor {
    return this.makeTensor(source.dataId, shape, source.dtype, source.backend);
  }

  /**
   * @internal Called by Tensor.dispose. A tensor that a recorded gradient rule still reads (its
   * `savedBy` count is non-zero) keeps its buffer until the last such rule is released: backward()
   * ran, or the tensors holding the graph were disposed. That is PyTorch's "saved tensors".
   */
  release(tensor: Tensor): void {
    this.scopes[this.scopes.length - 1]?.delete(tensor);
    if (tensor.savedBy === 0) this.free(tensor);
  }

  /**
   * @internal Forget how `tensor` was computed: its gradient rule stops holding its inputs, and any
   * of them already disposed is freed (iteratively, so a 10,000-op chain cannot overflow the stack).
   */
  releaseGraph(tensor: Tensor): void {
    const node = tensor.gradNode;
    if (!node) return;
    tensor.gradNode = null;
    this.unsave(node);
    this.drainFreeQueue();
  }

  /**
   * @internal Whether `tensor` is the only holder of its buffer and no gradient rule saved it: then an
   * in-place update of the buffer is indistinguishable from assigning a new value.
   */
  holdsBufferAlone(tensor: Tensor): boolean {
    return !tensor.isDisposed && tensor.backend === this.backend && this.refCounts.get(tensor.dataId) === 1 && tensor.savedBy === 0 && tensor.gradNode === null;
  }

  /** @internal Point `target` at `value`'s buffer (variable assignment). */
  reassign(target: Tensor, value: Tensor): void {
    const info = this.info('assign', value);
    if (info.dataId === target.dataId) return;
    this.refCounts.set(info.dataId, (this.refCounts.get(info.dataId) ?? 0) + 1);
    this.unref(target.dataId, target.backend);
    target.dataId = info.dataId;
    target.backend = this.backend;
  }

  private free(tensor: Tensor): void {
    this.freeQueue.push(tensor);
    this.drainFreeQueue();
  }

  /** Free queued tensors; freeing one may release a graph that queues more (no recursion). */
  private drainFreeQueue(): void {
    const queue = this.freeQueue;
    while (queue.length) {
      const tensor = queue.pop()!;
      if (tensor.freed) continue;
      tensor.freed = true;
      this.live--;
      this.unref(tensor.dataId, tensor.backend);
      const node = tensor.gradNode;
      if (node) {
        tensor.gradNode = null;
        this.unsave(node);
      }
    }
  }

  /** Drop a rule's hold on what it saved; queue the ones that were only alive for it. */
  private unsave(node: GradNode): void {
    for (const input of node.inputs) if (--input.savedBy === 0 && input.isDisposed) this.freeQueue.push(input);
    if (node.saved) for (const extra of node.saved) if (--extra.savedBy === 0 && extra.isDisposed) this.freeQueue.push(extra);
  }

  private save(node: GradNode): void {
    for (const input of node.inputs) input.savedBy++;
    if (node.saved) for (const extra of node.saved) extra.savedBy++;
  }

  /**
   * @internal Refuse a tensor larger than the active backend's `maxTensorBytes` before anything is
   * allocated (float32 and int32 both take 4 bytes an element).
   */
  checkSize(op: string, shape: readonly number[], dtype: DType): void {
    const bytes = sizeOf(shape) * 4;
    const backend = this.backend;
    const limit = backend.maxTensorBytes ?? DEFAULT_MAX_TENSOR_BYTES;
    if (bytes > limit) {
      throw new DendriteError(
        `${op}: shape ${formatShape(shape)} (${dtype}) needs ${bytes} bytes (${formatBytes(bytes)}), over the ` +
        `'${backend.name}' backend's limit of ${limit} bytes (${formatBytes(limit)}); raise getBackend().maxTensorBytes if you mean it`);
    }
  }

  private unref(dataId: DataId, backend: Backend): void {
    const count = (this.refCounts.get(dataId) ?? 1) - 1;
    if (count > 0) {
      this.refCounts.set(dataId, count);
    } else {
      this.refCounts.delete(dataId);
      backend.dispose(dataId);
    }
  }

  /** Live tensors and the active backend's buffers. */
  memory(): { tensors: number; buffers: number; bytes: number } {
    return { tensors: this.live, ...this.backend.memory() };
  }

  /**
   * Run `fn` and dispose every tensor it created except the ones it returns (in an array, object,
   * Map or Set too) and kept ones. The function must be synchronous. If it throws, everything it
   * made is disposed and the error rethrown. Returned tensors keep what their gradient graph needs
   * alive (so `backward(tidy(() => loss))` works) until backward runs or they are disposed.
   */
  tidy<T>(fn: () => T): T {
    if (typeof fn !== 'function') throw new DendriteError(`tidy: argument 'fn' must be a function, got ${describe(fn)}`);
    const result = this.runScoped(null, fn);
    // A Promise holds no tensor closeScope could find, so everything fn made is disposed already.
    if (result instanceof Promise) {
      throw new DendriteError('tidy: the function returned a Promise; tidy scopes must be synchronous (await outside tidy)');
    }
    return result;
  }

  /**
   * @internal The scope every composite op runs in (see `composite` in ops/util.ts): the op's
   * intermediates are disposed when it returns, and a DendriteError raised by an op it calls is
   * reported under the name of the op the user called.
   */
  opScope<T>(name: string, fn: () => T): T {
    return this.runScoped(name, fn);
  }

  /**
   * Run `fn` in a new scope (a composite op's when `opName` is given, else a plain tidy) and close it:
   * on return the survivors go to the parent scope; on a throw everything `fn` made is disposed.
   */
  private runScoped<T>(opName: string | null, fn: () => T): T {
    const scope = new Set<Tensor>();
    this.scopes.push(scope);
    if (opName !== null) this.opNames.push(opName);
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.scopes.pop();
      if (opName !== null) this.opNames.pop();
      disposeAll(scope);
      if (opName !== null && this.opNames.length === 0) renameError(error, opName);
      throw error;
    }
    this.scopes.pop();
    if (opName !== null) this.opNames.pop();
    this.closeScope(scope, result);
    return result;
  }

  /** Hand the survivors of a closing scope to the parent scope and dispose the rest. */
  private closeScope(scope: Set<Tensor>, result: unknown): void {
    const parent = this.scopes[this.scopes.length - 1];
    if (result instanceof Tensor) {
      // The common case (one op output) without walking anything.
      for (const tensor of scope) {
        if (tensor === result) parent?.add(tensor);
        else if (!tensor.kept) tensor.dispose();
      }
      return;
    }
    const survivors = collectTensors(result);
    for (const tensor of scope) {
      if (survivors.has(tensor)) parent?.add(tensor);
      else if (!tensor.kept) tensor.dispose();
    }
  }

  /** Exempt a tensor from the enclosing tidy scopes. */
  keep<T extends Tensor>(tensor: T): T {
    if (!(tensor instanceof Tensor)) throw new DendriteError(`keep: argument 'tensor' must be a Tensor, got ${describe(tensor)}`);
    tensor.kept = true;
    for (const scope of this.scopes) scope.delete(tensor);
    return tensor;
  }

  // ---- gradient recording ----

  get gradEnabled(): boolean {
    return this.gradDisabled === 0;
  }

  /** Run `fn` without recording gradients. */
  noGrad<T>(fn: () => T): T {
    if (typeof fn !== 'function') throw new DendriteError(`noGrad: argument 'fn' must be a function, got ${describe(fn)}`);
    this.gradDisabled++;
    try {
      return fn();
    } finally {
      this.gradDisabled--;
    }
  }

  /** @internal The kernel's view of a tensor on the active backend, moving host data over if needed. */
  info(op: string, tensor: Tensor): TensorInfo {
    // The last line of defence for plain-JavaScript misuse of any op (the ops check their
    // arguments by name first; this catches internals and ops added later).
    if (!(tensor instanceof Tensor)) throw new DendriteError(`${op}: expected a Tensor input, got ${describe(tensor)}`);
    tensor.assertAlive(op);
    const backend = this.backend;
    if (tensor.backend !== backend) {
      const source = tensor.backend;
      if (!source.readSync) {
        throw new DendriteError(
          `${op}: tensor #${tensor.id} lives on backend '${source.name}' but the active backend is '${backend.name}'; ` +
          `read it with await tensor.data() and recreate it, or create tensors after setBackend()`);
      }
      const values = source.readSync(tensor.dataId, tensor.dtype);
      const moved = backend.upload(values, tensor.shape, tensor.dtype);
      this.refCounts.set(moved, (this.refCounts.get(moved) ?? 0) + 1);
      this.unref(tensor.dataId, source);
      tensor.dataId = moved;
      tensor.backend = backend;
    }
    return tensor;
  }

  /**
   * The single entry point of every op: run a kernel on the active backend, wrap its output, and
   * record the gradient rule when an input needs one.
   */
  runOp(spec: OpSpec): Tensor {
    const infos = spec.inputs.map((input) => this.info(spec.name, input));
    this.checkSize(spec.name, spec.shape, spec.dtype);
    const dataId = spec.kernel(this.backend, infos);
    const output = this.makeTensor(dataId, spec.shape, spec.dtype);
    if (spec.backward && this.gradEnabled && spec.inputs.some(needsGrad)) {
      const node: GradNode = { op: spec.name, inputs: spec.inputs, backward: spec.backward, saved: spec.saved };
      this.save(node);
      output.gradNode = node;
      output.requiresGrad = true;
    }
    return output;
  }

  /**
   * Like {@link Engine.runOp} for a kernel with several outputs (fused updates, topK, unstack); it records no
   * gradient: the op records one with `recordGrad` or `recordGroupGrad`.
   */
  runMultiOp(spec: MultiOpSpec): Tensor[] {
    const infos = spec.inputs.map((input) => this.info(spec.name, input));
    for (const output of spec.outputs) this.checkSize(spec.name, output.shape, output.dtype);
    const dataIds = spec.kernel(this.backend, infos);
    return dataIds.map((dataId, i) => this.makeTensor(dataId, spec.outputs[i].shape, spec.outputs[i].dtype));
  }

  /** @internal Record a gradient rule on an output made without a kernel (views). */
  recordGrad(
    output: Tensor, op: string, inputs: readonly Tensor[], backward: GradNode['backward'], saved?: readonly Tensor[],
  ): Tensor {
    if (this.gradEnabled && inputs.some(needsGrad)) {
      const node: GradNode = { op, inputs, backward, saved };
      this.save(node);
      output.gradNode = node;
      output.requiresGrad = true;
    }
    return output;
  }

  /**
   * @internal Record one gradient rule for all `outputs` of an op (see GradGroup): each output gets
   * its own node (so each holds the inputs alive as long as its graph lives), all sharing the group,
   * which backward runs once. A node's own `backward` is the group's rule with only its gradient.
   */
  recordGroupGrad(
    outputs: readonly Tensor[], op: string, inputs: readonly Tensor[], backward: GradGroup['backward'], saved?: readonly Tensor[],
  ): void {
    if (!this.gradEnabled || !inputs.some(needsGrad)) return;
    const group: GradGroup = { outputs, backward };
    for (const output of outputs) {
      const alone: GradNode['backward'] = (dy, wanted) => backward(outputs.map((other) => (other === output ? dy : null)), wanted);
      const node: GradNode = { op, inputs, backward: alone, saved, group };
      this.save(node);
      output.gradNode = node;
      output.requiresGrad = true;
    }
  }

  /** The active backend's info, with the notes of how it was selected appended. */
  backendInfo(): BackendInfo {
    const info = this.backend.info();
    return this.selectionNotes.length ? { ...info, notes: [...(info.notes ?? []), ...this.selectionNotes] } : info;
  }
}

/** What an op hands to {@link Engine.runOp}. */
export interface OpSpec {
  name: string;
  inputs: readonly Tensor[];
  shape: readonly number[];
  dtype: DType;
  /** Runs on the active backend and returns the output buffer. */
  kernel: (backend: Backend, inputs: readonly TensorInfo[]) => DataId;
  /** The gradient rule, recorded when an input needs a gradient. */
  backward?: GradNode['backward'];
  /** Tensors besides `inputs` (and the output) that `backward` reads; the graph keeps them alive. */
  saved?: readonly Tensor[];
}

/** What an op with several outputs hands to {@link Engine.runMultiOp}. */
export interface MultiOpSpec {
  name: string;
  inputs: readonly Tensor[];
  outputs: ReadonlyArray<{ shape: readonly number[]; dtype: DType }>;
  /** Runs on the active backend and returns one buffer per output. */
  kernel: (backend: Backend, inputs: readonly TensorInfo[]) => readonly DataId[];
}

export function needsGrad(tensor: Tensor): boolean {
  return tensor.requiresGrad || tensor.gradNode !== null;
}

function disposeAll(scope: Set<Tensor>): void {
  for (const tensor of scope) if (!tensor.kept) tensor.dispose();
}

/** `softmax(x, 5)` should say `softmax:`, not the name of the op softmax happens to call. */
function renameError(error: unknown, name: string): void {
  if (!(error instanceof DendriteError) || error.message.startsWith(`${name}:`)) return;
  const inner = /^([A-Za-z0-9]+)(?: \([^)]*\))?: /.exec(error.message);
  error.message = inner ? `${name}: ${error.message.slice(inner[0].length)} (in ${inner[1]})` : `${name}: ${error.message}`;
}

/** The process-wide engine the ops use (a second copy of core loaded in the same process throws). */
export const engine = claimSingleCopy(new Engine());

/**
 * Run `fn` and dispose every tensor it created except the ones it returns (in an array, object,
 * Map or Set too) and kept ones. `fn` must be synchronous. Returned tensors keep what their
 * gradient graph needs, so `backward(tidy(() => loss))` works.
 *
 * @example
 * ```ts
 * const y = tidy(() => relu(add(matmul(x, w), b))); // only y survives
 * ```
 */
export const tidy = <T>(fn: () => T): T => engine.tidy(fn);

/**
 * Mark `tensor` to survive every enclosing `tidy` scope (the caller disposes it). Returns it.
 *
 * @example
 * ```ts
 * let state!: Tensor;
 * tidy(() => { state = keep(mul(x, 2)); });
 * ```
 */
export const keep = <T extends Tensor>(tensor: T): T => engine.keep(tensor);

/**
 * Run `fn` without recording gradients (inference, optimizer updates).
 *
 * @example
 * ```ts
 * const logits = noGrad(() => model.apply(images));
 * ```
 */
export const noGrad = <T>(fn: () => T): T => engine.noGrad(fn);

/**
 * Live tensors and the active backend's buffers and bytes: the leak check of tests.
 *
 * @example
 * ```ts
 * const before = memory().tensors;
 * tidy(() => step());
 * console.assert(memory().tensors === before);
 * ```
 */
export const memory = () => engine.memory();

/**
 * Make a registered backend (by name) or a backend instance the active one; tensors made before
 * stay on their backend.
 *
 * @example
 * ```ts
 * setBackend('cpu');
 * ```
 */
export const setBackend = (nameOrBackend: string | Backend, options?: { notes?: readonly string[] }) => engine.setBackend(nameOrBackend, options);

/**
 * Register a backend factory under `name`; the highest `priority` is the default when none is set.
 *
 * @example
 * ```ts
 * registerBackend('gpu', () => createGpuBackend(), 2);
 * ```
 */
export const registerBackend = (name: string, factory: BackendFactory, priority?: number) => engine.registerBackend(name, factory, priority);

/**
 * The active backend.
 *
 * @example
 * ```ts
 * getBackend().maxTensorBytes = 4 * 2 ** 30;
 * ```
 */
export const getBackend = (): Backend => engine.backend;

/**
 * What runs the kernels: the backend's name, implementation, threads and notes.
 *
 * @example
 * ```ts
 * console.log(getBackendInfo()); // { name: 'cpu', implementation: 'wasm-simd', threads: 2, ... }
 * ```
 */
export const getBackendInfo = (): BackendInfo => engine.backendInfo();

/**
 * Finish the active backend's async start-up (compiling WebAssembly, asking for a GPU adapter).
 *
 * @example
 * ```ts
 * await ready();
 * ```
 */
export const ready = () => engine.ready();

