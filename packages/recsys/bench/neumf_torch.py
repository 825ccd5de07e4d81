"""One PyTorch NeuMF epoch on an NCF-format training file: the reference row beside Dendrite's in the
recsys bench. Same model (GMF 16 + MLP 64-32-16-8), 4 negatives per positive, batch 256, Adam 1e-3.
Usage: python3 neumf_torch.py TRAIN_FILE USERS ITEMS  -> prints {"seconds": ..., "loss": ...}"""
import json
import sys
import time

import numpy as np
import torch

torch.set_num_threads(2)
path, users, items = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pairs = np.loadtxt(path, dtype=np.int64, usecols=(0, 1))
rng = np.random.default_rng(1)
seen = set(map(tuple, pairs.tolist()))
rows_u, rows_i, labels = [], [], []
for u, i in pairs:
    rows_u.append(u); rows_i.append(i); labels.append(1.0)
    for _ in range(4):
        j = int(rng.integers(items))
        while (u, j) in seen:
            j = int(rng.integers(items))
        rows_u.append(u); rows_i.append(j); labels.append(0.0)
rows_u = torch.tensor(rows_u); rows_i = torch.tensor(rows_i); labels = torch.tensor(labels)


class NeuMF(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.gu = torch.nn.Embedding(users, 16); self.gi = torch.nn.Embedding(items, 16)
        self.mu = torch.nn.Embedding(users, 32); self.mi = torch.nn.Embedding(items, 32)
        self.tower = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 16), torch.nn.ReLU(), torch.nn.Linear(16, 8), torch.nn.ReLU())
        self.out = torch.nn.Linear(24, 1)

    def forward(self, u, i):
        gmf = self.gu(u) * self.gi(i)
        mlp = self.tower(torch.cat([self.mu(u), self.mi(i)], 1))
        return self.out(torch.cat([gmf, mlp], 1)).squeeze(1)


model = NeuMF()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = torch.nn.BCEWithLogitsLoss()
order = torch.randperm(len(labels))
started = time.perf_counter()
total = 0.0
for start in range(0, len(order), 256):
    batch = order[start:start + 256]
    optimizer.zero_grad()
    loss = loss_fn(model(rows_u[batch], rows_i[batch]), labels[batch])
    loss.backward()
    optimizer.step()
    total += loss.item() * len(batch)
print(json.dumps({"seconds": time.perf_counter() - started, "loss": total / len(order)}))
