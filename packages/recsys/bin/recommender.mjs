#!/usr/bin/env node
// The built command line (dist/cli.js); `pnpm recommender` in the repository runs the sources with tsx.
import { main } from '../dist/cli.js';

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
