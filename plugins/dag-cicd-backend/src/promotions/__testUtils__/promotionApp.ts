import { AuditorService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  DeployAction,
  DeployOutcome,
  GateOutcome,
  PromotionGate,
  PromotionGateContext,
} from '@dag-cicd/plugin-dag-cicd-node';
import { EnvironmentAppOptions } from '../../__testUtils__/environmentApp';
import { builtInGates } from '../gates';
import { DatabasePromotionStore } from '../DatabasePromotionStore';
import { builtInDeployActions } from '../deployActions';
import { PolicyFile, PolicyResolver } from '../policy';
import { GateContextFactory, PromotionService } from '../PromotionService';
import { TypeRegistry } from '../registry';

/** A gate whose outcome the test sets, or that throws. */
export class SwitchGate implements PromotionGate {
  readonly type = 'switch';
  outcome: GateOutcome | Error = {
    status: 'passed',
    detail: 'The switch is on',
    inputs: { switch: 'on' },
  };

  validateOptions(options: Record<string, any>) {
    if (options.color !== undefined && typeof options.color !== 'string') {
      throw new Error('color must be a string');
    }
    return options;
  }

  async evaluate(): Promise<GateOutcome> {
    if (this.outcome instanceof Error) throw this.outcome;
    return this.outcome;
  }
}

/**
 * A deploy action that records its calls, answers what the test says, and
 * can be held until the test lets it go (to keep a promotion executing).
 */
export class TestDeployAction implements DeployAction {
  readonly type = 'test-deploy';
  readonly calls: string[] = [];
  outcome: DeployOutcome | Error = { status: 'succeeded', detail: 'Deployed' };
  #hold?: Promise<void>;
  #release?: () => void;
  #started?: () => void;

  validateOptions(options: Record<string, any>) {
    return options;
  }

  /** Holds every run until `release`; resolves when a run has started. */
  hold(): Promise<void> {
    this.#hold = new Promise(resolve => (this.#release = resolve));
    return new Promise(resolve => (this.#started = resolve));
  }

  release() {
    this.#release?.();
  }

  async run(_options: unknown, context: { promotion: { commit: string } }) {
    this.calls.push(context.promotion.commit);
    this.#started?.();
    await this.#hold;
    if (this.outcome instanceof Error) throw this.outcome;
    return this.outcome;
  }
}

// What the tests' gates read besides decisions and groups: nothing.
function testGateContext(
  members: Record<string, string[]>,
): GateContextFactory {
  return ({ promotion, now, decisions }): PromotionGateContext => ({
    promotion,
    now,
    decisions,
    async groupMembers(group) {
      return members[group] ?? [];
    },
    async runs() {
      return [];
    },
    async manifests() {
      return [];
    },
    async productionBaseline() {
      return undefined;
    },
    async readySince() {
      return undefined;
    },
  });
}

export const DATA_GROUP = 'group:default/data';
export const ALICE = 'user:default/alice';
export const BOB = 'user:default/bob';
export const CAROL = 'user:default/carol';
export const DAVE = 'user:default/dave';

/**
 * The promotion service for `createEnvironmentApp`, with a switch gate and
 * the built-in gates; staging needs the switch and one approval,
 * production the switch (and allows skipping staging when `allowSkip`).
 */
export function promotionsForTest(options: {
  switchGate: SwitchGate;
  deploy: TestDeployAction;
  members?: Record<string, string[]>;
  policies?: Record<string, unknown>;
  serviceStages?: string[];
  auditor?: AuditorService;
  notifications?: NotificationService;
  policyFile?: (entity: Entity) => PolicyFile | undefined;
}): {
  config: Record<string, unknown>;
  promotions: NonNullable<EnvironmentAppOptions['promotions']>;
} {
  const policies = options.policies ?? {
    staging: {
      gates: [{ gate: 'switch' }, { gate: 'approvals', options: { min: 1 } }],
      deploy: { action: 'test-deploy' },
    },
    production: {
      gates: [{ gate: 'switch', name: 'production switch' }],
      deploy: { action: 'test-deploy' },
    },
  };
  return {
    config: { promotions: { policies } },
    promotions: parts => {
      const gates = new TypeRegistry<PromotionGate>('gate', [
        options.switchGate,
        ...builtInGates,
      ]);
      const actions = new TypeRegistry<DeployAction>('deploy action', [
        ...builtInDeployActions({ airflow: parts.airflow }),
        options.deploy,
      ]);
      return new PromotionService({
        store: new DatabasePromotionStore(parts.knex),
        environments: parts.store,
        access: parts.access,
        auth: parts.auth,
        stages: parts.stages,
        policies: PolicyResolver.fromConfig(
          parts.config as ConfigReader,
          parts.stages,
          { gates, actions },
        ),
        gates,
        actions,
        gateContext: testGateContext(
          options.members ?? { [DATA_GROUP]: [ALICE, BOB, CAROL] },
        ),
        logger: parts.logger,
        serviceStages: options.serviceStages,
        auditor: options.auditor,
        notifications: options.notifications,
        policyFile: options.policyFile,
      });
    },
  };
}
