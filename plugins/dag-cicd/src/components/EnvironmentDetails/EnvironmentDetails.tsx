import {
  CodeSnippet,
  CopyTextButton,
  Link,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { Entity } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import {
  dagCicdEnvironmentCreatePermission,
  dagCicdEnvironmentDeletePermission,
  dagCicdRunCreatePermission,
  Environment,
  EnvironmentEvent,
  Run,
} from '@dag-cicd/plugin-dag-cicd-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import Drawer from '@material-ui/core/Drawer';
import IconButton from '@material-ui/core/IconButton';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import CloseIcon from '@material-ui/icons/Close';
import { ReactNode, useCallback, useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { dagCicdApiRef } from '../../api/DagCicdApi';
import { useDagCicdPermission } from '../../hooks/useDagCicdPermission';
import { usePolling } from '../../hooks/usePolling';
import { ActorLink } from '../ActorLink';
import { TTL_CHOICES } from '../CreateEnvironmentDialog/createEnvironmentForm';
import { CommitLink } from '../CommitLink';
import {
  EnvironmentStatusLabel,
  isRunActive,
  RunStateLabel,
} from '../EnvironmentsTable/StatusLabels';
import { expiresIn } from '../../timeFromNow';
import { ActionButton } from '../PromotionActions/ActionButton';
import { errorMessage } from '../PromotionActions/PromotionActions';
import {
  extendBlocker,
  startRunBlocker,
  teardownBlocker,
} from './environmentBlockers';
import { KeyValueTable } from './KeyValueTable';

/** @public */
export interface EnvironmentDetailsProps {
  environment: Environment;
  /** Whether the environment's stage is production (no TTL, no teardown). */
  production?: boolean;
  entity?: Entity;
  open: boolean;
  onClose: () => void;
  /** Called with the environment after an action changed it. */
  onChange?: (environment: Environment) => void;
  /** How often unfinished runs and transitions are polled. */
  pollIntervalMs?: number;
}

function Section(props: { title: string; children: ReactNode }) {
  return (
    <Box component="section" mt={3} aria-label={props.title}>
      <Typography variant="h6" component="h3" gutterBottom>
        {props.title}
      </Typography>
      {props.children}
    </Box>
  );
}

/**
 * Everything about one environment, in a drawer: the `conf.dag_cicd` its
 * runs carry, its inputs, artifacts and connections, the fault report of a
 * chaos environment, its runs with their tasks, its history; and the actions
 * to start a run, extend its time to live and tear it down.
 *
 * @public
 */
export function EnvironmentDetails(props: EnvironmentDetailsProps) {
  const { open, onClose, entity, production = false, onChange } = props;
  const api = useApi(dagCicdApiRef);
  const [env, setEnv] = useState(props.environment);
  useEffect(() => setEnv(props.environment), [props.environment]);
  const interval = props.pollIntervalMs ?? 5000;
  // Bumped when a run is started here, so that the runs list shows it.
  const [runsVersion, setRunsVersion] = useState(0);

  const changed = useCallback(
    (next: Environment) => {
      setEnv(next);
      onChange?.(next);
    },
    [onChange],
  );

  // Transitions happen on the server: follow them until they settle.
  usePolling(async () => changed(await api.getEnvironment(env.id)), {
    active:
      open && (env.status === 'provisioning' || env.status === 'tearing-down'),
    intervalMs: interval,
  });

  return (
    <Drawer anchor="right" open={open} onClose={onClose}>
      <Box
        width={720}
        maxWidth="100vw"
        p={3}
        role="region"
        aria-label={`Environment ${env.name}`}
      >
        <Box display="flex" alignItems="center">
          <Typography variant="h5" component="h2" style={{ flexGrow: 1 }}>
            {env.name}
          </Typography>
          <IconButton aria-label="Close" onClick={onClose}>
            <CloseIcon />
          </IconButton>
        </Box>
        <Typography variant="body2">
          {env.stage} · commit{' '}
          <CommitLink commit={env.commit} entity={entity} /> · profile{' '}
          {env.profile}
          {env.seed !== undefined && ` (seed ${env.seed})`} · created by{' '}
          <ActorLink actor={env.createdBy} /> · expires{' '}
          {expiresIn(env.expiresAt)}
        </Typography>
        <EnvironmentStatusLabel status={env.status} error={env.error} />
        <Box display="flex" alignItems="center">
          <code>{env.dataNamespace}</code>
          <CopyTextButton
            text={env.dataNamespace}
            aria-label="Copy the data namespace"
          />
        </Box>
        {open && (
          <>
            <EnvironmentActions
              environment={env}
              production={production}
              onChange={changed}
              onRunStarted={() => setRunsVersion(v => v + 1)}
            />
            <ProfileOptionsSection environment={env} />
            <ConfSection environment={env} />
            <Section title="Inputs">
              <KeyValueTable
                label="Inputs"
                headers={['Input', 'URI', 'Mode']}
                rows={Object.entries(env.inputs).map(([name, input]) => [
                  name,
                  <code>{input.uri}</code>,
                  input.mode,
                ])}
                empty="This DAG declares no inputs"
              />
            </Section>
            <Section title="Artifacts">
              <KeyValueTable
                label="Artifacts"
                headers={['Artifact', 'URI']}
                rows={Object.entries(env.artifacts).map(([name, uri]) => [
                  name,
                  <code>{uri}</code>,
                ])}
                empty="No artifacts"
              />
            </Section>
            <Section title="Connections">
              <KeyValueTable
                label="Connections"
                headers={['conn_id', 'Uses']}
                rows={Object.entries(env.connections).map(([from, to]) => [
                  from,
                  to,
                ])}
                empty="No connection overrides"
              />
            </Section>
            <RunsSection
              environment={env}
              intervalMs={interval}
              version={runsVersion}
            />
            <HistorySection environment={env} />
          </>
        )}
      </Box>
    </Drawer>
  );
}

function EnvironmentActions(props: {
  environment: Environment;
  production: boolean;
  onChange: (env: Environment) => void;
  onRunStarted: () => void;
}) {
  const { environment: env, production, onChange, onRunStarted } = props;
  const api = useApi(dagCicdApiRef);
  const runPermission = useDagCicdPermission(
    dagCicdRunCreatePermission,
    env.entityRef,
    env.stage,
  );
  const createPermission = useDagCicdPermission(
    dagCicdEnvironmentCreatePermission,
    env.entityRef,
    env.stage,
  );
  const deletePermission = useDagCicdPermission(
    dagCicdEnvironmentDeletePermission,
    env.entityRef,
    env.stage,
  );
  const [ttl, setTtl] = useState<string>('P1D');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string }>();

  const act = async (call: () => Promise<string>) => {
    setBusy(true);
    setMessage(undefined);
    try {
      setMessage({ error: false, text: await call() });
    } catch (e) {
      setMessage({ error: true, text: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box mt={2}>
      <Box
        display="flex"
        alignItems="center"
        flexWrap="wrap"
        style={{ gap: 8 }}
      >
        <ActionButton
          variant="contained"
          color="primary"
          disabled={busy || runPermission.loading}
          disabledReason={startRunBlocker(env, runPermission.reason)}
          onClick={() =>
            act(async () => {
              const run = await api.startRun(env.id);
              onRunStarted();
              return `Run ${run.dagRunId} started`;
            })
          }
        >
          Start run
        </ActionButton>
        <TextField
          id="environment-ttl"
          select
          size="small"
          variant="outlined"
          label="New time to live"
          value={ttl}
          onChange={e => setTtl(e.target.value)}
          disabled={production}
          style={{ minWidth: 160 }}
        >
          {TTL_CHOICES.map(choice => (
            <MenuItem key={choice.value} value={choice.value}>
              {choice.label}
            </MenuItem>
          ))}
        </TextField>
        <ActionButton
          variant="outlined"
          disabled={busy || createPermission.loading}
          disabledReason={extendBlocker(
            env,
            production,
            createPermission.reason,
          )}
          onClick={() =>
            act(async () => {
              const next = await api.updateEnvironment(env.id, { ttl });
              onChange(next);
              return `Expires ${expiresIn(next.expiresAt)}`;
            })
          }
        >
          Extend
        </ActionButton>
        <ActionButton
          variant="outlined"
          color="secondary"
          disabled={busy || deletePermission.loading}
          disabledReason={teardownBlocker(
            env,
            production,
            deletePermission.reason,
          )}
          onClick={() => setConfirming(true)}
        >
          Tear down
        </ActionButton>
      </Box>
      {message && (
        <Typography
          variant="body2"
          color={message.error ? 'error' : 'textSecondary'}
          role={message.error ? 'alert' : 'status'}
        >
          {message.text}
        </Typography>
      )}
      <Dialog
        open={confirming}
        onClose={() => setConfirming(false)}
        aria-labelledby="teardown-title"
      >
        <DialogTitle id="teardown-title">{`Tear down ${env.name}?`}</DialogTitle>
        <DialogContent>
          <DialogContentText>
            This deletes the data namespace{' '}
            <strong>
              <code>{env.dataNamespace}</code>
            </strong>{' '}
            and everything under it: the environment's inputs, outputs and
            manifests. Runs in progress keep running in Airflow but can no
            longer write. This cannot be undone.
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirming(false)}>Keep it</Button>
          <Button
            color="secondary"
            variant="contained"
            disabled={busy}
            onClick={() => {
              setConfirming(false);
              act(async () => {
                const next = await api.teardownEnvironment(env.id);
                onChange(next);
                return `Tearing down ${next.name}`;
              });
            }}
          >
            {`Delete ${env.name}`}
          </Button>
        </DialogActions>
      </Dialog>
    </Box>
  );
}

/**
 * The `sample` bounds and `chaos` rates the environment was created with,
 * named as in the API, so that they can be given again from the CLI or a
 * template. Nothing when it was created with the configured ones.
 */
function ProfileOptionsSection(props: { environment: Environment }) {
  const { sample, chaos } = props.environment;
  const rows = [
    ...Object.entries(sample ?? {}).map(([k, v]) => [`sample.${k}`, v]),
    ...Object.entries(chaos ?? {}).map(([k, v]) => [`chaos.${k}`, v]),
  ].filter(([, value]) => value !== undefined);
  if (rows.length === 0) return null;
  return (
    <Section title="Profile options">
      <KeyValueTable
        label="Profile options"
        headers={['Option', 'Value']}
        rows={rows}
        empty=""
      />
    </Section>
  );
}

function ConfSection(props: { environment: Environment }) {
  const { environment: env } = props;
  const api = useApi(dagCicdApiRef);
  const conf = useAsyncRetry(
    () => api.getEnvironmentConf(env.id),
    [api, env.id, env.status],
  );
  return (
    <Section title="conf.dag_cicd">
      {conf.loading && <Progress />}
      {conf.error && <ResponseErrorPanel error={conf.error} />}
      {conf.value && (
        <>
          {conf.value.isolationEnforced === false && (
            <WarningPanel
              severity="warning"
              title="This DAG does not write through the airflow-dag-cicd package: isolation is not enforced"
              message="A finished run wrote no output manifest, so nothing proves its outputs stayed in the environment's data namespace. Write outputs through the package's helpers to enforce isolation."
            />
          )}
          <CodeSnippet
            language="json"
            text={JSON.stringify(conf.value.conf, null, 2)}
            showCopyCodeButton
          />
          {conf.value.faultReport && (
            <Box mt={2}>
              <Typography variant="subtitle1" component="h4">
                Fault report
              </Typography>
              <CodeSnippet
                language="json"
                text={JSON.stringify(conf.value.faultReport, null, 2)}
              />
            </Box>
          )}
        </>
      )}
    </Section>
  );
}

function RunView(props: { run: Run }) {
  const { run } = props;
  return (
    <Box mb={2} aria-label={`Run ${run.dagRunId}`} component="article">
      <Box display="flex" alignItems="center" style={{ gap: 8 }}>
        <RunStateLabel state={run.state} />
        {run.uiUrl ? (
          <Link to={run.uiUrl}>{run.dagRunId}</Link>
        ) : (
          <code>{run.dagRunId}</code>
        )}
        <Typography variant="caption" color="textSecondary">
          on {run.instance} by <ActorLink actor={run.startedBy} /> at{' '}
          {run.createdAt}
        </Typography>
      </Box>
      {run.error && (
        <Typography variant="body2" color="error">
          {run.error}
        </Typography>
      )}
      {run.bundleMatchesCommit === false && (
        <Typography variant="body2" color="error">
          {`Airflow ran DAG code ${
            run.bundleVersion ?? 'of another version'
          }, not the environment's commit`}
        </Typography>
      )}
      <KeyValueTable
        label={`Tasks of ${run.dagRunId}`}
        headers={['Task', 'Map index', 'Try', 'State']}
        rows={run.tasks.map(t => [
          t.taskId,
          t.mapIndex < 0 ? '' : t.mapIndex,
          t.tryNumber,
          <RunStateLabel state={t.state} />,
        ])}
        empty="No task instances yet"
      />
    </Box>
  );
}

function RunsSection(props: {
  environment: Environment;
  intervalMs: number;
  /** Changes when a run was started, to load the list again. */
  version: number;
}) {
  const { environment: env, intervalMs, version } = props;
  const api = useApi(dagCicdApiRef);
  const runs = useAsyncRetry(
    // `refresh` syncs unfinished runs from Airflow before answering.
    () => api.listRuns(env.id, { refresh: true }),
    [api, env.id, version],
  );
  const active = (runs.value ?? []).some(r => isRunActive(r.state));
  usePolling(runs.retry, { active, intervalMs });
  return (
    <Section title="Runs">
      <Button size="small" onClick={runs.retry} disabled={runs.loading}>
        Refresh
      </Button>
      {runs.error && <ResponseErrorPanel error={runs.error} />}
      {runs.loading && !runs.value && <Progress />}
      {runs.value?.length === 0 && (
        <Typography variant="body2" color="textSecondary">
          No runs yet: start one to run the DAG in this environment.
        </Typography>
      )}
      {runs.value?.map(run => (
        <RunView key={run.id} run={run} />
      ))}
    </Section>
  );
}

/** One line of an environment's history, as a person reads it. */
export function describeEvent(event: EnvironmentEvent): string {
  switch (event.type) {
    case 'transition':
      return `${event.from ?? 'new'} → ${event.to}`;
    case 'step':
      return `step ${event.step ?? ''}`.trim();
    case 'expiry': {
      const ttl = event.detail?.ttl;
      return typeof ttl === 'string'
        ? `time to live set to ${ttl}`
        : 'time to live changed';
    }
    default:
      return event.type;
  }
}

function HistorySection(props: { environment: Environment }) {
  const { environment: env } = props;
  const api = useApi(dagCicdApiRef);
  const history = useAsyncRetry(
    () => api.getEnvironmentHistory(env.id),
    [api, env.id, env.status],
  );
  return (
    <Section title="History">
      {history.error && <ResponseErrorPanel error={history.error} />}
      {history.value && (
        <KeyValueTable
          label="History"
          headers={['When', 'What', 'Who']}
          rows={history.value.map(event => [
            event.at,
            describeEvent(event),
            <ActorLink actor={event.actor} />,
          ])}
          empty="No history"
        />
      )}
    </Section>
  );
}
