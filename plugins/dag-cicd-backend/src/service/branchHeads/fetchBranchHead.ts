import { CustomErrorBase, NotFoundError } from '@backstage/errors';
import { BranchLookup } from './BranchHeadHost';

/**
 * The SCM host could not answer: unreachable, slow, a 5xx, an answer that is
 * not what its API documents, or the integration's credentials refused. A
 * 502, not a 401: it is the plugin's credentials that failed, not the
 * caller's session.
 */
export class ScmUnavailableError extends CustomErrorBase {
  name = 'ScmUnavailableError' as const;
  readonly statusCode = 502;
}

// A create dialog waits on this: a host that hangs is a host that failed.
const TIMEOUT_MS = 10_000;
const FULL_SHA = /^[0-9a-f]{40}$/;

/**
 * Sends a host's request for a branch and reads the head commit from the
 * answer; every host's failures are classified here, the same way.
 *
 * @param host - the repository URL's host, named in every error
 * @throws NotFoundError (no such branch or repository), ScmUnavailableError
 */
export async function fetchBranchHead(
  lookup: BranchLookup,
  ref: string,
  host: string,
): Promise<string> {
  const request = await lookup.request().catch(error => {
    // e.g. a GitHub App with no installation for this owner, an OAuth
    // client whose secret was rotated, an Azure identity with no token
    throw new ScmUnavailableError(
      `No credentials for ${host}/${lookup.repository} from its integration (integrations in app-config): ${error.message}`,
      error,
    );
  });
  const failed = (what: string, cause?: unknown, after = '') =>
    new ScmUnavailableError(
      `${host} ${what} when asked for branch ${JSON.stringify(ref)} of ${
        lookup.repository
      }${after}`,
      cause,
    );

  let response: Response;
  try {
    response = await fetch(request.url, {
      headers: { Accept: 'application/json', ...request.headers },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw failed('could not be reached', error);
  }
  if ((lookup.notFoundStatuses ?? [404]).includes(response.status)) {
    throw notFound(ref, lookup.repository, host);
  }
  if (!response.ok) {
    const detail = (await response.text().catch(() => '')).slice(0, 200);
    const refused = response.status === 401 || response.status === 403;
    throw failed(
      `answered ${response.status}`,
      undefined,
      `${
        refused
          ? ', refusing the integration credentials (integrations in app-config)'
          : ''
      }${detail ? `: ${detail}` : ''}`,
    );
  }

  let body: unknown;
  try {
    body =
      lookup.answer === 'text' ? await response.text() : await response.json();
  } catch (error) {
    throw failed(
      lookup.answer === 'text'
        ? 'broke off its answer'
        : 'answered with something that is not JSON',
      error,
    );
  }
  const head = lookup.head(body);
  if (!head) throw notFound(ref, lookup.repository, host);
  const commit =
    typeof head.commit === 'string' ? head.commit.trim().toLowerCase() : '';
  if (!FULL_SHA.test(commit)) {
    throw failed(
      `answered without a 40-hex commit SHA (found ${preview(head.commit)})`,
    );
  }
  return commit;
}

function notFound(ref: string, repository: string, host: string) {
  return new NotFoundError(
    `No branch ${JSON.stringify(ref)} in ${repository} on ${host}`,
  );
}

function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
