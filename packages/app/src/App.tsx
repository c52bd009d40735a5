import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { navModule } from './modules/nav';

// Plugins listed in package.json are discovered (`app.packages: all`), the
// DAG CI/CD plugin among them.
export default createApp({
  features: [catalogPlugin, navModule],
});
