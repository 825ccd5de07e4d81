import { DendriteError } from '@dendrite/core';

/** Models in a `fit` right now: a second concurrent fit on one of them is refused. */
const modelsInFit = new WeakSet<object>();

/**
 * What a fit holds while it runs: the model's "in fit" mark and, in Node, a one-shot SIGINT handler
 * (so Ctrl-C stops after the current step instead of killing the process mid-write). `release` undoes both.
 */
export function guardFit(model: object, options: { handleInterrupt: boolean; onInterrupt: () => void }): { release(): void } {
  if (modelsInFit.has(model)) throw new DendriteError('fit: this model is already being trained by another fit; await it first');
  modelsInFit.add(model);
  const listen = options.handleInterrupt && typeof process !== 'undefined' && typeof process.once === 'function';
  const onInterrupt = () => options.onInterrupt();
  if (listen) process.once('SIGINT', onInterrupt);
  return {
    release() {
      if (listen) process.off('SIGINT', onInterrupt);
      modelsInFit.delete(model);
    },
  };
}
