// PyTorch interop: most pretrained weights exist as PyTorch state dicts. Each layer class names how
// its parameters map to PyTorch's names and layouts (a transpose, a permutation, a split); the
// functions walk a model's sub-layers with dotted names, as torch's state_dict does.

import { DendriteError, Tensor, concat, formatShape, keep, reshape, split, tidy, transpose } from '@dendrite/core';
import { MultiHeadAttention } from './attention.js';
import { Conv1D } from './conv1d.js';
import { Conv2D, Conv2DTranspose } from './conv2d.js';
import { Dense } from './dense.js';
import { Embedding } from './embedding.js';
import type { Layer } from './layer.js';
import { BatchNorm, LayerNorm } from './normalization.js';
import { booleanOption, checkOptionNames } from './options.js';
import { Flatten } from './reshape.js';
import { Sequential } from './sequential.js';
import { PositionalEmbedding } from './positional-embedding.js';
import { Bidirectional } from './recurrent/bidirectional.js';
import { Recurrent } from './recurrent/recurrent.js';

/**
 * Tensors that convert together: `dendrite` names (the layer's own parameters or buffers) and the
 * `pytorch` names they come from. Most groups are one tensor each (identity or a transpose);
 * MultiheadAttention's `in_proj_weight` splits into three kernels.
 */
export interface PyTorchGroup {
  dendrite: string[];
  pytorch: string[];
  toDendrite(values: Tensor[]): Tensor[];
  toPyTorch(values: Tensor[]): Tensor[];
  /** PyTorch entries accepted on load and ignored (BatchNorm's num_batches_tracked). */
  ignoredOnLoad?: boolean;
}

/** One tensor under another name, same layout. */
export function renamed(dendrite: string, pytorch: string): PyTorchGroup {
  return { dendrite: [dendrite], pytorch: [pytorch], toDendrite: (v) => v, toPyTorch: (v) => v };
}

/** One tensor whose axes PyTorch orders differently: Dendrite = transpose(PyTorch, perm). */
export function permuted(dendrite: string, pytorch: string, perm: readonly number[]): PyTorchGroup {
  const inverse = perm.map((_, axis) => perm.indexOf(axis));
  return {
    dendrite: [dendrite], pytorch: [pytorch],
    toDendrite: ([value]) => [transpose(value, perm)],
    toPyTorch: ([value]) => [transpose(value, inverse)],
  };
}

/** Several Dendrite tensors stacked along PyTorch's first axis (in_proj_weight = [q; k; v]), each permuted. */
export function stacked(dendrite: string[], pytorch: string, perm: readonly number[] | null): PyTorchGroup {
  const inverse = perm && perm.map((_, axis) => perm.indexOf(axis));
  return {
    dendrite, pytorch: [pytorch],
    toDendrite: ([value]) => split(value, dendrite.length, 0).map((piece) => (perm ? transpose(piece, perm) : piece)),
    toPyTorch: (values) => [concat(values.map((value) => (inverse ? transpose(value, inverse) : value)), 0)],
  };
}

/** The groups of one layer (its own tensors only; children are walked separately unless `coversChildren`). */
type GroupsOf = (layer: Layer<unknown, unknown>) => { groups: PyTorchGroup[]; coversChildren?: boolean } | null;

function recurrentGroups(layer: Recurrent<boolean>, prefix: string, suffix: string): PyTorchGroup[] {
  const groups = [permuted(`${prefix}kernel`, `weight_ih_l0${suffix}`, [1, 0]), permuted(`${prefix}recurrentKernel`, `weight_hh_l0${suffix}`, [1, 0])];
  if (layer.useBias) groups.push(renamed(`${prefix}bias`, `bias_ih_l0${suffix}`), renamed(`${prefix}recurrentBias`, `bias_hh_l0${suffix}`));
  return groups;
}

