// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian header
// length N, N bytes of JSON `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__? }`,
// then the tensors' bytes, little-endian, back to back. Every limit the format sets is checked before
// anything is allocated, so a truncated or hostile file costs an error, not memory.

import { formatShape, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkOptions } from '../ops/check-arguments.js';
import { describe } from '../values.js';
import { tensor } from '../ops/creation.js';
import { DendriteError } from '../errors.js';
import { bfloat16BitsToFloat32, float16BitsToFloat32, float32ToFloat16Bits } from './float16.js';

/** A tensor on the host: what the codec reads and writes without touching a backend. */
export interface HostTensor {
  dtype: 'float32' | 'int32';
  shape: number[];
  data: Float32Array | Int32Array;
}

/** A decoded tensor on the host, with the dtype it had in the file (`F16` is widened to float32). */
export interface DecodedHostTensor extends HostTensor {
  storedDtype: SafetensorsDType;
}

/** The file dtypes this codec reads. Floats widen to float32, integers narrow (range-checked) to int32. */
export type SafetensorsDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** Options of the safetensors encoders. */
export interface EncodeSafetensorsOptions {
  /** String key/value pairs stored under `__metadata__`. */
  metadata?: Record<string, string>;
  /** Store float32 tensors as float32 (default) or float16 (half the bytes, ~3 significant digits). */
  dtype?: 'float32' | 'float16';
  /**
   * Names of int32 tensors to store as `I8` (one byte each, e.g. int8-quantized weights); every
   * value must lie in [-128, 127]. They read back as int32.
   */
  int8Tensors?: readonly string[];
}

/** Options of the safetensors decoders. */
export interface DecodeSafetensorsOptions {
  /** Refuse files whose size exceeds this many bytes (default: no limit beyond the format's own). */
  maxBytes?: number;
  /** A name for the bytes (a file path) that every error message starts with. */
  source?: string;
}

/** The largest header the reference implementation accepts (100 MB); a larger one is refused unread. */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

const BYTES_PER_ELEMENT: Record<SafetensorsDType, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

const FLOAT_DTYPES = new Set<SafetensorsDType>(['F64', 'F32', 'F16', 'BF16']);

/**
 * Encode host tensors as safetensors bytes. Tensors are written in name order, so the same record
 * always gives the same bytes.
 *
 * @example
 * ```ts
 * const bytes = encodeSafetensorsHost({ w: { dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) } });
 * ```
 */
