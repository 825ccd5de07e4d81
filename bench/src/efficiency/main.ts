// pnpm --filter @dendrite/bench efficiency [--quick]: the efficiency report (see report.ts), as Markdown.

import { ready } from '@dendrite/core';
import { loadFashionMnist } from '../fashion-mnist.js';
import { FULL_OPTIONS, efficiencyReport, formatReport, type EfficiencyOptions } from './report.js';

const quick = process.argv.includes('--quick');
const options: EfficiencyOptions = quick
  ? { ...FULL_OPTIONS, trainImages: 10000, testImages: 10000, mlpEpochs: 2, cnnEpochs: 1, pruneEpochs: 1, timedRuns: 40 }
  : FULL_OPTIONS;
await ready();
const data = await loadFashionMnist();
const report = await efficiencyReport(data, { ...options, log: (message) => console.error(message) });
console.log(formatReport(report, options));
