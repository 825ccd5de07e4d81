#!/usr/bin/python3
"""Golden values for @dendrite/layers, computed by PyTorch in float64.

Run with Debian's PyTorch 1.13:  /usr/bin/python3 packages/layers/scripts/golden.py
It writes src/__fixtures__/golden.json (atomically: a temporary file, then a rename), which
src/golden.test.ts compares against within 2e-4.

Conventions of the fixture (so the test needs no PyTorch knowledge beyond pytorch.ts):
- `inputs` are in Dendrite's layouts (NHWC images, [batch, length, channels] sequences,
  batch-first recurrent input); the forward functions below permute to PyTorch's layouts inside, so
  input gradients come out in Dendrite's layouts too.
- `params` are PyTorch state-dict entries in PyTorch's layouts; the test loads them through
  loadPyTorchStateDict and converts Dendrite's parameter gradients back with pytorchStateDict.
- The objective differentiated is sum_k sum(outputs[k] * probes[k]); `inputGrads[i]` is null for
  inputs that are not differentiated (indices, masks).
- Masks are 1 for a valid step/token and 0 for padding (Keras' convention). Masked recurrent steps
  carry the state through and output zeros; the reference for that is PyTorch run on each
  sequence's valid steps alone (cross-checked against pack_padded_sequence for right padding).
"""
import json
import math
import os
import sys
import tempfile

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
generator = torch.Generator().manual_seed(20261203)

HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(HERE, '..', 'src', '__fixtures__', 'golden.json')


def uniform(*shape, low=-1.0, high=1.0):
    return torch.rand(*shape, generator=generator) * (high - low) + low


def encode(t, dtype=None):
    values = t.detach().reshape(-1).tolist()
    if dtype == 'int32':
        return {'shape': list(t.shape), 'dtype': 'int32', 'values': [int(v) for v in values]}
    return {'shape': list(t.shape), 'values': [float(f'{v:.8g}') for v in values]}


def randomize(module, scale=0.6):
    """Overwrite every parameter with uniform values, so no case depends on PyTorch's init."""
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.copy_(uniform(*parameter.shape) * scale)
    return module


cases = {}


def record(name, spec, inputs, forward, module=None, extra_params=None, differentiate=None, after=None):
    """Run `forward(*inputs)`; record outputs and gradients of sum(output * probe).

    inputs: list of (tensor, dtype or None); float inputs listed in `differentiate` (default all
    float inputs) get gradients. module: a torch module whose state_dict is the parameter set.
    """
    assert name not in cases, name
    differentiate = differentiate if differentiate is not None else [i for i, (_, d) in enumerate(inputs) if d is None]
    leaves = []
    for index, (value, dtype) in enumerate(inputs):
        if index in differentiate:
            value = value.detach().clone().requires_grad_(True)
        leaves.append(value)
    params = {}
    if module is not None:
        module.zero_grad()
        params_before = {k: v.detach().clone() for k, v in module.state_dict().items()}
    outputs = forward(*leaves)
    if isinstance(outputs, torch.Tensor):
        outputs = [outputs]
    probes = [uniform(*o.shape, low=0.5, high=1.5) for o in outputs]
    objective = sum((o * p).sum() for o, p in zip(outputs, probes))
    objective.backward()
    case = dict(spec)
    case['inputs'] = [encode(v, d) for v, d in inputs]
    case['outputs'] = [encode(o) for o in outputs]
    case['probes'] = [encode(p) for p in probes]
    case['inputGrads'] = [encode(leaves[i].grad) if i in differentiate else None for i in range(len(inputs))]
    if module is not None:
        named = dict(module.named_parameters())
        for key, value in params_before.items():
            params[key] = encode(value, 'int32' if value.dtype == torch.int64 else None)
        case['params'] = params
        case['paramGrads'] = {k: encode(p.grad) for k, p in named.items() if p.grad is not None}
    if extra_params:
        case.setdefault('params', {}).update({k: encode(v) for k, v in extra_params.items()})
    if after is not None:
        case['after'] = {k: encode(v) for k, v in after().items()}
    cases[name] = case


def nhwc_to_nchw(x):
    return x.permute(0, 3, 1, 2)


