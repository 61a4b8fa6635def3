import type { KernelName } from '../backend';
import { loadNativeKernel } from '../fused/native-kernel';

/**
 * The fused LSTM kernels to test on this machine: wasm always, native when its package
 * (packages/kernel-native) is built here; tests of the native kernel skip where it is absent.
 */
export const testKernels: KernelName[] = [
  'wasm',
  ...('kernel' in loadNativeKernel() ? (['native'] as const) : []),
];
