#!/usr/bin/env python3
"""PyTorch counterpart of lstmkit's `default` preset, for `pnpm bench:compare`.

Model (packages/model/src/create-model.ts, preset `default`): Embedding(V, 64, id 0 = padding)
-> one bidirectional LSTM(64) per direction, sequences out, padding masked -> masked average and
masked max over the real steps, concatenated ([avg | max] of the 128 merged features = 256) ->
Dropout(0.5) -> Linear(256, 1) -> sigmoid. BCE, Adam(1e-3), global-norm clipping at 5, batch 32.

Written as a careful PyTorch user would, matching the reference pytorch_lstm.py --bucket: batches
of similar length (chunks of 50 batches sorted by length, batches shuffled), each trimmed to its
longest sentence, sentences packed (pack_padded_sequence) so neither direction reads padding,
exactly what lstmkit's masking computes; one thread. The data is the trainer's own split and
token ids (bench/compare-run.mjs --dump-encoded), so both sides train on identical inputs.
Prints JSON lines; the last one is the summary.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


class DefaultPreset(nn.Module):
    def __init__(self, vocab_size, embed=64, hidden=64, dropout=0.5):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed, padding_idx=0)
        self.lstm = nn.LSTM(embed, hidden, batch_first=True, bidirectional=True)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(4 * hidden, 1)

    def forward(self, ids, lengths):
        # ids: [B, T] right-padded; lengths: [B] real tokens (>= 1)
        packed = pack_padded_sequence(self.embedding(ids), lengths, batch_first=True,
                                      enforce_sorted=False)
        out, _ = self.lstm(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=ids.shape[1])
        mask = (torch.arange(ids.shape[1])[None, :] < lengths[:, None]).unsqueeze(2)
        avg = (out * mask).sum(1) / lengths[:, None].to(out.dtype)
        mx = out.masked_fill(~mask, float("-inf")).max(1).values
        return torch.sigmoid(self.fc(self.dropout(torch.cat([avg, mx], 1)))).squeeze(1)


def batch_tensor(rows, seq_len):
    rows = [r[-seq_len:] if len(r) > seq_len else r for r in rows]  # the preset truncates 'pre'
    rows = [r if r else [0] for r in rows]
    lengths = torch.tensor([max(1, sum(1 for i in r if i)) for r in rows])
    width = max(len(r) for r in rows)
    ids = torch.zeros(len(rows), width, dtype=torch.long)
    for k, r in enumerate(rows):
        ids[k, :len(r)] = torch.tensor(r)
    return ids, lengths


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--encoded", required=True, help="JSON from compare-run.mjs --dump-encoded")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    with open(args.encoded) as f:
        data = json.load(f)
    seq_len = data["sequenceLength"]
    train_ids, train_y = data["train"]["ids"], data["train"]["labels"]
    model = DefaultPreset(data["vocabSize"])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    crit = nn.BCELoss()
    gen = torch.Generator().manual_seed(args.seed)
    lens = [min(len(r), seq_len) for r in train_ids]
    bs = args.batch_size
    epochs = []
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(train_ids), generator=gen).tolist()
        batches = []
        for c in range(0, len(order), bs * 50):
            part = sorted(order[c:c + bs * 50], key=lambda k: lens[k])
            batches += [part[j:j + bs] for j in range(0, len(part), bs)]
        batches = [batches[k] for k in torch.randperm(len(batches), generator=gen).tolist()]
        prepared = [(batch_tensor([train_ids[k] for k in b], seq_len),
                     torch.tensor([float(train_y[k]) for k in b])) for b in batches]
        t0 = time.perf_counter()
        for (ids, lengths), y in prepared:
            model.zero_grad()
            loss = crit(model(ids, lengths), y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
        seconds = time.perf_counter() - t0
        rec = {"event": "epoch", "epoch": epoch, "sentences": len(train_ids), "train_s": seconds,
               "sent_per_s": len(train_ids) / seconds}
        epochs.append(rec)
        print(json.dumps(rec), flush=True)

    model.eval()
    test_ids, test_y = data["test"]["ids"], data["test"]["labels"]
    with torch.no_grad():
        correct = 0
        for i in range(0, len(test_ids), 256):
            ids, lengths = batch_tensor(test_ids[i:i + 256], seq_len)
            p = model(ids, lengths)
            correct += sum(int((float(q) >= 0.5) == bool(t)) for q, t in zip(p, test_y[i:i + 256]))
        # predict latency: one pre-encoded sentence (no tokenization: favours PyTorch slightly)
        singles = [batch_tensor([r], seq_len) for r in test_ids]
        for ids, lengths in singles[:20]:
            model(ids, lengths)
        lat = []
        for k in range(200):
            ids, lengths = singles[k % len(singles)]
            t1 = time.perf_counter()
            model(ids, lengths).item()
            lat.append(time.perf_counter() - t1)
        lat.sort()
        every = data["all"]
        B, nb = 256, 20
        t1 = time.perf_counter()
        for b in range(nb):
            s = (b * B) % (len(every) - B)
            ids, lengths = batch_tensor(every[s:s + B], seq_len)
            model(ids, lengths)
        batch256 = nb * B / (time.perf_counter() - t1)
    total_s = sum(e["train_s"] for e in epochs)
    print(json.dumps({"event": "summary", "torch": torch.__version__,
                      "threads": torch.get_num_threads(),
                      "train_sent_per_s": sum(e["sentences"] for e in epochs) / total_s,
                      "test_acc": correct / len(test_ids),
                      "predict_latency_ms_median": 1000 * lat[len(lat) // 2],
                      "batch256_sent_per_s_from_ids": batch256}), flush=True)


if __name__ == "__main__":
    main()
