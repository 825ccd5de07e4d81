// @dendrite/training: the training loop (universal: runs in Node and the browser).
// Files, Ctrl-C-safe checkpoints, the terminal progress bar, CSV logs and chart rendering live in
// '@dendrite/training/node'.
export { Trainer, type EvaluateOptions, type TrainerOptions } from './trainer.js';
export type { FitOptions } from './fit-options.js';
export type { ArrayData, BatchSource, Loadable, TrainingData } from './data.js';
export type { Batch, Logs, OptimizerState, TensorData, TrainableModel, TrainableOptimizer } from './types.js';
export * from './metrics/index.js';
export * from './callbacks/index.js';
export type { TrainingEvent, TrainingEventListener } from './training-events.js';
export { decodeCheckpoint, encodeCheckpoint, type ProgressState, type TrainingState } from './checkpoint-state.js';
export { historyChartSpec, type HistoryChartOptions } from './chart-spec.js';
