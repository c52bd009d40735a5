export const pluginId = 'dag-cicd';
