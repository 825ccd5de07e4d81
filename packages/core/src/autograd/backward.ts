import { engine, needsGrad } from '../engine.js';
import { check } from '../errors.js';
import { formatShape, shapesEqual } from '../shape.js';
import { upcomingTensorId, type GradGroup, type GradNode, type Tensor } from '../tensor.js';
import { add } from '../ops/add.js';
import { onesLike } from '../ops/creation.js';
import { checkTensor } from '../ops/check-arguments.js';

/** Tensors reachable from `root` through recorded ops, inputs before the tensors made from them. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative DFS: deep networks (long RNN unrolls) would overflow the call stack.
  const stack: Array<{ tensor: Tensor; expanded: boolean }> = [{ tensor: root, expanded: false }];
  while (stack.length) {
    const frame = stack.pop()!;
    if (frame.expanded) {
      order.push(frame.tensor);
      continue;
    }
    if (visited.has(frame.tensor)) continue;
    visited.add(frame.tensor);
    check(!frame.tensor.graphReleased, 'backward', () =>
      `tensor #${frame.tensor.id} ${formatShape(frame.tensor.shape)} was made by a graph an earlier backward() released; ` +
      'pass { retainGraph: true } to that call, or recompute it');
    stack.push({ tensor: frame.tensor, expanded: true });
    for (const input of frame.tensor.gradNode?.inputs ?? []) {
      if (!visited.has(input) && needsGrad(input)) stack.push({ tensor: input, expanded: false });
    }
  }
  return order;
}

/**
 * Reverse-mode sweep from `root`: the gradient of root (seeded with `seed`, default ones) with
 * respect to every tensor in `targets`. Targets no path reaches get null. Runs without recording,
 * and frees each intermediate gradient (and each rule's temporaries) as soon as the sweep is done with it.
 */
export function gradients(root: Tensor, targets: readonly Tensor[], seed?: Tensor): Array<Tensor | null> {
  checkRoot(root, seed);
  return sweep(root, topologicalOrder(root), targets, seed);
}

function checkRoot(root: Tensor, seed: Tensor | undefined): void {
  checkTensor('backward', 'root', root);
  root.assertAlive('backward');
  check(!root.graphReleased, 'backward', () =>
    'the graph of this tensor was already released by an earlier backward(); pass { retainGraph: true } to that call to run backward through it again');
  check(needsGrad(root), 'backward', () => 'the tensor does not depend on anything that requires grad (create inputs with variable() or use grad())');
  if (seed !== undefined) {
    checkTensor('backward', 'seed', seed);
    check(shapesEqual(seed.shape, root.shape), 'backward', () => `seed gradient ${formatShape(seed.shape)} does not match ${formatShape(root.shape)}`);
  } else {
    // As PyTorch: an implicit seed of ones is only meaningful for a scalar; anything else is a
    // vector-Jacobian product whose vector the caller must choose.
    check(root.size === 1, 'backward', () =>
      `the tensor has shape ${formatShape(root.shape)}; backward without a seed gradient needs a one-element tensor (reduce it, e.g. with sum() or mean(), or pass the seed)`);
  }
}

/** The reverse sweep of {@link gradients} over `order` (topologicalOrder(root), computed by the caller). */
function sweep(root: Tensor, order: readonly Tensor[], targets: readonly Tensor[], seed: Tensor | undefined): Array<Tensor | null> {
  const targetSet = new Set(targets);
  engine.replaying++;
  try {
    return sweepRules(root, order, targets, targetSet, seed);
  } finally {
    engine.replaying--;
  }
}

function sweepRules(
  root: Tensor, order: readonly Tensor[], targets: readonly Tensor[], targetSet: ReadonlySet<Tensor>, seed: Tensor | undefined,
): Array<Tensor | null> {
  return engine.tidy(() => engine.noGrad(() => {
    const grads = new GradientStore(upcomingTensorId());
    grads.set(root, seed ?? onesLike(root));
    const groupsLeft = countGroupOutputs(order);
    const accumulate = (node: GradNode, inputGrads: ReadonlyArray<Tensor | null>): void => {
      node.inputs.forEach((input, k) => {
        const g = inputGrads[k];
        if (!g || !needsGrad(input)) return;
        check(shapesEqual(g.shape, input.shape), 'backward', () =>
          `gradient of ${node.op} has shape ${formatShape(g.shape)} for an input of shape ${formatShape(input.shape)}`);
        const previous = grads.get(input);
        grads.set(input, previous ? add(previous, g) : g);
      });
      // What the rule returned and no entry took (summed into an earlier gradient, or for an input
      // that needs none) is garbage now.
      for (const g of inputGrads) if (g) grads.releaseIfUnheld(g);
    };
    // Each rule runs in its own tidy: its temporaries are freed as soon as it returns.
    const runRule = (rule: () => ReadonlyArray<Tensor | null>): ReadonlyArray<Tensor | null> => engine.tidy(rule);
    for (let i = order.length - 1; i >= 0; i--) {
      const tensor = order[i];
      const node = tensor.gradNode;
      if (!node) {
        // A leaf: every consumer came after it in `order`, so its gradient is complete and, unless
        // asked for, no longer needed.
        if (!targetSet.has(tensor)) grads.delete(tensor);
        continue;
      }
      const group = node.group;
      if (group) {
        // Every consumer of every output comes after that output in `order`, so once the sweep has
        // reached all of the group's outputs that are in it, their gradients are complete.
        const left = groupsLeft.get(group)! - 1;
        groupsLeft.set(group, left);
        if (left > 0) continue;
        const dys = group.outputs.map((output) => grads.get(output) ?? null);
        if (dys.some((dy) => dy !== null)) {
          for (const input of node.inputs) input.assertAlive(`backward through ${node.op}`);
          accumulate(node, runRule(() => group.backward(dys, node.inputs.map(needsGrad))));
        }
        for (const output of group.outputs) if (!targetSet.has(output)) grads.delete(output);
        continue;
      }
      const dy = grads.get(tensor);
      if (!dy) continue;
      for (const input of node.inputs) input.assertAlive(`backward through ${node.op}`);
      accumulate(node, runRule(() => node.backward(dy, node.inputs.map(needsGrad))));
      if (!targetSet.has(tensor)) grads.delete(tensor);
    }
    return targets.map((target) => grads.get(target) ?? null);
  }));
}

