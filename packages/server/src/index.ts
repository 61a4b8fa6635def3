export { createServer } from './create-server.js';
export {
  type ServerOptions,
  serverDefaults,
  serverOptionsFromEnv,
  serverOptionsFromStrings,
  serverSettings,
} from './options.js';
export { type RunningServer, startServer } from './start-server.js';
