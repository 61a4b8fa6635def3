import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBin } from '../__fixtures__/run-bin.js';
import { tempDir, tinySentences, writeTsv } from '../__fixtures__/tiny-dataset.js';

const dir = tempDir('lstmkit-predict-');
const model = join(dir, 'model');
// The texts: the training sentences, unseen words, an empty line; 1,000 lines, 16 batches of 64.
const texts = Array.from({ length: 1000 }, (_, i) =>
  i === 500 ? '' : i % 7 === 0 ? `never seen ${i}` : (tinySentences(i + 1)[i]?.text ?? ''),
);
const input = join(dir, 'inputs.txt');
const predict = ['predict', '--model', model, '--backend', 'cpu', '--batch-size', '64'];

interface JsonPrediction {
  label: string;
  labelIndex: number;
  probability: number;
  probabilities: number[];
  knownTokens: number;
  text: string;
}

const parseJsonLines = (text: string): JsonPrediction[] =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));

/** Files in the output directory other than the model and the input: no temp file left over. */
const leftovers = (folder: string, keep: string[]) =>
  readdirSync(folder).filter(
    (name) =>
      !['model', 'model.report', 'model.data', 'tiny.tsv', 'inputs.txt', ...keep].includes(name),
  );

beforeAll(async () => {
  const data = writeTsv(dir, 'tiny.tsv', 160);
  const args = ['train', '--data', data, '--out', model, '--epochs', '2', '--seed', '7'];
  const tiny = ['--embedding-dim', '8', '--hidden-size', '8', '--batch-size', '16'];
  const train = await runBin([...args, ...tiny]);
  expect(train.code, train.stderr).toBe(0);
  writeFileSync(input, `${texts.join('\n')}\n`);
}, 120_000);