def nchw_to_nhwc(x):
    return x.permute(0, 2, 3, 1)


# ---------------------------------------------------------------- dense, conv, pools, norms
def dense_cases():
    for activation in ['linear', 'relu', 'sigmoid', 'tanh']:
        linear = randomize(torch.nn.Linear(3, 4))
        act = {'linear': lambda z: z, 'relu': torch.relu, 'sigmoid': torch.sigmoid, 'tanh': torch.tanh}[activation]
        record(f'dense_{activation}', {'layer': 'Dense', 'config': {'units': 4, 'activation': activation}},
               [(uniform(2, 3), None)], lambda x: act(linear(x)), linear)


def conv_cases():
    settings = [
        ('conv2d_valid', {'stride': 1, 'padding': 'valid', 'dilation': 1}, dict(stride=1, padding=0, dilation=1)),
        ('conv2d_stride2_pad1', {'stride': 2, 'padding': 1, 'dilation': 1}, dict(stride=2, padding=1, dilation=1)),
        ('conv2d_dilation2_same', {'stride': 1, 'padding': 'same', 'dilation': 2}, dict(stride=1, padding='same', dilation=2)),
    ]
    for name, config, torch_args in settings:
        conv = randomize(torch.nn.Conv2d(2, 3, 3, **torch_args))
        record(name, {'layer': 'Conv2D', 'config': {'filters': 3, 'kernelSize': 3, **config}},
               [(uniform(2, 5, 5, 2), None)], lambda x: nchw_to_nhwc(conv(nhwc_to_nchw(x))), conv)
    grouped = randomize(torch.nn.Conv2d(4, 6, 3, padding=1, groups=2))
    record('conv2d_groups2', {'layer': 'Conv2D', 'config': {'filters': 6, 'kernelSize': 3, 'stride': 1, 'padding': 1, 'dilation': 1, 'groups': 2}},
           [(uniform(1, 4, 4, 4), None)], lambda x: nchw_to_nhwc(grouped(nhwc_to_nchw(x))), grouped)
    padded_transpose = randomize(torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1))
    record('conv2d_transpose_pad1_output_padding1',
           {'layer': 'Conv2DTranspose', 'config': {'filters': 3, 'kernelSize': 3, 'stride': 2, 'padding': 1, 'outputPadding': 1}},
           [(uniform(1, 3, 3, 2), None)], lambda x: nchw_to_nhwc(padded_transpose(nhwc_to_nchw(x))), padded_transpose)
    transpose = randomize(torch.nn.ConvTranspose2d(2, 3, 3, stride=2))
    record('conv2d_transpose_stride2', {'layer': 'Conv2DTranspose', 'config': {'filters': 3, 'kernelSize': 3, 'stride': 2, 'padding': 'valid'}},
           [(uniform(1, 3, 3, 2), None)], lambda x: nchw_to_nhwc(transpose(nhwc_to_nchw(x))), transpose)
    for name, config, torch_args in [
        ('conv1d_same', {'stride': 1, 'padding': 'same', 'dilation': 1}, dict(stride=1, padding='same', dilation=1)),
        ('conv1d_stride2_dilation2', {'stride': 2, 'padding': 'valid', 'dilation': 2}, dict(stride=2, padding=0, dilation=2)),
    ]:
        conv = randomize(torch.nn.Conv1d(3, 2, 3, **torch_args))
        record(name, {'layer': 'Conv1D', 'config': {'filters': 2, 'kernelSize': 3, **config}},
               [(uniform(2, 7, 3), None)], lambda x: conv(x.permute(0, 2, 1)).permute(0, 2, 1), conv)


def model_cases():
    # A small CNN as torch builds it (NCHW, flatten over channel, row, column), loaded by dotted names into
    # sequential([Conv2D, ReLU, MaxPool2D, Flatten, Dense]) (NHWC): the Linear's columns must be reordered.
    cnn = randomize(torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                                        torch.nn.Linear(12, 2)))
    record('sequential_cnn_flatten_dense', {'layer': 'Sequential', 'config': {'stack': 'conv2d-relu-maxpool-flatten-dense'}},
           [(uniform(2, 6, 6, 2), None)], lambda x: cnn(nhwc_to_nchw(x)), cnn)


