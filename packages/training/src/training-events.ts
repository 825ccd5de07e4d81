import type { BatchEndEvent, Callback, EpochBeginEvent, EpochEndEvent, TrainBeginEvent, TrainEndEvent, TrainingProgress } from './callbacks/callback.js';
import type { Logs } from './types.js';

/**
 * What `Trainer.subscribe` listeners receive: plain, serialisable objects (no tensors, no trainer), so
 * a UI can forward them over postMessage, a WebSocket or server-sent events.
 */
export type TrainingEvent =
  | { type: 'trainBegin'; progress: TrainingProgress }
  | { type: 'epochBegin'; progress: TrainingProgress }
  | { type: 'batchEnd'; progress: TrainingProgress; logs: Logs; examplesInEpoch: number; epochSeconds: number }
  | { type: 'epochEnd'; progress: TrainingProgress; logs: Logs; epochSeconds: number }
  | { type: 'trainEnd'; progress: TrainingProgress; interrupted: boolean; stopReason: string | undefined };

/** A function that receives every {@link TrainingEvent} of a fit (live charts subscribe with one). */
export type TrainingEventListener = (event: TrainingEvent) => void;

/** Fans the trainer's callback hooks out to subscribed listeners (a listener that throws stops training). */
export class TrainingEvents implements Callback {
  private readonly listeners = new Set<TrainingEventListener>();

  subscribe(listener: TrainingEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: TrainingEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  onTrainBegin({ progress }: TrainBeginEvent): void {
    this.emit({ type: 'trainBegin', progress });
  }

  onEpochBegin({ progress }: EpochBeginEvent): void {
    this.emit({ type: 'epochBegin', progress });
  }

  onBatchEnd({ progress, logs, examplesInEpoch, epochSeconds }: BatchEndEvent): void {
    this.emit({ type: 'batchEnd', progress, logs: { ...logs }, examplesInEpoch, epochSeconds });
  }

  onEpochEnd({ progress, logs, epochSeconds }: EpochEndEvent): void {
    this.emit({ type: 'epochEnd', progress, logs: { ...logs }, epochSeconds });
  }

  onTrainEnd({ progress, interrupted, trainer }: TrainEndEvent): void {
    this.emit({ type: 'trainEnd', progress, interrupted, stopReason: trainer.stopReason });
  }
}
