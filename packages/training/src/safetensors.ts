import { DendriteError } from '@dendrite/core';

// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian header
// length, a JSON header naming each tensor's dtype, shape and byte range (plus string metadata), then
// the raw little-endian data. Checkpoints use it so that PyTorch and other tools can read the weights.
// TODO(lead): when @dendrite/core's safetensors codec lands (branch `layers`), replace this module's
// body with re-exports of core's encodeSafetensors/decodeSafetensors.

/** One tensor's values on the host. */
export interface HostTensor {
  dtype: 'float32' | 'int32';
  shape: readonly number[];
  data: Float32Array | Int32Array;
}

const DTYPE_NAMES = { float32: 'F32', int32: 'I32' } as const;

/** Encodes tensors (and string metadata) as safetensors bytes. */
export function encodeSafetensors(tensors: Record<string, HostTensor>, options: { metadata?: Record<string, string> } = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (options.metadata) header.__metadata__ = options.metadata;
  let offset = 0;
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const { dtype, shape, data } = tensors[name];
    const size = shape.reduce((product, dimension) => product * dimension, 1);
    if (size !== data.length) throw new DendriteError(`encodeSafetensors: tensor "${name}" has ${data.length} values, its shape [${shape}] needs ${size}`);
    header[name] = { dtype: DTYPE_NAMES[dtype], shape: [...shape], data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  let headerBytes = new TextEncoder().encode(JSON.stringify(header));
  // Pad with spaces to 8 bytes so the data that follows is aligned.
  const padded = Math.ceil(headerBytes.length / 8) * 8;
  if (padded !== headerBytes.length) {
    const spaced = new Uint8Array(padded).fill(0x20);
    spaced.set(headerBytes);
    headerBytes = spaced;
  }
  const bytes = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  bytes.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const name of names) {
    const { data } = tensors[name];
    bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), position);
    position += data.byteLength;
  }
  return bytes;
}

/** Decodes safetensors bytes (F32 and I32 tensors) into host tensors and metadata. */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors'): { tensors: Record<string, HostTensor>; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new DendriteError(`decodeSafetensors: ${source} is ${bytes.length} bytes, too short for a header`);
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + headerLength > bytes.length) throw new DendriteError(`decodeSafetensors: ${source} header says ${headerLength} bytes, the file has ${bytes.length - 8}`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    throw new DendriteError(`decodeSafetensors: ${source} header is not JSON (${(error as Error).message})`);
  }
  const dataStart = 8 + headerLength;
  const tensors: Record<string, HostTensor> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: [begin, end] } = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (dtype !== 'F32' && dtype !== 'I32') throw new DendriteError(`decodeSafetensors: ${source} tensor "${name}" has dtype ${dtype}; only F32 and I32 are read`);
    if (dataStart + end > bytes.length || begin > end) throw new DendriteError(`decodeSafetensors: ${source} tensor "${name}" bytes [${begin}, ${end}) lie outside the file`);
    // Copy: the file's bytes need not be 4-byte aligned for a typed-array view.
    const raw = bytes.slice(dataStart + begin, dataStart + end);
    const data = dtype === 'F32' ? new Float32Array(raw.buffer) : new Int32Array(raw.buffer);
    const size = shape.reduce((product, dimension) => product * dimension, 1);
    if (size !== data.length) throw new DendriteError(`decodeSafetensors: ${source} tensor "${name}" has ${data.length} values, its shape [${shape}] needs ${size}`);
    tensors[name] = { dtype: dtype === 'F32' ? 'float32' : 'int32', shape, data };
  }
  return { tensors, metadata: (header.__metadata__ as Record<string, string> | undefined) ?? {} };
}
