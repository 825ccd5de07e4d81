import { matmul, sum, mul, tensor, tidy, type Tensor } from '@dendrite/core';
import type { CompressedRows } from '../interactions.js';

/**
 * Weighted-ALS solves over the users → items CSR alone (no dense confidence block, no transposed copy):
 * what lets ALS scale to ML-20M's size. Each half-step solves (FᵀF + Fᵀ(Cₜ − I)F + λI) xₜ = FᵀCₜpₜ for
 * every target row t at once by conjugate gradient (warm-started), where the dense part FᵀF·v is one
 * core matmul and the sparse part Σ (c − 1)(f·v) f runs over the stored entries only.
 */
export interface SparseAlsProblem {
  /** Users → items entries; values are interaction strengths (confidence c = 1 + α·max(value, 0)). */
  rows: CompressedRows;
  alpha: number;
  regularization: number;
}

/**
 * One half-step in place: `target` [targetCount, k] solved given `fixed` [fixedCount, k]. `usersAreTarget`
 * says which side the CSR rows are (true: solving users from item factors).
 */
export async function sparseHalfStep(
  problem: SparseAlsProblem, usersAreTarget: boolean, target: Float32Array, fixed: Float32Array, k: number, steps: number,
): Promise<void> {
  const n = target.length / k;
  const gram = gramOf(fixed, k);
  try {
    const apply = async (v: Float32Array): Promise<Float32Array> => {
      const out = await multiply(v, n, k, gram);
      for (let index = 0; index < out.length; index++) out[index] += problem.regularization * v[index];
      addSparseTerm(problem, usersAreTarget, fixed, v, out, k);
      return out;
    };
    const b = rightHandSide(problem, usersAreTarget, fixed, n, k);
    const applied = await apply(target);
    const residual = new Float32Array(n * k);
    for (let index = 0; index < residual.length; index++) residual[index] = b[index] - applied[index];
    const direction = residual.slice();
    let residualNorm = rowDots(residual, residual, n, k);
    for (let step = 0; step < steps; step++) {
      const product = await apply(direction);
      const curvature = rowDots(direction, product, n, k);
      const nextNorm = new Float64Array(n);
      for (let row = 0; row < n; row++) {
        // A converged row (zero residual) takes a zero step instead of 0/0.
        const stepSize = curvature[row] > 1e-30 ? residualNorm[row] / curvature[row] : 0;
        let norm = 0;
        for (let j = row * k; j < (row + 1) * k; j++) {
          target[j] += stepSize * direction[j];
          residual[j] -= stepSize * product[j];
          norm += residual[j] * residual[j];
        }
        nextNorm[row] = norm;
        const beta = residualNorm[row] > 1e-30 ? norm / residualNorm[row] : 0;
        for (let j = row * k; j < (row + 1) * k; j++) direction[j] = residual[j] + beta * direction[j];
      }
      residualNorm = nextNorm;
    }
  } finally {
    gram.dispose();
  }
}

/**
 * The objective Σ_all c (p − xᵤ·yᵢ)² + λ(‖X‖² + ‖Y‖²) without visiting every cell: Σ_all (xᵤ·yᵢ)² is
 * ⟨XᵀX, YᵀY⟩, and each stored entry corrects its cell (s = xᵤ·yᵢ): c(1 − s)² − s².
 */
export async function sparseObjective(problem: SparseAlsProblem, users: Float32Array, items: Float32Array, k: number): Promise<number> {
  const dense = tidy(() => sum(mul(matmul(tensor(users, [users.length / k, k]), tensor(users, [users.length / k, k]), { transposeA: true }),
    matmul(tensor(items, [items.length / k, k]), tensor(items, [items.length / k, k]), { transposeA: true }))));
  let total = (await dense.data())[0];
  dense.dispose();
  const { offsets, columns, values } = problem.rows;
  for (let user = 0; user < offsets.length - 1; user++) {
    for (let entry = offsets[user]; entry < offsets[user + 1]; entry++) {
      const confidence = 1 + problem.alpha * Math.max(values[entry], 0);
      let score = 0;
      for (let j = 0, u = user * k, i = columns[entry] * k; j < k; j++) score += users[u + j] * items[i + j];
      total += confidence * (1 - score) * (1 - score) - score * score;
    }
  }
  let squares = 0;
  for (const value of users) squares += value * value;
  for (const value of items) squares += value * value;
  return total + problem.regularization * squares;
}

function gramOf(fixed: Float32Array, k: number): Tensor {
  return tidy(() => {
    const matrix = tensor(fixed, [fixed.length / k, k]);
    return matmul(matrix, matrix, { transposeA: true });
  });
}

async function multiply(v: Float32Array, n: number, k: number, gram: Tensor): Promise<Float32Array> {
  const product = tidy(() => matmul(tensor(v, [n, k]), gram));
  // data() hands back a fresh array the caller owns (the backend contract): no second copy.
  const values = (await product.data()) as Float32Array;
  product.dispose();
  return values;
}

/** out[t] += Σ over t's entries (c − 1)(f·v[t]) f. */
function addSparseTerm(problem: SparseAlsProblem, usersAreTarget: boolean, fixed: Float32Array, v: Float32Array, out: Float32Array, k: number): void {
  const { offsets, columns, values } = problem.rows;
  const alpha = problem.alpha;
  for (let row = 0; row < offsets.length - 1; row++) {
    for (let entry = offsets[row]; entry < offsets[row + 1]; entry++) {
      const weight = alpha * Math.max(values[entry], 0);
      if (weight === 0) continue;
      const t = (usersAreTarget ? row : columns[entry]) * k;
      const f = (usersAreTarget ? columns[entry] : row) * k;
      let dot = 0;
      for (let j = 0; j < k; j++) dot += fixed[f + j] * v[t + j];
      const scale = weight * dot;
      for (let j = 0; j < k; j++) out[t + j] += scale * fixed[f + j];
    }
  }
}

/** b[t] = Σ over t's entries c·f (p = 1 on stored entries, 0 elsewhere). */
function rightHandSide(problem: SparseAlsProblem, usersAreTarget: boolean, fixed: Float32Array, n: number, k: number): Float32Array {
  const b = new Float32Array(n * k);
  const { offsets, columns, values } = problem.rows;
  for (let row = 0; row < offsets.length - 1; row++) {
    for (let entry = offsets[row]; entry < offsets[row + 1]; entry++) {
      const confidence = 1 + problem.alpha * Math.max(values[entry], 0);
      const t = (usersAreTarget ? row : columns[entry]) * k;
      const f = (usersAreTarget ? columns[entry] : row) * k;
      for (let j = 0; j < k; j++) b[t + j] += confidence * fixed[f + j];
    }
  }
  return b;
}

function rowDots(a: Float32Array, b: Float32Array, n: number, k: number): Float64Array {
  const dots = new Float64Array(n);
  for (let row = 0; row < n; row++) {
    let dot = 0;
    for (let j = row * k; j < (row + 1) * k; j++) dot += a[j] * b[j];
    dots[row] = dot;
  }
  return dots;
}
