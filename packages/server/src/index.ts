export { createServer } from './create-server.js';
export { type ServerOptions, serverDefaults, serverOptionsFromEnv } from './options.js';
export { type RunningServer, startServer } from './start-server.js';
