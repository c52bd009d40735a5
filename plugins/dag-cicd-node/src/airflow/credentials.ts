import { AirflowAuthConfig } from './config';

/** Exchanges a username and password for a token at `POST /auth/token`. */
export type TokenFetcher = (login: {
  username: string;
  password: string;
}) => Promise<string>;

/** How requests to one instance are authenticated. */
export interface AirflowCredentials {
  /** For error messages: who the backend is to Airflow, never a secret. */
  readonly description: string;
  /** The `Authorization` header for the next request, if any. */
  authorization(fetchToken: TokenFetcher): Promise<string | undefined>;
  /**
   * Airflow refused `authorization` with a 401: forget it if a new one may
   * help. Returns whether the request is worth sending once more.
   */
  invalidate(authorization: string | undefined): boolean;
}

// A token is fetched again this long before it expires, so that a request
// sent just before the expiry does not arrive just after it.
const EXPIRY_MARGIN_MS = 30_000;

/** When a JWT expires (its `exp` claim), if it says; the signature is Airflow's business. */
export function jwtExpiry(token: string): number | undefined {
  try {
    const payload = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    );
    return typeof payload?.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Airflow 3's auth managers (simple and FAB) hand out JWTs at
 * `POST /auth/token`. The token is reused until shortly before its `exp`, or
 * until Airflow refuses it; concurrent requests share one token request.
 */
class TokenEndpointCredentials implements AirflowCredentials {
  readonly description: string;
  readonly #login: { username: string; password: string };
  readonly #now: () => number;
  #current?: { header: string; expiresAt?: number };
  #pending?: Promise<string>;

  constructor(
    login: { username: string; password: string },
    description: string,
    now: () => number,
  ) {
    this.#login = login;
    this.description = description;
    this.#now = now;
  }

  async authorization(fetchToken: TokenFetcher): Promise<string> {
    const current = this.#current;
    if (
      current &&
      (current.expiresAt === undefined ||
        this.#now() < current.expiresAt - EXPIRY_MARGIN_MS)
    ) {
      return current.header;
    }
    if (!this.#pending) {
      this.#pending = fetchToken(this.#login)
        .then(token => {
          const header = `Bearer ${token}`;
          this.#current = { header, expiresAt: jwtExpiry(token) };
          return header;
        })
        .finally(() => {
          this.#pending = undefined;
        });
    }
    return this.#pending;
  }

  invalidate(authorization: string | undefined): boolean {
    // Several requests may be refused with the same token: the first forgets
    // it, the others then find the new one.
    if (this.#current?.header === authorization) this.#current = undefined;
    return true;
  }
}

/** A fixed `Authorization` header (or none): nothing to refresh. */
class StaticCredentials implements AirflowCredentials {
  constructor(
    readonly description: string,
    private readonly header: string | undefined,
  ) {}

  async authorization(): Promise<string | undefined> {
    return this.header;
  }

  invalidate(): boolean {
    return false;
  }
}

export function credentialsFor(
  auth: AirflowAuthConfig,
  now: () => number = Date.now,
): AirflowCredentials {
  switch (auth.type) {
    case 'simple':
      return new TokenEndpointCredentials(
        // Only the login: the token endpoint refuses unknown fields.
        { username: auth.username, password: auth.password },
        `user "${auth.username}" of the simple auth manager`,
        now,
      );
    case 'fab':
      return new TokenEndpointCredentials(
        { username: auth.username, password: auth.password },
        `user "${auth.username}" of the FAB auth manager`,
        now,
      );
    case 'basic':
      return new StaticCredentials(
        `user "${auth.username}" with basic auth`,
        `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString(
          'base64',
        )}`,
      );
    case 'token':
      return new StaticCredentials(
        'the configured static token',
        `Bearer ${auth.token}`,
      );
    default:
      return new StaticCredentials('no credentials', undefined);
  }
}
