/** One file of a dataset, with what is known to check it. */
export interface DataFileDescriptor {
  /** File name inside the dataset folder. */
  name: string;
  /**
   * Accepted SHA-256 digests (hex): the upstream release, plus known repacks with identical content
   * (e.g. Debian's re-gzipped Fashion-MNIST). Absent when no digest is published.
   */
  sha256?: readonly string[];
  /** Size in bytes of the upstream file; checked only when no digest is known. */
  bytes?: number;
  /** Optional files are checked when present but not needed to call the dataset complete. */
  optional?: boolean;
}

/** How a dataset is fetched: file by file from a base URL (with mirrors), or as one zip archive. */
export type DownloadSource =
  | { kind: 'files'; baseUrls: string[] }
  | { kind: 'zip'; url: string; sha256?: readonly string[] };

/** Everything the loader needs to find, fetch and verify one dataset. */
export interface DatasetDescriptor {
  /** The name passed to `load`, e.g. `'fashion-mnist'`. */
  name: string;
  /** Folder under a data root (laid out like `DENDRITE_DATA`), e.g. `'movielens/ml-100k'`. */
  directory: string;
  files: DataFileDescriptor[];
  download: DownloadSource;
  /** Terms of use to show the user; MovieLens may not be redistributed. */
  terms: string;
}

/**
 * Fashion-MNIST (Zalando, MIT): IDX gzip files. Each file accepts two digests: the upstream S3 file (as listed by
 * TensorFlow Datasets) and Debian's `dataset-fashion-mnist` repack (same content, gzip header without a file name).
 */
export const FASHION_MNIST_DESCRIPTOR: DatasetDescriptor = {
  name: 'fashion-mnist',
  directory: 'fashion-mnist',
  files: [
    { name: 'train-images-idx3-ubyte.gz', bytes: 26421880, sha256: ['3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84', 'b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7'] },
    { name: 'train-labels-idx1-ubyte.gz', bytes: 29515, sha256: ['a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845', '0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056'] },
    { name: 't10k-images-idx3-ubyte.gz', bytes: 4422102, sha256: ['346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073', 'cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa'] },
    { name: 't10k-labels-idx1-ubyte.gz', bytes: 5148, sha256: ['67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5', '8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05'] },
  ],
  download: { kind: 'files', baseUrls: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'] },
  terms: 'Fashion-MNIST, Copyright 2017 Zalando SE, MIT licence.',
};

/** MNIST (LeCun, Cortes, Burges): IDX gzip files from the mirrors torchvision and TensorFlow use. */
export const MNIST_DESCRIPTOR: DatasetDescriptor = {
  name: 'mnist',
  directory: 'mnist',
  files: [
    { name: 'train-images-idx3-ubyte.gz', bytes: 9912422, sha256: ['440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609'] },
    { name: 'train-labels-idx1-ubyte.gz', bytes: 28881, sha256: ['3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c'] },
    { name: 't10k-images-idx3-ubyte.gz', bytes: 1648877, sha256: ['8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6'] },
    { name: 't10k-labels-idx1-ubyte.gz', bytes: 4542, sha256: ['f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6'] },
  ],
  download: {
    kind: 'files',
    baseUrls: ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'https://storage.googleapis.com/cvdf-datasets/mnist/'],
  },
  terms: 'MNIST, Yann LeCun, Corinna Cortes and Christopher J.C. Burges.',
};

const MOVIELENS_TERMS =
  'MovieLens (GroupLens Research, University of Minnesota): research use only, no redistribution, no commercial use ' +
  'without permission; cite F. M. Harper and J. A. Konstan, ACM TiiS 5(4):19, 2015. Downloaded for you, never shipped.';

