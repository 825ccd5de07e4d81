import type { FusedActivation } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { mul } from './mul.js';
import { reluGrad } from './relu-grad.js';
import { sub } from './sub.js';

/**
 * dy times the activation's derivative, written with the activation's output (so the fused `linear`
 * kernel needs nothing else saved). The one place these derivatives live: relu, sigmoid, tanh and
 * linear all use it.
 */
export function activationGrad(dy: Tensor, output: Tensor, activation: FusedActivation): Tensor {
  switch (activation) {
    case 'relu': return reluGrad(dy, output);
    case 'sigmoid': return mul(dy, mul(output, sub(1, output)));
    case 'tanh': return mul(dy, sub(1, mul(output, output)));
    default: return dy;
  }
}
