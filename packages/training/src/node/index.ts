// Node entry point ('@dendrite/training/node'): files (checkpoints, CSV logs, charts) and the terminal
// progress bar. Uses node:fs and native rendering, so it is not for browser bundles; the universal API
// is re-exported.
export * from '../index.js';
export { writeFileAtomically } from './write-atomically.js';
export { loadCheckpoint, saveCheckpoint } from './checkpoint-files.js';
export { ModelCheckpoint, type ModelCheckpointOptions } from './model-checkpoint.js';
export { CSVLogger } from './csv-logger.js';
export { ProgressBar, formatLogs, type ProgressBarOptions, type ProgressOutput } from './progress-bar.js';
export { renderHistoryPng, renderHistorySvg, saveHistoryChart } from './charts.js';
