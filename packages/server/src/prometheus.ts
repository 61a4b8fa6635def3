/**
 * A minimal Prometheus text-format registry (exposition format 0.0.4). Samples are plain data so
 * snapshots from several worker processes can be merged before rendering.
 */
export type Labels = Record<string, string>;

interface HistogramValue {
  counts: number[]; // per bucket, not cumulative; the last one is +Inf
  sum: number;
  count: number;
}

export type MetricFamily =
  | { type: 'counter' | 'gauge'; name: string; help: string; samples: Record<string, number> }
  | {
      type: 'histogram';
      name: string;
      help: string;
      buckets: number[];
      samples: Record<string, HistogramValue>;
    };

// Sample keys are the rendered label set, e.g. `method="GET",route="/health"`.
function labelKey(labels: Labels): string {
  return Object.entries(labels)
    .map(
      ([name, value]) =>
        `${name}="${value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`,
    )
    .join(',');
}

export class Counter {
  constructor(private readonly family: Extract<MetricFamily, { type: 'counter' | 'gauge' }>) {}
  inc(labels: Labels = {}, value = 1): void {
    const key = labelKey(labels);
    this.family.samples[key] = (this.family.samples[key] ?? 0) + value;
  }
}

export class Histogram {
  constructor(private readonly family: Extract<MetricFamily, { type: 'histogram' }>) {}
  observe(labels: Labels, value: number): void {
    const key = labelKey(labels);
    let sample = this.family.samples[key];
    if (sample === undefined) {
      sample = { counts: new Array(this.family.buckets.length + 1).fill(0), sum: 0, count: 0 };
      this.family.samples[key] = sample;
    }
    let bucket = this.family.buckets.findIndex((upper) => value <= upper);
    if (bucket === -1) bucket = this.family.buckets.length;
    sample.counts[bucket]! += 1;
    sample.sum += value;
    sample.count += 1;
  }
}

export class Registry {
  readonly #families: MetricFamily[] = [];
  readonly #gauges: {
    family: MetricFamily & { type: 'gauge' };
    read: () => number | [Labels, number][];
  }[] = [];

  counter(name: string, help: string): Counter {
    const family = { type: 'counter' as const, name, help, samples: {} };
    this.#families.push(family);
    return new Counter(family);
  }

  histogram(name: string, help: string, buckets: number[]): Histogram {
    const family = { type: 'histogram' as const, name, help, buckets, samples: {} };
    this.#families.push(family);
    return new Histogram(family);
  }

  /** A gauge read at scrape time: one value, or one per label set. */
  gauge(name: string, help: string, read: () => number | [Labels, number][]): void {
    const family = { type: 'gauge' as const, name, help, samples: {} };
    this.#families.push(family);
    this.#gauges.push({ family, read });
  }

  /** A deep copy of every family with gauges read now. */
  snapshot(): MetricFamily[] {
    for (const gauge of this.#gauges) {
      const value = gauge.read();
      gauge.family.samples =
        typeof value === 'number'
          ? { '': value }
          : Object.fromEntries(value.map(([labels, v]) => [labelKey(labels), v]));
    }
    return structuredClone(this.#families);
  }
}

/** Sums samples of families with the same name (counters, histograms and gauges alike). */
export function mergeSnapshots(snapshots: MetricFamily[][]): MetricFamily[] {
  const [first, ...rest] = structuredClone(snapshots);
  if (first === undefined) return [];
  const byName = new Map(first.map((family) => [family.name, family]));
  for (const snapshot of rest) {
    for (const family of snapshot) {
      const target = byName.get(family.name);
      if (target === undefined) {
        byName.set(family.name, family);
        first.push(family);
      } else if (target.type === 'histogram' && family.type === 'histogram') {
        for (const [key, value] of Object.entries(family.samples)) {
          const into = target.samples[key];
          if (into === undefined) {
            target.samples[key] = value;
            continue;
          }
          value.counts.forEach((count, i) => {
            into.counts[i]! += count;
          });
          into.sum += value.sum;
          into.count += value.count;
        }
      } else if (target.type !== 'histogram' && family.type !== 'histogram') {
        for (const [key, value] of Object.entries(family.samples)) {
          target.samples[key] = (target.samples[key] ?? 0) + value;
        }
      }
    }
  }
  return first;
}

function sampleLine(name: string, key: string, value: number): string {
  return `${name}${key === '' ? '' : `{${key}}`} ${value}`;
}

export function renderPrometheus(families: MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
    if (family.type !== 'histogram') {
      for (const [key, value] of Object.entries(family.samples)) {
        lines.push(sampleLine(family.name, key, value));
      }
      continue;
    }
    for (const [key, value] of Object.entries(family.samples)) {
      const prefix = key === '' ? '' : `${key},`;
      let cumulative = 0;
      family.buckets.forEach((upper, i) => {
        cumulative += value.counts[i]!;
        lines.push(`${family.name}_bucket{${prefix}le="${upper}"} ${cumulative}`);
      });
      lines.push(`${family.name}_bucket{${prefix}le="+Inf"} ${value.count}`);
      lines.push(sampleLine(`${family.name}_sum`, key, value.sum));
      lines.push(sampleLine(`${family.name}_count`, key, value.count));
    }
  }
  return `${lines.join('\n')}\n`;
}
