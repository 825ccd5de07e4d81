import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sizeOf } from '@dendrite/core';
import { load } from '@dendrite/datasets/node';
import type { Split } from './train.js';

/**
 * Fashion-MNIST from DENDRITE_DATA, else the shared data folder beside this checkout, else the
 * per-user cache or a download (the datasets package decides).
 */
export async function loadFashionMnist(): Promise<{ train: Split; test: Split; classNames: readonly string[] }> {
  const shared = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/data');
  // `load` looks in `directory` before DENDRITE_DATA, so the shared folder is offered only without it.
  const directory = !process.env.DENDRITE_DATA && existsSync(join(shared, 'fashion-mnist')) ? shared : undefined;
  const { train, test, classNames } = await load('fashion-mnist', { directory });
  const flatten = (split: typeof train): Split =>
    ({ images: split.images, labels: split.labels, count: split.shape[0], features: sizeOf(split.shape.slice(1)) });
  return { train: flatten(train), test: flatten(test), classNames };
}
