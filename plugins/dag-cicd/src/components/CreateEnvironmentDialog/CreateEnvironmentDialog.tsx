import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  BranchHead,
  dagCicdEnvironmentCreatePermission,
  Environment,
  FAULT_NAMES,
  FaultName,
} from '@dag-cicd/plugin-dag-cicd-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { ChangeEvent, useCallback, useRef, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { dagCicdApiRef } from '../../api/DagCicdApi';
import { useDagCicdPermission } from '../../hooks/useDagCicdPermission';
import { usePolling } from '../../hooks/usePolling';
import { EnvironmentStatusLabel } from '../EnvironmentsTable/StatusLabels';
import { ActionButton } from '../PromotionActions/ActionButton';
import {
  CreateEnvironmentForm,
  emptyForm,
  FAULTS,
  isFaultRate,
  fieldOfServerError,
  FormErrors,
  FormField,
  PROFILE_KINDS,
  ProfileKind,
  readCommitInput,
  takesSampleOptions,
  toCreateRequest,
  TTL_CHOICES,
} from './createEnvironmentForm';

const PROFILE_HELP: Record<ProfileKind, string> = {
  'production-readonly':
    "Inputs point at production's data, read-only, no copy",
  empty: 'Every input starts as an empty folder',
  sample:
    "A bounded copy of production's inputs; the seed makes the sample reproducible",
  chaos:
    'A sample run through the fault injector (nulls, malformed rows, schema drift…); the seed reproduces the faults',
  fixtures: "A fixture set shipped with the DAG's repository",
  from: 'Reuse the data of an earlier environment of this DAG',
};

/** The fields of the form that hold one string each. */
type TextKey = Exclude<keyof CreateEnvironmentForm, 'rates'>;

/** See `fieldProps` in {@link CreateEnvironmentDialog}. */
type FieldProps = (
  key: TextKey,
  help?: string,
) => {
  id: string;
  fullWidth: boolean;
  value: string;
  onChange: (event: ChangeEvent<{ value: unknown }>) => void;
  error: boolean;
  helperText?: string;
};

/** The field a form key's errors are reported on. */
function errorFieldOf(key: keyof CreateEnvironmentForm): FormField {
  switch (key) {
    case 'profileKind':
    case 'fixtureSet':
    case 'fromEnvironment':
      return 'profile';
    case 'rates':
      return 'chaos';
    default:
      return key;
  }
}

const PROFILE_LABELS: Partial<Record<ProfileKind, string>> = {
  fixtures: 'fixtures:<set>',
  from: 'from:<environment>',
};

/** A stage as the pipeline describes it. @public */
export interface StageOption {
  name: string;
  production: boolean;
}

/** @public */
export interface CreateEnvironmentDialogProps {
  open: boolean;
  onClose: () => void;
  entityRef: string;
  /** The configured stages in order, from the pipeline. */
  stages: StageOption[];
  /** Called once the environment exists (still provisioning). */
  onCreated?: (environment: Environment) => void;
  /**
   * Called when provisioning has ended, ready or failed: what shows the
   * environment elsewhere (the pipeline, the table) loads it again.
   */
  onProvisioned?: (environment: Environment) => void;
  /** How often provisioning progress is polled. */
  pollIntervalMs?: number;
}

/**
 * Self-service creation of an environment: validates before sending, shows
 * the server's refusal next to the field it is about, then follows the
 * environment until it is ready or failed.
 *
 * @public
 */
