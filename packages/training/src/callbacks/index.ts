export { type BatchEndEvent, type Callback, type EpochBeginEvent, type EpochEndEvent, type GradientsEvent, type TrainBeginEvent, type TrainEndEvent, type TrainerHandle, type TrainingProgress } from './callback.js';
export { History } from './history.js';
export { Monitor, type MonitorMode } from './monitor.js';
export { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
export { LearningRateScheduler, type LearningRateSchedule, type PlateauSchedule, type Schedule } from './learning-rate-scheduler.js';
export { TerminateOnNaN } from './terminate-on-nan.js';
