import { Link } from '@backstage/core-components';
import { Entity } from '@backstage/catalog-model';

const SOURCE_LOCATION = 'backstage.io/source-location';

/**
 * The web page of a commit in the entity's source repository, when the
 * entity's `backstage.io/source-location` is a GitHub or GitLab URL; undefined
 * otherwise (no location, another host, or a location that is not a URL).
 *
 * @public
 */
export function commitUrl(
  entity: Entity | undefined,
  commit: string,
): string | undefined {
  const location = entity?.metadata.annotations?.[SOURCE_LOCATION];
  if (!location) return undefined;
  let url: URL;
  try {
    url = new URL(location.replace(/^url:/, ''));
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const segments = url.pathname.split('/').filter(Boolean);
  if (/(^|\.)github\b/.test(url.hostname)) {
    // github.com/<owner>/<repo>/tree/<ref>/<path>
    if (segments.length < 2) return undefined;
    const repo = segments
      .slice(0, 2)
      .join('/')
      .replace(/\.git$/, '');
    return `${url.origin}/${repo}/commit/${commit}`;
  }
  if (/(^|\.)gitlab\b/.test(url.hostname)) {
    // gitlab.com/<group>/<subgroup…>/<project>/-/tree/<ref>: groups nest, so
    // the project ends where GitLab's `/-/` (or a legacy `tree`/`blob`) begins.
    const end = segments.findIndex(s => ['-', 'tree', 'blob'].includes(s));
    const project = (end === -1 ? segments : segments.slice(0, end))
      .join('/')
      .replace(/\.git$/, '');
    if (!project.includes('/')) return undefined;
    return `${url.origin}/${project}/-/commit/${commit}`;
  }
  return undefined;
}

/**
 * A commit's short SHA with the full one in its title, linked to the commit
 * in the source repository when the entity says where that is.
 *
 * @public
 */
export function CommitLink(props: { commit: string; entity?: Entity }) {
  const short = <code title={props.commit}>{props.commit.slice(0, 7)}</code>;
  const href = commitUrl(props.entity, props.commit);
  return href ? <Link to={href}>{short}</Link> : short;
}
