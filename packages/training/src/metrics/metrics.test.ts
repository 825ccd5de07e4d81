import { tensor } from '@dendrite/core';
import { describe, expect, it } from 'vitest';
import { Accuracy, AUC, F1Score, MeanAbsoluteError, Precision, Recall, RootMeanSquaredError, TopKAccuracy } from './index.js';

// Expected values are worked out by hand in the comments (and agree with scikit-learn's definitions).
describe('metrics accumulated over batches', () => {
  it('Accuracy: class indices, one-hot targets and binary probabilities', async () => {
    const accuracy = new Accuracy();
    accuracy.update(tensor([[2, 1, 0], [0, 3, 1]]), tensor([0, 2], [2], 'int32')); // right, wrong
    accuracy.update(tensor([[0, 0, 5]]), tensor([[0, 0, 1]])); // right (one-hot)
    expect(await accuracy.compute()).toBeCloseTo(2 / 3, 6);
    accuracy.reset();
    accuracy.update(tensor([[0.9], [0.2], [0.6], [0.4]]), tensor([[1], [1], [0], [0]])); // right, wrong, wrong, right
    expect(await accuracy.compute()).toBe(0.5);
  });

  it('TopKAccuracy counts the true class among the k highest scores', async () => {
    const top2 = new TopKAccuracy(2);
    // Row 1: true class 1 is second → in. Row 2: true class 0 is third → out. Row 3: true class 2 is first → in.
    top2.update(tensor([[0.5, 0.3, 0.2], [0.1, 0.5, 0.4], [0.1, 0.2, 0.7]]), tensor([1, 0, 2], [3], 'int32'));
    expect(top2.name).toBe('top2_accuracy');
    expect(await top2.compute()).toBeCloseTo(2 / 3, 6);
  });

  it('TopKAccuracy refuses a k that is not below the class count (it counted every example correct)', () => {
    const top5 = new TopKAccuracy(5);
    expect(() => top5.update(tensor([[0.5, 0.3, 0.2]]), tensor([1], [1], 'int32'))).toThrow(/top5_accuracy: k = 5 must be less than the 3 classes of the scores \[1,3\]/);
  });

  it('precision, recall and F1 refuse an average they do not compute (micro was the macro mean, silently)', () => {
    expect(() => new Precision({ average: 'micro' as never })).toThrow(/precision: average must be 'binary' or 'macro', got "micro"/);
    expect(() => new Recall({ threshold: Number.NaN })).toThrow(/recall: threshold must be a finite number, got NaN/);
  });

  it('binary precision, recall and F1 over two batches', async () => {
    // Predictions (> 0.5): 1 1 0 1 | 0 1 ; targets: 1 0 1 1 | 0 0 → TP 2, FP 2, FN 1.
    const metrics = [new Precision(), new Recall(), new F1Score()];
    for (const metric of metrics) {
      metric.update(tensor([0.9, 0.8, 0.2, 0.7]), tensor([1, 0, 1, 1]));
      metric.update(tensor([0.1, 0.6]), tensor([0, 0]));
    }
    const [precision, recall, f1] = await Promise.all(metrics.map((metric) => metric.compute()));
    expect(precision).toBeCloseTo(2 / 4, 6);
    expect(recall).toBeCloseTo(2 / 3, 6);
    expect(f1).toBeCloseTo((2 * 0.5 * (2 / 3)) / (0.5 + 2 / 3), 6);
  });

  it('macro precision, recall and F1 average over the classes that occur', async () => {
    // Predicted: 0 0 1 2 2, true: 0 1 1 2 0. Class 0: TP 1, predicted 2, actual 2 → P ½ R ½ F1 ½.
    // Class 1: TP 1, predicted 1, actual 2 → P 1 R ½ F1 ⅔. Class 2: TP 1, predicted 2, actual 1 → P ½ R 1 F1 ⅔.
    // Class 3 never occurs and is left out of the mean.
    const scores = tensor([[9, 0, 0, 0], [9, 0, 0, 0], [0, 9, 0, 0], [0, 0, 9, 0], [0, 0, 9, 0]]);
    const labels = tensor([0, 1, 1, 2, 0], [5], 'int32');
    const metrics = [new Precision({ average: 'macro' }), new Recall({ average: 'macro' }), new F1Score({ average: 'macro' })];
    for (const metric of metrics) metric.update(scores, labels);
    const [precision, recall, f1] = await Promise.all(metrics.map((metric) => metric.compute()));
    expect(metrics[0].name).toBe('precision_macro');
    expect(precision).toBeCloseTo((0.5 + 1 + 0.5) / 3, 6);
    expect(recall).toBeCloseTo((0.5 + 0.5 + 1) / 3, 6);
    expect(f1).toBeCloseTo((0.5 + 2 / 3 + 2 / 3) / 3, 6);
  });

  it('AUC equals the fraction of correctly ranked positive/negative pairs, ties counting half', async () => {
    const auc = new AUC();
    // Positives 0.35, 0.8; negatives 0.1, 0.4: pairs (0.35>0.1) (0.35<0.4) (0.8>0.1) (0.8>0.4) → 3/4.
    auc.update(tensor([0.1, 0.4]), tensor([0, 0]));
    auc.update(tensor([0.35, 0.8]), tensor([1, 1]));
    expect(await auc.compute()).toBeCloseTo(0.75, 6);
    // A negative at 0.8: the positive 0.35 ranks below it (0), the positive 0.8 ties with it (½) → 3.5 of 6 pairs.
    auc.update(tensor([0.8]), tensor([0]));
    expect(await auc.compute()).toBeCloseTo(3.5 / 6, 6);
    const fromLogits = new AUC({ fromLogits: true });
    fromLogits.update(tensor([-2, 3, 0.5]), tensor([0, 1, 0]));
    expect(await fromLogits.compute()).toBe(1);
    expect(Number.isNaN(await new AUC().compute())).toBe(true);
  });

  it('MAE and RMSE over every element seen, with [N] targets against [N, 1] outputs', async () => {
    const mae = new MeanAbsoluteError();
    const rmse = new RootMeanSquaredError();
    for (const metric of [mae, rmse]) {
      metric.update(tensor([[1], [2], [3]]), tensor([1, 3, 5])); // errors 0 1 2
      metric.update(tensor([[0]]), tensor([3])); // error 3
    }
    expect(await mae.compute()).toBeCloseTo(6 / 4, 6);
    expect(await rmse.compute()).toBeCloseTo(Math.sqrt(14 / 4), 6);
  });

  it('rejects mismatched shapes with the metric named', () => {
    expect(() => new Accuracy().update(tensor([[1, 2]]), tensor([0, 1], [2], 'int32'))).toThrow(/accuracy: output \[1,2\] and target \[2\]/);
    expect(() => new AUC().update(tensor([[1, 2]]), tensor([1]))).toThrow(/auc: AUC is for binary scores/);
    expect(() => new TopKAccuracy(0)).toThrow(/k must be a positive integer/);
  });
});
