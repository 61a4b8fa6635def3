import type { Context } from '../context.js';
import { ProgressRenderer } from '../render/progress-renderer.js';

/**
 * Progress on stderr, where every command reports it: a live bar on a terminal (not in CI),
 * plain lines otherwise. `cacheDir`: where `train` keeps its encoded data, named when a pass
 * is skipped.
 */
export function stderrProgress(ctx: Context, cacheDir?: string): ProgressRenderer {
  return new ProgressRenderer({
    stream: ctx.io.stderr,
    style: ctx.err,
    live: ctx.io.stderr.isTTY === true && !ctx.io.env.CI,
    displayPath: (path) => ctx.displayPath(path),
    ...(cacheDir !== undefined && { cacheDir }),
  });
}