def pool_cases():
    record('max_pool2d_2', {'layer': 'MaxPool2D', 'config': {'poolSize': 2, 'stride': 2, 'padding': 'valid'}},
           [(uniform(1, 4, 4, 2), None)], lambda x: nchw_to_nhwc(F.max_pool2d(nhwc_to_nchw(x), 2, 2)))
    record('max_pool2d_3_stride2', {'layer': 'MaxPool2D', 'config': {'poolSize': 3, 'stride': 2, 'padding': 'valid'}},
           [(uniform(1, 5, 5, 2), None)], lambda x: nchw_to_nhwc(F.max_pool2d(nhwc_to_nchw(x), 3, 2)))
    record('avg_pool2d_2', {'layer': 'AvgPool2D', 'config': {'poolSize': 2, 'stride': 2, 'padding': 'valid'}},
           [(uniform(1, 4, 4, 2), None)], lambda x: nchw_to_nhwc(F.avg_pool2d(nhwc_to_nchw(x), 2, 2)))
    record('avg_pool2d_3_stride1', {'layer': 'AvgPool2D', 'config': {'poolSize': 3, 'stride': 1, 'padding': 'valid'}},
           [(uniform(1, 4, 4, 2), None)], lambda x: nchw_to_nhwc(F.avg_pool2d(nhwc_to_nchw(x), 3, 1)))
    record('global_avg_pool2d', {'layer': 'GlobalAvgPool2D', 'config': {}},
           [(uniform(2, 3, 3, 2), None)], lambda x: x.mean(dim=(1, 2)))


def norm_cases():
    for name, shape in [('batch_norm_2d', (2, 3, 3, 2)), ('batch_norm_1d', (4, 3))]:
        channels = shape[-1]
        train_norm = randomize(torch.nn.BatchNorm2d(channels) if len(shape) == 4 else torch.nn.BatchNorm1d(channels))
        with torch.no_grad():
            train_norm.running_mean.copy_(uniform(channels) * 0.5)
            train_norm.running_var.copy_(uniform(channels, low=0.5, high=1.5))
        train_norm.train()
        to_torch = nhwc_to_nchw if len(shape) == 4 else (lambda x: x)
        from_torch = nchw_to_nhwc if len(shape) == 4 else (lambda x: x)
        record(f'{name}_train', {'layer': 'BatchNorm', 'config': {'momentum': 0.1, 'epsilon': 1e-5}, 'training': True},
               [(uniform(*shape, low=-2, high=2), None)], lambda x: from_torch(train_norm(to_torch(x))), train_norm,
               after=lambda: {'running_mean': train_norm.running_mean, 'running_var': train_norm.running_var})
        eval_norm = randomize(torch.nn.BatchNorm2d(channels) if len(shape) == 4 else torch.nn.BatchNorm1d(channels))
        with torch.no_grad():
            eval_norm.running_mean.copy_(uniform(channels) * 0.5)
            eval_norm.running_var.copy_(uniform(channels, low=0.5, high=1.5))
        eval_norm.eval()
        record(f'{name}_eval', {'layer': 'BatchNorm', 'config': {'momentum': 0.1, 'epsilon': 1e-5}, 'training': False},
               [(uniform(*shape, low=-2, high=2), None)], lambda x: from_torch(eval_norm(to_torch(x))), eval_norm)
    layer_norm = randomize(torch.nn.LayerNorm(4))
    record('layer_norm', {'layer': 'LayerNorm', 'config': {'epsilon': 1e-5}},
           [(uniform(2, 3, 4, low=-2, high=2), None)], layer_norm, layer_norm)
    # The functional forms in core, parameters passed as inputs.
    x, gamma, beta = uniform(2, 3, 4, low=-2, high=2), uniform(4, low=0.5, high=1.5), uniform(4)
    record('op_layer_norm', {'op': 'layerNorm', 'options': {'epsilon': 1e-5}},
           [(x, None), (gamma, None), (beta, None)], lambda x, g, b: F.layer_norm(x, (4,), g, b, 1e-5))
    x, gamma, beta = uniform(5, 3, low=-2, high=2), uniform(3, low=0.5, high=1.5), uniform(3)
    record('op_batch_norm_batch_statistics', {'op': 'batchNorm', 'options': {'epsilon': 1e-5}},
           [(x, None), (gamma, None), (beta, None)], lambda x, g, b: F.batch_norm(x, None, None, g, b, True, 0.0, 1e-5))
    x, gamma, beta = uniform(2, 2, 2, 3, low=-2, high=2), uniform(3, low=0.5, high=1.5), uniform(3)
    mean, variance = uniform(3) * 0.5, uniform(3, low=0.5, high=1.5)
    record('op_batch_norm_given_statistics', {'op': 'batchNorm', 'options': {'epsilon': 1e-5}},
           [(x, None), (gamma, None), (beta, None), (mean, None), (variance, None)],
           # PyTorch's batch_norm does not differentiate running statistics; the formula does.
           lambda x, g, b, m, v: (x - m) / torch.sqrt(v + 1e-5) * g + b)


