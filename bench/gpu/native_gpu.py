#!/usr/bin/env python3
"""The bundled networks in native PyTorch on the GPU (CUDA, fp32, TF32 off), on the same input tensors as the
browser benchmark (segment_bench.mjs --write-inputs), as the native ceiling beside ORT Web's WebGPU backend; and its
logits against PyTorch on the CPU.

    PYTHONPATH=models/glioma_seg python3 bench/gpu/native_gpu.py INPUTS_DIR --json OUT.json [--runs 10]

INPUTS_DIR holds one folder per case with inputs.json and <stage>_input.f32. Time per run: CUDA events around
upload + network + readback (what the browser's WebGPU run also pays), median of `--runs` after two warm-ups; and
the network alone (input already on the GPU). `--device cpu` tries the script where there is no GPU.
"""
import argparse
import copy
import json
import os
import statistics
import sys
import time

import numpy as np
import torch

try:
    from training.model import torch_from_onnx
    from training.paths import MODEL_DIR as MODELS
except ModuleNotFoundError as missing:
    sys.exit(f'bench/gpu/native_gpu.py: {missing}: run it with PYTHONPATH=models/glioma_seg (the training package)')


def timed(fn, runs, cuda):
    for _ in range(2):
        fn()
    seconds = []
    for _ in range(runs):
        if cuda:
            torch.cuda.synchronize()
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            fn()
            end.record()
            torch.cuda.synchronize()
            seconds.append(start.elapsed_time(end) / 1000)
        else:
            start = time.perf_counter()
            fn()
            seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('inputs')
    parser.add_argument('--json', required=True)
    parser.add_argument('--runs', type=int, default=10)
    parser.add_argument('--device', default='cuda', help='cpu: to try this script where there is no GPU')
    args = parser.parse_args()
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    device = torch.device(args.device)
    cuda = device.type == 'cuda'
    rows = []
    networks = {}
    for case in sorted(os.listdir(args.inputs)):
        listing = os.path.join(args.inputs, case, 'inputs.json')
        if not os.path.exists(listing):
            continue
        for net in json.load(open(listing))['networks']:
            if net['model'] not in networks:
                cpu = torch_from_onnx(os.path.join(MODELS, net['model']))
                networks[net['model']] = (cpu, copy.deepcopy(cpu).to(device))
            cpu_net, gpu_net = networks[net['model']]
            x = np.fromfile(os.path.join(args.inputs, case, f"{net['stage']}_input.f32"), dtype='<f4').reshape(net['dims'])
            host = torch.from_numpy(x)
            with torch.no_grad():
                on_gpu = host.to(device)
                with_transfers = timed(lambda: gpu_net(host.to(device)).cpu(), args.runs, cuda)
                network_only = timed(lambda: gpu_net(on_gpu), args.runs, cuda)
                gpu_out = gpu_net(on_gpu).cpu().numpy()
                cpu_out = cpu_net(host).numpy()
            rows.append({'case': case, 'stage': net['stage'], 'model': net['model'], 'dims': net['dims'],
                         'seconds_with_transfers': with_transfers, 'seconds_network_only': network_only,
                         'max_abs_diff_against_cpu': float(np.abs(gpu_out - cpu_out).max()),
                         'flips_against_cpu': int(((gpu_out > 0) != (cpu_out > 0)).sum())})
            print(json.dumps(rows[-1]), flush=True)
    result = {'torch': torch.__version__, 'gpu': torch.cuda.get_device_name(0) if cuda else 'none (CPU)', 'runs': args.runs, 'networks': rows}
    with open(args.json, 'w') as f:
        json.dump(result, f, indent=2)


if __name__ == '__main__':
    main()
