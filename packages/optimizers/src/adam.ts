import { adamUpdate, add, mul, zerosLike, type Tensor } from '@dendrite/core';
import type { Hyperparameters, HyperparameterSpecs } from './hyperparameters.js';
import { Optimizer, type OptimizerParameters, type ParameterUpdate } from './optimizer.js';

/** Hyperparameters of {@link Adam} (and AdamW); each also settable per parameter group. */
export interface AdamOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  /** Added to the bias-corrected √v, as PyTorch (Keras' default is 1e-7). */
  epsilon?: number;
  /** For Adam: L2 penalty added to the gradient; for AdamW: decoupled decay of the weights. */
  weightDecay?: number;
  /** AMSGrad: divide by the largest second moment seen so far. */
  amsgrad?: boolean;
}

/** Adam's and AdamW's hyper-parameters; only weight decay's default and meaning differ. */
export function adamSpecs(weightDecay: number): HyperparameterSpecs {
  return {
    learningRate: { kind: 'nonNegative', default: 1e-3 },
    beta1: { kind: 'beta', default: 0.9 },
    beta2: { kind: 'beta', default: 0.999 },
    epsilon: { kind: 'positive', default: 1e-8 },
    weightDecay: { kind: 'nonNegative', default: weightDecay },
    amsgrad: { kind: 'boolean', default: false },
  };
}

/**
 * One Adam or AdamW step of one parameter through core's `adamUpdate` (the single definition of the rule,
 * fused on backends that have the kernel). Bias correction uses this parameter's own step count, and ε is
 * added after it as PyTorch does: lr/(1-β1ᵗ)·m/(√v/√(1-β2ᵗ) + ε) = stepSize·m/(√v + ε·√(1-β2ᵗ)).
 * AdamW's decoupled decay p·(1 - lr·λ) happens first, exactly as `torch.optim.AdamW`.
 */
export function adamStep(
  parameter: Tensor, gradient: Tensor, state: Readonly<Record<string, Tensor>>, step: number, h: Hyperparameters, decoupledWeightDecay: boolean,
): ParameterUpdate {
  const { learningRate, beta1, beta2, epsilon, weightDecay } = h as Record<string, number>;
  let start = parameter;
  let direction = gradient;
  if (weightDecay && decoupledWeightDecay) start = mul(parameter, 1 - learningRate * weightDecay);
  else if (weightDecay) direction = add(gradient, mul(parameter, weightDecay));
  const correction2 = Math.sqrt(1 - beta2 ** step);
  const hyper = { stepSize: (learningRate * correction2) / (1 - beta1 ** step), beta1, beta2, epsilon: epsilon * correction2 };
  const next = adamUpdate(
    start, direction, state.exp_avg ?? zerosLike(parameter), state.exp_avg_sq ?? zerosLike(parameter), hyper,
    h.amsgrad ? (state.max_exp_avg_sq ?? zerosLike(parameter)) : undefined,
  );
  const tensors: Record<string, Tensor> = { exp_avg: next.firstMoment, exp_avg_sq: next.secondMoment };
  if (next.maxSecondMoment) tensors.max_exp_avg_sq = next.maxSecondMoment;
  return { parameter: next.param, state: tensors };
}

export function adamStateNames(h: Hyperparameters): string[] {
  return h.amsgrad ? ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['exp_avg', 'exp_avg_sq'];
}

/**
 * Adam (Kingma & Ba, 2015) as `torch.optim.Adam`: per-parameter bias correction, ε after it, optional L2
 * weight decay on the gradient and AMSGrad. Defaults as PyTorch's.
 *
 * @example
 * ```ts
 * const optimizer = new Adam(parameters, { learningRate: 1e-3 });
 * const { grads } = variableGrads(() => loss(), parameters);
 * optimizer.step(grads);
 * ```
 */
export class Adam extends Optimizer<AdamOptions> {
  constructor(parameters: OptimizerParameters<AdamOptions>, options: AdamOptions = {}) {
    super({ name: 'Adam', specs: adamSpecs(0) }, parameters, options);
  }

  protected computeUpdate(parameter: Tensor, gradient: Tensor, state: Readonly<Record<string, Tensor>>, step: number, h: Hyperparameters): ParameterUpdate {
    return adamStep(parameter, gradient, state, step, h, false);
  }

  protected stateNames(h: Hyperparameters): string[] {
    return adamStateNames(h);
  }
}
