import {
  Content,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Environment } from '@dag-cicd/plugin-dag-cicd-common';
import Box from '@material-ui/core/Box';
import AddIcon from '@material-ui/icons/Add';
import { useMemo, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { dagCicdApiRef } from '../../api/DagCicdApi';
import { CreateEnvironmentDialog } from '../CreateEnvironmentDialog/CreateEnvironmentDialog';
import { EnvironmentDetails } from '../EnvironmentDetails/EnvironmentDetails';
import { EnvironmentsTable } from '../EnvironmentsTable/EnvironmentsTable';
import { ActionButton } from '../PromotionActions/ActionButton';
import { PromotionPipeline } from '../PromotionPipeline/PromotionPipeline';

/**
 * The "CI/CD" tab of a DAG entity: the promotion pipeline across its stages,
 * then its environments, their details, and the dialog that creates one.
 *
 * @public
 */
export function DagCicdContent() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(dagCicdApiRef);
  const pipeline = useAsyncRetry(
    () => api.getPipeline(entityRef),
    [api, entityRef],
  );
  const [creating, setCreating] = useState(false);
  const [selected, setSelected] = useState<Environment>();
  // Bumped after anything that changes environments, to reload the page.
  const [version, setVersion] = useState(0);
  const stages = useMemo(
    () =>
      (pipeline.value?.stages ?? []).map(s => ({
        name: s.name,
        production: s.production,
      })),
    [pipeline.value],
  );

  const changed = () => {
    setVersion(v => v + 1);
    pipeline.retry();
  };

  return (
    <Content noPadding>
      <Box mb={3}>
        <InfoCard title="Promotion pipeline">
          {pipeline.loading && !pipeline.value && <Progress />}
          {pipeline.error && <ResponseErrorPanel error={pipeline.error} />}
          {pipeline.value && (
            <PromotionPipeline
              pipeline={pipeline.value}
              entity={entity}
              onChange={pipeline.retry}
            />
          )}
        </InfoCard>
      </Box>
      <EnvironmentsTable
        entityRef={entityRef}
        entity={entity}
        stages={stages.map(s => s.name)}
        onSelect={setSelected}
        refreshKey={version}
        actions={
          <ActionButton
            variant="contained"
            color="primary"
            startIcon={<AddIcon />}
            disabled={pipeline.loading && stages.length === 0}
            disabledReason={
              !pipeline.loading && stages.length === 0
                ? 'The stages of this DAG could not be loaded'
                : undefined
            }
            onClick={() => setCreating(true)}
          >
            Create environment
          </ActionButton>
        }
      />
      {stages.length > 0 && (
        <CreateEnvironmentDialog
          open={creating}
          onClose={() => setCreating(false)}
          entityRef={entityRef}
          stages={stages}
          onCreated={changed}
          onProvisioned={changed}
        />
      )}
      {selected && (
        <EnvironmentDetails
          open
          environment={selected}
          entity={entity}
          production={!!stages.find(s => s.name === selected.stage)?.production}
          onClose={() => {
            setSelected(undefined);
            // Runs started and finished in the drawer change the row's last
            // run, which the server only reports on the next page load.
            changed();
          }}
          onChange={changed}
        />
      )}
    </Content>
  );
}
