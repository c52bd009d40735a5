// Progress lines of the bootstrap scripts go to stderr so that a command's own
// output on stdout stays clean.
export function step(message) {
  process.stderr.write(`[dag-cicd] ${message}\n`);
}

export function fail(message) {
  process.stderr.write(`[dag-cicd] ERROR: ${message}\n`);
  process.exit(1);
}
