"""Chooses the README's `confusable` transfer split by a rule fixed before any transfer result was seen.

Rule: train the transfer CNN's network (conv 3x3x16 -> max-pool -> conv 3x3x32 -> max-pool -> dense 64 -> dense 10)
from scratch on the first 50,000 Fashion-MNIST training images (2 epochs, Adam 1e-3, batch 64, seed 0, one thread),
count its confusions on the last 10,000 training images (validation: the test set is never used), and pick as the
classes to learn the five whose mutual confusions (i mistaken for j or j for i, both in the five) are the most;
the other five are pre-trained on. Prints the confusion matrix and the five best subsets.

Usage: /usr/bin/python3 scripts/confusable-split.py [DATA_DIR]   (DATA_DIR default $DENDRITE_DATA/fashion-mnist)
"""
import gzip
import itertools
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
directory = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.environ.get('DENDRITE_DATA', '../../../shared/data'), 'fashion-mnist')


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
