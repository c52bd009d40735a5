// Servers a test starts must not outlive it, nor their temporary folders,
// even when the test process is interrupted (Ctrl-C, a runner's SIGTERM) or
// exits without its `after()`.

const cleanUps = new Set();

// Last registered first, as servers depend on what was made before them.
function cleanUpAll() {
  for (const cleanUp of [...cleanUps].reverse()) {
    try {
      cleanUp();
    } catch {
      /* already gone */
    }
  }
  cleanUps.clear();
}

function onSignal(signal) {
  cleanUpAll();
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

/**
 * Runs `cleanUp` (synchronous: SIGKILL to a process group, removing a
 * folder) if this process exits or is interrupted before the returned
 * function is called. Call that once the ordinary stop has done the work.
 */
export function cleanUpOnExit(cleanUp) {
  if (cleanUps.size === 0) {
    process.on('exit', cleanUpAll);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  cleanUps.add(cleanUp);
  return () => {
    cleanUps.delete(cleanUp);
    if (cleanUps.size === 0) {
      process.off('exit', cleanUpAll);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  };
}
