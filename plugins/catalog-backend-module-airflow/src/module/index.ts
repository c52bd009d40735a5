export { catalogModuleAirflow as default } from './catalogModuleAirflow';
