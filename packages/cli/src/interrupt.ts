/**
 * The first Ctrl-C (SIGINT) or SIGTERM calls `onStop` so the work can stop cleanly; a second
 * Ctrl-C quits at once with code 130. Returns a function that removes the handlers.
 */
export function onInterrupt(
  onStop: (signal: NodeJS.Signals) => void,
  onForce?: () => void,
): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (!stopping) {
      stopping = true;
      onStop(signal);
      return;
    }
    onForce?.();
    process.exit(130);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
