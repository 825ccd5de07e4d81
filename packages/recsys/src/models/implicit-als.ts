import { DendriteError, add, div, greater, matmul, maximum, mul, sub, sum, square, tensor, tidy, where, type Tensor } from '@dendrite/core';
import { SeededRandom } from '@dendrite/datasets';
import { growRows, solveRows, type InteractionExtension, type UpdateOptions } from '../incremental.js';
import type { InteractionMatrix } from '../interactions.js';
import type { FitOptions, History, EpochLog } from '../recommender.js';
import { FactorModel } from './factor-model.js';
import { checkedNumber, normalFactors } from './initialize.js';
import { sparseHalfStep, sparseObjective, type SparseAlsProblem } from './sparse-als.js';

/** Users × items cells above which `solver: 'auto'` leaves the dense block for the CSR solver (64 MB per float32 block). */
const DENSE_CELL_LIMIT = 1 << 24;

/** Hyper-parameters of {@link ImplicitAls}. */
export interface ImplicitAlsOptions {
  /** Latent factors (default 64). */
  factors?: number;
  /** L2 regularisation λ (default 0.1). */
  regularization?: number;
  /** Confidence slope: c = 1 + alpha · value (default 10). */
  alpha?: number;
  /** Conjugate-gradient steps per solve, warm-started from the previous factors (default 3). */
  conjugateGradientSteps?: number;
  /** Iterations when fit is not given `epochs` (default 15). */
  iterations?: number;
  /**
   * How each half-step's conjugate gradient applies the normal equations (default 'auto'): 'dense' as
   * matmuls over a dense users × items confidence block (any backend; memory grows with users × items),
   * 'sparse' over the users → items CSR only (TypeScript loops plus one core matmul per CG step; memory
   * grows with the interactions — what ML-20M's size needs), 'auto' dense up to 2²⁴ cells, sparse above.
   */
  solver?: 'auto' | 'dense' | 'sparse';
}

/**
 * Weighted ALS for implicit feedback (Hu, Koren & Volinsky, ICDM 2008): preference p = 1 where a user
 * interacted, confidence c = 1 + α·value, minimise Σ c (p − xᵤ·yᵢ)² + λ(‖X‖² + ‖Y‖²). Each half-step
 * solves every user's (or item's) normal equations at once by a few conjugate-gradient steps
 * (Takács et al.) written as matmuls over the dense confidence block, so it runs on any backend.
 *
 * @example
 * ```ts
 * const als = new ImplicitAls({ factors: 64, alpha: 10, regularization: 0.1 });
 * await als.fit(matrix, { epochs: 15 });
 * await als.recommend(196, { count: 10 });
 * ```
 */
export class ImplicitAls extends FactorModel {
  readonly name = 'als';
  readonly factors: number;
  readonly regularization: number;
  readonly alpha: number;
  readonly conjugateGradientSteps: number;
  readonly iterations: number;
  readonly solver: 'auto' | 'dense' | 'sparse';

  constructor(options: ImplicitAlsOptions = {}) {
    super();
    this.factors = checkedNumber('ImplicitAls', 'factors', options.factors ?? 64, { integer: true, minimum: 1 });
    this.regularization = checkedNumber('ImplicitAls', 'regularization', options.regularization ?? 0.1, { minimum: 0 });
    this.alpha = checkedNumber('ImplicitAls', 'alpha', options.alpha ?? 10, { minimum: 0 });
    this.conjugateGradientSteps = checkedNumber('ImplicitAls', 'conjugateGradientSteps', options.conjugateGradientSteps ?? 3, { integer: true, minimum: 1 });
    this.iterations = checkedNumber('ImplicitAls', 'iterations', options.iterations ?? 15, { integer: true, minimum: 0 });
    this.solver = options.solver ?? 'auto';
    if (!['auto', 'dense', 'sparse'].includes(this.solver)) throw new DendriteError(`ImplicitAls: solver must be 'auto', 'dense' or 'sparse', got ${JSON.stringify(options.solver)}`);
  }

