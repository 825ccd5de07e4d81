import { isAbsolute, resolve } from 'node:path';
import { getBackendInfo, ready } from '@dendrite/core';
import { ProgressBar } from '@dendrite/training/node';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { HELD_OUT_FRACTION, HELD_OUT_SEED, SOURCES, loadSentences, locateData, parseSources, splitSentences } from './data.js';
import { AppError } from './errors.js';
import { ENCODER_KINDS, type EncoderKind } from './model.js';
import { loadSentimentModel, readTrainingRecord, saveSentimentModel } from './store.js';
import { DEFAULT_RECIPE, accuracyOn, predictProbabilities, trainSentiment } from './train.js';

/** Where the CLI writes: the process's streams, or a test's buffers. */
export interface CliOutput {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
}

// Relative paths mean relative to where the user typed the command: `pnpm sentiment` runs this from
// apps/sentiment, and pnpm keeps the original directory in INIT_CWD.
function userPath(path: string): string {
  return isAbsolute(path) ? path : resolve(process.env.INIT_CWD ?? process.cwd(), path);
}

function positiveInteger(name: string) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError(`${name} must be a positive integer.`);
    return number;
  };
}

function fraction(name: string, zeroAllowed: boolean) {
  return (value: string): number => {
    const number = Number(value);
    if (!(zeroAllowed ? number >= 0 : number > 0) || !(number < 1)) throw new InvalidArgumentError(`${name} must be a number in ${zeroAllowed ? '[0' : '(0'}, 1).`);
    return number;
  };
}

interface TrainFlags {
  data?: string; model: EncoderKind; out: string; epochs?: number; sources?: string; initFrom?: string; seed?: number;
  batchSize?: number; learningRate?: number; dropout?: number; embeddingDim?: number; units?: number; maxLength?: number; minCount?: number;
}

const percent = (value: number) => `${(value * 100).toFixed(2)}%`;

/**
 * Runs `dendrite-sentiment train|eval|predict` with `argv` (as `process.argv`) and returns the exit code.
 * A user-facing problem prints one `error: …` line on stderr (with the stack under `--verbose`).
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(['node', 'main.js', 'predict', '--model', 'runs/sentiment', 'Great phone!']);
 * ```
 */