def activation_cases():
    functions = {
        'sigmoid': ({}, torch.sigmoid), 'tanh': ({}, torch.tanh), 'relu': ({}, torch.relu),
        'leakyRelu': ({'alpha': 0.2}, lambda x: F.leaky_relu(x, 0.2)),
        'leakyReluDefault': ({}, lambda x: F.leaky_relu(x, 0.01)),
        'elu': ({'alpha': 1.0}, F.elu), 'selu': ({}, F.selu), 'gelu': ({}, F.gelu),
        'geluTanh': ({'approximate': 'tanh'}, lambda x: F.gelu(x, approximate='tanh')),
        'silu': ({}, F.silu), 'softplus': ({}, F.softplus),
        'softmax': ({'axis': -1}, lambda x: F.softmax(x, -1)), 'logSoftmax': ({'axis': -1}, lambda x: F.log_softmax(x, -1)),
    }
    # Away from relu's kink at 0, where frameworks may choose different subgradients.
    x = uniform(2, 6, low=-3, high=3)
    x = torch.where(x.abs() < 0.05, x + 0.1, x)
    for name, (options, function) in functions.items():
        record(f'activation_{name}', {'op': name.replace('Default', ''), 'options': options}, [(x, None)], function)


def embedding_cases():
    embedding = randomize(torch.nn.Embedding(5, 3))
    indices = torch.tensor([[0, 2, 4], [1, 2, 2]])
    record('embedding', {'layer': 'Embedding', 'config': {'inputDim': 5, 'outputDim': 3}},
           [(indices, 'int32')], embedding, embedding)


# ---------------------------------------------------------------- recurrent
def run_masked(module, x, mask, initial):
    """Keras semantics by construction: each sequence runs over its valid steps alone.

    Returns (sequences [batch, time, directions*units] with zeros at masked steps, final states as
    PyTorch returns them: h [directions, batch, units] (and c for LSTM)).
    """
    batch, time = x.shape[0], x.shape[1]
    outputs, finals = [], []
    for b in range(batch):
        steps = [t for t in range(time) if mask is None or mask[b, t] > 0]
        state = None if initial is None else tuple(s[:, b:b + 1] for s in initial)
        if not isinstance(module, torch.nn.LSTM) and state is not None:
            state = state[0]
        out, final = module(x[b:b + 1, steps], state)
        rows, k = [], 0
        for t in range(time):
            if t in steps:
                rows.append(out[0, k])
                k += 1
            else:
                rows.append(torch.zeros(out.shape[-1]))
        outputs.append(torch.stack(rows))
        finals.append(final if isinstance(final, tuple) else (final,))
    sequences = torch.stack(outputs)
    states = tuple(torch.cat([f[i] for f in finals], dim=1) for i in range(len(finals[0])))
    return sequences, states


