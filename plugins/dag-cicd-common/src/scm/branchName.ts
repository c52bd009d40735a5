const MAX_REF_LENGTH = 255;

// Control characters, space and what git forbids anywhere in a ref name
// (git check-ref-format): ~ ^ : ? * [ \
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\x00-\x20\x7f~^:?*[\\]/;

/**
 * Why a branch name is not one git would accept, or undefined when it is:
 * the rules of `git check-ref-format --branch`, so that nothing a host would
 * misread (a range `a..b`, an option `-x`, a path trick) reaches it. The
 * backend refuses such a name with this reason, and the create dialog shows
 * the same one before anything is sent.
 *
 * @public
 */
export function branchNameProblem(ref: string): string | undefined {
  if (ref.length === 0) return 'it is empty';
  if (ref.length > MAX_REF_LENGTH) {
    return `it is longer than ${MAX_REF_LENGTH} characters`;
  }
  if (FORBIDDEN.test(ref)) {
    return 'it contains a space, a control character or one of ~ ^ : ? * [ \\';
  }
  if (ref.startsWith('-')) return 'it starts with "-"';
  if (ref.includes('..')) return 'it contains ".."';
  if (ref.includes('@{') || ref === '@') return 'it contains "@{" or is "@"';
  if (ref.startsWith('/') || ref.endsWith('/') || ref.includes('//')) {
    return 'it has an empty path component';
  }
  const parts = ref.split('/');
  if (parts.some(part => part.startsWith('.'))) {
    return 'a component starts with "."';
  }
  if (ref.endsWith('.') || ref.endsWith('.lock')) {
    return 'it ends with "." or ".lock"';
  }
  if (parts.some(part => part.endsWith('.lock'))) {
    return 'a component ends with ".lock"';
  }
  // `--branch` reads HEAD as the current branch, never as a branch name.
  if (ref === 'HEAD') return 'it is "HEAD"';
  return undefined;
}

/**
 * The message for a branch name git would not accept, naming the name and
 * why; undefined for a valid name.
 *
 * @public
 */
export function invalidBranchNameMessage(ref: string): string | undefined {
  const problem = branchNameProblem(ref);
  return problem
    ? `${JSON.stringify(ref)} is not a valid branch name: ${problem}`
    : undefined;
}
