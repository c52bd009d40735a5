import { DagCicdClient } from '@dag-cicd/plugin-dag-cicd-common';
import { CliError, ExitCode } from './exitCodes';

/** Where a command writes: stdout for results, stderr for progress. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  /** How long to sleep between two polls while waiting. */
  pollIntervalMs: number;
}

/** What every command gets: the client, the token and how to print. */
export interface CommandContext {
  client: DagCicdClient;
  /** Per-call options carrying the CI token. */
  auth: { token: string };
  url: string;
  json: boolean;
  io: Io;
}

export interface GlobalOptions {
  url?: string;
  output?: string;
}

/**
 * Reads the backend URL and the token, failing before any request with a
 * message that says which variable to set.
 */
export function createContext(options: GlobalOptions, io: Io): CommandContext {
  const url = (options.url ?? io.env.DAG_CICD_URL)?.replace(/\/+$/, '');
  if (!url) {
    throw new CliError(
      'No backend URL: pass --url or set DAG_CICD_URL (e.g. https://backstage.example.com)',
      ExitCode.usage,
    );
  }
  if (!/^https?:\/\/[^/]/.test(url) || !URL.canParse(url)) {
    throw new CliError(
      `--url "${url}" is not an http(s) URL such as https://backstage.example.com`,
      ExitCode.usage,
    );
  }
  const token = io.env.DAG_CICD_TOKEN;
  if (!token) {
    throw new CliError(
      'DAG_CICD_TOKEN is not set: set it to the CI token the backend accepts (see docs/ci.md)',
      ExitCode.auth,
    );
  }
  const client = new DagCicdClient({
    discoveryApi: { getBaseUrl: async pluginId => `${url}/api/${pluginId}` },
    fetchApi: { fetch },
  });
  return {
    client,
    auth: { token },
    url,
    json: options.output === 'json',
    io,
  };
}
