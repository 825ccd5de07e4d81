import type { AdamHyperparameters } from '../backend/backend.js';
import { engine } from '../engine.js';
import { check } from '../errors.js';
import { formatShape, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { adamUpdate } from './adam-update.js';
import { add } from './add.js';
import { gather } from './gather.js';
import { scatterAdd } from './scatter-add.js';
import { sub } from './sub.js';
import { checkTensor } from './check-arguments.js';
import { composite } from './util.js';

/**
 * One Adam step on some rows of a parameter (a "lazy" or row-sparse Adam, as PyTorch's SparseAdam and
 * TensorFlow Addons' LazyAdam): the rows `rows` (distinct int32 indices along axis 0) get
 * {@link adamUpdate} with `rowGradients` [rows.length, ...]; every other row of the parameter and of
 * both moments is left as it is (dense Adam would decay their moments and keep moving them). For an
 * embedding table this costs the looked-up rows, not the whole table. Returns new tensors for the
 * parameter and both moments; records no gradient (it is an update, not part of a model).
 *
 * The composed form (gather the rows, `adamUpdate` them, add the change back with `scatterAdd`) is the
 * definition; backends with an `adamUpdateRows` kernel copy the three tensors and update the rows in place
 * (checked against the composed form).
 *
 * @example
 * ```ts
 * const next = adamUpdateRows(table, rowGradients, tensor([4, 17], [2], 'int32'), m, v, { stepSize: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
 * table.assign(next.param);
 * ```
 */
export function adamUpdateRows(
  param: Tensor, rowGradients: Tensor, rows: Tensor, firstMoment: Tensor, secondMoment: Tensor, hyper: AdamHyperparameters,
): { param: Tensor; firstMoment: Tensor; secondMoment: Tensor } {
  checkArguments(param, rowGradients, rows, firstMoment, secondMoment);
  return engine.noGrad(() => {
    if (engine.backend.adamUpdateRows) {
      const outputs = [param, firstMoment, secondMoment].map(() => ({ shape: param.shape, dtype: 'float32' as const }));
      const [p, m, v] = engine.runMultiOp({
        name: 'adamUpdateRows', inputs: [param, rowGradients, rows, firstMoment, secondMoment], outputs,
        kernel: (backend, [pInfo, gInfo, rowInfo, mInfo, vInfo]) => backend.adamUpdateRows!(pInfo, gInfo, rowInfo, mInfo, vInfo, hyper),
      });
      return { param: p, firstMoment: m, secondMoment: v };
    }
    return composite('adamUpdateRows', () => {
      const old = [param, firstMoment, secondMoment].map((t) => gather(t, rows, 0));
      const next = adamUpdate(old[0], rowGradients, old[1], old[2], hyper);
      const put = (whole: Tensor, before: Tensor, after: Tensor) => add(whole, scatterAdd(sub(after, before), rows, whole.shape, 0));
      return { param: put(param, old[0], next.param), firstMoment: put(firstMoment, old[1], next.firstMoment), secondMoment: put(secondMoment, old[2], next.secondMoment) };
    });
  });
}

/**
 * {@link adamUpdateRows} assigned back: `param`, `firstMoment` and `secondMoment` (variables or kept
 * tensors) take the stepped values, as `t.assign(next)` would. When each of them holds its buffer alone
 * (no view shares it, no gradient rule saved it) and the backend has an in-place kernel, the listed rows
 * are written in place, so a step costs the rows, not the table; otherwise it is adamUpdateRows + assign.
 *
 * @example
 * ```ts
 * assignAdamRows(table, rowGradients, rows, m, v, hyper); // table, m and v now hold the stepped values
 * ```
 */
export function assignAdamRows(
  param: Tensor, rowGradients: Tensor, rows: Tensor, firstMoment: Tensor, secondMoment: Tensor, hyper: AdamHyperparameters,
): void {
  checkArguments(param, rowGradients, rows, firstMoment, secondMoment);
  const targets = [param, firstMoment, secondMoment];
  check(new Set(targets).size === 3, 'assignAdamRows', () => 'param, firstMoment and secondMoment must be three different tensors');
  if (engine.backend.adamUpdateRowsInPlace && targets.every((t) => engine.holdsBufferAlone(t))) {
    const infos = [param, rowGradients, rows, firstMoment, secondMoment].map((t) => engine.info('assignAdamRows', t));
    engine.backend.adamUpdateRowsInPlace(infos[0], infos[1], infos[2], infos[3], infos[4], hyper);
    return;
  }
  const next = adamUpdateRows(param, rowGradients, rows, firstMoment, secondMoment, hyper);
  param.assign(next.param);
  firstMoment.assign(next.firstMoment);
  secondMoment.assign(next.secondMoment);
  next.param.dispose();
  next.firstMoment.dispose();
  next.secondMoment.dispose();
}

/** Shapes, dtypes and (on host backends) the rows of an adamUpdateRows call. */
function checkArguments(param: Tensor, rowGradients: Tensor, rows: Tensor, firstMoment: Tensor, secondMoment: Tensor): void {
  checkTensor('adamUpdateRows', 'param', param);
  checkTensor('adamUpdateRows', 'rowGradients', rowGradients);
  checkTensor('adamUpdateRows', 'rows', rows);
  checkTensor('adamUpdateRows', 'firstMoment', firstMoment);
  checkTensor('adamUpdateRows', 'secondMoment', secondMoment);
  check(param.dtype === 'float32' && param.rank >= 1, 'adamUpdateRows', () => `param must be a float32 tensor of rank >= 1, got ${param.dtype} ${formatShape(param.shape)}`);
  for (const [label, t] of [['first moment', firstMoment], ['second moment', secondMoment]] as Array<[string, Tensor]>) {
    check(shapesEqual(t.shape, param.shape) && t.dtype === 'float32', 'adamUpdateRows', () =>
      `${label} ${t.dtype} ${formatShape(t.shape)} does not match the parameter's float32 ${formatShape(param.shape)}`);
  }
  check(rows.dtype === 'int32' && rows.rank === 1, 'adamUpdateRows', () => `rows must be a rank-1 int32 tensor, got ${rows.dtype} ${formatShape(rows.shape)}`);
  const rowShape = [rows.shape[0], ...param.shape.slice(1)];
  check(rowGradients.dtype === 'float32' && shapesEqual(rowGradients.shape, rowShape), 'adamUpdateRows', () =>
    `rowGradients ${rowGradients.dtype} ${formatShape(rowGradients.shape)} must be float32 ${formatShape(rowShape)} (one row per index)`);
  // Host backends: indices are checked here (a GPU backend is not read; it would stall).
  if (rows.backend.readSync) {
    const picks = rows.dataSync();
    // A set of the rows, not a mark per table row: the check costs the rows, as the update does.
    const seen = new Set<number>();
    for (let position = 0; position < picks.length; position++) {
      const row = picks[position];
      check(row >= 0 && row < param.shape[0], 'adamUpdateRows', () => `row ${row} at position ${position} is outside [0, ${param.shape[0]})`);
      check(!seen.has(row), 'adamUpdateRows', () => `row ${row} appears twice (rows must be distinct; sum their gradients first)`);
      seen.add(row);
    }
  }
}
