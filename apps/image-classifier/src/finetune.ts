// `classifier finetune`: learn new classes from few labels, starting from a pre-trained model.
//
// Exports for the CLI (src/cli.ts):
//   finetuneCommand(options: FinetuneCommandOptions): Promise<FinetuneSummary>
//     runs the whole command (load, sample, fine-tune, measure, save) and prints its progress and result;
//   addFinetuneCommand(program: Command): Command
//     registers `finetune --from MODEL --data DIR --labels-per-class N [--feature-layer L] [--freeze-until LAYER] [--out DIR] …`
//     on a commander program, parsing the flags and calling finetuneCommand.
import { join } from 'node:path';
import { DendriteError, ready } from '@dendrite/core';
import { loadModel, saveModel } from '@dendrite/layers/node';
import { InvalidArgumentError, type Command } from 'commander';
import { loadImageData } from './data.js';
import { DEFAULT_BUDGET, finetune, trainFromScratch } from './finetune-core.js';
import { accuracyOn, selectClasses } from './finetune-train.js';
import { writeJsonAtomically } from './saved-model.js';
import { FEATURE_LAYER, NEW_CLASSES, TRUNK_END, pretrainedModelDirectory } from './pretrained/recipe.js';

/** The command's options, as parsed from its flags. */
export interface FinetuneCommandOptions {
  /** A saved model (layers' format) with a `features` layer; default: the shipped pre-trained CNN. */
  from?: string;
  /** Folder of MNIST-style IDX files; default Fashion-MNIST. */
  data?: string;
  labelsPerClass: number;
  /** The classes to learn (labels of the data), default 5–9: those the shipped model never saw. */
  classes?: number[];
  /** Layers up to and including this one stay frozen in the second phase (default `pool1`, so `conv2` trains; `features`: head only). */
  freezeUntil?: string;
  featureLayer?: string;
  headSteps?: number;
  tuneSteps?: number;
  batchSize?: number;
  learningRate?: number;
  tuneLearningRate?: number;
  /** Adam's rate for the from-scratch baseline (`compare`). */
  scratchLearningRate?: number;
  seed?: number;
  /** Also train the same network from scratch with the same labels and budget, and report both. */
  compare?: boolean;
  /** Where to save the fine-tuned model (model.json, weights.safetensors, finetune-info.json). */
  out?: string;
  /** Where progress lines go (default stdout). */
  log?: (line: string) => void;
}

/** What the command measured (also written to `finetune-info.json`). */
export interface FinetuneSummary {
  from: string;
  data: string;
  classes: number[];
  classNames: string[];
  labelsPerClass: number;
  trainImages: number;
  freezeUntil: string;
  unfrozen: string[];
  budget: typeof DEFAULT_BUDGET;
  /** On every test image of the chosen classes. */
  testAccuracy: number;
  headOnlyTestAccuracy: number;
  scratchTestAccuracy?: number;
}

/**
 * Runs `classifier finetune`: samples `labelsPerClass` labelled images of each chosen class (seeded), cuts the
 * pre-trained model at its feature layer, trains a new head on the frozen base, then the top block at a lower
 * rate, reports test accuracy on the chosen classes (and, with `compare`, the from-scratch baseline) and saves.
 *
 * @example
 * ```ts
 * const summary = await finetuneCommand({ labelsPerClass: 10, out: 'runs/finetuned' });
 * console.log(summary.testAccuracy);
 * ```
 */
export async function finetuneCommand(options: FinetuneCommandOptions): Promise<FinetuneSummary> {
  const log = options.log ?? ((line: string) => console.log(line));
  await ready();
  const from = options.from ?? pretrainedModelDirectory();
  const pretrained = await loadModel(from);
  const data = await loadImageData(options.data);
  const classes = options.classes ?? [...NEW_CLASSES];
  for (const label of classes) {
    if (!Number.isInteger(label) || label < 0 || label >= data.classNames.length) {
      throw new DendriteError(`finetune: --classes has ${label}, but the labels of ${data.directory} are 0 to ${data.classNames.length - 1}`);
    }
  }
  const budget = {
    headSteps: options.headSteps ?? DEFAULT_BUDGET.headSteps, tuneSteps: options.tuneSteps ?? DEFAULT_BUDGET.tuneSteps,
    batchSize: options.batchSize ?? DEFAULT_BUDGET.batchSize, learningRate: options.learningRate ?? DEFAULT_BUDGET.learningRate,
    tuneLearningRate: options.tuneLearningRate ?? DEFAULT_BUDGET.tuneLearningRate,
    scratchLearningRate: options.scratchLearningRate ?? DEFAULT_BUDGET.scratchLearningRate, seed: options.seed ?? DEFAULT_BUDGET.seed,
  };
  const train = selectClasses(data.train, classes, { perClass: options.labelsPerClass, seed: budget.seed });
  const test = selectClasses(data.test, classes);
  const classNames = classes.map((label) => data.classNames[label]);
  log(`fine-tuning ${from} for ${classNames.join(', ')} from ${train.count} labelled images (${options.labelsPerClass} per class)`);
  const freezeUntil = options.freezeUntil ?? TRUNK_END;
  let headOnlyTestAccuracy = 0;
  const progress = (phase: string, step: number, steps: number, loss: number) => {
    if (step % 50 === 0 || step === steps) log(`  ${phase} step ${step}/${steps} loss ${loss.toFixed(4)}`);
  };
  const { model, unfrozen } = await finetune(pretrained, {
    ...budget, train, classes: classes.length, featureLayer: options.featureLayer, freezeUntil,
    onStep: (phase, step, loss) => progress(phase === 'head' ? 'head (base frozen)' : 'top block + head', step, phase === 'head' ? budget.headSteps : budget.tuneSteps, loss),
    afterHead: async (headModel) => { headOnlyTestAccuracy = await accuracyOn(headModel, test); },
  });
  const testAccuracy = await accuracyOn(model, test);
  const percent = (value: number) => `${(value * 100).toFixed(2)}%`;
  log(`test accuracy on ${test.count} images of the ${classes.length} classes: ${percent(testAccuracy)} (head only: ${percent(headOnlyTestAccuracy)}` +
    `${unfrozen.length > 0 ? `; then unfrozen: ${unfrozen.join(', ')}` : ''})`);
  const summary: FinetuneSummary = {
    from, data: data.directory, classes, classNames, labelsPerClass: options.labelsPerClass, trainImages: train.count,
    freezeUntil, unfrozen, budget, testAccuracy, headOnlyTestAccuracy,
  };
  if (options.compare) {
    const scratch = await trainFromScratch({ ...budget, train, classes: classes.length,
      onStep: (_phase, step, loss) => progress('from scratch', step, budget.headSteps + budget.tuneSteps, loss) });
    summary.scratchTestAccuracy = await accuracyOn(scratch, test);
    scratch.dispose();
    log(`from scratch, same labels and budget: ${percent(summary.scratchTestAccuracy)}`);
  }
  if (options.out !== undefined) {
    await saveModel(model, options.out);
    await writeJsonAtomically(join(options.out, 'finetune-info.json'), summary);
    log(`saved to ${options.out}/ (model.json, weights.safetensors, finetune-info.json)`);
  }
  model.dispose();
  return summary;
}

