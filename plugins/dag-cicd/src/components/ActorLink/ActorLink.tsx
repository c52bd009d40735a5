import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Tooltip from '@material-ui/core/Tooltip';
import { parseActor } from './actor';

export interface ActorLinkProps {
  /** The actor as the backend recorded it: an entity ref or a subject. */
  actor: string;
}

/**
 * Who did something, the one way this plugin shows it. A catalog user or
 * group links to its catalog page under its display name (`alice`, or the
 * profile's display name where the catalog has it), and EntityRefLink's own
 * tooltip gives the full entity ref so that namespaces stay unambiguous. A
 * service is shown exactly as recorded (`external:ci-pipeline`): that is
 * the subject configured under `backend.auth.externalAccess` and found in
 * the audit log, and its prefix tells an external token from another
 * plugin (`plugin:`) and from the plugin's own work (`system:dag-cicd`).
 */
export function ActorLink(props: ActorLinkProps) {
  const actor = parseActor(props.actor);
  if (actor.type === 'service') {
    return (
      <Tooltip title="A service, not a user of the catalog">
        <span>{actor.subject}</span>
      </Tooltip>
    );
  }
  return (
    <EntityRefLink entityRef={actor.entityRef} defaultKind="user" hideIcon />
  );
}