function attentionGroups(layer: MultiHeadAttention): PyTorchGroup[] {
  const [queryFeatures, keyFeatures, valueFeatures] = [layer.queryKernel, layer.keyKernel, layer.valueKernel].map((kernel) => kernel.shape[0]);
  // torch packs the three projections in one in_proj_weight when key and value have the query's features.
  const packed = keyFeatures === queryFeatures && valueFeatures === queryFeatures;
  const groups = packed
    ? [stacked(['queryKernel', 'keyKernel', 'valueKernel'], 'in_proj_weight', [1, 0])]
    : [permuted('queryKernel', 'q_proj_weight', [1, 0]), permuted('keyKernel', 'k_proj_weight', [1, 0]), permuted('valueKernel', 'v_proj_weight', [1, 0])];
  groups.push(permuted('outputKernel', 'out_proj.weight', [1, 0]));
  if (layer.useBias) groups.push(stacked(['queryBias', 'keyBias', 'valueBias'], 'in_proj_bias', null), renamed('outputBias', 'out_proj.bias'));
  return groups;
}

const CONVERTERS: GroupsOf[] = [
  (layer) => (layer instanceof Dense
    ? { groups: [permuted('kernel', 'weight', [1, 0]), ...(layer.useBias ? [renamed('bias', 'bias')] : [])] } : null),
  // Conv2d weight OIHW [out, in/groups, kh, kw] → [kh, kw, in/groups, out]; ConvTranspose2d
  // [in, out/groups, kh, kw] → [kh, kw, out, in] (core's conv2dTranspose filter): the same permutation.
  (layer) => (layer instanceof Conv2D || layer instanceof Conv2DTranspose
    ? { groups: [permuted('kernel', 'weight', [2, 3, 1, 0]), ...(layer.useBias ? [renamed('bias', 'bias')] : [])] } : null),
  (layer) => (layer instanceof BatchNorm
    ? {
      groups: [
        ...(layer.gamma ? [renamed('gamma', 'weight')] : []), ...(layer.beta ? [renamed('beta', 'bias')] : []),
        renamed('runningMean', 'running_mean'), renamed('runningVariance', 'running_var'),
        // PyTorch counts batches for momentum=None (a cumulative average); Dendrite has no counterpart.
        { dendrite: [], pytorch: ['num_batches_tracked'], toDendrite: () => [], toPyTorch: () => [], ignoredOnLoad: true },
      ],
    }
    : null),
  (layer) => (layer instanceof LayerNorm
    ? { groups: [...(layer.gamma ? [renamed('gamma', 'weight')] : []), ...(layer.beta ? [renamed('beta', 'bias')] : [])] } : null),
  (layer) => (layer instanceof Embedding ? { groups: [renamed('embeddings', 'weight')] } : null),
  (layer) => (layer instanceof Recurrent ? { groups: recurrentGroups(layer, '', '') } : null),
  // PyTorch keeps both directions in one module: the backward direction's names end in _reverse.
  (layer) => (layer instanceof Bidirectional
    ? { groups: [...recurrentGroups(layer.forwardLayer, 'forward.', ''), ...recurrentGroups(layer.backwardLayer, 'backward.', '_reverse')], coversChildren: true }
    : null),
  // Conv1d weight [filters, in, kernelSize] ↔ kernel [kernelSize, in, filters].
  (layer) => (layer instanceof Conv1D
    ? { groups: [permuted('kernel', 'weight', [2, 1, 0]), ...(layer.useBias ? [renamed('bias', 'bias')] : [])] } : null),
  (layer) => (layer instanceof MultiHeadAttention ? { groups: attentionGroups(layer) } : null),
  // A learned position table is an nn.Embedding in PyTorch; the sinusoidal one has no state.
  (layer) => (layer instanceof PositionalEmbedding ? { groups: layer.kind === 'learned' ? [renamed('embeddings', 'weight')] : [] } : null),
];

/**
 * A Dense after a Flatten of NHWC feature maps [height, width, channels]: PyTorch flattened NCHW maps,
 * so its Linear's input columns run over (channel, row, column) where Dendrite's kernel rows run over
 * (row, column, channel). The rows are reordered, or a CNN's head would load silently wrong.
 */
