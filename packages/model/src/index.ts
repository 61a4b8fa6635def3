export {
  checkOwnedDirectory,
  followSymlink,
  lockDirectory,
  type OwnedState,
  type Strangers,
} from './atomic-directory';
export {
  type BackendInfo,
  type BackendName,
  type InitBackendOptions,
  initBackend,
} from './backend';
export { checkBundleDirectory, loadBundle, saveBundle } from './bundle';
export * from './portable';