def recurrent_case(name, kind, *, units=3, features=2, batch=3, time=4, mask=None, initial=False,
                   return_sequences=True, return_state=False, nonlinearity='tanh', bidirectional=None):
    torch_class = {'SimpleRNN': torch.nn.RNN, 'LSTM': torch.nn.LSTM, 'GRU': torch.nn.GRU}[kind]
    arguments = dict(batch_first=True, bidirectional=bidirectional is not None)
    if kind == 'SimpleRNN':
        arguments['nonlinearity'] = nonlinearity
    module = randomize(torch_class(features, units, **arguments))
    directions = 2 if bidirectional else 1
    inputs = [(uniform(batch, time, features, low=-1.5, high=1.5), None)]
    mask_index = initial_index = None
    if mask is not None:
        mask_index = len(inputs)
        inputs.append((torch.tensor(mask), 'int32'))
    state_count = 2 if kind == 'LSTM' else 1
    if initial:
        initial_index = len(inputs)
        for _ in range(state_count):
            inputs.append((uniform(batch, directions * units) * 0.8, None))

    def forward(*values):
        x = values[0]
        mask_values = values[mask_index] if mask_index is not None else None
        start = None
        if initial_index is not None:
            # Dendrite's initial state is [batch, directions*units]; PyTorch's [directions, batch, units].
            start = tuple(values[initial_index + i].reshape(batch, directions, units).permute(1, 0, 2).contiguous()
                          for i in range(state_count))
        sequences, states = run_masked(module, x, mask_values, start)
        if mask_values is not None and start is None and all(
                all(mask_values[b, t] >= mask_values[b, t + 1] for t in range(time - 1)) for b in range(batch)):
            # Right padding: PyTorch's own packed sequences must agree with the construction.
            lengths = mask_values.sum(dim=1)
            packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            out, final = module(packed)
            out, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=time)
            assert torch.allclose(out, sequences, atol=1e-12), name
            final = final if isinstance(final, tuple) else (final,)
            assert all(torch.allclose(a, b, atol=1e-12) for a, b in zip(final, states)), name
        # Final states as Dendrite returns them: [batch, units] each, forward direction's first (Keras' order).
        flat_states = [s[direction] for direction in range(directions) for s in states]
        if bidirectional == 'sum':
            sequences = sequences[..., :units] + sequences[..., units:]
        if return_sequences:
            primary = sequences
        elif directions == 1:
            primary = flat_states[0]
        else:
            forward_last, backward_last = states[0][0], states[0][1]
            primary = torch.cat([forward_last, backward_last], 1) if bidirectional == 'concat' else forward_last + backward_last
        return [primary, *flat_states] if return_state else [primary]

    config = {'units': units, 'returnSequences': return_sequences, 'returnState': return_state}
    if kind == 'SimpleRNN':
        config['activation'] = nonlinearity
    spec = {'layer': kind, 'config': config, 'maskInput': mask_index, 'initialStateInput': initial_index}
    if bidirectional:
        spec = {'layer': 'Bidirectional', 'inner': kind, 'config': config, 'mergeMode': bidirectional,
                'maskInput': mask_index, 'initialStateInput': initial_index}
    record(name, spec, inputs, forward, module)


def recurrent_cases():
    right = [[1, 1, 1, 1], [1, 1, 0, 0], [1, 1, 1, 0]]
    general = [[0, 0, 1, 1], [1, 0, 1, 1], [1, 1, 1, 0]]
    for kind, prefix in [('SimpleRNN', 'simple_rnn'), ('LSTM', 'lstm'), ('GRU', 'gru')]:
        recurrent_case(f'{prefix}_sequences', kind, return_state=True)
        recurrent_case(f'{prefix}_lengths_mask', kind, mask=right, return_state=True)
        recurrent_case(f'{prefix}_general_mask_last', kind, mask=general, return_sequences=False)
        recurrent_case(f'{prefix}_initial_state', kind, initial=True, return_state=True, time=3)
    recurrent_case('simple_rnn_relu', 'SimpleRNN', nonlinearity='relu', time=3)
    recurrent_case('lstm_long', 'LSTM', batch=2, time=7, features=3, units=2)
    # The contract, literally: LSTM(4, 3, batch_first=True) on xs [2, 5, 4].
    recurrent_case('lstm_contract', 'LSTM', batch=2, time=5, features=4, units=3)
    recurrent_case('bidirectional_lstm_concat_mask', 'LSTM', mask=right, bidirectional='concat')
    recurrent_case('bidirectional_gru_sum_mask', 'GRU', mask=general, bidirectional='sum')
    recurrent_case('bidirectional_rnn_last_state', 'SimpleRNN', mask=right, bidirectional='concat',
                   return_sequences=False, return_state=True)


