import { Content } from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { EnvironmentsTable } from '../EnvironmentsTable/EnvironmentsTable';

/**
 * The "CI/CD" tab of a DAG entity.
 *
 * @public
 */
export function DagCicdContent() {
  const { entity } = useEntity();
  return (
    <Content noPadding>
      <EnvironmentsTable entityRef={stringifyEntityRef(entity)} />
    </Content>
  );
}
