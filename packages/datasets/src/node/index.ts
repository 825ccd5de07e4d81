// Node entry point ('@dendrite/datasets/node'): files, streams, cache and download. Uses node:fs, node:zlib,
// node:crypto, node:os and node:path, so it is not for browser bundles; the universal API is re-exported.
export * from '../index.js';
export { fileError, readFileChunks, readFileLines } from './file-chunks.js';
export { readCsvFile, readIdxFile, readImageFile, streamCsvFile } from './read-files.js';
export {
  loadIdxClassification,
  loadMnistDirectory,
  loadMovieLens100kDirectory,
  loadMovieLens1mDirectory,
  loadMovieLensCsvDirectory,
  loadSentimentDirectory,
  type IdxClassificationFiles,
} from './loaders.js';
export {
  cacheDirectoryFor,
  candidateDirectories,
  defaultCacheDirectory,
  locateDataset,
  missingFiles,
  type CandidateDirectory,
  type LocateOptions,
} from './locate.js';
export { ProgressBar, formatBytes, type ProgressStream } from './progress.js';
export { downloadFile, sha256Of, type DownloadOptions } from './download.js';
export { writeFileAtomically } from './write-atomically.js';
export { ensureDataset, type EnsureDatasetOptions } from './ensure-dataset.js';
export { load, type LoadOptions, type LoadedDatasets } from './load.js';
