import { broadcastTo, tensor, type DecodedHostTensor, type HostTensor, type Tensor } from '@dendrite/core';
import type { InteractionExtension } from '../incremental.js';
import type { InteractionMatrix } from '../interactions.js';
import { Recommender, type FitOptions, type History } from '../recommender.js';

/**
 * The popularity baseline: every user gets the items most users interacted with (ItemPop in the NCF
 * paper). The floor every personalised model must clear, and the fallback for users with no history.
 *
 * @example
 * ```ts
 * const pop = new ItemPop();
 * await pop.fit(matrix);
 * await pop.recommend(196, { count: 10 });
 * ```
 */
export class ItemPop extends Recommender {
  readonly name = 'pop';

  async fit(data: InteractionMatrix, options: FitOptions = {}): Promise<History> {
    const started = performance.now();
    this.setData(data);
    const log = { epoch: 1, loss: 0, seconds: (performance.now() - started) / 1000 };
    await options.onEpoch?.(log);
    return { epochs: [log] };
  }

  /** update(): the popularity counts are recomputed from the merged interactions. */
  protected override async applyUpdate(extension: InteractionExtension): Promise<void> {
    this.setData(extension.matrix);
  }

  protected scoreUsers(users: Int32Array): Tensor {
    const data = this.requireData('recommend');
    return broadcastTo(tensor(this.itemPopularity(), [1, data.itemCount]), [users.length, data.itemCount]);
  }

  protected hyperparameters(): Record<string, unknown> {
    return {};
  }

  protected async weightTensors(): Promise<Record<string, HostTensor>> {
    return {};
  }

  protected restoreWeights(_weights: Record<string, DecodedHostTensor>): void {}

  dispose(): void {}
}
