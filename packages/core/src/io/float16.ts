// IEEE 754 half precision <-> single precision, bit-exact, for the safetensors codec.

const floatView = new Float32Array(1);
const bitsView = new Uint32Array(floatView.buffer);

/** The float16 bits nearest to `value` (round to nearest, ties to even; overflow gives ±Infinity). */
export function float32ToFloat16Bits(value: number): number {
  floatView[0] = value;
  const bits = bitsView[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0); // Infinity or a quiet NaN
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00; // too large: Infinity, as every IEEE conversion does
  if (halfExponent <= 0) {
    // Subnormal half (or zero): shift the mantissa with its implicit leading 1 into place, rounding.
    if (halfExponent < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - halfExponent;
    let half = full >>> shift;
    const remainder = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && (half & 1) === 1)) half += 1;
    return sign | half;
  }
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  // Rounding may carry into the exponent, which is exactly right (up to Infinity).
  if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1)) half += 1;
  return sign | half;
}

/** The value of float16 `bits` as a number (exact: every half is a float32). */
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** The value of bfloat16 `bits` (the upper half of a float32). */
export function bfloat16BitsToFloat32(bits: number): number {
  bitsView[0] = (bits & 0xffff) << 16;
  return floatView[0];
}
