import fc from 'fast-check';
import { branchNameProblem, invalidBranchNameMessage } from './branchName';

describe('branchNameProblem', () => {
  // Whatever passes can be put in a URL path segment and read back as the
  // same single ref: no range, no option, no whitespace, no traversal.
  it('never accepts a name git or a host would read as something else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), ref => {
        if (branchNameProblem(ref) !== undefined) return;
        expect(ref.length).toBeGreaterThan(0);
        expect(ref.length).toBeLessThanOrEqual(255);
        expect(ref).not.toMatch(/\.\.|\s|^-|^\/|\/$|\/\/|\\/);
        expect(ref.split('/')).not.toContain('..');
      }),
    );
  });

  it.each(['main', 'feature/x', 'release-1.2', 'user/jd/fix_42', 'a.b'])(
    'accepts %s',
    ref => expect(branchNameProblem(ref)).toBeUndefined(),
  );

  it.each([
    ['', 'it is empty'],
    ['x'.repeat(256), 'it is longer than 255 characters'],
    [
      'has space',
      'it contains a space, a control character or one of ~ ^ : ? * [ \\',
    ],
    [
      'a:b',
      'it contains a space, a control character or one of ~ ^ : ? * [ \\',
    ],
    [
      'a\tb',
      'it contains a space, a control character or one of ~ ^ : ? * [ \\',
    ],
    ['-rf', 'it starts with "-"'],
    ['main..dev', 'it contains ".."'],
    ['a@{1}', 'it contains "@{" or is "@"'],
    ['@', 'it contains "@{" or is "@"'],
    ['feature/', 'it has an empty path component'],
    ['a//b', 'it has an empty path component'],
    ['feature/.x', 'a component starts with "."'],
    ['x.lock', 'it ends with "." or ".lock"'],
    ['x.', 'it ends with "." or ".lock"'],
    ['refs.lock/x', 'a component ends with ".lock"'],
    ['HEAD', 'it is "HEAD"'],
  ])('refuses %j: %s', (ref, problem) =>
    expect(branchNameProblem(ref)).toBe(problem),
  );
});

describe('invalidBranchNameMessage', () => {
  it('names the branch and why git would refuse it', () =>
    expect(invalidBranchNameMessage('main..dev')).toBe(
      '"main..dev" is not a valid branch name: it contains ".."',
    ));

  it('says nothing of a valid name', () =>
    expect(invalidBranchNameMessage('feature/x')).toBeUndefined());
});
