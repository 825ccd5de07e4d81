// `pnpm recommender …`: the app's command line from the sources (`node dist/main.js` once built).
import { run } from './cli.js';

// Exit explicitly once the command is done: nothing left running (a worker, a timer) may keep a
// finished command alive. stdout and stderr are synchronous for files and pipes on Linux, so nothing is cut.
run(process.argv.slice(2)).then((code) => process.exit(code));