/**
 * The gradients the sweep holds, by tensor. One gradient tensor may fill several entries (identity
 * rules such as reshape and add hand `dy` on; a rule may return one tensor for two inputs), so each
 * is counted by the entries holding it, and one the sweep made is disposed when the last entry lets
 * go: backward keeps the gradients of the frontier alive, not every gradient of the graph. Tensors
 * made before the sweep (the caller's seed, a forward tensor a rule passed through) are never disposed.
 */
class GradientStore {
  private readonly byTensor = new Map<Tensor, Tensor>();
  private readonly holders = new Map<Tensor, number>();

  /** `firstOwnId`: the id of the first tensor the sweep makes; smaller ids are the caller's. */
  constructor(private readonly firstOwnId: number) {}

  get(tensor: Tensor): Tensor | undefined {
    return this.byTensor.get(tensor);
  }

  set(tensor: Tensor, gradient: Tensor): void {
    const previous = this.byTensor.get(tensor);
    this.byTensor.set(tensor, gradient);
    this.holders.set(gradient, (this.holders.get(gradient) ?? 0) + 1);
    if (previous) this.letGo(previous);
  }

  delete(tensor: Tensor): void {
    const gradient = this.byTensor.get(tensor);
    if (!gradient) return;
    this.byTensor.delete(tensor);
    this.letGo(gradient);
  }

  /** Dispose `gradient` if no entry holds it and the sweep made it. */
  releaseIfUnheld(gradient: Tensor): void {
    if (!this.holders.has(gradient) && gradient.id >= this.firstOwnId) gradient.dispose();
  }

  private letGo(gradient: Tensor): void {
    const count = this.holders.get(gradient)! - 1;
    if (count > 0) {
      this.holders.set(gradient, count);
      return;
    }
    this.holders.delete(gradient);
    this.releaseIfUnheld(gradient);
  }
}

/** How many outputs of each multi-output rule the sweep will meet. */
function countGroupOutputs(order: readonly Tensor[]): Map<GradGroup, number> {
  const counts = new Map<GradGroup, number>();
  for (const tensor of order) {
    const group = tensor.gradNode?.group;
    if (group) counts.set(group, (counts.get(group) ?? 0) + 1);
  }
  return counts;
}

/** Options of {@link backward}. */
export interface BackwardOptions {
  /**
   * Keep the graph after the sweep so backward can run through it again (PyTorch's retain_graph).
   * By default it is released: the tensors it saved (ones disposed by tidy or by you) are freed.
   */
  retainGraph?: boolean;
}

/**
 * Forget the gradient rules of every tensor the sweep went through, so what they saved is freed.
 * The tensors stay usable as values; running backward through them again is an error (as in
 * PyTorch), never a silent zero gradient.
 */
function releaseGraph(order: readonly Tensor[]): void {
  for (const tensor of order) {
    if (!tensor.gradNode) continue;
    tensor.graphReleased = true;
    engine.releaseGraph(tensor);
  }
}

/**
 * PyTorch-style backward: accumulate d(root)/d(leaf) into `.grad` of every leaf that requires grad
 * (variables). Zero the gradients between steps (optimizers do). `root` must have one element
 * unless a `seed` gradient of its shape is given. Afterwards the graph is released (its saved
 * tensors freed) unless `{ retainGraph: true }`; that is what lets `backward(tidy(() => loss))` work
 * and still return memory() to where it was.
 *
 * @example
 * ```ts
 * const w = variable(randomNormal([3, 1]));
 * const loss = mean(square(sub(matmul(x, w), y)));
 * backward(loss);
 * console.log(await w.grad!.data());
 * ```
 */
export function backward(root: Tensor, seed?: Tensor, options: BackwardOptions = {}): void {
  checkRoot(root, seed);
  const order = topologicalOrder(root);
  const leaves = order.filter((t) => t.requiresGrad && !t.gradNode);
  let grads: Array<Tensor | null>;
  try {
    grads = sweep(root, order, leaves, seed);
  } finally {
    if (!options.retainGraph) releaseGraph(order);
  }
  leaves.forEach((leaf, i) => {
    const g = grads[i];
    if (!g) return;
    const previous = leaf.grad;
    if (!previous) {
      leaf.grad = engine.keep(g);
      return;
    }
    leaf.grad = engine.keep(engine.noGrad(() => add(previous, g)));
    previous.dispose();
    g.dispose();
  });
}
