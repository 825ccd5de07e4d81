import type { Tensor } from '@dendrite/core';
import { adamSpecs, adamStateNames, adamStep, type AdamOptions } from './adam.js';
import type { Hyperparameters } from './hyperparameters.js';
import { Optimizer, type OptimizerParameters, type ParameterUpdate } from './optimizer.js';

/**
 * AdamW (Loshchilov & Hutter, 2019) as `torch.optim.AdamW`: the weights decay by p·(1 - lr·weightDecay)
 * before the Adam step instead of an L2 term in the gradient, so the decay is not rescaled by √v. The same
 * core `adamUpdate` (fused where a backend has it) does the Adam part. Default weight decay 0.01.
 *
 * @example
 * ```ts
 * const optimizer = new AdamW(model.parameters(), { learningRate: 3e-4, weightDecay: 0.05 });
 * ```
 */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(parameters: OptimizerParameters<AdamOptions>, options: AdamOptions = {}) {
    super({ name: 'AdamW', specs: adamSpecs(1e-2) }, parameters, options);
  }

  protected computeUpdate(parameter: Tensor, gradient: Tensor, state: Readonly<Record<string, Tensor>>, step: number, h: Hyperparameters): ParameterUpdate {
    return adamStep(parameter, gradient, state, step, h, true);
  }

  protected stateNames(h: Hyperparameters): string[] {
    return adamStateNames(h);
  }
}
