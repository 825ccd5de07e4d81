// The convolution and pooling kernels take their geometry as a block of i32 words in wasm memory
// (filled by wasm-conv.ts and wasm-pool.ts in src/backends/cpu/wasm/ through OperandStaging.words),
// not as a dozen-odd call arguments.

/** Word `index` of the parameter block at `params`. */
// @ts-ignore: decorator
@inline export function word(params: usize, index: i32): i32 {
  return load<i32>(params + (<usize>index << 2));
}
