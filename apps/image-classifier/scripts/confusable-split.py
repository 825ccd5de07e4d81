"""Chooses the README's `confusable` and `paired` transfer splits by rules fixed before any transfer result was seen.

Both rules read one confusion matrix: train the transfer CNN's network (conv 3x3x16 -> max-pool -> conv 3x3x32 -> max-pool -> dense 64 -> dense 10)
from scratch on the first 50,000 Fashion-MNIST training images (2 epochs, Adam 1e-3, batch 64, seed 0, one thread),
count its confusions on the last 10,000 training images (validation: the test set is never used).
- `confusable`: learn the five classes whose mutual confusions (i mistaken for j or j for i, both in the five) are
  the most; the other five are pre-trained on.
- `paired` (near transfer): pair the classes greedily by mutual confusion (the unpaired pair with the most mutual
  confusions first, ties to the lower labels), and in each pair pre-train on the lower label and learn the other,
  so every new class has a look-alike among the source classes. `pairClassesByConfusion` in
  src/pretrained/splits.ts is the same rule; its test replays it on the matrix this script writes.
Prints the confusion matrix, the five best subsets and the pairs; with --json FILE also writes them.

Usage: /usr/bin/python3 scripts/confusable-split.py [DATA_DIR] [--json FILE]
       (DATA_DIR default $DENDRITE_DATA/fashion-mnist)
"""
import gzip
import itertools
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
arguments = sys.argv[1:]
json_file = None
if '--json' in arguments:
    json_file = arguments[arguments.index('--json') + 1]
    del arguments[arguments.index('--json'):arguments.index('--json') + 2]
directory = arguments[0] if arguments else os.path.join(os.environ.get('DENDRITE_DATA', '../../../shared/data'), 'fashion-mnist')


def read_idx(name, images):
    with gzip.open(os.path.join(directory, name)) as file:
        data = file.read()
    if images:
        return np.frombuffer(data, np.uint8, offset=16).reshape(-1, 1, 28, 28).astype(np.float32) / 255
    return np.frombuffer(data, np.uint8, offset=8).astype(np.int64)


class TransferCnn(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.hidden = nn.Linear(32 * 49, 64)
        self.logits = nn.Linear(64, classes)
        for layer in (self.conv1, self.conv2, self.hidden):
            nn.init.kaiming_normal_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.logits(F.relu(self.hidden(x.flatten(1))))


images = torch.tensor(read_idx('train-images-idx3-ubyte.gz', True))
labels = torch.tensor(read_idx('train-labels-idx1-ubyte.gz', False))
torch.manual_seed(0)
model = TransferCnn(10)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
generator = torch.Generator().manual_seed(0)
order = []
for step in range(2 * 782):
    if len(order) < 64:
        order = order + torch.randperm(50000, generator=generator).tolist()
    batch, order = order[:64], order[64:]
    loss = F.cross_entropy(model(images[batch]), labels[batch])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

model.eval()
with torch.no_grad():
    predicted = torch.cat([model(images[start:start + 1000]).argmax(1) for start in range(50000, 60000, 1000)])
confusion = np.zeros((10, 10), int)
for truth, guess in zip(labels[50000:].numpy(), predicted.numpy()):
    confusion[truth, guess] += 1
print(f'validation accuracy {np.trace(confusion) / confusion.sum():.4f}; confusion (row: true class, column: predicted):')
print(confusion)
mutual = confusion + confusion.T
ranked = sorted(((sum(mutual[a, b] for a, b in itertools.combinations(subset, 2)), subset)
                 for subset in itertools.combinations(range(10), 5)), reverse=True)
for total, subset in ranked[:5]:
    print(f'classes {subset}: {total} mutual confusions')
best = ranked[0][1]
print(f'learn {list(best)}, pre-train on {[label for label in range(10) if label not in best]}')


def greedy_pairs(mutual):
    """Pairs all classes: repeatedly the two unpaired classes with the most mutual confusions (ties: lower labels)."""
    candidates = sorted(((-mutual[a, b], a, b) for a, b in itertools.combinations(range(len(mutual)), 2)))
    paired, pairs = set(), []
    for negative, a, b in candidates:
        if a not in paired and b not in paired:
            pairs.append((a, b, -negative))
            paired.update((a, b))
    return pairs


pairs = greedy_pairs(mutual)
for a, b, total in pairs:
    print(f'pair ({a}, {b}): {total} mutual confusions -> pre-train on {a}, learn {b}')
pretrain = sorted(a for a, _, _ in pairs)
learn = sorted(b for _, b, _ in pairs)
print(f'paired split: learn {learn}, pre-train on {pretrain}')
if json_file is not None:
    report = {
        'rule': 'scripts/confusable-split.py: 10-class transfer CNN from scratch on training images 0-49,999 (2 epochs, Adam 1e-3, '
                'batch 64, seed 0); confusions on training images 50,000-59,999',
        'validationAccuracy': float(np.trace(confusion) / confusion.sum()),
        'confusion': confusion.tolist(),
        'confusable': {'learn': list(best), 'pretrain': [label for label in range(10) if label not in best]},
        'pairs': [[a, b, int(total)] for a, b, total in pairs],
        'paired': {'learn': learn, 'pretrain': pretrain},
    }
    with open(json_file + '.tmp', 'w') as file:
        file.write(json.dumps(report, indent=2) + '\n')
    os.replace(json_file + '.tmp', json_file)
