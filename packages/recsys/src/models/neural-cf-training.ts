import { add, gather, mean, mul, softplus, sub, sum, variableGrads, type Tensor } from '@dendrite/core';
import { SeededRandom, withNegatives } from '@dendrite/datasets';
import type { Adam } from '@dendrite/optimizers';
import { Trainer, type Batch, type TensorData } from '@dendrite/training';
import type { NeuralCfNetwork, NeuralCfPairs } from './neural-cf-network.js';

/** Mean log loss of logits `z` against 0/1 labels `y`: softplus(z) − y·z (stable for any z). */
export function logLoss(z: Tensor, y: Tensor): Tensor {
  return mean(sub(softplus(z), mul(y, z)));
}

/** One batch of the sampled training rows, as the Trainer takes it (arrays it turns into tensors and frees). */
export interface SampledPairsBatch {
  inputs: { users: TensorData; items: TensorData };
  targets: TensorData;
}

/**
 * The NCF training rows as a Trainer data source: every walk (one per epoch) draws `negatives` unseen
 * items per observed interaction afresh (seed·1000 + epoch, as NeuralCf has always drawn them), shuffles
 * all rows by one generator kept across epochs, and yields batches of `batchSize`.
 *
 * @example
 * ```ts
 * const source = new SampledPairs(matrix.toColumns(), { itemCount: matrix.itemCount, negatives: 4, batchSize: 256, seed: 1 });
 * await trainer.fit(source, { epochs: 20 });
 * ```
 */
export class SampledPairs implements Iterable<SampledPairsBatch> {
  /** Batches in one epoch. */
  readonly stepsPerEpoch: number;
  private epoch = 0;
  private readonly shuffler: SeededRandom;

  constructor(
    private readonly positives: { users: Int32Array; items: Int32Array },
    private readonly options: { itemCount: number; negatives: number; batchSize: number; seed: number },
  ) {
    this.stepsPerEpoch = Math.ceil((positives.users.length * (1 + options.negatives)) / options.batchSize);
    this.shuffler = new SeededRandom(options.seed + 7919);
  }

  *[Symbol.iterator](): Iterator<SampledPairsBatch> {
    const { itemCount, negatives, batchSize, seed } = this.options;
    this.epoch++;
    const rows = withNegatives(this.positives, { itemCount, count: negatives, seed: seed * 1000 + this.epoch });
    const order = this.shuffler.permutation(rows.users.length);
    for (let start = 0; start < order.length; start += batchSize) {
      const picks = order.subarray(start, start + batchSize);
      const shape = [picks.length];
      yield {
        inputs: {
          users: { data: Int32Array.from(picks, (row) => rows.users[row]), shape },
          items: { data: Int32Array.from(picks, (row) => rows.items[row]), shape },
        },
        targets: { data: Float32Array.from(picks, (row) => rows.labels[row]), shape },
      };
    }
  }
}

/**
 * `@dendrite/training`'s Trainer for NCF: the step's loss is the log loss plus, when `regularization`
 * > 0, λ/N times the squared norms of the batch's user and item embedding rows (each pair's rows once
 * per pair, as in the paper's per-batch L2).
 */
export class NeuralCfTrainer extends Trainer<NeuralCfPairs, Tensor, Tensor> {
  constructor(private readonly network: NeuralCfNetwork, optimizer: Adam, private readonly regularization: number) {
    super(network, { optimizer, loss: logLoss });
  }

  override async trainStep(batch: Batch<NeuralCfPairs, Tensor>): Promise<Tensor> {
    const { value, grads } = variableGrads(() => {
      let loss = this.loss(this.network.apply(batch.inputs), batch.targets);
      if (this.regularization > 0) {
        const { users, items } = batch.inputs;
        for (const name of ['gmf', 'mlp']) {
          const userTable = this.network.weightOrNull(`${name}.user`);
          if (!userTable) continue;
          const userRows = gather(userTable, users, 0);
          const itemRows = gather(this.network.weight(`${name}.item`), items, 0);
          const squares = add(sum(mul(userRows, userRows)), sum(mul(itemRows, itemRows)));
          loss = add(loss, mul(squares, this.regularization / users.shape[0]));
        }
      }
      return loss;
    }, this.trainableParameters());
    await this.applyGradients(grads, value);
    return value;
  }
}
