import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitOfRecord } from '@lstmkit/preprocess';
import { beforeAll, describe, expect, it } from 'vitest';
import { binPath, runBin } from './__fixtures__/run-bin.js';
import { tempDir, tinySentences, writeTsv } from './__fixtures__/tiny-dataset.js';

// A tiny model: trains in seconds on the generated sentences.
const tiny = ['--embedding-dim', '8', '--hidden-size', '8', '--batch-size', '16', '--seed', '7'];

/** Every path under `dir`, sorted: to show a command left a tree exactly as it was. */
function listTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

/** Errors are one line plus an optional hint line, never a stack. */
function expectOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
  expect(lines.length).toBeLessThanOrEqual(2);
  if (lines[1] !== undefined) expect(lines[1]).toMatch(/^ {2}hint: /);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('lstmkit (built bin)', () => {
  it('keeps the shebang and is executable', () => {
    expect(readFileSync(binPath, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('prints help with examples for the program and every command, and the version', async () => {
    const root = await runBin(['--help']);
    expect(root.code).toBe(0);
    for (const command of ['train', 'evaluate', 'predict', 'serve', 'data']) {
      expect(root.stdout).toContain(command);
      const help = await runBin([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: lstmkit ${command}`);
      expect(help.stdout).toContain('Examples:');
    }
    const version = await runBin(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    [['train', '--data', 'x.tsv', '--out', 'o', '--epochs', '0'], /invalid value '0' for --epochs/],
    [['train', '--data', 'x.tsv', '--out', 'o', '--arch', 'gru'], /must be one of lstm, bilstm/],
    [['train', '--data', 'x.tsv', '--out', 'o', '--epoch', '3'], /unknown option '--epoch'/],
    [['train', '--data', 'x.tsv'], /missing required flag --out/],
    [['train', '--data', 'x.tsv', '--out', 'o', '--text-column', 't'], /apply to CSV data only/],
    [
      ['train', '--data', 'x.tsv', '--out', 'o', '--threshold', '1.5'],
      /expected 'auto' or a number/,
    ],
    [
      ['train', '--data', 'x.tsv', '--out', 'o', '--class-weight', '1,-2'],
      /one weight >= 0 per label/,
    ],
    [
      ['train', '--data', 'x.tsv', '--out', 'o', '--lr-schedule', 'step'],
      /must be one of constant/,
    ],
    [['predict', 'hello'], /missing required flag --model/],
    [['predict', '--model', 'm', '--file', 'f', 'text'], /not both/],
    [['serve', '--model', 'm', '--port', '70000'], /invalid value '70000' for --port/],
    [['trian'], /unknown command 'trian'/],
  ])('exits 2 on bad usage: %j', async (args, pattern) => {
    const result = await runBin(args);
    expect(result.code).toBe(2);
    expectOneLineError(result.stderr, pattern);
    expect(result.stdout).toBe('');
  });

  it('exits 1 with one clear line for a missing data file and an unknown model dir', async () => {
    const dir = tempDir();
    const missing = await runBin(['data', join(dir, 'nope.tsv')]);
    expect(missing.code).toBe(1);
    expectOneLineError(missing.stderr, /nope\.tsv/);

    const noModel = await runBin(['predict', '--model', join(dir, 'no-model'), 'hello']);
    expect(noModel.code).toBe(1);
    // loadBundle's own error, not a CLI pre-check that would hide its hints
    expectOneLineError(noModel.stderr, /No model bundle directory at .*no-model/);
    expect(noModel.stderr).toContain('hint: Train a model first');

    const notBundle = await runBin(['evaluate', '--model', dir, '--data', join(dir, 'nope.tsv')]);
    expect(notBundle.code).toBe(1);
    expect(notBundle.stderr.split('\n')[0]).toMatch(/^error: /);
    expect(notBundle.stderr).not.toMatch(/\n\s+at /);
  });

  it('names the file and line of malformed data, and skips it with --lenient', async () => {
    const dir = tempDir();
    const path = join(dir, 'broken.tsv');
    writeFileSync(path, 'a fine sentence\tpos\nno label here\nanother one\tneg\n');
    const strict = await runBin(['data', path]);
    // INVALID_* codes are invalid input: exit 2, like bad flags (docs/architecture.md).
    expect(strict.code).toBe(2);
    expectOneLineError(strict.stderr, /broken\.tsv:2: missing label/);
    expect(strict.stderr).toContain('--lenient');

    const lenient = await runBin(['data', path, '--lenient', '--json']);
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/warning: skipped 1 malformed record/);
    expect(JSON.parse(lenient.stdout)).toMatchObject({ examples: 2, skipped: 1 });
  });

  it('shows --debug stack traces only when asked', async () => {
    const dir = tempDir();
    const result = await runBin(['--debug', 'predict', '--model', join(dir, 'none'), 'x']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[BUNDLE_NOT_FOUND]');
    expect(result.stderr).toMatch(/\n\s+at /);
  });

  it('lists the named datasets and where they are looked up', async () => {
    const home = tempDir();
    const result = await runBin(['data', '--json'], { env: { LSTMKIT_DATA_HOME: home } });
    expect(result.code).toBe(0);
    const listing = JSON.parse(result.stdout);
    expect(listing.dataHome).toBe(home);
    expect(listing.datasets.map((d: { name: string }) => d.name)).toContain('uci-sentiment');
    expect(listing.datasets.every((d: { present: boolean }) => d.present === false)).toBe(true);
  });

  it('describes a dataset: labels, lengths, vocabulary, suggested --seq-len', async () => {
    const dir = tempDir();
    const data = writeTsv(dir, 'tiny.tsv', 40);
    const human = await runBin(['data', data]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('40 examples · 2 labels');
    expect(human.stdout).toMatch(/pos\s+20\s+50\.0%/);
    expect(human.stdout).toMatch(/--seq-len \d+/);
    const json = JSON.parse((await runBin(['data', data, '--json'])).stdout);
    expect(json.labels).toHaveLength(2);
    expect(json.tokens.max).toBe(6);
    expect(json.suggestedSeqLen).toBe(6);
  });

  it.each([
    ['a directory of user files', 'x', /holds files lstmkit did not write \(sub\/, thesis\.txt\)/],
    ['the parent project', '..', /holds files lstmkit did not write/],
    ['the dataset folder', 'data', /holds files lstmkit did not write \(tiny\.tsv\)/],
    ['the data file itself', 'data/tiny.tsv', /is a file, not a model bundle directory/],
  ])('refuses --out naming %s (exit 2) and deletes nothing', async (_, out, pattern) => {
    const project = tempDir();
    const cwd = join(project, 'work');
    mkdirSync(join(cwd, 'x', 'sub'), { recursive: true });
    writeFileSync(join(cwd, 'x', 'thesis.txt'), 'precious');
    mkdirSync(join(cwd, 'data'));
    const data = writeTsv(join(cwd, 'data'), 'tiny.tsv', 40);
    const before = listTree(project);
    const result = await runBin(['train', '--data', data, '--out', out, '--epochs', '1', ...tiny], {
      cwd,
    });
    expect(result.code, result.stderr).toBe(2);
    expectOneLineError(result.stderr, pattern);
    expect(listTree(project)).toEqual(before);
    expect(readFileSync(join(cwd, 'x', 'thesis.txt'), 'utf8')).toBe('precious');
  });

  describe('train -> predict -> evaluate', () => {
    const dir = tempDir();
    const data = join(dir, 'tiny.tsv');
    const out = join(dir, 'model');
    let train: Awaited<ReturnType<typeof runBin>>;

    beforeAll(async () => {
      writeTsv(dir, 'tiny.tsv', 160);
      train = await runBin(
        ['train', '--data', data, '--out', out, '--epochs', '2', '--max-vocab', '12', ...tiny],
        {
          cwd: dir,
        },
      );
    }, 120_000);

    it('trains, shows progress on stderr and a summary on stdout', () => {
      expect(train.stderr).toBe(train.stderr.replace(/\r/g, ''));
      expect(train.code, train.stderr).toBe(0);
      expect(train.stderr).toMatch(/^model +default preset · .* · embedding 8 · \d+×8 units · /m);
      expect(train.stderr).toMatch(
        /^optim +batch 16 · lr 0\.001 · 2 epochs · patience 3 · seed 7$/m,
      );
      expect(train.stderr).toMatch(/^epoch 1\/2 .*loss \d\.\d{4} .*samples\/s/m);
      expect(train.stderr).toMatch(/validate epoch 1: acc/);
      expect(train.stderr).toMatch(/saved +best checkpoint/);
      expect(train.stdout).toMatch(/✓ trained in .* · 2 epochs · best epoch \d/);
      expect(train.stdout).toMatch(/accuracy\s+\d\.\d{3}/);
      expect(train.stdout).toMatch(/bundle\s+model\n/);
      expect(existsSync(join(out, 'manifest.json'))).toBe(true);
      // 30 distinct words in the tiny data; --max-vocab 12 keeps the 10 most frequent plus <pad>, <unk>
      const { vocabulary } = JSON.parse(readFileSync(join(out, 'preprocess.json'), 'utf8'));
      expect(vocabulary.tokens).toHaveLength(12);
      const plot = /plot\s+(\S+)/.exec(train.stdout)?.[1];
      expect(plot && existsSync(join(dir, plot))).toBe(true);
    });

    it('predicts texts given as arguments, from a file and from stdin', async () => {
      const args = await runBin([
        'predict',
        '--model',
        out,
        'the film was great',
        'the film was awful',
      ]);
      expect(args.code, args.stderr).toBe(0);
      const lines = args.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^(pos|neg)\s+0\.\d{3} {2}the film was great$/);
      expect(args.stderr).toBe('');

      const file = join(dir, 'inputs.txt');
      writeFileSync(file, 'a\r\nb\n\nc\n');
      const fromFile = await runBin(['predict', '--model', out, '--file', file, '--json']);
      expect(fromFile.code).toBe(0);
      const rows = fromFile.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(rows.map((row) => row.text)).toEqual(['a', 'b', '', 'c']);
      expect(rows[0]).toMatchObject({ label: expect.any(String), probability: expect.any(Number) });
      expect(rows[0].probabilities).toHaveLength(2);

      expect(rows.map((row) => row.knownTokens)).toEqual([0, 0, 0, 0]);

      // Nothing the model knows: the same answer shape, flagged (as the server's knownTokens: 0).
      const unknown = await runBin(['predict', '--model', out, '👍 !!!', 'the film']);
      expect(unknown.code).toBe(0);
      const [flagged, known] = unknown.stdout.trimEnd().split('\n');
      expect(flagged).toMatch(/^(pos|neg)\s+0\.\d{3} {2}\(no known tokens\) {2}👍 !!!$/);
      expect(known).not.toContain('no known tokens');

      const stdin = await runBin(['predict', '--model', out], { input: 'nice phone\nbad phone\n' });
      expect(stdin.code).toBe(0);
      expect(stdin.stdout.trimEnd().split('\n')).toHaveLength(2);
    });

    it('evaluates on the recreated test split and on all examples', async () => {
      const test = await runBin(['evaluate', '--model', out, '--data', data]);
      expect(test.code, test.stderr).toBe(0);
      expect(test.stdout).toMatch(/test split \(as in training: seed 7, 0\.8\/0\.1\/0\.1\)/);
      // the records training hashed into its test split (seed 7)
      const expected = tinySentences(160).filter(
        (row) => splitOfRecord(row, 7, [0.8, 0.1, 0.1]) === 'test',
      ).length;
      expect(expected).toBeGreaterThan(5);
      expect(test.stdout).toMatch(new RegExp(`examples\\s+${expected}\n`));
      expect(test.stdout).toContain('true \\ predicted');

      const all = JSON.parse(
        (await runBin(['evaluate', '--model', out, '--data', data, '--split', 'all', '--json']))
          .stdout,
      );
      expect(all.count).toBe(160);
      expect(all.confusionMatrix).toHaveLength(2);
      expect(all.labelNames).toEqual(expect.arrayContaining(['pos', 'neg']));
    });

    it('recreates the test split of a 0.1.0 bundle (no training.split) from training.seed', async () => {
      const { loadBundle, saveBundle } = await import('@lstmkit/model');
      const bundle = await loadBundle(out);
      const old = join(dir, 'model-0.1.0');
      // The training record as 0.1.0 wrote it: the seed, no split.
      const { preset, batchSize, epochs, learningRate, clipNorm, evalEvery, patience, seed } =
        bundle.training as Record<string, unknown>;
      expect(seed).toBe(7);
      await saveBundle(old, {
        ...bundle,
        training: { preset, batchSize, epochs, learningRate, clipNorm, evalEvery, patience, seed },
      });
      bundle.model.dispose();
      const evaluate = (model: string) =>
        runBin(['evaluate', '--model', model, '--data', data, '--json']).then((r) =>
          JSON.parse(r.stdout),
        );
      // 0.1's seeded, stratified shuffle: 10% of 160
      const legacy = await evaluate(old);
      expect(legacy.count).toBe(16);
      expect(legacy.confusionMatrix.flat().reduce((a: number, b: number) => a + b)).toBe(16);
      const human = await runBin(['evaluate', '--model', old, '--data', data]);
      expect(human.stdout).toMatch(/test split \(as in training: seed 7\)/);
    });

    it('refuses data whose labels the model does not know', async () => {
      const other = join(dir, 'other.tsv');
      writeFileSync(other, 'fine\tpos\nso so\tmeh\n');
      const result = await runBin(['evaluate', '--model', out, '--data', other, '--split', 'all']);
      expect(result.code).toBe(1);
      expectOneLineError(
        result.stderr,
        /has label 'meh', which the model does not know \(model labels: /,
      );
    });

    it('serves the model over HTTP, prints the URL on stdout, and stops on Ctrl-C', async () => {
      let url = '';
      let body: unknown;
      const result = await runBin(['serve', '--model', out, '--port', '0'], {
        onStdout: (stdout, child) => {
          const line = stdout.split('\n')[0] ?? '';
          if (url === '' && stdout.includes('\n')) {
            url = line;
            fetch(`${url}/predict`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ input: ['the film was great'] }),
            })
              .then((response) => response.json())
              .then((json) => {
                body = json;
              })
              .finally(() => child.kill('SIGINT'));
          }
        },
      });
      expect(result.code, result.stderr).toBe(0);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(result.stderr).toContain('serving');
      expect(body).toMatchObject({ labels: expect.any(Array) });
    });

    it('serves a model repository with --models and answers KServe v2 infer', async () => {
      const repo = join(dir, 'repo');
      cpSync(out, join(repo, 'sentiment', '3'), { recursive: true });
      let url = '';
      let body: unknown;
      const result = await runBin(['serve', '--models', repo, '--port', '0', '--max-items', '5'], {
        onStdout: (stdout, child) => {
          if (url === '' && stdout.includes('\n')) {
            url = stdout.split('\n')[0] ?? '';
            fetch(`${url}/v2/models/sentiment/infer`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                inputs: [{ name: 'text', shape: [1], datatype: 'BYTES', data: ['fine'] }],
              }),
            })
              .then((response) => response.json())
              .then((json) => {
                body = json;
              })
              .finally(() => child.kill('SIGINT'));
          }
        },
      });
      expect(result.code, result.stderr).toBe(0);
      expect(body).toMatchObject({ model_name: 'sentiment', model_version: '3' });
    });
  });

  describe('pretrained embeddings, class weights, threshold, schedules, fine-tuning', () => {
    const dir = tempDir();
    const data = join(dir, 'tiny.tsv');
    const vectors = join(dir, 'vectors.txt');
    const out = join(dir, 'glove-model');
    let train: Awaited<ReturnType<typeof runBin>>;

    beforeAll(async () => {
      writeTsv(dir, 'tiny.tsv', 160);
      // 3-d vectors: 'great' is not in the data, 'awful' and 'the' are; the rest are missing
      writeFileSync(vectors, 'great 1 0 0\nawful -1 0 0\nthe 0 1 0\n');
      train = await runBin(
        [
          'train',
          '--data',
          data,
          '--out',
          out,
          '--epochs',
          '2',
          '--hidden-size',
          '8',
          '--batch-size',
          '16',
          '--seed',
          '7',
          '--embeddings',
          'vectors.txt',
          '--freeze-embeddings',
          '1',
          '--class-weight',
          'balanced',
          '--threshold',
          'auto',
          '--lr-schedule',
          'cosine',
          '--warmup-steps',
          '3',
          '--weight-decay',
          '0.01',
        ],
        { cwd: dir },
      );
    }, 120_000);

    it('trains with them, reports coverage and the chosen threshold', () => {
      expect(train.code, train.stderr).toBe(0);
      expect(train.stderr).toMatch(
        /^vectors +3-d from vectors\.txt: 2 of \d+ words .*most frequent missing: /m,
      );
      expect(train.stdout).toMatch(/threshold\s+0\.\d{3}\s+P\(pos\) >= it predicts pos/);
      expect(train.stdout).toMatch(/macro avg\s+\d\.\d{3}/);
      const bundle = JSON.parse(readFileSync(join(out, 'bundle.json'), 'utf8'));
      expect(bundle.modelConfig.embeddingDim).toBe(3);
      expect(bundle.threshold).toBeGreaterThan(0);
      expect(bundle.training).toMatchObject({
        classWeight: 'balanced',
        // balanced over the hashed train split's labels: near 1 each, not exactly
        classWeights: [expect.closeTo(1, 1), expect.closeTo(1, 1)],
        weightDecay: 0.01,
        freezeEmbeddings: 1,
        lrSchedule: { type: 'cosine', warmupSteps: 3 },
        embeddings: { path: vectors, keepMissing: 0 },
        embeddingCoverage: { dimensions: 3, found: 2 },
        model: { embeddingDim: 3 },
      });
    });

    it('evaluate uses the stored threshold and shows per-class scores', async () => {
      const result = await runBin(['evaluate', '--model', out, '--data', data, '--split', 'all']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/threshold\s+0\.\d{3}/);
      expect(result.stdout).toMatch(/^ +pos +\d\.\d{3} +\d\.\d{3} +\d\.\d{3} +80$/m);
      expect(result.stdout).toMatch(/weighted avg/);
    });

    it('--init-from fine-tunes the bundle; other labels are refused with a clear error', async () => {
      const tuned = join(dir, 'tuned');
      const result = await runBin(
        [
          'train',
          '--data',
          data,
          '--out',
          tuned,
          '--epochs',
          '1',
          '--init-from',
          out,
          '--lr',
          '0.0005',
        ],
        { cwd: dir },
      );
      expect(result.code, result.stderr).toBe(0);
      const parent = readFileSync(join(out, 'preprocess.json'), 'utf8');
      expect(readFileSync(join(tuned, 'preprocess.json'), 'utf8')).toBe(parent);
      const other = join(dir, 'other.tsv');
      writeFileSync(other, 'fine\tpos\nso so\tmeh\nbad\tpos\nok\tmeh\n'.repeat(10));
      const refused = await runBin([
        'train',
        '--data',
        other,
        '--out',
        join(dir, 'x'),
        '--init-from',
        out,
      ]);
      expect(refused.code).toBe(1);
      // train reports the data it loaded first
      expectOneLineError(
        refused.stderr.slice(refused.stderr.indexOf('error: ')),
        /not in the bundle: 'meh'; not in the data: 'neg'/,
      );
      const contradiction = await runBin([
        'train',
        '--data',
        data,
        '--out',
        join(dir, 'y'),
        '--init-from',
        out,
        '--embeddings',
        vectors,
      ]);
      expect(contradiction.code).toBe(2);
      expectOneLineError(contradiction.stderr, /--init-from and --embeddings contradict/);
    }, 120_000);
  });

  it('stops cleanly on Ctrl-C, keeps the best checkpoint, and --resume continues', async () => {
    const dir = tempDir();
    const data = writeTsv(dir, 'tiny.tsv', 400);
    const out = join(dir, 'model');
    const args = ['train', '--data', data, '--out', out, '--patience', '0', ...tiny];
    let sent = false;
    const first = await runBin([...args, '--epochs', '40'], {
      onStderr: (stderr, child) => {
        if (!sent && /saved +best checkpoint/.test(stderr)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(first.code, first.stderr).toBe(130);
    expect(first.stderr).toContain('stopping after the current step');
    const at = Number(/interrupted at epoch (\d+), step \d+\/\d+/.exec(first.stderr)?.[1]);
    expect(at).toBeGreaterThanOrEqual(1);
    expect(first.stderr).toMatch(/best checkpoint \(epoch \d+, val loss [\d.]+\) kept in/);
    expect(first.stderr).toMatch(/resume with: lstmkit train .* --resume/);
    expect(existsSync(join(out, 'manifest.json'))).toBe(true);
    expect(existsSync(`${out}.run`)).toBe(true);

    // Forgetting --resume does not throw the saved run away.
    const forgot = await runBin([...args, '--epochs', '40']);
    expect(forgot.code).toBe(2);
    expectOneLineError(forgot.stderr, /has an interrupted run/);
    expect(forgot.stderr).toContain('--resume');

    // Resume may raise --epochs: finish the interrupted epoch and one more.
    const resumed = await runBin([...args, '--epochs', String(at + 1), '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`^epoch ${at + 1}/${at + 1} `, 'm'));
    expect(resumed.stderr).not.toMatch(/^epoch 1\//m);
    expect(resumed.stdout).toMatch(/✓ trained in/);
    expect(existsSync(`${out}.run`)).toBe(false);
  }, 120_000);
});
