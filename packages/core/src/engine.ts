import type { Backend, BackendInfo, DataId, DType, TensorInfo } from './backend/backend.js';
import { createDefaultCpuBackend } from './backends/cpu/default-cpu-backend.js';
import { DendriteError } from './errors.js';
import { claimSingleCopy } from './single-copy.js';
import { Tensor, type GradNode } from './tensor.js';

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
  private gradDisabled = 0;
  private live = 0;
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

  registerBackend(name: string, factory: BackendFactory, priority = 1): void {
    const previous = this.registry.get(name);
    this.registry.set(name, { factory, priority, instance: previous?.instance ?? null });
  }

  registeredBackends(): string[] {
    return [...this.registry.entries()].sort((a, b) => b[1].priority - a[1].priority).map(([name]) => name);
  }

  /**
   * Make `name` (or the given backend object) the active backend, initialising it once. `notes`
   * (e.g. why a faster backend was not chosen) are reported by `getBackendInfo()`.
   */
  async setBackend(nameOrBackend: string | Backend, options: { notes?: readonly string[] } = {}): Promise<Backend> {
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
    registration.instance ??= await registration.factory();
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

  /** @internal Called by Tensor.dispose. */
  release(tensor: Tensor): void {
    this.live--;
    this.scopes[this.scopes.length - 1]?.delete(tensor);
    this.unref(tensor.dataId, tensor.backend);
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
   * Run `fn` and dispose every tensor it created except the ones it returns (in an array or
   * object too) and kept ones. The function must be synchronous.
   */
  tidy<T>(fn: () => T): T {
    const scope = new Set<Tensor>();
    this.scopes.push(scope);
    let result: T;
    try {
      result = fn();
    } finally {
      this.scopes.pop();
    }
    if (result instanceof Promise) {
      throw new DendriteError('tidy: the function returned a Promise; tidy scopes must be synchronous (await outside tidy)');
    }
    const survivors = new Set<Tensor>();
    collectTensors(result, survivors);
    const parent = this.scopes[this.scopes.length - 1];
    for (const tensor of scope) {
      if (survivors.has(tensor)) parent?.add(tensor);
      else if (!tensor.kept && !tensor.isDisposed) tensor.dispose();
    }
    return result;
  }

  /** Exempt a tensor from the enclosing tidy scopes. */
  keep<T extends Tensor>(tensor: T): T {
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
    this.gradDisabled++;
    try {
      return fn();
    } finally {
      this.gradDisabled--;
    }
  }

  /** @internal The kernel's view of a tensor on the active backend, moving host data over if needed. */
  info(op: string, tensor: Tensor): TensorInfo {
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
    const dataId = spec.kernel(this.backend, infos);
    const output = this.makeTensor(dataId, spec.shape, spec.dtype);
    if (spec.backward && this.gradEnabled && spec.inputs.some(needsGrad)) {
      output.gradNode = { op: spec.name, inputs: spec.inputs, backward: spec.backward };
      output.requiresGrad = true;
    }
    return output;
  }

  /** Like {@link Engine.runOp} for a kernel with several outputs and no gradient (fused updates). */
  runMultiOp(spec: MultiOpSpec): Tensor[] {
    const infos = spec.inputs.map((input) => this.info(spec.name, input));
    const dataIds = spec.kernel(this.backend, infos);
    return dataIds.map((dataId, i) => this.makeTensor(dataId, spec.outputs[i].shape, spec.outputs[i].dtype));
  }

  /** @internal Record a gradient rule on an output made without a kernel (views). */
  recordGrad(output: Tensor, op: string, inputs: readonly Tensor[], backward: GradNode['backward']): Tensor {
    if (this.gradEnabled && inputs.some(needsGrad)) {
      output.gradNode = { op, inputs, backward };
      output.requiresGrad = true;
    }
    return output;
  }

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
  kernel: (backend: Backend, inputs: readonly TensorInfo[]) => DataId;
  backward?: GradNode['backward'];
}

/** What an op with several outputs hands to {@link Engine.runMultiOp}. */
export interface MultiOpSpec {
  name: string;
  inputs: readonly Tensor[];
  outputs: ReadonlyArray<{ shape: readonly number[]; dtype: DType }>;
  kernel: (backend: Backend, inputs: readonly TensorInfo[]) => readonly DataId[];
}

export function needsGrad(tensor: Tensor): boolean {
  return tensor.requiresGrad || tensor.gradNode !== null;
}

function collectTensors(value: unknown, into: Set<Tensor>): void {
  if (value instanceof Tensor) into.add(value);
  else if (Array.isArray(value)) for (const item of value) collectTensors(item, into);
  else if (value && typeof value === 'object' && !(ArrayBuffer.isView(value))) {
    for (const item of Object.values(value)) collectTensors(item, into);
  }
}

/** The process-wide engine the ops use (a second copy of core loaded in the same process throws). */
export const engine = claimSingleCopy(new Engine());

export const tidy = <T>(fn: () => T): T => engine.tidy(fn);
export const keep = <T extends Tensor>(tensor: T): T => engine.keep(tensor);
export const noGrad = <T>(fn: () => T): T => engine.noGrad(fn);
export const memory = () => engine.memory();
export const setBackend = (nameOrBackend: string | Backend, options?: { notes?: readonly string[] }) => engine.setBackend(nameOrBackend, options);
export const registerBackend = (name: string, factory: BackendFactory, priority?: number) => engine.registerBackend(name, factory, priority);
export const getBackend = (): Backend => engine.backend;
export const getBackendInfo = (): BackendInfo => engine.backendInfo();
export const ready = () => engine.ready();
