import { credentialsFor, jwtExpiry } from './credentials';
import { jwt } from '../testUtils/fixtures';

describe('jwtExpiry', () => {
  it('reads the exp claim of a JWT', () => {
    expect(jwtExpiry(jwt(1_800_000_000))).toBe(1_800_000_000_000);
  });

  it('knows nothing of tokens that are not JWTs or carry no exp', () => {
    expect(jwtExpiry('opaque-token')).toBeUndefined();
    expect(jwtExpiry('a.bm90IGpzb24.c')).toBeUndefined();
    expect(
      jwtExpiry(`x.${Buffer.from('{"sub":"a"}').toString('base64url')}.y`),
    ).toBeUndefined();
  });
});

describe('credentialsFor', () => {
  it('reuses a token without expiry until Airflow refuses it', async () => {
    const credentials = credentialsFor({
      type: 'simple',
      username: 'admin',
      password: 'pw',
    });
    let issued = 0;
    const fetchToken = async () => `opaque-${++issued}`;
    const first = await credentials.authorization(fetchToken);
    expect(await credentials.authorization(fetchToken)).toBe(first);
    expect(credentials.invalidate(first)).toBe(true);
    expect(await credentials.authorization(fetchToken)).toBe('Bearer opaque-2');
    // A late refusal of the old token does not throw the new one away.
    credentials.invalidate(first);
    expect(await credentials.authorization(fetchToken)).toBe('Bearer opaque-2');
  });

  it('lets every caller see a failed token request, and tries again next time', async () => {
    const credentials = credentialsFor({
      type: 'fab',
      username: 'admin',
      password: 'pw',
    });
    const refused = credentials.authorization(async () => {
      throw new Error('refused');
    });
    await expect(refused).rejects.toThrow('refused');
    await expect(credentials.authorization(async () => 't')).resolves.toBe(
      'Bearer t',
    );
  });

  it('describes who the backend is, never with the secret', () => {
    const descriptions = [
      credentialsFor({ type: 'simple', username: 'a', password: 'pw' }),
      credentialsFor({ type: 'fab', username: 'a', password: 'pw' }),
      credentialsFor({ type: 'basic', username: 'a', password: 'pw' }),
      credentialsFor({ type: 'token', token: 'pw' }),
      credentialsFor({ type: 'none' }),
    ].map(c => c.description);
    expect(descriptions).toEqual([
      'user "a" of the simple auth manager',
      'user "a" of the FAB auth manager',
      'user "a" with basic auth',
      'the configured static token',
      'no credentials',
    ]);
  });
});
