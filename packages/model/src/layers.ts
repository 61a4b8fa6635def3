/**
 * Browser-safe entry (`@lstmkit/model/layers`): only the custom layers, registered with
 * tf.serialization on import, for loading a 'pool' bundle with stock tfjs where the main entry's
 * Node modules (fs, crypto) are unavailable.
 */
export { MaskedAvgMaxPooling } from './masked-pooling';
