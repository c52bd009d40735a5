//

export * from '../models/CreateEnvironmentRequest.model';
export * from '../models/Environment.model';
export * from '../models/EnvironmentEvent.model';
export * from '../models/EnvironmentInput.model';
export * from '../models/EnvironmentPage.model';
export * from '../models/EnvironmentStatus.model';
export * from '../models/ErrorError.model';
export * from '../models/ErrorRequest.model';
export * from '../models/ErrorResponse.model';
export * from '../models/GetEnvironmentHistory200Response.model';
export * from '../models/InputMode.model';
export * from '../models/ListRuns200Response.model';
export * from '../models/ModelError.model';
export * from '../models/Run.model';
export * from '../models/RunManifestsInner.model';
export * from '../models/RunTasksInner.model';
