"""Golden trajectories of Dendrite's optimizers and learning-rate schedules, from PyTorch in float64.

Run: /usr/bin/python3 packages/optimizers/scripts/golden.py
Writes packages/optimizers/src/fixtures/golden.json (atomically), which golden.test.ts reads.

Optimizers: three parameters over six steps with fixed gradients; the third parameter has no gradient in
steps 1 and 2, so its first update happens at step 3 and checks per-parameter step counts (bias correction,
Adagrad's decay). Options use Dendrite's names; TORCH_NAMES maps them to PyTorch's.
"""
import json
import os
import tempfile

import torch

torch.manual_seed(5)
torch.set_default_dtype(torch.float64)

TORCH_NAMES = {
    'learningRate': 'lr', 'momentum': 'momentum', 'dampening': 'dampening', 'nesterov': 'nesterov',
    'weightDecay': 'weight_decay', 'epsilon': 'eps', 'amsgrad': 'amsgrad', 'alpha': 'alpha', 'centered': 'centered',
    'learningRateDecay': 'lr_decay', 'initialAccumulatorValue': 'initial_accumulator_value',
}
OPTIMIZERS = {'SGD': torch.optim.SGD, 'Adam': torch.optim.Adam, 'AdamW': torch.optim.AdamW,
              'Adagrad': torch.optim.Adagrad, 'RMSprop': torch.optim.RMSprop}


def rounded(tensor):
    return torch.round(tensor * 1e4) / 1e4


def to_torch(options):
    result = {}
    for key, value in options.items():
        if key == 'beta1':
            result['betas'] = (value, options.get('beta2', 0.999))
        elif key == 'beta2':
            result['betas'] = (options.get('beta1', 0.9), value)
        else:
            result[TORCH_NAMES[key]] = value
    return result


shapes = [[2, 3], [4], [3]]
initial = [rounded(torch.randn(shape)) for shape in shapes]
scales = [3.0, 1.0, 2.0, 0.5, 0.2, 1.0]
gradients = [[rounded(torch.randn(shape) * scale) for shape in shapes] for scale in scales]
LATE = 2  # parameter index 2 first gets a gradient in step 3 (index 2 of the steps)
STEPS = len(scales)


def trajectory(name, options, groups=None):
    params = [value.clone().requires_grad_(True) for value in initial]
    if groups is None:
        optimizer = OPTIMIZERS[name](params, **to_torch(options))
    else:
        optimizer = OPTIMIZERS[name](
            [{'params': [params[i] for i in group['parameters']], **to_torch(group['options'])} for group in groups],
            **to_torch(options))
    history = []
    for step in range(STEPS):
        for index, param in enumerate(params):
            param.grad = None if (index == LATE and step < 2) else gradients[step][index].clone()
        optimizer.step()
        history.append([param.detach().flatten().tolist() for param in params])
    return history


optimizer_cases = []


def add(name, options, groups=None):
    optimizer_cases.append({'optimizer': name, 'options': options, 'groups': groups,
                            'trajectory': trajectory(name, options, groups)})


add('SGD', {'learningRate': 0.1})
add('SGD', {'learningRate': 0.1, 'momentum': 0.9})
add('SGD', {'learningRate': 0.05, 'momentum': 0.9, 'dampening': 0.3})
add('SGD', {'learningRate': 0.05, 'momentum': 0.8, 'nesterov': True, 'weightDecay': 0.1})
add('SGD', {'learningRate': 0.1, 'momentum': 0.9, 'weightDecay': 0.1})
add('Adagrad', {'learningRate': 0.1})
add('Adagrad', {'learningRate': 0.1, 'learningRateDecay': 0.05, 'weightDecay': 0.1, 'initialAccumulatorValue': 0.2, 'epsilon': 1e-6})
add('RMSprop', {'learningRate': 0.01})
add('RMSprop', {'learningRate': 0.01, 'momentum': 0.9})
add('RMSprop', {'learningRate': 0.01, 'centered': True})
add('RMSprop', {'learningRate': 0.01, 'centered': True, 'momentum': 0.5, 'weightDecay': 0.1, 'alpha': 0.9})
add('Adam', {'learningRate': 0.1})
add('Adam', {'learningRate': 0.1, 'amsgrad': True})
add('Adam', {'learningRate': 0.1, 'weightDecay': 0.1})
add('Adam', {'learningRate': 0.05, 'epsilon': 0.1, 'beta1': 0.8, 'beta2': 0.99})
add('AdamW', {'learningRate': 0.1})
add('AdamW', {'learningRate': 0.1, 'weightDecay': 0.1, 'amsgrad': True})
add('Adam', {'learningRate': 0.1}, groups=[
    {'parameters': [0], 'options': {}},
    {'parameters': [1, 2], 'options': {'learningRate': 0.01, 'weightDecay': 0.5}},
])
add('SGD', {'learningRate': 0.1, 'momentum': 0.9}, groups=[
    {'parameters': [0, 1], 'options': {'weightDecay': 0.2}},
    {'parameters': [2], 'options': {'learningRate': 0.3, 'nesterov': True}},
])


