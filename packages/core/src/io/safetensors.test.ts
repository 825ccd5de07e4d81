import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tensor } from '../ops/creation.js';
import { DendriteError } from '../errors.js';
import {
  decodeSafetensors, decodeSafetensorsHost, encodeSafetensors, encodeSafetensorsHost, type HostTensor,
} from './safetensors.js';
import { float16BitsToFloat32, float32ToFloat16Bits } from './float16.js';

const fixture = (name: string) => new URL(`./__fixtures__/${name}`, import.meta.url);

/** Build a file by hand from a header object and a data section, to test what the decoder refuses. */
function handMade(header: unknown, data: Uint8Array = new Uint8Array(0), headerText = JSON.stringify(header)): Uint8Array {
  const headerBytes = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(out.buffer).setUint32(0, headerBytes.length, true);
  out.set(headerBytes, 8);
  out.set(data, 8 + headerBytes.length);
  return out;
}

describe('safetensors', () => {
  it('reads a file written by PyTorch through an independent writer (F32, F16, BF16, F64, I32, I64, U8, empty, scalar)', () => {
    const bytes = new Uint8Array(readFileSync(fixture('reference.safetensors')));
    const expected = JSON.parse(readFileSync(fixture('reference.json'), 'utf8')) as {
      metadata: Record<string, string>; tensors: Record<string, { dtype: string; shape: number[]; values: number[] }>;
    };
    const { tensors, metadata } = decodeSafetensorsHost(bytes);
    expect(metadata).toEqual(expected.metadata);
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(expected.tensors).sort());
    for (const [name, want] of Object.entries(expected.tensors)) {
      const got = tensors[name];
      expect(got.storedDtype, name).toBe(want.dtype);
      expect(got.shape, name).toEqual(want.shape);
      expect(got.dtype, name).toBe(['I32', 'I64', 'U8'].includes(want.dtype) ? 'int32' : 'float32');
      // Float32 rounding of each stored value is exact (F16/BF16 widen exactly; F64 rounds once).
      const exact = got.dtype === 'int32' ? want.values : want.values.map((v) => Math.fround(v));
      expect(Array.from(got.data), name).toEqual(exact);
    }
    const onDevice = decodeSafetensors(bytes);
    expect(onDevice.tensors['dense.kernel'].shape).toEqual([3, 4]);
    expect(Array.from(onDevice.tensors['dense.bias'].dataSync())).toEqual(expected.tensors['dense.bias'].values.map(Math.fround));
    expect(onDevice.tensors.ids.dtype).toBe('int32');
    for (const t of Object.values(onDevice.tensors)) t.dispose();
  });

  it('round-trips tensors exactly and writes a header the format accepts (aligned, name-ordered)', async () => {
    const kernel = tensor([[1.5, -2, 3e-8], [3.4e38, -0, 7]]);
    const ids = tensor([1, -2, 3], [3], 'int32');
    const bytes = await encodeSafetensors({ kernel, ids }, { metadata: { format: 'dendrite', version: '1' } });
    const headerLength = new DataView(bytes.buffer).getUint32(0, true);
    expect((8 + headerLength) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    expect(header.ids).toEqual({ dtype: 'I32', shape: [3], data_offsets: [0, 12] });
    expect(header.kernel).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [12, 36] });
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ format: 'dendrite', version: '1' });
    expect(Array.from(tensors.kernel.dataSync())).toEqual(Array.from(kernel.dataSync()));
    expect(Object.is(tensors.kernel.dataSync()[4], -0)).toBe(true);
    expect(Array.from(tensors.ids.dataSync())).toEqual([1, -2, 3]);
    for (const t of [kernel, ids, ...Object.values(tensors)]) t.dispose();
  });

  it('stores the int32 tensors named in int8Tensors as I8, one byte each, and refuses values outside int8', async () => {
    const weights = tensor(new Int32Array([-128, -1, 0, 5, 127, 64]), [2, 3], 'int32');
    const other = tensor(new Int32Array([1000]), [1], 'int32');
    const bytes = await encodeSafetensors({ weights, other }, { int8Tensors: ['weights'] });
    const decoded = decodeSafetensorsHost(bytes);
    expect(decoded.tensors.weights.storedDtype).toBe('I8');
    expect(decoded.tensors.other.storedDtype).toBe('I32');
    expect(Array.from(decoded.tensors.weights.data)).toEqual([-128, -1, 0, 5, 127, 64]);
    const withoutInt8 = await encodeSafetensors({ weights, other });
    expect(withoutInt8.length - bytes.length).toBeGreaterThanOrEqual(6 * 3 - 8); // 3 bytes saved per value, less header padding
    await expect(encodeSafetensors({ other }, { int8Tensors: ['other'] })).rejects.toThrow(/'other' cannot be stored as I8: element 0 is 1000/);
    await expect(encodeSafetensors({ other }, { int8Tensors: ['missing'] })).rejects.toThrow(DendriteError);
  });

  it('stores floats as float16 on request, rounding to nearest even', async () => {
    const values = [0, 1, -2.5, 65504, 70000, 1e-8, 6.1035e-5, 0.1, Infinity, NaN];
    const bytes = await encodeSafetensors({ x: tensor(values) }, { dtype: 'float16' });
    const decoded = decodeSafetensorsHost(bytes);
    expect(decoded.tensors.x.storedDtype).toBe('F16');
    const got = Array.from(decoded.tensors.x.data);
    expect(got.slice(0, 5)).toEqual([0, 1, -2.5, 65504, Infinity]);
    expect(got[5]).toBe(0); // below half of the smallest subnormal
    expect(got[6]).toBeCloseTo(6.1035e-5, 8);
    expect(got[7]).toBe(0.0999755859375); // the half nearest 0.1
    expect(got[8]).toBe(Infinity);
    expect(Number.isNaN(got[9])).toBe(true);
    // Every one of the 63,488 finite halves survives half → float → half.
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00) continue;
      if (float32ToFloat16Bits(float16BitsToFloat32(bits)) !== bits) throw new Error(`half 0x${bits.toString(16)} did not round-trip`);
    }
  });

  it('refuses a header length larger than the file before reading or allocating it', () => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setUint32(0, 4_000_000_000, true);
    expect(() => decodeSafetensorsHost(bytes, { source: 'model.safetensors' })).toThrow(
      /decodeSafetensors \(model\.safetensors\): header length 4000000000 exceeds/);
    new DataView(bytes.buffer).setUint32(0, 9, true);
    expect(() => decodeSafetensorsHost(bytes)).toThrow(/header length 9 is larger than the 8 bytes after it/);
    new DataView(bytes.buffer).setUint32(4, 1, true); // a 64-bit length past 2^32
    expect(() => decodeSafetensorsHost(bytes)).toThrow(/exceeds the format's limit/);
    expect(() => decodeSafetensorsHost(new Uint8Array(5))).toThrow(/5 bytes is too short/);
  });

  it('refuses a truncated file, naming the tensor', async () => {
    const bytes = await encodeSafetensors({ a: tensor([1, 2, 3]), b: tensor([4, 5]) });
    expect(() => decodeSafetensorsHost(bytes.subarray(0, bytes.length - 3), { source: 'w.safetensors' })).toThrow(
      /\(w\.safetensors\): tensor 'b': data_offsets \[12, 20\] go past the 17 data bytes/);
  });

  it('refuses overlaps, gaps, trailing bytes and size mismatches, naming the tensor', () => {
    const data = new Uint8Array(16);
    const f32 = (shape: number[], offsets: number[]) => ({ dtype: 'F32', shape, data_offsets: offsets });
    expect(() => decodeSafetensorsHost(handMade({ a: f32([2], [0, 8]), b: f32([2], [4, 12]) }, data))).toThrow(
      /tensor 'b': data_offsets \[4, 12\] overlap the previous tensor/);
    expect(() => decodeSafetensorsHost(handMade({ a: f32([2], [0, 8]), b: f32([1], [12, 16]) }, data))).toThrow(
      /tensor 'b': a gap of 4 bytes/);
    expect(() => decodeSafetensorsHost(handMade({ a: f32([2], [0, 8]) }, data))).toThrow(/cover 8 of the 16 data bytes/);
    expect(() => decodeSafetensorsHost(handMade({ a: f32([3], [0, 8]), b: f32([2], [8, 16]) }, data))).toThrow(
      /tensor 'a': shape \[3\] of F32 needs 12 bytes but data_offsets \[0, 8\] hold 8/);
    expect(() => decodeSafetensorsHost(handMade({ a: { dtype: 'C64', shape: [2], data_offsets: [0, 16] } }, data))).toThrow(
      /tensor 'a': unsupported dtype "C64"/);
    expect(() => decodeSafetensorsHost(handMade({ a: f32([-2], [0, 16]) }, data))).toThrow(/tensor 'a': shape \[-2\]/);
    expect(() => decodeSafetensorsHost(handMade({ a: f32([4], [8, 0]) }, data))).toThrow(/tensor 'a': data_offsets \[8, 0\] run backwards/);
    expect(() => decodeSafetensorsHost(handMade({ a: f32([4], [0]) }, data))).toThrow(/tensor 'a': data_offsets \[0\] is not a pair/);
  });

  it('refuses a header that is not a JSON object, bad metadata, int64 out of range and files over maxBytes', () => {
    expect(() => decodeSafetensorsHost(handMade(null, undefined, '[1,2]'))).toThrow(/not a JSON object/);
    expect(() => decodeSafetensorsHost(handMade(null, undefined, '{"a":'))).toThrow(/not valid UTF-8 JSON/);
    expect(() => decodeSafetensorsHost(handMade({ __metadata__: { n: 3 } }))).toThrow(/__metadata__ 'n' must be a string/);
    const big = new Uint8Array(8);
    new DataView(big.buffer).setBigInt64(0, 2n ** 40n, true);
    expect(() => decodeSafetensorsHost(handMade({ n: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, big))).toThrow(
      /tensor 'n': I64 value out of the int32 range/);
    const ok = handMade({});
    expect(decodeSafetensorsHost(ok).tensors).toEqual({});
    expect(() => decodeSafetensorsHost(ok, { maxBytes: 4 })).toThrow(/exceed the limit of 4 bytes/);
    expect(() => decodeSafetensorsHost('nope' as unknown as Uint8Array)).toThrow(DendriteError);
  });

  it('refuses bad input to the encoder', () => {
    const good: HostTensor = { dtype: 'float32', shape: [2], data: new Float32Array(2) };
    expect(() => encodeSafetensorsHost({ x: { ...good, shape: [3] } })).toThrow(/tensor 'x' has 2 values for shape \[3\]/);
    expect(() => encodeSafetensorsHost({ __metadata__: good })).toThrow(/reserved/);
    expect(() => encodeSafetensorsHost({ x: { ...good, dtype: 'int32' } })).toThrow(/says dtype int32 but holds a Float32Array/);
    expect(() => encodeSafetensorsHost({ x: good }, { metadata: { n: 1 as unknown as string } })).toThrow(/metadata 'n' must be a string/);
    expect(() => encodeSafetensorsHost({ x: good }, { dtype: 'float64' as 'float32' })).toThrow(/options.dtype/);
  });
});
