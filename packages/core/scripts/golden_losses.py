"""Golden values and gradients of Dendrite's losses, computed by PyTorch in float64.

Run: /usr/bin/python3 packages/core/scripts/golden_losses.py
Writes packages/core/src/ops/fixtures/losses.golden.json (atomically), which losses.golden.test.ts reads.
Inputs are rounded to 4 decimals so float32 holds them closely; every case stores its inputs, options,
the loss value and the gradient (of sum(value * cotangent)) with respect to the first input.
Per-sample weights multiply the unreduced loss, then mean/sum reduce (PyTorch's `weight`, Keras' sample_weight).
"""
import json
import os
import tempfile

import torch
import torch.nn.functional as F

torch.manual_seed(11)
torch.set_default_dtype(torch.float64)


def rounded(tensor):
    return torch.round(tensor * 1e4) / 1e4


def reduce(losses, reduction, weights):
    if weights is not None:
        losses = losses * weights.reshape([weights.shape[0]] + [1] * (losses.dim() - 1))
    if reduction == 'mean':
        return losses.mean()
    if reduction == 'sum':
        return losses.sum()
    return losses


cases = []


def add_case(loss, name, inputs, options, unreduced):
    """unreduced(first_input, *rest) -> per-sample/per-element losses in PyTorch."""
    first = inputs[0]['tensor'].clone().requires_grad_(True)
    rest = [item['tensor'] for item in inputs[1:]]
    reduction = options.get('reduction', 'mean')
    weights = options.get('weights')
    value = reduce(unreduced(first, *rest), reduction, weights)
    cotangent = rounded(torch.rand(value.shape) + 0.5)
    (value * cotangent).sum().backward()
    json_options = {key: (val.tolist() if torch.is_tensor(val) else val) for key, val in options.items()}
    cases.append({
        'loss': loss, 'name': name,
        'inputs': [{'values': item['tensor'].flatten().tolist(), 'shape': list(item['tensor'].shape),
                    'dtype': item.get('dtype', 'float32')} for item in inputs],
        'options': json_options,
        'value': value.detach().flatten().tolist(), 'valueShape': list(value.shape),
        'cotangent': cotangent.flatten().tolist(),
        'gradient': first.grad.flatten().tolist(),
    })


def floats(tensor):
    return {'tensor': tensor}


batch, features = 4, 3
weights = rounded(torch.rand(batch) * 2)
logits = rounded(torch.randn(batch, features) * 3)
logits[0, 0], logits[1, 1], logits[2, 2] = 30.0, -30.0, 0.0
targets = rounded(torch.rand(batch, features))
targets[3] = torch.tensor([0.0, 1.0, 1.0])
probabilities = rounded(torch.rand(batch, features) * 0.96 + 0.02)
prediction = rounded(torch.randn(batch, features) * 2)
target = rounded(torch.randn(batch, features) * 2)
huber_target = prediction.clone()
huber_target[0] += torch.tensor([0.3, -1.7, 4.0])
huber_target[1] += torch.tensor([-0.2, 0.45, -0.9])

for reduction in ['mean', 'sum', 'none']:
    for weighted in [False, True]:
        options = {'reduction': reduction}
        if weighted:
            options['weights'] = weights
        suffix = f'{reduction}{" weighted" if weighted else ""}'
        add_case('sigmoidCrossEntropy', suffix, [floats(logits), floats(targets)], options,
                 lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction='none'))
        add_case('binaryCrossEntropy', suffix, [floats(probabilities), floats(targets)], options,
                 lambda p, t: F.binary_cross_entropy(p, t, reduction='none'))
        add_case('meanSquaredError', suffix, [floats(prediction), floats(target)], options,
                 lambda p, t: F.mse_loss(p, t, reduction='none'))
        add_case('meanAbsoluteError', suffix, [floats(prediction), floats(target)], options,
                 lambda p, t: F.l1_loss(p, t, reduction='none'))
        add_case('huberLoss', suffix, [floats(prediction), floats(huber_target)], options,
                 lambda p, t: F.huber_loss(p, t, reduction='none', delta=1.0))
        add_case('cosineSimilarityLoss', suffix, [floats(prediction), floats(target)], options,
                 lambda p, t: 1 - F.cosine_similarity(p, t, dim=-1, eps=1e-8))

for delta in [0.5, 2.0]:
    add_case('huberLoss', f'delta {delta}', [floats(prediction), floats(huber_target)], {'delta': delta},
             lambda p, t, delta=delta: F.huber_loss(p, t, reduction='none', delta=delta))

classes = 5
class_logits = rounded(torch.randn(6, classes) * 2)
class_logits[0, 0] = 40.0
labels = torch.tensor([0, 3, 4, 1, 1, 2])
label_probabilities = torch.softmax(rounded(torch.randn(6, classes)), dim=1)
label_probabilities = rounded(label_probabilities)
sample_weights = rounded(torch.rand(6) * 2)
for smoothing in [0.0, 0.1]:
    for reduction in ['mean', 'sum', 'none']:
        for weighted in [False, True]:
            options = {'reduction': reduction, 'labelSmoothing': smoothing}
            if weighted:
                options['weights'] = sample_weights
            name = f'int labels smoothing {smoothing} {reduction}{" weighted" if weighted else ""}'
            add_case('softmaxCrossEntropy', name, [floats(class_logits), {'tensor': labels, 'dtype': 'int32'}], options,
                     lambda x, y, s=smoothing: F.cross_entropy(x, y, reduction='none', label_smoothing=s))
    add_case('softmaxCrossEntropy', f'probability labels smoothing {smoothing}',
             [floats(class_logits), floats(label_probabilities)], {'labelSmoothing': smoothing},
             lambda x, y, s=smoothing: F.cross_entropy(x, y, reduction='none', label_smoothing=s))

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'ops', 'fixtures', 'losses.golden.json')
document = {'generator': 'packages/core/scripts/golden_losses.py', 'torch': torch.__version__, 'cases': cases}
directory = os.path.dirname(path)
handle, temporary = tempfile.mkstemp(dir=directory, suffix='.tmp')
with os.fdopen(handle, 'w') as file:
    json.dump(document, file, indent=1)
    file.write('\n')
os.chmod(temporary, 0o644)
os.replace(temporary, path)
print(f'wrote {len(cases)} cases to {os.path.normpath(path)}')