function denseAfterFlatten(layer: Dense, [height, width, channels]: readonly number[]): PyTorchGroup[] {
  const units = layer.units;
  const kernel: PyTorchGroup = {
    dendrite: ['kernel'], pytorch: ['weight'],
    toDendrite: ([weight]) => [reshape(transpose(reshape(weight, [units, channels, height, width]), [2, 3, 1, 0]), [height * width * channels, units])],
    toPyTorch: ([value]) => [reshape(transpose(reshape(value, [height, width, channels, units]), [3, 2, 0, 1]), [units, channels * height * width])],
  };
  return [kernel, ...(layer.useBias ? [renamed('bias', 'bias')] : [])];
}

/** The NHWC map shape [height, width, channels] a Flatten in a Sequential received, or null. */
function flattenedMapShape(parent: Layer<unknown, unknown>, previous: Layer<unknown, unknown> | null): readonly number[] | null {
  const shape = previous instanceof Flatten && parent instanceof Sequential ? previous.buildInputShape as readonly number[] | null : null;
  return shape && shape.length === 4 ? shape.slice(1) : null;
}

/** Every group of a module with full dotted names on both sides. */
function collectGroups(module: Layer<unknown, unknown>): PyTorchGroup[] {
  const result: PyTorchGroup[] = [];
  const visit = (layer: Layer<unknown, unknown>, prefix: string, mapShape: readonly number[] | null) => {
    const found = layer instanceof Dense && mapShape
      ? { groups: denseAfterFlatten(layer, mapShape) }
      : CONVERTERS.map((converter) => converter(layer)).find((entry) => entry !== null) ?? null;
    const qualify = (group: PyTorchGroup): PyTorchGroup => ({
      ...group, dendrite: group.dendrite.map((name) => prefix + name), pytorch: group.pytorch.map((name) => prefix + name),
    });
    if (found) {
      result.push(...found.groups.map(qualify));
      if (found.coversChildren) return;
    } else {
      // A layer without a converter (a custom one): its own tensors keep their names and layouts.
      const own = [...layer.namedParameters(), ...layer.namedBuffers()].map(([name]) => name).filter((name) => !name.includes('.'));
      result.push(...own.map((name) => qualify(renamed(name, name))));
    }
    let previous: Layer<unknown, unknown> | null = null;
    for (const [name, child] of layer.namedChildren()) {
      visit(child, `${prefix}${name}.`, flattenedMapShape(layer, previous));
      previous = child;
    }
  };
  visit(module, '', null);
  return result;
}

/**
 * Load a PyTorch state dict (names and layouts as `torch.nn.Module.state_dict()` gives them, e.g.
 * read from safetensors) into a built layer or model: Linear `weight [out, in]` → Dense
 * `kernel [in, out]`, Conv `OIHW` → `[kh, kw, in, out]`, RNN/LSTM/GRU `weight_ih_l0`… (and
 * `_reverse` for a Bidirectional), MultiheadAttention `in_proj_weight`…, BatchNorm running
 * statistics. Sub-layers go by dotted names (`0.weight`, `encoder.1.bias`) as in torch.
 *
 * Strict (the default) refuses missing or unexpected keys. Shapes are checked against the layer
 * before anything changes; an error names the PyTorch key, its shape and the shape expected. The
 * keys reported are PyTorch's names.
 *
 * @example
 * ```ts
 * const lstm = new LSTM({ units: 3, returnSequences: true });
 * lstm.build([2, 5, 4]);
 * loadPyTorchStateDict(lstm, { weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 });
 * const ys = lstm.apply(xs);   // == torch.nn.LSTM(4, 3, batch_first=True)(xs)[0]
 * ```
 */
