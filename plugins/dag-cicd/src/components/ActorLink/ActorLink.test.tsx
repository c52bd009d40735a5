import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { ActorLink } from './ActorLink';

function renderActor(actor: string) {
  return renderInTestApp(<ActorLink actor={actor} />, {
    mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
  });
}

describe('ActorLink', () => {
  it('links a user to their catalog page under their short name, with the full ref in a tooltip', async () => {
    await renderActor('user:default/alice');
    const link = screen.getByRole('link', { name: 'alice' });
    expect(link).toHaveAttribute('href', '/catalog/default/user/alice');
    expect(link.parentElement).toHaveAttribute('title', 'user:default/alice');
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
