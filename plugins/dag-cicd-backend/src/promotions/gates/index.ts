import { PromotionGate } from '@dag-cicd/plugin-dag-cicd-node';
import { approvalsGate } from './approvals';
import { chaosRunGate } from './chaosRun';
import { freezeWindowGate } from './freezeWindow';
import { outputDiffGate } from './outputDiff';
import { runsSucceededGate } from './runsSucceeded';
import { soakTimeGate } from './soakTime';

export { countApprovals } from './approvals';
export type { CountedDecision } from './approvals';

/** The gate types the backend has without any module. */
export const builtInGates: PromotionGate[] = [
  runsSucceededGate,
  outputDiffGate,
  chaosRunGate,
  soakTimeGate,
  freezeWindowGate,
  approvalsGate,
];
