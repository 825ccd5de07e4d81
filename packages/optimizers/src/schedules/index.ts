export { applyLearningRateSchedule, type LearningRateSchedule } from './schedule.js';
export { StepDecay, type StepDecayOptions } from './step-decay.js';
export { ExponentialDecay, type ExponentialDecayOptions } from './exponential-decay.js';
export { CosineDecay, type CosineDecayOptions } from './cosine-decay.js';
export { LinearWarmup, type LinearWarmupOptions } from './linear-warmup.js';
export { OneCycle, type OneCycleOptions } from './one-cycle.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './reduce-on-plateau.js';
