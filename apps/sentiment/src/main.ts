#!/usr/bin/env node
// `pnpm sentiment train|eval|predict`: see README.md.
import { runCli } from './cli.js';

process.exitCode = await runCli(process.argv);