# ---------------------------------------------------------------- attention
def attention_case(name, *, batch=2, query_length=3, key_length=5, embed=4, heads=2, key_dim=None, value_dim=None,
                   self_attention=False, key_mask=None, causal=False):
    attention = randomize(torch.nn.MultiheadAttention(embed, heads, batch_first=True, kdim=key_dim, vdim=value_dim))
    attention.eval()
    if self_attention:
        inputs = [(uniform(batch, query_length, embed), None)]
    else:
        inputs = [(uniform(batch, query_length, embed), None), (uniform(batch, key_length, key_dim or embed), None),
                  (uniform(batch, key_length, value_dim or embed), None)]
    mask_index = None
    if key_mask is not None:
        mask_index = len(inputs)
        inputs.append((torch.tensor(key_mask), 'int32'))

    def forward(*values):
        query = values[0]
        key, value = (query, query) if self_attention else (values[1], values[2])
        padding = (values[mask_index] == 0) if mask_index is not None else None
        attn_mask = None
        if causal:
            attn_mask = torch.triu(torch.ones(query.shape[1], key.shape[1], dtype=torch.bool), diagonal=1)
        output, _ = attention(query, key, value, key_padding_mask=padding, attn_mask=attn_mask, need_weights=False)
        return output

    record(name, {'layer': 'MultiHeadAttention', 'config': {'numHeads': heads, 'causal': causal},
                  'selfAttention': self_attention, 'maskInput': mask_index}, inputs, forward, attention)


def attention_cases():
    attention_case('mha_cross_padding', key_mask=[[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    attention_case('mha_self_causal', self_attention=True, query_length=4, causal=True)
    attention_case('mha_self_causal_padding', self_attention=True, query_length=4, causal=True,
                   key_mask=[[1, 1, 1, 1], [1, 1, 1, 0]])
    attention_case('mha_key_value_dims', key_dim=3, value_dim=5, heads=2, key_mask=[[1, 1, 1, 1, 0], [1, 1, 0, 0, 0]])


def positional_cases():
    # Sinusoidal (Vaswani et al.): PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(same), added to x.
    x = uniform(2, 5, 6)
    positions = torch.arange(5).unsqueeze(1)
    frequencies = torch.pow(10000.0, -torch.arange(0, 6, 2) / 6)
    table = torch.zeros(5, 6)
    table[:, 0::2] = torch.sin(positions * frequencies)
    table[:, 1::2] = torch.cos(positions * frequencies)
    record('positional_sinusoidal', {'layer': 'PositionalEmbedding', 'config': {'maxLength': 8, 'kind': 'sinusoidal'}},
           [(x, None)], lambda x: x + table)
    learned = randomize(torch.nn.Embedding(8, 6))
    record('positional_learned', {'layer': 'PositionalEmbedding', 'config': {'maxLength': 8, 'kind': 'learned'}},
           [(uniform(2, 5, 6), None)], lambda x: x + learned.weight[:5], learned)


def main():
    dense_cases()
    conv_cases()
    model_cases()
    pool_cases()
    norm_cases()
    activation_cases()
    embedding_cases()
    recurrent_cases()
    attention_cases()
    positional_cases()
    document = {
        'generator': 'packages/layers/scripts/golden.py',
        'torch': torch.__version__,
        'dtype': 'float64',
        'cases': cases,
    }
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(OUTPUT), suffix='.tmp')
    with os.fdopen(handle, 'w') as file:
        json.dump(document, file, separators=(',', ':'))
        file.write('\n')
    os.replace(temporary, OUTPUT)
    print(f'wrote {len(cases)} cases to {os.path.relpath(OUTPUT)} ({os.path.getsize(OUTPUT)} bytes)', file=sys.stderr)


if __name__ == '__main__':
    main()
