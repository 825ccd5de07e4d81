// `classifier finetune`: learn new classes from few labels, starting from a pre-trained model.
//
// Exports for the CLI (src/cli.ts):
//   finetuneCommand(options: FinetuneCommandOptions): Promise<FinetuneSummary>
//     runs the whole command (load, sample, fine-tune, measure, save) and prints its progress and result;
//   addFinetuneCommand(program: Command): Command
//     registers `finetune [--split S] [--from MODEL] --data DIR --labels-per-class N [--head dense|cosine] [--imprint] [--freeze-until LAYER] [--out DIR] …`
//     on a commander program, parsing the flags and calling finetuneCommand.
import { join } from 'node:path';
import { DendriteError, ready } from '@dendrite/core';
import { loadModel, saveModel } from '@dendrite/layers/node';
import { InvalidArgumentError, type Command } from 'commander';
import { loadImageData } from './data.js';
import { DEFAULT_BUDGET, HEAD_KINDS, finetune, trainFromScratch, type HeadKind } from './finetune-core.js';
import { accuracyOn, selectClasses } from './finetune-train.js';
import { writeJsonAtomically } from './saved-model.js';
import { FEATURE_LAYER, TRANSFER_SPLITS, TRUNK_END, pretrainedModelDirectory, type TransferSplit } from './pretrained/recipe.js';

/** The command's options, as parsed from its flags. */
export interface FinetuneCommandOptions {
  /**
   * One of the README's transfer splits (`first-last`, the default; `confusable`; `paired`): its shipped model is the
   * default `from` and its new classes the default `classes`.
   */
  split?: TransferSplit;
  /** A saved model (layers' format) with a `features` layer; default: the split's shipped pre-trained CNN. */
  from?: string;
  /** Folder of MNIST-style IDX files; default Fashion-MNIST. */
  data?: string;
  labelsPerClass: number;
  /** The classes to learn (labels of the data), default the split's new classes (5–9 for `first-last`). */
  classes?: number[];
  /** The new head: `dense` (default) or `cosine` (the "Baseline++" cosine-similarity head). */
  head?: HeadKind;
  /** Cosine head only: start its weights at the class means of the normalized features (weight imprinting). */
  imprint?: boolean;
  /** The head reads pool1's and pool2's features joined (multi-scale), not pool2's alone. */
  multiScale?: boolean;
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
  head: HeadKind;
  imprint: boolean;
  multiScale: boolean;
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
  const split = options.split ?? 'first-last';
  if (!(split in TRANSFER_SPLITS)) throw new DendriteError(`finetune: --split must be one of ${Object.keys(TRANSFER_SPLITS).join(', ')}, got '${split}'`);
  const head = options.head ?? 'dense';
  const imprint = options.imprint ?? false;
  const multiScale = options.multiScale ?? false;
  if (imprint && multiScale) throw new DendriteError('finetune: --imprint reads the single-scale features; it cannot be combined with --multi-scale');
  if (imprint && head !== 'cosine') throw new DendriteError(`finetune: --imprint needs --head cosine (the head is '${head}')`);
  const from = options.from ?? pretrainedModelDirectory(split);
  const pretrained = await loadModel(from);
  const data = await loadImageData(options.data);
  const classes = options.classes ?? [...TRANSFER_SPLITS[split].newClasses];
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
    ...budget, train, classes: classes.length, featureLayer: options.featureLayer, freezeUntil, head, imprint, multiScale,
    onStep: (phase, step, loss) => progress(phase === 'head' ? 'head (base frozen)' : 'top block + head', step, phase === 'head' ? budget.headSteps : budget.tuneSteps, loss),
    afterHead: async (headModel) => { headOnlyTestAccuracy = await accuracyOn(headModel, test); },
  });
  const testAccuracy = await accuracyOn(model, test);
  const percent = (value: number) => `${(value * 100).toFixed(2)}%`;
  log(`test accuracy on ${test.count} images of the ${classes.length} classes: ${percent(testAccuracy)} (head only: ${percent(headOnlyTestAccuracy)}` +
    `${unfrozen.length > 0 ? `; then unfrozen: ${unfrozen.join(', ')}` : ''})`);
  const summary: FinetuneSummary = {
    from, data: data.directory, classes, classNames, labelsPerClass: options.labelsPerClass, trainImages: train.count,
    freezeUntil, head, imprint, multiScale, unfrozen, budget, testAccuracy, headOnlyTestAccuracy,
  };
  if (options.compare) {
    const scratch = await trainFromScratch({ ...budget, train, classes: classes.length, head, multiScale,
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

function splitName(value: string): TransferSplit {
  if (!(value in TRANSFER_SPLITS)) throw new InvalidArgumentError(`--split must be one of ${Object.keys(TRANSFER_SPLITS).join(', ')}, got "${value}".`);
  return value as TransferSplit;
}

function headKind(value: string): HeadKind {
  if (!(HEAD_KINDS as readonly string[]).includes(value)) throw new InvalidArgumentError(`--head must be one of ${HEAD_KINDS.join(', ')}, got "${value}".`);
  return value as HeadKind;
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
    .option('--split <name>', `a transfer split of the README: its shipped model and new classes are the defaults of --from and --classes (${Object.keys(TRANSFER_SPLITS).join(', ')}; default first-last)`, splitName)
    .option('--from <model>', 'a saved model with a "features" layer (default: the split\'s shipped CNN; first-last: pre-trained on Fashion-MNIST classes 0-4)')
    .option('--data <dir>', 'folder of MNIST-style IDX files (default Fashion-MNIST)')
    .requiredOption('--labels-per-class <n>', 'labelled training images per class (a seeded sample)', integer('--labels-per-class', 1))
    .option('--classes <list>', 'the classes to learn, as "5,6,7" or "5-9" (default: the split\'s new classes, 5-9 for first-last)', classList)
    .option('--head <kind>', `the new head: ${HEAD_KINDS.join(' or ')} (cosine: scaled cosine similarity to each class's weight vector; default dense)`, headKind)
    .option('--imprint', 'with --head cosine: start each class\'s weights at the mean of its normalized features (weight imprinting)')
    .option('--multi-scale', 'the head reads pool1\'s and pool2\'s features joined (multi-scale), not pool2\'s alone')
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
