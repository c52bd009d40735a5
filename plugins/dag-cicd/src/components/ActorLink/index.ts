export { ActorLink } from './ActorLink';
export type { ActorLinkProps } from './ActorLink';
export { parseActor } from './actor';
export type { Actor } from './actor';
