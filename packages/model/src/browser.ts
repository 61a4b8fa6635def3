/**
 * The browser entry of @lstmkit/model (the `browser` export condition): the same Classifier,
 * models and layers as in Node, with bundles loaded by fetch, File or directory handle and
 * verified with Web Crypto.
 */
export {
  type BackendInfo,
  type BackendName,
  type InitBackendOptions,
  initBackend,
} from './backend.browser';
export { type BundleSource, bundleFiles, loadBundle } from './bundle.browser';
export * from './portable';
