import { describe, expect, it } from 'vitest';
import { DendriteError } from '@dendrite/core';
import { loadRecommender } from '../registry.js';
import { twoGroups } from '../test-support.js';
import { NeuralCf } from './neural-cf.js';

describe('NeuralCf optimizer option', () => {
  it('trains with plain SGD (the paper\'s fine-tuning optimizer), which a saved config keeps', async () => {
    const model = new NeuralCf({ architecture: 'gmf', factors: 4, optimizer: 'sgd', learningRate: 1, batchSize: 8 });
    const history = await model.fit(twoGroups(), { epochs: 25, seed: 1 });
    expect(history.epochs[24].loss).toBeLessThan(history.epochs[0].loss * 0.5);
    const saved = await model.save();
    expect(saved.config.optimizer).toBe('sgd');
    const loaded = loadRecommender(saved) as NeuralCf;
    expect(loaded.optimizer).toBe('sgd');
    loaded.dispose();
    model.dispose();
  });

  it('refuses an unknown optimizer by name', () => {
    expect(() => new NeuralCf({ optimizer: 'rmsprop' as 'sgd' })).toThrow(DendriteError);
    expect(() => new NeuralCf({ optimizer: 'rmsprop' as 'sgd' })).toThrow(/optimizer must be 'adam' or 'sgd', got "rmsprop"/);
  });

  it('refuses lazy embedding updates with SGD (the lazy rows are stepped by Adam)', () => {
    expect(() => new NeuralCf({ optimizer: 'sgd', embeddingUpdates: 'lazy' })).toThrow(/embeddingUpdates 'lazy' .* cannot be combined with optimizer 'sgd'/);
  });
});
