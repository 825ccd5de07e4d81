import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from '@dendrite/datasets/node';
import type { Split } from './train.js';

/**
 * Fashion-MNIST from DENDRITE_DATA, else the shared data folder beside this checkout, else the
 * per-user cache or a download (the datasets package decides).
 */
export async function loadFashionMnist(): Promise<{ train: Split; test: Split; classNames: readonly string[] }> {
  if (!process.env.DENDRITE_DATA) {
    const shared = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/data');
    if (existsSync(join(shared, 'fashion-mnist'))) process.env.DENDRITE_DATA = shared;
  }
  const { train, test, classNames } = await load('fashion-mnist');
  const flatten = (split: typeof train): Split => {
    const features = split.shape.slice(1).reduce((a, b) => a * b, 1);
    return { images: split.images, labels: split.labels, count: split.shape[0], features };
  };
  return { train: flatten(train), test: flatten(test), classNames };
}
