import { DendriteError } from '@dendrite/core';

/**
 * Solve A x = b for a symmetric positive-definite A (row-major, n × n) by Cholesky factorisation, in
 * float64: the small per-user systems of fold-in (n = factors).
 */
export function solveSymmetric(matrix: Float64Array, right: Float64Array, n: number): Float64Array {
  const lower = new Float64Array(n * n);
  for (let row = 0; row < n; row++) {
    for (let column = 0; column <= row; column++) {
      let sum = matrix[row * n + column];
      for (let k = 0; k < column; k++) sum -= lower[row * n + k] * lower[column * n + k];
      if (row === column) {
        if (!(sum > 0)) throw new DendriteError(`solveSymmetric: the ${n}×${n} system is not positive definite (pivot ${sum} at ${row}); raise the regularisation`);
        lower[row * n + row] = Math.sqrt(sum);
      } else {
        lower[row * n + column] = sum / lower[column * n + column];
      }
    }
  }
  const forward = new Float64Array(n);
  for (let row = 0; row < n; row++) {
    let sum = right[row];
    for (let k = 0; k < row; k++) sum -= lower[row * n + k] * forward[k];
    forward[row] = sum / lower[row * n + row];
  }
  const solution = new Float64Array(n);
  for (let row = n - 1; row >= 0; row--) {
    let sum = forward[row];
    for (let k = row + 1; k < n; k++) sum -= lower[k * n + row] * solution[k];
    solution[row] = sum / lower[row * n + row];
  }
  return solution;
}
