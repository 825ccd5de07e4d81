export { RunningSumMetric, type Metric } from './metric.js';
export { Accuracy, TopKAccuracy, type AccuracyOptions } from './accuracy.js';
export { F1Score, Precision, Recall, type ClassificationMetricOptions } from './precision-recall.js';
export { AUC, type AUCOptions } from './auc.js';
export { MeanAbsoluteError, RootMeanSquaredError } from './regression.js';
