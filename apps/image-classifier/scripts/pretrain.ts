// pnpm --filter @dendrite/image-classifier pretrain [--data DIR] [--epochs N] [--classes 0,1,2,3,4] [--out DIR]
// Re-creates src/pretrained/fashion5-cnn/ (the shipped pre-trained model) from its seeded recipe.
import { parseArgs } from 'node:util';
import { loadImageData } from '../src/data.js';
import { PRETRAIN_RECIPE, pretrain } from '../src/pretrained/pretrain.js';
import { pretrainedModelDirectory } from '../src/pretrained/recipe.js';

const { values } = parseArgs({ options: { data: { type: 'string' }, epochs: { type: 'string' }, classes: { type: 'string' }, out: { type: 'string' } } });
const data = await loadImageData(values.data);
const directory = values.out ?? pretrainedModelDirectory();
const recipe = {
  ...PRETRAIN_RECIPE, epochs: values.epochs === undefined ? PRETRAIN_RECIPE.epochs : Number(values.epochs),
  ...(values.classes === undefined ? {} : { classes: values.classes.split(',').map(Number) }),
};
const report = await pretrain(data, directory, recipe, (step, steps, loss) => {
  if (step % 50 === 0 || step === steps) process.stdout.write(`step ${step}/${steps} loss ${loss.toFixed(4)}\n`);
});
console.log(JSON.stringify(report, null, 2));
