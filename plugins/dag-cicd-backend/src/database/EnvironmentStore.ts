import {
  EnvironmentInput,
  EnvironmentStatus,
} from '@dag-cicd/plugin-dag-cicd-common';

/** An environment as it is stored. */
export interface EnvironmentRecord {
  id: string;
  entityRef: string;
  stage: string;
  name: string;
  commit: string;
  dataNamespace: string;
  inputs: Record<string, EnvironmentInput>;
  artifacts: Record<string, string>;
  connections: Record<string, string>;
  profile: string;
  status: EnvironmentStatus;
  error?: string;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  expiresAt?: Date;
}

/** Which environments to list; absent fields do not filter. */
export interface EnvironmentFilter {
  entityRef: string;
  stage?: string;
  status?: EnvironmentStatus;
}

export interface PageRequest {
  limit: number;
  offset: number;
}

export interface Page<T> {
  items: T[];
  totalCount: number;
}

/**
 * Persistence of environments. The service depends on this interface, so that
 * its logic is tested without a database and the database code is tested on
 * every supported engine.
 */
export interface EnvironmentStore {
  /** Environments matching the filter, newest first. */
  list(
    filter: EnvironmentFilter,
    page: PageRequest,
  ): Promise<Page<EnvironmentRecord>>;
}
