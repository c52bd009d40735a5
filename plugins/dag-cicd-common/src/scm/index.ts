export * from './branchName';
export * from './entitySource';
export * from './repositoryUrl';
