import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mul, randomNormal, tensor, type Tensor } from '@dendrite/core';
import { afterAll, describe, expect, it } from 'vitest';
import { Conv2D } from '../conv2d.js';
import { Dense } from '../dense.js';
import { Dropout } from '../dropout.js';
import { Embedding } from '../embedding.js';
import { model } from '../functional.js';
import * as initializers from '../initializers.js';
import { Layer, type InputShape, type LayerOptions } from '../layer.js';
import { loadModel, saveModel } from '../node.js';
import { BatchNorm, LayerNorm } from '../normalization.js';
import { MaxPool2D } from '../pooling.js';
import { LSTM } from '../recurrent/lstm.js';
import { Flatten } from '../reshape.js';
import { sequential } from '../sequential.js';
import { input } from '../symbolic.js';
import { modelFromBytes, modelToBytes } from './bytes.js';

/** A user layer: it must be passed in the class map to load. */
class Scale extends Layer {
  readonly factor: number;
  weight!: Tensor;
  constructor(options: LayerOptions & { factor: number }) {
    super(options);
    this.factor = options.factor;
  }
  protected override onBuild(shape: InputShape): void {
    this.weight = this.addParameter('weight', [(shape as number[]).at(-1)!], initializers.constant(this.factor));
  }
  protected forward(x: Tensor): Tensor {
    return mul(x, this.weight);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), factor: this.factor };
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'dendrite-layers-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function cnn() {
  return sequential([
    new Conv2D({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }),
    new BatchNorm(),
    new MaxPool2D({ poolSize: 2 }),
    new Flatten(),
    new Dropout({ rate: 0.25 }),
    new Dense({ units: 4, activation: 'softmax' }),
    new Scale({ factor: 2, name: 'scale' }),
  ], { seed: 5, name: 'cnn' });
}

async function same(a: Layer<Tensor, Tensor>, b: Layer<Tensor, Tensor>, x: Tensor) {
  a.eval();
  b.eval();
  expect(Array.from(await b.apply(x).data())).toEqual(Array.from(await a.apply(x).data()));
}

