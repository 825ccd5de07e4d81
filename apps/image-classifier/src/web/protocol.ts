// Messages between the page and its training worker.

/** Page → worker: train on the first `count` training images for `epochs`. */
export interface TrainRequest {
  type: 'train';
  count: number;
  epochs: number;
}

/** Worker → page. */
export type WorkerMessage =
  | { type: 'status'; text: string }
  | { type: 'loss'; step: number; epoch: number; loss: number }
  | { type: 'epoch'; epoch: number; logs: Record<string, number> }
  | { type: 'done'; model: Uint8Array; info: { classNames: string[]; height: number; width: number }; seconds: number }
  | { type: 'error'; message: string };