export function CreateEnvironmentDialog(props: CreateEnvironmentDialogProps) {
  const { open, onClose, entityRef, stages, onCreated, onProvisioned } = props;
  const api = useApi(dagCicdApiRef);
  const [form, setForm] = useState<CreateEnvironmentForm>(() =>
    emptyForm(stages[0]?.name ?? ''),
  );
  const [errors, setErrors] = useState<FormErrors>({});
  const [formError, setFormError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);
  const [created, setCreated] = useState<Environment>();
  const branch = useBranchHead(entityRef, form.commit, message =>
    setErrors(e => ({ ...e, commit: message })),
  );
  const production = !!stages.find(s => s.name === form.stage)?.production;
  const permission = useDagCicdPermission(
    dagCicdEnvironmentCreatePermission,
    entityRef,
    form.stage || undefined,
  );

  const reusable = useAsync(async () => {
    if (!open || form.profileKind !== 'from') return [];
    const page = await api.listEnvironments({
      entityRef,
      status: 'ready',
      limit: 100,
    });
    return page.items;
  }, [api, open, entityRef, form.profileKind]);

  const update = <K extends keyof CreateEnvironmentForm>(
    key: K,
    value: CreateEnvironmentForm[K],
  ) => {
    setForm(f => ({
      ...f,
      [key]: value,
      // Production environments never expire: no TTL to send.
      ...(key === 'stage' && {
        ttl: stages.find(s => s.name === value)?.production
          ? ''
          : f.ttl || 'P1D',
      }),
    }));
    setErrors(e => ({ ...e, [errorFieldOf(key)]: undefined }));
  };

  /**
   * What every text field of the form shares: its id, value and change
   * handler, and the error of the field it feeds, else its help.
   */
  const fieldProps: FieldProps = (key, help) => {
    const error = errors[errorFieldOf(key)];
    return {
      id: `create-environment-${key.replace(
        /[A-Z]/g,
        c => `-${c.toLowerCase()}`,
      )}`,
      fullWidth: true,
      value: form[key],
      onChange: (event: ChangeEvent<{ value: unknown }>) =>
        update(key, event.target.value as CreateEnvironmentForm[TextKey]),
      error: !!error,
      helperText: error ?? help,
    };
  };

  const submit = async () => {
    // Busy from the first click: resolving a branch takes a round trip, and a
    // second click meanwhile would send a second create.
    setSubmitting(true);
    setFormError(undefined);
    try {
      const resolution = await branch.resolve();
      // The refusal is already on the commit field.
      if ('refused' in resolution) return;
      const result = toCreateRequest(entityRef, form, {
        production,
        branchHead: resolution.branchHead,
      });
      if ('errors' in result) {
        setErrors(result.errors);
        return;
      }
      const environment = await api.createEnvironment(result.request);
      setCreated(environment);
      onCreated?.(environment);
    } catch (e) {
      const message = serverMessage(e);
      const field =
        e instanceof ResponseError && e.statusCode === 400
          ? fieldOfServerError(message)
          : undefined;
      if (field) setErrors({ [field]: message });
      else setFormError(message);
    } finally {
      setSubmitting(false);
    }
  };

  const provisioning = created?.status === 'provisioning';
  const poll = useCallback(async () => {
    if (!created) return;
    const next = await api.getEnvironment(created.id);
    setCreated(next);
    if (next.status !== 'provisioning') onProvisioned?.(next);
  }, [api, created, onProvisioned]);
  usePolling(poll, {
    active: open && provisioning,
    intervalMs: props.pollIntervalMs ?? 2000,
  });

  const close = () => {
    setCreated(undefined);
    setErrors({});
    setFormError(undefined);
    onClose();
  };

  return (
    <Dialog open={open} onClose={close} fullWidth maxWidth="sm">
      <DialogTitle>Create an environment</DialogTitle>
      <DialogContent>
        {created ? (
          <Progression environment={created} />
        ) : (
          <Grid container spacing={2}>
            {formError && (
              <Grid item xs={12}>
                <Typography color="error" role="alert">
                  {formError}
                </Typography>
              </Grid>
            )}
            <Grid item xs={12}>
              <TextField
                {...fieldProps('commit', branch.status)}
                label="Commit"
                required
                onBlur={() => branch.resolve()}
                inputProps={{ maxLength: 255 }}
              />
            </Grid>
            <Grid item xs={6}>
              <TextField
                {...fieldProps('stage', permission.reason)}
                select
                label="Stage"
                error={!!errors.stage || !!permission.reason}
              >
                {stages.map(stage => (
                  <MenuItem key={stage.name} value={stage.name}>
                    {stage.name}
                  </MenuItem>
                ))}
              </TextField>
            </Grid>
            <Grid item xs={6}>
              <TextField
                {...fieldProps(
                  'name',
                  'Optional: ci_<sha7> in the first stage, the stage name elsewhere',
                )}
                label="Name"
              />
            </Grid>
            <Grid item xs={6}>
              <TextField
                {...fieldProps('profileKind')}
                id="create-environment-profile"
                select
                label="Input profile"
                error={!!errors.profile && !profileNeedsName(form)}
                helperText={
                  (!profileNeedsName(form) && errors.profile) ||
                  PROFILE_HELP[form.profileKind]
                }
              >
                {PROFILE_KINDS.map(kind => (
                  <MenuItem key={kind} value={kind}>
                    {PROFILE_LABELS[kind] ?? kind}
                  </MenuItem>
                ))}
              </TextField>
            </Grid>
            <Grid item xs={6}>
              {form.profileKind === 'fixtures' && (
                <TextField
                  {...fieldProps('fixtureSet', 'e.g. small, big, errors')}
                  label="Fixture set"
                />
              )}
              {form.profileKind === 'from' && (
                <TextField
                  {...fieldProps('fromEnvironment')}
                  select
                  label="Reuse the data of"
                  error={!!errors.profile || !!reusable.error}
                  helperText={
                    errors.profile ??
                    reusable.error?.message ??
                    (reusable.value?.length === 0
                      ? 'This DAG has no ready environment'
                      : 'A ready environment of this DAG')
                  }
                >
                  {(reusable.value ?? []).map(env => (
                    <MenuItem key={env.id} value={env.name}>
                      {`${env.name} (${env.stage}, ${env.commit.slice(0, 7)})`}
                    </MenuItem>
                  ))}
                </TextField>
              )}
            </Grid>
            {takesSampleOptions(form.profileKind) && (
              <SampleOptionFields fieldProps={fieldProps} />
            )}
            {form.profileKind === 'chaos' && (
              <FaultRateFields
                rates={form.rates}
                error={errors.chaos}
                onChange={(fault, rate) =>
                  update('rates', { ...form.rates, [fault]: rate })
                }
              />
            )}
            <Grid item xs={6}>
              <TextField
                {...fieldProps(
                  'ttl',
                  production
                    ? 'Production environments do not expire'
                    : 'Torn down automatically after this',
                )}
                select
                label="Time to live"
                disabled={production}
                SelectProps={{ displayEmpty: true }}
              >
                <MenuItem value="">
                  {production ? 'never' : "the server's default"}
                </MenuItem>
                {TTL_CHOICES.map(choice => (
                  <MenuItem key={choice.value} value={choice.value}>
                    {choice.label}
                  </MenuItem>
                ))}
              </TextField>
            </Grid>
            <Grid item xs={6}>
              <TextField
                {...fieldProps(
                  'seed',
                  'Makes sampling and fault injection reproducible; random when empty',
                )}
                label="Seed"
                inputProps={{ inputMode: 'numeric' }}
              />
            </Grid>
            <Grid item xs={6}>
              <TextField
                {...fieldProps(
                  'artifacts',
                  'key=value lines, e.g. etl_jar=s3://artifacts/etl/{commit}/etl.jar',
                )}
                label="Artifact overrides"
                multiline
                minRows={2}
              />
            </Grid>
            <Grid item xs={6}>
              <TextField
                {...fieldProps(
                  'connections',
                  'key=value lines, e.g. spark_default=spark_ci',
                )}
                label="Connection overrides"
                multiline
                minRows={2}
              />
            </Grid>
          </Grid>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>{created ? 'Close' : 'Cancel'}</Button>
        {!created && (
          <ActionButton
            color="primary"
            variant="contained"
            onClick={submit}
            disabled={submitting || permission.loading}
            disabledReason={permission.reason}
          >
            Create
          </ActionButton>
        )}
      </DialogActions>
    </Dialog>
  );
}

const SAMPLE_OPTIONS = [
  {
    key: 'maxObjects',
    label: 'Max objects',
    help: 'Per input; empty for the configured maximum',
  },
  {
    key: 'maxMiB',
    label: 'Max MiB',
    help: 'Per input; empty for the configured maximum',
  },
  {
    key: 'rowFraction',
    label: 'Row fraction',
    help: 'Of each CSV or JSON Lines file, e.g. 0.1; empty for the configured one',
  },
] as const;

/** The bounds of a `sample` or `chaos` copy; the server's are the ceiling. */
function SampleOptionFields(props: { fieldProps: FieldProps }) {
  const { fieldProps } = props;
  return (
    <>
      {SAMPLE_OPTIONS.map(({ key, label, help }) => (
        <Grid item xs={4} key={key}>
          <TextField
            {...fieldProps(key, help)}
            label={label}
            inputProps={{ inputMode: 'decimal' }}
          />
        </Grid>
      ))}
    </>
  );
}

/**
 * A rate per fault the API knows, for `chaos`. A refusal of the rates, the
 * form's or the server's, is shown once for the group, which every rate
 * field is described by; a rate the API would refuse marks its own field as
 * it is typed (`isFaultRate`), never by reading a message's text.
 */
function FaultRateFields(props: {
  rates: CreateEnvironmentForm['rates'];
  error?: string;
  onChange: (fault: FaultName, rate: string) => void;
}) {
  const { rates, error, onChange } = props;
  return (
    <>
      <Grid item xs={12}>
        <Typography
          variant="body2"
          color={error ? 'error' : 'textSecondary'}
          id="create-environment-chaos-help"
        >
          {error ??
            'Fault rates, each a probability from 0 to 1. All empty: the configured rates; otherwise an empty one is 0.'}
        </Typography>
      </Grid>
      {FAULT_NAMES.map(fault => (
        <Grid item xs={3} key={fault}>
          <TextField
            id={`create-environment-rate-${fault}`}
            label={fault}
            title={FAULTS[fault]}
            fullWidth
            size="small"
            value={rates[fault] ?? ''}
            error={!isFaultRate(rates[fault] ?? '')}
            onChange={e => onChange(fault, e.target.value)}
            inputProps={{
              inputMode: 'decimal',
              'aria-describedby': 'create-environment-chaos-help',
            }}
          />
        </Grid>
      ))}
    </>
  );
}

function profileNeedsName(form: CreateEnvironmentForm) {
  return form.profileKind === 'fixtures' || form.profileKind === 'from';
}

function serverMessage(error: unknown): string {
  if (error instanceof ResponseError) {
    return error.body?.error?.message ?? error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * What resolving the commit field gave: the head of the branch it names, no
 * head when it names none (a SHA, or text the form refuses), or a refusal of
 * the backend.
 */
type Resolution = { branchHead?: BranchHead } | { refused: string };

/**
 * The head of the branch the commit field names, asked of the backend, which
 * resolves it through the SCM integration of the DAG's repository. The field
 * is read once per render, here. A head found is kept, and a request in
 * flight shared, however often the field is left or submitted; a refusal (no
 * integration, no such branch) goes to `onError`, unless the field has
 * changed since, and is asked again next time (the branch may have been
 * pushed meanwhile).
 */
function useBranchHead(
  entityRef: string,
  text: string,
  onError: (message: string) => void,
) {
  const api = useApi(dagCicdApiRef);
  const [head, setHead] = useState<BranchHead>();
  const [resolving, setResolving] = useState<string>();
  const pending = useRef<{ ref: string; promise: Promise<Resolution> }>();
  const current = useRef(text);
  current.current = text;
  const input = readCommitInput(text);
  const ref = 'branch' in input ? input.branch : undefined;

  const resolve = (): Promise<Resolution> => {
    if (ref === undefined) return Promise.resolve({});
    if (head?.ref === ref) return Promise.resolve({ branchHead: head });
    if (pending.current?.ref === ref) return pending.current.promise;
    setResolving(ref);
    const promise = api
      .resolveBranchHead(entityRef, ref)
      .then(
        (resolved): Resolution => {
          setHead(resolved);
          return { branchHead: resolved };
        },
        (error): Resolution => {
          const refused = serverMessage(error);
          if (current.current === text) onError(refused);
          return { refused };
        },
      )
      .finally(() => {
        pending.current = undefined;
        setResolving(r => (r === ref ? undefined : r));
      });
    pending.current = { ref, promise };
    return promise;
  };

  let status =
    'A commit SHA (7 to 40 hex characters), or a branch name to use the commit it points at now';
  if (ref !== undefined && resolving === ref)
    status = `Resolving branch ${ref}…`;
  else if (ref !== undefined && head?.ref === ref) {
    status = `branch ${ref} → ${head.commit.slice(0, 7)}`;
  }
  return { resolve, status };
}

/** Provisioning progress until the environment is ready or failed. */
function Progression(props: { environment: Environment }) {
  const { environment } = props;
  return (
    <>
      <Typography gutterBottom>
        {`Environment ${environment.name} in ${environment.stage}: `}
      </Typography>
      <EnvironmentStatusLabel
        status={environment.status}
        error={environment.error}
      />
      {environment.status === 'provisioning' && (
        <>
          <Progress />
          <Typography variant="body2" color="textSecondary">
            Creating its data namespace, filling its inputs and registering its
            connections…
          </Typography>
        </>
      )}
      {environment.status === 'ready' && (
        <Typography variant="body2">
          {`Ready: runs write under ${environment.dataNamespace}`}
        </Typography>
      )}
    </>
  );
}
