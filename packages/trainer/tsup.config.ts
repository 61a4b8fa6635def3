import { packageBuild } from '../../tsup.shared';

export default packageBuild(['src/index.ts', 'src/config.ts', 'src/browser.ts']);