export async function runCli(argv: readonly string[], output: CliOutput = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const print = (line = '') => output.stdout.write(`${line}\n`);
  const program = new Command('sentiment')
    .description('Sentence sentiment with an LSTM over word embeddings (UCI Sentiment Labelled Sentences)')
    .option('--verbose', 'print stack traces of errors')
    .exitOverride()
    .configureOutput({ writeOut: (text) => output.stdout.write(text), writeErr: (text) => output.stderr.write(text) });

  program.command('train')
    .description(`train on the seeded ${100 - HELD_OUT_FRACTION * 100}% of the sentences and report held-out accuracy`)
    .option('--data <dir>', 'folder with amazon/imdb/yelp_labelled.txt (default: $DENDRITE_DATA or ../shared/data)')
    .addOption(new Option('--model <kind>', 'recurrent encoder').choices(ENCODER_KINDS).default(DEFAULT_RECIPE.encoder))
    .option('--out <dir>', 'where to save the model', 'sentiment-model')
    .option('--epochs <n>', `most epochs (early stopping may end sooner; default ${DEFAULT_RECIPE.epochs})`, positiveInteger('--epochs'))
    .option('--sources <list>', `train on these sources only (comma-separated from ${SOURCES.join(', ')})`)
    .option('--init-from <dir>', 'start the embedding and LSTM from this saved model (its tokenizer is reused)')
    .option('--seed <n>', 'seed of the weights and shuffles', positiveInteger('--seed'))
    .option('--batch-size <n>', `examples per step (default ${DEFAULT_RECIPE.batchSize})`, positiveInteger('--batch-size'))
    .option('--learning-rate <x>', `Adam's learning rate (default ${DEFAULT_RECIPE.learningRate})`, fraction('--learning-rate', false))
    .option('--dropout <x>', `dropout on word and sentence vectors (default ${DEFAULT_RECIPE.dropout})`, fraction('--dropout', true))
    .option('--embedding-dim <n>', `word vector length (default ${DEFAULT_RECIPE.embeddingDim})`, positiveInteger('--embedding-dim'))
    .option('--units <n>', `recurrent units (default ${DEFAULT_RECIPE.units})`, positiveInteger('--units'))
    .option('--max-length <n>', `tokens kept per sentence (default ${DEFAULT_RECIPE.maxLength})`, positiveInteger('--max-length'))
    .option('--min-count <n>', `rarer training words become OOV (default ${DEFAULT_RECIPE.minCount})`, positiveInteger('--min-count'))
    .action(async (options: TrainFlags, command: Command) => {
      const sources = parseSources(options.sources);
      if (options.initFrom !== undefined) {
        // The pre-trained model fixes the shape and the vocabulary; a flag that would change them cannot apply.
        const fixed = ['model', 'embeddingDim', 'units', 'maxLength', 'minCount', 'dropout'].filter((name) => command.getOptionValueSource(name) === 'cli');
        if (fixed.length > 0) {
          const flags = fixed.map((name) => `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`).join(', ');
          throw new AppError(`${flags} cannot be combined with --init-from: the pre-trained model's shape and tokenizer are reused`);
        }
      }
      const directory = locateData(options.data === undefined ? undefined : userPath(options.data));
      const initFrom = options.initFrom === undefined ? undefined : await loadSentimentModel(userPath(options.initFrom));
      const data = await loadSentences(directory);
      await ready();
      print(`Dendrite sentiment: ${initFrom ? `${initFrom.model.encoderKind} from ${options.initFrom}` : options.model} on ${sources.join(', ')} (backend ${getBackendInfo().name})`);
      const result = await trainSentiment(data, {
        encoder: options.model, epochs: options.epochs, sources, initFrom, seed: options.seed, batchSize: options.batchSize,
        learningRate: options.learningRate, dropout: options.dropout, embeddingDim: options.embeddingDim, units: options.units,
        maxLength: options.maxLength, minCount: options.minCount,
        callbacks: [new ProgressBar({ output: output.stdout as never })],
      });
      const out = userPath(options.out);
      const record = {
        encoder: result.model.encoderKind, sources, initFrom: options.initFrom ?? null, epochs: result.history.epochs.length,
        seconds: Number(result.seconds.toFixed(1)), trainSentences: result.trainCount, heldOutSentences: result.heldOutCount,
        heldOutAccuracy: result.heldOutAccuracy, stopReason: result.history.stopReason ?? null, vocabulary: result.tokenizer.size,
        recipe: result.recipe, history: result.history.values,
      };
      await saveSentimentModel(out, result, record);
      print(`Trained ${record.epochs} epochs on ${result.trainCount} sentences in ${result.seconds.toFixed(1)} s${result.history.stopReason ? ` (${result.history.stopReason})` : ''}`);
      print(`Held-out accuracy: ${percent(result.heldOutAccuracy)} on ${result.heldOutCount} sentences (seeded ${HELD_OUT_FRACTION * 100}%, seed ${HELD_OUT_SEED})`);
      print(`Saved to ${out}`);
    });

  program.command('eval')
    .description(`accuracy on the seeded held-out ${HELD_OUT_FRACTION * 100}% (never trained on)`)
    .requiredOption('--model <dir>', 'a model saved by train')
    .option('--data <dir>', 'folder with amazon/imdb/yelp_labelled.txt')
    .option('--sources <list>', 'evaluate on these sources only')
    .option('--json', 'print one JSON object')
    .action(async (options: { model: string; data?: string; sources?: string; json?: boolean }) => {
      const sources = parseSources(options.sources);
      const modelDirectory = userPath(options.model);
      const { model, tokenizer } = await loadSentimentModel(modelDirectory);
      const data = await loadSentences(locateData(options.data === undefined ? undefined : userPath(options.data)));
      await ready();
      const { heldOut } = splitSentences(data, sources);
      const perSource = Object.fromEntries(sources.map((source) => {
        const part = splitSentences(data, [source]).heldOut;
        return [source, { accuracy: accuracyOn(model, tokenizer, part), count: part.texts.length }];
      }));
      const accuracy = accuracyOn(model, tokenizer, heldOut);
      if (options.json) {
        print(JSON.stringify({ accuracy, count: heldOut.texts.length, perSource, training: await readTrainingRecord(modelDirectory) }));
        return;
      }
      print(`Held-out accuracy: ${percent(accuracy)} on ${heldOut.texts.length} sentences (seeded ${HELD_OUT_FRACTION * 100}%, seed ${HELD_OUT_SEED})`);
      for (const [source, part] of Object.entries(perSource)) print(`  ${source.padEnd(7)} ${percent(part.accuracy)} of ${part.count}`);
    });

  program.command('predict')
    .description('label and positive-class probability of each text')
    .requiredOption('--model <dir>', 'a model saved by train')
    .option('--json', 'print a JSON array')
    .argument('<text...>', 'sentences to classify')
    .action(async (texts: string[], options: { model: string; json?: boolean }) => {
      const { model, tokenizer } = await loadSentimentModel(userPath(options.model));
      await ready();
      const probabilities = predictProbabilities(model, tokenizer, texts);
      const rows = texts.map((text, i) => ({ text, label: probabilities[i] > 0.5 ? 'positive' : 'negative', probability: probabilities[i] }));
      if (options.json) {
        print(JSON.stringify(rows));
        return;
      }
      for (const row of rows) print(`${row.label.padEnd(8)} ${row.probability.toFixed(3)}  ${row.text}`);
    });

  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    // Commander has already printed its own one-line message (unknown option, bad choice, missing argument).
    if (error instanceof CommanderError) return error.exitCode;
    const message = error instanceof Error ? error.message : String(error);
    output.stderr.write(`error: ${message.split('\n')[0]}\n`);
    if (program.opts().verbose && error instanceof Error && error.stack) output.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
