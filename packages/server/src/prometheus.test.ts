import { describe, expect, it } from 'vitest';
import { mergeSnapshots, Registry, renderPrometheus } from './prometheus.js';

describe('Prometheus registry', () => {
  it('renders counters, histograms and gauges in the text format', () => {
    const registry = new Registry();
    const requests = registry.counter('requests_total', 'Requests.');
    requests.inc({ route: '/predict', status: '200' });
    requests.inc({ route: '/predict', status: '200' });
    requests.inc({ route: '/a"b\\c\nd', status: '404' });
    const latency = registry.histogram('latency_seconds', 'Latency.', [0.1, 1]);
    latency.observe({ route: '/predict' }, 0.05);
    latency.observe({ route: '/predict' }, 0.5);
    latency.observe({ route: '/predict' }, 3);
    registry.gauge('tensors', 'Tensors.', () => 7);
    expect(renderPrometheus(registry.snapshot())).toBe(
      [
        '# HELP requests_total Requests.',
        '# TYPE requests_total counter',
        'requests_total{route="/predict",status="200"} 2',
        'requests_total{route="/a\\"b\\\\c\\nd",status="404"} 1',
        '# HELP latency_seconds Latency.',
        '# TYPE latency_seconds histogram',
        'latency_seconds_bucket{route="/predict",le="0.1"} 1',
        'latency_seconds_bucket{route="/predict",le="1"} 2',
        'latency_seconds_bucket{route="/predict",le="+Inf"} 3',
        'latency_seconds_sum{route="/predict"} 3.55',
        'latency_seconds_count{route="/predict"} 3',
        '# HELP tensors Tensors.',
        '# TYPE tensors gauge',
        'tensors 7',
        '',
      ].join('\n'),
    );
  });

  it('merges snapshots of several processes by summing samples', () => {
    const make = (n: number) => {
      const registry = new Registry();
      registry.counter('c', 'C.').inc({ k: 'v' }, n);
      registry.histogram('h', 'H.', [1]).observe({}, n);
      registry.gauge('g', 'G.', () => n);
      return registry.snapshot();
    };
    const merged = renderPrometheus(mergeSnapshots([make(1), make(2)]));
    expect(merged).toContain('c{k="v"} 3\n');
    expect(merged).toContain('h_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3\nh_count 2\n');
    expect(merged).toContain('g 3\n');
  });
});
