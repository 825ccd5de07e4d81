import { resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ready } from '@dendrite/core';
import { loadModelDirectory, type StoredModel } from './model-store.js';
import { RecommenderService, type ScoredMovie } from './service.js';
import { APP_MODELS, DATASETS, trainAndSave, type AppModel, type DatasetId } from './train.js';

/** The recsys command line's commands, run through this one unchanged (listed in --help with these lines). */
const RECSYS_COMMANDS: Record<string, string> = {
  ncf: 'recsys: train and test on NCF-format files (see @dendrite/recsys)',
  evaluate: 'recsys: RMSE/MAE or ranking metrics on MovieLens (see @dendrite/recsys)',
  'build-ncf': 'recsys: write NCF-format files from MovieLens (see @dendrite/recsys)',
};

/** A path as the user typed it, relative to where they ran the command (pnpm runs scripts in the package folder). */
const pathOf = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);

function wholeNumber(flag: string, minimum: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < minimum) {
      throw new InvalidArgumentError(`${flag} must be a whole number ≥ ${minimum}, got ${JSON.stringify(value)}`);
    }
    return parsed;
  };
}

const describeScore = (model: string) =>
  model === 'mf' ? 'score = predicted rating on the 1–5 scale' : 'score = the model\'s preference score (higher ranks first; not a rating)';