  async fit(data: InteractionMatrix, options: FitOptions = {}): Promise<History> {
    this.setData(data);
    const iterations = checkedNumber('ImplicitAls.fit', 'epochs', options.epochs ?? this.iterations, { integer: true, minimum: 0 });
    const random = new SeededRandom(options.seed ?? 1);
    const k = this.factors;
    // Small random start (as `implicit` does): the first item solve sees informative user factors.
    const userStart = normalFactors(data.userCount, k, 0.01, random);
    const itemStart = normalFactors(data.itemCount, k, 0.01, random);
    if (this.solver === 'sparse' || (this.solver === 'auto' && data.userCount * data.itemCount > DENSE_CELL_LIMIT)) {
      return this.fitSparse(data, userStart, itemStart, iterations, options);
    }
    this.setFactors(userStart, itemStart, k);
    const block = confidenceBlock(data, this.alpha);
    const history: History = { epochs: [] };
    try {
      for (let epoch = 1; epoch <= iterations; epoch++) {
        const started = performance.now();
        this.step(block);
        const loss = await this.loss(block);
        const log: EpochLog = { epoch, loss, seconds: (performance.now() - started) / 1000 };
        history.epochs.push(log);
        if ((await options.onEpoch?.(log)) === false) break;
      }
    } finally {
      block.confidenceMinusOne.dispose();
      block.weightedPreference.dispose();
    }
    return history;
  }

  /** The CSR path: factors live in typed arrays during training and are published as tensors after each iteration. */
  private async fitSparse(data: InteractionMatrix, users: Float32Array, items: Float32Array, iterations: number, options: FitOptions): Promise<History> {
    const k = this.factors;
    const problem: SparseAlsProblem = { rows: data.byUser, alpha: this.alpha, regularization: this.regularization };
    const history: History = { epochs: [] };
    this.setFactors(users.slice(), items.slice(), k);
    for (let epoch = 1; epoch <= iterations; epoch++) {
      const started = performance.now();
      await sparseHalfStep(problem, true, users, items, k, this.conjugateGradientSteps);
      await sparseHalfStep(problem, false, items, users, k, this.conjugateGradientSteps);
      this.setFactors(users.slice(), items.slice(), k);
      const loss = (await sparseObjective(problem, users, items, k)) / (data.userCount * data.itemCount);
      const log: EpochLog = { epoch, loss, seconds: (performance.now() - started) / 1000 };
      history.epochs.push(log);
      if ((await options.onEpoch?.(log)) === false) break;
    }
    return history;
  }

  /** One ALS iteration: users given items, then items given users. */
  private step(block: ConfidenceBlock): void {
    const lambda = this.regularization;
    const steps = this.conjugateGradientSteps;
    const nextUsers = tidy(() => {
      const items = this.itemFactors!;
      const gram = matmul(items, items, { transposeA: true });
      const apply = (v: Tensor) => add(add(matmul(v, gram), matmul(mul(block.confidenceMinusOne, matmul(v, items, { transposeB: true })), items)), mul(v, lambda));
      return conjugateGradient(apply, matmul(block.weightedPreference, items), this.userFactors!, steps);
    });
    this.userFactors!.assign(nextUsers);
    nextUsers.dispose();
    const nextItems = tidy(() => {
      const users = this.userFactors!;
      const gram = matmul(users, users, { transposeA: true });
      const apply = (v: Tensor) => add(add(matmul(v, gram), matmul(mul(block.confidenceMinusOne, matmul(users, v, { transposeB: true })), users, { transposeA: true })), mul(v, lambda));
      return conjugateGradient(apply, matmul(block.weightedPreference, users, { transposeA: true }), this.itemFactors!, steps);
    });
    this.itemFactors!.assign(nextItems);
    nextItems.dispose();
  }

  /** The objective per matrix cell: (Σ c (p − xᵤ·yᵢ)² + λ(‖X‖² + ‖Y‖²)) / (users · items). */
  private async loss(block: ConfidenceBlock): Promise<number> {
    const value = tidy(() => {
      const users = this.userFactors!;
      const items = this.itemFactors!;
      const preference = maximum(sub(block.weightedPreference, block.confidenceMinusOne), 0); // 1 where interacted
      const squaredError = square(sub(preference, matmul(users, items, { transposeB: true })));
      const weighted = add(sum(squaredError), sum(mul(block.confidenceMinusOne, squaredError)));
      return add(weighted, mul(add(sum(square(users)), sum(square(items))), this.regularization));
    });
    const [total] = await value.data();
    value.dispose();
    const data = this.requireData('loss');
    return total / (data.userCount * data.itemCount);
  }

