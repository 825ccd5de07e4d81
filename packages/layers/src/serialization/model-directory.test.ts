import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor, type Tensor } from '@dendrite/core';
import { afterAll, describe, expect, it } from 'vitest';
import { Dense } from '../dense.js';
import type { AnyLayer } from '../layer.js';
import { loadModel, saveModel } from '../node.js';
import { sequential } from '../sequential.js';
import { writeModelDirectory, type SaveStep } from './model-directory.js';

const scratch = mkdtempSync(join(tmpdir(), 'dendrite-model-directory-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const x = tensor([[0.5, -1, 2], [1, 0.25, -0.5]]);

/** A built two-layer MLP; `seed` picks its weights (the same architecture for every seed). */
function mlp(seed: number): AnyLayer {
  const model = sequential([new Dense({ units: 4, activation: 'relu' }), new Dense({ units: 2 })], { seed, name: `mlp${seed}` });
  model.build([-1, 3]);
  return model;
}

async function outputs(model: AnyLayer): Promise<number[]> {
  return Array.from(await (model.apply(x) as Tensor).data());
}

/** Removes the weights record from model.json: the directory a save before this change wrote. */
function asOlderSave(directory: string): void {
  const path = join(directory, 'model.json');
  const topology = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  delete topology.weights;
  writeFileSync(path, JSON.stringify(topology));
}

/**
 * Saves `next` over the model in `directory`, copying the directory as a crash at each step would
 * leave it; returns the copies by step ('before' is the directory as the save found it).
 */
async function crashCopies(next: AnyLayer, directory: string, name: string): Promise<Map<SaveStep | 'before', string>> {
  const copies = new Map<SaveStep | 'before', string>();
  const copy = (step: SaveStep | 'before') => {
    const target = join(scratch, `${name}-${step.replace(/ /g, '-')}`);
    cpSync(directory, target, { recursive: true });
    copies.set(step, target);
  };
  copy('before');
  await writeModelDirectory(next, directory, {}, { afterStep: copy });
  return copies;
}

describe('saveModel directories at every instant of a save', () => {
  it('leave the old model whole before the commit and the new one whole after it, never a mix', async () => {
    const [oldModel, newModel] = [mlp(1), mlp(2)];
    const [oldOutputs, newOutputs] = [await outputs(oldModel), await outputs(newModel)];
    expect(newOutputs).not.toEqual(oldOutputs);
    const directory = join(scratch, 'model');
    await saveModel(oldModel, directory);
    const copies = await crashCopies(newModel, directory, 'crash');
    expect([...copies.keys()]).toEqual(['before', 'weights written', 'topology written', 'committed', 'weights in place', 'cleaned up']);
    for (const [step, copy] of copies) {
      const loaded = await loadModel(copy);
      const committed = step === 'committed' || step === 'weights in place' || step === 'cleaned up';
      expect(await outputs(loaded), `a crash at '${step}'`).toEqual(committed ? newOutputs : oldOutputs);
      loaded.dispose();
    }
    // Crashed just after the commit: the new model.json beside the old weights.safetensors, its own weights still pending.
    const afterCommit = readdirSync(copies.get('committed')!).sort();
    expect(afterCommit).toHaveLength(3);
    expect(afterCommit[0]).toBe('model.json');
    expect(afterCommit[1]).toBe('weights.safetensors');
    expect(afterCommit[2]).toMatch(/^weights\.safetensors\.[0-9a-f]{16}\.pending$/);
    expect(readFileSync(join(copies.get('committed')!, 'weights.safetensors')).equals(readFileSync(join(copies.get('before')!, 'weights.safetensors')))).toBe(true);
    expect(readdirSync(directory).sort()).toEqual(['model.json', 'weights.safetensors']);
  });

  it('keep a model saved before weights records whole when a new save crashes over it', async () => {
    const [oldModel, newModel] = [mlp(3), mlp(4)];
    const [oldOutputs, newOutputs] = [await outputs(oldModel), await outputs(newModel)];
    const directory = join(scratch, 'older');
    await saveModel(oldModel, directory);
    asOlderSave(directory);
    const copies = await crashCopies(newModel, directory, 'older-crash');
    for (const [step, copy] of copies) {
      const loaded = await loadModel(copy);
      const committed = step === 'committed' || step === 'weights in place' || step === 'cleaned up';
      expect(await outputs(loaded), `a crash at '${step}'`).toEqual(committed ? newOutputs : oldOutputs);
      loaded.dispose();
    }
  });

  it('finishes the job of a save that crashed after its commit: the next save leaves no pending file', async () => {
    const directory = join(scratch, 'resumed');
    await saveModel(mlp(5), directory);
    const copies = await crashCopies(mlp(6), directory, 'resumed-crash');
    const crashed = copies.get('committed')!;
    const third = mlp(7);
    await saveModel(third, crashed);
    expect(readdirSync(crashed).sort()).toEqual(['model.json', 'weights.safetensors']);
    const loaded = await loadModel(crashed);
    expect(await outputs(loaded)).toEqual(await outputs(third));
  });

  it('refuse a pair mixed from two saves, naming both files', async () => {
    const [first, second] = [join(scratch, 'first'), join(scratch, 'second')];
    await saveModel(mlp(8), first);
    await saveModel(mlp(9), second);
    // Same architecture, same size: without the record this pair would load, silently wrong.
    cpSync(join(second, 'weights.safetensors'), join(first, 'weights.safetensors'));
    await expect(loadModel(first)).rejects.toThrow(
      /^loadModel: .*first.weights\.safetensors \(sha256 [0-9a-f]{16}…\) is not the weights .*first.model\.json was saved with \(\d+ bytes, sha256 [0-9a-f]{16}…\): a damaged file, or the two files come from different saves$/);
    rmSync(join(first, 'weights.safetensors'));
    await expect(loadModel(first)).rejects.toThrow(/^loadModel: cannot read the weights .*first.weights\.safetensors that .*first.model\.json was saved with: the file is missing$/);
  });

  it('still load the pretrained models the apps ship (saved before weights records)', async () => {
    const pretrained = join(import.meta.dirname, '../../../../apps/image-classifier/src/pretrained/fashion5-cnn');
    expect(existsSync(join(pretrained, 'model.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(pretrained, 'model.json'), 'utf8')).weights).toBeUndefined();
    const model = await loadModel(pretrained);
    expect(model.parameters().length).toBeGreaterThan(0);
    model.dispose();
  });
});
