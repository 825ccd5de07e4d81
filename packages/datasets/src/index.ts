// Universal entry point: everything here runs in Node and in the browser (no node: imports).
// File, cache and download helpers live in '@dendrite/datasets/node'.
export { DatasetError, type DatasetErrorLocation } from './errors.js';
export { SeededRandom } from './random.js';
export { iterateChunks, type ChunkSource } from './chunks.js';
export { IdxStreamParser, isGzip, parseIdx, parseIdxChunks, type IdxData, type IdxTypedArray } from './idx.js';
export {
  FASHION_MNIST_CLASS_NAMES,
  MNIST_CLASS_NAMES,
  idxLabels,
  labeledImagesFromIdx,
  normalizeIdxImages,
  type ImageClassificationData,
  type LabeledImages,
  type NormalizedImages,
} from './mnist.js';
export {
  DATASET_DESCRIPTORS,
  FASHION_MNIST_DESCRIPTOR,
  MNIST_DESCRIPTOR,
  MOVIELENS_100K_DESCRIPTOR,
  MOVIELENS_1M_DESCRIPTOR,
  SENTIMENT_DESCRIPTOR,
  type DataFileDescriptor,
  type DatasetDescriptor,
  type DatasetName,
  type DownloadSource,
} from './catalog.js';
export { decodeLatin1, decodeText, decodeTextChunks, splitLines, splitLinesSync, type TextEncoding } from './text.js';
export { CsvRecordReader } from './csv-records.js';
export {
  csvRows,
  parseCsv,
  parseCsvChunks,
  type CsvColumnArray,
  type CsvColumnType,
  type CsvOptions,
  type CsvRow,
  type CsvSchema,
  type CsvTable,
} from './csv.js';
export { IdMap } from './id-map.js';
export { ratingCount, selectRatings, type Ratings } from './ratings.js';
export {
  MOVIELENS_100K_GENRES,
  MOVIELENS_1M_OCCUPATIONS,
  parseMovieLens100kGenres,
  parseMovieLens100kItems,
  parseMovieLens100kUsers,
  parseMovieLens1mMovies,
  parseMovieLens1mUsers,
  parseRatingLines,
  splitGenres,
  type LineSource,
  type MovieTable,
  type RatingLineOptions,
  type RawRatings,
  type UserTable,
} from './movielens-parsers.js';
export {
  movieLens100kFromLines,
  movieLens1mFromLines,
  movieLensCsvFromChunks,
  type MovieLensData,
  type MovieLensLineSources,
} from './movielens.js';
export { SENTIMENT_FILES, combineSentimentParts, parseSentimentLines, type SentimentData } from './sentiment.js';
export { OOV_ID, PAD_ID, Tokenizer, type SequenceSide, type TokenizerJSON, type TokenizerOptions, type VocabularyOptions } from './tokenizer.js';
export {
  convertChannels,
  decodeImage,
  detectImageFormat,
  imageToArray,
  resizeBilinear,
  type DecodedImage,
  type ImageArray,
  type ImageArrayOptions,
} from './images.js';
export { extractZipMembers } from './zip.js';
export { gatherRows, isTensorData, shapeSize, type BatchArray, type TensorData } from './tensor-data.js';
export { collate, type Collated, type CollateOptions, type Int32Number } from './collate.js';
export { tensorBatches, type CreateTensor, type DisposableTensor, type TensorBatch } from './tensor-batches.js';
export { Dataset, type BatchOptions, type MaybePromise, type ShuffleOptions, type SliceOf } from './dataset.js';
export { splitIndices, type SplitFractions } from './split.js';
export {
  InteractionIndex,
  leaveOneOutSplit,
  randomRatingSplit,
  sampleNegatives,
  withNegatives,
  type NegativeSamplingOptions,
} from './recommender-splits.js';
export { MinMaxScaler, StandardScaler } from './normalize.js';
