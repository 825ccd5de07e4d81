// The end-to-end demo: train an MLP on Fashion-MNIST with Dendrite, then use it on test images.
import { getBackendInfo, ready, softmax, tensor, tidy, noGrad } from '@dendrite/core';
import { Adam } from '@dendrite/optimizers';
import { loadFashionMnist } from './data.js';
import { createMlp } from './mlp.js';
import { accuracy, predict, trainEpoch } from './train.js';

const epochs = Number(process.env.DEMO_EPOCHS ?? 5);
const batchSize = 128;

await ready();
const info = getBackendInfo();
console.log(`Dendrite demo — backend ${info.name} (${info.implementation}${info.threads ? `, ${info.threads} threads` : ''})`);

const loadStart = performance.now();
const { train, test, classNames } = await loadFashionMnist();
console.log(`Fashion-MNIST: ${train.count} training and ${test.count} test images loaded in ${((performance.now() - loadStart) / 1000).toFixed(2)} s`);

const layerSizes = [train.features, 128, 64, 10];
const model = createMlp(layerSizes);
const optimizer = new Adam(model.parameters, { learningRate: 1e-3 });
console.log(`Model: MLP ${layerSizes.join('-')}, Adam lr 1e-3, batch ${batchSize}, ${epochs} epochs`);

const interactive = process.stdout.isTTY;
for (let epoch = 1; epoch <= epochs; epoch++) {
  const result = await trainEpoch(model, optimizer, train, {
    batchSize, seed: epoch,
    onBatch: interactive ? (done, total, loss) => {
      if (done % 20 === 0 || done === total) process.stdout.write(`\r  epoch ${epoch} [${'#'.repeat(Math.round((done / total) * 30)).padEnd(30)}] loss ${loss.toFixed(4)}`);
    } : undefined,
  });
  if (interactive) process.stdout.write('\r\x1b[K');
  const testAccuracy = accuracy(await predict(model, test), test.labels);
  console.log(`epoch ${epoch}: loss ${result.loss.toFixed(4)}, train accuracy ${(result.accuracy * 100).toFixed(2)}%, ` +
    `test accuracy ${(testAccuracy * 100).toFixed(2)}% (${result.seconds.toFixed(2)} s)`);
}

// Use the model: classify a few test images.
console.log('\nPredictions on the first 8 test images:');
const probabilities = tidy(() => noGrad(() => softmax(model.forward(tensor(test.images.subarray(0, 8 * test.features), [8, test.features])))));
const values = await probabilities.data();
for (let i = 0; i < 8; i++) {
  const row = Array.from(values.subarray(i * 10, (i + 1) * 10));
  const best = row.indexOf(Math.max(...row));
  const mark = best === test.labels[i] ? '✓' : '✗';
  console.log(`  ${mark} predicted ${classNames[best].padEnd(12)} (${(row[best] * 100).toFixed(1)}%), actually ${classNames[test.labels[i]]}`);
}
