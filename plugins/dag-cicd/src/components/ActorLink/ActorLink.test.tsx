import {
  EntityPresentationApi,
  entityPresentationApiRef,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import { ActorLink } from './ActorLink';

function renderActor(actor: string) {
  return renderInTestApp(<ActorLink actor={actor} />, {
    mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
  });
}

/** A catalog that knows alice by her profile's display name. */
const presentation: EntityPresentationApi = {
  forEntity(entityRef) {
    const snapshot = {
      entityRef: String(entityRef),
      primaryTitle: 'Alice Liddell',
      secondaryTitle: 'user:default/alice | Data engineering',
    };
    return { snapshot, promise: Promise.resolve(snapshot) };
  },
};

describe('ActorLink', () => {
  it('links a user to their catalog page under their short name, with the full ref in a tooltip', async () => {
    await renderActor('user:default/alice');
    const link = screen.getByRole('link', { name: 'alice' });
    expect(link).toHaveAttribute('href', '/catalog/default/user/alice');
    // EntityRefLink's own tooltip, the only one.
    expect(screen.getAllByTitle('user:default/alice')).toEqual([
      within(link).getByText('alice'),
    ]);
  });

  it("shows the catalog's display name, with its own tooltip", async () => {
    await renderInTestApp(
      <TestApiProvider apis={[[entityPresentationApiRef, presentation]]}>
        <ActorLink actor="user:default/alice" />
      </TestApiProvider>,
      {
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      },
    );
    const link = screen.getByRole('link', { name: 'Alice Liddell' });
    expect(link).toHaveAttribute('href', '/catalog/default/user/alice');
    expect(within(link).getByText('Alice Liddell')).toHaveAttribute(
      'title',
      'user:default/alice | Data engineering',
    );
  });

  it('keeps the namespace of a user outside the default one', async () => {
    await renderActor('user:platform/alice');
    expect(
      screen.getByRole('link', { name: 'platform/alice' }),
    ).toHaveAttribute('href', '/catalog/platform/user/alice');
  });

  it('links a group, naming its kind', async () => {
    await renderActor('group:default/data-engineering');
    expect(
      screen.getByRole('link', { name: 'group:data-engineering' }),
    ).toHaveAttribute('href', '/catalog/default/group/data-engineering');
  });

  it.each(['external:ci-pipeline', 'system:dag-cicd', 'unknown'])(
    'shows the service %s as recorded, not as a link',
    async actor => {
      await renderActor(actor);
      expect(screen.getByText(actor)).toHaveAttribute(
        'title',
        'A service, not a user of the catalog',
      );
      expect(screen.queryByRole('link')).toBeNull();
    },
  );

  it.each(['user:', 'user:default/', ':', ''])(
    'shows the malformed actor %p as text rather than throwing',
    async actor => {
      await renderActor(actor);
      expect(screen.getByText(actor || 'unknown')).toBeInTheDocument();
      expect(screen.queryByRole('link')).toBeNull();
    },
  );
});
