import { engine, needsGrad } from '../engine.js';
import { check } from '../errors.js';
import { formatShape, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { add } from '../ops/add.js';
import { onesLike } from '../ops/creation.js';

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
 * and frees every intermediate gradient.
 */
export function gradients(root: Tensor, targets: readonly Tensor[], seed?: Tensor): Array<Tensor | null> {
  checkRoot(root, seed);
  return sweep(root, topologicalOrder(root), targets, seed);
}

function checkRoot(root: Tensor, seed: Tensor | undefined): void {
  root.assertAlive('backward');
  check(needsGrad(root), 'backward', () => 'the tensor does not depend on anything that requires grad (create inputs with variable() or use grad())');
  if (seed) {
    check(shapesEqual(seed.shape, root.shape), 'backward', () => `seed gradient ${formatShape(seed.shape)} does not match ${formatShape(root.shape)}`);
  }
}

/** The reverse sweep of {@link gradients} over `order` (topologicalOrder(root), computed by the caller). */
function sweep(root: Tensor, order: readonly Tensor[], targets: readonly Tensor[], seed: Tensor | undefined): Array<Tensor | null> {
  const targetSet = new Set(targets);
  return engine.tidy(() => engine.noGrad(() => {
    const grads = new Map<Tensor, Tensor>();
    grads.set(root, seed ?? onesLike(root));
    for (let i = order.length - 1; i >= 0; i--) {
      const tensor = order[i];
      const node = tensor.gradNode;
      const dy = grads.get(tensor);
      if (!node || !dy) continue;
      for (const input of node.inputs) input.assertAlive(`backward through ${node.op}`);
      const inputGrads = node.backward(dy, node.inputs.map(needsGrad));
      node.inputs.forEach((input, k) => {
        const g = inputGrads[k];
        if (!g || !needsGrad(input)) return;
        check(shapesEqual(g.shape, input.shape), 'backward', () =>
          `gradient of ${node.op} has shape ${formatShape(g.shape)} for an input of shape ${formatShape(input.shape)}`);
        const previous = grads.get(input);
        grads.set(input, previous ? add(previous, g) : g);
      });
      if (!targetSet.has(tensor)) grads.delete(tensor);
    }
    return targets.map((target) => grads.get(target) ?? null);
  }));
}

/**
 * PyTorch-style backward: accumulate d(root)/d(leaf) into `.grad` of every leaf that requires grad
 * (variables). Zero the gradients between steps (optimizers do).
 *
 * @example
 * ```ts
 * const w = variable(randomNormal([3, 1]));
 * const loss = mean(square(sub(matmul(x, w), y)));
 * backward(loss);
 * console.log(await w.grad!.data());
 * ```
 */
export function backward(root: Tensor, seed?: Tensor): void {
  checkRoot(root, seed);
  const order = topologicalOrder(root);
  const leaves = order.filter((t) => t.requiresGrad && !t.gradNode);
  const grads = sweep(root, order, leaves, seed);
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