function integer(name: string, minimum: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < minimum) throw new InvalidArgumentError(`${name} must be an integer ≥ ${minimum}, got "${value}".`);
    return number;
  };
}

function rate(name: string) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError(`${name} must be a number > 0, got "${value}".`);
    return number;
  };
}

function classList(value: string): number[] {
  const range = /^(\d+)-(\d+)$/.exec(value);
  const labels = range ? Array.from({ length: Math.max(0, Number(range[2]) - Number(range[1]) + 1) }, (_, index) => Number(range[1]) + index)
    : value.split(',').map((part) => Number(part.trim()));
  if (labels.length < 2 || labels.some((label) => !Number.isInteger(label) || label < 0) || new Set(labels).size !== labels.length) {
    throw new InvalidArgumentError(`--classes takes at least 2 distinct labels, as "5-9" or "5,6,7", got "${value}".`);
  }
  return labels;
}

/**
 * Registers `finetune` on the classifier's commander program.
 *
 * @example
 * ```ts
 * addFinetuneCommand(program);   // pnpm classifier finetune --labels-per-class 10 --out runs/finetuned
 * ```
 */
export function addFinetuneCommand(program: Command): Command {
  return program.command('finetune')
    .description('learn new classes from few labels: cut a pre-trained model at its features, train a new head, then the top block')
    .option('--from <model>', 'a saved model with a "features" layer (default: the shipped CNN pre-trained on Fashion-MNIST classes 0-4)')
    .option('--data <dir>', 'folder of MNIST-style IDX files (default Fashion-MNIST)')
    .requiredOption('--labels-per-class <n>', 'labelled training images per class (a seeded sample)', integer('--labels-per-class', 1))
    .option('--classes <list>', 'the classes to learn, as "5,6,7" or "5-9" (default 5-9: those the shipped model never saw)', classList)
    .option('--feature-layer <layer>', `where the pre-trained model is cut: its layers up to this one are the base (default ${FEATURE_LAYER})`)
    .option('--freeze-until <layer>', `layers up to this one stay frozen when the top block trains (default ${TRUNK_END}; "features": head only)`)
    .option('--head-steps <n>', `steps training the head on the frozen base (default ${DEFAULT_BUDGET.headSteps})`, integer('--head-steps', 1))
    .option('--tune-steps <n>', `steps training the top block and head (default ${DEFAULT_BUDGET.tuneSteps}; 0: head only)`, integer('--tune-steps', 0))
    .option('--batch-size <n>', `batch size (default ${DEFAULT_BUDGET.batchSize})`, integer('--batch-size', 1))
    .option('--learning-rate <rate>', `Adam's rate for the head (default ${DEFAULT_BUDGET.learningRate})`, rate('--learning-rate'))
    .option('--tune-learning-rate <rate>', `Adam's rate for the unfrozen top block (default ${DEFAULT_BUDGET.tuneLearningRate})`, rate('--tune-learning-rate'))
    .option('--scratch-learning-rate <rate>', `Adam's rate for the from-scratch baseline of --compare (default ${DEFAULT_BUDGET.scratchLearningRate})`, rate('--scratch-learning-rate'))
    .option('--seed <n>', 'seed of the sample, the head and the batches', integer('--seed', 0))
    .option('--compare', 'also train the same network from scratch with the same labels and budget')
    .option('--out <dir>', 'where to save the fine-tuned model')
    .action(async (options: FinetuneCommandOptions) => { await finetuneCommand(options); });
}