def schedule_rates(make_scheduler, steps, base_lr=0.1, metrics=None):
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=base_lr)
    scheduler = make_scheduler(optimizer)
    rates = [optimizer.param_groups[0]['lr']] if metrics is None else []
    for step in range(steps if metrics is None else len(metrics)):
        optimizer.step()
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(metrics[step])
        rates.append(optimizer.param_groups[0]['lr'])
    return rates[:steps] if metrics is None else rates


S = torch.optim.lr_scheduler
plateau_metrics = [1.0, 0.9, 0.9, 0.9, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.79999, 0.5, 0.6, 0.6, 0.6, 0.6]
schedule_cases = [
    {'schedule': 'StepDecay', 'options': {'initialLearningRate': 0.1, 'stepSize': 3, 'gamma': 0.5},
     'rates': schedule_rates(lambda o: S.StepLR(o, step_size=3, gamma=0.5), 12)},
    {'schedule': 'ExponentialDecay', 'options': {'initialLearningRate': 0.1, 'gamma': 0.9},
     'rates': schedule_rates(lambda o: S.ExponentialLR(o, gamma=0.9), 12)},
    {'schedule': 'CosineDecay', 'options': {'initialLearningRate': 0.1, 'decaySteps': 10, 'minimumLearningRate': 0.01},
     'rates': schedule_rates(lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.01), 11)},
    {'schedule': 'CosineDecay', 'options': {'initialLearningRate': 0.1, 'decaySteps': 3, 'minimumLearningRate': 0.01, 'restarts': True, 'periodMultiplier': 2},
     'rates': schedule_rates(lambda o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.01), 25)},
    {'schedule': 'CosineDecay', 'options': {'initialLearningRate': 0.1, 'decaySteps': 4, 'restarts': True},
     'rates': schedule_rates(lambda o: S.CosineAnnealingWarmRestarts(o, T_0=4), 13)},
    {'schedule': 'OneCycle', 'options': {'maximumLearningRate': 0.1, 'totalSteps': 20},
     'rates': schedule_rates(lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=20), 20)},
    {'schedule': 'OneCycle', 'options': {'maximumLearningRate': 0.5, 'totalSteps': 17, 'warmupFraction': 0.25, 'divisionFactor': 10, 'finalDivisionFactor': 100},
     'rates': schedule_rates(lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=17, pct_start=0.25, div_factor=10, final_div_factor=100), 17)},
    {'schedule': 'ReduceLROnPlateau', 'options': {'initialLearningRate': 0.1, 'patience': 2, 'factor': 0.5, 'cooldown': 1, 'minimumLearningRate': 0.02},
     'metrics': plateau_metrics,
     'rates': schedule_rates(lambda o: S.ReduceLROnPlateau(o, patience=2, factor=0.5, cooldown=1, min_lr=0.02), 0, metrics=plateau_metrics)},
    {'schedule': 'ReduceLROnPlateau', 'options': {'initialLearningRate': 0.1, 'mode': 'max', 'patience': 1, 'thresholdMode': 'abs', 'threshold': 0.05},
     'metrics': [0.5, 0.52, 0.6, 0.61, 0.62, 0.7, 0.7, 0.7],
     'rates': schedule_rates(lambda o: S.ReduceLROnPlateau(o, mode='max', patience=1, threshold_mode='abs', threshold=0.05), 0,
                             metrics=[0.5, 0.52, 0.6, 0.61, 0.62, 0.7, 0.7, 0.7])},
]

document = {
    'generator': 'packages/optimizers/scripts/golden.py', 'torch': torch.__version__,
    'shapes': shapes, 'initial': [value.flatten().tolist() for value in initial],
    'gradients': [[value.flatten().tolist() for value in step] for step in gradients],
    'lateParameter': LATE, 'lateFirstStep': 2,
    'optimizers': optimizer_cases, 'schedules': schedule_cases,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'fixtures', 'golden.json')
handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix='.tmp')
with os.fdopen(handle, 'w') as file:
    json.dump(document, file, indent=1)
    file.write('\n')
os.chmod(temporary, 0o644)
os.replace(temporary, path)
print(f'wrote {len(optimizer_cases)} optimizer and {len(schedule_cases)} schedule cases to {os.path.normpath(path)}')
