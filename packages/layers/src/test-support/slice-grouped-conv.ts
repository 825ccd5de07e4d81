// Test support (not exported from the package): grouped Conv2D as it was before it took its groups with
// unstack, one `slice` of x and of the kernel per group. Each slice's gradient is padded back to the full
// input (or kernel) shape and the G of them summed, so its backward pass is quadratic in the group count
// (a depthwise conv has as many groups as channels). Kept as the reference Conv2D must match
// (conv2d.test.ts) and as the "before" of scripts/grouped-conv-timing.ts.
import { concat, conv2d, slice, type Padding, type Pair, type Tensor } from '@dendrite/core';

/** The grouped convolution of x [N, H, W, C] with kernel [kh, kw, C / groups, filters], a slice per group; no bias. */
export function groupedConv2dWithSlices(
  x: Tensor, kernel: Tensor, groups: number, options: { stride?: Pair; padding?: Padding; dilation?: Pair },
): Tensor {
  const [kh, kw, inPerGroup, filters] = kernel.shape;
  const outPerGroup = filters / groups;
  const outputs = Array.from({ length: groups }, (_, group) => conv2d(
    slice(x, [0, 0, 0, group * inPerGroup], [-1, -1, -1, inPerGroup]),
    slice(kernel, [0, 0, 0, group * outPerGroup], [kh, kw, inPerGroup, outPerGroup]),
    options));
  return concat(outputs, 3);
}