  /**
   * update(): the touched users' and items' rows (new ones started at zero) re-solved exactly by weighted
   * least squares against the other side, `epochs` (default 2) alternating passes then a last user pass;
   * every untouched row keeps its value, so an untouched user's score of an untouched item is unchanged.
   */
  protected override async applyUpdate(extension: InteractionExtension, options: UpdateOptions): Promise<void> {
    const passes = checkedNumber('ImplicitAls.update', 'epochs', options.epochs ?? 2, { integer: true, minimum: 1 });
    const k = this.factors;
    const users = growRows((await this.require(this.userFactors).data()) as Float32Array, k, extension.userSource, () => new Float32Array(k));
    const items = growRows((await this.require(this.itemFactors).data()) as Float32Array, k, extension.itemSource, () => new Float32Array(k));
    const weights = this.foldInWeights();
    const data = extension.matrix;
    for (let pass = 0; pass < passes; pass++) {
      solveRows(extension.touchedUsers, data.byUser, items, users, k, weights);
      solveRows(extension.touchedItems, data.byItem, users, items, k, weights);
    }
    solveRows(extension.touchedUsers, data.byUser, items, users, k, weights);
    this.setData(data);
    this.setFactors(users, items, k);
  }

  protected override foldInWeights(): { alpha: number; regularization: number } {
    return { alpha: this.alpha, regularization: this.regularization };
  }

  protected hyperparameters(): Record<string, unknown> {
    return { factors: this.factors, regularization: this.regularization, alpha: this.alpha, conjugateGradientSteps: this.conjugateGradientSteps, iterations: this.iterations, solver: this.solver };
  }
}

interface ConfidenceBlock {
  /** α·value where the user interacted, 0 elsewhere: [users, items]. */
  confidenceMinusOne: Tensor;
  /** c·p = 1 + α·value where the user interacted, 0 elsewhere. */
  weightedPreference: Tensor;
}

function confidenceBlock(data: InteractionMatrix, alpha: number): ConfidenceBlock {
  const cells = data.userCount * data.itemCount;
  const extra = new Float32Array(cells);
  const weighted = new Float32Array(cells);
  for (let user = 0; user < data.userCount; user++) {
    const items = data.itemsOf(user);
    const values = data.valuesOf(user);
    for (let position = 0; position < items.length; position++) {
      // Negative or zero strengths still mark an interaction; confidence never drops below 1.
      const strength = Math.max(values[position], 0);
      extra[user * data.itemCount + items[position]] = alpha * strength;
      weighted[user * data.itemCount + items[position]] = 1 + alpha * strength;
    }
  }
  const shape = [data.userCount, data.itemCount];
  return { confidenceMinusOne: tensor(extra, shape), weightedPreference: tensor(weighted, shape) };
}

/**
 * `steps` conjugate-gradient steps on A x = b for every row at once (each row its own system; A is
 * symmetric positive definite per row), starting from `start`. Row-wise step sizes keep the rows apart.
 */
export function conjugateGradient(apply: (v: Tensor) => Tensor, b: Tensor, start: Tensor, steps: number): Tensor {
  let x = start;
  let residual = sub(b, apply(x));
  let direction = residual;
  let residualNorm = sum(square(residual), 1, true);
  for (let step = 0; step < steps; step++) {
    const applied = apply(direction);
    // A row that has converged (zero residual) takes a zero step instead of 0/0.
    const stepSize = divideSafely(residualNorm, sum(mul(direction, applied), 1, true));
    x = add(x, mul(direction, stepSize));
    residual = sub(residual, mul(applied, stepSize));
    const nextNorm = sum(square(residual), 1, true);
    direction = add(residual, mul(direction, divideSafely(nextNorm, residualNorm)));
    residualNorm = nextNorm;
  }
  return x;
}

/** numerator / denominator per row, 0 where the denominator is ~0 (a converged row takes no step). */
function divideSafely(numerator: Tensor, denominator: Tensor): Tensor {
  return where(greater(denominator, 1e-30), div(numerator, maximum(denominator, 1e-30)), 0);
}
