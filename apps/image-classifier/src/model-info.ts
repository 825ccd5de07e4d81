// What a saved classifier's folder says about it besides the layers' files (no heavy imports: the CLI
// and the web page read it).

/** The model kinds `train --model` accepts. */
export const MODEL_KINDS = ['mlp', 'cnn'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** What `model-info.json` beside the weights says (read by eval, predict and the web page). */
export interface ModelInfo {
  format: 'dendrite.image-classifier';
  version: 1;
  model: ModelKind;
  classNames: string[];
  height: number;
  width: number;
  /** Where the model was trained and how it did. */
  training: {
    data: string;
    trainImages: number;
    epochs: number;
    batchSize: number;
    learningRate: number;
    augment: boolean;
    seconds: number;
    backend: string;
    testAccuracy: number;
    testLoss: number;
  };
}

export const MODEL_INFO_FILE = 'model-info.json';
