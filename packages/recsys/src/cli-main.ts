// `pnpm recommender …`: runs the command line from the sources (the published bin runs dist/cli.js).
import { main } from './cli.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