export function encodeSafetensorsHost(tensors: Record<string, HostTensor>, options: EncodeSafetensorsOptions = {}): Uint8Array {
  const op = 'encodeSafetensors';
  checkRecord(op, 'tensors', tensors);
  checkOptions(op, options);
  const storeHalf = options.dtype === 'float16';
  if (options.dtype !== undefined && options.dtype !== 'float32' && options.dtype !== 'float16') {
    throw new DendriteError(`${op}: options.dtype must be 'float32' or 'float16', got ${JSON.stringify(options.dtype)}`);
  }
  const header: Record<string, unknown> = {};
  if (options.metadata !== undefined) {
    for (const [key, value] of Object.entries(options.metadata)) {
      if (typeof value !== 'string') throw new DendriteError(`${op}: metadata '${key}' must be a string, got ${typeof value}`);
    }
    header.__metadata__ = options.metadata;
  }
  const int8Names = new Set(options.int8Tensors ?? []);
  for (const name of int8Names) {
    const entry = tensors[name];
    if (entry === undefined || entry.dtype !== 'int32') throw new DendriteError(`${op}: options.int8Tensors names '${name}', which is not an int32 tensor here`);
    const outside = entry.data.findIndex((value) => value < -128 || value > 127);
    if (outside >= 0) throw new DendriteError(`${op}: tensor '${name}' cannot be stored as I8: element ${outside} is ${entry.data[outside]}, outside [-128, 127]`);
  }
  const names = Object.keys(tensors).sort();
  let offset = 0;
  const plan: Array<{ name: string; dtype: SafetensorsDType; begin: number; end: number }> = [];
  for (const name of names) {
    if (name === '__metadata__') throw new DendriteError(`${op}: '__metadata__' is reserved and cannot name a tensor`);
    const { dtype, shape, data } = tensors[name];
    if (!Array.isArray(shape) || shape.some((dim) => !Number.isSafeInteger(dim) || dim < 0)) {
      throw new DendriteError(`${op}: tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
    }
    const size = sizeOf(shape);
    if (data.length !== size) throw new DendriteError(`${op}: tensor '${name}' has ${data.length} values for shape ${formatShape(shape)}`);
    const fileDtype: SafetensorsDType = dtype === 'int32' ? (int8Names.has(name) ? 'I8' : 'I32') : storeHalf ? 'F16' : 'F32';
    if ((dtype === 'int32') !== data instanceof Int32Array) {
      throw new DendriteError(`${op}: tensor '${name}' says dtype ${dtype} but holds a ${data.constructor.name}`);
    }
    const end = offset + size * BYTES_PER_ELEMENT[fileDtype];
    plan.push({ name, dtype: fileDtype, begin: offset, end });
    header[name] = { dtype: fileDtype, shape, data_offsets: [offset, end] };
    offset = end;
  }
  let headerText = JSON.stringify(header);
  // Pad with spaces (the format allows trailing whitespace) so the data starts 8-byte aligned.
  const encoder = new TextEncoder();
  let headerBytes = encoder.encode(headerText);
  const padding = (8 - (headerBytes.length % 8)) % 8;
  if (padding > 0) {
    headerText += ' '.repeat(padding);
    headerBytes = encoder.encode(headerText);
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes.length, true);
  view.setUint32(4, 0, true);
  out.set(headerBytes, 8);
  const dataStart = 8 + headerBytes.length;
  for (const { name, dtype, begin } of plan) {
    const data = tensors[name].data;
    let position = dataStart + begin;
    if (dtype === 'F16') {
      for (let i = 0; i < data.length; i++, position += 2) view.setUint16(position, float32ToFloat16Bits(data[i]), true);
    } else if (dtype === 'F32') {
      for (let i = 0; i < data.length; i++, position += 4) view.setFloat32(position, data[i], true);
    } else if (dtype === 'I8') {
      for (let i = 0; i < data.length; i++, position += 1) view.setInt8(position, data[i]);
    } else {
      for (let i = 0; i < data.length; i++, position += 4) view.setInt32(position, data[i], true);
    }
  }
  return out;
}

/**
 * Decode safetensors bytes to host tensors, checking every limit of the format first: the header
 * length against the byte count, the header JSON, each tensor's dtype, shape and offsets (inside the
 * data, no gaps, no overlaps, size = shape × dtype). Errors name the source and the tensor.
 *
 * @example
 * ```ts
 * const { tensors, metadata } = decodeSafetensorsHost(bytes, { source: 'model.safetensors' });
 * tensors.w.data; // Float32Array
 * ```
 */
export function decodeSafetensorsHost(
  bytes: Uint8Array, options: DecodeSafetensorsOptions = {},
): { tensors: Record<string, DecodedHostTensor>; metadata: Record<string, string> } {
  checkOptions('decodeSafetensors', options);
  const where = `decodeSafetensors${options.source !== undefined ? ` (${options.source})` : ''}`;
  const fail = (message: string): never => {
    throw new DendriteError(`${where}: ${message}`);
  };
  if (!(bytes instanceof Uint8Array)) fail(`expected a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  if (options.maxBytes !== undefined && bytes.length > options.maxBytes) {
    fail(`${bytes.length} bytes exceed the limit of ${options.maxBytes} bytes`);
  }
  if (bytes.length < 8) fail(`${bytes.length} bytes is too short for the 8-byte header length (truncated file?)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLength > SAFETENSORS_MAX_HEADER_BYTES) fail(`header length ${headerLength} exceeds the format's limit of ${SAFETENSORS_MAX_HEADER_BYTES} bytes`);
  if (headerLength > bytes.length - 8) fail(`header length ${headerLength} is larger than the ${bytes.length - 8} bytes after it (truncated file?)`);
  if (headerLength < 2 || bytes[8] !== 0x7b /* { */) fail(`the header is not a JSON object`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    fail(`the header is not valid UTF-8 JSON (${(error as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the header is not a JSON object');
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;

  const metadata: Record<string, string> = {};
  const entries: Array<{ name: string; dtype: SafetensorsDType; shape: number[]; begin: number; end: number }> = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail('__metadata__ must be an object of strings');
      for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof value !== 'string') fail(`__metadata__ '${key}' must be a string, got ${JSON.stringify(value)}`);
        metadata[key] = value as string;
      }
      continue;
    }
    const tensorFail = (message: string): never => fail(`tensor '${name}': ${message}`);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) tensorFail('entry is not an object');
    const { dtype, shape, data_offsets: offsets } = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string' || !(dtype in BYTES_PER_ELEMENT)) {
      tensorFail(`unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(BYTES_PER_ELEMENT).join(', ')})`);
    }
    if (!Array.isArray(shape) || shape.some((dim) => !Number.isSafeInteger(dim) || dim < 0)) {
      tensorFail(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0)) {
      tensorFail(`data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`);
    }
    const [begin, end] = offsets as number[];
    if (begin > end) tensorFail(`data_offsets [${begin}, ${end}] run backwards`);
    if (end > dataLength) tensorFail(`data_offsets [${begin}, ${end}] go past the ${dataLength} data bytes (truncated file?)`);
    const expected = sizeOf(shape as number[]) * BYTES_PER_ELEMENT[dtype as SafetensorsDType];
    if (expected !== end - begin) {
      tensorFail(`shape ${formatShape(shape as number[])} of ${dtype} needs ${expected} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
    }
    entries.push({ name, dtype: dtype as SafetensorsDType, shape: shape as number[], begin, end });
  }
  // The data must be covered exactly: sorted by offset, each tensor starts where the previous ended.
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const entry of byOffset) {
    if (entry.begin < covered) fail(`tensor '${entry.name}': data_offsets [${entry.begin}, ${entry.end}] overlap the previous tensor (which ends at ${covered})`);
    if (entry.begin > covered) fail(`tensor '${entry.name}': a gap of ${entry.begin - covered} bytes before its data_offsets [${entry.begin}, ${entry.end}]`);
    covered = entry.end;
  }
  if (covered !== dataLength) fail(`the tensors cover ${covered} of the ${dataLength} data bytes (trailing bytes or a corrupt header)`);

  const tensors: Record<string, DecodedHostTensor> = {};
  for (const { name, dtype, shape, begin, end } of entries) {
    const position = dataStart + begin;
    const count = (end - begin) / BYTES_PER_ELEMENT[dtype];
    const isFloat = FLOAT_DTYPES.has(dtype);
    const data = isFloat ? new Float32Array(count) : new Int32Array(count);
    readValues(view, position, dtype, data, () => fail(`tensor '${name}': ${dtype} value out of the int32 range`));
    tensors[name] = { dtype: isFloat ? 'float32' : 'int32', storedDtype: dtype, shape, data };
  }
  return { tensors, metadata };
}

function readValues(view: DataView, position: number, dtype: SafetensorsDType, out: Float32Array | Int32Array, outOfRange: () => never): void {
  const count = out.length;
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(position + 4 * i, true);
      return;
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(position + 8 * i, true);
      return;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = float16BitsToFloat32(view.getUint16(position + 2 * i, true));
      return;
    case 'BF16':
      for (let i = 0; i < count; i++) out[i] = bfloat16BitsToFloat32(view.getUint16(position + 2 * i, true));
      return;
    case 'I32':
      for (let i = 0; i < count; i++) out[i] = view.getInt32(position + 4 * i, true);
      return;
    case 'I64':
      for (let i = 0; i < count; i++) {
        const value = view.getBigInt64(position + 8 * i, true);
        if (value > 2147483647n || value < -2147483648n) outOfRange();
        out[i] = Number(value);
      }
      return;
    case 'I16':
      for (let i = 0; i < count; i++) out[i] = view.getInt16(position + 2 * i, true);
      return;
    case 'I8':
      for (let i = 0; i < count; i++) out[i] = view.getInt8(position + i);
      return;
    case 'U8':
    case 'BOOL':
      for (let i = 0; i < count; i++) out[i] = view.getUint8(position + i);
      return;
  }
}

