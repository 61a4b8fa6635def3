import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { serverDefaults, serverSettings } from '../src/options.js';

const dir = fileURLToPath(new URL('../../../deploy/kubernetes/', import.meta.url));
// biome-ignore lint/suspicious/noExplicitAny: manifests are checked field by field
const manifests: Record<string, any> = Object.fromEntries(
  readdirSync(dir)
    .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
    .map((file) => {
      const manifest = parse(readFileSync(`${dir}${file}`, 'utf8'));
      return [manifest.kind, manifest];
    }),
);

// kubernetes-models validates with the JSON schemas of the Kubernetes OpenAPI definitions.
const models = {
  Deployment,
  Service,
  HorizontalPodAutoscaler,
  PersistentVolumeClaim,
} as const;

describe('deploy/kubernetes', () => {
  it.each(Object.keys(models))('%s is valid against the Kubernetes schema', (kind) => {
    const Model = models[kind as keyof typeof models];
    expect(manifests[kind], `deploy/kubernetes has a ${kind}`).toBeDefined();
    expect(() => new Model(manifests[kind]).validate()).not.toThrow();
  });

  it('the validator rejects a broken manifest (so the check above can fail)', () => {
    const broken = structuredClone(manifests.Deployment);
    broken.spec.replicas = 'two';
    delete broken.spec.template.spec.containers[0].readinessProbe.httpGet.port;
    expect(() => new Deployment(broken).validate()).toThrow(/replicas must be integer/);
  });

  const deployment = manifests.Deployment;
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const env = Object.fromEntries(
    // biome-ignore lint/suspicious/noExplicitAny: see above
    container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]),
  );

  it('probes the Open Inference Protocol health routes on the container port', () => {
    expect(container.readinessProbe.httpGet).toEqual({ path: '/v2/health/ready', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/v2/health/live', port: 'http' });
    expect(container.ports).toContainEqual(
      expect.objectContaining({ name: 'http', containerPort: Number(env.LSTMKIT_PORT) }),
    );
  });

  it('sets only server settings that exist (no misspelt LSTMKIT_ variable)', () => {
    const known = new Set(serverSettings.map((s) => s.env));
    for (const name of Object.keys(env)) expect(known, name).toContain(name);
  });

  it('gives the drain time to finish before the kubelet kills the pod', () => {
    const preStop = Number(container.lifecycle.preStop.exec.command[1]);
    expect(preStop).toBeGreaterThan(0);
    // The longest a drain may take: the Deployment's drain timeout, or the server's default.
    const drainMs = Number(env.LSTMKIT_DRAIN_TIMEOUT_MS ?? serverDefaults.drainTimeoutMs);
    expect(drainMs).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStop + drainMs / 1000);
  });

  it('mounts the model repository where LSTMKIT_MODELS_DIR points, read-only', () => {
    const mount = container.volumeMounts.find((m: { name: string }) => m.name === 'models');
    expect(mount).toMatchObject({ mountPath: env.LSTMKIT_MODELS_DIR, readOnly: true });
    const volume = pod.volumes.find((v: { name: string }) => v.name === 'models');
    expect(volume.persistentVolumeClaim.claimName).toBe(
      manifests.PersistentVolumeClaim.metadata.name,
    );
    // The image sets LSTMKIT_MODEL_DIR=/model (apps/server/Dockerfile); both set is an error.
    expect(readFileSync(`${dir}../../apps/server/Dockerfile`, 'utf8')).toContain(
      'LSTMKIT_MODEL_DIR=/model',
    );
    expect(env.LSTMKIT_MODEL_DIR).toBe('');
    expect(Number(env.LSTMKIT_POLL_INTERVAL_MS)).toBeGreaterThan(0);
    expect(serverDefaults.pollIntervalMs).toBeGreaterThan(0);
  });

  it('wires the Service and the autoscaler to the Deployment', () => {
    const labels = deployment.spec.template.metadata.labels;
    expect(labels).toMatchObject(manifests.Service.spec.selector);
    expect(deployment.spec.selector.matchLabels).toEqual(manifests.Service.spec.selector);
    expect(manifests.Service.spec.ports[0].targetPort).toBe('http');
    expect(manifests.HorizontalPodAutoscaler.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
    // CPU utilization targets are relative to the requests.
    expect(container.resources.requests.cpu).toBeDefined();
    expect(container.resources.requests.memory).toBeDefined();
  });
});
