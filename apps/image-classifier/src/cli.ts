#!/usr/bin/env node
// The classifier's command line: train, eval, predict, serve. Errors are one line on stderr (the
// stack only with --verbose) and a non-zero exit.
import { Command, InvalidArgumentError, Option } from 'commander';
import { existsSync } from 'node:fs';
import { addFinetuneCommand } from './finetune.js';
import { MODEL_KINDS, type ModelKind } from './model-info.js';
// Each command imports what it needs when it runs, so a bad flag is answered at once (the charting
// and training code takes a while to load).

function positiveInteger(name: string) {
  return (value: string): number => {
    const number = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got "${value}".`);
    return number;
  };
}

function positiveNumber(name: string) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError(`${name} must be a number > 0, got "${value}".`);
    return number;
  };
}

/** Activates the requested backend; `gpu` falls back to the CPU with a note when no real GPU answers. */
async function selectBackend(backend: 'cpu' | 'gpu'): Promise<void> {
  const { getBackendInfo, ready } = await import('@dendrite/core');
  await ready();
  if (backend === 'gpu') {
    const { useBestBackend } = await import('@dendrite/backend-gpujs');
    const info = await useBestBackend();
    if (info.name !== 'gpu') console.error(`note: no usable GPU, training on the CPU backend (${(info.notes ?? []).join('; ') || 'gpu.js found no GPU mode'})`);
  }
  const info = getBackendInfo();
  console.log(`backend: ${info.name} (${info.implementation}${info.threads ? `, ${info.threads} threads` : ''})`);
}

const program = new Command('classifier')
  .description('Train, evaluate and use an image classifier (MLP or CNN) on Fashion-MNIST or any MNIST-style IDX set')
  .option('--verbose', 'print stack traces of errors')
  .showSuggestionAfterError(true)
  .configureOutput({ outputError: (message, write) => write(message.split('\n').find((line) => line.trim() !== '') + '\n') });

program.command('train')
  .description('train a model and save it with its training curve')
  .option('--data <dir>', 'folder of MNIST-style IDX files (train-images-idx3-ubyte[.gz] …); default Fashion-MNIST')
  .addOption(new Option('--model <kind>', 'model recipe').choices(MODEL_KINDS).default('cnn'))
  .option('--epochs <n>', 'epochs (default: the recipe\'s)', positiveInteger('--epochs'))
  .option('--batch-size <n>', 'batch size (default: the recipe\'s)', positiveInteger('--batch-size'))
  .option('--learning-rate <rate>', 'peak learning rate (default: the recipe\'s)', positiveNumber('--learning-rate'))
  .option('--train-limit <n>', 'train on the first N training images only', positiveInteger('--train-limit'))
  .option('--no-augment', 'no random horizontal flips')
  .addOption(new Option('--backend <name>', 'compute backend').choices(['cpu', 'gpu']).default('cpu'))
  .option('--out <dir>', 'where to save the model', 'runs/classifier')
  .option('--seed <n>', 'seed of the weights, shuffle and flips', positiveInteger('--seed'), 1)
  .action(async (options: {
    data?: string; model: ModelKind; epochs?: number; batchSize?: number; learningRate?: number; trainLimit?: number;
    augment: boolean; backend: 'cpu' | 'gpu'; out: string; seed: number;
  }, command: Command) => {
    await selectBackend(options.backend);
    const { trainClassifier } = await import('./train.js');
    const explicitAugment = command.getOptionValueSource('augment') === 'cli';
    const { info } = await trainClassifier({
      data: options.data, model: options.model, epochs: options.epochs, batchSize: options.batchSize, learningRate: options.learningRate,
      trainLimit: options.trainLimit, augment: explicitAugment ? options.augment : undefined, out: options.out, seed: options.seed,
    });
    const { training } = info;
    console.log(`test accuracy ${(training.testAccuracy * 100).toFixed(2)}% (loss ${training.testLoss.toFixed(4)}) after ${training.epochs} epochs on ` +
      `${training.trainImages} images in ${training.seconds.toFixed(1)} s`);
    console.log(`saved to ${options.out}/ (model.json, weights.safetensors, model-info.json, training-curve.svg/.png)`);
  });

program.command('eval')
  .description('accuracy, per-class accuracy and confusion matrix of a saved model on the test images')
  .requiredOption('--model <dir>', 'a model saved by train --out')
  .option('--data <dir>', 'folder of MNIST-style IDX files; default: the folder the model was trained on, else Fashion-MNIST')
  .option('--json', 'print one JSON object with accuracy, perClass and confusion')
  .action(async (options: { model: string; data?: string; json?: boolean }) => {
    const [{ ready }, { loadClassifier }, { loadImageData }, { evaluateClassifier, formatEvaluation }] = await Promise.all([
      import('@dendrite/core'), import('./saved-model.js'), import('./data.js'), import('./evaluate.js')]);
    await ready();
    const classifier = await loadClassifier(options.model);
    const trainedOn = classifier.info.training?.data;
    const data = options.data ?? (trainedOn && existsSync(trainedOn) ? trainedOn : undefined);
    const { test, directory } = await loadImageData(data);
    const evaluation = await evaluateClassifier(classifier, test, directory);
    if (options.json) {
      console.log(JSON.stringify({ accuracy: evaluation.accuracy, perClass: evaluation.perClass, confusion: evaluation.confusion, classNames: evaluation.classNames, count: evaluation.count }));
    } else {
      console.log(`model ${options.model} (${classifier.info.model}) on ${directory}`);
      console.log(formatEvaluation(evaluation));
    }
  });

program.command('predict')
  .description('top-3 classes of PNG/JPEG images (any size and colour)')
  .requiredOption('--model <dir>', 'a model saved by train --out')
  .option('--json', 'print one JSON array of predictions')
  .argument('<images...>', 'PNG or JPEG files')
  .action(async (images: string[], options: { model: string; json?: boolean }) => {
    const [{ ready }, { loadClassifier }, { formatPrediction, predictFiles }] = await Promise.all([
      import('@dendrite/core'), import('./saved-model.js'), import('./predict.js')]);
    await ready();
    const predictions = await predictFiles(await loadClassifier(options.model), images);
    console.log(options.json ? JSON.stringify(predictions) : predictions.map(formatPrediction).join('\n'));
  });

program.command('serve')
  .description('the web page: draw or drop an image, see the prediction; train in the browser')
  .option('--model <dir>', 'a model saved by train --out (without one, train in the page)')
  .option('--data <dir>', 'IDX folder whose training images the page may train on; default Fashion-MNIST')
  .option('--port <n>', 'port on 127.0.0.1', (value) => {
    const port = Number(value);
    if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError(`--port must be an integer from 0 to 65535, got "${value}".`);
    return port;
  }, 8080)
  .action(async (options: { model?: string; data?: string; port: number }) => {
    const [{ ready }, { loadClassifier }, { loadImageData }, { startServer }] = await Promise.all([
      import('@dendrite/core'), import('./saved-model.js'), import('./data.js'), import('./server.js')]);
    await ready();
    const classifier = options.model ? await loadClassifier(options.model) : undefined;
    const dataset = await loadImageData(options.data);
    const { url } = await startServer({ classifier, dataset }, options.port);
    console.log(`serving ${classifier ? `model ${options.model}` : 'no model (train one in the page)'} at ${url} (Ctrl-C stops)`);
  });

// Transfer learning (issue 14): `finetune --from MODEL --data DIR --labels-per-class N …`.
addFinetuneCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const verbose = process.argv.includes('--verbose');
  const message = error instanceof Error ? error.message : String(error);
  console.error(`classifier: ${message.split('\n')[0]}${verbose ? '' : ' (run with --verbose for details)'}`);
  if (verbose && error instanceof Error) console.error(error.stack);
  process.exitCode = 1;
}