/** MovieLens 100K: one zip from GroupLens; members checked against the SHA-256 of the original release. */
export const MOVIELENS_100K_DESCRIPTOR: DatasetDescriptor = {
  name: 'movielens-100k',
  directory: 'movielens/ml-100k',
  files: [
    { name: 'u.data', bytes: 1979173, sha256: ['06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490'] },
    { name: 'u.item', bytes: 236344, sha256: ['553841ebc7de3a0fd0d6b62a204ea30c1e651aacfb2814c7a6584ac52f2c5701'] },
    { name: 'u.user', bytes: 22628, sha256: ['f120e114da2e8cf314fd28f99417c94ae9ddf1cb6db8ce0e4b5995d40e90e62c'] },
    { name: 'u.genre', bytes: 202, sha256: ['9757e0d3e6b298159a80dd48eaf938114690e911e39af97a76949ef1663610bb'] },
    { name: 'README', optional: true, sha256: ['4883b8cf340ed0059971b33f56ad3adc88a40792108ebca3d24aafc4c82e8b52'] },
    { name: 'u.info', optional: true, sha256: ['5b0a40b2e47a729ee6203063f6dcf8790c2e63f5a18663e6ee318a72c5f3c27b'] },
    { name: 'u.occupation', optional: true, sha256: ['cd5fbec9afe345d993a62fc7817df1a4a9079c4feb267b3118763b8fd942137d'] },
    { name: 'u1.base', optional: true, sha256: ['ce253ec86c448b44fb3ba9a30d12dcfc2e9210cbde71efada3730c22e9ac212a'] },
    { name: 'u1.test', optional: true, sha256: ['18c6014a4b2c7324f250a63f8904a7b16b2b19f911129e346141507b0cbac950'] },
    { name: 'u2.base', optional: true, sha256: ['6c06f0b5df4b256da1a994f3ac66edc8da4d3f09bc9282df6b14d893366d703e'] },
    { name: 'u2.test', optional: true, sha256: ['4de658d1e04ed9104629509a2e2528fce833ac8e048280183f1df167632038c3'] },
    { name: 'u3.base', optional: true, sha256: ['afdc155c291c6edc41c0407e39d7462eb98d341e064f0b0a12175b80b3c4af5d'] },
    { name: 'u3.test', optional: true, sha256: ['0f548b51c78327de4c156461d3e430b7e5579fe2b5681586a59416e48fd35f6d'] },
    { name: 'u4.base', optional: true, sha256: ['219f0f4d40dfe9c5141d425f53fa91ee23ed275f14e280bbf1b50117afb064ca'] },
    { name: 'u4.test', optional: true, sha256: ['7c02ad0a1e7ab1083c8b9d4b627203a051dd7b5eab46d99fa44de33470de8db9'] },
    { name: 'u5.base', optional: true, sha256: ['a9574e59ce961eec2121627760b6e9b0974ce1637b3fe69ac32cb14a4bfab485'] },
    { name: 'u5.test', optional: true, sha256: ['351cc52e0d15b6c721466276fc24671d40936899e3d01fadeaf312915b8c5634'] },
    { name: 'ua.base', optional: true, sha256: ['67b5bcdb380c29f85d56a012ecd88612ae020f30a6730d117a334ee8203b91f2'] },
    { name: 'ua.test', optional: true, sha256: ['d0497e202417720f57a184ec8c66be2d1afa4ff41bb53787c57b28d6bf79bc42'] },
    { name: 'ub.base', optional: true, sha256: ['237254d253b6ad7de84f919d041055428646254f34ed8f562703c899430cd881'] },
    { name: 'ub.test', optional: true, sha256: ['d54a72d05730d5892062734b2bec73e976f9b713d18c828a18b968d6cce442da'] },
  ],
  download: { kind: 'zip', url: 'https://files.grouplens.org/datasets/movielens/ml-100k.zip' },
  terms: MOVIELENS_TERMS,
};

/** MovieLens 1M: one zip from GroupLens. ratings.dat has no published SHA-256, so its size is checked. */
export const MOVIELENS_1M_DESCRIPTOR: DatasetDescriptor = {
  name: 'movielens-1m',
  directory: 'movielens/ml-1m',
  files: [
    { name: 'ratings.dat', bytes: 24594131 },
    { name: 'movies.dat', bytes: 171308, sha256: ['0140fc2356357c1a851d0f52e893a1e4d3696df632c4141cea8d5bc3d621f0b9'] },
    { name: 'users.dat', bytes: 134368, sha256: ['1dc3a95300cb19f7c10e027daf29b8cdf1d908dab65b5edfb45950aa389a10a3'] },
    { name: 'README', optional: true, bytes: 5577, sha256: ['2d5ddce86ccbd247207456165827b4b9ddf27282bca93807d4c763e28414f133'] },
  ],
  download: { kind: 'zip', url: 'https://files.grouplens.org/datasets/movielens/ml-1m.zip' },
  terms: MOVIELENS_TERMS,
};

/** UCI Sentiment Labelled Sentences (Kotzias et al., KDD 2015; CC BY 4.0). */
export const SENTIMENT_DESCRIPTOR: DatasetDescriptor = {
  name: 'sentiment',
  directory: 'sentiment-labelled-sentences',
  files: [
    { name: 'amazon_cells_labelled.txt', bytes: 58226, sha256: ['47003fc0a0d4840b00e96e715b6189bad09e7443a3da41c4cbe12ffc79f86ae3'] },
    { name: 'imdb_labelled.txt', bytes: 85283, sha256: ['a5851cfed830b68d4b18fa11f7e9fa85debee7566be0933c9a679ce747c86d67'] },
    { name: 'yelp_labelled.txt', bytes: 61320, sha256: ['c76468b7b5c6e56a0804d728345c5f84aa2142ddb214420f61cc9cfd4c00d2ea'] },
    { name: 'readme.txt', optional: true, sha256: ['736c26aa54e3614459e50314ece0698051f0923d108ed53938dcb1aa0483bfd4'] },
  ],
  download: { kind: 'zip', url: 'https://archive.ics.uci.edu/static/public/331/sentiment+labelled+sentences.zip' },
  terms: 'Sentiment Labelled Sentences, UCI Machine Learning Repository, CC BY 4.0; cite Kotzias et al., KDD 2015.',
};

/** The datasets `load` knows by name. */
export const DATASET_DESCRIPTORS = {
  'fashion-mnist': FASHION_MNIST_DESCRIPTOR,
  mnist: MNIST_DESCRIPTOR,
  'movielens-100k': MOVIELENS_100K_DESCRIPTOR,
  'movielens-1m': MOVIELENS_1M_DESCRIPTOR,
  sentiment: SENTIMENT_DESCRIPTOR,
} as const;

/** A dataset name that `load` accepts. */
export type DatasetName = keyof typeof DATASET_DESCRIPTORS;
