// Test counts from the runners' machine-readable reports, for the closing
// line of `npm test`. A missing report reads as undefined: the step's exit
// code then speaks for it.
import fs from 'node:fs';

export function readJestCounts(file) {
  if (!fs.existsSync(file)) return undefined;
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests + report.numRuntimeErrorTestSuites,
    skipped: report.numPendingTests + report.numTodoTests,
  };
}

export function readJunitCounts(file) {
  if (!fs.existsSync(file)) return undefined;
  const xml = fs.readFileSync(file, 'utf8');
  // Count <testcase> elements and their outcomes: the totals on <testsuite>
  // differ between pytest and node's reporter.
  const cases = xml.match(/<testcase\b[\s\S]*?(?:\/>|<\/testcase>)/g) ?? [];
  let failed = 0;
  let skipped = 0;
  for (const testcase of cases) {
    if (/<(failure|error)\b/.test(testcase)) failed += 1;
    else if (/<skipped\b/.test(testcase)) skipped += 1;
  }
  return { passed: cases.length - failed - skipped, failed, skipped };
}
