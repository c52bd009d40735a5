export * from './branchName';
export * from './repositoryUrl';