describe('lstmkit predict --input (streaming)', () => {
  it('writes the same predictions as the library, as JSON lines, with progress on stderr', async () => {
    const output = join(dir, 'predictions.jsonl');
    const result = await runBin([...predict, '--input', input, '--output', output]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    const rows = parseJsonLines(readFileSync(output, 'utf8'));

    const { initBackend, Classifier } = await import('@lstmkit/model');
    await initBackend({ backend: 'cpu' });
    const classifier = await Classifier.load(model);
    const expected = classifier.predict(texts, { batchSize: 64 });
    classifier.dispose();
    expect(rows).toHaveLength(1000);
    expect(rows.map((row) => row.text)).toEqual(texts);
    expect(rows.map((row) => row.label)).toEqual(expected.map((p) => p.label));
    expect(rows.map((row) => row.knownTokens)).toEqual(expected.map((p) => p.knownTokens));
    rows.forEach((row, i) => {
      expect(row.probability).toBeCloseTo(expected[i]?.probability ?? Number.NaN, 6);
    });

    // Not a terminal, and done within a second: no progress lines, only where the file went.
    expect(result.stderr).not.toContain('predict     started');
    expect(result.stderr).toContain(`wrote 1,000 predictions (jsonl) to ${output}`);
    expect(leftovers(dir, ['predictions.jsonl'])).toEqual([]);

    // The same with the text on stdin, to stdout.
    const piped = await runBin([...predict, '--input', '-'], { input: `${texts.join('\n')}\n` });
    expect(piped.code, piped.stderr).toBe(0);
    expect(parseJsonLines(piped.stdout)).toEqual(rows);
    expect(piped.stderr).toBe('');
  });

  it('writes label<TAB>probability<TAB>text for a .tsv output or --format tsv', async () => {
    const jsonl = parseJsonLines((await runBin([...predict, '--input', input])).stdout);
    const output = join(dir, 'predictions.tsv');
    const result = await runBin([...predict, '--input', input, '--output', output]);
    expect(result.code, result.stderr).toBe(0);
    const lines = readFileSync(output, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toEqual(
      jsonl.map(
        (row) => `${row.label}\t${row.probabilities[row.labelIndex]?.toFixed(6)}\t${row.text}`,
      ),
    );
    expect(lines[0]).toMatch(/^(pos|neg)\t0\.\d{6}\tnever seen 0$/);
    const stdout = await runBin([...predict, '--input', input, '--format', 'tsv']);
    expect(stdout.stdout.split('\n').slice(0, -1)).toEqual(lines);
  });

  it('refuses to replace an existing output unless --force, and keeps it as it was', async () => {
    const output = join(dir, 'mine.jsonl');
    writeFileSync(output, 'precious\n');
    const refused = await runBin([...predict, '--input', input, '--output', output]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `error: --output ${output} already exists\n  hint: add --force to replace it, or choose another --output\n`,
    );
    expect(readFileSync(output, 'utf8')).toBe('precious\n');

    const same = await runBin([...predict, '--input', input, '--output', input, '--force']);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/^error: --output .*inputs\.txt is the input file/);

    const forced = await runBin([...predict, '--input', input, '--output', output, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(parseJsonLines(readFileSync(output, 'utf8'))).toHaveLength(1000);
    expect(leftovers(dir, ['mine.jsonl', 'predictions.jsonl', 'predictions.tsv'])).toEqual([]);
  });

  it('writes an empty output for an empty input, and says so', async () => {
    const folder = tempDir('lstmkit-predict-empty-');
    const empty = join(folder, 'empty.txt');
    writeFileSync(empty, '');
    const output = join(folder, 'out.tsv');
    const result = await runBin([...predict, '--input', empty, '--output', output]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe(`warning: no input texts (${empty} was empty)\n`);
    expect(readFileSync(output, 'utf8')).toBe('');
    expect(readdirSync(folder).sort()).toEqual(['empty.txt', 'out.tsv']);
  });

  it.each([
    [
      'invalid UTF-8',
      Buffer.from('fine\nalso fine\nbad \xff\xfe here\nok\n', 'latin1'),
      /:3: invalid UTF-8$/,
    ],
    [
      'a line over 4 MiB',
      Buffer.from(`fine\n${'x'.repeat((4 << 20) + 10)}\nok\n`),
      /:2: line longer than 4 MiB; this is not a line-per-record text file$/,
    ],
  ])(
    'stops at %s with an error naming the file and line, writing nothing',
    async (_, bytes, pattern) => {
      const folder = tempDir('lstmkit-predict-bad-');
      const bad = join(folder, 'bad.txt');
      writeFileSync(bad, bytes);
      const output = join(folder, 'out.jsonl');
      const result = await runBin([...predict, '--input', bad, '--output', output]);
      expect(result.code).toBe(2);
      const firstLine = result.stderr.split('\n').find((line) => line.startsWith('error: ')) ?? '';
      expect(firstLine.startsWith(`error: ${bad}:`)).toBe(true);
      expect(firstLine).toMatch(pattern);
      expect(existsSync(output)).toBe(false);
      expect(readdirSync(folder)).toEqual(['bad.txt']);
    },
  );

  it('stops on Ctrl-C, leaving no output and no temp file', async () => {
    const folder = tempDir('lstmkit-predict-int-');
    const many = join(folder, 'many.txt');
    // A million lines: far more than it predicts before the signal lands.
    writeFileSync(many, `${texts.join('\n')}\n`.repeat(1000));
    const output = join(folder, 'out.jsonl');
    let sent = false;
    const result = await runBin([...predict, '--input', many, '--output', output], {
      onStderr: (stderr, child) => {
        if (!sent && stderr.includes('predict     started')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toMatch(/interrupted after [\d,]+ lines; nothing written/);
    expect(readdirSync(folder)).toEqual(['many.txt']);
  });

  it('refuses contradicting flags', async () => {
    const both = await runBin([...predict, '--input', input, '--file', input]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^error: give --input or --file, not both/);
    const json = await runBin([...predict, '--input', input, '--json', '--format', 'tsv']);
    expect(json.code).toBe(2);
    expect(json.stderr).toMatch(/^error: --json asks for JSON lines but --format says tsv/);
    const folder = await runBin([...predict, '--input', input, '--output', dir]);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toMatch(/is a directory; give a file path/);
  });
});
