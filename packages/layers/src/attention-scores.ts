import {
  DendriteError, add, dropout as dropoutOp, formatShape, matmul, mul, notEqual, reshape, softmax, sub, tensor, transpose,
  type Tensor,
} from '@dendrite/core';

/**
 * Added to the scores of disallowed (query, key) pairs before the softmax. Large enough that
 * exp underflows to exactly 0 in float32, finite so that a fully masked row gives uniform weights
 * rather than PyTorch's NaN.
 */
const MASKED_SCORE = -1e9;

/** Which keys each query may attend to; combined, a masked score is -1e9 before the softmax. */
export interface AttentionMasks {
  /** Shape [batch, keyLength]: 1 for a real token, 0 for padding. */
  keyMask?: Tensor | null;
  /** Shape [queryLength, keyLength] or [batch, queryLength, keyLength]: 1 where the query may attend to the key. */
  attentionMask?: Tensor | null;
  /** Query i attends only to keys j <= i. */
  causal?: boolean;
}

/** The additive score bias of the masks, broadcastable to [batch, heads, queryLength, keyLength], or null. */
export function maskBias(layer: string, batch: number, queryLength: number, keyLength: number, masks: AttentionMasks): Tensor | null {
  const allowed: Tensor[] = [];
  if (masks.keyMask) {
    const keyMask = masks.keyMask;
    if (keyMask.rank !== 2 || keyMask.shape[0] !== batch || keyMask.shape[1] !== keyLength) {
      throw new DendriteError(`${layer}: keyMask ${formatShape(keyMask.shape)} does not match [batch, keyLength] = [${batch}, ${keyLength}]`);
    }
    allowed.push(reshape(asFloat(keyMask), [batch, 1, 1, keyLength]));
  }
  if (masks.attentionMask) {
    const mask = masks.attentionMask;
    const fits = (mask.rank === 2 && mask.shape[0] === queryLength && mask.shape[1] === keyLength)
      || (mask.rank === 3 && mask.shape[0] === batch && mask.shape[1] === queryLength && mask.shape[2] === keyLength);
    if (!fits) {
      throw new DendriteError(`${layer}: attentionMask ${formatShape(mask.shape)} is neither [queryLength, keyLength] = [${queryLength}, ${keyLength}] nor [batch, queryLength, keyLength]`);
    }
    allowed.push(mask.rank === 2 ? asFloat(mask) : reshape(asFloat(mask), [batch, 1, queryLength, keyLength]));
  }
  if (masks.causal) {
    const values = new Float32Array(queryLength * keyLength);
    for (let i = 0; i < queryLength; i++) values.fill(1, i * keyLength, i * keyLength + Math.min(keyLength, i + 1));
    allowed.push(tensor(values, [queryLength, keyLength]));
  }
  if (allowed.length === 0) return null;
  const all = allowed.reduce((a, b) => mul(a, b));
  // (1 − allowed) · MASKED_SCORE: 0 where allowed, MASKED_SCORE elsewhere.
  return mul(sub(1, all), MASKED_SCORE);
}

/** 1 where the mask is non-zero, else 0, as float32 (masks may be float or int32, 0/1 or any non-zero). */
function asFloat(mask: Tensor): Tensor {
  return notEqual(mask, 0);
}

/**
 * Scaled dot-product attention over heads: softmax(q·kᵀ / √keyDim + maskBias) · v, for q
 * [batch, heads, queryLength, keyDim], k [batch, heads, keyLength, keyDim], v [batch, heads, keyLength, valueDim].
 * Returns [batch, queryLength, heads·valueDim] (heads concatenated, as PyTorch and Keras lay them out).
 */
export function scaledDotProductAttention(
  q: Tensor, k: Tensor, v: Tensor, bias: Tensor | null, dropout: { rate: number; seed: number } | null,
): Tensor {
  const [batch, heads, queryLength, keyDim] = q.shape;
  const valueDim = v.shape[3];
  let scores = matmul(mul(q, 1 / Math.sqrt(keyDim)), k, { transposeB: true });
  if (bias) scores = add(scores, bias);
  let weights = softmax(scores, -1);
  if (dropout && dropout.rate > 0) weights = dropoutOp(weights, dropout.rate, dropout.seed);
  const context = matmul(weights, v);
  return reshape(transpose(context, [0, 2, 1, 3]), [batch, queryLength, heads * valueDim]);
}

/** [batch, length, heads·depth] → [batch, heads, length, depth]. */
export function splitHeads(x: Tensor, heads: number): Tensor {
  const [batch, length, width] = x.shape;
  return transpose(reshape(x, [batch, length, heads, width / heads]), [0, 2, 1, 3]);
}