/**
 * Encode tensors (read from any backend) as safetensors bytes, optionally storing floats as float16.
 *
 * @example
 * ```ts
 * const bytes = await encodeSafetensors({ kernel, bias }, { metadata: { format: 'dendrite' } });
 * ```
 */
export function encodeSafetensors(tensors: Record<string, Tensor>, options: EncodeSafetensorsOptions = {}): Promise<Uint8Array> {
  // Misuse is reported by a throw at the call, not by a rejected promise the caller may never await.
  checkRecord('encodeSafetensors', 'tensors', tensors);
  checkOptions('encodeSafetensors', options);
  for (const [name, value] of Object.entries(tensors)) {
    if (!(value instanceof Tensor)) throw new DendriteError(`encodeSafetensors: '${name}' is not a tensor`);
    value.assertAlive('encodeSafetensors');
  }
  return (async () => {
    const host: Record<string, HostTensor> = {};
    for (const [name, value] of Object.entries(tensors)) {
      host[name] = { dtype: value.dtype, shape: [...value.shape], data: await value.data() };
    }
    return encodeSafetensorsHost(host, options);
  })();
}

function checkRecord(op: string, argument: string, value: unknown): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DendriteError(`${op}: argument '${argument}' must be an object of named tensors, got ${describe(value)}`);
  }
}

/**
 * Decode safetensors bytes into tensors on the active backend (float types become float32, integer
 * types int32). Everything is validated before the first tensor is made.
 *
 * @example
 * ```ts
 * const { tensors, metadata } = decodeSafetensors(bytes);
 * ```
 */
export function decodeSafetensors(
  bytes: Uint8Array, options: DecodeSafetensorsOptions = {},
): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  const decoded = decodeSafetensorsHost(bytes, options);
  const tensors: Record<string, Tensor> = {};
  for (const [name, { dtype, shape, data }] of Object.entries(decoded.tensors)) {
    tensors[name] = tensor(data, shape, dtype);
    tensors[name].name = name;
  }
  return { tensors, metadata: decoded.metadata };
}
