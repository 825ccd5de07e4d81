import type { AdamHyperparameters } from '../backend/backend.js';
import { engine } from '../engine.js';
import { check } from '../errors.js';
import { formatShape, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { add } from './add.js';
import { div } from './div.js';
import { maximum } from './maximum.js';
import { mul } from './mul.js';
import { sqrt } from './sqrt.js';
import { square } from './square.js';
import { sub } from './sub.js';
import { checkTensor } from './check-arguments.js';
import { composite } from './util.js';

/**
 * One Adam step for a parameter: new values for the parameter and both moments. This composed form is the
 * definition of the rule; backends with an `adamUpdate` kernel run the same arithmetic in one fused pass
 * (checked against this form). Records no gradient (it is an update, not part of a model).
 *
 * m' = β1·m + (1 - β1)·g, v' = β2·v + (1 - β2)·g², p' = p - stepSize·m' / (√v' + ε). Bias correction is
 * the caller's: PyTorch's p - (lr / (1 - β1ᵗ))·m' / (√v' / √(1 - β2ᵗ) + ε) is exactly this with
 * stepSize = lr·√(1 - β2ᵗ) / (1 - β1ᵗ) and ε scaled by √(1 - β2ᵗ).
 *
 * With `maxSecondMoment` (AMSGrad) the denominator uses max(maxSecondMoment, v'), returned as the new
 * `maxSecondMoment`; no backend fuses that variant, so it always runs composed.
 *
 * @example
 * ```ts
 * const next = adamUpdate(w, dw, m, v, { stepSize: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
 * w.assign(next.param);
 * ```
 */
export function adamUpdate(
  param: Tensor, gradient: Tensor, firstMoment: Tensor, secondMoment: Tensor, hyper: AdamHyperparameters, maxSecondMoment?: Tensor,
): { param: Tensor; firstMoment: Tensor; secondMoment: Tensor; maxSecondMoment?: Tensor } {
  checkTensor('adamUpdate', 'param', param);
  checkTensor('adamUpdate', 'gradient', gradient);
  checkTensor('adamUpdate', 'firstMoment', firstMoment);
  checkTensor('adamUpdate', 'secondMoment', secondMoment);
  if (maxSecondMoment !== undefined) checkTensor('adamUpdate', 'maxSecondMoment', maxSecondMoment);
  const moments = [['gradient', gradient], ['first moment', firstMoment], ['second moment', secondMoment]] as Array<[string, Tensor]>;
  if (maxSecondMoment) moments.push(['max second moment', maxSecondMoment]);
  for (const [label, t] of moments) {
    check(shapesEqual(t.shape, param.shape) && t.dtype === 'float32', 'adamUpdate', () =>
      `${label} ${t.dtype} ${formatShape(t.shape)} does not match the parameter's float32 ${formatShape(param.shape)}`);
  }
  return engine.noGrad(() => {
    if (engine.backend.adamUpdate && !maxSecondMoment) {
      const outputs = [param, firstMoment, secondMoment].map(() => ({ shape: param.shape, dtype: 'float32' as const }));
      const [p, m, v] = engine.runMultiOp({
        name: 'adamUpdate', inputs: [param, gradient, firstMoment, secondMoment], outputs,
        kernel: (backend, [pInfo, gInfo, mInfo, vInfo]) => backend.adamUpdate!(pInfo, gInfo, mInfo, vInfo, hyper),
      });
      return { param: p, firstMoment: m, secondMoment: v };
    }
    return composite('adamUpdate', () => {
      const m = add(mul(firstMoment, hyper.beta1), mul(gradient, 1 - hyper.beta1));
      const v = add(mul(secondMoment, hyper.beta2), mul(square(gradient), 1 - hyper.beta2));
      const denominatorMoment = maxSecondMoment ? maximum(maxSecondMoment, v) : v;
      const p = sub(param, mul(div(m, add(sqrt(denominatorMoment), hyper.epsilon)), hyper.stepSize));
      return maxSecondMoment ? { param: p, firstMoment: m, secondMoment: v, maxSecondMoment: denominatorMoment } : { param: p, firstMoment: m, secondMoment: v };
    });
  });
}
