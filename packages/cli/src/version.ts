import packageJson from '../package.json' with { type: 'json' };

/** The version of @lstmkit/cli (inlined at build time). */
export const version: string = packageJson.version;