function printMovies(heading: string, movies: readonly ScoredMovie[], json: boolean, extra: Record<string, unknown>): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...extra, items: movies })}\n`);
    return;
  }
  process.stdout.write(`${heading}\n`);
  movies.forEach((movie, rank) => {
    const title = movie.year === null ? movie.title : `${movie.title} (${movie.year})`;
    process.stdout.write(`${String(rank + 1).padStart(3)}. ${title.padEnd(52)} ${movie.score.toFixed(4).padStart(8)}  ${movie.genres.join(', ')}\n`);
  });
}

/** Options every {@link lookupCommand} has. */
interface LookupOptions { model: string; count: number; json?: boolean }

/**
 * A command that answers from a saved model (`recommend`, `similar`): --model, the id it looks up
 * (a whole number), -k and --json; the model is loaded for the action and disposed after it.
 */
function lookupCommand<T extends LookupOptions>(
  cli: Command, name: string, description: string, [idFlag, idDescription]: [string, string],
  action: (stored: StoredModel, options: T) => Promise<void>,
): void {
  cli.command(name)
    .description(description)
    .requiredOption('--model <dir>', 'a directory written by train')
    .requiredOption(idFlag, idDescription, wholeNumber(idFlag.split(' ')[0], 0))
    .option('-k, --count <k>', 'how many movies', wholeNumber('-k', 1), 10)
    .option('--json', 'one JSON object on stdout')
    .action(async (options: T) => {
      await ready();
      const stored = await loadModelDirectory(pathOf(options.model));
      try {
        await action(stored, options);
      } finally {
        stored.model.dispose();
      }
    });
}

function program(verbose: { on: boolean }): Command {
  const cli = new Command('recommender')
    .description('Movie recommendations from MovieLens with @dendrite/recsys')
    .option('--verbose', 'print stack traces on errors')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text), outputError: (text, write) => write(`${text.trim().replace(/\s*\n\s*/g, ' ')} (see recommender --help)\n`) })
    .hook('preAction', (command) => { verbose.on = Boolean(command.opts().verbose); });

  cli.command('train')
    .description('train a model on MovieLens and write it to a directory')
    .option('--data <dir>', 'the release\'s folder (u.data … or ratings.dat …) or a data root; default: DENDRITE_DATA, ../shared/data, the cache, or a download')
    .addOption(new Option('--dataset <name>', 'MovieLens release').choices(DATASETS).default('ml-100k'))
    .addOption(new Option('--model <name>', 'als: implicit ALS, bpr: BPR-MF, mf: biased MF on ratings, neumf: neural CF').choices(APP_MODELS).default('als'))
    .option('--out <dir>', 'where to write the model', 'recommender-model')
    .option('--epochs <n>', 'epochs (iterations for ALS); default: the recsys recipe', wholeNumber('--epochs', 1))
    .option('--factors <n>', 'latent factors; default: the recsys recipe', wholeNumber('--factors', 1))
    .option('--seed <n>', 'random seed', wholeNumber('--seed', 0), 1)
    .action(async (options: { data?: string; dataset: DatasetId; model: AppModel; out: string; epochs?: number; factors?: number; seed: number }) => {
      await ready();
      const out = pathOf(options.out);
      const stored = await trainAndSave({
        ...options, data: options.data === undefined ? undefined : pathOf(options.data), out,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      const { summary } = stored;
      stored.model.dispose();
      process.stdout.write(`Trained ${summary.model} on ${summary.dataset} (${summary.users} users, ${summary.items} movies, ${summary.ratings} ratings) in ${summary.seconds} s; saved to ${out}\n`);
    });

  lookupCommand(cli, 'recommend', 'the top movies for a user of the training data', ['--user <id>', 'a MovieLens user id'],
    async (stored, options: LookupOptions & { user: number }) => {
      const data = stored.model.interactions;
      if (data.userIndex(options.user) < 0) {
        const ids = data.userIds.rawIds;
        throw new Error(`user ${options.user} is not in the model's training data (${data.userCount} users, ids ${Math.min(...ids)}…${Math.max(...ids)}); pick one of those, or rate movies as a new user through \`recommender serve\``);
      }
      const answer = await new RecommenderService(stored).recommendations(options.user, options.count);
      printMovies(`Top ${answer.items.length} for user ${options.user} (${stored.summary.model} on ${stored.summary.dataset}; ${describeScore(stored.summary.model)}):`, answer.items, Boolean(options.json), { user: options.user, model: stored.summary.model });
    });

  lookupCommand(cli, 'similar', 'the movies closest to a movie (cosine of the model\'s item vectors)', ['--item <id>', 'a MovieLens movie id'],
    async (stored, options: LookupOptions & { item: number }) => {
      if (!stored.catalog.get(options.item)) throw new Error(`movie ${options.item} is not in the catalogue (${stored.catalog.size} movies); find ids with the web page's search or GET /items?search=`);
      const answer = await new RecommenderService(stored).similar(options.item, options.count);
      printMovies(`Closest to ${stored.catalog.label(options.item)} (cosine similarity of item vectors, 1 = same direction):`, answer.items, Boolean(options.json), { item: options.item, model: stored.summary.model });
    });

  cli.command('serve')
    .description('the HTTP API and the web page')
    .requiredOption('--model <dir>', 'a directory written by train')
    .option('--port <n>', 'TCP port', wholeNumber('--port', 0), 3000)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .action(async (options: { model: string; port: number; host: string }) => {
      await ready();
      const stored = await loadModelDirectory(pathOf(options.model));
      // Loaded on demand: the other commands need neither Fastify nor esbuild.
      const { buildServer } = await import('./server.js');
      const app = await buildServer(new RecommenderService(stored));
      let address: string;
      try {
        address = await app.listen({ port: options.port, host: options.host });
      } catch (error) {
        stored.model.dispose();
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new Error(`--port ${options.port}: ${options.host}:${options.port} is already in use; pick another port with --port`, { cause: error });
        throw error;
      }
      process.stdout.write(`Serving ${stored.summary.model} (${stored.summary.dataset}) at ${address}/  (API: /users/:id/recommendations, /items?search=, /health; Ctrl-C stops)\n`);
      await new Promise<void>((done) => {
        const stop = () => { void app.close().then(() => { stored.model.dispose(); done(); }); };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  for (const [name, description] of Object.entries(RECSYS_COMMANDS)) cli.command(name).description(description).allowUnknownOption().helpOption(false);
  return cli;
}

/**
 * The `recommender` command line: `train`, `recommend`, `similar`, `serve`, and the recsys commands
 * `ncf`, `evaluate`, `build-ncf` (run by @dendrite/recsys' own command line). Returns the exit code;
 * an error is one line on stderr (a stack trace only with --verbose).
 */
export async function run(argv: readonly string[]): Promise<number> {
  if (Object.hasOwn(RECSYS_COMMANDS, argv[0])) return (await import('@dendrite/recsys/cli')).main(argv);
  const verbose = { on: argv.includes('--verbose') };
  try {
    await program(verbose).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message (help, version or a bad flag).
      if (error.exitCode === 0) return 0;
      return error.code === 'commander.help' ? 1 : 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`recommender ${argv[0] ?? ''}: ${message.split('\n').map((line) => line.trim()).filter(Boolean).join(' ')}\n`);
    if (verbose.on && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