describe('save and load', () => {
  it('round-trips a Sequential CNN with buffers and a custom layer exactly, through files', async () => {
    const original = cnn();
    const x = randomNormal([2, 6, 6, 1], 0, 1, 1);
    original.apply(x); // training step: BatchNorm's running statistics move away from 0/1
    const directory = join(scratch, 'cnn');
    await saveModel(original, directory, { layers: { Scale } });
    expect(readdirSync(directory).sort()).toEqual(['model.json', 'weights.safetensors']);
    const topology = JSON.parse(readFileSync(join(directory, 'model.json'), 'utf8'));
    expect(topology).toMatchObject({ format: 'dendrite.layers', version: 1, model: { className: 'Sequential' } });
    expect(topology.model.layers.map((layer: { className: string }) => layer.className)).toEqual(
      ['Conv2D', 'BatchNorm', 'MaxPool2D', 'Flatten', 'Dropout', 'Dense', 'Scale']);
    await expect(loadModel(directory)).rejects.toThrow(/unknown layer class 'Scale'; pass custom classes as \{ layers: \{ Scale \} \}/);
    const restored = await loadModel(directory, { layers: { Scale } }) as Layer<Tensor, Tensor>;
    const originalState = original.stateDict();
    for (const [key, value] of Object.entries(restored.stateDict())) {
      expect(Array.from(value.dataSync()), key).toEqual(Array.from(originalState[key].dataSync()));
    }
    expect(Object.keys(restored.stateDict())).toEqual(Object.keys(originalState));
    expect(Object.keys(originalState)).toContain('1.runningMean');
    await same(original, restored, x);
    // One file instead of a directory.
    const file = join(scratch, 'single', 'cnn.safetensors');
    await saveModel(original, file, { layers: { Scale } });
    expect(readdirSync(join(scratch, 'single'))).toEqual(['cnn.safetensors']);
    await same(original, await loadModel(file, { layers: { Scale } }) as Layer<Tensor, Tensor>, x);
    writeFileSync(file, readFileSync(file).subarray(0, 100));
    await expect(loadModel(file, { layers: { Scale } })).rejects.toThrow(/cnn\.safetensors\): header length \d+ is larger than the 92 bytes after it/);
  });

  it('round-trips a functional model with two inputs, a shared layer, an embedding and an LSTM, through bytes', async () => {
    const ids = input({ shape: [5], dtype: 'int32', name: 'ids' });
    const features = input({ shape: [3], name: 'features' });
    const sequence = new LSTM({ units: 4, name: 'lstm', seed: 1 }).apply(new Embedding({ inputDim: 9, outputDim: 3, name: 'embed', seed: 2 }).apply(ids));
    const shared = new Dense({ units: 3, activation: 'tanh', name: 'shared', seed: 3 });
    const joined = new LayerNorm({ name: 'norm' }).apply(shared.apply(features));
    const net = model({ inputs: [ids, features], outputs: [new Dense({ units: 2, name: 'head', seed: 4 }).apply(sequence as never), shared.apply(joined)], name: 'multi' });
    const bytes = await modelToBytes(net);
    const copy = modelFromBytes(bytes);
    const args = [tensor([[1, 2, 3, 4, 8]], [1, 5], 'int32'), tensor([[0.5, -1, 2]])];
    const a = net.apply(args) as Tensor[];
    const b = copy.apply(args) as Tensor[];
    expect(b.length).toBe(2);
    for (let i = 0; i < 2; i++) expect(Array.from(b[i].dataSync())).toEqual(Array.from(a[i].dataSync()));
    // float16 storage: half the weight bytes, values within half precision.
    const half = await modelToBytes(net, { dtype: 'float16' });
    expect(half.length).toBeLessThan(bytes.length);
    const approximate = (modelFromBytes(half).apply(args) as Tensor[])[0].dataSync();
    a[0].dataSync().forEach((v, i) => expect(Math.abs(approximate[i] - v)).toBeLessThan(1e-2));
  });

  it('names the path when saving fails, and leaves no partial file behind', async () => {
    const original = sequential([new Dense({ units: 2 })], { seed: 1 });
    original.build([-1, 3]);
    // A file where the folder should be: Node's bare "EEXIST: file already exists, mkdir" before.
    const blocker = join(scratch, 'a-file');
    writeFileSync(blocker, 'not a folder');
    await expect(saveModel(original, blocker)).rejects.toThrow(/saveModel: cannot create the folder .*a-file \(a file is in the way of the folder\)/);
    await expect(saveModel(original, join(blocker, 'inner.safetensors'))).rejects.toThrow(/saveModel: cannot create the folder .*a-file/);
    // The weights' name taken by a non-empty folder: the rename fails; the temporary file is removed.
    const directory = join(scratch, 'blocked-weights');
    mkdirSync(join(directory, 'weights.safetensors', 'inside'), { recursive: true });
    await expect(saveModel(original, directory)).rejects.toThrow(/saveModel: cannot write .*blocked-weights.weights\.safetensors: /);
    expect(readdirSync(directory)).toEqual(['weights.safetensors']);
  });

  it('replaces a saved model whole or not at all: a failed save keeps both old files', async () => {
    const before = sequential([new Dense({ units: 2 })], { seed: 1 });
    before.build([-1, 3]);
    const directory = join(scratch, 'kept');
    await saveModel(before, directory);
    const oldWeights = readFileSync(join(directory, 'weights.safetensors'));
    // model.json's name taken by a folder: the second file cannot be written, so the first must not be replaced either.
    rmSync(join(directory, 'model.json'));
    mkdirSync(join(directory, 'model.json', 'inside'), { recursive: true });
    const after = sequential([new Dense({ units: 2 })], { seed: 2 });
    after.build([-1, 3]);
    await expect(saveModel(after, directory)).rejects.toThrow(/saveModel: cannot write .*kept.model\.json: something other than a file is in the way/);
    expect(readFileSync(join(directory, 'weights.safetensors')).equals(oldWeights)).toBe(true);
    expect(readdirSync(directory).sort()).toEqual(['model.json', 'weights.safetensors']);
  });

  it('refuses truncated, oversized and mismatched files, naming the file and the tensor', async () => {
    const original = sequential([new Dense({ units: 3 }), new Dense({ units: 2 })], { seed: 1 });
    original.build([-1, 4]);
    const directory = join(scratch, 'mlp');
    await saveModel(original, directory);
    const weightsPath = join(directory, 'weights.safetensors');
    const good = readFileSync(weightsPath);
    writeFileSync(weightsPath, good.subarray(0, good.length - 5));
    // model.json records its weights' size and hash: a damaged file is caught before it is decoded.
    await expect(loadModel(directory)).rejects.toThrow(
      /loadModel: .*mlp.weights\.safetensors \(\d+ bytes\) is not the weights .*mlp.model\.json was saved with \(\d+ bytes, sha256 [0-9a-f]{16}…\): a damaged file, or the two files come from different saves/);
    // A save made before the record (no `weights` in model.json) is decoded unchecked: the tensors' own checks name the problem.
    const topology = JSON.parse(readFileSync(join(directory, 'model.json'), 'utf8')) as Record<string, unknown>;
    delete topology.weights;
    writeFileSync(join(directory, 'model.json'), JSON.stringify(topology));
    await expect(loadModel(directory)).rejects.toThrow(/weights\.safetensors\): tensor '1\.kernel': data_offsets .* go past the/);
    writeFileSync(weightsPath, good);
    await expect(loadModel(directory, { maxBytes: 100 })).rejects.toThrow(/weights\.safetensors is \d+ bytes, over the limit of 100 bytes/);
    // Weights of another architecture: shapes differ.
    const other = sequential([new Dense({ units: 5 }), new Dense({ units: 2 })], { seed: 1 });
    other.build([-1, 4]);
    await saveModel(other, join(scratch, 'other'));
    writeFileSync(weightsPath, readFileSync(join(scratch, 'other', 'weights.safetensors')));
    await expect(loadModel(directory)).rejects.toThrow(/weights\.safetensors: tensor '0\.kernel' is float32 \[4, 5\] but the model has float32 \[4, 3\]/);
    writeFileSync(join(directory, 'model.json'), '{"format":"dendrite.layers","version":99,"model":{}}');
    await expect(loadModel(directory)).rejects.toThrow(/model\.json: topology version 99 is not supported/);
    writeFileSync(join(directory, 'model.json'), '{"format":');
    await expect(loadModel(directory)).rejects.toThrow(/model\.json: the topology is not valid JSON/);
    await expect(loadModel(join(scratch, 'missing'))).rejects.toThrow(/cannot read the topology/);
    expect(() => modelFromBytes(new Uint8Array(16))).toThrow(/model bytes/);
    // Saving leaves no temporary files behind.
    expect(readdirSync(directory).sort()).toEqual(['model.json', 'weights.safetensors']);
  });

  it('refuses to save a layer class missing from the map', async () => {
    const net = sequential([new Scale({ factor: 1 })]);
    net.build([-1, 2]);
    await expect(modelToBytes(net)).rejects.toThrow(/'.*' is a Scale, which is not in the layer class map; pass it as \{ layers: \{ Scale \} \}/);
  });
});