export function loadPyTorchStateDict(
  module: Layer<unknown, unknown>, stateDict: Record<string, Tensor>, options: { strict?: boolean } = {},
): { missingKeys: string[]; unexpectedKeys: string[] } {
  if (options === null || typeof options !== 'object') throw new DendriteError(`loadPyTorchStateDict: options must be an object, got ${String(options)}`);
  checkOptionNames('loadPyTorchStateDict', options, ['strict']);
  const strict = booleanOption(options.strict, 'loadPyTorchStateDict', 'strict', true);
  if (stateDict === null || typeof stateDict !== 'object') throw new DendriteError('loadPyTorchStateDict: stateDict must be an object of tensors');
  const own = module.stateDict();
  if (!module.built && Object.keys(own).length === 0) {
    throw new DendriteError(`loadPyTorchStateDict: '${module.name}' is not built yet; call build(inputShape) or apply it once first`);
  }
  const groups = collectGroups(module);
  const known = new Set(groups.flatMap((group) => group.pytorch));
  const unexpectedKeys = Object.keys(stateDict).filter((key) => !known.has(key));
  const missingKeys = groups.filter((group) => !group.ignoredOnLoad).flatMap((group) => group.pytorch).filter((key) => !(key in stateDict));
  if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
    throw new DendriteError(`loadPyTorchStateDict('${module.name}'): ${[
      missingKeys.length ? `missing keys ${missingKeys.join(', ')}` : '',
      unexpectedKeys.length ? `unexpected keys ${unexpectedKeys.join(', ')}` : '',
    ].filter(Boolean).join('; ')}`);
  }
  tidy(() => {
    const converted: Record<string, Tensor> = {};
    for (const group of groups) {
      if (group.ignoredOnLoad || !group.pytorch.every((key) => key in stateDict)) continue;
      const values = group.pytorch.map((key) => stateDict[key]);
      // The PyTorch shapes this layer expects, from its current tensors converted to PyTorch's layout (a real
      // transpose or concat of each: loading costs a second conversion of every weight).
      const expected = group.toPyTorch(group.dendrite.map((name) => own[name]));
      values.forEach((value, i) => {
        const key = group.pytorch[i];
        if (!(value instanceof Tensor)) throw new DendriteError(`loadPyTorchStateDict: '${key}' is not a tensor`);
        const want = expected[i];
        if (value.dtype !== want.dtype || value.rank !== want.rank || value.shape.some((dim, axis) => dim !== want.shape[axis])) {
          throw new DendriteError(`loadPyTorchStateDict('${module.name}'): '${key}' is ${value.dtype} ${formatShape(value.shape)} but ${
            group.dendrite.join(', ')} needs ${want.dtype} ${formatShape(want.shape)} in PyTorch's layout`);
        }
      });
      group.toDendrite(values).forEach((value, i) => { converted[group.dendrite[i]] = value; });
    }
    module.loadStateDict(converted, { strict: false });
  });
  return { missingKeys, unexpectedKeys };
}

/**
 * The module's parameters and buffers under PyTorch's names and layouts: the inverse of
 * {@link loadPyTorchStateDict}, ready for `torch.nn.Module.load_state_dict` (via safetensors). With
 * `values` (tensors keyed by Dendrite's dotted names, e.g. gradients from `variableGrads`), those are
 * converted instead. The caller owns the returned tensors.
 *
 * @example
 * ```ts
 * const state = pytorchStateDict(lstm);   // { weight_ih_l0: [12, 4], weight_hh_l0: [12, 3], bias_ih_l0, bias_hh_l0 }
 * ```
 */
export function pytorchStateDict(module: Layer<unknown, unknown>, options: { values?: Record<string, Tensor> } = {}): Record<string, Tensor> {
  if (options === null || typeof options !== 'object') throw new DendriteError(`pytorchStateDict: options must be an object, got ${String(options)}`);
  checkOptionNames('pytorchStateDict', options, ['values']);
  const source = options.values ?? module.stateDict();
  const result: Record<string, Tensor> = {};
  tidy(() => {
    for (const group of collectGroups(module)) {
      if (!group.dendrite.every((name) => source[name] instanceof Tensor)) continue;
      group.toPyTorch(group.dendrite.map((name) => source[name])).forEach((value, i) => {
        // A fresh tensor even where the layout is the same, so disposing the result never frees a parameter.
        result[group.pytorch[i]] = keep(value === source[group.dendrite[i]] ? transpose(value, value.shape.map((_, axis) => axis)) : value);
      });
    }
  });
  return result;
}
